package report

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/output"
)

// RowOptions control how rows are written.
type RowOptions struct {
	Fields   []string       // columns (table, CSV) or fields kept (NDJSON, JSON); nil for the defaults / all
	Location *time.Location // zone for times; nil keeps the flows' own
	TTY      bool           // table aligned and cut to width (else tab-separated)
	Color    bool           // ANSI colour in the table (paired with words)
}

// RowWriter writes one row per flow.
type RowWriter interface {
	Write(f *model.Flow) error
	Close() error
}

// NewRowWriter returns a RowWriter of format fm on w.
func NewRowWriter(fm output.Format, w io.Writer, o RowOptions) RowWriter {
	bw := bufio.NewWriterSize(w, 64<<10)
	switch fm {
	case output.NDJSON:
		return &jsonRows{w: bw, o: o}
	case output.JSON:
		return &jsonRows{w: bw, o: o, array: true}
	case output.CSV:
		return &csvRows{w: bw, cw: csv.NewWriter(bw), o: o}
	}
	return &tableRows{w: bw, o: o}
}

func wanted(fields []string, key string) bool {
	if fields == nil {
		return true
	}
	for _, f := range fields {
		if strings.EqualFold(f, key) {
			return true
		}
	}
	return false
}

type jsonRows struct {
	w     *bufio.Writer
	o     RowOptions
	array bool
	n     int
}

// jsonFinding is a finding in JSON, with its evidence as source positions.
type jsonFinding struct {
	Rule     string   `json:"rule"`
	Severity string   `json:"severity"`
	Text     string   `json:"text"`
	Remedy   string   `json:"remedy"`
	Evidence []string `json:"evidence,omitempty"`
}

func findingsJSON(f *model.Flow, fs []model.Finding) []jsonFinding {
	out := make([]jsonFinding, 0, len(fs))
	for _, fd := range fs {
		j := jsonFinding{Rule: fd.Rule, Severity: fd.Severity.String(), Text: fd.Text, Remedy: fd.Remedy}
		for _, e := range fd.Evidence {
			if e >= 0 && e < len(f.Messages) {
				j.Evidence = append(j.Evidence, f.Messages[e].Src.String())
			}
		}
		out = append(out, j)
	}
	return out
}

func (j *jsonRows) Write(f *model.Flow) error {
	var b []byte
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
	for _, fd := range fields(f, j.o.Location) {
		if !wanted(j.o.Fields, fd.key) {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendJSON(b, fd.key)
		b = append(b, ':')
		switch {
		case fd.finds != nil:
			b = appendJSON(b, findingsJSON(f, fd.finds))
		case fd.list != nil:
			b = appendJSON(b, fd.list)
		case fd.num:
			b = append(b, fd.val...)
		default:
			b = appendJSON(b, fd.val)
		}
	}
	b = append(b, '}')
	if !j.array {
		b = append(b, '\n')
	}
	_, err := j.w.Write(b)
	return err
}

func appendJSON(b []byte, v any) []byte {
	out, err := json.Marshal(v)
	if err != nil {
		return append(b, `null`...)
	}
	return append(b, out...)
}

func (j *jsonRows) Close() error {
	if j.array {
		if j.n == 0 {
			j.w.WriteString("[]\n")
		} else {
			j.w.WriteString("\n]\n")
		}
	}
	return j.w.Flush()
}

type csvRows struct {
	w      *bufio.Writer
	cw     *csv.Writer
	o      RowOptions
	header bool
}

func columns(fields []string) []string {
	if fields != nil {
		return fields
	}
	return DefaultColumns
}

func (c *csvRows) Write(f *model.Flow) error {
	cols := columns(c.o.Fields)
	if !c.header {
		c.header = true
		if err := c.cw.Write(cols); err != nil {
			return err
		}
	}
	fs := fields(f, c.o.Location)
	row := make([]string, len(cols))
	for i, col := range cols {
		fd, _ := lookup(fs, col)
		row[i] = fd.val
	}
	return c.cw.Write(row)
}

func (c *csvRows) Close() error {
	c.cw.Flush()
	if err := c.cw.Error(); err != nil {
		return err
	}
	return c.w.Flush()
}

// widths of table columns on a terminal; others get 16.
var widths = map[string]int{
	"time": 29, "id": 5, "kind": 10, "user": 20, "nas": 12, "client": 15, "calling-station": 17, "method": 9,
	"outcome": 19, "reason-code": 6, "reason": 28, "mfa": 18, "latency": 8, "sources": 19, "finding": 26,
}

type tableRows struct {
	w      *bufio.Writer
	o      RowOptions
	header bool
}

const (
	ansiReset  = "\x1b[0m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
)

func outcomeColor(o model.Outcome) string {
	switch o {
	case model.OutcomeAccepted, model.OutcomeAccounted:
		return ansiGreen
	case model.OutcomeRejected, model.OutcomeNoResponse, model.OutcomeDiscarded:
		return ansiRed
	case model.OutcomeChallengeAbandoned:
		return ansiYellow
	}
	return ""
}

func severityColor(s string) string {
	switch s {
	case "error":
		return ansiRed
	case "warning":
		return ansiYellow
	}
	return ""
}

func (t *tableRows) Write(f *model.Flow) error {
	cols := columns(t.o.Fields)
	var b []byte
	if !t.header {
		t.header = true
		for i, c := range cols {
			b = t.cell(b, cols, i, strings.ToUpper(c), "")
		}
		b = append(b, '\n')
	}
	fs := fields(f, t.o.Location)
	sev := ""
	if top := f.Top(); top != nil {
		sev = top.Severity.String()
	}
	for i, c := range cols {
		fd, _ := lookup(fs, c)
		color := ""
		if t.o.Color {
			switch strings.ToLower(c) {
			case "outcome":
				color = outcomeColor(f.Outcome)
			case "finding", "severity":
				color = severityColor(sev)
			}
		}
		b = t.cell(b, cols, i, fd.val, color)
	}
	b = append(b, '\n')
	_, err := t.w.Write(b)
	return err
}

// cell appends one cell: on a terminal padded or cut to the column width,
// control characters shown as '?'; otherwise followed by a tab.
func (t *tableRows) cell(b []byte, cols []string, i int, v, color string) []byte {
	last := i == len(cols)-1
	if !t.o.TTY {
		v = strings.Map(func(r rune) rune {
			if r == '\t' || r == '\n' || r == '\r' {
				return ' '
			}
			return r
		}, v)
		b = append(b, v...)
		if !last {
			b = append(b, '\t')
		}
		return b
	}
	v = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' {
			return '?'
		}
		return r
	}, v)
	w, ok := widths[strings.ToLower(cols[i])]
	if !ok {
		w = 16
	}
	if last {
		w = utf8.RuneCountInString(v)
	}
	rs := []rune(v)
	if len(rs) > w {
		rs = append(rs[:w-1], '…')
	}
	if color != "" {
		b = append(b, color...)
	}
	b = append(b, string(rs)...)
	if color != "" {
		b = append(b, ansiReset...)
	}
	if !last {
		for k := len(rs); k < w+1; k++ {
			b = append(b, ' ')
		}
	}
	return b
}

func (t *tableRows) Close() error { return t.w.Flush() }
