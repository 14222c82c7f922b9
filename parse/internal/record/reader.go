package record

import (
	"errors"
	"fmt"
	"io"
	"iter"
	"strings"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/parse/textio"
)

// ErrTruncated reports a last line that has no line ending and is not a
// whole record: a log that was still being written when it was copied.
var ErrTruncated = errors.New("truncated record (no line ending: the log was still being written)")

// LineParser decodes one line of a text log.
type LineParser interface {
	// Parse decodes line (no line ending) found at src.
	Parse(line string, src model.Source) (model.Message, error)
	// Complete reports whether the line just parsed was a whole record.
	Complete() bool
}

// Reader runs a LineParser over the lines of an input, with the stream
// contract of package parse.
type Reader struct {
	lr     *textio.Reader
	p      LineParser
	format model.Format
	file   string
	err    error
}

// NewReader returns a Reader over the lines of r.
func NewReader(r io.Reader, p LineParser, format model.Format, file string) *Reader {
	return &Reader{lr: textio.NewReader(r), p: p, format: format, file: file}
}

// NewReaderFrom returns a Reader over the lines lr yields.
func NewReaderFrom(lr *textio.Reader, p LineParser, format model.Format, file string) *Reader {
	return &Reader{lr: lr, p: p, format: format, file: file}
}

// Encoding reports the text encoding detected.
func (r *Reader) Encoding() textio.Encoding { return r.lr.Encoding() }

// Read returns the next record.
func (r *Reader) Read() (model.Message, error) {
	if r.err != nil {
		return model.Message{}, r.err
	}
	for {
		ln, err := r.lr.Next()
		if err == textio.ErrLineTooLong {
			return model.Message{}, &model.ParseError{Src: model.Source{Format: r.format, File: r.file, Line: ln.No, Offset: ln.Offset}, Err: err}
		}
		if err != nil {
			if err != io.EOF {
				err = fmt.Errorf("%s: %s: %w", r.format, r.file, err)
			}
			r.err = err
			return model.Message{}, err
		}
		if blank(ln.Text) {
			continue
		}
		src := model.Source{Format: r.format, File: r.file, Line: ln.No, Offset: ln.Offset}
		m, perr := r.p.Parse(r.intern(ln.Text), src)
		if !ln.Complete && (perr != nil || !r.p.Complete()) {
			return truncated(m, perr, src)
		}
		return m, perr
	}
}

// intern copies a line out of the reader's buffer. Each record gets its own
// copy, so a message kept long (an open accounting session) holds only its
// own line.
func (r *Reader) intern(b []byte) string { return string(b) }

func blank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' && c != 0 {
			return false
		}
	}
	return true
}

// truncated turns the result of parsing an unfinished last line into an
// ErrTruncated error, keeping what was decoded.
func truncated(m model.Message, perr error, src model.Source) (model.Message, error) {
	var pe *model.ParseError
	if errors.As(perr, &pe) {
		src = pe.Src
		src.Col = 0
	}
	if m.Kind != model.KindUnknown {
		m.Marks |= model.MarkTruncated
	}
	err := ErrTruncated
	if pe != nil {
		err = fmt.Errorf("%w: %v", ErrTruncated, pe.Err)
	}
	return m, &model.ParseError{Src: src, Err: err}
}

// All adapts a Read method to the iterator contract of package parse.
func All(read func() (model.Message, error)) iter.Seq2[model.Message, error] {
	return func(yield func(model.Message, error) bool) {
		for {
			m, err := read()
			if err == io.EOF {
				return
			}
			if !yield(m, err) {
				return
			}
			if err != nil && !model.IsParseError(err) {
				return
			}
		}
	}
}

// FirstLine drops a UTF-8 byte-order mark from a sniffed head and returns
// its first line.
func FirstLine(head []byte) string {
	s := string(head)
	s = strings.TrimPrefix(s, "\xEF\xBB\xBF")
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return strings.TrimRight(s, "\r")
}
