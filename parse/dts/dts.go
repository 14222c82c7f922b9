// Package dts reads NPS log files in the "DTS Compliant" format: one XML
// <Event> element per line with no declaration and no root, each child an
// attribute named by the NPS dictionary, `<Name data_type="N">value</Name>`,
// where data_type 0 is an integer, 1 a string, 2 hex octets, 3 an IPv4
// address and 4 a date-time. Timestamp is the NPS server's local time with
// milliseconds; Event-Timestamp is the NAS's UTC time.
//
// The line parser is hand-written rather than built on encoding/xml: the
// element grammar NPS writes is tiny and fixed, and the hand parser is an
// order of magnitude faster on the multi-gigabyte logs admins bring.
package dts

import (
	"errors"
	"fmt"
	"io"
	"iter"
	"strconv"
	"strings"
	"time"

	"github.com/radscope/radscope/dict"
	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/parse/internal/record"
)

// Errors a caller can branch on.
var (
	ErrNotEvent   = errors.New("not an <Event> element")
	ErrSyntax     = errors.New("malformed XML")
	ErrNoTime     = errors.New("event has no Timestamp")
	ErrTruncated  = record.ErrTruncated
	ErrEntity     = errors.New("unknown XML entity")
	ErrDataType   = errors.New("invalid data_type")
	ErrUnexpected = errors.New("unexpected content after </Event>")
)

// Options configure a Reader or Parser.
type Options struct {
	File     string           // name used in positions
	Dict     *dict.Dictionary // nil means dict.Default()
	Location *time.Location   // zone of Timestamp; nil means time.Local
}

// Sniff reports whether head starts with a DTS event.
func Sniff(head []byte) bool {
	s := string(head)
	if len(s) >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF {
		s = s[3:]
	}
	s = strings.TrimLeft(s, " \t\r\n")
	return strings.HasPrefix(s, "<Event>")
}

// Parser decodes single DTS lines.
type Parser struct {
	o     Options
	b     record.Builder
	cache map[string]*dict.Attribute
	buf   []byte
	// last parse state
	closed bool
}

// NewParser returns a Parser for o.
func NewParser(o Options) *Parser {
	if o.Dict == nil {
		o.Dict = dict.Default()
	}
	if o.Location == nil {
		o.Location = time.Local
	}
	return &Parser{o: o, b: record.Builder{Dict: o.Dict}, cache: map[string]*dict.Attribute{}}
}

func (p *Parser) attr(name string) *dict.Attribute {
	a, ok := p.cache[name]
	if !ok {
		a = p.o.Dict.ByName(name)
		p.cache[strings.Clone(name)] = a
	}
	return a
}

// Complete reports whether the last line parsed was closed by </Event>.
func (p *Parser) Complete() bool { return p.closed }

// Parse decodes one line. It returns a *model.ParseError for a bad record,
// together with what could be decoded (marked model.MarkMalformed) when the
// event's Timestamp was readable.
func (p *Parser) Parse(line string, src model.Source) (model.Message, error) {
	src.Format = model.FormatDTS
	p.closed = false
	fail := func(pos int, field string, err error) *model.ParseError {
		c := src
		c.Col = pos + 1
		return &model.ParseError{Src: c, Field: field, Err: err}
	}
	i := 0
	for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	if !strings.HasPrefix(line[i:], "<Event>") {
		return model.Message{}, fail(i, "", ErrNotEvent)
	}
	i += len("<Event>")
	b := &p.b
	b.Reset(src, 24)
	var bad *model.ParseError
	haveTime := false
	user := ""
	for {
		// skip whitespace between elements
		for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
			i++
		}
		if i >= len(line) {
			bad = firstErr(bad, fail(i, "", fmt.Errorf("%w: missing </Event>", ErrSyntax)))
			break
		}
		if strings.HasPrefix(line[i:], "</Event>") {
			p.closed = true
			rest := strings.TrimSpace(line[i+len("</Event>"):])
			if rest != "" {
				bad = firstErr(bad, fail(i+len("</Event>"), "", ErrUnexpected))
			}
			break
		}
		if line[i] != '<' {
			bad = firstErr(bad, fail(i, "", fmt.Errorf("%w: expected '<'", ErrSyntax)))
			break
		}
		start := i
		// element name
		j := i + 1
		for j < len(line) && line[j] != ' ' && line[j] != '>' && line[j] != '/' && line[j] != '\t' {
			j++
		}
		name := line[i+1 : j]
		if name == "" || j >= len(line) {
			bad = firstErr(bad, fail(i, "", fmt.Errorf("%w: bad element start", ErrSyntax)))
			break
		}
		// attributes: only data_type matters
		dt := -1
		k := j
		for k < len(line) && line[k] != '>' {
			if strings.HasPrefix(line[k:], "data_type=\"") {
				q := k + len("data_type=\"")
				e := strings.IndexByte(line[q:], '"')
				if e < 0 {
					break
				}
				if n, err := strconv.Atoi(line[q : q+e]); err == nil {
					dt = n
				} else {
					bad = firstErr(bad, fail(q, "element "+name, fmt.Errorf("%w %q", ErrDataType, line[q:q+e])))
				}
				k = q + e + 1
				continue
			}
			k++
		}
		if k >= len(line) {
			bad = firstErr(bad, fail(start, "element "+name, fmt.Errorf("%w: unterminated tag", ErrSyntax)))
			break
		}
		var raw string
		if line[k-1] == '/' { // <Name data_type="1"/>
			i = k + 1
		} else {
			vs := k + 1
			closeTag := "</" + name + ">"
			e := strings.Index(line[vs:], closeTag)
			if e < 0 {
				bad = firstErr(bad, fail(start, "element "+name, fmt.Errorf("%w: no %s", ErrSyntax, closeTag)))
				break
			}
			raw = line[vs : vs+e]
			i = vs + e + len(closeTag)
		}
		val, err := p.unescape(raw)
		if err != nil {
			bad = firstErr(bad, fail(start, "element "+name, err))
			continue
		}
		switch name {
		case "Timestamp":
			d, c, _ := strings.Cut(val, " ")
			t, err := record.ParseDateTime(d, c, p.o.Location)
			if err != nil {
				bad = firstErr(bad, fail(start, "element Timestamp", err))
				continue
			}
			b.Msg.Time = t
			haveTime = true
			continue
		case "Computer-Name":
			b.Msg.Computer = val
			continue
		case "Event-Source":
			b.Msg.Service = val
			continue
		}
		if dt == 2 && val != "" && !(len(val) > 1 && val[0] == '0' && (val[1] == 'x' || val[1] == 'X')) {
			val = "0x" + val
		}
		if val == "" {
			continue
		}
		a := p.attr(name)
		var id int32
		if a != nil {
			id = a.IASID
		}
		if !b.Add(a, id, name, val, "element "+name) {
			l, ferr := b.FieldErr()
			bad = firstErr(bad, fail(start, l, ferr))
		}
		if a != nil && a.IASID == 1 {
			user = val
		}
	}
	if user != "" {
		b.SetUser(user)
	}
	if !haveTime {
		if bad != nil {
			return model.Message{}, bad
		}
		return model.Message{}, fail(0, "", ErrNoTime)
	}
	if bad != nil {
		b.Msg.Marks |= model.MarkMalformed
		return b.Done(), bad
	}
	return b.Done(), nil
}

func firstErr(a, b *model.ParseError) *model.ParseError {
	if a != nil {
		return a
	}
	return b
}

// unescape resolves XML character references; the result is a substring of
// s when s has none.
func (p *Parser) unescape(s string) (string, error) {
	amp := strings.IndexByte(s, '&')
	if amp < 0 {
		return s, nil
	}
	out := append(p.buf[:0], s[:amp]...)
	for i := amp; i < len(s); {
		c := s[i]
		if c != '&' {
			out = append(out, c)
			i++
			continue
		}
		semi := strings.IndexByte(s[i:], ';')
		if semi < 0 {
			return "", fmt.Errorf("%w at %q", ErrEntity, clip(s[i:]))
		}
		ent := s[i+1 : i+semi]
		switch ent {
		case "amp":
			out = append(out, '&')
		case "lt":
			out = append(out, '<')
		case "gt":
			out = append(out, '>')
		case "quot":
			out = append(out, '"')
		case "apos":
			out = append(out, '\'')
		default:
			var n uint64
			var err error
			switch {
			case strings.HasPrefix(ent, "#x") || strings.HasPrefix(ent, "#X"):
				n, err = strconv.ParseUint(ent[2:], 16, 32)
			case strings.HasPrefix(ent, "#"):
				n, err = strconv.ParseUint(ent[1:], 10, 32)
			default:
				err = ErrEntity
			}
			if err != nil || n > 0x10FFFF {
				return "", fmt.Errorf("%w &%s;", ErrEntity, clip(ent))
			}
			out = fmt.Appendf(out, "%c", rune(n))
		}
		i += semi + 1
	}
	p.buf = out
	return string(out), nil
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// Reader reads a DTS-format log.
type Reader struct{ r *record.Reader }

// NewReader returns a Reader over r.
func NewReader(r io.Reader, o Options) *Reader {
	return &Reader{record.NewReader(r, NewParser(o), model.FormatDTS, o.File)}
}

// Read returns the next record. See package parse for what its errors mean.
func (r *Reader) Read() (model.Message, error) { return r.r.Read() }

// All iterates over the records. See package parse for what its errors mean.
func (r *Reader) All() iter.Seq2[model.Message, error] { return record.All(r.r.Read) }
