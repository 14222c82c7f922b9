package parse

import (
	"bytes"
	"context"
	"io"
	"runtime"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/parse/internal/record"
	"github.com/radscope/radscope/parse/textio"
)

// chunkSize is the piece of a large log one worker parses at a time (a
// variable so that tests can cut small files into many chunks).
var chunkSize = 1 << 20

// parallelMin is the smallest file worth parsing on several cores.
var parallelMin = 16 * chunkSize

// parallelNPS reads one large plain NPS text log on several cores: a reader
// goroutine cuts the file into chunks at line ends and numbers their lines,
// workers parse the chunks, each with its own parsers, and Read hands the
// results back in file order. Memory is bounded by the chunks in flight
// (about twice the workers), not by the file.
type parallelNPS struct {
	order  chan chan chunkResult
	cur    chunkResult
	pos    int
	err    error
	cancel context.CancelFunc
}

type chunkJob struct {
	data      []byte
	firstLine int
	offset    int64
	slot      chan chunkResult
}

type chunkResult struct {
	msgs []model.Message
	errs []error // nil, or errs[i] goes with msgs[i]
	err  error   // a final error (I/O) after msgs
}

func newParallelNPS(ctx context.Context, r io.Reader, f model.Format, file string, o Options, workers int) *parallelNPS {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancel(ctx)
	p := &parallelNPS{order: make(chan chan chunkResult, workers), cancel: cancel}
	jobs := make(chan chunkJob, workers)
	for range workers {
		go func() {
			lp := newNPSLine(o, file)
			for j := range jobs {
				j.slot <- parseChunk(j, lp, f, file)
			}
		}()
	}
	go p.cut(ctx, r, jobs)
	return p
}

// cut reads r in chunks that end at a line end and queues them.
func (p *parallelNPS) cut(ctx context.Context, r io.Reader, jobs chan<- chunkJob) {
	defer close(jobs)
	defer close(p.order)
	line, off := 1, int64(0)
	var carry []byte
	first := true
	for {
		buf := make([]byte, len(carry), len(carry)+chunkSize)
		copy(buf, carry)
		n, err := io.ReadFull(r, buf[len(carry):cap(buf)])
		buf = buf[:len(carry)+n]
		if first {
			first = false
			if bytes.HasPrefix(buf, []byte("\xEF\xBB\xBF")) {
				buf = buf[3:]
				off = 3
			}
		}
		eof := err == io.EOF || err == io.ErrUnexpectedEOF
		if err != nil && !eof {
			slot := make(chan chunkResult, 1)
			slot <- chunkResult{err: err}
			select {
			case p.order <- slot:
			case <-ctx.Done():
			}
			return
		}
		data := buf
		carry = nil
		if !eof {
			cut := bytes.LastIndexByte(buf, '\n')
			if cut < 0 {
				// a line longer than a chunk: read on until it ends
				carry = buf
				continue
			}
			data, carry = buf[:cut+1], buf[cut+1:]
		}
		if len(data) > 0 {
			slot := make(chan chunkResult, 1)
			select {
			case p.order <- slot:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- chunkJob{data: data, firstLine: line, offset: off, slot: slot}:
			case <-ctx.Done():
				return
			}
			line += bytes.Count(data, []byte{'\n'})
			off += int64(len(data))
		}
		if eof {
			return
		}
	}
}

func parseChunk(j chunkJob, lp *npsLine, f model.Format, file string) chunkResult {
	rd := record.NewReaderFrom(textio.NewReaderAt(bytes.NewReader(j.data), j.firstLine, j.offset), lp, f, file)
	var res chunkResult
	res.msgs = make([]model.Message, 0, len(j.data)/300)
	for {
		m, err := rd.Read()
		if err == io.EOF {
			return res
		}
		if err != nil && !model.IsParseError(err) {
			res.err = err
			return res
		}
		if err != nil && res.errs == nil {
			res.errs = make([]error, len(res.msgs), cap(res.msgs))
		}
		res.msgs = append(res.msgs, m)
		if res.errs != nil {
			res.errs = append(res.errs, err)
		}
	}
}

// Read returns the next message in file order.
func (p *parallelNPS) Read() (model.Message, error) {
	for p.pos >= len(p.cur.msgs) {
		if p.err != nil {
			return model.Message{}, p.err
		}
		if p.cur.err != nil {
			p.err = p.cur.err
			return model.Message{}, p.err
		}
		slot, ok := <-p.order
		if !ok {
			p.err = io.EOF
			p.cancel()
			return model.Message{}, io.EOF
		}
		p.cur, p.pos = <-slot, 0
	}
	m := p.cur.msgs[p.pos]
	var err error
	if p.cur.errs != nil {
		err = p.cur.errs[p.pos]
	}
	p.cur.msgs[p.pos] = model.Message{} // let the chunk go once read
	p.pos++
	return m, err
}

// Close stops the goroutines of a reader not read to the end.
func (p *parallelNPS) Close() {
	p.cancel()
	for slot := range p.order {
		go func() { <-slot }()
	}
}
