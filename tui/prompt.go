package tui

import (
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/radscope/radscope/filter"
	"github.com/radscope/radscope/report"
)

// Prompt is the one-line editor of the filter (/) and the command line (:):
// history, completion and, for filters, validation as you type.
type Prompt struct {
	c       *Common
	in      textinput.Model
	kind    byte // '/' or ':'
	hist    []string
	hi      int
	err     error
	values  func(field string) []string // values to complete a field with
	width   int
	cmds    []string
	lastCmp string
}

// kindSearch is the prompt of / in the detail pane: a text search, not a
// filter.
const kindSearch = 'f'

// promptDone is sent when the user accepts (ok) or abandons the prompt.
type promptDone struct {
	kind byte
	text string
	ok   bool
}

// NewPrompt returns a prompt; values supplies completions of field values.
func NewPrompt(c *Common, values func(string) []string) *Prompt {
	in := textinput.New()
	in.Prompt = ""
	in.Cursor.SetMode(0)
	return &Prompt{c: c, in: in, values: values, cmds: commandNames()}
}

// Open starts editing: a filter starts from the last filter (k9s#3106).
func (p *Prompt) Open(kind byte, initial string) tea.Cmd {
	p.kind = kind
	p.in.SetValue(initial)
	p.in.CursorEnd()
	p.hi = len(p.hist)
	p.validate()
	return p.in.Focus()
}

// Active reports whether the prompt is being edited.
func (p *Prompt) Active() bool { return p.in.Focused() }

// Err is the validation error of the text (filters only).
func (p *Prompt) Err() error { return p.err }

// Value is the text being edited.
func (p *Prompt) Value() string { return p.in.Value() }

// SetSize sets the width.
func (p *Prompt) SetSize(w, _ int) { p.width = w }

// Init does nothing.
func (p *Prompt) Init() tea.Cmd { return nil }

func (p *Prompt) validate() {
	p.err = nil
	if p.kind == '/' {
		_, p.err = filter.Parse(p.in.Value(), report.Schema, filter.Options{Location: p.c.Location, Now: time.Now()})
	}
}

// Update edits the text; enter and esc end the prompt with a promptDone.
func (p *Prompt) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return p, nil
	}
	k := p.c.Keys
	switch {
	case km.Type == tea.KeyEnter || k.Matches(km, ActAccept):
		if p.kind == '/' && p.err != nil {
			return p, nil
		}
		v := p.in.Value()
		if v != "" && (len(p.hist) == 0 || p.hist[len(p.hist)-1] != v) {
			p.hist = append(p.hist, v)
		}
		p.in.Blur()
		return p, func() tea.Msg { return promptDone{p.kind, v, true} }
	case km.Type == tea.KeyEsc || k.Matches(km, ActBack):
		p.in.Blur()
		return p, func() tea.Msg { return promptDone{p.kind, "", false} }
	case km.Type == tea.KeyTab || k.Matches(km, ActComplete):
		p.complete()
		return p, nil
	case km.Type == tea.KeyUp || k.Matches(km, ActHistoryUp):
		if p.hi > 0 {
			p.hi--
			p.in.SetValue(p.hist[p.hi])
			p.in.CursorEnd()
			p.validate()
		}
		return p, nil
	case km.Type == tea.KeyDown:
		if p.hi < len(p.hist)-1 {
			p.hi++
			p.in.SetValue(p.hist[p.hi])
			p.in.CursorEnd()
			p.validate()
		}
		return p, nil
	}
	var cmd tea.Cmd
	p.in, cmd = p.in.Update(msg)
	p.validate()
	return p, cmd
}

// Completions returns what the last word of text may complete to: field
// names (with their colon) for a filter, command names for the command
// line, and values after "field:".
func (p *Prompt) Completions(text string) []string {
	i := strings.LastIndexByte(text, ' ') + 1
	word := text[i:]
	var cands []string
	if p.kind == kindSearch {
		return nil
	}
	if p.kind == ':' && (strings.HasPrefix(text, "columns ") || strings.HasPrefix(text, "cols ")) {
		return columnCompletions(text[strings.IndexByte(text, ' ')+1:])
	}
	if p.kind == ':' {
		if i == 0 {
			cands = p.cmds
		} else if strings.HasPrefix(text, "sort ") {
			for _, c := range Columns {
				cands = append(cands, strings.ToLower(c.Name))
			}
		} else if strings.HasPrefix(text, "theme ") {
			cands = Themes
		}
	} else {
		neg := ""
		if strings.HasPrefix(word, "-") {
			neg, word = "-", word[1:]
		}
		if f, v, ok := strings.Cut(word, ":"); ok {
			for _, val := range p.fieldValues(f) {
				if strings.HasPrefix(strings.ToLower(val), strings.ToLower(v)) {
					q := val
					if strings.ContainsAny(q, " \t\"") {
						q = `"` + strings.ReplaceAll(q, `"`, `\"`) + `"`
					}
					cands = append(cands, neg+f+":"+q)
				}
			}
			sort.Strings(cands)
			return cands
		}
		for _, f := range report.Schema {
			cands = append(cands, neg+f.Name+":")
		}
		word = neg + word
	}
	var out []string
	for _, c := range cands {
		if strings.HasPrefix(c, word) {
			out = append(out, c)
		}
	}
	return out
}

// columnCompletions completes the last name of a :columns list with the
// columns not listed yet; each completion is the whole list.
func columnCompletions(list string) []string {
	list = strings.TrimLeft(list, " ")
	j := strings.LastIndexByte(list, ',') + 1
	done, word := list[:j], strings.ToLower(list[j:])
	listed := map[int]bool{}
	for _, n := range strings.Split(done, ",") {
		if i := ColumnIndex(strings.TrimSpace(n)); i >= 0 {
			listed[i] = true
		}
	}
	var out []string
	for _, i := range DefaultColumns {
		name := strings.ToLower(Columns[i].Name)
		if !listed[i] && strings.HasPrefix(name, word) {
			out = append(out, done+name)
		}
	}
	return out
}

func (p *Prompt) fieldValues(field string) []string {
	switch field {
	case "outcome", "result":
		return []string{"accepted", "rejected", "challenge-abandoned", "no-response", "discarded", "accounted"}
	case "kind":
		return []string{"auth", "accounting", "status", "coa", "unmatched"}
	case "sources":
		return []string{"packet", "record", "event"}
	case "event":
		return []string{"rtx", "norsp", "noreq", "reused", "error"}
	case "severity":
		return []string{"error", "warning", "info"}
	}
	if p.values != nil {
		return p.values(field)
	}
	return nil
}

// complete replaces the last word with the longest common prefix of its
// completions.
func (p *Prompt) complete() {
	text := p.in.Value()
	cs := p.Completions(text)
	if len(cs) == 0 {
		return
	}
	pre := cs[0]
	for _, c := range cs[1:] {
		for !strings.HasPrefix(c, pre) {
			pre = pre[:len(pre)-1]
		}
	}
	i := strings.LastIndexByte(text, ' ') + 1
	if cols := p.kind == ':' && (strings.HasPrefix(text, "columns ") || strings.HasPrefix(text, "cols ")); cols {
		// A :columns completion is the whole list.
		i = strings.IndexByte(text, ' ') + 1
	} else if len(cs) == 1 && p.kind == ':' {
		pre += " "
	}
	p.in.SetValue(text[:i] + pre)
	p.in.CursorEnd()
	p.validate()
}

// View draws the prompt with its validity: the filter turns red with the
// error's column, green when it parses.
func (p *Prompt) View() string {
	st := p.c.Styles
	line := string(p.kind) + p.in.View()
	if p.kind == kindSearch {
		line = "search /" + p.in.View()
	}
	if p.kind == ':' && (strings.HasPrefix(p.in.Value(), "save ") || strings.HasPrefix(p.in.Value(), "w ")) {
		line += "  " + st.Muted.Render("the extension picks the format: "+strings.Join(SaveFormats, " ")+" · FOLDER/ saves a replay fixture")
	}
	if p.kind == ':' {
		if cs := p.Completions(p.in.Value()); len(cs) > 1 && len(cs) <= 12 && strings.Contains(p.in.Value(), " ") {
			for i, c := range cs {
				cs[i] = c[strings.LastIndexAny(c, ", ")+1:]
			}
			line += "  " + st.Muted.Render("tab: "+strings.Join(cs, " "))
		}
	}
	if p.kind != '/' {
		return fit(line, p.width)
	}
	if p.err != nil {
		return fit(st.Error.Render("✗ ")+line+"  "+st.Error.Render(p.err.Error()), p.width)
	}
	hint := ""
	if cs := p.Completions(p.in.Value()); len(cs) > 0 && len(cs) <= 8 && p.in.Value() != "" {
		hint = "  " + st.Muted.Render("tab: "+strings.Join(cs, " "))
	}
	return fit(st.OK.Render("✓ ")+line+hint, p.width)
}

// ShortHelp lists the prompt keys.
func (p *Prompt) ShortHelp() []key.Binding {
	return p.c.Keys.list(ActAccept, ActComplete, ActHistoryUp, ActBack)
}

// FullHelp lists the prompt keys.
func (p *Prompt) FullHelp() [][]key.Binding { return [][]key.Binding{p.ShortHelp()} }
