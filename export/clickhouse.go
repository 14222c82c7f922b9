package export

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/radscope/radscope/export/ch"
	"github.com/radscope/radscope/flow"
	"github.com/radscope/radscope/model"
)

// MaxBatchRows is the most rows one INSERT carries: well under
// ClickHouse's 1,048,576-row block, above which a failed request can be
// partly committed.
const MaxBatchRows = 100_000

// Options control a ClickHouse export.
type Options struct {
	Tables    Tables
	BatchRows int           // rows per INSERT, at most MaxBatchRows (the default)
	InFlight  int           // concurrent INSERT requests; default 2
	Retries   int           // retries of a failed batch; default 5, -1 for none
	Backoff   time.Duration // wait before the first retry, doubled each time up to 8s; default 500ms
	// GzipLevel is the compress/gzip level of the request bodies. The zero
	// value, gzip.NoCompression, frames the JSON as gzip without
	// compressing it: for a server on the same machine, where compressing
	// only costs both processes CPU. gzip.BestSpeed suits a server across
	// a network (GzipLevelFor picks by address).
	GzipLevel   int
	ShowSecrets bool // keep sensitive attribute values (else "<redacted>", raw bytes dropped)
	// Progress, when set, is called after each committed batch (from one
	// goroutine at a time).
	Progress func(Progress)
}

// Progress counts what an export has committed so far.
type Progress struct {
	Messages   int64         // message rows committed
	Flows      int64         // flow rows committed
	Bytes      int64         // JSON bytes committed (before compression)
	Compressed int64         // request body bytes sent (gzip)
	Batches    int           // INSERTs that succeeded
	Retries    int           // INSERTs repeated after a failure
	Elapsed    time.Duration // since the exporter started
}

// Rows is Messages + Flows.
func (p Progress) Rows() int64 { return p.Messages + p.Flows }

// GzipLevelFor returns the gzip level for a server at addr (host:port):
// gzip.NoCompression on the loopback interface, where there is no
// bandwidth to save and compressing costs CPU on both ends (the two share
// the machine's cores), else gzip.BestSpeed (JSON rows compress about
// twelvefold).
func GzipLevelFor(addr string) int {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	if strings.EqualFold(host, "localhost") {
		return gzip.NoCompression
	}
	if ip, err := netip.ParseAddr(host); err == nil && ip.IsLoopback() {
		return gzip.NoCompression
	}
	return gzip.BestSpeed
}

// CreateSchema creates the tables (if they do not exist) in the client's
// database, and adds the columns of this version to a flows table an
// earlier radscope created.
func CreateSchema(ctx context.Context, c *ch.Client, t Tables) error {
	stmts, err := Schema("", t)
	if err != nil {
		return err
	}
	for _, s := range stmts {
		if err := c.Exec(ctx, s); err != nil {
			return fmt.Errorf("export: creating tables: %w", err)
		}
	}
	t = t.orDefault()
	missing, err := missingColumns(ctx, c, t.Flows, flowColumns)
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		// 18.16 has no ADD COLUMN IF NOT EXISTS: add what is missing.
		if err := c.Exec(ctx, alterAdd(t.Flows, missing)); err != nil {
			return fmt.Errorf("export: adding columns to %s: %w", t.Flows, err)
		}
	}
	return nil
}

// CheckSchema reports, as an error that says what to do, tables or
// columns this version writes that the client's database lacks.
func CheckSchema(ctx context.Context, c *ch.Client, t Tables) error {
	t = t.orDefault()
	if err := t.check(); err != nil {
		return err
	}
	var problems []string
	for _, tc := range []struct {
		name string
		cols [][2]string
	}{{t.Messages, messageColumns}, {t.Flows, flowColumns}, {t.Runs, runColumns}} {
		missing, err := missingColumns(ctx, c, tc.name, tc.cols)
		if err != nil {
			return err
		}
		switch {
		case len(missing) == len(tc.cols):
			problems = append(problems, "table "+tc.name+" does not exist")
		case len(missing) > 0:
			names := make([]string, len(missing))
			for i, m := range missing {
				names[i] = m[0]
			}
			problems = append(problems, tc.name+" lacks "+strings.Join(names, ", "))
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("export: database %s: %s: run the export once with --create-schema (it creates what is missing and keeps the rows), or have the DBA run the statements of --print-schema",
		c.Config().Database, strings.Join(problems, "; "))
}

// missingColumns returns the columns of cols (nested ones by their
// prefix) that table lacks in the client's database; all of them when the
// table does not exist.
func missingColumns(ctx context.Context, c *ch.Client, table string, cols [][2]string) ([][2]string, error) {
	have := map[string]bool{}
	q := "SELECT name FROM system.columns WHERE database = " + ch.Quote(c.Config().Database) + " AND table = " + ch.Quote(table) + " FORMAT TSV"
	err := c.Query(ctx, q, func(line []byte) error {
		name, _, _ := strings.Cut(string(line), ".")
		have[name] = true
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("export: reading the columns of %s: %w", table, err)
	}
	var missing [][2]string
	for _, col := range cols {
		if !have[col[0]] {
			missing = append(missing, col)
		}
	}
	return missing, nil
}

// The tables, as indexes of the exporter's arrays.
const (
	tMessages = iota
	tFlows
	tRuns
	nTables
)

// chunkSize is how much encoded JSON the encoder hands to the compressor
// at once.
const chunkSize = 1 << 20

type chunk struct {
	table int // tMessages, tFlows, tRuns
	data  []byte
	rows  int
	last  bool // the batch ends with this chunk
}

type batch struct {
	table      int
	gz         []byte
	rows       int
	raw        int64
	chunksDone bool
}

// ClickHouse streams flows and their messages into ClickHouse: rows are
// encoded as JSONEachRow by Add, gzip-compressed in a second goroutine and
// posted by InFlight senders; a failed batch is retried whole (the rows
// have deterministic ids and the tables are ReplacingMergeTree, so a batch
// that was partly committed before it failed leaves no duplicates).
type ClickHouse struct {
	c      *ch.Client
	o      Options
	names  [nTables]string
	start  time.Time
	ctx    context.Context
	cancel context.CancelFunc

	// encoder state (Add's goroutine)
	cur     [nTables][]byte
	curRows [nTables]int // rows in cur
	batched [nTables]int // rows in the current batch, cur included
	run     runState
	ord     uint64
	linked  map[int64]uint64 // auth flow seq -> id, for Flow.Linked
	parts   map[int64]uint64 // session part seq -> id, for Flow.Continues
	ids     []uint64

	chunks  chan chunk
	free    chan []byte // chunk buffers the compressor is done with
	bodies  chan []byte // request bodies the senders are done with
	batches chan *batch
	wg      sync.WaitGroup
	cwg     sync.WaitGroup

	mu   sync.Mutex
	prog Progress
	err  error
}

// NewClickHouse starts an exporter writing through c. Close must be
// called to flush it.
func NewClickHouse(ctx context.Context, c *ch.Client, o Options) (*ClickHouse, error) {
	o.Tables = o.Tables.orDefault()
	if err := o.Tables.check(); err != nil {
		return nil, err
	}
	if o.BatchRows <= 0 || o.BatchRows > MaxBatchRows {
		if o.BatchRows > MaxBatchRows {
			return nil, fmt.Errorf("export: batch of %d rows is over the limit of %d", o.BatchRows, MaxBatchRows)
		}
		o.BatchRows = MaxBatchRows
	}
	if o.InFlight <= 0 {
		o.InFlight = 2
	}
	if o.Retries == 0 {
		o.Retries = 5
	} else if o.Retries < 0 {
		o.Retries = 0
	}
	if o.Backoff <= 0 {
		o.Backoff = 500 * time.Millisecond
	}
	if _, err := gzip.NewWriterLevel(nil, o.GzipLevel); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	e := &ClickHouse{
		c: c, o: o, start: time.Now(),
		names:   [nTables]string{o.Tables.Messages, o.Tables.Flows, o.Tables.Runs},
		linked:  map[int64]uint64{},
		parts:   map[int64]uint64{},
		chunks:  make(chan chunk, 4),
		free:    make(chan []byte, 8),
		bodies:  make(chan []byte, o.InFlight+1),
		batches: make(chan *batch),
	}
	e.ctx, e.cancel = context.WithCancel(ctx)
	e.cwg.Add(1)
	go e.compress()
	for range o.InFlight {
		e.wg.Add(1)
		go e.send()
	}
	return e, nil
}

func (e *ClickHouse) fail(err error) {
	e.mu.Lock()
	if e.err == nil {
		e.err = err
	}
	e.mu.Unlock()
	e.cancel()
}

func (e *ClickHouse) failed() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.err
}

// maxLinked bounds the map from flow numbers to ids used to resolve
// Flow.Linked; when it fills up it starts again (an accounting session
// more than a million attempts after its authentication keeps only its
// number).
const maxLinked = 1 << 20

// Add exports one flow and its messages. It returns the export's error
// once a batch has failed for good.
func (e *ClickHouse) Add(f *model.Flow) error {
	if err := e.failed(); err != nil {
		return err
	}
	if err := e.ctx.Err(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	e.ids = e.ids[:0]
	for i := range f.Messages {
		e.ids = append(e.ids, MessageID(&f.Messages[i]))
	}
	id := FlowID(f, e.ids)
	for i := range f.Messages {
		e.cur[tMessages] = appendMessage(e.cur[tMessages], &f.Messages[i], e.ids[i], id, i, e.o.ShowSecrets)
		if err := e.rowAdded(tMessages); err != nil {
			return err
		}
	}
	e.ord++
	var linkedID, continuesID uint64
	if f.Linked != 0 {
		linkedID = e.linked[f.Linked]
	}
	if f.Kind == model.FlowAuth {
		if len(e.linked) >= maxLinked {
			clear(e.linked)
		}
		e.linked[f.ID] = id
	}
	if f.Continues != 0 {
		// Each part is continued once: its entry goes.
		continuesID = e.parts[f.Continues]
		delete(e.parts, f.Continues)
	}
	if f.Part != 0 {
		if len(e.parts) >= maxLinked {
			clear(e.parts)
		}
		e.parts[f.ID] = id
	}
	e.run.add(f, id)
	e.cur[tFlows] = appendFlow(e.cur[tFlows], f, id, e.ord, linkedID, continuesID)
	return e.rowAdded(tFlows)
}

// runState sums up the flows of an export run for its row in the runs
// table.
type runState struct {
	h          uint64 // FNV-1a over the flows' ids
	flows      int64
	messages   int64
	start, end time.Time
	computers  []string
}

// maxComputers bounds the NPS server names a run row lists.
const maxComputers = 64

func (r *runState) add(f *model.Flow, id uint64) {
	if r.flows == 0 {
		r.h = fnv64a(fnvOffset, []byte("run"))
	}
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], id)
	r.h = fnv64a(r.h, b[:])
	r.flows++
	r.messages += int64(len(f.Messages))
	if !f.Start.IsZero() && (r.start.IsZero() || f.Start.Before(r.start)) {
		r.start = f.Start
	}
	end := f.End
	if end.Before(f.Start) {
		end = f.Start
	}
	if end.After(r.end) {
		r.end = end
	}
	if f.Computer != "" && len(r.computers) < maxComputers && !slices.Contains(r.computers, f.Computer) {
		r.computers = append(r.computers, f.Computer)
	}
}

// AddRun writes the run's row: what the flow builder found about the
// inputs as a whole (st: the clock offsets between kinds of source and the
// zone hints), with the span and counts of the flows added. Call it once,
// after the last Add and before Close; a run without flows writes nothing.
func (e *ClickHouse) AddRun(st *flow.Stats) error {
	if err := e.failed(); err != nil {
		return err
	}
	if e.run.flows == 0 {
		return nil
	}
	slices.Sort(e.run.computers)
	e.cur[tRuns] = appendRun(e.cur[tRuns], &e.run, st)
	return e.rowAdded(tRuns)
}

func (e *ClickHouse) rowAdded(t int) error {
	e.curRows[t]++
	e.batched[t]++
	last := e.batched[t] >= e.o.BatchRows
	if last || len(e.cur[t]) >= chunkSize {
		return e.handOff(t, last)
	}
	return nil
}

func (e *ClickHouse) handOff(t int, last bool) error {
	c := chunk{table: t, data: e.cur[t], rows: e.curRows[t], last: last}
	select {
	case e.chunks <- c:
	case <-e.ctx.Done():
		if err := e.failed(); err != nil {
			return err
		}
		return fmt.Errorf("export: %w", e.ctx.Err())
	}
	select {
	case b := <-e.free:
		e.cur[t] = b[:0]
	default:
		e.cur[t] = make([]byte, 0, chunkSize+chunkSize/4)
	}
	e.curRows[t] = 0
	if last {
		e.batched[t] = 0
	}
	return nil
}

// compress gzips chunks into batches and hands full batches to the
// senders.
func (e *ClickHouse) compress() {
	defer e.cwg.Done()
	defer close(e.batches)
	var (
		buf  [nTables]*bytes.Buffer
		zw   [nTables]*gzip.Writer
		cur  [nTables]*batch
		size [nTables]int // body size of the table's last batch
		dead bool
	)
	for c := range e.chunks {
		if dead {
			continue // drain so Add never blocks
		}
		t := c.table
		if cur[t] == nil {
			// A body the senders are done with, or room for one like
			// the last: allocating and growing buffers of a hundred
			// megabytes costs clearing, copying and collections.
			var body []byte
			select {
			case body = <-e.bodies:
			default:
			}
			if cap(body) < size[t]+size[t]/8 {
				body = make([]byte, 0, size[t]+size[t]/8)
			}
			buf[t] = bytes.NewBuffer(body[:0])
			if zw[t] == nil {
				zw[t], _ = gzip.NewWriterLevel(buf[t], e.o.GzipLevel)
			} else {
				zw[t].Reset(buf[t])
			}
			cur[t] = &batch{table: t}
		}
		if len(c.data) > 0 {
			zw[t].Write(c.data) // a bytes.Buffer does not fail
		}
		select {
		case e.free <- c.data:
		default:
		}
		cur[t].rows += c.rows
		cur[t].raw += int64(len(c.data))
		if !c.last {
			continue
		}
		zw[t].Close()
		b := cur[t]
		b.gz = buf[t].Bytes()
		size[t] = len(b.gz)
		cur[t] = nil
		if b.rows == 0 {
			continue
		}
		select {
		case e.batches <- b:
		case <-e.ctx.Done():
			dead = true
		}
	}
}

func (e *ClickHouse) send() {
	defer e.wg.Done()
	for b := range e.batches {
		if e.ctx.Err() != nil {
			continue
		}
		if err := e.insert(b); err != nil {
			e.fail(err)
			continue
		}
		sent := len(b.gz)
		// The server answered 200 after reading the whole body: the
		// buffer is free (after a failure net/http may still be
		// writing it to the dying connection).
		select {
		case e.bodies <- b.gz:
		default:
		}
		e.mu.Lock()
		switch b.table {
		case tMessages:
			e.prog.Messages += int64(b.rows)
		case tFlows:
			e.prog.Flows += int64(b.rows)
		}
		e.prog.Bytes += b.raw
		e.prog.Compressed += int64(sent)
		e.prog.Batches++
		e.prog.Elapsed = time.Since(e.start)
		p := e.prog
		if e.o.Progress != nil {
			e.o.Progress(p)
		}
		e.mu.Unlock()
	}
}

// insert posts a batch, retrying it whole with exponential backoff while
// the failure may be temporary.
func (e *ClickHouse) insert(b *batch) error {
	wait := e.o.Backoff
	var err error
	for attempt := 0; ; attempt++ {
		err = e.c.InsertGzip(e.ctx, e.names[b.table], b.gz)
		if err == nil {
			return nil
		}
		if e.ctx.Err() != nil {
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return fmt.Errorf("export: %w", err)
			}
			return fmt.Errorf("export: inserting %d rows into %s: %w", b.rows, e.names[b.table], err)
		}
		if !ch.Temporary(err) || attempt >= e.o.Retries {
			break
		}
		e.mu.Lock()
		e.prog.Retries++
		e.mu.Unlock()
		select {
		case <-time.After(wait):
		case <-e.ctx.Done():
			return fmt.Errorf("export: %w", e.ctx.Err())
		}
		wait = min(wait*2, 8*time.Second)
	}
	tries := ""
	if e.o.Retries > 0 && ch.Temporary(err) {
		tries = fmt.Sprintf(" (gave up after %d attempts)", e.o.Retries+1)
	}
	return fmt.Errorf("export: inserting %d rows into %s%s: %w", b.rows, e.names[b.table], tries, err)
}

// Close flushes the last batches, waits for every request and returns
// what was committed, with the first error.
func (e *ClickHouse) Close() (Progress, error) {
	for t := range nTables {
		if e.failed() != nil || e.ctx.Err() != nil {
			break
		}
		if e.batched[t] > 0 {
			e.handOff(t, true)
		}
	}
	close(e.chunks)
	e.cwg.Wait()
	e.wg.Wait()
	err := e.failed()
	if err == nil && e.ctx.Err() != nil {
		err = fmt.Errorf("export: %w", e.ctx.Err())
	}
	e.cancel()
	e.c.Close()
	e.mu.Lock()
	defer e.mu.Unlock()
	e.prog.Elapsed = time.Since(e.start)
	return e.prog, err
}
