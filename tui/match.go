package tui

import (
	"strings"
	"time"

	"github.com/radscope/radscope/filter"
	"github.com/radscope/radscope/report"
)

// matcher runs a filter over the store's columns with the semantics of
// filter.Match on report.Record (filter/filter.go, term.match): it reads the
// values report.Record gave at load time, and remembers the result of each
// string test per interned list, so that a filter over a million flows
// tests each distinct user, station or NAS once and allocates nothing per
// flow. One matcher serves one goroutine.
type matcher struct {
	p     *published
	terms []mterm
}

type mterm struct {
	neg   bool
	field int // schema index; -1 for a bare word
	kind  int // column kind
	col   int // column index within its kind
	op    string
	t     filter.Term
	froms []int64 // Time terms: the spans in Unix nanoseconds
	tos   []int64
	memo  []uint8 // per list id: 0 not known yet, 1 false, 2 true
}

// compile prepares flt for the flows of p.
func compile(flt *filter.Filter, p *published) *matcher {
	mt := &matcher{p: p}
	for _, t := range flt.Terms() {
		m := mterm{neg: t.Neg, field: -1, op: t.Op, t: t}
		if t.Field != "" {
			m.field = schemaIndex[t.Field]
			sc := schemaCols[m.field]
			m.kind, m.col = sc.kind, sc.idx
			for _, sp := range t.Spans {
				m.froms = append(m.froms, sp[0].UnixNano())
				m.tos = append(m.tos, sp[1].UnixNano())
			}
		}
		if m.field < 0 || m.kind == colStr {
			m.memo = make([]uint8, p.lists.n)
		}
		mt.terms = append(mt.terms, m)
	}
	return mt
}

// match reports whether flow i passes every term.
func (mt *matcher) match(i int32) bool {
	ch, j := mt.p.chunks[i>>chunkBits], i&(chunkSize-1)
	for k := range mt.terms {
		t := &mt.terms[k]
		if t.eval(mt.p, ch, j) == t.neg {
			return false
		}
	}
	return true
}

// eval is term.match (before negation).
func (t *mterm) eval(p *published, ch *chunk, j int32) bool {
	if t.field < 0 {
		for _, f := range keyFields {
			sc := schemaCols[f]
			if t.strTest(p, ch.strs[sc.idx][j]) {
				return true
			}
		}
		return false
	}
	ok := ch.ok[j]&(1<<uint(t.field)) != 0
	switch t.kind {
	case colStr:
		if t.op == "!=" {
			return !(ok && t.strTest(p, ch.strs[t.col][j]))
		}
		return ok && t.strTest(p, ch.strs[t.col][j])
	case colNum:
		v := ch.nums[t.col][j]
		if t.op == "!=" {
			return !(ok && anyNum(t.t.Nums, func(n float64) bool { return v == n }))
		}
		return ok && anyNum(t.t.Nums, func(n float64) bool { return cmpOp(t.op, cmp3(v, n)) })
	}
	v := ch.ints[t.col][j]
	if report.Schema[t.field].Type == filter.Time {
		in := func(k int) bool {
			switch t.op {
			case "", "=", "!=":
				return v >= t.froms[k] && v < t.tos[k]
			case "<":
				return v < t.froms[k]
			case "<=":
				return v < t.tos[k]
			case ">":
				return v >= t.tos[k]
			case ">=":
				return v >= t.froms[k]
			}
			return false
		}
		any := false
		for k := range t.froms {
			if in(k) {
				any = true
				break
			}
		}
		if t.op == "!=" {
			return !(ok && any)
		}
		return ok && any
	}
	d := time.Duration(v)
	if t.op == "!=" {
		return !(ok && anyDur(t.t.Durs, func(x time.Duration) bool { return d == x }))
	}
	return ok && anyDur(t.t.Durs, func(x time.Duration) bool { return cmpOp(t.op, cmp3(d, x)) })
}

// strTest is the string test of the term on one list: for a bare word or
// ":" any string contains a value, for "=" and "!=" one equals it.
func (t *mterm) strTest(p *published, id uint32) bool {
	if id < uint32(len(t.memo)) {
		if r := t.memo[id]; r != 0 {
			return r == 2
		}
	}
	l := p.lists.get(id)
	r := false
	for _, s := range l.lower {
		for _, w := range t.t.Strs {
			if t.op == "=" || t.op == "!=" {
				r = s == w
			} else {
				r = strings.Contains(s, w)
			}
			if r {
				break
			}
		}
		if r {
			break
		}
	}
	if id < uint32(len(t.memo)) {
		t.memo[id] = 1
		if r {
			t.memo[id] = 2
		}
	}
	return r
}

func anyNum(ns []float64, f func(float64) bool) bool {
	for _, n := range ns {
		if f(n) {
			return true
		}
	}
	return false
}

func anyDur(ds []time.Duration, f func(time.Duration) bool) bool {
	for _, d := range ds {
		if f(d) {
			return true
		}
	}
	return false
}

func cmp3[T float64 | time.Duration](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// cmpOp is filter's cmpOp on the operator's text.
func cmpOp(op string, c int) bool {
	switch op {
	case "", "=":
		return c == 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	case ">=":
		return c >= 0
	}
	return false
}
