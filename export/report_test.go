package export

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/radscope/radscope/export/chtest"
	"github.com/radscope/radscope/filter"
	"github.com/radscope/radscope/flow"
	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/report"
)

// filters exercise every kind of term of the filter language in SQL.
var filters = []string{
	"",
	"outcome:rejected",
	"-outcome:accepted kind:auth",
	"alice",
	"!alice",
	"user:=alice",
	"latency:>1s",
	"latency:<=500ms",
	"reason:!=16",
	"reason:48|49|65",
	"reason-text:denied",
	"mfa:success|usernotfound",
	"finding:nps",
	"severity:error|warning",
	"sources:event sources:record",
	"rtx:>0",
	"event:rtx|norsp",
	"kind:accounting|unmatched",
	"messages:>=3",
	"part:>1",
	"time:>=2024-03-05T12:00",
	"time:2024-03-05",
	"time:<2026-11-02",
	"policy:vpn",
	"method:pap|mschap",
	"session:0",
	`user:"Carol"`,
}

func localSummary(flows []model.Flow, st *flow.Stats, flt *filter.Filter) (report.Summary, map[uint64]bool) {
	agg := report.NewAggregator(time.UTC)
	keys := map[uint64]bool{}
	for i := range flows {
		if !flt.Match(report.Record(&flows[i])) {
			continue
		}
		agg.Add(&flows[i])
		keys[flowKey(&flows[i])] = true
	}
	return agg.Summary(st), keys
}

func jsonOf(t *testing.T, s *report.Summary) string {
	t.Helper()
	var b bytes.Buffer
	if err := report.WriteJSON(&b, s); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestReportFromClickHouseAgrees(t *testing.T) {
	s := chtest.Start(t)
	inputs := append(slices.Clone(fixtures[0]), fixtures[1]...)
	inputs = append(inputs, fixtures[4]...)
	c := client(t, s, "fleet")
	flows, st := buildFlowsBudget(t, inputs, 1)
	if len(st.Offsets) == 0 {
		t.Fatal("the fixtures give no clock offsets: the summaries' offsets go untested")
	}
	exportRun(t, c, flows, &st, Options{})
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	nonEmpty := 0
	for _, fs := range filters {
		t.Run(fs, func(t *testing.T) {
			flt, err := filter.Parse(fs, report.Schema, filter.Options{Now: now, Location: time.UTC})
			if err != nil {
				t.Fatal(err)
			}
			want, keys := localSummary(flows, &st, flt)
			if len(keys) > 0 {
				nonEmpty++
			}
			got, err := report.SummaryFromClickHouse(context.Background(), c, report.ClickHouseOptions{Filter: flt, Location: time.UTC})
			if err != nil {
				t.Fatal(err)
			}
			if w, g := jsonOf(t, &want), jsonOf(t, &got); w != g {
				t.Errorf("summaries differ (%d flows match):\n%s", len(keys), diffLines(w, g))
			}
			where, err := report.FilterSQL(flt)
			if err != nil {
				t.Fatal(err)
			}
			read := readAll(t, c, where)
			for k := range keys {
				if read[k] == nil {
					t.Errorf("a flow the filter matches locally is not listed from ClickHouse")
					break
				}
			}
			if len(read) != len(keys) {
				t.Errorf("flows --from lists %d flows, local %d", len(read), len(keys))
			}
		})
	}
	if nonEmpty < len(filters)*2/3 {
		t.Errorf("only %d of %d filters match any flow: the fixtures no longer exercise them", nonEmpty, len(filters))
	}
}

func diffLines(want, got string) string {
	w, g := bytes.Split([]byte(want), []byte("\n")), bytes.Split([]byte(got), []byte("\n"))
	var b bytes.Buffer
	for i := range max(len(w), len(g)) {
		var x, y []byte
		if i < len(w) {
			x = w[i]
		}
		if i < len(g) {
			y = g[i]
		}
		if !bytes.Equal(x, y) {
			fmt.Fprintf(&b, "line %d:\n  local: %s\n  server: %s\n", i+1, x, y)
			if b.Len() > 3000 {
				break
			}
		}
	}
	return b.String()
}
