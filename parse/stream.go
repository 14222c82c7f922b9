package parse

import (
	"bufio"
	"bytes"
	"container/heap"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/radscope/radscope/dict"
	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/parse/textio"
)

// Stats counts what a Stream read.
type Stats struct {
	Files        int   // files opened
	FilesSkipped int   // files left unread because their times lie outside --since/--until
	Bytes        int64 // bytes read from files (compressed size for .gz)
	Records      int64 // messages yielded without error
	Malformed    int64 // messages yielded together with a ParseError
	Errors       int64 // ParseErrors (bad records, unreadable files)
	Filtered     int64 // messages dropped by --since/--until
	ErrFiles     int   // files with at least one error
	First        error // the first ParseError
}

// Summary is the closing line for stderr: "skipped N records in M files
// (first: ...)", or "" when nothing was skipped.
func (s Stats) Summary() string {
	if s.Errors == 0 {
		return ""
	}
	files := "files"
	if s.ErrFiles == 1 {
		files = "file"
	}
	return fmt.Sprintf("skipped %d bad records in %d %s (first: %v)", s.Errors, s.ErrFiles, files, s.First)
}

// Stream merges the messages of many inputs in time order. Create it with
// Open; read it with All; read Stats after All has finished.
type Stream struct {
	ctx    context.Context
	o      Options
	inputs []Input
	stats  Stats
	bytes  atomic.Int64
	files  atomic.Int64
	errs   []error
}

// Open prepares to read paths (files, directories, globs, "-"). Paths that
// cannot be expanded are reported by All as ParseErrors, before any message,
// so that nothing is silently left out.
func Open(ctx context.Context, paths []string, o Options) *Stream {
	if o.Dict == nil {
		o.Dict = dict.Default()
	}
	if o.Location == nil {
		o.Location = time.Local
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	ins, errs := Expand(paths)
	return &Stream{ctx: ctx, o: o, inputs: ins, errs: errs}
}

// Inputs returns the files the stream reads, in the order found.
func (s *Stream) Inputs() []Input { return s.inputs }

// Stats returns the counts so far.
func (s *Stream) Stats() Stats {
	st := s.stats
	st.Bytes = s.bytes.Load()
	st.Files = int(s.files.Load())
	return st
}

// batch is a run of messages from one file, handed between goroutines.
type batch struct {
	msgs []model.Message
	errs []error // errs[i] goes with msgs[i]; nil for most
	err  error   // final error of the file (not a ParseError), or nil
	done bool
}

const batchSize = 512

// cursor is one file being merged.
type cursor struct {
	in    Input
	start time.Time // first record's time, for ordering activation; zero when unknown
	ch    chan batch
	cur   batch
	pos   int
	idx   int // order of the input, to keep the merge stable
	erred bool
	stop  chan struct{}
}

func (c *cursor) head() *model.Message { return &c.cur.msgs[c.pos] }

type cursorHeap []*cursor

func (h cursorHeap) Len() int { return len(h) }
func (h cursorHeap) Less(i, j int) bool {
	a, b := h[i].head().Time, h[j].head().Time
	if a.Equal(b) {
		return h[i].idx < h[j].idx
	}
	return a.Before(b)
}
func (h cursorHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *cursorHeap) Push(x any)   { *h = append(*h, x.(*cursor)) }
func (h *cursorHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// All yields every message of every input in time order, following the
// error contract of this package: a *model.ParseError (bad record,
// unreadable file, unknown format) is yielded and reading goes on, unless
// Options.Strict is set, in which case it is the last thing yielded; a
// cancelled context ends the stream with ctx.Err().
//
// Each file is parsed in its own goroutine (at most Options.Workers at
// once) and the results are merged by time. Files whose first records
// start later are opened only when the merge reaches their start, so memory
// grows with the number of files that overlap in time, not with the number
// of files.
func (s *Stream) All() iter.Seq2[model.Message, error] {
	return func(yield func(model.Message, error) bool) {
		ctx, cancel := context.WithCancel(s.ctx)
		defer cancel()
		var errFiles = map[string]bool{}
		for i, err := range s.errs {
			s.countErr(err, "")
			errFiles["\x00expand"+strconv.Itoa(i)] = true
			s.stats.ErrFiles = len(errFiles)
			if !yield(model.Message{}, err) || s.o.Strict {
				return
			}
		}
		pending := s.plan()
		sem := make(chan struct{}, s.o.Workers)
		var wg sync.WaitGroup
		defer wg.Wait()
		start := func(c *cursor) {
			c.ch = make(chan batch, 2)
			c.stop = make(chan struct{})
			wg.Add(1)
			go func() {
				defer wg.Done()
				s.readFile(ctx, c, sem)
			}()
		}
		// Start as many files ahead as there are workers, so that
		// parsing of the next files overlaps the merge of this one.
		next := 0
		startAhead := func(limit int) {
			for next < len(pending) && next < limit {
				start(pending[next])
				next++
			}
		}
		startAhead(s.o.Workers)
		h := &cursorHeap{}
		// activate pulls a started cursor's first batch and puts it on
		// the heap; it returns false when the consumer stopped.
		activate := func(c *cursor) bool {
			for {
				var b batch
				select {
				case b = <-c.ch:
				case <-ctx.Done():
					return false
				}
				c.cur, c.pos = b, 0
				if len(b.msgs) > 0 {
					heap.Push(h, c)
					return true
				}
				if b.done {
					if b.err != nil {
						s.countErr(b.err, c.in.Path)
						errFiles[c.in.Path] = true
						s.stats.ErrFiles = len(errFiles)
						if !yield(model.Message{}, b.err) || s.o.Strict {
							return false
						}
					}
					return true
				}
			}
		}
		act := 0
		for {
			// Bring in every file that starts before the current head
			// (or when nothing is active).
			for act < len(pending) {
				c := pending[act]
				if h.Len() > 0 && !c.start.IsZero() && c.start.After((*h)[0].head().Time) {
					break
				}
				if act >= next {
					start(c)
					next = act + 1
				}
				act++
				startAhead(act + s.o.Workers)
				if !activate(c) {
					return
				}
			}
			if h.Len() == 0 {
				if act >= len(pending) {
					break
				}
				continue
			}
			c := (*h)[0]
			m := c.cur.msgs[c.pos]
			var err error
			if c.cur.errs != nil {
				err = c.cur.errs[c.pos]
			}
			c.pos++
			if c.pos == len(c.cur.msgs) {
				heap.Pop(h)
				done := c.cur.done
				if !done {
					if !activate(c) {
						return
					}
				} else if c.cur.err != nil {
					// the file failed after these messages: report it
					// after the last of them
					ferr := c.cur.err
					c.cur.err = nil
					s.countErr(ferr, c.in.Path)
					errFiles[c.in.Path] = true
					s.stats.ErrFiles = len(errFiles)
					if err == nil && s.inRange(m.Time) {
						s.stats.Records++
						if !yield(m, nil) {
							return
						}
					} else if err != nil {
						s.countErr(err, c.in.Path)
						if !yield(m, err) || s.o.Strict {
							return
						}
					}
					if !yield(model.Message{}, ferr) || s.o.Strict {
						return
					}
					continue
				}
			} else {
				heap.Fix(h, 0)
			}
			if err != nil {
				s.countErr(err, c.in.Path)
				errFiles[c.in.Path] = true
				s.stats.ErrFiles = len(errFiles)
				if m.Kind != model.KindUnknown {
					s.stats.Malformed++
				}
				if !yield(m, err) || s.o.Strict {
					return
				}
				continue
			}
			if !s.inRange(m.Time) {
				s.stats.Filtered++
				continue
			}
			s.stats.Records++
			if !yield(m, nil) {
				return
			}
		}
		s.stats.ErrFiles = len(errFiles)
		if err := s.ctx.Err(); err != nil {
			yield(model.Message{}, err)
		}
	}
}

func (s *Stream) countErr(err error, file string) {
	s.stats.Errors++
	if s.stats.First == nil {
		s.stats.First = err
	}
}

func (s *Stream) inRange(t time.Time) bool {
	if !s.o.Since.IsZero() && t.Before(s.o.Since) {
		return false
	}
	if !s.o.Until.IsZero() && t.After(s.o.Until) {
		return false
	}
	return true
}

// plan orders the inputs by their first record's time and drops the files
// that lie wholly outside the time range.
func (s *Stream) plan() []*cursor {
	var cs []*cursor
	for i, in := range s.inputs {
		c := &cursor{in: in, idx: i}
		if in.Path != "-" && !in.Gzip {
			first, last, ok := s.timeRange(in)
			if ok {
				if (!s.o.Since.IsZero() && last.Before(s.o.Since)) || (!s.o.Until.IsZero() && first.After(s.o.Until)) {
					s.stats.FilesSkipped++
					continue
				}
				c.start = first
			}
		}
		cs = append(cs, c)
	}
	// Files of unknown start come first (they are activated at once);
	// the others by start time. The sort is stable to keep the walk order
	// among equals.
	sortCursors(cs)
	return cs
}

func sortCursors(cs []*cursor) {
	for i := 1; i < len(cs); i++ {
		for j := i; j > 0 && before(cs[j], cs[j-1]); j-- {
			cs[j], cs[j-1] = cs[j-1], cs[j]
		}
	}
}

func before(a, b *cursor) bool {
	switch {
	case a.start.IsZero() && b.start.IsZero():
		return a.idx < b.idx
	case a.start.IsZero():
		return true
	case b.start.IsZero():
		return false
	}
	return a.start.Before(b.start)
}

// timeRange reads the first and last records of an NPS text log cheaply:
// the head and the last complete lines.
func (s *Stream) timeRange(in Input) (first, last time.Time, ok bool) {
	switch in.Format {
	case model.FormatODBC, model.FormatIAS, model.FormatDTS:
	default:
		return
	}
	fh, err := os.Open(in.Path)
	if err != nil {
		return
	}
	defer fh.Close()
	first, ok1 := scanTime(io.NewSectionReader(fh, 0, 64<<10), s.o, in.Path, false)
	off := in.Size - 64<<10
	if off < 0 {
		off = 0
	}
	last, ok2 := scanTime(io.NewSectionReader(fh, off, in.Size-off), s.o, in.Path, true)
	return first, last, ok1 && ok2
}

// scanTime returns the time of the first (or last) record that parses in r.
// UTF-16 files are left alone (their tail cannot be decoded without the
// BOM), and report no range.
func scanTime(r io.Reader, o Options, file string, lastOne bool) (time.Time, bool) {
	p := newNPSLine(o, file)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	var t time.Time
	found := false
	skipFirst := lastOne // the first line of a tail is usually partial
	for sc.Scan() {
		if skipFirst {
			skipFirst = false
			continue
		}
		line := strings.TrimRight(sc.Text(), "\r")
		if line == "" || strings.IndexByte(line, 0) >= 0 {
			continue
		}
		m, err := p.Parse(line, model.Source{File: file})
		if err != nil && m.Kind == model.KindUnknown {
			continue
		}
		t, found = m.Time, true
		if !lastOne {
			break
		}
	}
	return t, found
}

// readFile parses one input into batches on c.ch.
//
// The semaphore sem bounds how many files parse at once. A reader holds it
// only while it fills a batch, never while it waits to hand the batch over:
// the merge may need the next batch of a file that is not yet running, and
// a reader blocked on a full channel while holding a place would deadlock
// it.
func (s *Stream) readFile(ctx context.Context, c *cursor, sem chan struct{}) {
	held := false
	acquire := func() bool {
		if held {
			return true
		}
		select {
		case sem <- struct{}{}:
			held = true
			return true
		case <-ctx.Done():
			return false
		}
	}
	release := func() {
		if held {
			<-sem
			held = false
		}
	}
	defer release()
	send := func(b batch) bool {
		release()
		select {
		case c.ch <- b:
			return true
		case <-ctx.Done():
			return false
		}
	}
	if !acquire() {
		return
	}
	r, closer, err := s.openInput(ctx, c.in)
	if err != nil {
		send(batch{done: true, err: err})
		return
	}
	defer closer()
	s.files.Add(1)
	b := batch{msgs: make([]model.Message, 0, batchSize)}
	for {
		if !acquire() {
			return
		}
		m, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil && !model.IsParseError(err) {
			// A final error of this file: report it as a ParseError
			// naming the file, and go on with the other files.
			if !errors.Is(err, context.Canceled) {
				err = &model.ParseError{Src: model.Source{File: c.in.Path, Format: c.in.Format}, Err: err}
			}
			b.done, b.err = true, err
			send(b)
			return
		}
		if err != nil && b.errs == nil {
			b.errs = make([]error, len(b.msgs), batchSize)
		}
		b.msgs = append(b.msgs, m)
		if b.errs != nil {
			b.errs = append(b.errs, err)
		}
		if len(b.msgs) == batchSize {
			if !send(b) {
				return
			}
			b = batch{msgs: make([]model.Message, 0, batchSize)}
		}
	}
	b.done = true
	send(b)
}

// countingReader counts the bytes read from a file.
type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// openInput opens one input and returns its reader.
func (s *Stream) openInput(ctx context.Context, in Input) (reader, func(), error) {
	var src io.Reader
	var ra io.ReaderAt
	size := in.Size
	closer := func() {}
	if in.Path == "-" {
		src = s.o.Stdin
		if src == nil {
			src = os.Stdin
		}
	} else {
		fh, err := os.Open(in.Path)
		if err != nil {
			return nil, nil, &model.ParseError{Src: model.Source{File: in.Path}, Err: err}
		}
		closer = func() { fh.Close() }
		src = fh
		if !in.Gzip {
			ra = fh
		}
	}
	br := bufio.NewReaderSize(countingReader{src, &s.bytes}, 256<<10)
	r, gz, err := maybeGunzip(br)
	if err != nil {
		closer()
		return nil, nil, &model.ParseError{Src: model.Source{File: in.Path}, Err: err}
	}
	if gz {
		ra, size = nil, -1
	}
	rb := bufio.NewReaderSize(r, 256<<10)
	head, _ := rb.Peek(headSize)
	if len(head) == 0 {
		return emptyReader{}, closer, nil
	}
	f, name := sniff(head)
	if f == nil {
		closer()
		return nil, nil, &model.ParseError{Src: model.Source{File: in.Path}, Err: ErrUnknownFormat}
	}
	file := in.Path
	// One large plain NPS log alone: parse it on all cores. (Several files
	// are already parsed in parallel, one goroutine each.)
	if f.text && f.name == "nps" && ra != nil && size >= int64(parallelMin) && len(s.inputs) == 1 &&
		s.o.Workers > 1 && textio.NewReader(bytes.NewReader(head)).Encoding() != textio.UTF16LE &&
		textio.NewReader(bytes.NewReader(head)).Encoding() != textio.UTF16BE {
		p := newParallelNPS(ctx, countingReader{io.NewSectionReader(ra, 0, size), &s.bytes}, name, file, s.o, s.o.Workers)
		return p, func() { p.Close(); closer() }, nil
	}
	rd, err := f.open(rb, ra, size, name, file, s.o)
	if err != nil {
		closer()
		return nil, nil, &model.ParseError{Src: model.Source{File: in.Path, Format: name}, Err: err}
	}
	return rd, closer, nil
}

type emptyReader struct{}

func (emptyReader) Read() (model.Message, error) { return model.Message{}, io.EOF }
