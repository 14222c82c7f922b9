// Package winevent reads Windows event log exports — binary .evtx files,
// XML (wevtutil qe /f:xml, ToXml, Event Viewer "Save as XML"), CSV (Event
// Viewer "Save as CSV", PowerShell Export-Csv), JSON (Get-WinEvent |
// ConvertTo-Json, Winlogbeat/ECS NDJSON) and text (wevtutil qe /f:text,
// Event Viewer details, Get-WinEvent | Format-List) — into model.Message
// values of kind "event".
//
// Security events 6272-6280 of the Network Policy Server fill the RADIUS
// key fields (user, NAS, client, stations, policies, reason) and Code
// (6272 Access-Accept, 6273 Access-Reject, 6274/6275 discarded: CodeNone
// with an Outcome attribute); fields are taken by name, whatever the event
// version, or by position and version where an export lost the names
// (Get-WinEvent Properties). Messages of the NPS extension for Microsoft
// Entra MFA (channels Microsoft-AzureMfa-AuthN/AuthZ) fill model.MFA. NPS
// System events (4400-4405, 13, 18) and RD Gateway events (200, 201, 300,
// 302, 303, 312) get their fields named. Every other event is still
// emitted, with its data values as Attrs.
//
// Each format has a constructor returning the same *Reader, with Read and
// All following the stream contract of package parse, and a Sniff
// function; Sniff and NewReader at package level choose among them.
package winevent

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"iter"
	"time"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/parse/winevent/evtx"
)

// Options control a Reader.
type Options struct {
	// File names the input in positions.
	File string
	// Location is the zone of exports whose times carry none (Event Viewer
	// CSV and text, Get-WinEvent text and CSV, wevtutil /f:text); nil
	// means time.Local. Times with a zone (XML, EVTX, JSON) are kept.
	Location *time.Location
	// Strict makes the first *model.ParseError final.
	Strict bool
	// Size is the size of an EVTX input given as an io.ReaderAt; when it
	// is 0 (or the input is no io.ReaderAt) the input is read into memory.
	Size int64
	// Workers is how many EVTX chunks are decoded at once (0: GOMAXPROCS,
	// 1: none in parallel); events come back in file order either way.
	Workers int
}

func (o Options) loc() *time.Location {
	if o.Location == nil {
		return time.Local
	}
	return o.Location
}

// source yields events of one export format. A partial event may come
// with a *model.ParseError; other errors are final.
type source interface {
	next() (*Event, model.Source, error)
}

// Reader reads the events of one export.
type Reader struct {
	src  source
	opts Options
	err  error
}

func newReader(s source, opts Options) *Reader { return &Reader{src: s, opts: opts} }

// Read returns the next event as a message. A *model.ParseError reports one
// bad event (with a partial message marked model.MarkMalformed where part
// of it was read); io.EOF ends the input; other errors are final.
func (r *Reader) Read() (model.Message, error) {
	if r.err != nil {
		return model.Message{}, r.err
	}
	e, src, err := r.src.next()
	if err != nil {
		if !model.IsParseError(err) || r.opts.Strict {
			r.err = err
		}
		if e != nil && model.IsParseError(err) {
			m := ToMessage(e, src)
			m.Marks |= model.MarkMalformed
			return m, err
		}
		return model.Message{}, err
	}
	return ToMessage(e, src), nil
}

// Close releases what the reader started (the EVTX chunk workers); later
// reads return io.EOF. It does not close the underlying input.
func (r *Reader) Close() error {
	if c, ok := r.src.(io.Closer); ok {
		c.Close()
	}
	if r.err == nil {
		r.err = io.EOF
	}
	return nil
}

// All iterates over the messages following the stream contract of
// package parse; leaving the loop early calls Close.
func (r *Reader) All() iter.Seq2[model.Message, error] {
	return func(yield func(model.Message, error) bool) {
		defer r.Close()
		for {
			m, err := r.Read()
			if err == io.EOF {
				return
			}
			if !yield(m, err) {
				return
			}
			if err != nil && (!model.IsParseError(err) || r.opts.Strict) {
				return
			}
		}
	}
}

// Formats lists the formats this package reads.
var Formats = []model.Format{model.FormatEVTX, model.FormatXML, model.FormatCSV, model.FormatJSON, model.FormatText}

// Sniff recognises an event export from the first bytes of a file (raw,
// or already decoded to UTF-8).
func Sniff(head []byte) (model.Format, bool) {
	if evtx.Sniff(head) {
		return model.FormatEVTX, true
	}
	text := decodeHead(head)
	switch {
	case SniffXML(text):
		return model.FormatXML, true
	case SniffJSON(text):
		return model.FormatJSON, true
	case SniffCSV(text):
		return model.FormatCSV, true
	case SniffText(text):
		return model.FormatText, true
	}
	return model.FormatUnknown, false
}

// NewReader returns the reader of format f over r.
func NewReader(f model.Format, r io.Reader, opts Options) (*Reader, error) {
	switch f {
	case model.FormatEVTX:
		if ra, ok := r.(io.ReaderAt); ok && opts.Size > 0 {
			return NewEVTXReader(ra, opts.Size, opts), nil
		}
		data, err := io.ReadAll(r)
		if err != nil {
			return nil, fmt.Errorf("winevent: %w", err)
		}
		return NewEVTXReader(bytes.NewReader(data), int64(len(data)), opts), nil
	case model.FormatXML:
		return NewXMLReader(r, opts), nil
	case model.FormatCSV:
		return NewCSVReader(r, opts), nil
	case model.FormatJSON:
		return NewJSONReader(r, opts), nil
	case model.FormatText:
		return NewTextReader(r, opts), nil
	}
	return nil, fmt.Errorf("%w: %q", ErrUnknownFormat, f)
}

// SniffEVTX reports whether head starts an .evtx file.
func SniffEVTX(head []byte) bool { return evtx.Sniff(head) }

type evtxSource struct {
	r    *evtx.Reader
	file string
}

// NewEVTXReader reads a binary .evtx file of size bytes.
func NewEVTXReader(r io.ReaderAt, size int64, opts Options) *Reader {
	return newReader(&evtxSource{r: evtx.NewReader(r, size, evtx.Options{File: opts.File, Workers: opts.Workers}), file: opts.File}, opts)
}

func (s *evtxSource) Close() error { return s.r.Close() }

func (s *evtxSource) next() (*Event, model.Source, error) {
	rec, err := s.r.Read()
	src := model.Source{Format: model.FormatEVTX, File: s.file, Offset: rec.Offset, Record: int64(rec.Event.RecordID)}
	if src.Record == 0 {
		src.Record = int64(rec.ID)
	}
	if rec.Root == nil {
		return nil, src, err
	}
	return &Event{Event: rec.Event}, src, err
}

// decodedReader turns UTF-16 (with or without a BOM) and UTF-8 with a BOM
// into plain UTF-8; other input passes unchanged.
func decodedReader(r io.Reader) io.Reader {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(512)
	return decodeStream(br, head)
}
