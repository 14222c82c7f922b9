// Package evtx reads Windows XML Event Log files (.evtx), the binary format
// of "Save All Events As…" and `wevtutil epl`, without cgo or Windows APIs.
//
// A file is a 4096-byte header followed by 64 KiB chunks; each chunk holds
// records whose content is binary XML built from templates cached per
// chunk ([MS-EVEN6] §2.2.12, §3.1.4.7; the libyal EVTX specification). The
// Reader decodes every chunk present in the file, including chunks past the
// header's chunk count (dirty files that were never closed), and turns each
// record into an Element tree and the Event fields radscope needs.
//
// Errors follow the stream contract of package parse: damaged data yields a
// *model.ParseError naming the chunk, the record and the file offset, and
// reading goes on — a chunk with a bad signature is skipped, a CRC32
// mismatch is reported and the chunk decoded anyway, a record whose binary
// XML cannot be decoded is returned as far as it was read. Only I/O errors
// from the underlying io.ReaderAt end the stream.
package evtx

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"iter"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/radscope/radscope/model"
)

// Sizes fixed by the format.
const (
	FileHeaderSize  = 4096
	ChunkSize       = 65536
	ChunkHeaderSize = 512
	recordHeader    = 24
)

var (
	fileMagic   = []byte("ElfFile\x00")
	chunkMagic  = []byte("ElfChnk\x00")
	recordMagic = []byte{0x2a, 0x2a, 0x00, 0x00}
)

// Options control a Reader.
type Options struct {
	// File names the input in positions ("-" or "" for none).
	File string
	// SkipChecksums turns off the CRC32 checks of headers and chunk data.
	SkipChecksums bool
	// Recover also scans the unused space after each chunk's last record
	// for whole records left there (records of a dirty file or overwritten
	// chunks); they come back with Record.Recovered set.
	Recover bool
	// Workers is how many chunks are decoded at once: 0 means
	// runtime.GOMAXPROCS(0), 1 decodes in the calling goroutine. Records
	// come back in file order either way.
	Workers int
}

// Header is the file header.
type Header struct {
	FirstChunk, LastChunk uint64
	NextRecordID          uint64
	MajorVersion          uint16
	MinorVersion          uint16
	ChunkCount            uint16
	Flags                 uint32 // 0x1 dirty, 0x2 full
}

// Dirty reports whether the file was not closed cleanly.
func (h Header) Dirty() bool { return h.Flags&1 != 0 }

// Record is one event record.
type Record struct {
	ID        uint64    // event record identifier from the record header
	Written   time.Time // the record header's FILETIME
	Chunk     int       // 0-based chunk index in the file
	Offset    int64     // file offset of the record
	Size      int       // record size in bytes
	Recovered bool      // found in the slack space of a chunk (Options.Recover)
	Root      *Element  // the <Event> element; nil when nothing could be decoded
	Event     Event     // the fields read from Root
}

// Reader reads records from an EVTX file. It is not safe for concurrent use.
type Reader struct {
	src     *source
	size    int64
	header  Header
	started bool
	nChunks int
	next    int // next chunk index to decode

	buf     []byte
	dec     *chunkDec
	pipe    *pipeline
	pending []result
	err     error
}

// source is what decoding a chunk needs; workers share it (and not the
// Reader, so that an abandoned Reader can be collected and its workers
// stopped).
type source struct {
	ra   io.ReaderAt
	opts Options
	base int64 // file offset of chunk 0
}

// result is one record, or one error, in file order.
type result struct {
	rec Record
	err error
}

// NewReader returns a Reader of the size bytes of r.
func NewReader(r io.ReaderAt, size int64, opts Options) *Reader {
	return &Reader{src: &source{ra: r, opts: opts, base: FileHeaderSize}, size: size}
}

// Header returns the file header; it is valid after the first Read.
func (r *Reader) Header() Header { return r.header }

// Sniff reports whether head starts like an EVTX file (or, for carved
// data, like a chunk).
func Sniff(head []byte) bool {
	return bytes.HasPrefix(head, fileMagic) || bytes.HasPrefix(head, chunkMagic)
}

func (s *source) perr(off int64, rec uint64, field string, err error) *model.ParseError {
	return &model.ParseError{Src: model.Source{Format: model.FormatEVTX, File: s.opts.File, Offset: off, Record: int64(rec)}, Field: field, Err: err}
}

func (s *source) chunkOffset(i int) int64 { return s.base + int64(i)*ChunkSize }

func chunkField(i int) string { return "chunk " + strconv.Itoa(i) }

func (r *Reader) queue(err error) { r.pending = append(r.pending, result{err: err}) }

func (r *Reader) start() error {
	r.started = true
	r.src.base = FileHeaderSize
	hdr := make([]byte, FileHeaderSize)
	n, err := r.src.ra.ReadAt(hdr, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	hdr = hdr[:n]
	body := r.size - FileHeaderSize
	switch {
	case len(hdr) >= 128 && bytes.HasPrefix(hdr, fileMagic):
		r.header = Header{
			FirstChunk:   binary.LittleEndian.Uint64(hdr[8:]),
			LastChunk:    binary.LittleEndian.Uint64(hdr[16:]),
			NextRecordID: binary.LittleEndian.Uint64(hdr[24:]),
			MinorVersion: binary.LittleEndian.Uint16(hdr[36:]),
			MajorVersion: binary.LittleEndian.Uint16(hdr[38:]),
			ChunkCount:   binary.LittleEndian.Uint16(hdr[42:]),
			Flags:        binary.LittleEndian.Uint32(hdr[120:]),
		}
		if r.header.MajorVersion != 3 {
			r.queue(r.src.perr(0, 0, "file header",
				fmt.Errorf("%w: version %d.%d", ErrFileHeader, r.header.MajorVersion, r.header.MinorVersion)))
		}
		if !r.src.opts.SkipChecksums {
			if want, got := binary.LittleEndian.Uint32(hdr[124:]), crc32.ChecksumIEEE(hdr[:120]); want != got {
				r.queue(r.src.perr(0, 0, "file header",
					fmt.Errorf("%w: stored 0x%08x, computed 0x%08x", ErrChecksum, want, got)))
			}
		}
	case bytes.HasPrefix(hdr, chunkMagic):
		// A lone chunk (carved, or cut out of a file): read it from offset 0.
		body = r.size
		r.src.base = 0
	default:
		r.queue(r.src.perr(0, 0, "file header", fmt.Errorf("%w: signature %q", ErrFileHeader, prefix(hdr, 8))))
	}
	if body < 0 {
		body = 0
	}
	r.nChunks = int(body / ChunkSize)
	if rest := body % ChunkSize; rest > 0 {
		off := r.src.chunkOffset(r.nChunks)
		tail := make([]byte, rest)
		if _, err := r.src.ra.ReadAt(tail, off); err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		if !allZero(tail) {
			r.queue(r.src.perr(off, 0, chunkField(r.nChunks),
				fmt.Errorf("%w: %d bytes", ErrTrailing, rest)))
		}
	}
	return nil
}

func prefix(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

func allZero(b []byte) bool {
	for _, x := range b {
		if x != 0 {
			return false
		}
	}
	return true
}

// Read returns the next record. See the package documentation for the
// errors it returns; io.EOF ends the file.
func (r *Reader) Read() (Record, error) {
	if r.err != nil {
		return Record{}, r.err
	}
	if !r.started {
		if err := r.start(); err != nil {
			r.err = err
			return Record{}, err
		}
	}
	for {
		if len(r.pending) > 0 {
			res := r.pending[0]
			r.pending[0] = result{}
			r.pending = r.pending[1:]
			return res.rec, res.err
		}
		if r.next >= r.nChunks {
			r.finish(io.EOF)
			return Record{}, io.EOF
		}
		var res []result
		var err error
		if r.pipe == nil {
			workers := r.src.opts.Workers
			if workers <= 0 {
				workers = runtime.GOMAXPROCS(0)
			}
			if workers > 1 && r.nChunks-r.next > 1 {
				r.pipe = startPipeline(r.src, r.next, r.nChunks, workers)
				// Stop the workers if the Reader is dropped before the end.
				runtime.AddCleanup(r, func(p *pipeline) { p.stop() }, r.pipe)
			}
		}
		if r.pipe != nil {
			res, err = r.pipe.get()
		} else {
			if r.buf == nil {
				r.buf, r.dec = make([]byte, ChunkSize), newChunkDec()
			}
			res, err = r.src.decodeChunk(r.next, r.buf, r.dec)
		}
		r.next++
		if err != nil {
			r.finish(err)
			return Record{}, err
		}
		r.pending = res
	}
}

// finish makes err final and stops the workers.
func (r *Reader) finish(err error) {
	r.err = err
	if r.pipe != nil {
		r.pipe.stop()
	}
}

// Close stops the workers of a Reader that will not be read to the end.
// Reading after Close returns io.EOF.
func (r *Reader) Close() error {
	if r.err == nil {
		r.finish(io.EOF)
	}
	return nil
}

// pipeline decodes chunks on several goroutines and hands the results back
// in chunk order: futures holds one channel per chunk, in order, and is
// bounded, which bounds the memory held by decoded chunks.
type pipeline struct {
	jobs    chan job
	futures chan chan chunkOut
	done    chan struct{}
	once    sync.Once
}

type job struct {
	i   int
	out chan chunkOut
}

type chunkOut struct {
	res []result
	err error
}

func startPipeline(src *source, from, n, workers int) *pipeline {
	p := &pipeline{jobs: make(chan job), futures: make(chan chan chunkOut, 2*workers), done: make(chan struct{})}
	go func() {
		defer close(p.jobs)
		for i := from; i < n; i++ {
			out := make(chan chunkOut, 1)
			select {
			case p.futures <- out:
			case <-p.done:
				return
			}
			select {
			case p.jobs <- job{i, out}:
			case <-p.done:
				return
			}
		}
	}()
	for w := 0; w < workers; w++ {
		go func() {
			buf, dec := make([]byte, ChunkSize), newChunkDec()
			for j := range p.jobs {
				res, err := src.decodeChunk(j.i, buf, dec)
				j.out <- chunkOut{res, err}
			}
		}()
	}
	return p
}

func (p *pipeline) get() ([]result, error) {
	out := <-<-p.futures
	return out.res, out.err
}

func (p *pipeline) stop() { p.once.Do(func() { close(p.done) }) }

// decodeChunk reads chunk i into buf and decodes its records with dec. The
// results hold the records and the parse errors in file order; err is an
// I/O error.
func (s *source) decodeChunk(i int, buf []byte, dec *chunkDec) (res []result, err error) {
	off := s.chunkOffset(i)
	n, err := s.ra.ReadAt(buf, off)
	if err != nil && !(errors.Is(err, io.EOF) && n == ChunkSize) {
		return nil, err
	}
	b := buf
	field := chunkField(i)
	add := func(e error) { res = append(res, result{err: e}) }
	if !bytes.HasPrefix(b, chunkMagic) {
		if allZero(b[:ChunkHeaderSize]) {
			return nil, nil // an unused, preallocated chunk
		}
		add(s.perr(off, 0, field, fmt.Errorf("%w: %q at offset %d; chunk skipped", ErrChunkSignature, b[:8], off)))
		return res, nil
	}
	free := int(binary.LittleEndian.Uint32(b[48:]))
	if free < ChunkHeaderSize || free > ChunkSize {
		add(s.perr(off, 0, field, fmt.Errorf("%w: free space offset %d out of range; records read up to the end of the chunk", ErrRecord, free)))
		free = ChunkSize
	}
	if !s.opts.SkipChecksums {
		h := crc32.ChecksumIEEE(b[:120])
		h = crc32.Update(h, crc32.IEEETable, b[128:ChunkHeaderSize])
		if want := binary.LittleEndian.Uint32(b[124:]); want != h {
			add(s.perr(off, 0, field, fmt.Errorf("%w: chunk header: stored 0x%08x, computed 0x%08x", ErrChecksum, want, h)))
		}
		if d, want := crc32.ChecksumIEEE(b[ChunkHeaderSize:free]), binary.LittleEndian.Uint32(b[52:]); want != d {
			add(s.perr(off, 0, field, fmt.Errorf("%w: chunk records: stored 0x%08x, computed 0x%08x", ErrChecksum, want, d)))
		}
	}
	dec.reset(b)
	if n := int(binary.LittleEndian.Uint64(b[16:]) - binary.LittleEndian.Uint64(b[8:]) + 1); n > 0 && n < 4096 {
		res = slices.Grow(res, n)
	}
	pos, slack := ChunkHeaderSize, false
	for {
		if !slack && (pos >= free || pos+recordHeader > ChunkSize) {
			if !s.opts.Recover {
				return res, nil
			}
			slack = true
			pos = (pos + 7) &^ 7
		}
		if slack {
			// Look for a whole, self-consistent record in the slack space.
			p := pos
			for ; p+recordHeader+4 <= ChunkSize; p += 8 {
				if bytes.Equal(b[p:p+4], recordMagic) {
					size := int(binary.LittleEndian.Uint32(b[p+4:]))
					if size >= recordHeader+4 && p+size <= ChunkSize && int(binary.LittleEndian.Uint32(b[p+size-4:])) == size {
						break
					}
				}
			}
			if p+recordHeader+4 > ChunkSize {
				return res, nil
			}
			pos = p
		}
		p := pos
		if !bytes.Equal(b[p:p+4], recordMagic) {
			if !allZero(b[p : p+4]) {
				add(s.perr(off+int64(p), 0, field, fmt.Errorf("%w: signature % x at chunk offset %d; rest of chunk skipped", ErrRecord, b[p:p+4], p)))
			}
			return res, nil
		}
		size := int(binary.LittleEndian.Uint32(b[p+4:]))
		id := binary.LittleEndian.Uint64(b[p+8:])
		if size < recordHeader+4 || p+size > ChunkSize {
			add(s.perr(off+int64(p), id, field, fmt.Errorf("%w: size %d at chunk offset %d; rest of chunk skipped", ErrRecord, size, p)))
			return res, nil
		}
		pos = p + size
		rec := Record{
			ID:        id,
			Written:   Filetime(binary.LittleEndian.Uint64(b[p+16:])),
			Chunk:     i,
			Offset:    off + int64(p),
			Size:      size,
			Recovered: slack,
		}
		var rerr error
		if copySize := int(binary.LittleEndian.Uint32(b[p+size-4:])); copySize != size {
			rerr = s.perr(rec.Offset, id, field, fmt.Errorf("%w: size %d, trailing size copy %d", ErrRecord, size, copySize))
		}
		root, derr := decodeFragment(dec, p+recordHeader, p+size-4)
		if derr != nil && rerr == nil {
			rerr = s.perr(rec.Offset, id, field, derr)
		}
		rec.Root = root
		rec.Event = EventFromElement(root)
		res = append(res, result{rec, rerr})
	}
}

func decodeFragment(dec *chunkDec, start, end int) (*Element, error) {
	// The arena is shared by the records of a chunk and replaced when
	// full; strings of earlier records keep pointing into old arenas, whose
	// written bytes never change.
	if need := end - start + 128; cap(dec.arena)-len(dec.arena) < need {
		dec.arena = make([]byte, 0, max(need, arenaBlock))
	}
	items, err := dec.fragment(start, end, 0)
	holder := &Element{}
	b := builder{c: dec, slab: dec.slab}
	b.fill(holder, items, nil, 0)
	dec.slab = b.slab
	if err == nil {
		err = b.err
	}
	var root *Element
	for _, c := range holder.Children {
		if c.Name == "Event" {
			root = c
			break
		}
	}
	if root == nil && len(holder.Children) > 0 {
		root = holder.Children[0]
	}
	if root == nil && err == nil {
		err = fmt.Errorf("%w: record holds no element", ErrBinXML)
	}
	return root, err
}

// All returns an iterator over the records, following the stream contract
// of package parse: a *model.ParseError is yielded and iteration goes on;
// any other error is yielded once and ends it. Breaking out of the loop
// stops the workers.
func (r *Reader) All() iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		defer r.Close()
		for {
			rec, err := r.Read()
			if err == io.EOF {
				return
			}
			if !yield(rec, err) {
				return
			}
			if err != nil && !model.IsParseError(err) {
				return
			}
		}
	}
}
