// Package output writes model.Messages for people and programs: an aligned
// table (coloured on a terminal, tab-separated when piped), NDJSON, one JSON
// document, or CSV. Every format uses the same field names: a few fixed
// fields (Time, Kind, Format, Source, Computer-Name, Packet-Type,
// Reason-Code, Reason, ...) followed by the message's attributes under their
// dictionary names. Sensitive attributes are redacted unless ShowSecrets.
package output

import (
	"strconv"
	"strings"
	"time"

	"github.com/radscope/radscope/dict"
	"github.com/radscope/radscope/model"
)

// Redacted replaces the value of a sensitive attribute.
const Redacted = "<redacted>"

// Fixed fields, in output order. Attributes follow them.
var Fixed = []string{
	"Time", "Kind", "Format", "Source", "Computer-Name", "Service", "Packet-Type",
	"User", "Identifier", "Authenticator", "Client", "Server", "Reason-Code", "Reason", "Marks",
	"RTT", "Peer-Frame", "Authenticator-Check", "Message-Authenticator-Check", "Password-Check",
	"Event-ID", "Channel", "Provider", "Record-ID", "MFA-CID", "MFA-Result", "MFA-Error", "MFA-Method",
}

// DefaultColumns are the columns of the table and CSV formats when no
// --fields is given.
var DefaultColumns = []string{
	"Time", "Computer-Name", "Packet-Type", "Event-ID", "User", "Client", "Calling-Station-Id",
	"Reason-Code", "Reason", "Marks", "Source",
}

// Options control rendering.
type Options struct {
	Fields      []string       // columns for table/csv; filter for ndjson/json; nil for all
	ShowSecrets bool           // print sensitive values
	Location    *time.Location // zone for times; nil keeps each message's own
	Color       bool           // ANSI colour in the table
	TTY         bool           // table aligned and truncated (else tab-separated)
	Width       int            // terminal width for the table
}

// kv is one field of a rendered message.
type kv struct {
	key   string
	val   string
	num   bool // render unquoted in JSON
	multi []string
}

// emitter receives a message's fields in output order. The table and CSV
// writers collect them as kv pairs; the JSON writers append them straight to
// their buffer, which keeps the NDJSON path free of per-field allocations.
type emitter interface {
	str(key, val string) // called only for non-empty values
	num(key string, v int64)
	time(key string, t time.Time)
	source(key string, s model.Source)
	multi(key string, vals []string)
}

// timeLayout is the layout of every time radscope prints.
const timeLayout = "2006-01-02T15:04:05.000Z07:00"

// emit sends m's fields to e, in output order: the fixed fields, then the
// attributes with repeats gathered under one key in first-seen order.
func emit(e emitter, m *model.Message, o *Options) {
	add := func(k, v string) {
		if v != "" {
			e.str(k, v)
		}
	}
	if !m.Time.IsZero() {
		t := m.Time
		if o.Location != nil {
			t = t.In(o.Location)
		}
		e.time("Time", t)
	}
	add("Kind", m.Kind.String())
	add("Format", string(m.Src.Format))
	e.source("Source", m.Src)
	add("Computer-Name", m.Computer)
	add("Service", m.Service)
	add("Packet-Type", m.Code.String())
	add("User", m.User)
	if m.Ident != model.NoIdent && m.Kind == model.KindPacket {
		e.num("Identifier", int64(m.Ident))
	}
	if len(m.Auth) > 0 {
		add("Authenticator", hexString(m.Auth))
	}
	if m.Client.IsValid() {
		add("Client", m.Client.String())
	} else if m.ClientAddr.IsValid() {
		add("Client", m.ClientAddr.String())
	}
	if m.Server.IsValid() {
		add("Server", m.Server.String())
	}
	if m.Reason != model.NoReason {
		e.num("Reason-Code", int64(m.Reason))
		add("Reason", dict.ReasonText(m.Reason))
	}
	if m.Marks != 0 {
		e.multi("Marks", m.Marks.Names())
	}
	if m.RTT > 0 {
		add("RTT", m.RTT.String())
	}
	if m.Peer > 0 {
		e.num("Peer-Frame", m.Peer)
	}
	if c := m.Check; c != nil {
		add("Authenticator-Check", c.Authenticator.String())
		add("Message-Authenticator-Check", c.MessageAuthenticator.String())
		add("Password-Check", c.Password.String())
	}
	if ev := m.Event; ev != nil {
		e.num("Event-ID", int64(ev.ID))
		add("Channel", ev.Channel)
		add("Provider", ev.Provider)
		if ev.RecordID > 0 {
			e.num("Record-ID", int64(ev.RecordID))
		}
	}
	if f := m.MFA; f != nil {
		add("MFA-CID", f.CID)
		add("MFA-Result", f.Result)
		add("MFA-Error", f.Error)
		add("MFA-Method", f.Method)
	}
	var vals []string
attrs:
	for i := range m.Attrs {
		a := &m.Attrs[i]
		if shadowed(a.Name) {
			continue
		}
		for j := 0; j < i; j++ {
			if m.Attrs[j].Name == a.Name {
				continue attrs // gathered with its first occurrence
			}
		}
		vals = vals[:0]
		for j := i + 1; j < len(m.Attrs); j++ {
			if m.Attrs[j].Name == a.Name {
				if len(vals) == 0 {
					vals = append(vals, attrValue(a, o))
				}
				vals = append(vals, attrValue(&m.Attrs[j], o))
			}
		}
		if len(vals) > 0 {
			e.multi(a.Name, append([]string(nil), vals...))
		} else {
			e.str(a.Name, attrValue(a, o))
		}
	}
}

// shadowed reports the attributes the fixed fields already render.
func shadowed(name string) bool {
	// both names have 11 bytes: most attributes are ruled out by length
	return len(name) == 11 && (strings.EqualFold(name, "Packet-Type") || strings.EqualFold(name, "Reason-Code"))
}

func attrValue(a *model.Attr, o *Options) string {
	if (a.Sensitive || otpState(a)) && !o.ShowSecrets {
		return Redacted
	}
	return a.Value
}

// otpState reports a State attribute that carries an MFA one-time-code
// session: the NPS extension's State is a GUID string, and whoever holds it
// with the code can complete the sign-in. Other States (EAP rounds) are
// opaque bytes and stay visible for correlation.
func otpState(a *model.Attr) bool {
	if a.Vendor != 0 || !strings.EqualFold(a.Name, "State") {
		return false
	}
	v := strings.Trim(a.Value, "{}")
	if len(v) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := v[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// kvs collects fields as kv pairs.
type kvs struct{ fs []kv }

func (k *kvs) str(key, val string) { k.fs = append(k.fs, kv{key: key, val: val}) }
func (k *kvs) num(key string, v int64) {
	k.fs = append(k.fs, kv{key: key, val: strconv.FormatInt(v, 10), num: true})
}
func (k *kvs) time(key string, t time.Time) {
	k.fs = append(k.fs, kv{key: key, val: t.Format(timeLayout)})
}
func (k *kvs) source(key string, s model.Source) { k.fs = append(k.fs, kv{key: key, val: s.String()}) }
func (k *kvs) multi(key string, vals []string)   { k.fs = append(k.fs, kv{key: key, multi: vals}) }

// render turns a message into its fields, in output order, reusing dst.
func render(dst []kv, m *model.Message, o *Options) []kv {
	k := kvs{fs: dst}
	emit(&k, m, o)
	return k.fs
}

// keyField gives the table and CSV columns of the key fields a source
// carries under other names (a Security event's CallingStationID is the
// message's Calling-Station-Id), when no attribute of that name exists.
func keyField(m *model.Message, name string) string {
	switch strings.ToLower(name) {
	case "calling-station-id":
		return m.CallingStation
	case "called-station-id":
		return m.CalledStation
	case "nas-identifier":
		return m.NASID
	case "class":
		return m.Class
	case "acct-session-id":
		return m.AcctSessionID
	case "np-policy-name", "policy-name":
		return m.Policy
	case "proxy-policy-name":
		return m.ProxyPolicy
	case "client-friendly-name":
		return m.ClientName
	case "nas-ip-address":
		if m.NASAddr.IsValid() {
			return m.NASAddr.String()
		}
	}
	return ""
}

// lookup finds a field by name (case-insensitive) in rendered fields.
func lookup(fs []kv, name string) (kv, bool) {
	for _, f := range fs {
		if strings.EqualFold(f.key, name) {
			return f, true
		}
	}
	return kv{}, false
}

func (f kv) text() string {
	if f.multi != nil {
		return strings.Join(f.multi, ";")
	}
	return f.val
}

func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 2*len(b))
	for i, c := range b {
		out[2*i] = digits[c>>4]
		out[2*i+1] = digits[c&15]
	}
	return string(out)
}

// FieldNames lists the names --fields accepts: the fixed fields and every
// attribute name of the dictionary, sorted.
func FieldNames(d *dict.Dictionary) []string {
	names := append([]string(nil), Fixed...)
	seen := map[string]bool{}
	for _, n := range names {
		seen[strings.ToLower(n)] = true
	}
	var attrs []string
	d.Attributes(func(a *dict.Attribute) bool {
		if !seen[strings.ToLower(a.Name)] {
			seen[strings.ToLower(a.Name)] = true
			attrs = append(attrs, a.Name)
		}
		return true
	})
	sortStrings(attrs)
	return append(names, attrs...)
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && strings.ToLower(s[j]) < strings.ToLower(s[j-1]); j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
