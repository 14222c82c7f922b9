package export

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/radscope/radscope/export/chtest"
	"github.com/radscope/radscope/flow"
	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/report"
)

// shifted returns flows with every time moved by d and read from other
// files (so their ids differ): another export run.
func shifted(flows []model.Flow, d time.Duration, dir string) []model.Flow {
	out := copies(flows, 1)
	for i := range out {
		f := &out[i]
		f.Start, f.End = f.Start.Add(d), f.End.Add(d)
		for j := range f.Messages {
			f.Messages[j].Time = f.Messages[j].Time.Add(d)
			f.Messages[j].Src.File = dir + "/" + f.Messages[j].Src.File
		}
	}
	return out
}

// TestClockRuns exports three runs — the incident with its estimated
// offsets, a month later with other offsets and a zone hint, and one whose
// offsets are relative to another kind — and reads back what report
// --from and flows --from show for them.
func TestClockRuns(t *testing.T) {
	s := chtest.Start(t)
	c := client(t, s, "clock")
	flows, st := buildFlows(t, fixtures[0])
	if len(st.Offsets) == 0 || st.Reference != model.KindRecord {
		t.Fatalf("the incident fixture gives offsets %+v against %s, want some against the NPS log", st.Offsets, st.Reference)
	}
	exportRun(t, c, flows, &st, Options{})

	month := 30 * 24 * time.Hour
	hint := flow.ZoneHint{Kind: model.KindRecord, Ref: model.KindEvent, Offset: -time.Hour, Votes: 4}
	st2 := flow.Stats{Reference: model.KindRecord, Offsets: []flow.Offset{{Kind: model.KindEvent, Offset: -1500 * time.Millisecond, Pairs: 9, Applied: true}}, ZoneHints: []flow.ZoneHint{hint}}
	exportRun(t, c, shifted(flows, month, "later"), &st2, Options{})
	st3 := flow.Stats{Reference: model.KindPacket, Offsets: []flow.Offset{{Kind: model.KindEvent, Offset: time.Second, Pairs: 3, Applied: true}}, ZoneHints: []flow.ZoneHint{hint}}
	exportRun(t, c, shifted(flows, 2*month, "captures"), &st3, Options{})

	ctx := context.Background()
	check := func(name string, o report.ClickHouseOptions, wantRef model.Kind, wantOff []flow.Offset, wantHints []flow.ZoneHint) {
		t.Helper()
		ref, off, hints, err := report.ClockFromClickHouse(ctx, c, o)
		if err != nil {
			t.Fatal(err)
		}
		if len(wantOff) > 0 && ref != wantRef || !reflect.DeepEqual(off, wantOff) || !reflect.DeepEqual(hints, wantHints) {
			t.Errorf("%s: got %s %+v %+v\nwant %s %+v %+v", name, ref, off, hints, wantRef, wantOff, wantHints)
		}
	}
	first := flows[0].Start
	for _, f := range flows {
		if !f.Start.IsZero() && f.Start.Before(first) {
			first = f.Start
		}
	}
	// All runs: the NPS log is the reference with the most pairs; the
	// capture-referenced run is left out of the offsets; the two hints
	// of the same shift add up.
	all := append(append([]flow.Offset{}, st.Offsets...), st2.Offsets...)
	check("all runs", report.ClickHouseOptions{}, model.KindRecord, all, []flow.ZoneHint{{Kind: hint.Kind, Ref: hint.Ref, Offset: hint.Offset, Votes: 8}})
	// The first run alone, by time: exactly what the local run found.
	check("first run", report.ClickHouseOptions{Until: first.Add(month / 2)}, st.Reference, st.Offsets, st.ZoneHints)
	check("third run", report.ClickHouseOptions{Since: first.Add(2*month - time.Hour)}, model.KindPacket, st3.Offsets, []flow.ZoneHint{hint})

	// The summary carries them, and a re-export replaces its run's row.
	exportRun(t, c, flows, &st, Options{})
	sum, err := report.SummaryFromClickHouse(ctx, c, report.ClickHouseOptions{Until: first.Add(month / 2)})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Reference != st.Reference.String() || !reflect.DeepEqual(sum.Offsets, st.Offsets) {
		t.Errorf("summary: offsets %+v against %q, want %+v against %s", sum.Offsets, sum.Reference, st.Offsets, st.Reference)
	}
	n := countRows(t, c, DefaultTables.Runs, "FINAL")
	if n != 3 {
		t.Errorf("%d runs after exporting the first again, want 3", n)
	}
}

// TestUpgradeSchema: tables made by an earlier radscope (no runs table, no
// part columns) are refused with a clear error, and --create-schema
// (CreateSchema) brings them up to date without losing rows.
func TestUpgradeSchema(t *testing.T) {
	s := chtest.Start(t)
	c := client(t, s, "old")
	ctx := context.Background()
	flows, st := buildFlows(t, fixtures[1])
	for _, stmt := range []string{
		"DROP TABLE " + DefaultTables.Runs,
		"ALTER TABLE " + DefaultTables.Flows + " DROP COLUMN part, DROP COLUMN continues, DROP COLUMN continues_id",
	} {
		if err := c.Exec(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	old := copies(flows, 1)
	for i := range old {
		old[i].Part, old[i].Continues = 0, 0
	}
	exportFlows(t, c, old, Options{})
	if ref, off, hints, err := report.ClockFromClickHouse(ctx, c, report.ClickHouseOptions{}); err != nil || len(off) != 0 || len(hints) != 0 {
		t.Errorf("clock of an export without a runs table: %s %v %v, %v", ref, off, hints, err)
	}
	err := CheckSchema(ctx, c, Tables{})
	if err == nil || !strings.Contains(err.Error(), "radscope_runs does not exist") || !strings.Contains(err.Error(), "lacks part, continues, continues_id") || !strings.Contains(err.Error(), "--create-schema") {
		t.Fatalf("CheckSchema on old tables: %v", err)
	}
	if err := CreateSchema(ctx, c, Tables{}); err != nil {
		t.Fatal(err)
	}
	if err := CheckSchema(ctx, c, Tables{}); err != nil {
		t.Fatalf("after CreateSchema: %v", err)
	}
	if err := CreateSchema(ctx, c, Tables{}); err != nil {
		t.Fatalf("CreateSchema a second time: %v", err)
	}
	exportRun(t, c, flows, &st, Options{})
	got := readAll(t, c, "")
	if len(got) != 2*len(flows) {
		t.Errorf("%d flows after the upgrade, want the %d old ones and %d new", len(got), len(flows), len(flows))
	}
}
