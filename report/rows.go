// Package report turns flows into what people and programs read: one row
// per flow (table, NDJSON, JSON, CSV, with the field names the filter
// language uses), and a summary of many flows (totals by outcome, failures
// ranked by finding and reason, top users, NASes and clients by failures,
// latency percentiles, an hourly timeline) as text, JSON, or a
// self-contained HTML page with inline SVG charts.
package report

import (
	"strconv"
	"strings"
	"time"

	"github.com/radscope/radscope/dict"
	"github.com/radscope/radscope/filter"
	"github.com/radscope/radscope/model"
)

// Columns are the row fields, in output order.
var Columns = []string{
	"Time", "ID", "Kind", "User", "NAS", "Client", "Calling-Station", "Called-Station", "Computer", "Method", "Outcome",
	"Reason-Code", "Reason", "MFA", "MFA-Error", "Latency", "Rounds", "Retransmits", "Sources", "Skew", "Policy",
	"Proxy-Policy", "Acct-Session-Id", "Linked", "Part", "Continues", "Messages", "Severity", "Finding", "Findings",
}

// DefaultColumns are the table and CSV columns when no --fields is given.
var DefaultColumns = []string{
	"Time", "User", "NAS", "Calling-Station", "Method", "Outcome", "Reason", "MFA", "Latency", "Sources", "Finding",
}

// Schema is the filter schema of a flow row.
var Schema = filter.Schema{
	{Name: "time", Type: filter.Time, Help: "start of the attempt"},
	{Name: "id", Type: filter.Number, Help: "flow number"},
	{Name: "kind", Type: filter.String, Help: "auth, accounting, status, coa, unmatched"},
	{Name: "user", Type: filter.String, Key: true, Help: "user name as the NAS sent it"},
	{Name: "nas", Type: filter.String, Key: true, Aliases: []string{"client-name"}, Help: "RADIUS client name"},
	{Name: "client", Type: filter.String, Help: "RADIUS client address"},
	{Name: "station", Type: filter.String, Key: true, Aliases: []string{"calling-station"}, Help: "Calling-Station-Id"},
	{Name: "called", Type: filter.String, Aliases: []string{"called-station"}, Help: "Called-Station-Id"},
	{Name: "computer", Type: filter.String, Help: "NPS server"},
	{Name: "method", Type: filter.String, Help: "PAP, MS-CHAPv2, EAP, PEAP ..."},
	{Name: "outcome", Type: filter.String, Aliases: []string{"result"}, Help: "accepted, rejected, challenge-abandoned, no-response, discarded, accounted"},
	{Name: "reason", Type: filter.Number, Aliases: []string{"reason-code"}, Help: "NPS reason code"},
	{Name: "reason-text", Type: filter.String, Key: true, Help: "NPS reason text"},
	{Name: "mfa", Type: filter.String, Help: "MFA result or error code"},
	{Name: "latency", Type: filter.Duration, Help: "first request to final answer"},
	{Name: "rtx", Type: filter.Number, Aliases: []string{"retransmits"}, Help: "retransmitted requests"},
	{Name: "sources", Type: filter.String, Help: "packet, record, event"},
	{Name: "finding", Type: filter.String, Aliases: []string{"findings"}, Help: "rule IDs of the findings"},
	{Name: "severity", Type: filter.String, Help: "severity of the top finding"},
	{Name: "policy", Type: filter.String, Help: "network or connection request policy"},
	{Name: "session", Type: filter.String, Aliases: []string{"acct-session-id"}, Help: "Acct-Session-Id"},
	{Name: "event", Type: filter.String, Help: "radsniff words: rtx, norsp, noreq, reused, error"},
	{Name: "messages", Type: filter.Number, Help: "messages in the flow"},
	{Name: "part", Type: filter.Number, Help: "part number of a long accounting session yielded in parts (0: whole)"},
}

// Record adapts a flow to the filter language.
func Record(f *model.Flow) filter.Record { return record{f} }

type record struct{ f *model.Flow }

func (r record) Field(name string) filter.Value {
	f := r.f
	switch name {
	case "time":
		return filter.At(f.Start)
	case "id":
		return filter.Num(float64(f.ID))
	case "kind":
		return filter.Str(f.Kind.String())
	case "user":
		return filter.Str(f.User)
	case "nas":
		return filter.Str(f.NAS)
	case "client":
		return filter.Str(f.Client)
	case "station":
		return filter.Str(f.CallingStation)
	case "called":
		return filter.Str(f.CalledStation)
	case "computer":
		return filter.Str(f.Computer)
	case "method":
		return filter.Str(f.Method)
	case "outcome":
		return filter.Str(f.Outcome.String())
	case "reason":
		if f.Reason == model.NoReason {
			return filter.Value{}
		}
		return filter.Num(float64(f.Reason))
	case "reason-text":
		if f.Reason == model.NoReason {
			return filter.Value{}
		}
		return filter.Str(dict.ReasonText(f.Reason))
	case "mfa":
		if f.MFA == nil {
			return filter.Value{}
		}
		return filter.Strs(nonEmpty(f.MFA.Result, f.MFA.Error)...)
	case "latency":
		if f.Kind == model.FlowAccounting || f.Kind == model.FlowUnmatched {
			return filter.Value{}
		}
		return filter.Dur(f.Latency)
	case "rtx":
		return filter.Num(float64(f.Retransmits()))
	case "sources":
		return filter.Strs(sources(f)...)
	case "finding":
		var ids []string
		for _, fd := range f.Findings {
			ids = append(ids, fd.Rule)
		}
		return filter.Strs(ids...)
	case "severity":
		if t := f.Top(); t != nil {
			return filter.Str(t.Severity.String())
		}
		return filter.Value{}
	case "policy":
		return filter.Strs(nonEmpty(f.Policy, f.ProxyPolicy)...)
	case "session":
		return filter.Str(f.AcctSessionID)
	case "event":
		return filter.Strs(events(f)...)
	case "messages":
		return filter.Num(float64(len(f.Messages)))
	case "part":
		return filter.Num(float64(f.Part))
	}
	return filter.Value{}
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func sources(f *model.Flow) []string {
	out := make([]string, len(f.Sources))
	for i, k := range f.Sources {
		out[i] = k.String()
	}
	return out
}

// events are radsniff's words for what happened to a flow's packets.
func events(f *model.Flow) []string {
	var marks model.Mark
	for i := range f.Messages {
		marks |= f.Messages[i].Marks
	}
	var out []string
	if f.Retransmits() > 0 || marks&model.MarkRetransmit != 0 {
		out = append(out, "rtx")
	}
	if f.Outcome == model.OutcomeNoResponse || marks&model.MarkNoResponse != 0 {
		out = append(out, "norsp")
	}
	if marks&model.MarkNoRequest != 0 {
		out = append(out, "noreq")
	}
	if marks&model.MarkReused != 0 {
		out = append(out, "reused")
	}
	if marks&(model.MarkMalformed|model.MarkTruncated) != 0 {
		out = append(out, "error")
	}
	return out
}

// field is one rendered value of a row.
type field struct {
	key   string
	val   string
	num   bool     // unquoted in JSON
	list  []string // a JSON array of strings
	finds []model.Finding
}

// TimeFormat is how rows print times.
const TimeFormat = "2006-01-02T15:04:05.000Z07:00"

// fields renders a flow's row. loc is the zone for times (nil keeps the
// flow's own).
func fields(f *model.Flow, loc *time.Location) []field {
	var out []field
	add := func(k, v string) {
		if v != "" {
			out = append(out, field{key: k, val: v})
		}
	}
	num := func(k string, n int64) { out = append(out, field{key: k, val: strconv.FormatInt(n, 10), num: true}) }
	if !f.Start.IsZero() {
		t := f.Start
		if loc != nil {
			t = t.In(loc)
		}
		add("Time", t.Format(TimeFormat))
	}
	num("ID", f.ID)
	add("Kind", f.Kind.String())
	add("User", f.User)
	add("NAS", f.NAS)
	add("Client", f.Client)
	add("Calling-Station", f.CallingStation)
	add("Called-Station", f.CalledStation)
	add("Computer", f.Computer)
	add("Method", f.Method)
	add("Outcome", f.Outcome.String())
	if f.Reason != model.NoReason {
		num("Reason-Code", int64(f.Reason))
		add("Reason", dict.ReasonText(f.Reason))
	}
	if f.MFA != nil {
		add("MFA", f.MFA.Result)
		add("MFA-Error", f.MFA.Error)
	}
	if f.Kind != model.FlowAccounting && f.Kind != model.FlowUnmatched && f.Latency > 0 {
		add("Latency", FormatDuration(f.Latency))
	}
	if len(f.Rounds) > 0 {
		num("Rounds", int64(len(f.Rounds)))
	}
	if n := f.Retransmits(); n > 0 {
		num("Retransmits", int64(n))
	}
	if len(f.Sources) > 0 {
		out = append(out, field{key: "Sources", val: strings.Join(sources(f), "+"), list: sources(f)})
	}
	if f.Skew != 0 {
		add("Skew", FormatDuration(f.Skew))
	}
	add("Policy", f.Policy)
	add("Proxy-Policy", f.ProxyPolicy)
	add("Acct-Session-Id", f.AcctSessionID)
	if f.Linked != 0 {
		num("Linked", f.Linked)
	}
	if f.Part != 0 {
		num("Part", int64(f.Part))
	}
	if f.Continues != 0 {
		num("Continues", f.Continues)
	}
	num("Messages", int64(len(f.Messages)))
	if t := f.Top(); t != nil {
		add("Severity", t.Severity.String())
		add("Finding", t.Rule)
		out = append(out, field{key: "Findings", val: t.Text, finds: f.Findings})
	}
	return out
}

// FormatDuration prints a duration the way rows do: milliseconds below a
// second, then seconds with one decimal, then Go's form.
func FormatDuration(d time.Duration) string {
	switch {
	case d < 0:
		return "-" + FormatDuration(-d)
	case d < time.Second:
		return strconv.FormatInt(d.Milliseconds(), 10) + "ms"
	case d < time.Minute:
		return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + "s"
	}
	return d.Round(time.Second).String()
}

func lookup(fs []field, key string) (field, bool) {
	for _, f := range fs {
		if strings.EqualFold(f.key, key) {
			return f, true
		}
	}
	return field{}, false
}

// ValidColumn reports whether name is a row field.
func ValidColumn(name string) bool {
	for _, c := range Columns {
		if strings.EqualFold(c, name) {
			return true
		}
	}
	return false
}
