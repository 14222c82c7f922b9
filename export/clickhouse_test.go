package export

import (
	"compress/gzip"
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/radscope/radscope/dict"
	"github.com/radscope/radscope/explain"
	"github.com/radscope/radscope/export/ch"
	"github.com/radscope/radscope/export/chtest"
	"github.com/radscope/radscope/flow"
	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/parse"
)

// fixtures are the bundled inputs the round trip exports: NPS logs of all
// three formats, event exports and captures.
var fixtures = [][]string{
	{"../testdata/incident"},
	{"../testdata/iaslogs/mfa-day"},
	{"../testdata/iaslogs/dts.log", "../testdata/iaslogs/ias.log", "../testdata/iaslogs/odbc66.log"},
	{"../testdata/events/NPS01_Security.evtx", "../testdata/events/NPS01_AuthNOptCh.evtx", "../testdata/events/NPS01_AuthZOptCh.evtx", "../testdata/events/wevtutil-security.xml"},
	{"../testdata/pcaps"},
}

// buildFlows reads paths into flows as radscope export does.
func buildFlows(t testing.TB, paths []string) ([]model.Flow, flow.Stats) {
	t.Helper()
	return buildFlowsBudget(t, paths, 0)
}

// buildFlowsBudget reads paths into flows with a session budget (1: every
// accounting session quiet for a while is cut into parts).
func buildFlowsBudget(t testing.TB, paths []string, budget int) ([]model.Flow, flow.Stats) {
	t.Helper()
	var st flow.Stats
	o := parse.Options{Location: time.UTC, Dict: dict.Default()}
	s := parse.Open(context.Background(), paths, o)
	var out []model.Flow
	for f, err := range flow.Build(context.Background(), s.All(), flow.Options{Annotate: explain.Annotate, Stats: &st, SessionBudget: budget}) {
		if err != nil {
			if model.IsParseError(err) {
				continue
			}
			t.Fatal(err)
		}
		out = append(out, f)
	}
	if len(out) == 0 {
		t.Fatalf("no flows in %v", paths)
	}
	return out, st
}

func client(t testing.TB, s *chtest.Server, db string) *ch.Client {
	t.Helper()
	c := ch.New(ch.Config{Addr: fmt.Sprintf("127.0.0.1:%d", s.HTTPPort), Database: "default", User: chtest.User, Password: chtest.Password})
	if err := c.Exec(context.Background(), "CREATE DATABASE IF NOT EXISTS "+db); err != nil {
		t.Fatal(err)
	}
	c.Close()
	c = ch.New(ch.Config{Addr: fmt.Sprintf("127.0.0.1:%d", s.HTTPPort), Database: db, User: chtest.User, Password: chtest.Password})
	if err := CreateSchema(context.Background(), c, Tables{}); err != nil {
		t.Fatal(err)
	}
	return c
}

func exportFlows(t testing.TB, c *ch.Client, flows []model.Flow, o Options) Progress {
	t.Helper()
	return exportRun(t, c, flows, nil, o)
}

// exportRun exports flows and, when st is not nil, the run's row.
func exportRun(t testing.TB, c *ch.Client, flows []model.Flow, st *flow.Stats, o Options) Progress {
	t.Helper()
	e, err := NewClickHouse(context.Background(), c, o)
	if err != nil {
		t.Fatal(err)
	}
	for i := range flows {
		if err := e.Add(&flows[i]); err != nil {
			t.Fatal(err)
		}
	}
	if st != nil {
		if err := e.AddRun(st); err != nil {
			t.Fatal(err)
		}
	}
	p, err := e.Close()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// normalize makes a flow comparable with one read back: times in UTC,
// empty slices and maps nil.
func normalize(f *model.Flow) {
	utc := func(t time.Time) time.Time {
		if t.IsZero() {
			return time.Time{}
		}
		return t.UTC()
	}
	f.Start, f.End = utc(f.Start), utc(f.End)
	if len(f.Sources) == 0 {
		f.Sources = nil
	}
	if len(f.Rounds) == 0 {
		f.Rounds = nil
	}
	for i := range f.Rounds {
		if len(f.Rounds[i].Retransmits) == 0 {
			f.Rounds[i].Retransmits = nil
		}
	}
	if len(f.Findings) == 0 {
		f.Findings = nil
	}
	for i := range f.Findings {
		if len(f.Findings[i].Evidence) == 0 {
			f.Findings[i].Evidence = nil
		}
	}
	if len(f.Messages) == 0 {
		f.Messages = nil
	}
	for i := range f.Messages {
		m := &f.Messages[i]
		m.Time = utc(m.Time)
		if len(m.Auth) == 0 {
			m.Auth = nil
		}
		if len(m.Attrs) == 0 {
			m.Attrs = nil
		}
		for j := range m.Attrs {
			if len(m.Attrs[j].Raw) == 0 {
				m.Attrs[j].Raw = nil
			}
		}
		if m.Event != nil && len(m.Event.Data) == 0 {
			m.Event.Data = nil
		}
	}
}

func flowKey(f *model.Flow) uint64 {
	ids := make([]uint64, len(f.Messages))
	for i := range f.Messages {
		ids[i] = MessageID(&f.Messages[i])
	}
	return FlowID(f, ids)
}

func readAll(t testing.TB, c *ch.Client, where string) map[uint64]*model.Flow {
	t.Helper()
	got := map[uint64]*model.Flow{}
	err := Read(context.Background(), c, ReadOptions{Where: where}, func(f *model.Flow) error {
		g := *f
		got[flowKey(&g)] = &g
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestGzipLevelFor(t *testing.T) {
	for addr, want := range map[string]int{
		"127.0.0.1:8123": gzip.NoCompression, "[::1]:8123": gzip.NoCompression, "localhost:8123": gzip.NoCompression,
		"127.0.0.2:8123": gzip.NoCompression, "10.0.0.5:8123": gzip.BestSpeed, "ch1.example.net:8123": gzip.BestSpeed,
		"[2001:db8::1]:8123": gzip.BestSpeed,
	} {
		if got := GzipLevelFor(addr); got != want {
			t.Errorf("GzipLevelFor(%q) = %d, want %d", addr, got, want)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	s := chtest.Start(t)
	for i, paths := range fixtures {
		t.Run(strings.TrimPrefix(paths[0], "../testdata/"), func(t *testing.T) {
			db := fmt.Sprintf("rt%d", i)
			c := client(t, s, db)
			flows, _ := buildFlowsBudget(t, paths, 1)
			msgs, parts := 0, 0
			for i := range flows {
				msgs += len(flows[i].Messages)
				if flows[i].Continues != 0 {
					parts++
				}
			}
			t.Logf("%d flows, %d continuing a session part", len(flows), parts)
			// Bodies stored and compressed (GzipLevel 0 and 1) in turn.
			p := exportFlows(t, c, flows, Options{ShowSecrets: true, BatchRows: 7, GzipLevel: i % 2})
			if p.Messages != int64(msgs) || p.Flows != int64(len(flows)) {
				t.Fatalf("committed %d messages and %d flows, want %d and %d", p.Messages, p.Flows, msgs, len(flows))
			}
			if want := (msgs+6)/7 + (len(flows)+6)/7; p.Batches != want {
				t.Errorf("%d batches, want %d (7 rows each)", p.Batches, want)
			}
			got := readAll(t, c, "")
			if len(got) != len(flows) {
				t.Fatalf("read back %d flows, want %d", len(got), len(flows))
			}
			for i := range flows {
				want := flows[i]
				g, ok := got[flowKey(&want)]
				if !ok {
					t.Fatalf("flow %d (%s %s) not read back", want.ID, want.Kind, want.User)
				}
				normalize(&want)
				normalize(g)
				if !reflect.DeepEqual(&want, g) {
					t.Errorf("flow %d differs after the round trip:\nwant %+v\n got %+v", want.ID, want, *g)
					for j := range min(len(want.Messages), len(g.Messages)) {
						if !reflect.DeepEqual(want.Messages[j], g.Messages[j]) {
							t.Errorf("message %d:\nwant %+v\n got %+v", j, want.Messages[j], g.Messages[j])
						}
					}
					return
				}
			}
		})
	}
}
