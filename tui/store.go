package tui

import (
	"context"
	"runtime"
	"slices"
	"sync"

	"github.com/radscope/radscope/filter"
	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/report"
)

const chunkBits = 12
const chunkSize = 1 << chunkBits

// Store holds every loaded flow, in load order, and the view: the indexes of
// the flows that pass the filter, in sort order. Flows are kept in fixed-size
// chunks that never move, so a snapshot (Snapshot) can be filtered and sorted
// in another goroutine while loading appends; the list renders only the
// visible window of the view.
type Store struct {
	chunks [][]model.Flow
	n      int
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

// NewStore returns an empty store sorted by time.
func NewStore() *Store { return &Store{marked: map[int32]bool{}} }

// Len is the number of flows loaded.
func (s *Store) Len() int { return s.n }

// Flow returns flow i of the load order.
func (s *Store) Flow(i int32) *model.Flow { return &s.chunks[i>>chunkBits][i&(chunkSize-1)] }

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

// Append adds flows in load order and puts those that pass the filter into
// the view, keeping its order. The new rows are sorted among themselves and
// merged, so a batch costs O(view) moves at most.
func (s *Store) Append(fs []model.Flow) {
	start := s.n
	for _, f := range fs {
		c := s.n >> chunkBits
		if c == len(s.chunks) {
			s.chunks = append(s.chunks, make([]model.Flow, 0, chunkSize))
		}
		s.chunks[c] = append(s.chunks[c], f)
		s.n++
	}
	s.view = s.merge(s.view, s.matching(start, s.n))
}

// matching returns the load indexes in [from, to) that pass the filter.
func (s *Store) matching(from, to int) []int32 {
	add := make([]int32, 0, to-from)
	for i := from; i < to; i++ {
		if s.flt.Empty() || s.flt.Match(report.Record(s.Flow(int32(i)))) {
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

// merge sorts add and merges it into view.
func (s *Store) merge(view, add []int32) []int32 {
	if len(add) == 0 {
		return view
	}
	less := s.cmp(s.sort)
	slices.SortStableFunc(add, less)
	if len(view) == 0 || less(view[len(view)-1], add[0]) <= 0 {
		return append(view, add...)
	}
	out := make([]int32, 0, len(view)+len(add))
	i, j := 0, 0
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
	return &Snapshot{s: Store{chunks: slices.Clone(s.chunks), n: s.n}}
}

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
	// Filter in parallel, one contiguous part per CPU, in load order.
	parts := max(1, min(runtime.GOMAXPROCS(0), s.n/8192))
	res := make([][]int32, parts)
	var wg sync.WaitGroup
	for p := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			from, to := s.n*p/parts, s.n*(p+1)/parts
			out := make([]int32, 0, (to-from)/4)
			for i := from; i < to; i++ {
				if i&4095 == 0 && ctx.Err() != nil {
					return
				}
				if flt.Empty() || flt.Match(report.Record(s.Flow(int32(i)))) {
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
	n := 0
	for _, r := range res {
		n += len(r)
	}
	rows := make([]int32, 0, n)
	for _, r := range res {
		rows = append(rows, r...)
	}
	if !(o.Col == 0 && !o.Desc && sortedByTime(s, rows)) {
		slices.SortStableFunc(rows, s.cmp(o))
	}
	return View{N: s.n, Rows: rows, Flt: flt, Sort: o}, nil
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
	s.view = s.merge(s.view, s.matching(v.N, s.n))
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

// Selection returns the marked flows in view order, or the flows of the
// whole view when none is marked.
func (s *Store) Selection() []*model.Flow {
	var out []*model.Flow
	for _, i := range s.view {
		if len(s.marked) == 0 || s.marked[i] {
			out = append(out, s.Flow(i))
		}
	}
	return out
}

// Find returns the view row of the first flow for which ok is true, or -1.
func (s *Store) Find(ok func(*model.Flow) bool) int {
	for r, i := range s.view {
		if ok(s.Flow(i)) {
			return r
		}
	}
	return -1
}
