package export

import (
	"encoding/hex"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/radscope/radscope/dict"
	"github.com/radscope/radscope/flow"
	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/report"
)

// MessageID is the deterministic id of a message: a 64-bit FNV-1a hash of
// where it was read (format, file as given, line, column, byte offset,
// frame, record) and of its time, kind and code. Reading the same files
// again gives the same ids, so a re-export replaces rows instead of adding
// them.
func MessageID(m *model.Message) uint64 {
	var buf [256]byte
	b := append(buf[:0], m.Src.Format...)
	b = append(b, 0)
	b = append(b, m.Src.File...)
	b = append(b, 0)
	for _, n := range [...]int64{int64(m.Src.Line), int64(m.Src.Col), m.Src.Offset, m.Src.Frame, m.Src.Record, m.Time.UnixNano(), int64(m.Kind), int64(m.Code)} {
		b = strconv.AppendInt(b, n, 10)
		b = append(b, 0)
	}
	return fnv64a(fnvOffset, b)
}

// FlowID is the deterministic id of a flow: a hash of its kind and of its
// messages' ids, in order.
func FlowID(f *model.Flow, msgIDs []uint64) uint64 {
	var buf [20]byte
	h := fnv64a(fnvOffset, []byte{'f', byte(f.Kind)})
	for _, id := range msgIDs {
		b := strconv.AppendUint(buf[:0], id, 16)
		h = fnv64a(h, append(b, ','))
	}
	return h
}

// fnv64a continues a 64-bit FNV-1a hash (hash/fnv's New64a) over b,
// without the allocations of the hash.Hash64 interface.
func fnv64a(h uint64, b []byte) uint64 {
	for _, c := range b {
		h ^= uint64(c)
		h *= fnvPrime
	}
	return h
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// row builds one JSON object.
type row struct {
	b    []byte
	utf8 bool // strings must be valid UTF-8 (ndjson)
	// sparse leaves out empty strings, zeros and empty arrays: ClickHouse
	// fills an omitted JSONEachRow field with the column's default, the
	// same value, and parses a third less JSON.
	sparse bool
}

func (r *row) key(k string) {
	if len(r.b) == 0 || r.b[len(r.b)-1] == '\n' {
		r.b = append(r.b, '{')
	} else {
		r.b = append(r.b, ',')
	}
	r.b = append(r.b, '"')
	r.b = append(r.b, k...)
	r.b = append(r.b, '"', ':')
}

func (r *row) end() { r.b = append(r.b, '}', '\n') }

func (r *row) str(k, v string) {
	if r.sparse && v == "" {
		return
	}
	r.key(k)
	r.b = r.quote(r.b, v)
}

func (r *row) quote(b []byte, v string) []byte {
	if r.utf8 {
		return appendJSONStringUTF8(b, v)
	}
	return appendJSONString(b, v)
}
func (r *row) int(k string, v int64) {
	if r.sparse && v == 0 {
		return
	}
	r.key(k)
	r.b = strconv.AppendInt(r.b, v, 10)
}
func (r *row) uint(k string, v uint64) {
	if r.sparse && v == 0 {
		return
	}
	r.key(k)
	r.b = strconv.AppendUint(r.b, v, 10)
}
func (r *row) bool(k string, v bool) {
	if v {
		r.int(k, 1)
	} else {
		r.int(k, 0)
	}
}
func (r *row) strs(k string, vs []string) {
	if r.sparse && len(vs) == 0 {
		return
	}
	r.key(k)
	r.b = append(r.b, '[')
	for i, v := range vs {
		if i > 0 {
			r.b = append(r.b, ',')
		}
		r.b = r.quote(r.b, v)
	}
	r.b = append(r.b, ']')
}
func (r *row) ints(k string, vs []int64) {
	if r.sparse && len(vs) == 0 {
		return
	}
	r.key(k)
	r.b = append(r.b, '[')
	for i, v := range vs {
		if i > 0 {
			r.b = append(r.b, ',')
		}
		r.b = strconv.AppendInt(r.b, v, 10)
	}
	r.b = append(r.b, ']')
}

// dateTime writes a DateTime('UTC') column as Unix seconds (ClickHouse
// reads a JSON number into a DateTime as such, cheaper for both sides than
// "YYYY-MM-DD hh:mm:ss") and its nanoseconds column (none when kns is "").
// The zero time (and anything before 1970 or after 2105, which DateTime
// cannot hold) is written as 0.
func (r *row) dateTime(k, kns string, t time.Time) {
	if t.IsZero() || t.Unix() < 0 || t.Unix() > 1<<32-1 {
		if !r.sparse {
			r.int(k, 0)
			if kns != "" {
				r.int(kns, 0)
			}
		}
		return
	}
	r.int(k, t.Unix())
	if kns != "" {
		r.int(kns, int64(t.Nanosecond()))
	}
}

// appendJSONString quotes s for JSON. Bytes that are not UTF-8 pass
// through unchanged (ClickHouse strings are bytes); for the ndjson output,
// which must be valid UTF-8, use appendJSONStringUTF8.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		// Eight bytes at a time while none of them needs escaping.
		for i+8 <= len(s) && !needsEscape(s[i:i+8]) {
			i += 8
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			i++
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// needsEscape reports whether any of the eight bytes of w8 is a control
// character, '"' or '\\' (the SWAR tests "has a byte less than n" and
// "has a zero byte": exact as a yes/no answer).
func needsEscape(w8 string) bool {
	_ = w8[7]
	w := uint64(w8[0]) | uint64(w8[1])<<8 | uint64(w8[2])<<16 | uint64(w8[3])<<24 |
		uint64(w8[4])<<32 | uint64(w8[5])<<40 | uint64(w8[6])<<48 | uint64(w8[7])<<56
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	less := (w - ones*0x20) &^ w
	q := w ^ (ones * '"')
	bs := w ^ (ones * '\\')
	return (less|(q-ones)&^q|(bs-ones)&^bs)&highs != 0
}

const hexDigits = "0123456789abcdef"

func appendJSONStringUTF8(b []byte, s string) []byte {
	if utf8.ValidString(s) {
		return appendJSONString(b, s)
	}
	return appendJSONString(b, strings.ToValidUTF8(s, "\uFFFD"))
}

// addr and addrPort write an address column (left out when the address
// is not valid). Addresses need no JSON escaping.
func (r *row) addr(k string, a netip.Addr) {
	if !a.IsValid() {
		r.str(k, "")
		return
	}
	r.key(k)
	r.b = append(r.b, '"')
	r.b = a.AppendTo(r.b)
	r.b = append(r.b, '"')
}

func (r *row) addrPort(k string, a netip.AddrPort) {
	if !a.IsValid() {
		r.str(k, "")
		return
	}
	r.key(k)
	r.b = append(r.b, '"')
	r.b = a.AppendTo(r.b)
	r.b = append(r.b, '"')
}

// redactedAttrs hides sensitive values unless showSecrets.
func attrValue(a *model.Attr, showSecrets bool) (string, string) {
	if a.Sensitive && !showSecrets {
		return "<redacted>", ""
	}
	return a.Value, hex.EncodeToString(a.Raw)
}

// appendMessage writes the ClickHouse row of m.
func appendMessage(b []byte, m *model.Message, id, flowID uint64, index int, showSecrets bool) []byte {
	r := row{b: b, sparse: true}
	r.uint("id", id)
	r.uint("flow_id", flowID)
	r.int("flow_index", int64(index))
	r.dateTime("time", "time_ns", m.Time)
	r.str("kind", m.Kind.String())
	r.int("code", int64(m.Code))
	if m.Code != model.CodeNone {
		r.str("packet_type", m.Code.String())
	} else {
		r.str("packet_type", "")
	}
	r.int("ident", int64(m.Ident))
	if len(m.Auth) > 0 || !r.sparse {
		r.key("authenticator")
		r.b = append(r.b, '"')
		r.b = hex.AppendEncode(r.b, m.Auth)
		r.b = append(r.b, '"')
	}
	r.addrPort("client", m.Client)
	r.addrPort("server", m.Server)
	r.str("computer", m.Computer)
	r.str("service", m.Service)
	r.str("user_name", m.User)
	r.addr("nas_ip", m.NASAddr)
	r.str("nas_id", m.NASID)
	r.addr("client_ip", m.ClientAddr)
	r.str("client_name", m.ClientName)
	r.str("calling_station", m.CallingStation)
	r.str("called_station", m.CalledStation)
	r.str("class", m.Class)
	r.str("acct_session_id", m.AcctSessionID)
	r.int("acct_status", int64(m.AcctStatus))
	r.int("auth_type", int64(m.AuthType))
	r.str("policy", m.Policy)
	r.str("proxy_policy", m.ProxyPolicy)
	r.int("reason", int64(m.Reason))
	r.int("marks", int64(m.Marks))
	r.bool("has_check", m.Check != nil)
	var chk model.SecretCheck
	if m.Check != nil {
		chk = *m.Check
	}
	r.int("check_authenticator", int64(chk.Authenticator))
	r.int("check_message_authenticator", int64(chk.MessageAuthenticator))
	r.int("check_password", int64(chk.Password))
	r.bool("has_event", m.Event != nil)
	var ev model.Event
	if m.Event != nil {
		ev = *m.Event
	}
	r.int("event_id", int64(ev.ID))
	r.str("event_provider", ev.Provider)
	r.str("event_channel", ev.Channel)
	r.uint("event_record", ev.RecordID)
	r.str("event_level", ev.Level)
	r.str("event_message", ev.Message)
	if len(ev.Data) > 0 || !r.sparse {
		keys := make([]string, 0, len(ev.Data))
		for k := range ev.Data {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		vals := make([]string, len(keys))
		for i, k := range keys {
			vals[i] = ev.Data[k]
		}
		r.strs("event_data.key", keys)
		r.strs("event_data.value", vals)
	}
	appendMFA(&r, m.MFA)
	r.int("peer", m.Peer)
	r.int("rtt_ns", int64(m.RTT))
	r.str("src_format", string(m.Src.Format))
	r.str("src_file", m.Src.File)
	r.int("src_line", int64(m.Src.Line))
	r.int("src_col", int64(m.Src.Col))
	r.int("src_offset", m.Src.Offset)
	r.int("src_frame", m.Src.Frame)
	r.int("src_record", m.Src.Record)
	if len(m.Attrs) > 0 || !r.sparse {
		// The nested columns, written straight from the attributes: no
		// slice per message (the heap of an export is mostly open flows,
		// and every allocation here costs a collection that scans them).
		attrs := m.Attrs
		array := func(k string, each func(a *model.Attr)) {
			r.key(k)
			r.b = append(r.b, '[')
			for i := range attrs {
				if i > 0 {
					r.b = append(r.b, ',')
				}
				each(&attrs[i])
			}
			r.b = append(r.b, ']')
		}
		array("attrs.vendor", func(a *model.Attr) { r.b = strconv.AppendUint(r.b, uint64(a.Vendor), 10) })
		array("attrs.type", func(a *model.Attr) { r.b = strconv.AppendInt(r.b, int64(a.Type), 10) })
		array("attrs.name", func(a *model.Attr) { r.b = r.quote(r.b, a.Name) })
		array("attrs.value", func(a *model.Attr) {
			if a.Sensitive && !showSecrets {
				r.b = append(r.b, `"<redacted>"`...)
				return
			}
			r.b = r.quote(r.b, a.Value)
		})
		array("attrs.raw", func(a *model.Attr) {
			r.b = append(r.b, '"')
			if !a.Sensitive || showSecrets {
				r.b = hex.AppendEncode(r.b, a.Raw)
			}
			r.b = append(r.b, '"')
		})
		array("attrs.sensitive", func(a *model.Attr) {
			if a.Sensitive {
				r.b = append(r.b, '1')
			} else {
				r.b = append(r.b, '0')
			}
		})
	}
	r.end()
	return r.b
}

func appendMFA(r *row, m *model.MFA) {
	r.bool("has_mfa", m != nil)
	var x model.MFA
	if m != nil {
		x = *m
	}
	r.str("mfa_cid", x.CID)
	r.str("mfa_result", x.Result)
	r.str("mfa_error", x.Error)
	r.str("mfa_method", x.Method)
	r.str("mfa_message", x.Message)
	r.str("mfa_outcome", x.Outcome)
	r.str("mfa_state", x.State)
}

func joinInts(xs []int) string {
	var b []byte
	for i, x := range xs {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(x), 10)
	}
	return string(b)
}

// appendFlow writes the ClickHouse row of f; ord is its place in the
// export run, linkedID and continuesID the ids of the flows f.Linked and
// f.Continues name (0 when unknown).
func appendFlow(b []byte, f *model.Flow, id, ord, linkedID, continuesID uint64) []byte {
	r := row{b: b, sparse: true}
	r.uint("id", id)
	r.int("seq", f.ID)
	r.uint("ord", ord)
	r.str("kind", f.Kind.String())
	r.dateTime("start", "start_ns", f.Start)
	r.dateTime("end", "end_ns", f.End)
	r.str("user_name", f.User)
	r.str("computer", f.Computer)
	r.str("nas", f.NAS)
	r.str("client", f.Client)
	r.str("calling_station", f.CallingStation)
	r.str("called_station", f.CalledStation)
	r.str("method", f.Method)
	r.str("policy", f.Policy)
	r.str("proxy_policy", f.ProxyPolicy)
	r.str("acct_session_id", f.AcctSessionID)
	r.str("class", f.Class)
	r.str("outcome", f.Outcome.String())
	r.bool("failed", report.Failed(f))
	r.int("reason", int64(f.Reason))
	if f.Reason != model.NoReason {
		r.str("reason_text", dict.ReasonText(f.Reason))
	} else {
		r.str("reason_text", "")
	}
	appendMFA(&r, f.MFA)
	r.str("mfa_label", report.MFAMethod(f))
	r.int("latency_ns", int64(f.Latency))
	r.bool("measured", report.Measured(f))
	r.int("skew_ns", int64(f.Skew))
	src := make([]string, len(f.Sources))
	for i, k := range f.Sources {
		src[i] = k.String()
	}
	r.strs("sources", src)
	r.int("linked", f.Linked)
	r.uint("linked_id", linkedID)
	r.bool("auth_seen", f.AuthSeen)
	r.int("messages", int64(len(f.Messages)))
	r.int("retransmits", int64(f.Retransmits()))
	r.strs("events", report.EventWords(f))
	if t := f.Top(); t != nil {
		r.str("severity", t.Severity.String())
		r.str("finding", t.Rule)
	} else {
		r.str("severity", "")
		r.str("finding", "")
	}
	n := len(f.Rounds)
	req, resp, code, lat := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	rtx := make([]string, n)
	for i, rd := range f.Rounds {
		req[i], resp[i], code[i], lat[i] = int64(rd.Request), int64(rd.Response), int64(rd.Code), int64(rd.Latency)
		rtx[i] = joinInts(rd.Retransmits)
	}
	r.ints("rounds.request", req)
	r.strs("rounds.retransmits", rtx)
	r.ints("rounds.response", resp)
	r.ints("rounds.code", code)
	r.ints("rounds.latency_ns", lat)
	n = len(f.Findings)
	rule, sev, text, remedy, ev := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	for i, fd := range f.Findings {
		rule[i], sev[i], text[i], remedy[i], ev[i] = fd.Rule, fd.Severity.String(), fd.Text, fd.Remedy, joinInts(fd.Evidence)
	}
	r.strs("findings.rule", rule)
	r.strs("findings.severity", sev)
	r.strs("findings.text", text)
	r.strs("findings.remedy", remedy)
	r.strs("findings.evidence", ev)
	r.int("part", int64(f.Part))
	r.int("continues", f.Continues)
	r.uint("continues_id", continuesID)
	r.end()
	return r.b
}

// appendRun writes the runs table row of an export run: its flows' span
// and counts, and what the flow builder found about the inputs (st).
func appendRun(b []byte, run *runState, st *flow.Stats) []byte {
	r := row{b: b, sparse: true}
	r.uint("id", run.h)
	r.dateTime("start", "", run.start)
	r.dateTime("end", "", run.end)
	r.int("flows", run.flows)
	r.int("messages", run.messages)
	r.strs("computers", run.computers)
	if st != nil && len(st.Offsets) > 0 {
		r.str("clock_ref", st.Reference.String())
		n := len(st.Offsets)
		kind, off, pairs, applied := make([]string, n), make([]int64, n), make([]int64, n), make([]int64, n)
		for i, o := range st.Offsets {
			kind[i], off[i], pairs[i] = o.Kind.String(), int64(o.Offset), int64(o.Pairs)
			if o.Applied {
				applied[i] = 1
			}
		}
		r.strs("clock_offsets.kind", kind)
		r.ints("clock_offsets.offset_ns", off)
		r.ints("clock_offsets.pairs", pairs)
		r.ints("clock_offsets.applied", applied)
	}
	if st != nil && len(st.ZoneHints) > 0 {
		n := len(st.ZoneHints)
		kind, ref, off, votes := make([]string, n), make([]string, n), make([]int64, n), make([]int64, n)
		for i, h := range st.ZoneHints {
			kind[i], ref[i], off[i], votes[i] = h.Kind.String(), h.Ref.String(), int64(h.Offset), int64(h.Votes)
		}
		r.strs("zone_hints.kind", kind)
		r.strs("zone_hints.ref", ref)
		r.ints("zone_hints.offset_ns", off)
		r.ints("zone_hints.votes", votes)
	}
	r.end()
	return r.b
}
