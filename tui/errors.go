package tui

import (
	"errors"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/radscope/radscope/model"
)

// Errors lists the parse errors; enter jumps to the flow read at (or after)
// the error's position, the way :goto file:line does.
type Errors struct {
	c             *Common
	errs          []error
	cursor, top   int
	width, height int
}

var _ Component = (*Errors)(nil)

// gotoMsg asks the root model to jump to a source position.
type gotoMsg struct {
	file string
	line int
}

// NewErrors returns an empty errors pane.
func NewErrors(c *Common) *Errors { return &Errors{c: c} }

// Add appends errors.
func (e *Errors) Add(errs []error) { e.errs = append(e.errs, errs...) }

// Len is the number of errors kept.
func (e *Errors) Len() int { return len(e.errs) }

// SetSize sets the pane's size.
func (e *Errors) SetSize(w, h int) { e.width, e.height = w, h }

// Init does nothing.
func (e *Errors) Init() tea.Cmd { return nil }

// Position returns the file and line (or frame) of error i.
func Position(err error) (string, int) {
	var pe *model.ParseError
	if !errors.As(err, &pe) {
		return "", 0
	}
	switch {
	case pe.Src.Line > 0:
		return pe.Src.File, pe.Src.Line
	case pe.Src.Frame > 0:
		return pe.Src.File, int(pe.Src.Frame)
	}
	return pe.Src.File, int(pe.Src.Record)
}

// Update moves the cursor; enter sends a gotoMsg.
func (e *Errors) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return e, nil
	}
	k := e.c.Keys
	switch {
	case k.Matches(km, ActUp):
		e.cursor--
	case k.Matches(km, ActDown):
		e.cursor++
	case k.Matches(km, ActTop):
		e.cursor = 0
	case k.Matches(km, ActBottom):
		e.cursor = len(e.errs) - 1
	case k.Matches(km, ActOpen):
		if e.cursor < len(e.errs) {
			if f, l := Position(e.errs[e.cursor]); f != "" {
				return e, func() tea.Msg { return gotoMsg{f, l} }
			}
		}
	}
	e.cursor = clamp(e.cursor, 0, max(0, len(e.errs)-1))
	h := max(1, e.height-1)
	if e.cursor < e.top {
		e.top = e.cursor
	}
	if e.cursor >= e.top+h {
		e.top = e.cursor - h + 1
	}
	return e, nil
}

// View draws the errors.
func (e *Errors) View() string {
	var b strings.Builder
	b.WriteString(e.c.Styles.Title.Render(fmt.Sprintf("Parse errors: %d (enter: go to the position)", len(e.errs))))
	if len(e.errs) == 0 {
		b.WriteString("\n  none")
	}
	for i := e.top; i < len(e.errs) && i < e.top+max(1, e.height-1); i++ {
		b.WriteByte('\n')
		t := fit("  "+e.errs[i].Error(), e.width)
		if i == e.cursor {
			t = e.c.Styles.Cursor.Render(t)
		}
		b.WriteString(t)
	}
	return b.String()
}

// ShortHelp lists the pane's keys.
func (e *Errors) ShortHelp() []key.Binding { return e.c.Keys.list(ActOpen, ActBack) }

// FullHelp lists the pane's keys.
func (e *Errors) FullHelp() [][]key.Binding { return [][]key.Binding{e.ShortHelp()} }
