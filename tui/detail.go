package tui

import (
	"encoding/binary"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/radscope/radscope/flow"
	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/report"
)

// Detail shows one flow: a header, the timeline of every message from every
// source with relative times, the rounds, the attribute tree (messages
// expand and collapse; captured packets show raw hex with x), the findings
// with evidence and remedy, and the clock offsets.
type Detail struct {
	c             *Common
	f             *model.Flow
	offsets       []flow.Offset
	open          map[int]bool // expanded messages
	hex           bool
	relW          int // width of the relative times
	lines         []dline
	cursor, top   int
	width, height int

	query string // the search (/ in the detail), "" for none
	hits  []int  // lines holding the query, in order
}

// dline is one line of the detail: its text, the message it belongs to (-1
// for none) and the value y copies.
type dline struct {
	text  string
	msg   int
	node  bool // the message's own line (expands and collapses)
	value string
}

var _ Component = (*Detail)(nil)

// NewDetail returns an empty detail pane.
func NewDetail(c *Common) *Detail { return &Detail{c: c, open: map[int]bool{}} }

// SetFlow shows f (nil for none) and the build's clock offsets.
func (d *Detail) SetFlow(f *model.Flow, offsets []flow.Offset) {
	if f != d.f {
		d.open = map[int]bool{}
		d.cursor, d.top = 0, 0
	}
	d.f, d.offsets = f, offsets
	d.build()
	if d.query != "" {
		d.expandHits()
	}
}

// Flow returns the flow shown.
func (d *Detail) Flow() *model.Flow { return d.f }

// SetSize sets the pane's size.
func (d *Detail) SetSize(w, h int) { d.width, d.height = w, h; d.scroll() }

// Init does nothing.
func (d *Detail) Init() tea.Cmd { return nil }

// Value returns what y copies on the cursor line.
func (d *Detail) Value() string {
	if d.cursor < len(d.lines) {
		return d.lines[d.cursor].value
	}
	return ""
}

// Lines returns the text of the detail, for tests and search.
func (d *Detail) Lines() []string {
	out := make([]string, len(d.lines))
	for i, l := range d.lines {
		out[i] = l.text
	}
	return out
}

// Update moves the cursor and expands, collapses and hex-toggles messages.
func (d *Detail) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		k := d.c.Keys
		switch {
		case k.Matches(msg, ActUp):
			d.move(d.cursor - 1)
		case k.Matches(msg, ActDown):
			d.move(d.cursor + 1)
		case k.Matches(msg, ActTop):
			d.move(0)
		case k.Matches(msg, ActBottom):
			d.move(len(d.lines) - 1)
		case k.Matches(msg, ActHalfDown), k.Matches(msg, ActPageDown):
			d.move(d.cursor + max(1, d.height/2))
		case k.Matches(msg, ActHalfUp), k.Matches(msg, ActPageUp):
			d.move(d.cursor - max(1, d.height/2))
		case k.Matches(msg, ActOpen):
			d.toggle(!d.isOpen())
		case k.Matches(msg, ActExpand):
			d.toggle(true)
		case k.Matches(msg, ActCollapse):
			d.toggle(false)
		case k.Matches(msg, ActHex):
			d.hex = !d.hex
			d.build()
		case k.Matches(msg, ActNextResult):
			return d, d.Next(1)
		case k.Matches(msg, ActPrevResult):
			return d, d.Next(-1)
		}
	case tea.MouseMsg:
		switch msg.Button {
		case tea.MouseButtonWheelUp:
			d.move(d.cursor - 3)
		case tea.MouseButtonWheelDown:
			d.move(d.cursor + 3)
		}
	}
	return d, nil
}

func (d *Detail) isOpen() bool {
	if d.cursor >= len(d.lines) {
		return false
	}
	return d.open[d.lines[d.cursor].msg]
}

// toggle expands or collapses the message of the cursor line and keeps the
// cursor on the message's line.
func (d *Detail) toggle(open bool) {
	if d.cursor >= len(d.lines) || d.lines[d.cursor].msg < 0 {
		return
	}
	m := d.lines[d.cursor].msg
	d.open[m] = open
	d.build()
	for i, l := range d.lines {
		if l.msg == m && l.node {
			d.move(i)
			break
		}
	}
}

// center moves the cursor to line c and scrolls it to the middle of the
// pane, so that a search hit shows with what is around it.
func (d *Detail) center(c int) {
	d.cursor = clamp(c, 0, max(0, len(d.lines)-1))
	d.top = d.cursor - max(1, d.height)/2
	d.scroll()
}

func (d *Detail) move(c int) {
	d.cursor = clamp(c, 0, max(0, len(d.lines)-1))
	d.scroll()
}

func (d *Detail) scroll() {
	h := max(1, d.height)
	if d.cursor < d.top {
		d.top = d.cursor
	}
	if d.cursor >= d.top+h {
		d.top = d.cursor - h + 1
	}
	d.top = clamp(d.top, 0, max(0, len(d.lines)-h))
}

// offset returns the clock offset applied to messages of kind k.
func (d *Detail) offset(k model.Kind) time.Duration {
	for _, o := range d.offsets {
		if o.Kind == k && o.Applied {
			return o.Offset
		}
	}
	return 0
}

// timeOrder is the order of the flow's messages by their corrected times.
func (d *Detail) timeOrder() []int {
	f := d.f
	idx := make([]int, len(f.Messages))
	for i := range idx {
		idx[i] = i
	}
	at := func(i int) time.Time { m := &f.Messages[i]; return m.Time.Add(-d.offset(m.Kind)) }
	sort.SliceStable(idx, func(a, b int) bool { return at(idx[a]).Before(at(idx[b])) })
	return idx
}

// rel is a message's time relative to the flow's start, corrected by the
// offset of its source.
func (d *Detail) rel(m *model.Message) string {
	if m.Time.IsZero() || d.f.Start.IsZero() {
		return strings.Repeat(" ", d.relW+1)
	}
	r := m.Time.Add(-d.offset(m.Kind)).Sub(d.f.Start)
	return fmt.Sprintf("%+*.3fs", d.relW, r.Seconds())
}

// relWidth is the width of the relative times of the flow's messages: 8,
// or more for long sessions, so that the timeline stays aligned.
func (d *Detail) relWidth() int {
	w := 8
	for i := range d.f.Messages {
		m := &d.f.Messages[i]
		if !m.Time.IsZero() && !d.f.Start.IsZero() {
			w = max(w, len(fmt.Sprintf("%+.3f", m.Time.Add(-d.offset(m.Kind)).Sub(d.f.Start).Seconds())))
		}
	}
	return w
}

func msgTitle(m *model.Message) string {
	switch {
	case m.Code != model.CodeNone:
		s := m.Code.String()
		if m.Ident != model.NoIdent {
			s += fmt.Sprintf(" id %d", m.Ident)
		}
		return s
	case m.Event != nil:
		return fmt.Sprintf("event %d %s", m.Event.ID, m.Event.Channel)
	}
	return m.Kind.String()
}

func (d *Detail) add(text string, msg int, value string) {
	d.lines = append(d.lines, dline{text: text, msg: msg, value: value})
}

func (d *Detail) section(title string) {
	d.add("", -1, "")
	d.add(d.c.Styles.Title.Render(title), -1, "")
}

// build lays the flow out as lines.
func (d *Detail) build() {
	d.lines = d.lines[:0]
	f := d.f
	if f == nil {
		d.add("no flow", -1, "")
		return
	}
	st := d.c.Styles
	d.relW = d.relWidth()
	outcome := st.Outcome(f.Outcome).Render(OutcomeGlyph(f.Outcome) + " " + f.Outcome.String())
	who := f.User
	if who == "" {
		who = "(no user)"
	}
	d.add(fmt.Sprintf("Flow %d · %s · %s via %s (%s) · %s", f.ID, f.Kind, who, f.NAS, f.Client, outcome), -1, fmt.Sprint(f.ID))
	var facts []string
	if f.Reason != model.NoReason {
		facts = append(facts, fmt.Sprintf("reason %d %s", f.Reason, reasonText(f)))
	}
	if m := mfaCell(f); m != "" {
		facts = append(facts, "MFA "+m)
	}
	if f.Method != "" {
		facts = append(facts, "method "+f.Method)
	}
	if f.Latency > 0 {
		facts = append(facts, "latency "+report.FormatDuration(f.Latency))
	}
	if len(facts) > 0 {
		d.add(strings.Join(facts, " · "), -1, "")
	}
	d.add(fmt.Sprintf("start %s · station %s · policy %s · server %s", fullTime(f.Start, d.c.Location), dash(f.CallingStation), dash(f.Policy), dash(f.Computer)), -1, fullTime(f.Start, d.c.Location))

	d.section("Timeline")
	for _, i := range d.timeOrder() {
		m := &f.Messages[i]
		marks := ""
		if m.Marks != 0 {
			marks = " [" + strings.Join(m.Marks.Names(), ",") + "]"
		}
		d.add(fmt.Sprintf("  %s  %-6s %-28s %s%s", d.rel(m), m.Kind, msgTitle(m), m.Src, marks), i, m.Src.String())
	}

	if len(f.Rounds) > 0 {
		d.section("Rounds")
		for i, r := range f.Rounds {
			ans := "no answer"
			if r.Response >= 0 {
				ans = r.Code.String()
			}
			lat := ""
			if r.Latency > 0 {
				lat = " in " + report.FormatDuration(r.Latency)
			}
			rtx := ""
			if n := len(r.Retransmits); n > 0 {
				rtx = fmt.Sprintf(" · %d retransmits", n)
			}
			d.add(fmt.Sprintf("  %d  request → %s%s%s", i+1, ans, lat, rtx), -1, "")
		}
	}

	d.section("Messages  (enter/l expand · h collapse · x hex · / search, n/N)")
	for i := range f.Messages {
		m := &f.Messages[i]
		glyph := "▸"
		if d.open[i] {
			glyph = "▾"
		}
		d.lines = append(d.lines, dline{text: fmt.Sprintf("  %s %s %s  %s", glyph, d.rel(m), msgTitle(m), m.Src), msg: i, node: true, value: m.Src.String()})
		if !d.open[i] {
			continue
		}
		if m.Check != nil {
			d.add(fmt.Sprintf("      secret: authenticator %s · Message-Authenticator %s · password %s", m.Check.Authenticator, m.Check.MessageAuthenticator, m.Check.Password), i, "")
		}
		if m.MFA != nil {
			d.add(fmt.Sprintf("      MFA: %s %s %s", dash(m.MFA.Result), m.MFA.Error, m.MFA.Message), i, m.MFA.Message)
		}
		for _, a := range m.Attrs {
			v := a.Value
			if a.Sensitive {
				v = "<redacted>"
			}
			d.add(fmt.Sprintf("      %-32s %s", a.Name, v), i, v)
		}
		if m.Event != nil && m.Event.Message != "" {
			d.add("      "+firstLine(m.Event.Message), i, m.Event.Message)
		}
		if d.hex && m.Kind == model.KindPacket {
			d.add("      RADIUS payload, re-encoded from the decoded attributes:", i, "")
			pkt := EncodePacket(m)
			for _, l := range hexDump(pkt) {
				d.add("      "+l, i, "")
			}
		}
	}

	d.section("Findings")
	if len(f.Findings) == 0 {
		d.add("  none", -1, "")
	}
	for _, fd := range f.Findings {
		d.add(fmt.Sprintf("  %s %s", st.Severity(fd.Severity).Render(fmt.Sprintf("%-7s", fd.Severity)), fd.Rule), -1, fd.Rule)
		for _, l := range wrap(fd.Text, max(20, d.width-8)) {
			d.add("      "+l, -1, fd.Text)
		}
		for j, l := range wrap("remedy: "+fd.Remedy, max(20, d.width-8)) {
			_ = j
			d.add("      "+l, -1, fd.Remedy)
		}
		for _, e := range fd.Evidence {
			if e >= 0 && e < len(f.Messages) {
				d.add("      evidence: "+f.Messages[e].Src.String(), e, f.Messages[e].Src.String())
			}
		}
	}

	d.section("Clock")
	if f.Skew != 0 {
		d.add(fmt.Sprintf("  sources of this flow differ by %s (corrected)", report.FormatDuration(f.Skew)), -1, "")
	} else {
		d.add("  one source, or no offset between them", -1, "")
	}
	for _, o := range d.offsets {
		applied := "applied"
		if !o.Applied {
			applied = "below a second: not applied"
		}
		d.add(fmt.Sprintf("  %s clock %+.3fs from the reference (median of %d pairs, %s)", o.Kind, o.Offset.Seconds(), o.Pairs, applied), -1, "")
	}
	d.findHits()
	d.scroll()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func firstLine(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		return s[:i] + " …"
	}
	return s
}

// wrap breaks s into lines of at most width cells at spaces.
func wrap(s string, width int) []string {
	var out []string
	var line strings.Builder
	for _, w := range strings.Fields(s) {
		if line.Len() > 0 && line.Len()+1+len(w) > width {
			out = append(out, line.String())
			line.Reset()
		}
		if line.Len() > 0 {
			line.WriteByte(' ')
		}
		line.WriteString(w)
	}
	if line.Len() > 0 {
		out = append(out, line.String())
	}
	return out
}

// EncodePacket re-encodes a captured message as a RADIUS packet from its
// code, identifier, authenticator and attributes (each vendor attribute in
// its own Vendor-Specific). It returns nil for messages that are not
// packets.
func EncodePacket(m *model.Message) []byte {
	if m.Kind != model.KindPacket {
		return nil
	}
	b := make([]byte, 20, 20+len(m.Attrs)*16)
	b[0] = byte(m.Code)
	if m.Ident >= 0 {
		b[1] = byte(m.Ident)
	}
	copy(b[4:20], m.Auth)
	for _, a := range m.Attrs {
		v := a.Raw
		switch {
		case a.Vendor != 0 && len(v)+8 <= 255:
			b = append(b, 26, byte(len(v)+8))
			b = binary.BigEndian.AppendUint32(b, a.Vendor)
			b = append(b, byte(a.Type), byte(len(v)+2))
		case a.Vendor == 0 && a.Type > 0 && a.Type < 256 && len(v)+2 <= 255:
			b = append(b, byte(a.Type), byte(len(v)+2))
		default:
			continue
		}
		b = append(b, v...)
	}
	binary.BigEndian.PutUint16(b[2:4], uint16(len(b)))
	return b
}

// hexDump renders b as offset, 16 hex bytes and ASCII per line.
func hexDump(b []byte) []string {
	var out []string
	for off := 0; off < len(b); off += 16 {
		row := b[off:min(off+16, len(b))]
		var h, a strings.Builder
		for i := 0; i < 16; i++ {
			if i < len(row) {
				fmt.Fprintf(&h, "%02x ", row[i])
				c := row[i]
				if c < 32 || c > 126 {
					c = '.'
				}
				a.WriteByte(c)
			} else {
				h.WriteString("   ")
			}
			if i == 7 {
				h.WriteByte(' ')
			}
		}
		out = append(out, fmt.Sprintf("%04x  %s %s", off, h.String(), a.String()))
	}
	return out
}

// View draws the visible lines, the cursor line in reverse video.
func (d *Detail) View() string {
	var b strings.Builder
	h := max(1, d.height)
	for i := d.top; i < d.top+h; i++ {
		if i > d.top {
			b.WriteByte('\n')
		}
		if i >= len(d.lines) {
			continue
		}
		t := fit(d.lines[i].text, d.width)
		switch {
		case d.query != "" && i == d.cursor:
			t = d.highlight(fit(stripStyle(d.lines[i].text), d.width), d.c.Styles.Cursor)
		case i == d.cursor:
			t = d.c.Styles.Cursor.Render(fit(stripStyle(d.lines[i].text), d.width))
		case d.query != "":
			if plain := stripStyle(d.lines[i].text); indexFold(plain, d.query) >= 0 {
				t = d.highlight(fit(plain, d.width), d.c.Styles.Plain)
			}
		}
		b.WriteString(t)
	}
	return b.String()
}

// ShortHelp lists the detail's main keys.
func (d *Detail) ShortHelp() []key.Binding {
	if d.query != "" {
		return d.c.Keys.list(ActNextResult, ActPrevResult, ActOpen, ActHex, ActCopy)
	}
	return d.c.Keys.list(ActOpen, ActHex, ActCopy, ActReplay)
}

// FullHelp lists every detail key.
func (d *Detail) FullHelp() [][]key.Binding {
	return [][]key.Binding{d.c.Keys.list(ActUp, ActDown, ActTop, ActBottom, ActOpen, ActExpand, ActCollapse, ActHex, ActCopy, ActCopyFlow, ActNextResult, ActPrevResult)}
}

// Search looks for q (case-insensitive) in the detail's text: headers,
// timeline, attribute names and values, findings. Messages whose
// attributes hold it are expanded, and the cursor goes to the first hit at
// or after it. It returns what the status line says ("" clears the
// search).
func (d *Detail) Search(q string) string {
	d.query = q
	if q == "" {
		d.hits = nil
		return ""
	}
	d.expandHits()
	if len(d.hits) == 0 {
		return fmt.Sprintf("search: %q not found", q)
	}
	for n, h := range d.hits {
		if h >= d.cursor {
			d.center(h)
			return d.hitStatus(n, false)
		}
	}
	d.center(d.hits[0])
	return d.hitStatus(0, true)
}

// Query is the search in force.
func (d *Detail) Query() string { return d.query }

// Hits are the lines holding the search.
func (d *Detail) Hits() []int { return d.hits }

// Next moves to the next (dir 1) or previous (-1) hit, wrapping around,
// and returns the status line's message as a command.
func (d *Detail) Next(dir int) tea.Cmd {
	if d.query == "" {
		return statusCmd("no search: / searches the detail", true)
	}
	if len(d.hits) == 0 {
		return statusCmd(fmt.Sprintf("search: %q not found", d.query), true)
	}
	n, wrapped := -1, false
	if dir > 0 {
		for i, h := range d.hits {
			if h > d.cursor {
				n = i
				break
			}
		}
		if n < 0 {
			n, wrapped = 0, true
		}
	} else {
		for i := len(d.hits) - 1; i >= 0; i-- {
			if d.hits[i] < d.cursor {
				n = i
				break
			}
		}
		if n < 0 {
			n, wrapped = len(d.hits)-1, true
		}
	}
	d.center(d.hits[n])
	return statusCmd(d.hitStatus(n, wrapped), false)
}

func (d *Detail) hitStatus(n int, wrapped bool) string {
	s := fmt.Sprintf("%q: hit %d of %d", d.query, n+1, len(d.hits))
	if wrapped {
		if n == 0 {
			s += " · search wrapped to the top"
		} else {
			s += " · search wrapped to the bottom"
		}
	}
	return s
}

// expandHits opens the messages whose attribute lines hold the query, so
// that every hit is on screen, and finds the hits.
func (d *Detail) expandHits() {
	if d.f == nil {
		return
	}
	saved := d.open
	all := map[int]bool{}
	for i := range d.f.Messages {
		all[i] = true
	}
	d.open = all
	d.build()
	open := map[int]bool{}
	for k, v := range saved {
		open[k] = v
	}
	for _, h := range d.hits {
		if l := d.lines[h]; l.msg >= 0 && !l.node {
			open[l.msg] = true
		}
	}
	d.open = open
	d.build()
}

// findHits lists the lines that hold the query.
func (d *Detail) findHits() {
	d.hits = d.hits[:0]
	if d.query == "" {
		return
	}
	for i, l := range d.lines {
		if indexFold(stripStyle(l.text), d.query) >= 0 {
			d.hits = append(d.hits, i)
		}
	}
}

// highlight draws s (plain text) in base with every occurrence of the
// query in the Match style.
func (d *Detail) highlight(s string, base lipgloss.Style) string {
	var b strings.Builder
	for s != "" {
		i := indexFold(s, d.query)
		if i < 0 {
			b.WriteString(base.Render(s))
			break
		}
		if i > 0 {
			b.WriteString(base.Render(s[:i]))
		}
		b.WriteString(d.c.Styles.Match.Render(s[i : i+len(d.query)]))
		s = s[i+len(d.query):]
	}
	return b.String()
}

// indexFold is strings.Index ignoring ASCII and simple Unicode case, with
// the byte offset of the match in s.
func indexFold(s, q string) int {
	if q == "" {
		return -1
	}
	for i := 0; i+len(q) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(q)], q) {
			return i
		}
	}
	return -1
}

func statusCmd(s string, isErr bool) tea.Cmd {
	return func() tea.Msg { return statusMsg{s, isErr} }
}
