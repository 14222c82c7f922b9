package tui

import (
	"bytes"
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/radscope/radscope/filter"
	"github.com/radscope/radscope/flow"
	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/parse"
	"github.com/radscope/radscope/report"
)

// synth makes n flows with varied users, outcomes and latencies.
func synth(n int) []model.Flow {
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	users := []string{"alice", "bob", "carol", "dave", "erin"}
	outs := []model.Outcome{model.OutcomeAccepted, model.OutcomeRejected, model.OutcomeAccepted, model.OutcomeChallengeAbandoned}
	fs := make([]model.Flow, n)
	for i := range fs {
		fs[i] = model.Flow{
			ID: int64(i + 1), Kind: model.FlowAuth,
			Start: base.Add(time.Duration(i) * time.Second),
			User:  users[i%len(users)], NAS: []string{"vpn-gw", "rdgw"}[i%2],
			Outcome: outs[i%len(outs)], Reason: model.NoReason,
			Latency: time.Duration(i%17) * 700 * time.Millisecond,
			Sources: []model.Kind{model.KindRecord},
		}
	}
	return fs
}

func newCommon() *Common {
	st, _ := NewStyles(&bytes.Buffer{}, "dark", true)
	return &Common{Ctx: context.Background(), Styles: st, Keys: DefaultKeyMap(), Location: time.UTC}
}

func mustFilter(t *testing.T, s string) *filter.Filter {
	t.Helper()
	f, err := filter.Parse(s, report.Schema, filter.Options{Location: time.UTC, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func users(s *Store) string {
	var u []string
	for r := 0; r < s.ViewLen(); r++ {
		f, _ := s.At(r)
		u = append(u, f.User)
	}
	return strings.Join(u, ",")
}

func TestStore(t *testing.T) {
	cases := []struct {
		name   string
		filter string
		sort   Sort
		batch  int // flows per Append
		want   string
	}{
		{"all by time", "", Sort{}, 3, "alice,bob,carol,dave,erin,alice,bob"},
		{"user desc", "", Sort{Col: ColumnIndex("User"), Desc: true}, 2, "erin,dave,carol,bob,bob,alice,alice"},
		{"rejected only", "outcome:rejected", Sort{}, 1, "bob,alice"},
		{"filter then batches", "-user:alice", Sort{Col: ColumnIndex("User")}, 7, "bob,bob,carol,dave,erin"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := NewStore()
			s.SetView(View{Flt: mustFilter(t, c.filter), Sort: c.sort})
			fs := synth(7)
			for i := 0; i < len(fs); i += c.batch {
				s.Append(fs[i:min(i+c.batch, len(fs))])
			}
			if got := users(s); got != c.want {
				t.Errorf("incremental view %s, want %s", got, c.want)
			}
			for r := 0; r < s.ViewLen(); r++ {
				if _, i := s.At(r); s.RowOf(i) != r {
					t.Errorf("RowOf(%d) = %d, want %d", i, s.RowOf(i), r)
				}
			}
			if c.filter == "outcome:rejected" && s.RowOf(0) != -1 {
				t.Errorf("RowOf a hidden flow = %d, want -1", s.RowOf(0))
			}
			// The same view computed at once from a snapshot.
			v, err := s.Snapshot().Compute(context.Background(), mustFilter(t, c.filter), c.sort)
			if err != nil {
				t.Fatal(err)
			}
			s2 := NewStore()
			s2.Append(fs)
			s2.SetView(v)
			if got := users(s2); got != c.want {
				t.Errorf("computed view %s, want %s", got, c.want)
			}
		})
	}
}

func TestStoreSnapshotWhileAppending(t *testing.T) {
	s := NewStore()
	s.Append(synth(chunkSize + 10))
	sn := s.Snapshot()
	s.Append(synth(3 * chunkSize))
	v, err := sn.Compute(context.Background(), nil, Sort{})
	if err != nil {
		t.Fatal(err)
	}
	if v.N != chunkSize+10 || len(v.Rows) != chunkSize+10 {
		t.Fatalf("snapshot saw %d flows (%d rows), want %d", v.N, len(v.Rows), chunkSize+10)
	}
	s.SetView(v)
	if s.ViewLen() != s.Len() {
		t.Fatalf("after SetView the view has %d of %d flows", s.ViewLen(), s.Len())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Snapshot().Compute(ctx, nil, Sort{}); err == nil {
		t.Fatal("a cancelled Compute returned no error")
	}
}

func TestKeyMapConfig(t *testing.T) {
	cases := []struct {
		name    string
		yaml    string
		err     string
		action  Action
		pressed string
		matches bool
	}{
		{"default filter", "", "", ActFilter, "/", true},
		{"remapped filter", "filter: [f, ctrl+f]", "", ActFilter, "ctrl+f", true},
		{"old key gone", "filter: f", "", ActFilter, "/", false},
		{"quit as a string", "quit: Q", "", ActQuit, "Q", true},
		{"unknown action", "flter: f", "unknown action flter", "", "", false},
		{"no key", "quit: []", "has no key", "", "", false},
		{"not a key", "quit: {a: b}", "want a key", "", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			km, err := ParseKeyMap([]byte(c.yaml))
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want one with %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := km.Matches(keyMsg(c.pressed), c.action); got != c.matches {
				t.Errorf("%q matches %s: %v, want %v", c.pressed, c.action, got, c.matches)
			}
			if !strings.Contains(km.Markdown(), "| "+string(c.action)+" |") {
				t.Errorf("docs lack %s", c.action)
			}
		})
	}
}

// TestRemappedKeysDriveTheModel presses keys by action: a remapped filter
// key opens the filter.
func TestRemappedKeysDriveTheModel(t *testing.T) {
	km, err := ParseKeyMap([]byte("filter: F"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(context.Background(), Options{Keys: km, NoColor: true})
	if err != nil {
		t.Fatal(err)
	}
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 20})
	m.Update(keyMsg("/"))
	if m.prompt.Active() {
		t.Fatal("/ still opens the filter after remapping it to F")
	}
	m.Update(keyMsg(km.Key(ActFilter)))
	if !m.prompt.Active() {
		t.Fatal("F does not open the filter")
	}
}

func TestListUpdate(t *testing.T) {
	c := newCommon()
	k := c.Keys
	cases := []struct {
		name string
		keys []Action
		want int
	}{
		{"down twice", []Action{ActDown, ActDown}, 2},
		{"up at top stays", []Action{ActUp}, 0},
		{"bottom", []Action{ActBottom}, 99},
		{"bottom then half up", []Action{ActBottom, ActHalfUp}, 95},
		{"page down", []Action{ActPageDown}, 9},
		{"mark moves down", []Action{ActMark, ActMark}, 2},
		{"next finding none", []Action{ActNextResult}, 0},
	}
	for _, cs := range cases {
		t.Run(cs.name, func(t *testing.T) {
			s := NewStore()
			s.Append(synth(100))
			l := NewList(c, s)
			l.SetSize(120, 10)
			for _, a := range cs.keys {
				l.Update(keyMsg(k.Key(a)))
			}
			if l.Cursor() != cs.want {
				t.Errorf("cursor %d, want %d", l.Cursor(), cs.want)
			}
			if n := strings.Count(l.View(), "\n"); n != 9 {
				t.Errorf("view has %d lines, want 10", n+1)
			}
		})
	}
}

func TestListSortKeys(t *testing.T) {
	c := newCommon()
	s := NewStore()
	l := NewList(c, s)
	_, cmd := l.Update(keyMsg(c.Keys.Key(ActSortNext)))
	if got := cmd().(sortMsg).o; got.Col != 1 || got.Desc {
		t.Errorf("> asks for %+v, want column 1 ascending", got)
	}
	_, cmd = l.Update(keyMsg(c.Keys.Key(ActSortRev)))
	if got := cmd().(sortMsg).o; got.Col != 0 || !got.Desc {
		t.Errorf("S asks for %+v, want column 0 descending", got)
	}
}

func TestPromptCompletions(t *testing.T) {
	c := newCommon()
	p := NewPrompt(c, func(f string) []string {
		if f == "user" {
			return []string{"alice", "Carol Béranger"}
		}
		return nil
	})
	cases := []struct {
		kind byte
		text string
		want string
	}{
		{'/', "outc", "outcome:"},
		{'/', "-outc", "-outcome:"},
		{'/', "outcome:rej", "outcome:rejected"},
		{'/', "user:car", `user:"Carol Béranger"`},
		{'/', "user:a latency:>3s us", "user:"},
		{':', "go", "goto"},
		{':', "sort us", "user"},
		{':', "theme l", "light"},
	}
	for _, cs := range cases {
		p.kind = cs.kind
		if got := strings.Join(p.Completions(cs.text), " "); got != cs.want {
			t.Errorf("%c%s completes to %q, want %q", cs.kind, cs.text, got, cs.want)
		}
	}
}

func TestPromptValidation(t *testing.T) {
	c := newCommon()
	p := NewPrompt(c, nil)
	p.Open('/', "")
	for _, r := range "latency:>x" {
		p.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	if p.Err() == nil {
		t.Fatal("latency:>x validated")
	}
	_, cmd := p.Update(tea.KeyMsg{Type: tea.KeyEnter})
	if cmd != nil || !p.Active() {
		t.Fatal("enter accepted an invalid filter")
	}
	p.Update(tea.KeyMsg{Type: tea.KeyBackspace})
	p.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("3s")})
	if p.Err() != nil {
		t.Fatalf("latency:>3s: %v", p.Err())
	}
	_, cmd = p.Update(tea.KeyMsg{Type: tea.KeyEnter})
	if d := cmd().(promptDone); !d.ok || d.text != "latency:>3s" {
		t.Fatalf("done %+v", d)
	}
	p.Open('/', "")
	p.Update(tea.KeyMsg{Type: tea.KeyUp})
	if p.Value() != "latency:>3s" {
		t.Fatalf("history recalls %q", p.Value())
	}
}

func TestParseGoto(t *testing.T) {
	cases := []struct {
		in   string
		file string
		line int
		err  bool
	}{
		{"IN261102.log:11", "IN261102.log", 11, false},
		{`C:\logs\IN261102.log:11`, `C:\logs\IN261102.log`, 11, false},
		{"events.xml:4:1", "events.xml", 4, false},
		{"nocolon", "", 0, true},
		{"f.log:x", "", 0, true},
		{"f.log:0", "", 0, true},
	}
	for _, c := range cases {
		f, l, err := ParseGoto(c.in)
		if (err != nil) != c.err || f != c.file || l != c.line {
			t.Errorf("ParseGoto(%q) = %q, %d, %v", c.in, f, l, err)
		}
	}
}

func TestBar(t *testing.T) {
	cases := []struct {
		n, total, width int
		want            string
	}{
		{0, 10, 10, ""},
		{10, 10, 4, "████"},
		{5, 10, 4, "██"},
		{1, 10, 4, "▍"},
		{1, 1000, 4, "▏"},
	}
	for _, c := range cases {
		if got := bar(c.n, c.total, c.width); got != c.want {
			t.Errorf("bar(%d,%d,%d) = %q, want %q", c.n, c.total, c.width, got, c.want)
		}
	}
}

func TestSummarizeHistograms(t *testing.T) {
	fs := synth(40)
	d, err := Summarize(context.Background(), func(yield func(*model.Flow) bool) {
		for i := range fs {
			if !yield(&fs[i]) {
				return
			}
		}
	}, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, h := range d.ByNAS {
		sum := 0
		for _, c := range h.Counts {
			sum += c
		}
		if sum != h.Total {
			t.Errorf("%s: buckets add to %d, total %d", h.Key, sum, h.Total)
		}
		total += h.Total
	}
	// Latency 0 (every 17th flow) is not an answered attempt.
	if want := 40 - 3; total != want {
		t.Errorf("histograms count %d flows, want %d", total, want)
	}
}

func TestSaveAndCopy(t *testing.T) {
	src := incident(t)
	var flows []*model.Flow
	for f, err := range src.Flows(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		flows = append(flows, &f)
	}
	dir := t.TempDir()
	cases := []struct {
		name, file string
		check      func(t *testing.T, b []byte)
		err        bool
	}{
		{"ndjson", "f.ndjson", func(t *testing.T, b []byte) {
			if n := bytes.Count(b, []byte("\n")); n != len(flows) {
				t.Errorf("%d lines, want %d", n, len(flows))
			}
		}, false},
		{"csv", "f.csv", func(t *testing.T, b []byte) {
			if !bytes.HasPrefix(b, []byte("Time,")) {
				t.Errorf("no header: %.40q", b)
			}
		}, false},
		{"pcap", "f.pcap", func(t *testing.T, b []byte) {
			// Read it back with radscope's own reader: every captured
			// packet comes back as a packet.
			n := 0
			for m, err := range parse.Open(context.Background(), []string{filepath.Join(dir, "f.pcap")}, parse.Options{Location: time.UTC}).All() {
				if err != nil {
					t.Fatal(err)
				}
				if m.Kind == model.KindPacket {
					n++
				}
			}
			want := 0
			for _, f := range flows {
				for _, m := range f.Messages {
					if m.Kind == model.KindPacket {
						want++
					}
				}
			}
			if n != want || n == 0 {
				t.Errorf("read back %d packets, want %d", n, want)
			}
		}, false},
		{"unknown extension", "f.txt", nil, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Save(context.Background(), filepath.Join(dir, c.file), flows, time.UTC)
			if (err != nil) != c.err {
				t.Fatalf("error %v", err)
			}
			if c.err {
				return
			}
			b, err := os.ReadFile(filepath.Join(dir, c.file))
			if err != nil {
				t.Fatal(err)
			}
			c.check(t, b)
		})
	}
	js, err := FlowJSON(flows[0], time.UTC)
	if err != nil || !strings.Contains(js, `"User": "CONTOSO\\bob"`) {
		t.Fatalf("FlowJSON: %v\n%s", err, js)
	}
	seq := OSC52(js)
	if !strings.HasPrefix(seq, "\x1b]52;c;") || !strings.Contains(seq, base64.StdEncoding.EncodeToString([]byte(js))) {
		t.Fatalf("OSC 52 sequence %.30q", seq)
	}
}

func TestEncodePacketRoundTrip(t *testing.T) {
	for _, f := range incidentFlows(t) {
		for i := range f.Messages {
			m := &f.Messages[i]
			if m.Kind != model.KindPacket {
				if EncodePacket(m) != nil {
					t.Fatal("a record encoded as a packet")
				}
				continue
			}
			b := EncodePacket(m)
			if len(b) < 20 || b[0] != byte(m.Code) || int(b[1]) != m.Ident || !bytes.Equal(b[4:20], m.Auth) {
				t.Fatalf("%s: header % x", m.Src, b[:min(20, len(b))])
			}
			if l := int(b[2])<<8 | int(b[3]); l != len(b) {
				t.Fatalf("%s: length field %d, packet %d bytes", m.Src, l, len(b))
			}
		}
	}
}

func TestDetailUpdate(t *testing.T) {
	c := newCommon()
	k := c.Keys
	var alice *model.Flow
	for _, f := range incidentFlows(t) {
		if f.User == `CONTOSO\alice` {
			alice = f
		}
	}
	cases := []struct {
		name  string
		keys  []Action
		check func(t *testing.T, d *Detail)
	}{
		{"expand a message", []Action{ActBottom}, func(t *testing.T, d *Detail) {
			// The last lines are the clock section: nothing to expand.
			n := len(d.Lines())
			d.Update(keyMsg(k.Key(ActExpand)))
			if len(d.Lines()) != n {
				t.Errorf("expanding a clock line changed the detail")
			}
		}},
		{"open, hex, collapse", nil, func(t *testing.T, d *Detail) {
			row := -1
			for i, l := range d.lines {
				if l.node && d.f.Messages[l.msg].Kind == model.KindPacket {
					row = i
					break
				}
			}
			d.move(row)
			n := len(d.Lines())
			d.Update(keyMsg(k.Key(ActOpen)))
			open := len(d.Lines())
			if open <= n {
				t.Fatalf("enter did not expand: %d lines, was %d", open, n)
			}
			d.Update(keyMsg(k.Key(ActHex)))
			joined := strings.Join(d.Lines(), "\n")
			if !strings.Contains(joined, "0000  01 ") {
				t.Errorf("x shows no hex dump of the Access-Request")
			}
			d.Update(keyMsg(k.Key(ActCollapse)))
			if len(d.Lines()) != n {
				t.Errorf("h left %d lines, want %d", len(d.Lines()), n)
			}
		}},
		{"findings and evidence", nil, func(t *testing.T, d *Detail) {
			joined := strings.Join(d.Lines(), "\n")
			for _, s := range []string{"upn-mismatch", "remedy: ", "evidence: ", "packet clock +2.4"} {
				if !strings.Contains(joined, s) {
					t.Errorf("detail lacks %q", s)
				}
			}
		}},
	}
	for _, cs := range cases {
		t.Run(cs.name, func(t *testing.T) {
			d := NewDetail(c)
			d.SetSize(120, 30)
			d.SetFlow(alice, []flow.Offset{{Kind: model.KindPacket, Offset: 2400 * time.Millisecond, Pairs: 12, Applied: true}})
			for _, a := range cs.keys {
				d.Update(keyMsg(k.Key(a)))
			}
			cs.check(t, d)
		})
	}
}

func TestErrorsUpdate(t *testing.T) {
	c := newCommon()
	e := NewErrors(c)
	e.SetSize(120, 10)
	e.Add([]error{
		model.Errorf(model.Source{File: "a.log", Line: 3}, "", "bad"),
		model.Errorf(model.Source{File: "c.pcap", Frame: 9}, "", "short"),
	})
	e.Update(keyMsg(c.Keys.Key(ActDown)))
	_, cmd := e.Update(keyMsg(c.Keys.Key(ActOpen)))
	if g := cmd().(gotoMsg); g.file != "c.pcap" || g.line != 9 {
		t.Fatalf("enter goes to %+v", g)
	}
}

func TestReplayPaneUpdate(t *testing.T) {
	c := newCommon()
	p := NewReplayPane(c, []string{"a=1", "b=2"})
	p.SetSize(120, 10)
	p.Update(keyMsg(c.Keys.Key(ActDown)))
	_, cmd := p.Update(keyMsg(c.Keys.Key(ActToggleSet)))
	if _, ok := cmd().(rerunMsg); !ok || strings.Join(p.Sets(), ",") != "b=2" {
		t.Fatalf("toggle: sets %q", p.Sets())
	}
	p.gen = 2
	p.Done(replayDone{gen: 1, results: []ReplayResult{{FlowID: 1}}})
	if len(p.Results()) != 0 {
		t.Fatal("a stale replay was shown")
	}
}

func TestSummaryViewScroll(t *testing.T) {
	c := newCommon()
	s := NewSummaryView(c)
	s.SetSize(100, 5)
	fs := incidentFlows(t)
	d, err := Summarize(context.Background(), func(yield func(*model.Flow) bool) {
		for _, f := range fs {
			if !yield(f) {
				return
			}
		}
	}, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	s.SetData(d)
	first := s.View()
	s.Update(keyMsg(c.Keys.Key(ActBottom)))
	if s.View() == first || s.top != len(s.lines)-5 {
		t.Fatalf("G scrolled to %d of %d lines", s.top, len(s.lines))
	}
}

func TestMouse(t *testing.T) {
	m, _ := loaded(t, Options{})
	m.Update(tea.MouseMsg{X: 10, Y: 4, Action: tea.MouseActionPress, Button: tea.MouseButtonLeft})
	if m.list.Cursor() != 0 {
		t.Fatal("a click moved the cursor with the mouse off")
	}
	_, cmd := m.Update(keyMsg(m.c.Keys.Key(ActMouse)))
	if cmd == nil || !m.mouse {
		t.Fatal("% did not turn the mouse on")
	}
	// Row 0 is the title, row 1 the header: y 4 is the third flow.
	m.Update(tea.MouseMsg{X: 10, Y: 4, Action: tea.MouseActionPress, Button: tea.MouseButtonLeft})
	if m.list.Cursor() != 2 {
		t.Fatalf("click on y 4: cursor %d, want 2", m.list.Cursor())
	}
	m.Update(tea.MouseMsg{X: 10, Y: 4, Action: tea.MouseActionPress, Button: tea.MouseButtonWheelDown})
	if m.list.Cursor() != 5 {
		t.Fatalf("wheel down: cursor %d, want 5", m.list.Cursor())
	}
}
