package tui

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/radscope/radscope/filter"
	"github.com/radscope/radscope/flow"
	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/parse"
	"github.com/radscope/radscope/report"
)

// Options configure the interface.
type Options struct {
	Source   Source
	Location *time.Location // zone times are shown in; UTC when nil
	Keys     *KeyMap        // nil: the defaults
	Theme    string         // auto, dark or light
	NoColor  bool           // NO_COLOR: Ascii profile, reverse video kept
	Output   io.Writer      // the terminal (for styles and OSC 52)
	Filter   string         // initial filter
	Replayer Replayer       // nil: replay is unavailable
	ReadOnly bool           // --readonly: no replay
	Sets     []string       // overrides the replay pane can toggle
	Title    string         // what was opened, for the title bar
	Now      func() time.Time
	// Columns are the list's columns in screen order (names, as :columns
	// takes them); nil: all.
	Columns []string
	// ConfigPath is the config file :columns saves the columns in; "":
	// they last for the session.
	ConfigPath string
	// Parse are the options the flows were read with: log records are read
	// again with them, and fixtures say which zone their logs are in.
	Parse parse.Options
	// SecretsFiles and Secrets are the --secrets-file and --secret values,
	// for the secrets.txt of a saved fixture (redacted there).
	SecretsFiles []string
	Secrets      []string
}

type mode int

const (
	modeList mode = iota
	modeSummary
	modeErrors
)

type pane int

const (
	paneList pane = iota
	paneDetail
	paneReplay
)

// Model is the root model: it owns the store, the components and the
// loading, and routes keys to the focused component.
type Model struct {
	c       *Common
	o       Options
	store   *Store
	list    *List
	detail  *Detail
	summary *SummaryView
	errs    *Errors
	prompt  *Prompt
	replay  *ReplayPane

	mode         mode
	focus        pane
	detailOpen   bool
	replayOpen   bool
	zoom         bool
	help         bool
	helpQuery    string
	mouse        bool
	confirm      []*model.Flow // flows waiting for the replay confirmation
	quitAsk      bool
	count        int            // digits typed before a motion (5G, 3j)
	pendingMark  Action         // bookmark or jump waiting for its letter
	bookmarks    map[rune]int32 // letter → load index
	width        int
	height       int
	status       string
	statusErr    bool
	lastFilter   string
	pending      string // filter text being computed
	gen          int
	cancelView   context.CancelFunc
	sumGen       int
	ld           *loader
	loading      bool
	progress     Progress
	offsets      []flow.Offset
	loadErr      error
	firstFrameAt time.Duration
}

// New builds the root model. Loading starts in Init.
func New(ctx context.Context, o Options) (*Model, error) {
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Keys == nil {
		o.Keys = DefaultKeyMap()
	}
	if o.Output == nil {
		o.Output = io.Discard
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	st, err := NewStyles(o.Output, o.Theme, o.NoColor)
	if err != nil {
		return nil, err
	}
	if o.Parse.Location == nil {
		o.Parse.Location = o.Location
	}
	c := &Common{Ctx: ctx, Styles: st, Keys: o.Keys, Location: o.Location}
	m := &Model{c: c, o: o, store: newStore(newRereader(o.Parse))}
	m.list = NewList(c, m.store)
	if o.Columns != nil {
		cols, err := ParseColumns(strings.Join(o.Columns, ","))
		if err != nil {
			return nil, fmt.Errorf("tui: columns: %w", err)
		}
		m.list.SetColumns(cols)
	}
	m.detail = NewDetail(c)
	m.summary = NewSummaryView(c)
	m.errs = NewErrors(c)
	m.prompt = NewPrompt(c, m.values)
	m.replay = NewReplayPane(c, o.Sets)
	if o.Filter != "" {
		flt, err := filter.Parse(o.Filter, report.Schema, filter.Options{Location: o.Location, Now: o.Now()})
		if err != nil {
			return nil, fmt.Errorf("tui: filter: %w", err)
		}
		m.store.SetView(View{Flt: flt})
		m.lastFilter = o.Filter
	}
	return m, nil
}

// Store returns the flow store (for tests and benchmarks).
func (m *Model) Store() *Store { return m.store }

// Loading reports whether flows are still being read.
func (m *Model) Loading() bool { return m.loading }

// Init starts loading.
func (m *Model) Init() tea.Cmd {
	if m.o.Source.Flows == nil {
		return nil
	}
	m.ld = startLoader(m.c.Ctx, m.o.Source, m.store.comp)
	m.loading = true
	return tick()
}

// values completes filter values from the loaded flows near the cursor.
func (m *Model) values(field string) []string {
	return m.store.values(field, 5000, 50)
}

// viewMsg carries a recomputed view.
type viewMsg struct {
	gen  int
	v    View
	err  error
	text string
}

// summaryMsg carries a computed summary.
type summaryMsg struct {
	gen int
	d   *SummaryData
}

// statusMsg sets the status line.
type statusMsg struct {
	text string
	err  bool
}

// recompute filters and sorts a snapshot in a command.
func (m *Model) recompute(flt *filter.Filter, o Sort, text string) tea.Cmd {
	if m.cancelView != nil {
		m.cancelView()
	}
	ctx, cancel := context.WithCancel(m.c.Ctx)
	m.cancelView = cancel
	m.gen++
	m.pending = text
	gen, sn := m.gen, m.store.Snapshot()
	return func() tea.Msg {
		defer cancel()
		v, err := sn.Compute(ctx, flt, o)
		return viewMsg{gen, v, err, text}
	}
}

// summarize computes the summary of the view in a command.
func (m *Model) summarize() tea.Cmd {
	m.sumGen++
	m.summary.SetData(nil)
	gen, sn := m.sumGen, m.store.Snapshot()
	rows := m.store.view[:len(m.store.view):len(m.store.view)]
	ctx, loc := m.c.Ctx, m.c.Location
	return func() tea.Msg {
		var buf model.Flow
		var ph placeholders
		d, err := Summarize(ctx, func(yield func(*model.Flow) bool) {
			for _, i := range rows {
				if !yield(sn.s.pub.summaryFlow(i, &buf, &ph)) {
					return
				}
			}
		}, loc)
		if err != nil {
			return statusMsg{"summary: " + err.Error(), true}
		}
		return summaryMsg{gen, d}
	}
}

func (m *Model) setStatus(s string, isErr bool) { m.status, m.statusErr = s, isErr }

// Update routes messages; it never waits on I/O.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.layout()
		return m, nil
	case loadTick:
		return m, m.onTick()
	case viewMsg:
		if msg.gen != m.gen {
			return m, nil
		}
		m.pending = ""
		if msg.err != nil {
			return m, nil
		}
		_, cur := m.list.Selected()
		m.store.SetView(msg.v)
		m.lastFilter = msg.text
		m.keepCursor(cur)
		var cmd tea.Cmd
		if m.mode == modeSummary {
			cmd = m.summarize()
		}
		return m, cmd
	case summaryMsg:
		if msg.gen == m.sumGen {
			m.summary.SetData(msg.d)
		}
		return m, nil
	case statusMsg:
		m.setStatus(msg.text, msg.err)
		return m, nil
	case sortMsg:
		return m, m.recompute(m.store.Filter(), msg.o, m.lastFilter)
	case promptDone:
		return m, m.onPrompt(msg)
	case gotoMsg:
		return m, m.gotoPos(msg.file, msg.line)
	case replayDone:
		m.replay.Done(msg)
		if msg.err != nil && !cancelled(msg.err) {
			m.setStatus("replay: "+msg.err.Error(), true)
		}
		return m, nil
	case rerunMsg:
		return m, m.startReplay(m.replay.flows)
	case tea.MouseMsg:
		return m, m.onMouse(msg)
	case tea.KeyMsg:
		return m, m.onKey(msg)
	}
	return m, nil
}

// keepCursor puts the cursor back on the flow with load index i (-1:
// none), if still shown.
func (m *Model) keepCursor(i int32) {
	if i < 0 {
		m.list.Clamp()
		return
	}
	if r := m.store.RowOf(i); r >= 0 {
		m.list.SetCursor(r)
	} else {
		m.list.SetCursor(0)
	}
	m.syncDetail()
}

func (m *Model) onTick() tea.Cmd {
	if m.ld == nil {
		return nil
	}
	b := m.ld.drain()
	if b.added > 0 {
		_, cur := m.list.Selected()
		m.store.publish(b.pub)
		m.keepCursor(cur)
	}
	if len(b.errs) > 0 {
		m.errs.Add(b.errs)
	}
	m.progress = b.progress
	if !b.done {
		return tick()
	}
	m.loading = false
	m.offsets = b.offsets
	m.loadErr = b.err
	m.syncDetail()
	switch {
	case b.err != nil && cancelled(b.err):
		m.setStatus(fmt.Sprintf("loading cancelled: %d flows kept", m.store.Len()), true)
	case b.err != nil:
		m.setStatus("loading stopped: "+b.err.Error(), true)
	case m.errs.Len() > 0:
		f, l := Position(m.errs.errs[0])
		m.setStatus(fmt.Sprintf("%d flows; skipped %d bad records (e lists them; :goto %s:%d)", m.store.Len(), b.progress.Skipped, f, l), true)
	}
	if m.mode == modeSummary {
		return m.summarize()
	}
	return nil
}

// layout hands each component its size.
func (m *Model) layout() {
	w, h := m.width, max(1, m.height-3) // title, status, help lines
	m.prompt.SetSize(w, 1)
	m.summary.SetSize(w, h)
	m.errs.SetSize(w, h)
	switch {
	case m.zoom && m.focus == paneDetail && m.detailOpen:
		m.detail.SetSize(w, h)
		m.list.SetSize(w, 0)
	case m.zoom && m.focus == paneReplay && m.replayOpen:
		m.replay.SetSize(w, h)
		m.list.SetSize(w, 0)
	default:
		lh := h
		if m.detailOpen || m.replayOpen {
			lh = max(4, h/3)
		}
		m.list.SetSize(w, lh)
		rest := h - lh - 1
		if m.detailOpen && m.replayOpen {
			m.detail.SetSize(w, rest-rest/3-1)
			m.replay.SetSize(w, rest/3)
		} else {
			m.detail.SetSize(w, rest)
			m.replay.SetSize(w, rest)
		}
	}
}

func (m *Model) syncDetail() {
	if !m.detailOpen {
		return
	}
	f := m.selectedFull()
	m.detail.SetFlow(f, m.offsets)
}

// selectedFull is the flow under the cursor with its messages (read back
// from the logs when the store dropped them); on an error the status says
// why and the flow comes without them.
func (m *Model) selectedFull() *model.Flow {
	f, i := m.list.Selected()
	if f == nil {
		return nil
	}
	full, err := m.store.Full(i)
	if err != nil {
		m.setStatus(err.Error(), true)
		return f
	}
	return full
}

func (m *Model) focused() Component {
	switch {
	case m.mode == modeSummary:
		return m.summary
	case m.mode == modeErrors:
		return m.errs
	case m.focus == paneDetail && m.detailOpen:
		return m.detail
	case m.focus == paneReplay && m.replayOpen:
		return m.replay
	}
	return m.list
}

func (m *Model) panes() []pane {
	ps := []pane{paneList}
	if m.detailOpen {
		ps = append(ps, paneDetail)
	}
	if m.replayOpen {
		ps = append(ps, paneReplay)
	}
	return ps
}

func (m *Model) cycle(d int) {
	ps := m.panes()
	for i, p := range ps {
		if p == m.focus {
			m.focus = ps[(i+d+len(ps))%len(ps)]
			break
		}
	}
	m.layout()
}

func (m *Model) onKey(msg tea.KeyMsg) tea.Cmd {
	k := m.c.Keys
	// Keys typed fast (or pasted) can arrive as one message of several
	// runes: outside the prompt each one is a key of its own.
	if msg.Type == tea.KeyRunes && len(msg.Runes) > 1 && !msg.Paste && !m.prompt.Active() && !m.help {
		var cmds []tea.Cmd
		for _, r := range msg.Runes {
			cmds = append(cmds, m.onKey(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}, Alt: msg.Alt}))
		}
		return tea.Batch(cmds...)
	}
	if m.prompt.Active() {
		_, cmd := m.prompt.Update(msg)
		return cmd
	}
	m.quitAsk = m.quitAsk && k.Matches(msg, ActQuit)
	if m.confirm != nil {
		flows := m.confirm
		m.confirm = nil
		if msg.String() == "y" || msg.Type == tea.KeyEnter {
			return m.startReplay(flows)
		}
		m.setStatus("replay not started", false)
		return nil
	}
	if m.pendingMark != "" {
		a := m.pendingMark
		m.pendingMark = ""
		if msg.Type != tea.KeyRunes || len(msg.Runes) != 1 {
			return nil
		}
		return m.bookmark(a, msg.Runes[0])
	}
	if m.help {
		switch {
		case msg.Type == tea.KeyEsc, k.Matches(msg, ActHelp) && m.helpQuery == "":
			m.help, m.helpQuery = false, ""
		case msg.Type == tea.KeyBackspace:
			if m.helpQuery != "" {
				m.helpQuery = m.helpQuery[:len(m.helpQuery)-1]
			}
		case msg.Type == tea.KeyRunes:
			m.helpQuery += string(msg.Runes)
		case msg.Type == tea.KeyCtrlC:
			return tea.Quit
		}
		return nil
	}
	if r := msg.Runes; msg.Type == tea.KeyRunes && len(r) == 1 && r[0] >= '0' && r[0] <= '9' && (r[0] != '0' || m.count > 0) && !m.keyBound(msg) {
		m.count = min(m.count*10+int(r[0]-'0'), 1<<30)
		m.setStatus(fmt.Sprint(m.count), false)
		return nil
	}
	count := m.count
	m.count = 0
	if count > 0 && m.mode == modeList && m.focus == paneList {
		switch {
		case k.Matches(msg, ActBottom), k.Matches(msg, ActTop):
			m.list.SetCursor(count - 1)
			m.syncDetail()
			m.setStatus("", false)
			return nil
		case k.Matches(msg, ActDown), k.Matches(msg, ActUp):
			d := count
			if k.Matches(msg, ActUp) {
				d = -count
			}
			m.list.SetCursor(m.list.Cursor() + d)
			m.syncDetail()
			m.setStatus("", false)
			return nil
		}
	}
	switch {
	case (k.Matches(msg, ActBookmark) || k.Matches(msg, ActJumpMark)) && m.mode == modeList:
		m.pendingMark = ActBookmark
		if k.Matches(msg, ActJumpMark) {
			m.pendingMark = ActJumpMark
		}
		return nil
	case k.Matches(msg, ActInterrupt):
		switch {
		case m.loading:
			m.ld.cancel()
			m.setStatus("cancelling the load …", false)
			return nil
		case m.replay.Running():
			m.replay.Cancel()
			m.setStatus("replay cancelled", false)
			return nil
		}
		return tea.Quit
	case k.Matches(msg, ActQuit):
		if m.replay.Running() && !m.quitAsk {
			m.quitAsk = true
			m.setStatus("a replay is running: "+k.Key(ActQuit)+" again quits", true)
			return nil
		}
		return tea.Quit
	case k.Matches(msg, ActHelp):
		m.help = true
		return nil
	case k.Matches(msg, ActFilter) && m.mode == modeList && m.focus == paneDetail && m.detailOpen:
		return m.prompt.Open(kindSearch, m.detail.Query())
	case k.Matches(msg, ActFilter):
		m.mode = modeList
		return m.prompt.Open('/', m.lastFilter)
	case k.Matches(msg, ActCommand):
		return m.prompt.Open(':', "")
	case k.Matches(msg, ActSave):
		return m.prompt.Open(':', "save flows.ndjson")
	case k.Matches(msg, ActMouse):
		return m.setMouse(!m.mouse)
	case k.Matches(msg, ActBack):
		return m.back()
	case k.Matches(msg, ActSummary):
		if m.mode == modeSummary {
			m.mode = modeList
			return nil
		}
		m.mode = modeSummary
		return m.summarize()
	case k.Matches(msg, ActErrors):
		if m.mode == modeErrors {
			m.mode = modeList
		} else {
			m.mode = modeErrors
		}
		return nil
	case k.Matches(msg, ActNextPane) && m.mode == modeList:
		m.cycle(1)
		return nil
	case k.Matches(msg, ActPrevPane) && m.mode == modeList:
		m.cycle(-1)
		return nil
	case k.Matches(msg, ActZoom):
		m.zoom = !m.zoom
		m.layout()
		return nil
	case k.Matches(msg, ActCopy):
		return m.copyValue()
	case k.Matches(msg, ActCopyFlow):
		return m.copyFlow()
	case k.Matches(msg, ActReplay) && m.mode == modeList:
		return m.askReplay()
	case k.Matches(msg, ActOpen) && m.mode == modeList && m.focus == paneList:
		return m.openDetail()
	}
	c := m.focused()
	_, cmd := c.Update(msg)
	if c == m.list {
		m.syncDetail()
	}
	return cmd
}

// keyBound reports whether some action is bound to the key (a digit
// remapped to an action is not a count).
func (m *Model) keyBound(msg tea.KeyMsg) bool {
	for _, b := range m.c.Keys.Bindings() {
		if m.c.Keys.Matches(msg, b.Action) {
			return true
		}
	}
	return false
}

// bookmark sets (m) or jumps to (') the bookmark of letter r.
func (m *Model) bookmark(a Action, r rune) tea.Cmd {
	if r < 'a' || r > 'z' {
		m.setStatus("bookmarks are a to z", true)
		return nil
	}
	if a == ActBookmark {
		if _, i := m.list.Selected(); i >= 0 {
			if m.bookmarks == nil {
				m.bookmarks = map[rune]int32{}
			}
			m.bookmarks[r] = i
			m.setStatus(fmt.Sprintf("bookmark %c set", r), false)
		}
		return nil
	}
	i, ok := m.bookmarks[r]
	if !ok {
		m.setStatus(fmt.Sprintf("no bookmark %c", r), true)
		return nil
	}
	row := m.store.RowOf(i)
	if row < 0 {
		m.setStatus(fmt.Sprintf("bookmark %c is hidden by the filter", r), true)
		return nil
	}
	m.list.SetCursor(row)
	m.syncDetail()
	return nil
}

func (m *Model) openDetail() tea.Cmd {
	if f, _ := m.list.Selected(); f == nil {
		return nil
	}
	m.detailOpen = true
	m.focus = paneDetail
	m.layout()
	m.syncDetail()
	return nil
}

// back is esc: close the innermost thing open.
func (m *Model) back() tea.Cmd {
	switch {
	case m.mode != modeList:
		m.mode = modeList
	case m.zoom:
		m.zoom = false
	case m.replayOpen && m.focus == paneReplay:
		m.replayOpen = false
		m.focus = paneList
		if m.detailOpen {
			m.focus = paneDetail
		}
	case m.detailOpen && m.focus == paneDetail && m.detail.Query() != "":
		m.detail.Search("")
		m.setStatus("search cleared", false)
	case m.detailOpen:
		m.detailOpen, m.replayOpen = false, false
		m.focus = paneList
	case !m.store.Filter().Empty():
		m.layout()
		return m.recompute(nil, m.store.SortOrder(), "")
	default:
		m.setStatus("", false)
	}
	m.layout()
	return nil
}

func (m *Model) setMouse(on bool) tea.Cmd {
	m.mouse = on
	if on {
		m.setStatus("mouse on ("+m.c.Keys.Key(ActMouse)+" turns it off to select text)", false)
		return tea.EnableMouseCellMotion
	}
	m.setStatus("mouse off", false)
	return tea.DisableMouse
}

func (m *Model) onMouse(msg tea.MouseMsg) tea.Cmd {
	if !m.mouse || m.help || m.mode != modeList {
		return nil
	}
	// Row 0 is the title bar; the list starts below it.
	lm := msg
	lm.Y--
	if lm.Y < m.list.height || msg.Button == tea.MouseButtonWheelUp || msg.Button == tea.MouseButtonWheelDown && m.focus == paneList {
		if lm.Y < m.list.height {
			m.focus = paneList
			m.list.Update(lm)
			m.syncDetail()
			if msg.Action == tea.MouseActionPress && msg.Button == tea.MouseButtonLeft && m.detailOpen {
				m.layout()
			}
			return nil
		}
	}
	if m.detailOpen {
		m.focus = paneDetail
		m.detail.Update(msg)
	}
	return nil
}

// copy puts s on the clipboard through OSC 52, written by a command.
func (m *Model) copy(s, what string) tea.Cmd {
	if s == "" {
		m.setStatus("nothing to copy here", true)
		return nil
	}
	w := m.o.Output
	n := len(s)
	return func() tea.Msg {
		if _, err := io.WriteString(w, OSC52(s)); err != nil {
			return statusMsg{"copy: " + err.Error(), true}
		}
		return statusMsg{fmt.Sprintf("copied %s (%d bytes, OSC 52)", what, n), false}
	}
}

func (m *Model) copyValue() tea.Cmd {
	if m.focus == paneDetail && m.detailOpen {
		return m.copy(m.detail.Value(), "the value")
	}
	f, _ := m.list.Selected()
	if f == nil {
		return m.copy("", "")
	}
	return m.copy(f.User, "the user name")
}

func (m *Model) copyFlow() tea.Cmd {
	f := m.selectedFull()
	if f == nil {
		return m.copy("", "")
	}
	s, err := FlowJSON(f, m.c.Location)
	if err != nil {
		m.setStatus("copy: "+err.Error(), true)
		return nil
	}
	return m.copy(s, fmt.Sprintf("flow %d as JSON", f.ID))
}

// selectedFlows are the marked flows, else the one under the cursor, with
// their messages. On an error reading them back the status says so and
// there are none.
func (m *Model) selectedFlows() []*model.Flow {
	var is []int32
	if m.store.MarkedCount() > 0 {
		is = m.store.Selection()
	} else if _, i := m.list.Selected(); i >= 0 {
		is = []int32{i}
	}
	out := make([]*model.Flow, 0, len(is))
	for _, i := range is {
		f, err := m.store.Full(i)
		if err != nil {
			m.setStatus(err.Error(), true)
			return nil
		}
		out = append(out, f)
	}
	return out
}

func (m *Model) askReplay() tea.Cmd {
	switch {
	case m.o.ReadOnly:
		m.setStatus("replay is off (--readonly)", true)
		return nil
	case m.o.Replayer == nil:
		m.setStatus("replay needs --scenario FILE", true)
		return nil
	}
	flows := m.selectedFlows()
	if len(flows) == 0 {
		return nil
	}
	m.confirm = flows
	m.setStatus(fmt.Sprintf("replay %d flow(s) against %s? y/enter: yes, any other key: no", len(flows), m.o.Replayer.Target()), false)
	return nil
}

func (m *Model) startReplay(flows []*model.Flow) tea.Cmd {
	if m.o.Replayer == nil || m.o.ReadOnly || len(flows) == 0 {
		return nil
	}
	m.replayOpen = true
	m.focus = paneReplay
	m.layout()
	m.setStatus("", false)
	return m.replay.Start(m.o.Replayer, flows)
}

// onPrompt applies a filter or runs a command.
func (m *Model) onPrompt(p promptDone) tea.Cmd {
	if !p.ok {
		return nil
	}
	if p.kind == kindSearch {
		s := m.detail.Search(p.text)
		m.setStatus(s, strings.HasSuffix(s, "not found"))
		return nil
	}
	if p.kind == '/' {
		flt, err := filter.Parse(p.text, report.Schema, filter.Options{Location: m.c.Location, Now: m.o.Now()})
		if err != nil {
			m.setStatus(err.Error(), true)
			return nil
		}
		return m.recompute(flt, m.store.SortOrder(), p.text)
	}
	return m.run(p.text)
}

// run executes a : command line.
func (m *Model) run(line string) tea.Cmd {
	name, arg, _ := strings.Cut(strings.TrimSpace(line), " ")
	arg = strings.TrimSpace(arg)
	m.setStatus("", false)
	switch name {
	case "":
		return nil
	case "goto", "g":
		f, l, err := ParseGoto(arg)
		if err != nil {
			m.setStatus(err.Error(), true)
			return nil
		}
		return m.gotoPos(f, l)
	case "fixture":
		return m.saveFixture(arg)
	case "save", "w":
		if arg == "" {
			m.setStatus("save: give a PATH ("+strings.Join(SaveFormats, ", ")+", or a FOLDER/ for a replay fixture)", true)
			return nil
		}
		if strings.HasSuffix(arg, "/") || strings.HasSuffix(arg, string(filepath.Separator)) {
			return m.saveFixture(arg)
		}
		is, sn := m.store.Selection(), m.store.Snapshot()
		ctx, loc := m.c.Ctx, m.c.Location
		return func() tea.Msg {
			s, err := SaveFlows(ctx, arg, sn.Flows(is), len(is), loc)
			if err != nil {
				return statusMsg{err.Error(), true}
			}
			return statusMsg{s, false}
		}
	case "filter":
		flt, err := filter.Parse(arg, report.Schema, filter.Options{Location: m.c.Location, Now: m.o.Now()})
		if err != nil {
			m.setStatus(err.Error(), true)
			return nil
		}
		return m.recompute(flt, m.store.SortOrder(), arg)
	case "sort":
		col, dir, _ := strings.Cut(arg, " ")
		i := ColumnIndex(col)
		if i < 0 {
			m.setStatus(fmt.Sprintf("sort: unknown column %q", col), true)
			return nil
		}
		return m.recompute(m.store.Filter(), Sort{Col: i, Desc: strings.TrimSpace(dir) == "desc"}, m.lastFilter)
	case "columns", "cols":
		return m.setColumns(arg)
	case "theme":
		st, err := NewStyles(m.o.Output, arg, m.o.NoColor)
		if err != nil {
			m.setStatus(err.Error(), true)
			return nil
		}
		*m.c.Styles = *st
		m.detail.build()
		m.summary.render()
		return nil
	case "replay":
		return m.askReplay()
	case "set":
		if !strings.Contains(arg, "=") {
			m.setStatus("set: want KEY=VALUE", true)
			return nil
		}
		m.replay.AddSet(arg)
		m.setStatus("override added: "+arg+" (replay with "+m.c.Keys.Key(ActReplay)+")", false)
		return nil
	case "mouse":
		return m.setMouse(arg != "off")
	case "summary":
		m.mode = modeSummary
		return m.summarize()
	case "errors":
		m.mode = modeErrors
		return nil
	case "help":
		m.help = true
		return nil
	case "quit", "q":
		return tea.Quit
	}
	m.setStatus(fmt.Sprintf("unknown command %q (%s)", name, strings.Join(commandNames(), ", ")), true)
	return nil
}

// saveFixture is :fixture DIR (and :save DIR/): the marked flows, else the
// flow under the cursor, as a replay fixture folder.
func (m *Model) saveFixture(dir string) tea.Cmd {
	dir = strings.TrimRight(dir, "/"+string(filepath.Separator))
	if dir == "" {
		m.setStatus("fixture: give a FOLDER", true)
		return nil
	}
	sr, ok := m.o.Replayer.(*ScenarioReplayer)
	if !ok {
		m.setStatus("fixture: needs a scenario (radscope tui --scenario FILE): a fixture replays against it", true)
		return nil
	}
	flows := m.selectedFlows()
	if len(flows) == 0 {
		m.setStatus("fixture: no flow", true)
		return nil
	}
	fo := FixtureOptions{Scenario: sr.Path, SecretsFiles: m.o.SecretsFiles, Secrets: m.o.Secrets,
		Location: m.c.Location, Parse: m.o.Parse, Sets: m.replay.sets}
	ctx := m.c.Ctx
	m.setStatus(fmt.Sprintf("saving %d flow(s) as fixture %s (replaying them) …", len(flows), dir), false)
	return func() tea.Msg {
		s, err := SaveFixture(ctx, dir, flows, fo)
		if err != nil {
			return statusMsg{err.Error(), true}
		}
		return statusMsg{s, false}
	}
}

// setColumns is :columns: without an argument it shows the columns shown
// and the others; with a list it shows those, in that order, and saves the
// choice in the config file.
func (m *Model) setColumns(arg string) tea.Cmd {
	shown := ColumnNames(m.list.Columns())
	if arg == "" {
		var rest []string
		for _, c := range ColumnNames(DefaultColumns) {
			if !slices.Contains(shown, c) {
				rest = append(rest, c)
			}
		}
		s := "columns: " + strings.Join(shown, ",")
		if len(rest) > 0 {
			s += " · also: " + strings.Join(rest, ",")
		}
		m.setStatus(s, false)
		return nil
	}
	cols, err := ParseColumns(arg)
	if err != nil {
		m.setStatus("columns: "+err.Error(), true)
		return nil
	}
	m.list.SetColumns(cols)
	names := ColumnNames(cols)
	if m.o.ConfigPath == "" {
		m.setStatus("columns: "+strings.Join(names, ",")+" (for this session: no config file)", false)
		return nil
	}
	path := m.o.ConfigPath
	return func() tea.Msg {
		if err := SaveColumns(path, names); err != nil {
			return statusMsg{"columns shown, not saved: " + err.Error(), true}
		}
		return statusMsg{"columns: " + strings.Join(names, ",") + " (saved in " + path + ")", false}
	}
}

// sameFile compares a position's file with a message's, by path or by base
// name.
func sameFile(want, have string) bool {
	return want == have || filepath.Base(want) == filepath.Base(have) && !strings.ContainsRune(want, filepath.Separator) ||
		strings.HasSuffix(have, string(filepath.Separator)+want)
}

// gotoPos opens the shown flow that has a message read at file:n (a line,
// frame or record); when no flow has it, it shows the parse error there.
func (m *Model) gotoPos(file string, n int) tea.Cmd {
	at := func(s model.Source) bool {
		return sameFile(file, s.File) && (s.Line == n || s.Frame == int64(n) || s.Line == 0 && s.Frame == 0 && s.Record == int64(n))
	}
	r := m.store.FindSource(at)
	if r >= 0 {
		m.mode = modeList
		m.list.SetCursor(r)
		m.openDetail()
		f := m.detail.Flow()
		if f == nil {
			return nil
		}
		for i := range f.Messages {
			if at(f.Messages[i].Src) {
				for j, l := range m.detail.lines {
					if l.msg == i {
						m.detail.move(j)
						break
					}
				}
				break
			}
		}
		return nil
	}
	for i, e := range m.errs.errs {
		if f, l := Position(e); sameFile(file, f) && l == n {
			m.mode = modeErrors
			m.errs.cursor = i
			m.errs.top = i
			m.setStatus(e.Error(), true)
			return nil
		}
	}
	m.setStatus(fmt.Sprintf("no flow shown was read at %s:%d", file, n), true)
	return nil
}

// View draws the title bar, the panes, the status or prompt line and the
// short help.
func (m *Model) View() string {
	if m.width == 0 {
		return ""
	}
	st := m.c.Styles
	var b strings.Builder
	b.WriteString(st.Status.Render(fit(m.title(), m.width)))
	b.WriteByte('\n')
	h := max(1, m.height-3)
	var body string
	switch {
	case m.help:
		body = strings.Join(helpView(m.c, m.width, h, m.helpQuery), "\n")
	case m.mode == modeSummary:
		body = m.summary.View()
	case m.mode == modeErrors:
		body = m.errs.View()
	default:
		body = m.mainView()
	}
	b.WriteString(padLines(body, h))
	b.WriteByte('\n')
	b.WriteString(m.statusLine())
	b.WriteByte('\n')
	b.WriteString(st.Muted.Render(cut(m.shortHelp(), m.width)))
	return b.String()
}

func (m *Model) mainView() string {
	st := m.c.Styles
	sep := func(name string, p pane) string {
		s := "── " + name + " "
		if m.focus == p {
			s = "━━ " + name + " "
		}
		return st.Border.Render(fit(s+strings.Repeat("─", max(0, m.width)), m.width))
	}
	switch {
	case m.zoom && m.focus == paneDetail && m.detailOpen:
		return m.detail.View()
	case m.zoom && m.focus == paneReplay && m.replayOpen:
		return m.replay.View()
	}
	parts := []string{m.list.View()}
	if m.detailOpen {
		parts = append(parts, sep("detail", paneDetail), m.detail.View())
	}
	if m.replayOpen {
		parts = append(parts, sep("replay", paneReplay), m.replay.View())
	}
	return strings.Join(parts, "\n")
}

func (m *Model) title() string {
	shown := fmt.Sprintf("%d flows", m.store.Len())
	if !m.store.Filter().Empty() {
		shown = fmt.Sprintf("%d of %d flows · filter: %s", m.store.ViewLen(), m.store.Len(), m.lastFilter)
	}
	if n := m.store.MarkedCount(); n > 0 {
		shown += fmt.Sprintf(" · %d marked", n)
	}
	t := " radscope"
	if m.o.Title != "" {
		t += " · " + m.o.Title
	}
	t += " · " + shown
	if m.mouse {
		t += " · mouse"
	}
	if m.o.ReadOnly {
		t += " · read-only"
	}
	return t
}

func (m *Model) statusLine() string {
	st := m.c.Styles
	switch {
	case m.prompt.Active():
		return m.prompt.View()
	case m.loading:
		p := m.progress
		files := fmt.Sprint(p.Files)
		if p.FilesTotal > 0 {
			files = fmt.Sprintf("%d/%d", p.Files, p.FilesTotal)
		}
		return fit(fmt.Sprintf("loading … files %s · %s · %d records · %d skipped · %d flows   (%s cancels)",
			files, humanBytes(p.Bytes), p.Records, p.Skipped, m.store.Len(), m.c.Keys.Key(ActInterrupt)), m.width)
	case m.pending != "":
		return fit("filtering …", m.width)
	case m.status != "" && m.statusErr:
		return st.Error.Render(cut(m.status, m.width))
	}
	return fit(m.status, m.width)
}

func (m *Model) shortHelp() string {
	var parts []string
	seen := map[string]bool{}
	for _, b := range append(m.focused().ShortHelp(), m.c.Keys.ShortHelp()...) {
		h := b.Help()
		if !seen[h.Desc] {
			seen[h.Desc] = true
			parts = append(parts, h.Key+" "+h.Desc)
		}
	}
	return strings.Join(parts, " · ")
}

func padLines(s string, h int) string {
	ls := strings.Split(s, "\n")
	if len(ls) > h {
		ls = ls[:h]
	}
	for len(ls) < h {
		ls = append(ls, "")
	}
	return strings.Join(ls, "\n")
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// Run runs the interface on in and out until the user quits. It returns
// ctx.Err() when the context ends it.
func Run(ctx context.Context, in io.Reader, out io.Writer, o Options) error {
	o.Output = out
	m, err := New(ctx, o)
	if err != nil {
		return err
	}
	p := tea.NewProgram(m, tea.WithContext(ctx), tea.WithInput(in), tea.WithOutput(out), tea.WithAltScreen())
	_, err = p.Run()
	if m.ld != nil {
		m.ld.cancel()
	}
	if m.store.rr != nil {
		m.store.rr.Close()
	}
	if err != nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}
