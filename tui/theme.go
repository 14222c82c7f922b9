package tui

import (
	"fmt"
	"io"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
	"github.com/radscope/radscope/model"
)

// Themes are the values of --theme.
var Themes = []string{"auto", "dark", "light"}

// Styles are the semantic styles every component draws with.
type Styles struct {
	r         *lipgloss.Renderer
	Header    lipgloss.Style
	Cursor    lipgloss.Style // reverse video: visible without colour
	Marked    lipgloss.Style
	Muted     lipgloss.Style
	Title     lipgloss.Style
	Accept    lipgloss.Style
	Reject    lipgloss.Style
	Challenge lipgloss.Style
	Error     lipgloss.Style
	Warning   lipgloss.Style
	OK        lipgloss.Style
	Bar       lipgloss.Style
	Status    lipgloss.Style
	Border    lipgloss.Style
	Match     lipgloss.Style // a search hit in the detail
	Plain     lipgloss.Style
}

// NewStyles builds the styles of theme ("auto", "dark" or "light") for a
// renderer writing to w. noColor selects the Ascii profile (NO_COLOR); the
// cursor keeps reverse video.
func NewStyles(w io.Writer, theme string, noColor bool) (*Styles, error) {
	r := lipgloss.NewRenderer(w)
	if noColor {
		// Attributes only: bold, underline and the reverse-video cursor.
		r.SetColorProfile(termenv.ANSI)
	}
	switch theme {
	case "", "auto":
	case "dark":
		r.SetHasDarkBackground(true)
	case "light":
		r.SetHasDarkBackground(false)
	default:
		return nil, fmt.Errorf("tui: unknown theme %q (auto, dark or light)", theme)
	}
	return newStyles(r, noColor), nil
}

// newStyles builds the styles on a renderer already set up.
func newStyles(r *lipgloss.Renderer, noColor bool) *Styles {
	c := func(light, dark string) lipgloss.TerminalColor {
		if noColor {
			return lipgloss.NoColor{}
		}
		return lipgloss.AdaptiveColor{Light: light, Dark: dark}
	}
	s := r.NewStyle
	return &Styles{
		r:         r,
		Header:    s().Bold(true),
		Cursor:    s().Reverse(true),
		Marked:    s().Bold(true).Foreground(c("#875f00", "#ffd75f")),
		Muted:     s().Foreground(c("#6c6c6c", "#8a8a8a")),
		Title:     s().Bold(true).Foreground(c("#005f87", "#5fafff")),
		Accept:    s().Foreground(c("#005f00", "#5fd75f")),
		Reject:    s().Foreground(c("#af0000", "#ff5f5f")),
		Challenge: s().Foreground(c("#875f00", "#ffd75f")),
		Error:     s().Bold(true).Foreground(c("#af0000", "#ff5f5f")),
		Warning:   s().Foreground(c("#875f00", "#ffaf00")),
		OK:        s().Foreground(c("#005f00", "#5fd75f")),
		Bar:       s().Foreground(c("#005f87", "#5fafff")),
		Status:    s().Reverse(true),
		Border:    s().Foreground(c("#6c6c6c", "#585858")),
		Plain:     s(),
		Match:     s().Bold(true).Underline(true).Foreground(c("#000000", "#000000")).Background(c("#ffd75f", "#ffd75f")),
	}
}

// Outcome returns the style of an outcome.
func (s *Styles) Outcome(o model.Outcome) lipgloss.Style {
	switch o {
	case model.OutcomeAccepted, model.OutcomeAccounted:
		return s.Accept
	case model.OutcomeRejected, model.OutcomeDiscarded:
		return s.Reject
	case model.OutcomeChallengeAbandoned, model.OutcomeNoResponse:
		return s.Challenge
	}
	return s.Muted
}

// Severity returns the style of a finding severity.
func (s *Styles) Severity(v model.Severity) lipgloss.Style {
	switch v {
	case model.SeverityError:
		return s.Error
	case model.SeverityWarning:
		return s.Warning
	}
	return s.Muted
}
