package output

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/radscope/radscope/model"
)

// Format is an output format.
type Format string

const (
	Table  Format = "table"
	NDJSON Format = "ndjson"
	JSON   Format = "json"
	CSV    Format = "csv"
)

// Formats lists the output formats.
var Formats = []Format{Table, NDJSON, JSON, CSV}

// ParseFormat checks a --format value.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("output: unknown format %q (want table, ndjson, json or csv)", s)
}

// Writer writes messages in one format. Close flushes and ends the output
// (the closing bracket of a JSON document).
type Writer interface {
	Write(m *model.Message) error
	Close() error
}

// NewWriter returns a Writer of format f on w.
func NewWriter(f Format, w io.Writer, o Options) Writer {
	bw := bufio.NewWriterSize(w, 64<<10)
	switch f {
	case NDJSON:
		return &jsonWriter{w: bw, o: o}
	case JSON:
		return &jsonWriter{w: bw, o: o, array: true}
	case CSV:
		return &csvWriter{w: bw, cw: csv.NewWriter(bw), o: o}
	default:
		return &tableWriter{w: bw, o: o}
	}
}

type jsonWriter struct {
	w     *bufio.Writer
	o     Options
	array bool
	n     int
	buf   []byte
	fs    []kv
}

func (j *jsonWriter) Write(m *model.Message) error {
	j.fs = render(j.fs[:0], m, &j.o)
	b := j.buf[:0]
	if j.array {
		if j.n == 0 {
			b = append(b, "[\n"...)
		} else {
			b = append(b, ",\n"...)
		}
	}
	j.n++
	b = append(b, '{')
	first := true
	for _, f := range j.fs {
		if j.o.Fields != nil && !wanted(j.o.Fields, f.key) {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendJSONString(b, f.key)
		b = append(b, ':')
		switch {
		case f.multi != nil:
			b = append(b, '[')
			for i, v := range f.multi {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendJSONString(b, v)
			}
			b = append(b, ']')
		case f.num:
			b = append(b, f.val...)
		default:
			b = appendJSONString(b, f.val)
		}
	}
	b = append(b, '}')
	if !j.array {
		b = append(b, '\n')
	}
	j.buf = b
	_, err := j.w.Write(b)
	return err
}

func (j *jsonWriter) Close() error {
	if j.array {
		if j.n == 0 {
			j.w.WriteString("[]\n")
		} else {
			j.w.WriteString("\n]\n")
		}
	}
	return j.w.Flush()
}

func wanted(fields []string, key string) bool {
	for _, f := range fields {
		if strings.EqualFold(f, key) {
			return true
		}
	}
	return false
}

// appendJSONString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&15])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

type csvWriter struct {
	w      *bufio.Writer
	cw     *csv.Writer
	o      Options
	header bool
	fs     []kv
	row    []string
}

func (c *csvWriter) columns() []string {
	if c.o.Fields != nil {
		return c.o.Fields
	}
	return DefaultColumns
}

func (c *csvWriter) Write(m *model.Message) error {
	cols := c.columns()
	if !c.header {
		c.header = true
		if err := c.cw.Write(cols); err != nil {
			return err
		}
	}
	c.fs = render(c.fs[:0], m, &c.o)
	c.row = c.row[:0]
	for _, col := range cols {
		f, _ := lookup(c.fs, col)
		c.row = append(c.row, f.text())
	}
	return c.cw.Write(c.row)
}

func (c *csvWriter) Close() error {
	c.cw.Flush()
	if err := c.cw.Error(); err != nil {
		return err
	}
	return c.w.Flush()
}
