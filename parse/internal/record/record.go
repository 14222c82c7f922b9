// Package record builds model.Messages from the name/value pairs of NPS
// text log records. The IAS, ODBC and DTS readers share it so that one datum
// gets the same name, the same rendering and the same key field whatever
// format logged it.
package record

import (
	"errors"
	"net/netip"
	"strconv"
	"time"

	"github.com/radscope/radscope/dict"
	"github.com/radscope/radscope/model"
)

// Builder accumulates one record.
type Builder struct {
	Dict *dict.Dictionary
	Msg  model.Message
	// Err holds the first bad field of the record (a *model.ParseError
	// without position; the reader adds it).
	Err  error
	errF string

	scratch []model.Attr
}

// Reset starts a new record; attrCap is a hint of how many attributes the
// record will have.
//
// Attributes are collected in a scratch slice that is reused, and Done
// copies them into one exactly sized slice per record. (Handing out parts of
// larger shared blocks saves that allocation, but one long-lived message —
// an accounting session kept open for hours by the flow builder — then pins
// the whole block, and memory grows with the input.)
func (b *Builder) Reset(src model.Source, attrCap int) {
	b.Msg = model.Message{Kind: model.KindRecord, Ident: model.NoIdent, Reason: model.NoReason, Src: src}
	if cap(b.scratch) < attrCap {
		b.scratch = make([]model.Attr, 0, attrCap)
	}
	b.scratch = b.scratch[:0]
	b.Err = nil
	b.errF = ""
}

// Done returns the finished message with its own copy of the attributes.
func (b *Builder) Done() model.Message {
	b.Msg.Attrs = append([]model.Attr(nil), b.scratch...)
	clear(b.scratch) // drop references to this record's strings
	return b.Msg
}

func (b *Builder) appendAttr(a model.Attr) { b.scratch = append(b.scratch, a) }

// FieldErr returns the field label and error of the first bad field.
func (b *Builder) FieldErr() (string, error) { return b.errF, b.Err }

func (b *Builder) fail(field string, err error) {
	if b.Err == nil {
		b.Err = err
		b.errF = field
	}
}

// ErrInteger, ErrAddress and ErrDate are the field errors a caller can
// branch on.
var (
	ErrInteger = errors.New("invalid integer")
	ErrAddress = errors.New("invalid IP address")
	ErrDate    = errors.New("invalid date")
)

// Add adds the attribute a (nil when the dictionary does not know it; then
// name is used) with the value v as logged. label names the field in errors
// ("field 26 (Reason-Code)"). It returns false when the value was invalid
// for the attribute's type; the attribute is still kept, with the text as
// logged.
func (b *Builder) Add(a *dict.Attribute, id int32, name, v, label string) bool {
	at := model.Attr{Type: id, Name: name, Value: v}
	ok := true
	if a != nil {
		at.Name = a.Name
		at.Type = a.IASID
		if at.Type == 0 {
			at.Type = id
		}
		at.Vendor = a.Vendor
		at.Sensitive = a.Sensitive
		ok = b.value(a, &at, v, label)
	} else if len(v) > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X') {
		at.Raw = hexBytes(v[2:])
	}
	b.appendAttr(at)
	return ok
}

// value renders v by the attribute's type and fills the key fields.
func (b *Builder) value(a *dict.Attribute, at *model.Attr, v, label string) bool {
	m := &b.Msg
	switch a.DataType {
	case dict.TypeInteger, dict.TypeByte, dict.TypeShort, dict.TypeInteger64, dict.TypeSigned, dict.TypeBool:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			// NPS writes some enumerations as hex strings when a NAS sent
			// an odd length; keep the text, report the field.
			b.fail(label, errInvalid(ErrInteger, v))
			return false
		}
		if a.Values != nil && n >= 0 {
			at.Value = a.ValueName(uint64(n))
		}
		switch a.IASID {
		case 4136: // Packet-Type
			if n >= 0 && n <= 255 {
				m.Code = model.Code(n)
			}
		case 4142:
			m.Reason = int(n)
		case 4127:
			m.AuthType = int(n)
		case 40:
			m.AcctStatus = int(n)
		}
		return true
	case dict.TypeIPAddr, dict.TypeIPv6Addr:
		ip, err := netip.ParseAddr(v)
		if err != nil {
			if len(v) > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X') {
				at.Raw = hexBytes(v[2:])
				return true
			}
			b.fail(label, errInvalid(ErrAddress, v))
			return false
		}
		switch a.IASID {
		case 4:
			m.NASAddr = ip
		case 4108:
			m.ClientAddr = ip
		}
		return true
	}
	if len(v) > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X') {
		if raw := hexBytes(v[2:]); raw != nil {
			at.Raw = raw
		}
	}
	switch a.IASID {
	case 1:
		m.User = v
	case 4130, 4129: // Fully-Qualifed-User-Name, SAM-Account-Name: NPS's resolved identity
		if m.User == "" {
			m.User = v
		}
	case 31:
		if m.CallingStation == "" {
			m.CallingStation = v
		}
	case 30:
		if m.CalledStation == "" {
			m.CalledStation = v
		}
	case 32:
		m.NASID = v
	case 25:
		m.Class = v
	case 44:
		m.AcctSessionID = v
	case 4128:
		m.ClientName = v
	case 4149:
		m.Policy = v
	case 4154:
		m.ProxyPolicy = v
	}
	return true
}

// SetUser overrides the user with a logged User-Name: the name as sent wins
// over the identity NPS resolved.
func (b *Builder) SetUser(v string) {
	if v != "" {
		b.Msg.User = v
	}
}

func errInvalid(kind error, v string) error {
	if len(v) > 40 {
		v = v[:40] + "..."
	}
	return &invalidError{kind: kind, v: v}
}

type invalidError struct {
	kind error
	v    string
}

func (e *invalidError) Error() string { return e.kind.Error() + " " + strconv.Quote(e.v) }
func (e *invalidError) Unwrap() error { return e.kind }

func hexBytes(s string) []byte {
	if len(s)%2 != 0 {
		return nil
	}
	out := make([]byte, len(s)/2)
	for i := 0; i < len(out); i++ {
		hi, ok1 := unhex(s[2*i])
		lo, ok2 := unhex(s[2*i+1])
		if !ok1 || !ok2 {
			return nil
		}
		out[i] = hi<<4 | lo
	}
	return out
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// ParseDateTime parses the local date and time NPS writes: MM/DD/YYYY and
// HH:MM:SS with optional .mmm; YYYY-MM-DD is accepted too.
func ParseDateTime(date, clock string, loc *time.Location) (time.Time, error) {
	var y, mo, d int
	var ok bool
	switch {
	case len(date) == 10 && date[2] == '/' && date[5] == '/':
		mo, ok = num(date[0:2])
		if ok {
			d, ok = num(date[3:5])
		}
		if ok {
			y, ok = num(date[6:10])
		}
	case len(date) == 10 && date[4] == '-' && date[7] == '-':
		y, ok = num(date[0:4])
		if ok {
			mo, ok = num(date[5:7])
		}
		if ok {
			d, ok = num(date[8:10])
		}
	}
	if !ok || mo < 1 || mo > 12 || d < 1 || d > 31 {
		return time.Time{}, errInvalid(ErrDate, date)
	}
	h, mi, s, ns, ok := parseClock(clock)
	if !ok {
		return time.Time{}, errInvalid(ErrDate, date+" "+clock)
	}
	t := time.Date(y, time.Month(mo), d, h, mi, s, ns, loc)
	if t.Day() != d {
		return time.Time{}, errInvalid(ErrDate, date)
	}
	return t, nil
}

func parseClock(c string) (h, m, s, ns int, ok bool) {
	if len(c) < 8 || c[2] != ':' || c[5] != ':' {
		// H:MM:SS
		if len(c) >= 7 && c[1] == ':' && c[4] == ':' {
			c = "0" + c
		} else {
			return
		}
	}
	if h, ok = num(c[0:2]); !ok || h > 23 {
		return 0, 0, 0, 0, false
	}
	if m, ok = num(c[3:5]); !ok || m > 59 {
		return 0, 0, 0, 0, false
	}
	if s, ok = num(c[6:8]); !ok || s > 60 {
		return 0, 0, 0, 0, false
	}
	if len(c) > 8 {
		if c[8] != '.' || len(c) == 9 || len(c) > 18 {
			return 0, 0, 0, 0, false
		}
		frac := c[9:]
		var f int
		if f, ok = num(frac); !ok {
			return 0, 0, 0, 0, false
		}
		for i := len(frac); i < 9; i++ {
			f *= 10
		}
		ns = f
	}
	return h, m, s, ns, true
}

func num(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}
