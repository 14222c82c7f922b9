package flow

import (
	"slices"
	"time"

	"github.com/radscope/radscope/model"
)

// minPairs is how many unambiguous pairs make an offset estimate.
const minPairs = 3

// minOffset is the smallest offset applied: below it the difference is
// the resolution of the timestamps (NPS ODBC and IAS logs have whole
// seconds) rather than two clocks disagreeing.
const minOffset = time.Second

// sampler keeps the last samples of one offset, enough for a median.
type sampler struct {
	v     []time.Duration
	next  int
	count int
}

const samplerCap = 255

func (s *sampler) add(d time.Duration) {
	s.count++
	if len(s.v) < samplerCap {
		s.v = append(s.v, d)
		return
	}
	s.v[s.next] = d
	s.next = (s.next + 1) % samplerCap
}

func (s *sampler) median() time.Duration {
	if len(s.v) == 0 {
		return 0
	}
	c := slices.Clone(s.v)
	slices.Sort(c)
	return c[len(c)/2]
}

// reference is the clock offsets are relative to: the NPS logs when there
// are any, else the capture, else the events.
func (st *Stats) reference() int {
	switch {
	case st.seen[kRecord]:
		return kRecord
	case st.seen[kPacket]:
		return kPacket
	}
	return kEvent
}

// pairSampler returns the sampler of a - b for a < b, and the sign to
// apply to a sample t_x - t_y.
func (st *Stats) pairSampler(x, y int) (*sampler, time.Duration) {
	if x < y {
		return st.pairs[x][y], 1
	}
	return st.pairs[y][x], -1
}

// sample records an unambiguous pair: the same step at tx by kind x and at
// ty by kind y (raw source times).
func (b *builder) sample(x, y int, tx, ty time.Time) {
	if x == y {
		return
	}
	s, sign := b.st.pairSampler(x, y)
	s.add(sign * tx.Sub(ty))
	if s.count < minPairs || s.count > 64 && s.count%32 != 0 {
		return
	}
	b.estimate()
}

// estimate recomputes every kind's offset from its pairs with the
// reference kind.
func (b *builder) estimate() {
	st := b.st
	ref := st.reference()
	for k := 0; k < 3; k++ {
		if k == ref {
			st.offsets[k], st.known[k] = 0, true
			continue
		}
		s, sign := st.pairSampler(k, ref)
		if s.count >= minPairs {
			st.estimated[k] = sign * s.median()
			st.offsets[k] = st.estimated[k]
			if absDur(st.offsets[k]) < minOffset {
				st.offsets[k] = 0 // timestamp resolution (whole-second logs), not a clock offset
			}
			st.known[k] = true
		}
	}
	st.publish()
}

// publish fills the exported Offsets.
func (st *Stats) publish() {
	ref := st.reference()
	st.Reference = kindOf(ref)
	st.Offsets = st.Offsets[:0]
	for k := 0; k < 3; k++ {
		if k == ref || !st.seen[k] {
			continue
		}
		s, _ := st.pairSampler(k, ref)
		if s.count == 0 {
			continue
		}
		st.Offsets = append(st.Offsets, Offset{Kind: kindOf(k), Offset: st.estimated[k], Pairs: s.count, Applied: st.offsets[k] != 0})
	}
}

func kindOf(k int) model.Kind {
	switch k {
	case kPacket:
		return model.KindPacket
	case kRecord:
		return model.KindRecord
	}
	return model.KindEvent
}

// tolerance is how far apart kinds x and y may put one step: Tolerance
// once both offsets are known, MaxSkew (and only for a single candidate)
// before.
func (b *builder) tolerance(x, y int) (time.Duration, bool) {
	ref := b.st.reference()
	kx := x == ref || b.st.known[x]
	ky := y == ref || b.st.known[y] || !b.st.seen[y]
	if kx && ky {
		return b.o.Tolerance, true
	}
	return b.o.MaxSkew, false
}

// skew is the largest offset between two kinds present in a flow.
func (b *builder) skew(kinds [3]bool) time.Duration {
	var lo, hi time.Duration
	first := true
	for k := 0; k < 3; k++ {
		if !kinds[k] {
			continue
		}
		d := b.st.offsets[k]
		if first || d < lo {
			lo = d
		}
		if first || d > hi {
			hi = d
		}
		first = false
	}
	return hi - lo
}
