package output

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
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
	first bool
}

// The jsonWriter is its own emitter: fields go straight into buf.

func (j *jsonWriter) key(k string) bool {
	if j.o.Fields != nil && !wanted(j.o.Fields, k) {
		return false
	}
	if !j.first {
		j.buf = append(j.buf, ',')
	}
	j.first = false
	j.buf = appendJSONString(j.buf, k)
	j.buf = append(j.buf, ':')
	return true
}

func (j *jsonWriter) str(k, v string) {
	if j.key(k) {
		j.buf = appendJSONString(j.buf, v)
	}
}

func (j *jsonWriter) num(k string, v int64) {
	if j.key(k) {
		j.buf = strconv.AppendInt(j.buf, v, 10)
	}
}

func (j *jsonWriter) time(k string, t time.Time) {
	if j.key(k) {
		j.buf = append(j.buf, '"')
		j.buf = appendTime(j.buf, t)
		j.buf = append(j.buf, '"')
	}
}

func (j *jsonWriter) source(k string, s model.Source) {
	if j.key(k) {
		start := len(j.buf)
		j.buf = s.AppendTo(j.buf)
		// file names may need escaping: re-encode the appended text
		src := string(j.buf[start:])
		j.buf = appendJSONString(j.buf[:start], src)
	}
}

func (j *jsonWriter) multi(k string, vals []string) {
	if j.key(k) {
		j.buf = append(j.buf, '[')
		for i, v := range vals {
			if i > 0 {
				j.buf = append(j.buf, ',')
			}
			j.buf = appendJSONString(j.buf, v)
		}
		j.buf = append(j.buf, ']')
	}
}

func (j *jsonWriter) Write(m *model.Message) error {
	j.buf = j.buf[:0]
	if j.array {
		if j.n == 0 {
			j.buf = append(j.buf, "[\n"...)
		} else {
			j.buf = append(j.buf, ",\n"...)
		}
	}
	j.n++
	j.buf = append(j.buf, '{')
	j.first = true
	emit(j, m, &j.o)
	j.buf = append(j.buf, '}')
	if !j.array {
		j.buf = append(j.buf, '\n')
	}
	_, err := j.w.Write(j.buf)
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

// jsonSafe marks the ASCII bytes that go into a JSON string as they are.
var jsonSafe = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// appendJSONString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD;
// U+2028 and U+2029 are escaped so the output is also valid JavaScript.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if jsonSafe[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
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

// appendTime appends t in timeLayout (2006-01-02T15:04:05.000Z07:00)
// without the generic formatter, which costs more than the rest of a record.
func appendTime(b []byte, t time.Time) []byte {
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	if y < 0 || y > 9999 {
		return t.AppendFormat(b, timeLayout)
	}
	b = append4(b, y)
	b = append(b, '-')
	b = append2(b, int(mo))
	b = append(b, '-')
	b = append2(b, d)
	b = append(b, 'T')
	b = append2(b, h)
	b = append(b, ':')
	b = append2(b, mi)
	b = append(b, ':')
	b = append2(b, s)
	b = append(b, '.')
	ms := t.Nanosecond() / 1e6
	b = append(b, byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10))
	_, off := t.Zone()
	if off == 0 {
		return append(b, 'Z')
	}
	if off < 0 {
		b = append(b, '-')
		off = -off
	} else {
		b = append(b, '+')
	}
	b = append2(b, off/3600)
	b = append(b, ':')
	return append2(b, off%3600/60)
}

func append2(b []byte, n int) []byte { return append(b, byte('0'+n/10%10), byte('0'+n%10)) }
func append4(b []byte, n int) []byte {
	return append(b, byte('0'+n/1000), byte('0'+n/100%10), byte('0'+n/10%10), byte('0'+n%10))
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
		f, ok := lookup(c.fs, col)
		if !ok {
			f.val = keyField(m, col)
		}
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
