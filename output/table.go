package output

import (
	"bufio"
	"strings"
	"unicode/utf8"

	"github.com/radscope/radscope/model"
)

// widths of the default table columns on a terminal; other columns get 20.
var widths = map[string]int{
	"time": 23, "computer-name": 10, "packet-type": 19, "user": 22, "client": 21,
	"calling-station-id": 17, "event-id": 8, "reason-code": 6, "reason": 32, "marks": 9, "source": 30,
}

type tableWriter struct {
	w      *bufio.Writer
	o      Options
	header bool
	fs     []kv
	line   []byte
}

func (t *tableWriter) columns() []string {
	if t.o.Fields != nil {
		return t.o.Fields
	}
	return DefaultColumns
}

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiDim    = "\x1b[2m"
)

// codeColor pairs a colour with the Packet-Type word (never colour alone).
func codeColor(c model.Code) string {
	switch c {
	case model.CodeAccessAccept, model.CodeAccountingResponse, model.CodeCoAACK, model.CodeDisconnectACK:
		return ansiGreen
	case model.CodeAccessReject, model.CodeCoANAK, model.CodeDisconnectNAK:
		return ansiRed
	case model.CodeAccessChallenge:
		return ansiYellow
	}
	return ""
}

func (t *tableWriter) Write(m *model.Message) error {
	cols := t.columns()
	b := t.line[:0]
	if !t.header {
		t.header = true
		for i, c := range cols {
			b = t.cell(b, i, len(cols), strings.ToUpper(c), "")
		}
		b = append(b, '\n')
	}
	t.fs = render(t.fs[:0], m, &t.o)
	for i, c := range cols {
		f, ok := lookup(t.fs, c)
		if !ok {
			f.val = keyField(m, c)
		}
		color := ""
		if t.o.Color {
			switch strings.ToLower(c) {
			case "packet-type":
				color = codeColor(m.Code)
			case "marks", "source":
				color = ansiDim
			case "reason":
				if m.Reason > 0 {
					color = ansiRed
				}
			}
			if m.Marks&model.MarkMalformed != 0 && strings.EqualFold(c, "marks") {
				color = ansiRed
			}
		}
		b = t.cell(b, i, len(cols), f.text(), color)
	}
	b = append(b, '\n')
	t.line = b
	_, err := t.w.Write(b)
	return err
}

// cell appends one cell: on a terminal padded or cut to the column width;
// otherwise followed by a tab.
func (t *tableWriter) cell(b []byte, i, n int, v, color string) []byte {
	if !t.o.TTY {
		v = strings.Map(func(r rune) rune {
			if r == '\t' || r == '\n' || r == '\r' {
				return ' '
			}
			return r
		}, v)
		b = append(b, v...)
		if i < n-1 {
			b = append(b, '\t')
		}
		return b
	}
	// On a terminal, control characters in data (an escape sequence in a
	// user name, say) would drive the terminal: show them as '?'.
	v = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' {
			return '?'
		}
		return r
	}, v)
	w, ok := widths[strings.ToLower(t.columns()[i])]
	if !ok {
		w = 20
	}
	if i == n-1 {
		w = utf8.RuneCountInString(v)
	}
	rs := []rune(v)
	if len(rs) > w {
		if w > 1 {
			rs = append(rs[:w-1], '…')
		} else {
			rs = rs[:w]
		}
	}
	if color != "" {
		b = append(b, color...)
	}
	b = append(b, string(rs)...)
	if color != "" {
		b = append(b, ansiReset...)
	}
	if i < n-1 {
		for k := len(rs); k < w+1; k++ {
			b = append(b, ' ')
		}
	}
	return b
}

func (t *tableWriter) Close() error { return t.w.Flush() }
