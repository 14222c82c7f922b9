package npslog

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/radscope/radscope/dict"
	"github.com/radscope/radscope/model"
)

// ias writes an IAS (Legacy) record: NAS-IP-Address, User-Name,
// Record-Date, Record-Time, Service-Name, Computer-Name, then
// attribute-number,value pairs. NAS-IP-Address and User-Name go in the
// header only. Values are never quoted; text with a comma or an unprintable
// character is written as 0x-hex.
func (w *Writer) ias(m *model.Message, fs []field) {
	b := &w.buf
	t := m.Time.In(w.loc)
	nas, _ := findField(fs, idNASIP)
	user, _ := findField(fs, idUserName)
	w.iasValue(nas)
	b.WriteByte(',')
	w.iasValue(user)
	b.WriteByte(',')
	b.WriteString(t.Format("01/02/2006,15:04:05"))
	b.WriteByte(',')
	w.iasText(service(m))
	b.WriteByte(',')
	w.iasText(m.Computer)
	for _, f := range fs {
		if f.id == 0 || f.id == idNASIP || f.id == idUserName {
			continue // NPS logs only attributes it has a number for
		}
		b.WriteByte(',')
		b.WriteString(strconv.Itoa(int(f.id)))
		b.WriteByte(',')
		w.iasValue(f)
	}
}

func service(m *model.Message) string {
	if m.Service != "" {
		return m.Service
	}
	return defaultService
}

func (w *Writer) iasValue(f field) {
	if f.kind == kHex {
		w.hex(f.val)
		return
	}
	w.iasText(f.val)
}

func (w *Writer) iasText(s string) {
	if printable(s) && !strings.ContainsRune(s, ',') {
		w.buf.WriteString(s)
		return
	}
	w.hex(s)
}

// hex writes 0x and upper-case hex digits; nothing for an empty value.
func (w *Writer) hex(s string) {
	if s == "" {
		return
	}
	w.buf.WriteString("0x")
	w.buf.WriteString(upperHex(s))
}

// odbcColumns are the 66 ODBC (Legacy) columns of NPS 2008 and later with
// the IAS number of the attribute each carries (0 for the four header
// columns), nps-log-formats.md §3.2.
var odbcColumns = [66]struct {
	name string
	id   int32
}{
	{"ComputerName", 0}, {"ServiceName", 0}, {"Record-Date", 0}, {"Record-Time", 0},
	{"Packet-Type", 4136}, {"User-Name", 1}, {"Fully-Qualified-Distinguished-Name", 4130},
	{"Called-Station-ID", 30}, {"Calling-Station-ID", 31}, {"Callback-Number", 19},
	{"Framed-IP-Address", 8}, {"NAS-Identifier", 32}, {"NAS-IP-Address", 4}, {"NAS-Port", 5},
	{"Client-Vendor", 4116}, {"Client-IP-Address", 4108}, {"Client-Friendly-Name", 4128},
	{"Event-Timestamp", 55}, {"Port-Limit", 62}, {"NAS-Port-Type", 61}, {"Connect-Info", 77},
	{"Framed-Protocol", 7}, {"Service-Type", 6}, {"Authentication-Type", 4127},
	{"Policy-Name", 4149}, {"Reason-Code", 4142}, {"Class", 25}, {"Session-Timeout", 27},
	{"Idle-Timeout", 28}, {"Termination-Action", 29}, {"EAP-Friendly-Name", 4132},
	{"Acct-Status-Type", 40}, {"Acct-Delay-Time", 41}, {"Acct-Input-Octets", 42},
	{"Acct-Output-Octets", 43}, {"Acct-Session-Id", 44}, {"Acct-Authentic", 45},
	{"Acct-Session-Time", 46}, {"Acct-Input-Packets", 47}, {"Acct-Output-Packets", 48},
	{"Acct-Terminate-Cause", 49}, {"Acct-Multi-Ssn-ID", 50}, {"Acct-Link-Count", 51},
	{"Acct-Interim-Interval", 85}, {"Tunnel-Type", 64}, {"Tunnel-Medium-Type", 65},
	{"Tunnel-Client-Endpt", 66}, {"Tunnel-Server-Endpt", 67}, {"Acct-Tunnel-Conn", 68},
	{"Tunnel-Pvt-Group-ID", 81}, {"Tunnel-Assignment-ID", 82}, {"Tunnel-Preference", 83},
	{"MS-Acct-Auth-Type", 4134}, {"MS-Acct-EAP-Type", 4135}, {"MS-RAS-Version", 4148},
	{"MS-RAS-Vendor", 4147}, {"MS-CHAP-Error", 4121}, {"MS-CHAP-Domain", 4120},
	{"MS-MPPE-Encryption-Types", -90}, {"MS-MPPE-Encryption-Policy", -89},
	{"Proxy-Policy-Name", 4154}, {"Provider-Type", 4155}, {"Provider-Name", 4156},
	{"Remote-Server-Address", 4157}, {"MS-RAS-Client-Name", 4159}, {"MS-RAS-Client-Version", 4160},
}

// odbc writes an ODBC (Legacy) record: the 66 columns in order, text in
// double quotes (a quote doubled), numbers, date and time bare, an absent
// value empty, binary as "0x…". Attributes without a column are not logged,
// as NPS does.
func (w *Writer) odbc(m *model.Message, fs []field) {
	b := &w.buf
	t := m.Time.In(w.loc)
	w.odbcText(m.Computer)
	b.WriteByte(',')
	w.odbcText(service(m))
	b.WriteByte(',')
	b.WriteString(t.Format("01/02/2006,15:04:05"))
	for _, col := range odbcColumns[4:] {
		b.WriteByte(',')
		f, ok := findField(fs, col.id)
		if !ok {
			continue
		}
		switch {
		case f.kind == kInt && numericColumn(f.a):
			b.WriteString(f.val)
		case f.kind == kHex:
			b.WriteByte('"')
			w.hex(f.val)
			b.WriteByte('"')
		default:
			w.odbcText(f.val)
		}
	}
}

func numericColumn(a *dict.Attribute) bool {
	if a == nil {
		return true
	}
	switch a.DataType {
	case dict.TypeString, dict.TypeOctets, dict.TypeIPAddr, dict.TypeIPv6Addr, dict.TypeDate:
		return false
	}
	return true
}

func (w *Writer) odbcText(s string) {
	b := &w.buf
	b.WriteByte('"')
	if printable(s) {
		b.WriteString(strings.ReplaceAll(s, `"`, `""`))
	} else {
		w.hex(s)
	}
	b.WriteByte('"')
}

// dts writes a DTS Compliant record: <Event>, Timestamp (local, with
// milliseconds), Computer-Name and Event-Source, the attributes, Packet-Type
// and Reason-Code last, each `<Name data_type="N">value</Name>` with
// data_type 0 integer, 1 string, 2 hex octets (no 0x), 3 IPv4 address, 4
// date-time.
func (w *Writer) dts(m *model.Message, fs []field) {
	b := &w.buf
	b.WriteString("<Event>")
	w.dtsElem(frameTimestamp, 4, m.Time.In(w.loc).Format(dtsTimeLayout))
	w.dtsElem(frameComputer, 1, cleanText(m.Computer))
	w.dtsElem(frameEventSrc, 1, cleanText(service(m)))
	for _, f := range fs {
		name := f.name
		if n, ok := dtsNames[f.id]; ok {
			name = n
		}
		if !xmlName(name) {
			name = dict.UnknownName(0, f.id)
			if f.id == 0 {
				continue
			}
		}
		switch f.kind {
		case kInt:
			w.dtsElem(name, 0, f.val)
		case kAddr:
			w.dtsElem(name, 3, f.val)
		case kDate:
			w.dtsElem(name, 4, f.val)
		case kHex:
			w.dtsElem(name, 2, upperHex(f.val))
		default:
			if printable(f.val) {
				w.dtsElem(name, 1, f.val)
			} else {
				w.dtsElem(name, 2, upperHex(f.val))
			}
		}
	}
	b.WriteString("</Event>")
}

// dtsNames are the element names NPS writes where its dictionary spells an
// attribute differently from the RADIUS name (the real DTS samples,
// nps-log-formats.md §5).
var dtsNames = map[int32]string{
	66: "Tunnel-Client-Endpt",
	67: "Tunnel-Server-Endpt",
	81: "Tunnel-Pvt-Group-ID",
}

func (w *Writer) dtsElem(name string, dataType int, v string) {
	b := &w.buf
	b.WriteByte('<')
	b.WriteString(name)
	b.WriteString(` data_type="`)
	b.WriteString(strconv.Itoa(dataType))
	b.WriteString(`">`)
	xmlText(b, v)
	b.WriteString("</")
	b.WriteString(name)
	b.WriteByte('>')
}

type byteWriter interface {
	WriteString(string) (int, error)
	WriteByte(byte) error
}

// xmlText writes element text as NPS does: &, < and > escaped, quotes as
// they are.
func xmlText(b byteWriter, s string) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		default:
			b.WriteByte(c)
		}
	}
}

// xmlEscape writes s with the five XML special characters escaped; s is
// printable (control characters never reach it).
func xmlEscape(b byteWriter, s string) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		case '\'':
			b.WriteString("&apos;")
		default:
			b.WriteByte(c)
		}
	}
}

// cleanText replaces what XML cannot carry (control characters, invalid
// UTF-8) with U+FFFD, for the fields that have no hex form.
func cleanText(s string) string {
	if printable(s) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0xfffe || r == 0xffff {
			return utf8.RuneError
		}
		return r
	}, strings.ToValidUTF8(s, string(utf8.RuneError)))
}

// xmlName reports whether s is usable as an element name: a letter or _
// first, then letters, digits, '-', '_' and '.'.
func xmlName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', c == '_':
		case i > 0 && ('0' <= c && c <= '9' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return !strings.HasPrefix(strings.ToLower(s), "xml")
}
