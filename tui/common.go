package tui

import (
	"context"
	"time"

	"github.com/charmbracelet/bubbles/help"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

// Common is what every component shares: the context loading and replay
// run under, the styles, the keymap and the zone times are shown in.
type Common struct {
	Ctx      context.Context
	Styles   *Styles
	Keys     *KeyMap
	Location *time.Location
}

// Component is one pane of the interface: a tea.Model that lists its keys
// for help and is told its size by the root model.
type Component interface {
	tea.Model
	help.KeyMap
	SetSize(width, height int)
}

// fit cuts s to width cells (with an ellipsis) or pads it with spaces.
func fit(s string, width int) string {
	if width <= 0 {
		return ""
	}
	w := ansi.StringWidth(s)
	if w > width {
		return ansi.Truncate(s, width, "…")
	}
	return s + spaces(width-w)
}

// cut cuts s to width cells without padding.
func cut(s string, width int) string {
	if ansi.StringWidth(s) > width {
		return ansi.Truncate(s, width, "…")
	}
	return s
}

func spaces(n int) string {
	if n <= 0 {
		return ""
	}
	b := make([]byte, n)
	for i := range b {
		b[i] = ' '
	}
	return string(b)
}

// clamp keeps v within [lo, hi].
func clamp(v, lo, hi int) int {
	if v > hi {
		v = hi
	}
	if v < lo {
		v = lo
	}
	return v
}

// stripStyle removes ANSI sequences, for lines drawn in reverse video.
func stripStyle(s string) string { return ansi.Strip(s) }
