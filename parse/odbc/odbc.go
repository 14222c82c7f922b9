// Package odbc reads NPS and IAS log files in the "ODBC (Legacy)" format,
// also called database-import or database-compatible: one comma-separated
// record per line, no header row, text fields in double quotes, numbers,
// date and time bare, absent values empty. NPS 2008 and later write 66
// columns; IAS on Windows 2000/2003 and RRAS write the first 60.
package odbc

import (
	"errors"
	"fmt"
	"io"
	"iter"
	"strings"
	"time"

	"github.com/radscope/radscope/dict"
	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/parse/internal/record"
)

// Columns are the ODBC column names in file order (66 on NPS 2008+).
var Columns = [...]string{
	"ComputerName", "ServiceName", "Record-Date", "Record-Time", "Packet-Type", "User-Name",
	"Fully-Qualified-Distinguished-Name", "Called-Station-ID", "Calling-Station-ID", "Callback-Number",
	"Framed-IP-Address", "NAS-Identifier", "NAS-IP-Address", "NAS-Port", "Client-Vendor",
	"Client-IP-Address", "Client-Friendly-Name", "Event-Timestamp", "Port-Limit", "NAS-Port-Type",
	"Connect-Info", "Framed-Protocol", "Service-Type", "Authentication-Type", "Policy-Name",
	"Reason-Code", "Class", "Session-Timeout", "Idle-Timeout", "Termination-Action",
	"EAP-Friendly-Name", "Acct-Status-Type", "Acct-Delay-Time", "Acct-Input-Octets", "Acct-Output-Octets",
	"Acct-Session-Id", "Acct-Authentic", "Acct-Session-Time", "Acct-Input-Packets", "Acct-Output-Packets",
	"Acct-Terminate-Cause", "Acct-Multi-Ssn-ID", "Acct-Link-Count", "Acct-Interim-Interval", "Tunnel-Type",
	"Tunnel-Medium-Type", "Tunnel-Client-Endpt", "Tunnel-Server-Endpt", "Acct-Tunnel-Conn", "Tunnel-Pvt-Group-ID",
	"Tunnel-Assignment-ID", "Tunnel-Preference", "MS-Acct-Auth-Type", "MS-Acct-EAP-Type", "MS-RAS-Version",
	"MS-RAS-Vendor", "MS-CHAP-Error", "MS-CHAP-Domain", "MS-MPPE-Encryption-Types", "MS-MPPE-Encryption-Policy",
	"Proxy-Policy-Name", "Provider-Type", "Provider-Name", "Remote-Server-Address", "MS-RAS-Client-Name",
	"MS-RAS-Client-Version",
}

// columnIAS is the IAS attribute ID of each column (0 for the header
// columns), used when the dictionary does not know a column's name.
var columnIAS = [len(Columns)]int32{
	0, 0, 0, 0, 4136, 1, 4130, 30, 31, 19, 8, 32, 4, 5, 4116, 4108, 4128, 55, 62, 61,
	77, 7, 6, 4127, 4149, 4142, 25, 27, 28, 29, 4132, 40, 41, 42, 43, 44, 45, 46, 47, 48,
	49, 50, 51, 85, 64, 65, 66, 67, 68, 81, 82, 83, 4134, 4135, 4148, 4147, 4121, 4120, -90, -89,
	4154, 4155, 4156, 4157, 4159, 4160,
}

// Errors a caller can branch on.
var (
	ErrQuote      = errors.New(`unterminated quoted field`)
	ErrBareQuote  = errors.New(`bare " in unquoted field`)
	ErrFieldCount = errors.New("wrong number of fields")
	ErrTruncated  = record.ErrTruncated
)

// Options configure a Reader or Parser.
type Options struct {
	File     string           // name used in positions
	Dict     *dict.Dictionary // nil means dict.Default()
	Location *time.Location   // zone of Record-Date/Record-Time; nil means time.Local
}

// Sniff reports whether head looks like an ODBC-format log: a line that
// starts with a quoted field followed by a quoted service name.
func Sniff(head []byte) bool {
	s := firstLine(head)
	if len(s) < 4 || s[0] != '"' {
		return false
	}
	fields, _, err := split(s, nil, nil)
	return err == nil && len(fields) >= 5 && (strings.EqualFold(fields[1], "IAS") || strings.EqualFold(fields[1], "RAS") || strings.EqualFold(fields[1], "NPS"))
}

func firstLine(head []byte) string {
	head = trimBOM(head)
	if i := strings.IndexByte(string(head), '\n'); i >= 0 {
		head = head[:i]
	}
	return strings.TrimRight(string(head), "\r")
}

func trimBOM(b []byte) []byte {
	if len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		return b[3:]
	}
	return b
}

// Parser decodes single ODBC lines. The zero value is not ready; use
// NewParser.
type Parser struct {
	o      Options
	b      record.Builder
	attrs  [len(Columns)]*dict.Attribute
	labels [len(Columns)]string
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
	p := &Parser{o: o, b: record.Builder{Dict: o.Dict}}
	for i, name := range Columns {
		if i >= 4 {
			a := o.Dict.ByName(name)
			if a == nil && columnIAS[i] != 0 {
				a = o.Dict.IAS(columnIAS[i])
			}
			p.attrs[i] = a
		}
		p.labels[i] = fmt.Sprintf("field %d (%s)", i+1, name)
	}
	return p
}

// Parse decodes one line (without its line ending). src gives the line's
// position; Parse fills in the column of an error. It returns a
// *model.ParseError for a bad record, together with whatever could be
// decoded (marked model.MarkMalformed) when the record's time was readable.
func (p *Parser) Parse(line string, src model.Source) (model.Message, error) {
	src.Format = model.FormatODBC
	var err error
	p.fields, p.cols, err = split(line, p.fields[:0], p.cols[:0])
	if err != nil {
		src.Col = p.cols[len(p.cols)-1]
		return model.Message{}, &model.ParseError{Src: src, Field: fmt.Sprintf("field %d", len(p.cols)), Err: err}
	}
	f := p.fields
	if len(f) < 5 {
		return model.Message{}, &model.ParseError{Src: src, Err: fmt.Errorf("%w: %d, want 60 or 66", ErrFieldCount, len(f))}
	}
	t, terr := record.ParseDateTime(f[2], f[3], p.o.Location)
	if terr != nil {
		src.Col = p.cols[2]
		return model.Message{}, &model.ParseError{Src: src, Field: "field 3-4 (Record-Date, Record-Time)", Err: terr}
	}
	b := &p.b
	b.Reset(src, 24)
	b.Msg.Time = t
	b.Msg.Computer = f[0]
	b.Msg.Service = f[1]
	var bad *model.ParseError
	n := len(f)
	if n > len(Columns) {
		c := src
		c.Col = p.cols[len(Columns)]
		bad = &model.ParseError{Src: c, Err: fmt.Errorf("%w: %d, want 60 or 66", ErrFieldCount, n)}
		n = len(Columns)
	}
	for i := 4; i < n; i++ {
		v := f[i]
		if v == "" {
			continue
		}
		if !b.Add(p.attrs[i], columnIAS[i], Columns[i], v, p.labels[i]) && bad == nil {
			c := src
			c.Col = p.cols[i]
			label, ferr := b.FieldErr()
			bad = &model.ParseError{Src: c, Field: label, Err: ferr}
		}
	}
	if len(f) > 5 && f[5] != "" {
		u := f[5]
		b.SetUser(u)
	}
	if bad != nil {
		b.Msg.Marks |= model.MarkMalformed
		return b.Done(), bad
	}
	return b.Done(), nil
}

// split splits an ODBC line into fields, unquoting quoted ones, and records
// the 1-based byte column of each field. Fields are substrings of line
// unless they contain doubled quotes. It is one pass over the bytes: most
// ODBC fields are empty, and a search call per field costs more than the
// loop.
func split(line string, fields []string, cols []int) ([]string, []int, error) {
	n := len(line)
	i := 0
	for {
		cols = append(cols, i+1)
		if i < n && line[i] == '"' {
			j := i + 1
			start := j
			var sb []byte
			for {
				for j < n && line[j] != '"' {
					j++
				}
				if j >= n {
					return fields, cols, ErrQuote
				}
				if j+1 < n && line[j+1] == '"' {
					sb = append(sb, line[start:j+1]...)
					j += 2
					start = j
					continue
				}
				break
			}
			if sb != nil {
				sb = append(sb, line[start:j]...)
				fields = append(fields, string(sb))
			} else {
				fields = append(fields, line[start:j])
			}
			j++ // closing quote
			if j == n {
				return fields, cols, nil
			}
			if line[j] != ',' {
				cols[len(cols)-1] = j + 1
				return fields, cols, ErrBareQuote
			}
			i = j + 1
			continue
		}
		j := i
		for j < n {
			c := line[j]
			if c == ',' {
				break
			}
			if c == '"' {
				return fields, cols, ErrBareQuote
			}
			j++
		}
		fields = append(fields, line[i:j])
		if j >= n {
			return fields, cols, nil
		}
		i = j + 1
	}
}

// Complete reports whether the last line parsed had a full record's field
// count (60 or 66): a last line without a line ending is only reported as
// truncated when it does not.
func (p *Parser) Complete() bool { return len(p.fields) == 60 || len(p.fields) == 66 }

// Reader reads an ODBC-format log.
type Reader struct{ r *record.Reader }

// NewReader returns a Reader over r.
func NewReader(r io.Reader, o Options) *Reader {
	return &Reader{record.NewReader(r, NewParser(o), model.FormatODBC, o.File)}
}

// Read returns the next record. See package parse for what its errors mean.
func (r *Reader) Read() (model.Message, error) { return r.r.Read() }

// All iterates over the records. See package parse for what its errors mean.
func (r *Reader) All() iter.Seq2[model.Message, error] { return record.All(r.r.Read) }
