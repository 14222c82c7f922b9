package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/radscope/radscope/model"
)

// List is the flow list: a cursor and a window over the store's view. It
// renders only the rows on screen.
type List struct {
	c             *Common
	store         *Store
	cursor, top   int
	width, height int   // height includes the header line
	cols          []int // the columns shown, in screen order (indexes of Columns)
}

var _ Component = (*List)(nil)

// NewList returns a list over store.
func NewList(c *Common, store *Store) *List {
	return &List{c: c, store: store, cols: DefaultColumns}
}

// SetColumns chooses the columns shown, in screen order (indexes of
// Columns).
func (l *List) SetColumns(cols []int) { l.cols = cols }

// Columns returns the columns shown.
func (l *List) Columns() []int { return l.cols }

// nextSort returns the sort column d steps from the current one among the
// columns shown.
func (l *List) nextSort(d int) int {
	o := l.store.SortOrder()
	for i, c := range l.cols {
		if c == o.Col {
			return l.cols[(i+d+len(l.cols))%len(l.cols)]
		}
	}
	return l.cols[0]
}

// SetSize sets the list's size, header included.
func (l *List) SetSize(w, h int) { l.width, l.height = w, h; l.scroll() }

// Init does nothing.
func (l *List) Init() tea.Cmd { return nil }

// Cursor returns the cursor row.
func (l *List) Cursor() int { return l.cursor }

// Selected returns the flow under the cursor and its load index, or nil.
func (l *List) Selected() (*model.Flow, int32) {
	if l.cursor < 0 || l.cursor >= l.store.ViewLen() {
		return nil, -1
	}
	return l.store.At(l.cursor)
}

// SetCursor moves the cursor to row r.
func (l *List) SetCursor(r int) {
	l.cursor = clamp(r, 0, max(0, l.store.ViewLen()-1))
	l.scroll()
}

// Clamp keeps the cursor within the view after the view changed.
func (l *List) Clamp() { l.SetCursor(l.cursor) }

func (l *List) rows() int { return max(1, l.height-1) }

func (l *List) scroll() {
	n := l.rows()
	if l.cursor < l.top {
		l.top = l.cursor
	}
	if l.cursor >= l.top+n {
		l.top = l.cursor - n + 1
	}
	l.top = clamp(l.top, 0, max(0, l.store.ViewLen()-n))
}

// Update moves the cursor, marks flows and changes the sort. Sorting returns
// a sortMsg for the root model to recompute the view.
func (l *List) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		k := l.c.Keys
		switch {
		case k.Matches(msg, ActUp):
			l.SetCursor(l.cursor - 1)
		case k.Matches(msg, ActDown):
			l.SetCursor(l.cursor + 1)
		case k.Matches(msg, ActTop):
			l.SetCursor(0)
		case k.Matches(msg, ActBottom):
			l.SetCursor(l.store.ViewLen() - 1)
		case k.Matches(msg, ActHalfDown):
			l.SetCursor(l.cursor + l.rows()/2)
		case k.Matches(msg, ActHalfUp):
			l.SetCursor(l.cursor - l.rows()/2)
		case k.Matches(msg, ActPageDown):
			l.SetCursor(l.cursor + l.rows())
		case k.Matches(msg, ActPageUp):
			l.SetCursor(l.cursor - l.rows())
		case k.Matches(msg, ActMark):
			if _, i := l.Selected(); i >= 0 {
				l.store.ToggleMark(i)
				l.SetCursor(l.cursor + 1)
			}
		case k.Matches(msg, ActNextResult):
			l.seekFinding(1)
		case k.Matches(msg, ActPrevResult):
			l.seekFinding(-1)
		case k.Matches(msg, ActSortNext):
			o := l.store.SortOrder()
			o.Col = l.nextSort(1)
			return l, sortCmd(o)
		case k.Matches(msg, ActSortPrev):
			o := l.store.SortOrder()
			o.Col = l.nextSort(-1)
			return l, sortCmd(o)
		case k.Matches(msg, ActSortRev):
			o := l.store.SortOrder()
			o.Desc = !o.Desc
			return l, sortCmd(o)
		}
	case tea.MouseMsg:
		switch {
		case msg.Button == tea.MouseButtonWheelUp:
			l.SetCursor(l.cursor - 3)
		case msg.Button == tea.MouseButtonWheelDown:
			l.SetCursor(l.cursor + 3)
		case msg.Action == tea.MouseActionPress && msg.Button == tea.MouseButtonLeft:
			if msg.Y >= 1 && msg.Y < l.height {
				l.SetCursor(l.top + msg.Y - 1)
			}
		}
	}
	return l, nil
}

// seekFinding moves to the next (dir 1) or previous (-1) flow with an error
// or warning finding.
func (l *List) seekFinding(dir int) {
	for r := l.cursor + dir; r >= 0 && r < l.store.ViewLen(); r += dir {
		f, _ := l.store.At(r)
		if t := f.Top(); t != nil && t.Severity >= model.SeverityWarning {
			l.SetCursor(r)
			return
		}
	}
}

// sortMsg asks the root model to sort the view.
type sortMsg struct{ o Sort }

func sortCmd(o Sort) tea.Cmd { return func() tea.Msg { return sortMsg{o} } }

// widths lays out the columns cols over width cells: preferred widths, the
// last column takes the rest, columns that do not fit are dropped.
func widths(width int, cols []int) []int {
	ws := make([]int, 0, len(cols))
	used := 2 // mark and space
	for i, ci := range cols {
		w := Columns[ci].Width
		if i == len(cols)-1 {
			w = max(w, width-used-1)
		}
		if used+w+1 > width {
			if rest := width - used - 1; rest >= 4 {
				ws = append(ws, rest)
			}
			break
		}
		ws = append(ws, w)
		used += w + 1
	}
	return ws
}

// View draws the header and the visible rows.
func (l *List) View() string {
	st := l.c.Styles
	ws := widths(l.width, l.cols)
	var b strings.Builder
	o := l.store.SortOrder()
	hdr := make([]string, len(ws))
	for i, w := range ws {
		name := Columns[l.cols[i]].Name
		if l.cols[i] == o.Col {
			if o.Desc {
				name += "▼"
			} else {
				name += "▲"
			}
		}
		hdr[i] = fit(name, w)
	}
	b.WriteString(st.Header.Render(fit("  "+strings.Join(hdr, " "), l.width)))
	n := l.rows()
	end := min(l.top+n, l.store.ViewLen())
	for r := l.top; r < end; r++ {
		b.WriteByte('\n')
		f, i := l.store.At(r)
		b.WriteString(l.row(f, l.store.Marked(i), r == l.cursor, ws))
	}
	for r := end - l.top; r < n; r++ {
		b.WriteByte('\n')
	}
	return b.String()
}

// row renders one flow: a pure function of the flow and the layout.
func (l *List) row(f *model.Flow, marked, cursor bool, ws []int) string {
	st := l.c.Styles
	mark := "  "
	if marked {
		mark = "● "
	}
	cells := make([]string, len(ws))
	for i, w := range ws {
		cells[i] = fit(Columns[l.cols[i]].Cell(f, l.c.Location), w)
	}
	if cursor {
		return st.Cursor.Render(fit(mark+strings.Join(cells, " "), l.width))
	}
	oc := ColumnIndex("Outcome")
	for i := range cells {
		if l.cols[i] == oc {
			cells[i] = st.Outcome(f.Outcome).Render(cells[i])
		}
	}
	if marked {
		mark = st.Marked.Render(mark)
	}
	return mark + strings.Join(cells, " ")
}

// ShortHelp lists the list's main keys.
func (l *List) ShortHelp() []key.Binding {
	return l.c.Keys.list(ActOpen, ActMark, ActSortNext, ActSortRev)
}

// FullHelp lists every list key.
func (l *List) FullHelp() [][]key.Binding {
	return [][]key.Binding{l.c.Keys.list(ActUp, ActDown, ActTop, ActBottom, ActHalfDown, ActHalfUp, ActPageDown, ActPageUp),
		l.c.Keys.list(ActOpen, ActMark, ActSortNext, ActSortPrev, ActSortRev, ActNextResult, ActPrevResult)}
}
