package main

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// attr describes how one NPS attribute appears in the three log formats.
type attr struct {
	id   int  // IAS-format attribute number
	dt   int  // DTS data_type
	col  int  // 1-based ODBC column, 0 when the ODBC layout has none
	text bool // ODBC quotes the value
}

// attrs is keyed by the DTS element name, which is the NPS dictionary name.
var attrs = map[string]attr{
	"User-Name":                 {1, 1, 6, true},
	"Fully-Qualifed-User-Name":  {4130, 1, 7, true},
	"Called-Station-Id":         {30, 1, 8, true},
	"Calling-Station-Id":        {31, 1, 9, true},
	"Callback-Number":           {19, 1, 10, true},
	"Framed-IP-Address":         {8, 3, 11, true},
	"NAS-Identifier":            {32, 1, 12, true},
	"NAS-IP-Address":            {4, 3, 13, true},
	"NAS-Port":                  {5, 0, 14, false},
	"Client-Vendor":             {4116, 0, 15, false},
	"Client-IP-Address":         {4108, 3, 16, true},
	"Client-Friendly-Name":      {4128, 1, 17, true},
	"Event-Timestamp":           {55, 4, 0, false}, // column 18 is left empty, as in every public ODBC sample
	"Port-Limit":                {62, 0, 19, false},
	"NAS-Port-Type":             {61, 0, 20, false},
	"Connect-Info":              {77, 1, 21, true},
	"Framed-Protocol":           {7, 0, 22, false},
	"Service-Type":              {6, 0, 23, false},
	"Authentication-Type":       {4127, 0, 24, false},
	"NP-Policy-Name":            {4149, 1, 25, true},
	"Reason-Code":               {4142, 0, 26, false},
	"Class":                     {25, 1, 27, true},
	"Session-Timeout":           {27, 0, 28, false},
	"Idle-Timeout":              {28, 0, 29, false},
	"Termination-Action":        {29, 0, 30, false},
	"EAP-Friendly-Name":         {4132, 1, 31, true},
	"Acct-Status-Type":          {40, 0, 32, false},
	"Acct-Delay-Time":           {41, 0, 33, false},
	"Acct-Input-Octets":         {42, 0, 34, false},
	"Acct-Output-Octets":        {43, 0, 35, false},
	"Acct-Session-Id":           {44, 1, 36, true},
	"Acct-Authentic":            {45, 0, 37, false},
	"Acct-Session-Time":         {46, 0, 38, false},
	"Acct-Input-Packets":        {47, 0, 39, false},
	"Acct-Output-Packets":       {48, 0, 40, false},
	"Acct-Terminate-Cause":      {49, 0, 41, false},
	"Acct-Multi-Session-Id":     {50, 1, 42, true},
	"Acct-Link-Count":           {51, 0, 43, false},
	"Acct-Interim-Interval":     {85, 0, 44, false},
	"Tunnel-Type":               {64, 0, 45, false},
	"Tunnel-Medium-Type":        {65, 0, 46, false},
	"Tunnel-Client-Endpt":       {66, 1, 47, true},
	"Tunnel-Server-Endpt":       {67, 1, 48, true},
	"Tunnel-Pvt-Group-ID":       {81, 1, 50, true},
	"MS-RAS-Version":            {4148, 1, 55, true},
	"MS-RAS-Vendor":             {4147, 0, 56, false},
	"MS-CHAP-Error":             {4121, 1, 57, true},
	"MS-CHAP-Domain":            {4120, 1, 58, true},
	"MS-MPPE-Encryption-Types":  {-90, 0, 59, false},
	"MS-MPPE-Encryption-Policy": {-89, 0, 60, false},
	"Proxy-Policy-Name":         {4154, 1, 61, true},
	"Provider-Type":             {4155, 0, 62, false},
	"SAM-Account-Name":          {4129, 1, 0, true},
	"Framed-MTU":                {12, 0, 0, false},
	"Cisco-AV-Pair":             {5000, 1, 0, true},
	"Vendor-Specific":           {26, 2, 0, false},
	"State":                     {24, 2, 0, false},
	"Reply-Message":             {18, 1, 0, true},
	"Packet-Type":               {4136, 0, 5, false},
}

// Special values a record may carry.
const (
	emptyQuoted = "\x00empty-quoted" // ODBC: write "" instead of nothing
	hexPrefix   = "\x00hex:"         // value is raw bytes; ODBC and IAS write 0x…, DTS data_type 2 bare hex
)

type kv struct{ k, v string }

// rec is one NPS log record: the header fields plus attributes in the order
// the NAS (or NPS) put them. Packet-Type and Reason-Code go last in IAS and
// DTS, as NPS writes them.
type rec struct {
	t        time.Time // NPS local time, with milliseconds for DTS
	computer string
	service  string
	hdrNAS   string // IAS header field 1
	hdrUser  string // IAS header field 2
	attrs    []kv
}

func (r rec) get(k string) string {
	for _, a := range r.attrs {
		if a.k == k {
			return a.v
		}
	}
	return ""
}

func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// odbc renders r in the ODBC (Legacy) layout with ncols columns (60 or 66).
func odbc(r rec, ncols int) string {
	f := make([]string, ncols)
	f[0] = quote(r.computer)
	f[1] = quote(r.service)
	f[2] = r.t.Format("01/02/2006")
	f[3] = r.t.Format("15:04:05")
	for _, a := range r.attrs {
		d, ok := attrs[a.k]
		if !ok {
			panic("unknown attribute " + a.k)
		}
		if d.col == 0 || d.col > ncols {
			continue
		}
		if f[d.col-1] != "" {
			panic(fmt.Sprintf("ODBC column %d set twice (%s)", d.col, a.k))
		}
		switch {
		case a.v == emptyQuoted:
			f[d.col-1] = `""`
		case strings.HasPrefix(a.v, hexPrefix):
			f[d.col-1] = quote("0x" + strings.ToUpper(hex.EncodeToString([]byte(a.v[len(hexPrefix):]))))
		case d.text:
			f[d.col-1] = quote(a.v)
		default:
			f[d.col-1] = a.v
		}
	}
	return strings.Join(f, ",")
}

// iasValue writes a value the way IAS format does: raw, or 0x-hex when it
// holds a delimiter or an unprintable byte.
func iasValue(v string) string {
	if strings.HasPrefix(v, hexPrefix) {
		return "0x" + hex.EncodeToString([]byte(v[len(hexPrefix):]))
	}
	for i := 0; i < len(v); i++ {
		if v[i] == ',' || v[i] < 0x20 || v[i] == 0x7f {
			return "0x" + hex.EncodeToString([]byte(v))
		}
	}
	return v
}

// iasExtra is an attribute written only in IAS format, by number.
type iasExtra struct {
	id int
	v  string
}

// ias renders r in the IAS (Legacy) layout. User-Name and NAS-IP-Address are
// in the header and not repeated as pairs. extra pairs (unknown numbers)
// are written before Packet-Type.
func ias(r rec, extra ...iasExtra) string {
	var b strings.Builder
	b.WriteString(strings.Join([]string{r.hdrNAS, r.hdrUser, r.t.Format("01/02/2006"), r.t.Format("15:04:05"), r.service, r.computer}, ","))
	var tail []kv
	pair := func(id int, v string) {
		b.WriteByte(',')
		b.WriteString(strconv.Itoa(id))
		b.WriteByte(',')
		b.WriteString(iasValue(v))
	}
	for _, a := range r.attrs {
		switch a.k {
		case "User-Name", "NAS-IP-Address":
			continue
		case "Packet-Type", "Reason-Code":
			tail = append(tail, a)
			continue
		}
		v := a.v
		if v == emptyQuoted {
			continue
		}
		pair(attrs[a.k].id, v)
	}
	for _, e := range extra {
		pair(e.id, e.v)
	}
	for _, a := range tail {
		pair(attrs[a.k].id, a.v)
	}
	return b.String()
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func elem(b *strings.Builder, name string, dt int, v string) {
	fmt.Fprintf(b, `<%s data_type="%d">%s</%s>`, name, dt, v, name)
}

// dts renders r as one DTS Compliant <Event>.
func dts(r rec) string {
	var b strings.Builder
	b.WriteString("<Event>")
	elem(&b, "Timestamp", 4, r.t.Format("01/02/2006 15:04:05.000"))
	elem(&b, "Computer-Name", 1, xmlEscape(r.computer))
	elem(&b, "Event-Source", 1, xmlEscape(r.service))
	var tail []kv
	for _, a := range r.attrs {
		if a.k == "Packet-Type" || a.k == "Reason-Code" {
			tail = append(tail, a)
			continue
		}
		if a.v == emptyQuoted {
			continue
		}
		d := attrs[a.k]
		if strings.HasPrefix(a.v, hexPrefix) {
			elem(&b, a.k, 2, strings.ToUpper(hex.EncodeToString([]byte(a.v[len(hexPrefix):]))))
			continue
		}
		elem(&b, a.k, d.dt, xmlEscape(a.v))
	}
	for _, a := range tail {
		elem(&b, a.k, 0, a.v)
	}
	b.WriteString("</Event>")
	return b.String()
}
