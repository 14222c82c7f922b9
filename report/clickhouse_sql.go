package report

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/radscope/radscope/dict"
	"github.com/radscope/radscope/explain"
	"github.com/radscope/radscope/export/ch"
	"github.com/radscope/radscope/filter"
	"github.com/radscope/radscope/flow"
	"github.com/radscope/radscope/model"
)

// The SQL below reads the flows table of a radscope export (package
// export): its column names are that package's schema.

const (
	sqlStartNS = "(toInt64(start) * 1000000000 + start_ns)"
	sqlEndNS   = "(toInt64(`end`) * 1000000000 + end_ns)"
	sqlHasTime = "toUInt32(start) != 0"
)

func nonEmptySQL(cols ...string) string {
	return "arrayFilter(x -> x != '', [" + strings.Join(cols, ", ") + "])"
}

// sqlField is how one filter field reads from the flows table: a list of
// strings, or a number with the condition under which it has a value.
type sqlField struct {
	list string // String fields: an Array(String) expression of the values present
	num  string // Number and Duration fields (durations in ns), and Time (ns)
	ok   string // the value is present ("" for always)
}

var sqlFields = map[string]sqlField{
	"time":        {num: sqlStartNS, ok: sqlHasTime},
	"id":          {num: "seq"},
	"kind":        {list: "[kind]"},
	"user":        {list: nonEmptySQL("user_name")},
	"nas":         {list: nonEmptySQL("nas")},
	"client":      {list: nonEmptySQL("client")},
	"station":     {list: nonEmptySQL("calling_station")},
	"called":      {list: nonEmptySQL("called_station")},
	"computer":    {list: nonEmptySQL("computer")},
	"method":      {list: nonEmptySQL("method")},
	"outcome":     {list: "[outcome]"},
	"reason":      {num: "reason", ok: "reason != -1"},
	"reason-text": {list: nonEmptySQL("reason_text")},
	"mfa":         {list: "if(has_mfa = 1, " + nonEmptySQL("mfa_result", "mfa_error") + ", emptyArrayString())"},
	"latency":     {num: "latency_ns", ok: "kind NOT IN ('accounting', 'unmatched')"},
	"rtx":         {num: "retransmits"},
	"sources":     {list: "sources"},
	"finding":     {list: "`findings.rule`"},
	"severity":    {list: nonEmptySQL("severity")},
	"policy":      {list: nonEmptySQL("policy", "proxy_policy")},
	"session":     {list: nonEmptySQL("acct_session_id")},
	"event":       {list: "events"},
	"messages":    {num: "messages"},
	"part":        {num: "part"},
}

func sqlNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func anyOf(parts []string) string {
	if len(parts) == 0 {
		return "0"
	}
	return "(" + strings.Join(parts, " OR ") + ")"
}

func and(conds ...string) string {
	var keep []string
	for _, c := range conds {
		if c != "" {
			keep = append(keep, c)
		}
	}
	if len(keep) == 0 {
		return "1"
	}
	return "(" + strings.Join(keep, " AND ") + ")"
}

// stringTest matches a list of strings against lower-cased words.
func stringTest(list, op string, words []string) string {
	var parts []string
	for _, w := range words {
		switch op {
		case "":
			parts = append(parts, "arrayExists(x -> position(lowerUTF8(x), "+ch.Quote(w)+") > 0, "+list+")")
		case "=", "!=":
			parts = append(parts, "arrayExists(x -> lowerUTF8(x) = "+ch.Quote(w)+", "+list+")")
		}
	}
	return anyOf(parts)
}

var sqlOps = map[string]string{"": "=", "=": "=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}

// FilterSQL translates a filter over Schema into a SQL condition on the
// flows table of a ClickHouse export, with the same meaning as Match on
// the flows' Records.
func FilterSQL(f *filter.Filter) (string, error) {
	var conds []string
	for _, t := range f.Terms() {
		c, err := termSQL(t)
		if err != nil {
			return "", err
		}
		if t.Neg {
			c = "NOT " + c
		}
		conds = append(conds, c)
	}
	return and(conds...), nil
}

func termSQL(t filter.Term) (string, error) {
	if t.Field == "" {
		var parts []string
		for _, fd := range Schema {
			if fd.Key {
				parts = append(parts, stringTest(sqlFields[fd.Name].list, "", t.Strs))
			}
		}
		return anyOf(parts), nil
	}
	sf, ok := sqlFields[t.Field]
	if !ok {
		return "", fmt.Errorf("report: filter field %q has no SQL form", t.Field)
	}
	if sf.list != "" {
		test := stringTest(sf.list, t.Op, t.Strs)
		if t.Op == "!=" {
			return "NOT " + test, nil
		}
		return test, nil
	}
	var parts []string
	switch {
	case t.Spans != nil:
		for _, sp := range t.Spans {
			from, to := strconv.FormatInt(sp[0].UnixNano(), 10), strconv.FormatInt(sp[1].UnixNano(), 10)
			switch t.Op {
			case "", "=", "!=":
				parts = append(parts, "("+sf.num+" >= "+from+" AND "+sf.num+" < "+to+")")
			case "<":
				parts = append(parts, sf.num+" < "+from)
			case "<=":
				parts = append(parts, sf.num+" < "+to)
			case ">":
				parts = append(parts, sf.num+" >= "+to)
			case ">=":
				parts = append(parts, sf.num+" >= "+from)
			}
		}
	case t.Durs != nil:
		for _, d := range t.Durs {
			op := sqlOps[t.Op]
			if t.Op == "!=" {
				op = "="
			}
			parts = append(parts, sf.num+" "+op+" "+strconv.FormatInt(int64(d), 10))
		}
	default:
		for _, n := range t.Nums {
			op := sqlOps[t.Op]
			if t.Op == "!=" {
				op = "="
			}
			parts = append(parts, "toFloat64("+sf.num+") "+op+" "+sqlNum(n))
		}
	}
	test := and(sf.ok, anyOf(parts))
	if t.Op == "!=" {
		return "NOT " + test, nil
	}
	return test, nil
}

// chInt reads a JSON number ClickHouse may have quoted.
type chInt int64

func (n *chInt) UnmarshalJSON(b []byte) error {
	s := string(bytes.Trim(b, `"`))
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil {
			return err
		}
		v = int64(f)
	}
	*n = chInt(v)
	return nil
}

func query[T any](ctx context.Context, c *ch.Client, q string, each func(*T)) error {
	err := c.Query(ctx, q+" FORMAT JSONEachRow", func(line []byte) error {
		var r T
		if err := json.Unmarshal(line, &r); err != nil {
			return fmt.Errorf("report: reading ClickHouse answer: %v", err)
		}
		each(&r)
		return nil
	})
	if err != nil && !strings.HasPrefix(err.Error(), "report: ") {
		return fmt.Errorf("report: %w", err)
	}
	return err
}

// ClickHouseOptions select what a summary from ClickHouse covers.
type ClickHouseOptions struct {
	Table    string         // the flows table; "" for radscope_flows
	Filter   *filter.Filter // flows that match (nil for all)
	Since    time.Time      // flows that start at or after (zero: no bound)
	Until    time.Time      // flows that start at or before (zero: no bound)
	Location *time.Location // zone of the timeline's hours (UTC when nil)
	Runs     string         // the runs table; "" for radscope_runs
}

type countRow struct {
	K string `json:"k"`
	N chInt  `json:"n"`
}

// SummaryFromClickHouse computes the Summary of the flows stored in a
// ClickHouse export with SQL aggregations on the server (FINAL, so each
// flow counts once), the same numbers the Aggregator computes locally.
// Clock offsets and zone hints come from the runs table (see
// ClockFromClickHouse); latency percentiles are exact (the Aggregator's
// are exact up to 8192 attempts per group, then within 2%).
func SummaryFromClickHouse(ctx context.Context, c *ch.Client, o ClickHouseOptions) (Summary, error) {
	s := Summary{Severities: map[string]int{}}
	table := o.Table
	if table == "" {
		table = "radscope_flows"
	}
	if err := ch.Ident(table); err != nil {
		return s, fmt.Errorf("report: %w", err)
	}
	loc := o.Location
	if loc == nil {
		loc = time.UTC
	}
	where, err := FilterSQL(o.Filter)
	if err != nil {
		return s, err
	}
	conds := []string{where}
	if !o.Since.IsZero() {
		conds = append(conds, sqlStartNS+" >= "+strconv.FormatInt(o.Since.UnixNano(), 10))
	}
	if !o.Until.IsZero() {
		conds = append(conds, sqlStartNS+" <= "+strconv.FormatInt(o.Until.UnixNano(), 10))
	}
	where = and(conds...)
	from := " FROM " + table + " FINAL WHERE " + where
	auth := " FROM " + table + " FINAL WHERE " + and(where, "kind = 'auth'")
	failed := " FROM " + table + " FINAL WHERE " + and(where, "failed = 1")

	type totals struct {
		Flows, Attempts, Failures, Messages, Unmatched, FromNS, ToNS, Timed chInt
	}
	var tot totals
	err = query(ctx, c, "SELECT count() AS Flows, countIf(kind = 'auth') AS Attempts, countIf(failed = 1) AS Failures, sum(messages) AS Messages, "+
		"sumIf(messages, kind = 'unmatched') AS Unmatched, countIf("+sqlHasTime+") AS Timed, minIf("+sqlStartNS+", "+sqlHasTime+") AS FromNS, "+
		"maxIf(greatest("+sqlStartNS+", "+sqlEndNS+"), "+sqlHasTime+") AS ToNS"+from, func(r *totals) { tot = *r })
	if err != nil {
		return s, err
	}
	s.Flows, s.Attempts, s.Failures, s.Messages, s.Unmatched = int(tot.Flows), int(tot.Attempts), int(tot.Failures), int(tot.Messages), int(tot.Unmatched)
	if tot.Timed > 0 {
		s.From, s.To = time.Unix(0, int64(tot.FromNS)).UTC(), time.Unix(0, int64(tot.ToNS)).UTC()
	}

	counts := func(q string) (map[string]int, error) {
		m := map[string]int{}
		err := query(ctx, c, q, func(r *countRow) { m[r.K] += int(r.N) })
		return m, err
	}
	topQ := func(key, rest string) string {
		return "SELECT " + key + " AS k, count() AS n" + rest + " GROUP BY k ORDER BY n DESC, k ASC LIMIT " + strconv.Itoa(TopN)
	}
	var m map[string]int
	if m, err = counts("SELECT kind AS k, count() AS n" + from + " GROUP BY k"); err != nil {
		return s, err
	}
	s.ByKind = ranked(m, nil)
	if m, err = counts("SELECT outcome AS k, count() AS n" + auth + " GROUP BY k"); err != nil {
		return s, err
	}
	s.ByOutcome = ranked(m, nil)
	if m, err = counts("SELECT if(mfa_result != '', mfa_result, mfa_error) AS k, count() AS n" + auth + " AND has_mfa = 1 AND k != '' GROUP BY k"); err != nil {
		return s, err
	}
	s.MFAResults = ranked(m, nil)
	if m, err = counts("SELECT toString(reason) AS k, count() AS n" + failed + " AND reason > 0 GROUP BY k"); err != nil {
		return s, err
	}
	s.Reasons = ranked(m, func(k string) string {
		n, _ := strconv.Atoi(k)
		return dict.ReasonText(n)
	})
	if m, err = counts(topQ("if(user_name = '', '(none)', user_name)", failed)); err != nil {
		return s, err
	}
	s.TopUsers = top(ranked(m, nil))
	if m, err = counts(topQ("if(nas = '', '(unknown)', nas)", failed)); err != nil {
		return s, err
	}
	s.TopNAS = top(ranked(m, nil))
	if m, err = counts(topQ("calling_station", failed+" AND calling_station != ''")); err != nil {
		return s, err
	}
	s.TopClients = top(ranked(m, nil))

	// Findings: one row per finding of each flow; the example text is the
	// first one exported (ord, then place in the flow).
	findings := "(SELECT nas, ord, `findings.rule` AS r, `findings.severity` AS sv, `findings.text` AS tx, `findings.remedy` AS rm" + from +
		") ARRAY JOIN r, sv, tx, rm, arrayEnumerate(r) AS fi"
	type findingRow struct {
		K, Sev, Text, Remedy string
		N                    chInt
	}
	err = query(ctx, c, "SELECT r AS K, count() AS N, argMin(sv, ord * 1000 + fi) AS Sev, argMin(tx, ord * 1000 + fi) AS Text, argMin(rm, ord * 1000 + fi) AS Remedy FROM "+findings+" GROUP BY K", func(r *findingRow) {
		cnt := Count{Key: r.K, Severity: r.Sev, Count: int(r.N), Example: r.Text, Remedy: r.Remedy}
		if rule, ok := explain.ByID(r.K); ok {
			cnt.Title = rule.Title
		}
		s.Findings = append(s.Findings, cnt)
	})
	if err != nil {
		return s, err
	}
	if m, err = counts("SELECT sv AS k, count() AS n FROM " + findings + " GROUP BY k"); err != nil {
		return s, err
	}
	for k, n := range m {
		s.Severities[k] = n
	}
	type nasRow struct {
		NAS, Rule, Sev string
		N              chInt
	}
	err = query(ctx, c, "SELECT nas AS NAS, r AS Rule, count() AS N, argMin(sv, ord * 1000 + fi) AS Sev FROM "+findings+" WHERE nas != '' GROUP BY NAS, Rule", func(r *nasRow) {
		s.NASFindings = append(s.NASFindings, NASFinding{NAS: r.NAS, Rule: r.Rule, Severity: r.Sev, Count: int(r.N)})
	})
	if err != nil {
		return s, err
	}
	sortFindings(&s)

	// Latency percentiles, nearest rank as the Aggregator computes them.
	type latRow struct {
		K                   string
		N, P50, P95, P99, M chInt
	}
	lat := func(key string) ([]Latency, error) {
		var out []Latency
		q := "SELECT K, N, a[toUInt64(ceil(0.5 * N))] AS P50, a[toUInt64(ceil(0.95 * N))] AS P95, a[toUInt64(ceil(0.99 * N))] AS P99, M FROM " +
			"(SELECT " + key + " AS K, count() AS N, arraySort(groupArray(latency_ns)) AS a, max(latency_ns) AS M" + auth + " AND measured = 1 GROUP BY K) ORDER BY K"
		err := query(ctx, c, q, func(r *latRow) {
			out = append(out, Latency{Key: r.K, Count: int(r.N), P50: time.Duration(r.P50), P95: time.Duration(r.P95), P99: time.Duration(r.P99), Max: time.Duration(r.M)})
		})
		return out, err
	}
	if s.LatencyNAS, err = lat("if(nas = '', '(unknown)', nas)"); err != nil {
		return s, err
	}
	if s.LatencyMethod, err = lat("mfa_label"); err != nil {
		return s, err
	}
	if s.LatencyNAS == nil {
		s.LatencyNAS = []Latency{}
	}
	if s.LatencyMethod == nil {
		s.LatencyMethod = []Latency{}
	}

	// Timeline: the server counts per quarter hour (every zone's offset is
	// a multiple of 15 minutes), the hours are made here in loc, as the
	// Aggregator makes them.
	type slotRow struct{ Slot, N, F chInt }
	hours := map[int64]*Hour{}
	err = query(ctx, c, "SELECT intDiv(toUInt32(start), 900) AS Slot, count() AS N, countIf(failed = 1) AS F"+auth+" AND "+sqlHasTime+" GROUP BY Slot", func(r *slotRow) {
		t := time.Unix(int64(r.Slot)*900, 0).In(loc)
		h := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), 0, 0, 0, loc)
		b := hours[h.Unix()]
		if b == nil {
			b = &Hour{Start: h}
			hours[h.Unix()] = b
		}
		b.Total += int(r.N)
		b.Failed += int(r.F)
	})
	if err != nil {
		return s, err
	}
	for _, h := range hours {
		s.Timeline = append(s.Timeline, *h)
	}
	sortTimeline(&s, loc)

	ref, offsets, hints, err := ClockFromClickHouse(ctx, c, o)
	if err != nil {
		return s, err
	}
	s.Offsets, s.ZoneHints = offsets, hints
	if len(offsets) > 0 {
		s.Reference = ref.String()
	}
	return s, nil
}

// ClockFromClickHouse returns what the flow builder found about the
// inputs of the export runs whose flows overlap o.Since to o.Until (every
// run when both are zero; o.Filter does not apply, as locally the offsets
// are those of all the inputs read): the clock offsets of each run, one
// entry per run and kind of source, in the order of the runs' first
// flows, relative to the reference kind with the most pairs (offsets
// against another reference are left out), and the zone hints, the votes
// of runs that saw the same shift added up. An export by a radscope that
// had no runs table gives none.
func ClockFromClickHouse(ctx context.Context, c *ch.Client, o ClickHouseOptions) (model.Kind, []flow.Offset, []flow.ZoneHint, error) {
	table := o.Runs
	if table == "" {
		table = "radscope_runs"
	}
	if err := ch.Ident(table); err != nil {
		return 0, nil, nil, fmt.Errorf("report: %w", err)
	}
	conds := []string{}
	if !o.Since.IsZero() {
		conds = append(conds, "(toUInt32(start) = 0 OR toInt64(`end`) >= "+strconv.FormatInt(o.Since.Unix(), 10)+")")
	}
	if !o.Until.IsZero() {
		conds = append(conds, "toInt64(start) <= "+strconv.FormatInt(o.Until.Unix(), 10))
	}
	where := " FROM " + table + " FINAL WHERE " + and(conds...)
	type offRow struct {
		Ref, Kind    string
		Off, P, A, I chInt
	}
	var rows []offRow
	err := query(ctx, c, "SELECT Ref, Kind, Off, P, A, I FROM (SELECT start AS S, id AS ID, clock_ref AS Ref, `clock_offsets.kind` AS Kind, "+
		"`clock_offsets.offset_ns` AS Off, `clock_offsets.pairs` AS P, `clock_offsets.applied` AS A"+where+
		") ARRAY JOIN Kind, Off, P, A, arrayEnumerate(Kind) AS I ORDER BY S, ID, I", func(r *offRow) { rows = append(rows, *r) })
	var ce *ch.Error
	if errors.As(err, &ce) && ce.Code == 60 { // no runs table: exported before it existed
		return 0, nil, nil, nil
	}
	if err != nil {
		return 0, nil, nil, err
	}
	pairs := map[string]int{}
	for _, r := range rows {
		pairs[r.Ref] += int(r.P)
	}
	best := ""
	for ref, n := range pairs {
		if best == "" || n > pairs[best] || n == pairs[best] && ref < best {
			best = ref
		}
	}
	var offsets []flow.Offset
	for _, r := range rows {
		if r.Ref == best {
			offsets = append(offsets, flow.Offset{Kind: kindByName(r.Kind), Offset: time.Duration(r.Off), Pairs: int(r.P), Applied: r.A != 0})
		}
	}
	type hintRow struct {
		Kind, Ref  string
		Off, Votes chInt
	}
	var hints []flow.ZoneHint
	err = query(ctx, c, "SELECT Kind, Ref, Off, sum(V) AS Votes FROM (SELECT start AS S, id AS ID, `zone_hints.kind` AS Kind, `zone_hints.ref` AS Ref, "+
		"`zone_hints.offset_ns` AS Off, `zone_hints.votes` AS V"+where+") ARRAY JOIN Kind, Ref, Off, V, arrayEnumerate(Kind) AS I "+
		"GROUP BY Kind, Ref, Off ORDER BY min(toUInt64(S) * 1000 + I)", func(r *hintRow) {
		hints = append(hints, flow.ZoneHint{Kind: kindByName(r.Kind), Ref: kindByName(r.Ref), Offset: time.Duration(r.Off), Votes: int(r.Votes)})
	})
	if err != nil {
		return 0, nil, nil, err
	}
	return kindByName(best), offsets, hints, nil
}

func kindByName(s string) model.Kind {
	for k := model.KindUnknown; k <= model.KindEvent; k++ {
		if k.String() == s {
			return k
		}
	}
	return model.KindUnknown
}

// sortFindings orders findings as Aggregator.Summary does: by severity,
// count, then rule; findings by NAS by NAS first.
func sortFindings(s *Summary) {
	sevRank := func(x string) int { sv, _ := model.ParseSeverity(x); return int(sv) }
	slices.SortFunc(s.Findings, func(x, y Count) int {
		if c := cmp.Compare(sevRank(y.Severity), sevRank(x.Severity)); c != 0 {
			return c
		}
		if c := cmp.Compare(y.Count, x.Count); c != 0 {
			return c
		}
		return cmp.Compare(x.Key, y.Key)
	})
	slices.SortFunc(s.NASFindings, func(x, y NASFinding) int {
		if c := cmp.Compare(x.NAS, y.NAS); c != 0 {
			return c
		}
		if c := cmp.Compare(sevRank(y.Severity), sevRank(x.Severity)); c != 0 {
			return c
		}
		if c := cmp.Compare(y.Count, x.Count); c != 0 {
			return c
		}
		return cmp.Compare(x.Rule, y.Rule)
	})
}

func sortTimeline(s *Summary, loc *time.Location) {
	slices.SortFunc(s.Timeline, func(x, y Hour) int { return x.Start.Compare(y.Start) })
	s.Timeline = fillHours(s.Timeline, loc)
}
