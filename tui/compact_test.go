package tui

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/radscope/radscope/explain"
	"github.com/radscope/radscope/filter"
	"github.com/radscope/radscope/flow"
	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/parse"
	"github.com/radscope/radscope/report"
)

// logInputs are NPS logs in every format and encoding the re-reader must
// handle or refuse, and the incident with its capture and events.
var logInputs = []string{
	"../testdata/iaslogs/mfa-day", "../testdata/iaslogs/ias.log", "../testdata/iaslogs/odbc66.log", "../testdata/iaslogs/odbc60.log",
	"../testdata/iaslogs/dts.log", "../testdata/iaslogs/mixed.log", "../testdata/iaslogs/cp1252.log", "../testdata/iaslogs/lf-only.log",
	"../testdata/iaslogs/utf8-bom.log", "../testdata/iaslogs/utf16le-bom.log", "../testdata/iaslogs/gzipped.log.gz",
	"../testdata/incident", "../testdata/fixtures/not-enrolled-from-log",
}

// readFlows builds the flows of paths as the TUI's loader does.
func readFlows(t *testing.T, po parse.Options, paths ...string) []model.Flow {
	t.Helper()
	var out []model.Flow
	for f, err := range Open(paths, po, flow.Options{Annotate: explain.Annotate}).Flows(context.Background()) {
		if err != nil && !model.IsParseError(err) {
			t.Fatal(err)
		}
		if err == nil {
			out = append(out, f)
		}
	}
	return out
}

// compactStore loads fs into a store that drops what it can read again.
func compactStore(po parse.Options, fs []model.Flow) *Store {
	s := newStore(newRereader(po))
	// A copy: the store may keep the flows' messages, the test compares
	// with the originals.
	s.Append(slices.Clone(fs))
	return s
}

func TestCompactStoreReadsMessagesBack(t *testing.T) {
	po := parse.Options{Location: time.UTC}
	for _, in := range logInputs {
		t.Run(filepath.Base(in), func(t *testing.T) {
			fs := readFlows(t, po, in)
			if len(fs) == 0 {
				t.Fatal("no flows")
			}
			s := compactStore(po, fs)
			dropped := 0
			for i := range fs {
				ch, j := s.pub.chunks[i>>chunkBits], i&(chunkSize-1)
				if ch.locs[j] != nil {
					dropped++
					if ch.cold[j].Messages != nil {
						t.Fatalf("flow %d: messages dropped and kept", fs[i].ID)
					}
				}
				got, err := s.Full(int32(i))
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, &fs[i]) {
					t.Fatalf("flow %d read back differs:\n got %+v\nwant %+v", fs[i].ID, got, &fs[i])
				}
			}
			switch filepath.Base(in) {
			case "utf16le-bom.log", "gzipped.log.gz":
				if dropped != 0 {
					t.Fatalf("%d flows of a file that cannot be read at byte offsets lost their messages", dropped)
				}
			case "incident":
				// Every flow has captured packets or events: all kept.
				if dropped != 0 {
					t.Fatalf("%d of %d flows joined with a capture dropped their messages", dropped, len(fs))
				}
			default:
				if dropped != len(fs) {
					t.Fatalf("only %d of %d log flows dropped their messages", dropped, len(fs))
				}
			}
		})
	}
}

func TestCompactStoreNoticesAChangedFile(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile("../testdata/fixtures/not-enrolled-from-log/IN261102.log")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "IN261102.log")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	po := parse.Options{Location: time.UTC}
	fs := readFlows(t, po, path)
	s := compactStore(po, fs)
	// Rewritten with another user name: the record at each offset differs.
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(string(data), "CONTOSO", "FABRIKAM")), 0o644); err != nil {
		t.Fatal(err)
	}
	s.rr.Close() // as after a reload of the file
	if _, err := s.Full(0); err == nil {
		t.Fatal("a rewritten log was read back without an error")
	}
}

// filterCases exercise every field of the schema and every operator.
var filterCases = []string{
	"", "alice", "!alice", "-bob", "contoso", "vpn", `""`, "21", "user:alice", "user:=CONTOSO\\alice", "user:!=CONTOSO\\alice",
	"-user:bob", "nas:rdgw|wlc", "nas:=vpn-gw", "client:10.0.0", "station:198.51", "called:198", "computer:nps",
	"method:pap", "method:!=PAP", "outcome:rejected", "outcome:accepted|accounted", "-outcome:accepted", "kind:accounting",
	"kind:!=auth", "reason:21", "reason:>=16", "reason:<1", "reason:!=0", "reason-text:user", "reason-text:!=x", "mfa:success",
	"mfa:=UserNotFound", "mfa:!=Success", "latency:>3s", "latency:<=1s", "latency:0", "latency:!=0", "rtx:>0", "rtx:0",
	"sources:packet", "sources:=record", "sources:!=event", "finding:upn", "finding:=nps-reason-21", "finding:!=x",
	"severity:error", "severity:!=info", "policy:vpn", "policy:!=x", "session:abc", "session:!=x", "event:rtx", "event:norsp",
	"event:!=error", "messages:>2", "messages:2", "messages:!=2", "id:3", "id:>=5", "id:!=1", "time:2026-11-02",
	"time:>=2026-11-02T09:30", "time:<2024-03-05T09", "time:<=now", "time:>-1h", "time:!=2026-11-02", "time:2024-03-05",
	"user:alice outcome:rejected", "contoso -user:bob latency:>1s", "part:0", "part:!=1",
}

func TestCompactFilterMatchesFilterPackage(t *testing.T) {
	po := parse.Options{Location: time.UTC}
	var fs []model.Flow
	for _, in := range logInputs {
		fs = append(fs, readFlows(t, po, in)...)
	}
	fs = append(fs, synth(200)...)
	s := compactStore(po, fs)
	sn := s.Snapshot()
	names := map[string]bool{}
	for _, expr := range filterCases {
		flt, err := filter.Parse(expr, report.Schema, filter.Options{Location: time.UTC, Now: fixedNow})
		if err != nil {
			if _, ok := schemaIndex["part"]; !ok && strings.HasPrefix(expr, "part") {
				continue // the field is newer than this schema
			}
			t.Fatalf("%q: %v", expr, err)
		}
		for _, tm := range flt.Terms() {
			names[tm.Field] = true
		}
		v, err := sn.Compute(context.Background(), flt, Sort{})
		if err != nil {
			t.Fatal(err)
		}
		var want []int32
		for i := range fs {
			if flt.Match(report.Record(&fs[i])) {
				want = append(want, int32(i))
			}
		}
		got := slices.Clone(v.Rows)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%q: compact store matches %d flows, filter package %d", expr, len(got), len(want))
		}
		// The incremental path (flows appended under a filter) agrees.
		s2 := compactStore(po, nil)
		s2.SetView(View{Flt: flt})
		s2.Append(slices.Clone(fs))
		got2 := slices.Clone(s2.view)
		slices.Sort(got2)
		if !slices.Equal(got2, want) {
			t.Errorf("%q: appended under the filter, %d flows shown, want %d", expr, len(got2), len(want))
		}
	}
	for _, f := range report.Schema {
		if !names[f.Name] {
			t.Errorf("no filter case names field %s", f.Name)
		}
	}
}

func TestCompactSummaryMatchesFlows(t *testing.T) {
	po := parse.Options{Location: time.UTC}
	var fs []model.Flow
	for _, in := range []string{"../testdata/iaslogs/mfa-day", "../testdata/incident"} {
		fs = append(fs, readFlows(t, po, in)...)
	}
	s := compactStore(po, fs)
	want, err := Summarize(context.Background(), func(yield func(*model.Flow) bool) {
		for i := range fs {
			if !yield(&fs[i]) {
				return
			}
		}
	}, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	var buf model.Flow
	var ph placeholders
	got, err := Summarize(context.Background(), func(yield func(*model.Flow) bool) {
		for i := range fs {
			if !yield(s.pub.summaryFlow(int32(i), &buf, &ph)) {
				return
			}
		}
	}, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("summary of the compact store differs:\n got %+v\nwant %+v", got, want)
	}
}

// TestCompactWhileFiltering filters and draws while the loader compacts in
// its goroutine (run it with -race).
func TestCompactWhileFiltering(t *testing.T) {
	po := parse.Options{Location: time.UTC}
	// Log flows, whose messages are dropped, then generated ones.
	fs := append(readFlows(t, po, "../testdata/iaslogs/mfa-day"), synth(3*chunkSize+100)...)
	m, err := New(context.Background(), Options{Source: sliceSource(fs), Parse: po, NoColor: true, Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m.Init()
	exprs := []string{"outcome:rejected", "alice", "latency:>1s", ""}
	opened := false
	for i := 0; m.Loading(); i++ {
		m.Update(loadTick{})
		cmd := m.run("filter " + exprs[i%len(exprs)])
		if cmd == nil {
			cmd = m.recompute(nil, Sort{}, "")
		}
		run(m, cmd)
		if !opened && m.store.ViewLen() > 0 {
			m.Update(keyMsg(m.c.Keys.Key(ActOpen)))
			opened = true
		}
		_ = m.View()
	}
	if !opened {
		m.Update(keyMsg(m.c.Keys.Key(ActOpen)))
	}
	if f := m.detail.Flow(); f == nil || len(f.Messages) == 0 {
		t.Fatalf("the detail opened while loading shows %v", f)
	}
	run(m, m.recompute(nil, Sort{}, ""))
	if m.store.Len() != len(fs) || m.store.ViewLen() != len(fs) {
		t.Fatalf("%d flows loaded, %d shown, want %d", m.store.Len(), m.store.ViewLen(), len(fs))
	}
}

// Filter values complete from the store's columns, by field name or alias.
func TestStoreValues(t *testing.T) {
	m, _ := loaded(t, Options{})
	users := m.values("user")
	if !slices.Contains(users, `CONTOSO\alice`) || !slices.Contains(users, "erin@contoso.com") {
		t.Fatalf("user values %v", users)
	}
	if got := m.values("client-name"); !slices.Contains(got, "rdgw") {
		t.Fatalf("values of the alias client-name: %v", got)
	}
	if got := m.values("latency"); got != nil {
		t.Fatalf("a duration field completes to %v", got)
	}
	runLine(m, "filter user:bob")
	if got := m.values("user"); !slices.Equal(got, []string{`CONTOSO\bob`}) {
		t.Fatalf("values under the filter %v", got)
	}
}
