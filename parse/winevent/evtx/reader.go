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
	"strconv"
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
	r    io.ReaderAt
	size int64
	opts Options

	header  Header
	started bool
	nChunks int
	base    int64 // file offset of chunk 0
	next    int   // next chunk index to load

	buf     []byte
	dec     *chunkDec
	chunk   int // index of the loaded chunk, -1 when none
	pos     int // next record offset inside the chunk
	free    int // the chunk's free-space offset
	slack   bool
	pending []error
	err     error
}

// NewReader returns a Reader of the size bytes of r.
func NewReader(r io.ReaderAt, size int64, opts Options) *Reader {
	return &Reader{r: r, size: size, opts: opts, chunk: -1, buf: make([]byte, ChunkSize), dec: newChunkDec()}
}

// Header returns the file header; it is valid after the first Read.
func (r *Reader) Header() Header { return r.header }

// Sniff reports whether head starts like an EVTX file (or, for carved
// data, like a chunk).
func Sniff(head []byte) bool {
	return bytes.HasPrefix(head, fileMagic) || bytes.HasPrefix(head, chunkMagic)
}

func (r *Reader) src(off int64, rec uint64) model.Source {
	return model.Source{Format: model.FormatEVTX, File: r.opts.File, Offset: off, Record: int64(rec)}
}

func (r *Reader) perr(off int64, rec uint64, field string, err error) *model.ParseError {
	return &model.ParseError{Src: r.src(off, rec), Field: field, Err: err}
}

func chunkField(i int) string { return "chunk " + strconv.Itoa(i) }

func (r *Reader) start() error {
	r.started = true
	r.base = FileHeaderSize
	hdr := make([]byte, FileHeaderSize)
	n, err := r.r.ReadAt(hdr, 0)
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
			r.pending = append(r.pending, r.perr(0, 0, "file header",
				fmt.Errorf("%w: version %d.%d", ErrFileHeader, r.header.MajorVersion, r.header.MinorVersion)))
		}
		if !r.opts.SkipChecksums {
			if want, got := binary.LittleEndian.Uint32(hdr[124:]), crc32.ChecksumIEEE(hdr[:120]); want != got {
				r.pending = append(r.pending, r.perr(0, 0, "file header",
					fmt.Errorf("%w: stored 0x%08x, computed 0x%08x", ErrChecksum, want, got)))
			}
		}
	case bytes.HasPrefix(hdr, chunkMagic):
		// A lone chunk (carved, or cut out of a file): read it from offset 0.
		body = r.size
		r.base = 0
	default:
		r.pending = append(r.pending, r.perr(0, 0, "file header", fmt.Errorf("%w: signature %q", ErrFileHeader, prefix(hdr, 8))))
	}
	if body < 0 {
		body = 0
	}
	r.nChunks = int(body / ChunkSize)
	if rest := body % ChunkSize; rest > 0 {
		off := r.chunkOffset(r.nChunks)
		tail := make([]byte, rest)
		if _, err := r.r.ReadAt(tail, off); err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		if !allZero(tail) {
			r.pending = append(r.pending, r.perr(off, 0, chunkField(r.nChunks),
				fmt.Errorf("%w: %d bytes", ErrTrailing, rest)))
		}
	}
	return nil
}

func (r *Reader) chunkOffset(i int) int64 { return r.base + int64(i)*ChunkSize }

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
			err := r.pending[0]
			r.pending = r.pending[1:]
			return Record{}, err
		}
		if r.chunk >= 0 {
			rec, err, ok := r.nextRecord()
			if ok {
				return rec, err
			}
			r.chunk = -1
			continue
		}
		if r.next >= r.nChunks {
			r.err = io.EOF
			return Record{}, io.EOF
		}
		if err := r.loadChunk(r.next); err != nil {
			r.err = err
			return Record{}, err
		}
		r.next++
	}
}

// loadChunk reads chunk i, checks it and makes it current (or queues the
// reason it was skipped).
func (r *Reader) loadChunk(i int) error {
	off := r.chunkOffset(i)
	n, err := r.r.ReadAt(r.buf, off)
	if err != nil && !(errors.Is(err, io.EOF) && n == ChunkSize) {
		return err
	}
	b := r.buf
	if !bytes.HasPrefix(b, chunkMagic) {
		if allZero(b[:ChunkHeaderSize]) {
			return nil // an unused, preallocated chunk
		}
		r.pending = append(r.pending, r.perr(off, 0, chunkField(i),
			fmt.Errorf("%w: %q at offset %d; chunk skipped", ErrChunkSignature, b[:8], off)))
		return nil
	}
	free := int(binary.LittleEndian.Uint32(b[48:]))
	if free < ChunkHeaderSize || free > ChunkSize {
		r.pending = append(r.pending, r.perr(off, 0, chunkField(i),
			fmt.Errorf("%w: free space offset %d out of range; records read up to the end of the chunk", ErrRecord, free)))
		free = ChunkSize
	}
	if !r.opts.SkipChecksums {
		h := crc32.ChecksumIEEE(b[:120])
		h = crc32.Update(h, crc32.IEEETable, b[128:ChunkHeaderSize])
		if want := binary.LittleEndian.Uint32(b[124:]); want != h {
			r.pending = append(r.pending, r.perr(off, 0, chunkField(i),
				fmt.Errorf("%w: chunk header: stored 0x%08x, computed 0x%08x", ErrChecksum, want, h)))
		}
		if d, want := crc32.ChecksumIEEE(b[ChunkHeaderSize:free]), binary.LittleEndian.Uint32(b[52:]); want != d {
			r.pending = append(r.pending, r.perr(off, 0, chunkField(i),
				fmt.Errorf("%w: chunk records: stored 0x%08x, computed 0x%08x", ErrChecksum, want, d)))
		}
	}
	r.dec.reset(b)
	r.chunk = i
	r.pos = ChunkHeaderSize
	r.free = free
	r.slack = false
	return nil
}

// nextRecord decodes the record at r.pos. ok is false when the chunk has
// no more records.
func (r *Reader) nextRecord() (rec Record, err error, ok bool) {
	b := r.buf
	off := r.chunkOffset(r.chunk)
	for {
		if !r.slack && (r.pos >= r.free || r.pos+recordHeader > ChunkSize) {
			if !r.opts.Recover {
				return Record{}, nil, false
			}
			r.slack = true
			r.pos = (r.pos + 7) &^ 7
		}
		if r.slack {
			// Look for a whole, self-consistent record in the slack space.
			p := r.pos
			for ; p+recordHeader+4 <= ChunkSize; p += 8 {
				if bytes.Equal(b[p:p+4], recordMagic) {
					size := int(binary.LittleEndian.Uint32(b[p+4:]))
					if size >= recordHeader+4 && p+size <= ChunkSize && int(binary.LittleEndian.Uint32(b[p+size-4:])) == size {
						break
					}
				}
			}
			if p+recordHeader+4 > ChunkSize {
				return Record{}, nil, false
			}
			r.pos = p
		}
		p := r.pos
		if !bytes.Equal(b[p:p+4], recordMagic) {
			if allZero(b[p : p+4]) {
				return Record{}, nil, false
			}
			r.pos = ChunkSize
			return Record{}, r.perr(off+int64(p), 0, chunkField(r.chunk),
				fmt.Errorf("%w: signature % x at chunk offset %d; rest of chunk skipped", ErrRecord, b[p:p+4], p)), true
		}
		size := int(binary.LittleEndian.Uint32(b[p+4:]))
		id := binary.LittleEndian.Uint64(b[p+8:])
		if size < recordHeader+4 || p+size > ChunkSize {
			r.pos = ChunkSize
			return Record{}, r.perr(off+int64(p), id, chunkField(r.chunk),
				fmt.Errorf("%w: size %d at chunk offset %d; rest of chunk skipped", ErrRecord, size, p)), true
		}
		r.pos = p + size
		rec = Record{
			ID:        id,
			Written:   Filetime(binary.LittleEndian.Uint64(b[p+16:])),
			Chunk:     r.chunk,
			Offset:    off + int64(p),
			Size:      size,
			Recovered: r.slack,
		}
		if copySize := int(binary.LittleEndian.Uint32(b[p+size-4:])); copySize != size {
			err = r.perr(rec.Offset, id, chunkField(r.chunk),
				fmt.Errorf("%w: size %d, trailing size copy %d", ErrRecord, size, copySize))
		}
		root, derr := r.decodeRecord(p+recordHeader, p+size-4)
		if derr != nil && err == nil {
			err = r.perr(rec.Offset, id, chunkField(r.chunk), derr)
		}
		rec.Root = root
		rec.Event = EventFromElement(root)
		return rec, err, true
	}
}

// decodeRecord decodes the binary XML in the chunk between start and end.
func (r *Reader) decodeRecord(start, end int) (*Element, error) {
	return decodeFragment(r.dec, start, end)
}

func decodeFragment(dec *chunkDec, start, end int) (*Element, error) {
	// A fresh arena per record: the strings of earlier records point
	// into the old one.
	dec.arena = make([]byte, 0, end-start+128)
	items, err := dec.fragment(start, end, 0)
	holder := &Element{}
	b := builder{c: dec}
	b.fill(holder, items, nil, 0)
	dec.lastElems = b.elems
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
// any other error is yielded once and ends it.
func (r *Reader) All() iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
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
