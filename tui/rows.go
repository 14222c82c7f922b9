package tui

import (
	"cmp"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/radscope/radscope/dict"
	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/report"
)

// Column is one column of the flow list: a pure function from a flow to a
// cell, and the key the column sorts by.
type Column struct {
	Name  string
	Width int // preferred width; the last column takes what is left
	Cell  func(f *model.Flow, loc *time.Location) string
	Key   func(f *model.Flow) SortKey
}

// SortKey is what a column sorts by: a number, then a string.
type SortKey struct {
	N int64
	S string
}

// Compare orders two keys.
func (k SortKey) Compare(o SortKey) int {
	if c := cmp.Compare(k.N, o.N); c != 0 {
		return c
	}
	return strings.Compare(k.S, o.S)
}

// Cmp orders two flows by the column.
func (c *Column) Cmp(a, b *model.Flow) int { return c.Key(a).Compare(c.Key(b)) }

func strKey(s string) SortKey { return SortKey{S: s} }

// timeKey orders times; the zero time (no message had one) first.
func timeKey(t time.Time) SortKey {
	if t.IsZero() {
		return numKey(math.MinInt64)
	}
	return numKey(t.UnixNano())
}
func numKey(n int64) SortKey { return SortKey{N: n} }

// Columns are the flow list's columns, in screen order.
var Columns = []Column{
	{"Time", 18, func(f *model.Flow, loc *time.Location) string { return fmtTime(f.Start, loc) }, func(f *model.Flow) SortKey { return timeKey(f.Start) }},
	{"User", 13, func(f *model.Flow, _ *time.Location) string { return f.User }, func(f *model.Flow) SortKey { return strKey(f.User) }},
	{"NAS", 8, func(f *model.Flow, _ *time.Location) string { return f.NAS }, func(f *model.Flow) SortKey { return strKey(f.NAS) }},
	{"Calling-Station", 13, func(f *model.Flow, _ *time.Location) string { return f.CallingStation }, func(f *model.Flow) SortKey { return strKey(f.CallingStation) }},
	{"Outcome", 20, func(f *model.Flow, _ *time.Location) string {
		return OutcomeGlyph(f.Outcome) + " " + f.Outcome.String()
	}, func(f *model.Flow) SortKey { return numKey(int64(f.Outcome)) }},
	{"Reason", 6, func(f *model.Flow, _ *time.Location) string { return reasonCell(f) }, func(f *model.Flow) SortKey { return numKey(int64(f.Reason)) }},
	{"MFA", 11, func(f *model.Flow, _ *time.Location) string { return mfaCell(f) }, func(f *model.Flow) SortKey { return strKey(mfaCell(f)) }},
	{"Latency", 7, func(f *model.Flow, _ *time.Location) string { return latencyCell(f) }, func(f *model.Flow) SortKey { return numKey(int64(f.Latency)) }},
	{"Finding", 12, func(f *model.Flow, _ *time.Location) string { return findingCell(f) }, func(f *model.Flow) SortKey { return strKey(findingCell(f)) }},
	{"Method", 6, func(f *model.Flow, _ *time.Location) string { return f.Method }, func(f *model.Flow) SortKey { return strKey(f.Method) }},
	{"Src", 3, func(f *model.Flow, _ *time.Location) string { return sourcesCell(f) }, func(f *model.Flow) SortKey { return strKey(sourcesCell(f)) }},
}

// DefaultColumns are the list's columns when none are chosen: all of them.
var DefaultColumns = func() []int {
	out := make([]int, len(Columns))
	for i := range out {
		out[i] = i
	}
	return out
}()

// columnAliases are other names :columns and :sort accept, as the filter
// language names the same fields.
var columnAliases = map[string]string{
	"station": "Calling-Station", "calling-station-id": "Calling-Station", "outcome": "Outcome", "result": "Outcome",
	"reason-code": "Reason", "finding": "Finding", "findings": "Finding", "sources": "Src", "source": "Src",
}

// ColumnIndex returns the index of the column named name (case-insensitive,
// or one of its aliases), or -1.
func ColumnIndex(name string) int {
	if a, ok := columnAliases[strings.ToLower(name)]; ok {
		name = a
	}
	for i, c := range Columns {
		if strings.EqualFold(c.Name, name) {
			return i
		}
	}
	return -1
}

// ColumnNames are the columns' names as :columns takes them: lower case.
func ColumnNames(cols []int) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = strings.ToLower(Columns[c].Name)
	}
	return out
}

// ParseColumns reads a list of column names separated by commas (or
// spaces), in screen order.
func ParseColumns(s string) ([]int, error) {
	var out []int
	seen := map[int]bool{}
	for _, name := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		i := ColumnIndex(name)
		if i < 0 {
			return nil, fmt.Errorf("unknown column %q (columns: %s)", name, strings.Join(ColumnNames(DefaultColumns), ", "))
		}
		if seen[i] {
			return nil, fmt.Errorf("column %q twice", name)
		}
		seen[i] = true
		out = append(out, i)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no column given (columns: %s)", strings.Join(ColumnNames(DefaultColumns), ", "))
	}
	return out, nil
}

// OutcomeGlyph pairs each outcome with a glyph, so colour is never the only
// signal.
func OutcomeGlyph(o model.Outcome) string {
	switch o {
	case model.OutcomeAccepted:
		return "✓"
	case model.OutcomeRejected:
		return "✗"
	case model.OutcomeChallengeAbandoned:
		return "?"
	case model.OutcomeNoResponse:
		return "…"
	case model.OutcomeDiscarded:
		return "⊘"
	case model.OutcomeAccounted:
		return "≡"
	}
	return "·"
}

// fmtTime is the list's time: month and day, milliseconds.
func fmtTime(t time.Time, loc *time.Location) string { return layoutTime(t, loc, "01-02 15:04:05.000") }

// fullTime is the detail's and summary's time, with the year.
func fullTime(t time.Time, loc *time.Location) string {
	return layoutTime(t, loc, "2006-01-02 15:04:05.000")
}

func layoutTime(t time.Time, loc *time.Location, layout string) string {
	if t.IsZero() {
		return ""
	}
	if loc != nil {
		t = t.In(loc)
	}
	return t.Format(layout)
}

func reasonCell(f *model.Flow) string {
	if f.Reason == model.NoReason {
		return ""
	}
	return strconv.Itoa(f.Reason)
}

func mfaCell(f *model.Flow) string {
	if f.MFA == nil {
		return ""
	}
	if f.MFA.Result != "" {
		return f.MFA.Result
	}
	return f.MFA.Error
}

func latencyCell(f *model.Flow) string {
	if f.Latency == 0 {
		return ""
	}
	return report.FormatDuration(f.Latency)
}

// sourcesCell is one letter per source kind: p(acket), r(ecord), e(vent).
func sourcesCell(f *model.Flow) string {
	b := []byte("---")
	for _, k := range f.Sources {
		switch k {
		case model.KindPacket:
			b[0] = 'p'
		case model.KindRecord:
			b[1] = 'r'
		case model.KindEvent:
			b[2] = 'e'
		}
	}
	return string(b)
}

func findingCell(f *model.Flow) string {
	if t := f.Top(); t != nil {
		return t.Rule
	}
	return ""
}

// reasonText is the NPS reason text of a flow, "" without a reason.
func reasonText(f *model.Flow) string {
	if f.Reason == model.NoReason {
		return ""
	}
	return dict.ReasonText(f.Reason)
}
