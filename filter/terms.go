package filter

import "time"

// Term is a read-only view of one condition of a parsed filter, for code
// that translates filters into another query language (SQL for the
// ClickHouse export).
type Term struct {
	Neg   bool
	Field string // the schema name of the field; "" for a bare word (any Key field)
	// Op is "" (contains for strings, equals for numbers and durations,
	// within for times), "=", "!=", "<", "<=", ">" or ">=".
	Op    string
	Strs  []string        // String fields and bare words: values, lower-cased
	Nums  []float64       // Number fields
	Durs  []time.Duration // Duration fields
	Spans [][2]time.Time  // Time fields: [from, to) of each value
}

// Terms returns the filter's conditions, all of which must hold.
func (f *Filter) Terms() []Term {
	if f == nil {
		return nil
	}
	out := make([]Term, len(f.terms))
	for i, t := range f.terms {
		x := Term{Neg: t.neg, Op: opText[t.op], Strs: t.strs, Nums: t.nums, Durs: t.durs}
		if t.field != nil {
			x.Field = t.field.Name
		}
		for _, sp := range t.spans {
			x.Spans = append(x.Spans, [2]time.Time{sp.from, sp.to})
		}
		out[i] = x
	}
	return out
}
