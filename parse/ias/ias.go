// Package ias reads NPS and IAS log files in the "IAS (Legacy)" format: a
// six-field header (NAS-IP-Address, User-Name, Record-Date, Record-Time,
// Service-Name, Computer-Name) followed by attribute-number,value pairs in
// the order the NAS sent them. Values are never quoted; NPS writes a value
// holding a comma or an unprintable byte as 0x-hex. Attributes repeat, and
// every occurrence is kept in order; numbers the dictionary does not know
// are kept as numbers.
package ias

import (
	"errors"
	"fmt"
	"io"
	"iter"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/radscope/radscope/dict"
	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/parse/internal/record"
)

// Errors a caller can branch on.
var (
	ErrHeader    = errors.New("not an NPS record: want the IAS header NAS-IP-Address,User-Name,Record-Date,Record-Time,Service-Name,Computer-Name or an ODBC or DTS line")
	ErrOddPairs  = errors.New("attribute has no value (odd number of fields after the header)")
	ErrAttrID    = errors.New("invalid attribute number")
	ErrTruncated = record.ErrTruncated
)

// Options configure a Reader or Parser.
type Options struct {
	File     string           // name used in positions
	Dict     *dict.Dictionary // nil means dict.Default()
	Location *time.Location   // zone of Record-Date/Record-Time; nil means time.Local
}

// Sniff reports whether head starts with an IAS-format line: a header whose
// third and fourth fields are a date and a time and whose fifth is IAS, RAS
// or NPS.
func Sniff(head []byte) bool {
	s := string(head)
	if len(s) >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF {
		s = s[3:]
	}
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	f := strings.SplitN(strings.TrimRight(s, "\r"), ",", 7)
	if len(f) < 6 {
		return false
	}
	if _, err := record.ParseDateTime(f[2], f[3], time.UTC); err != nil {
		return false
	}
	svc := strings.ToUpper(f[4])
	return svc == "IAS" || svc == "RAS" || svc == "NPS"
}

// Parser decodes single IAS lines.
type Parser struct {
	o      Options
	b      record.Builder
	cache  map[int32]*dict.Attribute
	labels map[int32]string
	fields []string
	cols   []int
}

// NewParser returns a Parser for o.
func NewParser(o Options) *Parser {
	if o.Dict == nil {
		o.Dict = dict.Default()
	}
	if o.Location == nil {
		o.Location = time.Local
	}
	return &Parser{o: o, b: record.Builder{Dict: o.Dict}, cache: map[int32]*dict.Attribute{}, labels: map[int32]string{}}
}

func (p *Parser) attr(id int32) (*dict.Attribute, string) {
	a, ok := p.cache[id]
	if !ok {
		a = p.o.Dict.IAS(id)
		if a == nil && id > 0 && id < 256 {
			a = p.o.Dict.Lookup(0, id)
		}
		p.cache[id] = a
		name := dict.UnknownName(0, id)
		if a != nil {
			name = a.Name
		}
		p.labels[id] = "attribute " + strconv.Itoa(int(id)) + " (" + name + ")"
	}
	return a, p.labels[id]
}

// Parse decodes one line (without its line ending). It returns a
// *model.ParseError for a bad record, together with what could be decoded
// (marked model.MarkMalformed) once the header was readable.
func (p *Parser) Parse(line string, src model.Source) (model.Message, error) {
	src.Format = model.FormatIAS
	p.fields = p.fields[:0]
	p.cols = p.cols[:0]
	i := 0
	for {
		p.cols = append(p.cols, i+1)
		k := strings.IndexByte(line[i:], ',')
		if k < 0 {
			p.fields = append(p.fields, line[i:])
			break
		}
		p.fields = append(p.fields, line[i:i+k])
		i += k + 1
	}
	f := p.fields
	if len(f) < 6 {
		return model.Message{}, &model.ParseError{Src: src, Err: ErrHeader}
	}
	t, err := record.ParseDateTime(f[2], f[3], p.o.Location)
	if err != nil {
		src.Col = p.cols[2]
		return model.Message{}, &model.ParseError{Src: src, Field: "field 3-4 (Record-Date, Record-Time)", Err: err}
	}
	b := &p.b
	b.Reset(src, (len(f)-6)/2+2)
	b.Msg.Time = t
	b.Msg.Service = f[4]
	b.Msg.Computer = f[5]
	var bad *model.ParseError
	if f[0] != "" {
		if ip, err := netip.ParseAddr(f[0]); err == nil {
			b.Msg.NASAddr = ip
		}
		b.Add(p.o.Dict.ByName("NAS-IP-Address"), 4, "NAS-IP-Address", f[0], "field 1 (NAS-IP-Address)")
	}
	if f[1] != "" {
		b.Add(p.o.Dict.ByName("User-Name"), 1, "User-Name", f[1], "field 2 (User-Name)")
	}
	for j := 6; j < len(f); j += 2 {
		id, err := strconv.ParseInt(f[j], 10, 32)
		if err != nil {
			if bad == nil {
				c := src
				c.Col = p.cols[j]
				bad = &model.ParseError{Src: c, Field: "field " + strconv.Itoa(j+1), Err: fmt.Errorf("%w %q", ErrAttrID, clip(f[j]))}
			}
			continue
		}
		if j+1 >= len(f) {
			if bad == nil {
				c := src
				c.Col = p.cols[j]
				_, label := p.attr(int32(id))
				bad = &model.ParseError{Src: c, Field: label, Err: ErrOddPairs}
			}
			break
		}
		a, label := p.attr(int32(id))
		if !b.Add(a, int32(id), dict.UnknownName(0, int32(id)), f[j+1], label) && bad == nil {
			c := src
			c.Col = p.cols[j+1]
			l, ferr := b.FieldErr()
			bad = &model.ParseError{Src: c, Field: l, Err: ferr}
		}
	}
	if f[1] != "" {
		b.SetUser(f[1])
	}
	if bad != nil {
		b.Msg.Marks |= model.MarkMalformed
		return b.Done(), bad
	}
	return b.Done(), nil
}

// Complete reports whether the last line parsed ended on a whole
// attribute/value pair and carried the Reason-Code NPS writes last.
func (p *Parser) Complete() bool {
	f := p.fields
	return len(f) >= 8 && len(f)%2 == 0 && f[len(f)-2] == "4142"
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// Reader reads a IAS-format log.
type Reader struct{ r *record.Reader }

// NewReader returns a Reader over r.
func NewReader(r io.Reader, o Options) *Reader {
	return &Reader{record.NewReader(r, NewParser(o), model.FormatIAS, o.File)}
}

// Read returns the next record. See package parse for what its errors mean.
func (r *Reader) Read() (model.Message, error) { return r.r.Read() }

// All iterates over the records. See package parse for what its errors mean.
func (r *Reader) All() iter.Seq2[model.Message, error] { return record.All(r.r.Read) }
