package report

import (
	"fmt"
	"html/template"
	"io"
	"time"
)

// bar is one bar of an SVG chart, in SVG units.
type bar struct {
	X, Y, W, H float64
	Class      string
	Label      string // below or left of the bar
	Value      string
	Title      string // tooltip
	LX, LY     float64
}

type chart struct {
	W, H   float64
	Bars   []bar
	Labels []bar
}

type htmlData struct {
	S        *Summary
	From, To string
	Rate     string
	Outcomes chart
	Timeline chart
	Offsets  []string
	Lat      []latRow
	LatM     []latRow
}

type latRow struct {
	Latency
	P50, P95, P99, Max string
	BarW               float64
}

// WriteHTML writes the summary as one self-contained HTML page (inline CSS
// and SVG, no scripts, no network resources).
func WriteHTML(w io.Writer, s *Summary, loc *time.Location) error {
	if loc == nil {
		loc = time.UTC
	}
	d := htmlData{S: s}
	if !s.From.IsZero() {
		d.From = s.From.In(loc).Format("2006-01-02 15:04:05 MST")
		d.To = s.To.In(loc).Format("2006-01-02 15:04:05 MST")
	}
	if s.Attempts > 0 {
		d.Rate = fmt.Sprintf("%.1f%%", 100*float64(s.Failures)/float64(s.Attempts))
	}
	for _, o := range s.Offsets {
		d.Offsets = append(d.Offsets, fmt.Sprintf("%s is %s from %s (%d pairs)", o.Kind, signedDur(o.Offset), s.Reference, o.Pairs))
	}
	for _, h := range s.ZoneHints {
		d.Offsets = append(d.Offsets, fmt.Sprintf("%s times look %s off %s times in %d attempts that did not join: is --tz the NPS server's zone?",
			h.Kind, signedDur(h.Offset), h.Ref, h.Votes))
	}
	d.Outcomes = outcomeChart(s.ByOutcome)
	d.Timeline = timelineChart(s.Timeline, loc)
	d.Lat = latRows(s.LatencyNAS)
	d.LatM = latRows(s.LatencyMethod)
	if err := page.Execute(w, d); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

func latRows(ls []Latency) []latRow {
	var peak time.Duration
	for _, l := range ls {
		peak = max(peak, l.P95)
	}
	out := make([]latRow, len(ls))
	for i, l := range ls {
		out[i] = latRow{Latency: l, P50: FormatDuration(l.P50), P95: FormatDuration(l.P95), P99: FormatDuration(l.P99), Max: FormatDuration(l.Max)}
		if peak > 0 {
			out[i].BarW = 160 * float64(l.P95) / float64(peak)
		}
	}
	return out
}

func outcomeClass(o string) string {
	switch o {
	case "accepted", "accounted":
		return "ok"
	case "challenge-abandoned":
		return "warn"
	}
	return "bad"
}

func outcomeChart(cs []Count) chart {
	const left, width, rowH = 170.0, 420.0, 26.0
	c := chart{W: left + width + 60, H: rowH*float64(len(cs)) + 10}
	peak := 0
	for _, x := range cs {
		peak = max(peak, x.Count)
	}
	for i, x := range cs {
		y := 5 + rowH*float64(i)
		w := 0.0
		if peak > 0 {
			w = width * float64(x.Count) / float64(peak)
		}
		c.Bars = append(c.Bars, bar{X: left, Y: y, W: max(w, 1), H: rowH - 8, Class: outcomeClass(x.Key),
			Label: x.Key, Value: fmt.Sprint(x.Count), LX: left - 8, LY: y + rowH/2, Title: fmt.Sprintf("%s: %d", x.Key, x.Count)})
	}
	return c
}

func timelineChart(hs []Hour, loc *time.Location) chart {
	const plotH, top, bottom = 160.0, 10.0, 40.0
	n := len(hs)
	bw := 14.0
	if n > 60 {
		bw = max(2, 840/float64(n))
	}
	c := chart{W: max(300, bw*float64(n)+40), H: top + plotH + bottom}
	peak := 0
	for _, h := range hs {
		peak = max(peak, h.Total)
	}
	every := 1
	if n > 24 {
		every = (n + 23) / 24
	}
	for i, h := range hs {
		x := 20 + bw*float64(i)
		if peak == 0 {
			break
		}
		ht := plotH * float64(h.Total) / float64(peak)
		hf := plotH * float64(h.Failed) / float64(peak)
		label := h.Start.In(loc).Format("15h")
		title := fmt.Sprintf("%s: %d attempts, %d failed", h.Start.In(loc).Format("2006-01-02 15:00"), h.Total, h.Failed)
		if ht > hf {
			c.Bars = append(c.Bars, bar{X: x, Y: top + plotH - ht, W: bw - 2, H: ht - hf, Class: "ok", Title: title})
		}
		if hf > 0 {
			c.Bars = append(c.Bars, bar{X: x, Y: top + plotH - hf, W: bw - 2, H: hf, Class: "bad", Title: title})
		}
		if i%every == 0 {
			c.Labels = append(c.Labels, bar{Label: label, LX: x + bw/2, LY: top + plotH + 16})
		}
	}
	return c
}

var page = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en" xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title>radscope report{{if .From}} {{.From}} – {{.To}}{{end}}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1100px;color:#1d2330;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d8dce5;padding-bottom:4px}
.muted{color:#5b6475}.tiles{display:flex;gap:12px;flex-wrap:wrap;margin:14px 0}
.tile{border:1px solid #d8dce5;border-radius:8px;padding:10px 14px;min-width:120px}.tile b{display:block;font-size:22px}
table{border-collapse:collapse;width:100%;margin:4px 0}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eceef3;vertical-align:top}
th{font-weight:600;background:#f5f6f9}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.sev-error{color:#b3261e;font-weight:600}.sev-warning{color:#8a5a00;font-weight:600}.sev-info{color:#3b5b8c}
svg text{font:12px system-ui,sans-serif;fill:#1d2330}.ok{fill:#2e7d32}.bad{fill:#c62828}.warn{fill:#d18b00}.lat{fill:#5c6bc0}
.cols{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:16px}
</style>
</head>
<body>
<h1>radscope report</h1>
<div class="muted">{{if .From}}{{.From}} – {{.To}}{{end}}</div>
<div class="tiles">
<div class="tile"><b id="attempts">{{.S.Attempts}}</b>attempts</div>
<div class="tile"><b id="failures">{{.S.Failures}}</b>failed{{if .Rate}} ({{.Rate}}){{end}}</div>
<div class="tile"><b id="flows">{{.S.Flows}}</b>flows</div>
<div class="tile"><b id="messages">{{.S.Messages}}</b>messages</div>
<div class="tile"><b id="errors">{{index .S.Severities "error"}}</b>error findings</div>
<div class="tile"><b id="warnings">{{index .S.Severities "warning"}}</b>warnings</div>
</div>
{{range .Offsets}}<div class="muted">Clock offset: {{.}}</div>{{end}}
{{if .S.Unmatched}}<div class="muted">{{.S.Unmatched}} messages belong to no attempt.</div>{{end}}

<h2>Attempts by outcome</h2>
<svg role="img" aria-label="attempts by outcome" width="{{.Outcomes.W}}" height="{{.Outcomes.H}}" viewBox="0 0 {{.Outcomes.W}} {{.Outcomes.H}}">
{{range .Outcomes.Bars}}<g><title>{{.Title}}</title><text x="{{.LX}}" y="{{.LY}}" text-anchor="end" dominant-baseline="middle">{{.Label}}</text><rect class="{{.Class}}" x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}" rx="2"></rect><text x="{{.X}}" dx="{{.W}}" y="{{.LY}}" dominant-baseline="middle"> {{.Value}}</text></g>
{{end}}</svg>

<h2>Findings</h2>
{{if .S.Findings}}<table id="findings"><tr><th>severity</th><th class="n">flows</th><th>finding</th><th>example</th><th>what to do</th></tr>
{{range .S.Findings}}<tr><td class="sev-{{.Severity}}">{{.Severity}}</td><td class="n">{{.Count}}</td><td><b>{{.Title}}</b><br/><span class="muted">{{.Key}}</span></td><td>{{.Example}}</td><td>{{.Remedy}}</td></tr>
{{end}}</table>{{else}}<p>No findings.</p>{{end}}

<h2>Findings per NAS</h2>
{{if .S.NASFindings}}<table id="nas-findings"><tr><th>NAS</th><th class="n">flows</th><th>severity</th><th>finding</th></tr>
{{range .S.NASFindings}}<tr><td>{{.NAS}}</td><td class="n">{{.Count}}</td><td class="sev-{{.Severity}}">{{.Severity}}</td><td>{{.Rule}}</td></tr>
{{end}}</table>{{else}}<p>None.</p>{{end}}

<h2>Timeline (attempts per hour; red failed)</h2>
<svg role="img" aria-label="attempts per hour" width="{{.Timeline.W}}" height="{{.Timeline.H}}" viewBox="0 0 {{.Timeline.W}} {{.Timeline.H}}">
{{range .Timeline.Bars}}<rect class="{{.Class}}" x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}"><title>{{.Title}}</title></rect>
{{end}}{{range .Timeline.Labels}}<text x="{{.LX}}" y="{{.LY}}" text-anchor="middle">{{.Label}}</text>
{{end}}</svg>

<div class="cols">
<div><h2>Failures by NPS reason</h2>{{if .S.Reasons}}<table><tr><th class="n">n</th><th>code</th><th>reason</th></tr>{{range .S.Reasons}}<tr><td class="n">{{.Count}}</td><td>{{.Key}}</td><td>{{.Title}}</td></tr>{{end}}</table>{{else}}<p>None.</p>{{end}}</div>
<div><h2>MFA results</h2>{{if .S.MFAResults}}<table><tr><th class="n">n</th><th>result</th></tr>{{range .S.MFAResults}}<tr><td class="n">{{.Count}}</td><td>{{.Key}}</td></tr>{{end}}</table>{{else}}<p>None.</p>{{end}}</div>
</div>
<div class="cols">
<div><h2>Top users by failures</h2>{{if .S.TopUsers}}<table><tr><th class="n">n</th><th>user</th></tr>{{range .S.TopUsers}}<tr><td class="n">{{.Count}}</td><td>{{.Key}}</td></tr>{{end}}</table>{{else}}<p>None.</p>{{end}}</div>
<div><h2>Top NAS by failures</h2>{{if .S.TopNAS}}<table><tr><th class="n">n</th><th>NAS</th></tr>{{range .S.TopNAS}}<tr><td class="n">{{.Count}}</td><td>{{.Key}}</td></tr>{{end}}</table>{{else}}<p>None.</p>{{end}}</div>
<div><h2>Top calling stations by failures</h2>{{if .S.TopClients}}<table><tr><th class="n">n</th><th>calling station</th></tr>{{range .S.TopClients}}<tr><td class="n">{{.Count}}</td><td>{{.Key}}</td></tr>{{end}}</table>{{else}}<p>None.</p>{{end}}</div>
</div>

<h2>Latency per NAS</h2>
{{template "lat" .Lat}}
<h2>Latency per MFA method</h2>
{{template "lat" .LatM}}
<p class="muted">Made by radscope from NPS logs, Windows events and RADIUS captures. Self-contained: no scripts, no external resources.</p>
</body>
</html>
{{define "lat"}}{{if .}}<table><tr><th>group</th><th class="n">n</th><th class="n">p50</th><th class="n">p95</th><th class="n">p99</th><th class="n">max</th><th>p95</th></tr>
{{range .}}<tr><td>{{.Key}}</td><td class="n">{{.Count}}</td><td class="n">{{.P50}}</td><td class="n">{{.P95}}</td><td class="n">{{.P99}}</td><td class="n">{{.Max}}</td><td><svg width="170" height="12" role="img" aria-label="p95 {{.P95}}"><rect class="lat" x="0" y="1" width="{{.BarW}}" height="10"></rect></svg></td></tr>
{{end}}</table>{{else}}<p>None measured.</p>{{end}}{{end}}
`))
