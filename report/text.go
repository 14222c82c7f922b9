package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// WriteJSON writes the summary as one indented JSON document.
func WriteJSON(w io.Writer, s *Summary) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	b = append(b, '\n')
	_, err = w.Write(b)
	return err
}

// WriteText writes the summary for people; times in loc.
func WriteText(w io.Writer, s *Summary, loc *time.Location) error {
	if loc == nil {
		loc = time.UTC
	}
	var b strings.Builder
	tf := "2006-01-02 15:04:05 MST"
	fmt.Fprintf(&b, "radscope report\n")
	if !s.From.IsZero() {
		fmt.Fprintf(&b, "  from %s to %s\n", s.From.In(loc).Format(tf), s.To.In(loc).Format(tf))
	}
	fmt.Fprintf(&b, "  %d flows from %d messages: %d authentication attempts, %d failed", s.Flows, s.Messages, s.Attempts, s.Failures)
	if s.Attempts > 0 {
		fmt.Fprintf(&b, " (%.1f%%)", 100*float64(s.Failures)/float64(s.Attempts))
	}
	b.WriteString("\n")
	if s.Unmatched > 0 {
		fmt.Fprintf(&b, "  %d messages belong to no attempt\n", s.Unmatched)
	}
	for _, o := range s.Offsets {
		fmt.Fprintf(&b, "  clock offset: %s is %s from %s (%d pairs)\n", o.Kind, signedDur(o.Offset), s.Reference, o.Pairs)
	}
	for _, h := range s.ZoneHints {
		fmt.Fprintf(&b, "  warning: %s times look %s off %s times in %d attempts that did not join: is --tz the NPS server's zone?\n",
			h.Kind, signedDur(h.Offset), h.Ref, h.Votes)
	}
	section := func(title string) { fmt.Fprintf(&b, "\n%s\n", title) }
	counts := func(cs []Count, withTitle bool) {
		if len(cs) == 0 {
			b.WriteString("  (none)\n")
			return
		}
		for _, c := range cs {
			if withTitle && c.Title != "" {
				fmt.Fprintf(&b, "  %6d  %-24s %s\n", c.Count, c.Key, c.Title)
			} else {
				fmt.Fprintf(&b, "  %6d  %s\n", c.Count, c.Key)
			}
		}
	}
	section("Attempts by outcome")
	counts(s.ByOutcome, false)
	section("Flows by kind")
	counts(s.ByKind, false)
	section("Findings (most severe first)")
	if len(s.Findings) == 0 {
		b.WriteString("  (none)\n")
	}
	for _, c := range s.Findings {
		fmt.Fprintf(&b, "  %6d  %-7s %-28s %s\n", c.Count, c.Severity, c.Key, c.Title)
		fmt.Fprintf(&b, "          e.g. %s\n", c.Example)
		fmt.Fprintf(&b, "          fix: %s\n", c.Remedy)
	}
	section("Findings per NAS")
	if len(s.NASFindings) == 0 {
		b.WriteString("  (none)\n")
	}
	for _, n := range s.NASFindings {
		fmt.Fprintf(&b, "  %-16s %6d  %-7s %s\n", n.NAS, n.Count, n.Severity, n.Rule)
	}
	section("Failures by NPS reason")
	counts(s.Reasons, true)
	section("MFA results")
	counts(s.MFAResults, false)
	section(fmt.Sprintf("Top users by failures (top %d)", TopN))
	counts(s.TopUsers, false)
	section(fmt.Sprintf("Top NAS by failures (top %d)", TopN))
	counts(s.TopNAS, false)
	section(fmt.Sprintf("Top calling stations by failures (top %d)", TopN))
	counts(s.TopClients, false)
	lat := func(title string, ls []Latency) {
		section(title)
		if len(ls) == 0 {
			b.WriteString("  (none measured)\n")
			return
		}
		fmt.Fprintf(&b, "  %-24s %6s %8s %8s %8s %8s\n", "", "n", "p50", "p95", "p99", "max")
		for _, l := range ls {
			fmt.Fprintf(&b, "  %-24s %6d %8s %8s %8s %8s\n", l.Key, l.Count, FormatDuration(l.P50), FormatDuration(l.P95), FormatDuration(l.P99), FormatDuration(l.Max))
		}
	}
	lat("Latency per NAS", s.LatencyNAS)
	lat("Latency per MFA method", s.LatencyMethod)
	section("Timeline (attempts per hour; # failed, + accepted or other)")
	peak := 0
	for _, h := range s.Timeline {
		peak = max(peak, h.Total)
	}
	for _, h := range s.Timeline {
		bar := ""
		if peak > 0 {
			width := 50
			nf := (h.Failed*width + peak - 1) / peak
			nt := (h.Total*width + peak - 1) / peak
			bar = strings.Repeat("#", nf) + strings.Repeat("+", max(0, nt-nf))
		}
		fmt.Fprintln(&b, strings.TrimRight(fmt.Sprintf("  %s %5d %5d  %s", h.Start.In(loc).Format("2006-01-02 15h"), h.Total, h.Failed, bar), " "))
	}
	section("Findings by severity")
	for _, k := range []string{"error", "warning", "info"} {
		fmt.Fprintf(&b, "  %6d  %s\n", s.Severities[k], k)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func signedDur(d time.Duration) string {
	if d >= 0 {
		return "+" + FormatDuration(d)
	}
	return FormatDuration(d)
}
