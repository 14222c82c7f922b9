package export

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/radscope/radscope/dict"
	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/report"
)

// Sink receives the flows of an export.
type Sink interface {
	Add(f *model.Flow) error
	Close() (Progress, error)
}

var _ Sink = (*ClickHouse)(nil)
var _ Sink = (*NDJSON)(nil)

// NDJSON writes the records of an export as newline-delimited JSON, one
// object per message (event.dataset "radscope.message") followed by one
// for its flow ("radscope.flow"), for Elastic, Splunk or Loki. Field names
// follow the Elastic Common Schema where one exists (@timestamp, event.*,
// user.name, host.name, source.*, destination.*, client.ip, log.file.path,
// rule.name); the rest are under radius.* and radscope.*. Keys are dotted,
// not nested, which Elasticsearch ingests as the same fields. Ids are the
// ClickHouse export's, as hexadecimal strings.
type NDJSON struct {
	w           *bufio.Writer
	showSecrets bool
	start       time.Time
	prog        Progress
	ids         []uint64
	buf         []byte
	err         error
}

// NewNDJSON writes to w; sensitive attribute values are "<redacted>"
// unless showSecrets.
func NewNDJSON(w io.Writer, showSecrets bool) *NDJSON {
	return &NDJSON{w: bufio.NewWriterSize(w, 256<<10), showSecrets: showSecrets, start: time.Now()}
}

// Add writes the records of f's messages, then of f.
func (n *NDJSON) Add(f *model.Flow) error {
	if n.err != nil {
		return n.err
	}
	n.ids = n.ids[:0]
	for i := range f.Messages {
		n.ids = append(n.ids, MessageID(&f.Messages[i]))
	}
	id := FlowID(f, n.ids)
	for i := range f.Messages {
		n.buf = appendECSMessage(n.buf[:0], &f.Messages[i], n.ids[i], id, n.showSecrets)
		if err := n.write(); err != nil {
			return err
		}
		n.prog.Messages++
	}
	n.buf = appendECSFlow(n.buf[:0], f, id)
	if err := n.write(); err != nil {
		return err
	}
	n.prog.Flows++
	return nil
}

func (n *NDJSON) write() error {
	if _, err := n.w.Write(n.buf); err != nil {
		n.err = fmt.Errorf("export: writing ndjson: %w", err)
		return n.err
	}
	n.prog.Bytes += int64(len(n.buf))
	return nil
}

// Close flushes the output.
func (n *NDJSON) Close() (Progress, error) {
	if err := n.w.Flush(); err != nil && n.err == nil {
		n.err = fmt.Errorf("export: writing ndjson: %w", err)
	}
	n.prog.Elapsed = time.Since(n.start)
	return n.prog, n.err
}

func hexID(id uint64) string { return strconv.FormatUint(id, 16) }

func (r *row) ts(k string, t time.Time) {
	if t.IsZero() {
		return
	}
	r.key(k)
	r.b = append(r.b, '"')
	r.b = t.UTC().AppendFormat(r.b, time.RFC3339Nano)
	r.b = append(r.b, '"')
}

// opt writes a string field only when it is not empty.
func (r *row) opt(k, v string) {
	if v != "" {
		r.str(k, v)
	}
}

// ecsOutcome maps a flow's outcome to event.outcome.
func ecsOutcome(f *model.Flow) string {
	switch {
	case f.Outcome == model.OutcomeAccepted || f.Outcome == model.OutcomeAccounted:
		return "success"
	case report.Failed(f) || f.Outcome == model.OutcomeRejected:
		return "failure"
	}
	return "unknown"
}

func appendECSMFA(r *row, m *model.MFA) {
	if m == nil {
		return
	}
	r.opt("radscope.mfa.cid", m.CID)
	r.opt("radscope.mfa.result", m.Result)
	r.opt("radscope.mfa.error", m.Error)
	r.opt("radscope.mfa.method", m.Method)
	r.opt("radscope.mfa.message", m.Message)
	r.opt("radscope.mfa.outcome", m.Outcome)
	r.opt("radscope.mfa.state", m.State)
}

func appendECSMessage(b []byte, m *model.Message, id, flowID uint64, showSecrets bool) []byte {
	r := row{b: b, utf8: true}
	r.ts("@timestamp", m.Time)
	r.str("event.id", hexID(id))
	r.str("event.dataset", "radscope.message")
	r.str("event.kind", "event")
	r.strs("event.category", []string{"authentication"})
	if m.Code != model.CodeNone {
		r.str("event.action", m.Code.String())
	}
	if m.Event != nil {
		r.str("event.code", strconv.Itoa(m.Event.ID))
		r.opt("event.provider", m.Event.Provider)
		r.opt("winlog.channel", m.Event.Channel)
		r.uint("winlog.record_id", m.Event.RecordID)
		r.opt("log.level", m.Event.Level)
		r.opt("message", m.Event.Message)
	}
	if m.Reason != model.NoReason {
		r.str("event.reason", dict.ReasonText(m.Reason))
		r.int("radius.reason_code", int64(m.Reason))
	}
	r.str("network.protocol", "radius")
	r.opt("host.name", m.Computer)
	r.opt("user.name", m.User)
	if m.Client.IsValid() {
		r.str("source.ip", m.Client.Addr().String())
		r.int("source.port", int64(m.Client.Port()))
	}
	if m.Server.IsValid() {
		r.str("destination.ip", m.Server.Addr().String())
		r.int("destination.port", int64(m.Server.Port()))
	}
	if m.ClientAddr.IsValid() {
		r.str("client.ip", m.ClientAddr.String())
	}
	r.opt("log.file.path", m.Src.File)
	r.int("log.offset", m.Src.Offset)
	r.str("radscope.kind", m.Kind.String())
	r.str("radscope.format", string(m.Src.Format))
	r.str("radscope.source", m.Src.String())
	r.str("radscope.flow_id", hexID(flowID))
	if m.Ident != model.NoIdent {
		r.int("radius.identifier", int64(m.Ident))
	}
	r.opt("radius.service", m.Service)
	if m.NASAddr.IsValid() {
		r.str("radius.nas_ip_address", m.NASAddr.String())
	}
	r.opt("radius.nas_identifier", m.NASID)
	r.opt("radius.client_friendly_name", m.ClientName)
	r.opt("radius.calling_station_id", m.CallingStation)
	r.opt("radius.called_station_id", m.CalledStation)
	r.opt("radius.class", m.Class)
	r.opt("radius.acct_session_id", m.AcctSessionID)
	if m.AcctStatus != 0 {
		r.int("radius.acct_status_type", int64(m.AcctStatus))
	}
	if m.AuthType != 0 {
		r.int("radius.authentication_type", int64(m.AuthType))
	}
	r.opt("radius.policy", m.Policy)
	r.opt("radius.proxy_policy", m.ProxyPolicy)
	if m.Marks != 0 {
		r.strs("radius.marks", m.Marks.Names())
	}
	if m.RTT > 0 {
		r.int("event.duration", int64(m.RTT))
	}
	appendECSMFA(&r, m.MFA)
	if len(m.Attrs) > 0 {
		r.key("radius.attributes")
		r.b = append(r.b, '[')
		for i := range m.Attrs {
			if i > 0 {
				r.b = append(r.b, ',')
			}
			v, _ := attrValue(&m.Attrs[i], showSecrets)
			r.b = append(r.b, `{"name":`...)
			r.b = appendJSONStringUTF8(r.b, m.Attrs[i].Name)
			r.b = append(r.b, `,"value":`...)
			r.b = appendJSONStringUTF8(r.b, v)
			r.b = append(r.b, '}')
		}
		r.b = append(r.b, ']')
	}
	r.end()
	return r.b
}

func appendECSFlow(b []byte, f *model.Flow, id uint64) []byte {
	r := row{b: b, utf8: true}
	r.ts("@timestamp", f.Start)
	r.str("event.id", hexID(id))
	r.str("event.dataset", "radscope.flow")
	r.str("event.kind", "event")
	r.strs("event.category", []string{"authentication"})
	r.str("event.action", f.Kind.String())
	r.str("event.outcome", ecsOutcome(f))
	r.ts("event.start", f.Start)
	r.ts("event.end", f.End)
	if report.Measured(f) {
		r.int("event.duration", int64(f.Latency))
	}
	if f.Reason != model.NoReason {
		r.str("event.reason", dict.ReasonText(f.Reason))
		r.int("radius.reason_code", int64(f.Reason))
	}
	r.str("network.protocol", "radius")
	r.opt("host.name", f.Computer)
	r.opt("user.name", f.User)
	r.opt("client.address", f.Client)
	r.opt("radius.nas", f.NAS)
	r.opt("radius.calling_station_id", f.CallingStation)
	r.opt("radius.called_station_id", f.CalledStation)
	r.opt("radius.authentication_method", f.Method)
	r.opt("radius.policy", f.Policy)
	r.opt("radius.proxy_policy", f.ProxyPolicy)
	r.opt("radius.acct_session_id", f.AcctSessionID)
	r.opt("radius.class", f.Class)
	r.str("radscope.outcome", f.Outcome.String())
	r.str("radscope.flow_id", hexID(id))
	r.int("radscope.flow_number", f.ID)
	r.int("radscope.messages", int64(len(f.Messages)))
	r.int("radscope.rounds", int64(len(f.Rounds)))
	r.int("radscope.retransmits", int64(f.Retransmits()))
	src := make([]string, len(f.Sources))
	for i, k := range f.Sources {
		src[i] = k.String()
	}
	r.strs("radscope.sources", src)
	if f.Skew != 0 {
		r.int("radscope.skew_ns", int64(f.Skew))
	}
	if f.Linked != 0 {
		r.int("radscope.linked", f.Linked)
	}
	if f.Part != 0 {
		r.int("radscope.part", int64(f.Part))
	}
	if f.Continues != 0 {
		r.int("radscope.continues", f.Continues)
	}
	if ev := report.EventWords(f); len(ev) > 0 {
		r.strs("radscope.events", ev)
	}
	appendECSMFA(&r, f.MFA)
	r.str("radscope.mfa.how", report.MFAMethod(f))
	if t := f.Top(); t != nil {
		r.str("rule.name", t.Rule)
		r.str("log.level", t.Severity.String())
		r.str("message", t.Text)
	}
	if len(f.Findings) > 0 {
		r.key("radscope.findings")
		r.b = append(r.b, '[')
		for i, fd := range f.Findings {
			if i > 0 {
				r.b = append(r.b, ',')
			}
			r.b = append(r.b, `{"rule":`...)
			r.b = appendJSONStringUTF8(r.b, fd.Rule)
			r.b = append(r.b, `,"severity":`...)
			r.b = appendJSONStringUTF8(r.b, fd.Severity.String())
			r.b = append(r.b, `,"text":`...)
			r.b = appendJSONStringUTF8(r.b, fd.Text)
			r.b = append(r.b, `,"remedy":`...)
			r.b = appendJSONStringUTF8(r.b, fd.Remedy)
			r.b = append(r.b, '}')
		}
		r.b = append(r.b, ']')
	}
	r.end()
	return r.b
}
