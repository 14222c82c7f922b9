package tui

import (
	"cmp"
	"context"
	"fmt"
	"iter"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/radscope/radscope/filter"
	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/report"
)

const chunkBits = 12
const chunkSize = 1 << chunkBits

// Store holds every loaded flow, in load order, and the view: the indexes of
// the flows that pass the filter, in sort order. Flows are kept compact
// (compact.go): in fixed-size chunks of columns that never move, so a
// snapshot (Snapshot) can be filtered and sorted in another goroutine while
// loading appends; the list renders only the visible window of the view.
type Store struct {
	comp   *compactor // the writer (Append, or the loader's goroutine)
	pub    published  // what the view covers
	rr     *rereader
	full   map[int32]*model.Flow // flows read back whole, for the detail
	fullQ  []int32
	view   []int32
	flt    *filter.Filter
	sort   Sort
	marked map[int32]bool
}

// Sort is a sort order: a column of Columns and a direction.
type Sort struct {
	Col  int
	Desc bool
}

// NewStore returns an empty store sorted by time that keeps every message.
func NewStore() *Store { return newStore(nil) }

// newStore returns an empty store that drops the messages rr can read
// again (nil: none).
func newStore(rr *rereader) *Store {
	return &Store{comp: newCompactor(rr), rr: rr, marked: map[int32]bool{}, full: map[int32]*model.Flow{}}
}

// Len is the number of flows loaded.
func (s *Store) Len() int { return s.pub.n }

// Flow returns flow i of the load order as the list shows it: without its
// messages when they were dropped (Full reads them back).
func (s *Store) Flow(i int32) *model.Flow { return s.pub.flow(i) }

func (p *published) flow(i int32) *model.Flow {
	return &p.chunks[i>>chunkBits].cold[i&(chunkSize-1)]
}

// Full returns flow i with its messages, read back from their files when
// the store dropped them. The last few are kept, so the same flow comes
// back as the same pointer.
func (s *Store) Full(i int32) (*model.Flow, error) {
	if f, ok := s.full[i]; ok {
		return f, nil
	}
	f, err := s.pub.hydrate(s.rr, i)
	if err != nil || f == s.pub.flow(i) {
		return f, err
	}
	if len(s.fullQ) >= 16 {
		delete(s.full, s.fullQ[0])
		s.fullQ = s.fullQ[1:]
	}
	s.full[i] = f
	s.fullQ = append(s.fullQ, i)
	return f, nil
}

// hydrate returns flow i with its messages: the stored flow when they were
// kept, else a copy with the messages read again.
func (p *published) hydrate(rr *rereader, i int32) (*model.Flow, error) {
	ch, j := p.chunks[i>>chunkBits], i&(chunkSize-1)
	locs := ch.locs[j]
	if locs == nil {
		return &ch.cold[j], nil
	}
	f := ch.cold[j]
	f.Messages = make([]model.Message, len(locs))
	for k, l := range locs {
		fr := p.files[l.file]
		src := model.Source{Format: fr.format, File: fr.path, Line: int(l.line), Offset: l.off}
		m, err := rr.Message(src)
		if err != nil {
			return nil, err
		}
		if messageSum(&m) != l.sum {
			return nil, fmt.Errorf("tui: %s changed since it was loaded: reload to see flow %d", src, f.ID)
		}
		f.Messages[k] = m
	}
	return &f, nil
}

// sources calls yield with the source of each message of flow i, without
// reading them back, until it returns false.
func (p *published) sources(i int32, yield func(model.Source) bool) {
	ch, j := p.chunks[i>>chunkBits], i&(chunkSize-1)
	if locs := ch.locs[j]; locs != nil {
		for _, l := range locs {
			fr := p.files[l.file]
			if !yield(model.Source{Format: fr.format, File: fr.path, Line: int(l.line), Offset: l.off}) {
				return
			}
		}
		return
	}
	for k := range ch.cold[j].Messages {
		if !yield(ch.cold[j].Messages[k].Src) {
			return
		}
	}
}

// summaryFlow returns flow i for report's aggregator: with placeholder
// messages in the number it had (report counts them) when they were
// dropped.
func (p *published) summaryFlow(i int32, buf *model.Flow, ph *placeholders) *model.Flow {
	ch, j := p.chunks[i>>chunkBits], i&(chunkSize-1)
	if ch.locs[j] == nil {
		return &ch.cold[j]
	}
	*buf = ch.cold[j]
	buf.Messages = ph.get(len(ch.locs[j]), ch.otp[j])
	return buf
}

// placeholders stand in for dropped messages where only their number
// counts (report.Aggregator.Add adds len(Messages)); otp carries the
// one-time-code challenge report.MFAMethod looks for in them.
type placeholders struct {
	plain, otp []model.Message
}

func (ph *placeholders) get(n int, otp bool) []model.Message {
	if n > len(ph.plain) {
		ph.plain = make([]model.Message, max(n, 16))
		ph.otp = make([]model.Message, max(n, 16))
		ph.otp[0].MFA = &model.MFA{Outcome: "challenge"}
	}
	if otp {
		return ph.otp[:n:n]
	}
	return ph.plain[:n:n]
}

// ViewLen is the number of flows that pass the filter.
func (s *Store) ViewLen() int { return len(s.view) }

// At returns the flow at row r of the view and its load index.
func (s *Store) At(r int) (*model.Flow, int32) {
	i := s.view[r]
	return s.Flow(i), i
}

// Filter is the filter in force (nil: none).
func (s *Store) Filter() *filter.Filter { return s.flt }

// SortOrder is the sort in force.
func (s *Store) SortOrder() Sort { return s.sort }

// Append compacts flows in load order and shows them.
func (s *Store) Append(fs []model.Flow) {
	for i := range fs {
		s.comp.add(&fs[i])
	}
	s.publish(s.comp.publish())
}

// publish installs what the compactor has written and puts the new flows
// that pass the filter into the view, keeping its order. The new rows are
// sorted among themselves and merged, so a batch costs O(view) moves at
// most.
func (s *Store) publish(p published) {
	start := s.pub.n
	s.pub = p
	s.view = s.merge(s.view, s.matching(start, s.pub.n))
}

// matching returns the load indexes in [from, to) that pass the filter.
func (s *Store) matching(from, to int) []int32 {
	add := make([]int32, 0, to-from)
	if s.flt.Empty() {
		for i := from; i < to; i++ {
			add = append(add, int32(i))
		}
		return add
	}
	mt := compile(s.flt, &s.pub)
	for i := from; i < to; i++ {
		if mt.match(int32(i)) {
			add = append(add, int32(i))
		}
	}
	return add
}

// RowOf returns the view row of the flow with load index i, or -1 when the
// filter hides it. The view is ordered by the sort with ties broken by
// load index, so a binary search finds it.
func (s *Store) RowOf(i int32) int {
	r, ok := slices.BinarySearchFunc(s.view, i, s.cmp(s.sort))
	if !ok {
		return -1
	}
	return r
}

// merge sorts add and merges it into view. Flows arrive nearly in order
// (a flow is yielded when it ends, so its start may precede the last ones
// shown): the rows of view before the first new one are copied, not
// compared, and only the tail is merged. view itself is not changed
// (snapshots and commands may be reading it).
func (s *Store) merge(view, add []int32) []int32 {
	if len(add) == 0 {
		return view
	}
	less := s.cmp(s.sort)
	slices.SortStableFunc(add, less)
	if len(view) == 0 || less(view[len(view)-1], add[0]) <= 0 {
		return append(view, add...)
	}
	// The first row of view that sorts after add[0].
	pos, _ := slices.BinarySearchFunc(view, add[0], func(v, a int32) int {
		if less(v, a) <= 0 {
			return -1
		}
		return 1
	})
	out := make([]int32, pos, len(view)+len(add))
	copy(out, view[:pos])
	i, j := pos, 0
	for i < len(view) && j < len(add) {
		if less(add[j], view[i]) < 0 {
			out = append(out, add[j])
			j++
		} else {
			out = append(out, view[i])
			i++
		}
	}
	out = append(out, view[i:]...)
	return append(out, add[j:]...)
}

// cmp compares two load indexes under a sort order; ties keep load order.
func (s *Store) cmp(o Sort) func(a, b int32) int {
	c := Columns[o.Col].Cmp
	return func(a, b int32) int {
		r := c(s.Flow(a), s.Flow(b))
		if o.Desc {
			r = -r
		}
		if r == 0 {
			if a < b {
				return -1
			} else if a > b {
				return 1
			}
		}
		return r
	}
}

// Snapshot is a read-only copy of the store's flows as they are now, safe to
// use from another goroutine while the store goes on appending.
type Snapshot struct {
	s Store
}

// Snapshot returns a snapshot of the loaded flows.
func (s *Store) Snapshot() *Snapshot {
	return &Snapshot{s: Store{pub: s.pub, rr: s.rr}}
}

// Full returns flow i with its messages (see Store.Full), without keeping
// it.
func (sn *Snapshot) Full(i int32) (*model.Flow, error) { return sn.s.pub.hydrate(sn.s.rr, i) }

// View is the result of filtering and sorting a snapshot.
type View struct {
	N    int // flows of the snapshot (the store appends the rest)
	Rows []int32
	Flt  *filter.Filter
	Sort Sort
}

// Compute filters and sorts the snapshot. It checks ctx every few thousand
// flows and returns ctx.Err() when cancelled.
func (sn *Snapshot) Compute(ctx context.Context, flt *filter.Filter, o Sort) (View, error) {
	s := &sn.s
	n := s.pub.n
	// Filter in parallel, one contiguous part per CPU, in load order.
	parts := max(1, min(runtime.GOMAXPROCS(0), n/8192))
	res := make([][]int32, parts)
	var wg sync.WaitGroup
	for p := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			from, to := n*p/parts, n*(p+1)/parts
			if flt.Empty() {
				out := make([]int32, 0, to-from)
				for i := from; i < to; i++ {
					out = append(out, int32(i))
				}
				res[p] = out
				return
			}
			mt := compile(flt, &s.pub)
			out := make([]int32, 0, (to-from)/4)
			for i := from; i < to; i++ {
				if i&4095 == 0 && ctx.Err() != nil {
					return
				}
				if mt.match(int32(i)) {
					out = append(out, int32(i))
				}
			}
			res[p] = out
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return View{}, ctx.Err()
	}
	total := 0
	for _, r := range res {
		total += len(r)
	}
	rows := make([]int32, 0, total)
	for _, r := range res {
		rows = append(rows, r...)
	}
	if !(o.Col == 0 && !o.Desc && sortedByTime(s, rows)) {
		if err := sortRows(ctx, s, rows, o); err != nil {
			return View{}, err
		}
	}
	return View{N: n, Rows: rows, Flt: flt, Sort: o}, nil
}

// sortRows sorts rows by the column of o, computing each flow's key once
// (the order of Store.cmp: by key, ties in load order).
func sortRows(ctx context.Context, s *Store, rows []int32, o Sort) error {
	type keyed struct {
		k SortKey
		i int32
	}
	key := Columns[o.Col].Key
	ks := make([]keyed, len(rows))
	for n, i := range rows {
		if n&4095 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		ks[n] = keyed{key(s.Flow(i)), i}
	}
	slices.SortFunc(ks, func(a, b keyed) int {
		c := a.k.Compare(b.k)
		if o.Desc {
			c = -c
		}
		if c == 0 {
			return cmp.Compare(a.i, b.i)
		}
		return c
	})
	for n := range ks {
		rows[n] = ks[n].i
	}
	return nil
}

func sortedByTime(s *Store, rows []int32) bool {
	for i := 1; i < len(rows); i++ {
		if s.Flow(rows[i]).Start.Before(s.Flow(rows[i-1]).Start) {
			return false
		}
	}
	return true
}

// SetView installs a computed view and adds the flows loaded since its
// snapshot.
func (s *Store) SetView(v View) {
	s.flt, s.sort, s.view = v.Flt, v.Sort, v.Rows
	s.view = s.merge(s.view, s.matching(v.N, s.pub.n))
}

// ToggleMark marks or unmarks the flow with load index i.
func (s *Store) ToggleMark(i int32) {
	if s.marked[i] {
		delete(s.marked, i)
	} else {
		s.marked[i] = true
	}
}

// Marked reports whether the flow with load index i is marked.
func (s *Store) Marked(i int32) bool { return s.marked[i] }

// MarkedCount is the number of marked flows.
func (s *Store) MarkedCount() int { return len(s.marked) }

// Selection returns the load indexes of the marked flows in view order, or
// of the flows of the whole view when none is marked.
func (s *Store) Selection() []int32 {
	if len(s.marked) == 0 {
		return s.view[:len(s.view):len(s.view)]
	}
	var out []int32
	for _, i := range s.view {
		if s.marked[i] {
			out = append(out, i)
		}
	}
	return out
}

// FindSource returns the view row of the first flow with a message read at
// a source for which ok is true, or -1.
func (s *Store) FindSource(ok func(model.Source) bool) int {
	for r, i := range s.view {
		found := false
		s.pub.sources(i, func(src model.Source) bool {
			found = ok(src)
			return !found
		})
		if found {
			return r
		}
	}
	return -1
}

// Flows returns the flows with load indexes is, whole (messages read
// back), as an iterator that stops at the first error.
func (sn *Snapshot) Flows(is []int32) iter.Seq2[*model.Flow, error] {
	return func(yield func(*model.Flow, error) bool) {
		for _, i := range is {
			f, err := sn.Full(i)
			if !yield(f, err) || err != nil {
				return
			}
		}
	}
}

// values are the distinct values of a string field among the first rows
// of the view, at most max, for completion.
func (s *Store) values(field string, rows, max int) []string {
	fi, ok := schemaIndex[field]
	if !ok {
		for i, f := range report.Schema {
			for _, a := range f.Aliases {
				if strings.EqualFold(a, field) {
					fi, ok = i, true
				}
			}
		}
	}
	if !ok || schemaCols[fi].kind != colStr {
		return nil
	}
	col := schemaCols[fi].idx
	seen := map[uint32]bool{}
	var out []string
	for r := 0; r < len(s.view) && r < rows && len(out) < max; r++ {
		i := s.view[r]
		id := s.pub.chunks[i>>chunkBits].strs[col][i&(chunkSize-1)]
		if seen[id] {
			continue
		}
		seen[id] = true
		for _, v := range s.pub.lists.get(id).strs {
			if v != "" && !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
	}
	return out
}
