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

// attrs the fixed fields already render.
var shadowed = map[string]bool{"packet-type": true, "reason-code": true}

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

// render turns a message into its fields, in output order. It appends to
// dst to avoid allocation.
func render(dst []kv, m *model.Message, o *Options) []kv {
	add := func(k, v string) {
		if v != "" {
			dst = append(dst, kv{key: k, val: v})
		}
	}
	addNum := func(k, v string) { dst = append(dst, kv{key: k, val: v, num: true}) }
	if !m.Time.IsZero() {
		t := m.Time
		if o.Location != nil {
			t = t.In(o.Location)
		}
		add("Time", t.Format("2006-01-02T15:04:05.000Z07:00"))
	}
	add("Kind", m.Kind.String())
	add("Format", string(m.Src.Format))
	add("Source", m.Src.String())
	add("Computer-Name", m.Computer)
	add("Service", m.Service)
	add("Packet-Type", m.Code.String())
	add("User", m.User)
	if m.Ident != model.NoIdent && m.Kind == model.KindPacket {
		addNum("Identifier", strconv.Itoa(m.Ident))
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
		addNum("Reason-Code", strconv.Itoa(m.Reason))
		add("Reason", dict.ReasonText(m.Reason))
	}
	if m.Marks != 0 {
		dst = append(dst, kv{key: "Marks", multi: m.Marks.Names()})
	}
	if m.RTT > 0 {
		add("RTT", m.RTT.String())
	}
	if m.Peer > 0 {
		addNum("Peer-Frame", strconv.FormatInt(m.Peer, 10))
	}
	if c := m.Check; c != nil {
		add("Authenticator-Check", c.Authenticator.String())
		add("Message-Authenticator-Check", c.MessageAuthenticator.String())
		add("Password-Check", c.Password.String())
	}
	if e := m.Event; e != nil {
		addNum("Event-ID", strconv.Itoa(e.ID))
		add("Channel", e.Channel)
		add("Provider", e.Provider)
		if e.RecordID > 0 {
			addNum("Record-ID", strconv.FormatUint(e.RecordID, 10))
		}
	}
	if f := m.MFA; f != nil {
		add("MFA-CID", f.CID)
		add("MFA-Result", f.Result)
		add("MFA-Error", f.Error)
		add("MFA-Method", f.Method)
	}
	// Attributes, with repeats gathered under one key in first-seen order.
	start := len(dst)
	for i := range m.Attrs {
		a := &m.Attrs[i]
		if shadowed[strings.ToLower(a.Name)] {
			continue
		}
		v := a.Value
		if a.Sensitive && !o.ShowSecrets {
			v = Redacted
		}
		found := false
		for j := start; j < len(dst); j++ {
			if dst[j].key == a.Name {
				if dst[j].multi == nil {
					dst[j].multi = []string{dst[j].val}
				}
				dst[j].multi = append(dst[j].multi, v)
				found = true
				break
			}
		}
		if !found {
			dst = append(dst, kv{key: a.Name, val: v})
		}
	}
	return dst
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
