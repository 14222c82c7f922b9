package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/radscope/radscope/internal/xhtml"
)

// incident is the end-to-end fixture: capture, NPS log and events of one
// morning (testdata/incident/README.md).
var incident = []string{"--tz", "UTC", "--secrets-file", "testdata/incident/secrets.txt", "testdata/incident"}

func withInput(args ...string) []string { return append(args, incident...) }

func TestFlowsCLI(t *testing.T) {
	cases := []cliCase{
		{name: "flows-table", args: withInput("flows", "-q", "--format", "table"), stdout: "flows-table"},
		{name: "flows-ndjson", args: withInput("flows", "-q", "--format", "ndjson"), stdout: "flows-ndjson"},
		{name: "flows-json", args: withInput("flows", "-q", "--format", "json"), stdout: "flows-json"},
		{name: "flows-csv", args: withInput("flows", "-q", "--format", "csv", "--fields", "ID,Time,User,NAS,Outcome,Reason-Code,MFA,Latency,Retransmits,Sources,Skew,Linked,Finding"), stdout: "flows-csv"},
		{name: "flows-filter", args: withInput("flows", "-q", "--format", "csv", "--fields", "ID,User,Outcome,Finding", "--filter", "outcome:rejected|no-response latency:>1s"),
			stdout: "flows-filter"},
		{name: "flows-filter-bare-negated", args: withInput("flows", "-q", "--format", "csv", "--fields", "User", "--filter", "!bob -kind:accounting finding:clock-skew"),
			outHas: []string{"CONTOSO\\alice", "CONTOSO\\carol", "CONTOSO\\dave", "CONTOSO\\mallory"}},
		{name: "flows-stderr", args: withInput("flows", "--format", "csv"), errHas: []string{"clock offset: packet times are +2.4s from record times"}},
		{name: "flows-bad-filter", args: withInput("flows", "--filter", "outcome:rejected laency:>3s"), code: 2,
			errHas: []string{"--filter: filter: column 18: unknown field \"laency\""}},
		{name: "flows-bad-fields", args: withInput("flows", "--fields", "Time,Nope"), code: 2, errHas: []string{`unknown field "Nope"`}},
		{name: "flows-list-fields", args: []string{"flows", "--fields"}, outHas: []string{"Calling-Station\n", "Finding\n", "Latency\n"}},
		{name: "flows-unmatched", args: []string{"flows", "-q", "--tz", "UTC", "--format", "csv", "--fields", "Kind,Finding",
			"--unmatched", "testdata/events/NPS01_System.evtx"}, outHas: []string{"unmatched,unknown-client", "unmatched,wrong-secret"}},
		{name: "flows-kind-unmatched", args: []string{"flows", "-q", "--tz", "UTC", "--format", "csv", "--fields", "Kind", "--filter", "kind:unmatched",
			"testdata/events/NPS01_System.evtx"}, outHas: []string{"unmatched\nunmatched\n"}},
		{name: "flows-wrong-tz", args: []string{"flows", "--tz", "UTC", "--format", "csv", "--fields", "ID", "testdata/iaslogs/mfa-day/IN240305.log",
			"testdata/events/NPS01_Security.evtx"}, errHas: []string{"record times look +1h0m0s off event times", "is --tz the NPS server's zone?"}},
		{name: "flows-help", args: []string{"help", "flows"}, outHas: []string{"latency:>3s", "outcome", "--filter"}},
		{name: "explain-codes", args: []string{"explain", "21", "UserNotFound", "nas-timeout-short"}, stdout: "explain-codes"},
		{name: "explain-json", args: []string{"explain", "--format", "json", "IAS_NO_SUCH_USER"}, outHas: []string{`"id": "nps-reason-8"`, `"remedy":`}},
		{name: "explain-list", args: []string{"explain", "--list"}, outHas: []string{"nps-reason-49", "mfa-ESTS_TOKEN_ERROR", "rdg-cannot-challenge"}},
		{name: "explain-unknown", args: []string{"explain", "42424"}, code: 2, errHas: []string{`no reason code, MFA code or finding "42424"`}},
		{name: "explain-none", args: []string{"explain"}, code: 2, errHas: []string{"no CODE given"}},
		{name: "report-text", args: withInput("report", "-q"), code: 1, stdout: "report-text", errHas: []string{"error findings"}},
		{name: "report-json", args: withInput("report", "-q", "--format", "json"), code: 1, stdout: "report-json"},
		{name: "report-clean", args: withInput("report", "-q", "--filter", "kind:accounting user:bob"), code: 0, outHas: []string{"0  error"}},
		{name: "report-bad-format", args: withInput("report", "--format", "xml"), code: 2, errHas: []string{"unknown format"}},
		{name: "report-mfa-day", args: []string{"report", "-q", "--tz", "UTC", "testdata/iaslogs/mfa-day/IN240305.log", "testdata/events/NPS01_Security.evtx",
			"testdata/events/NPS01_AuthZOptCh.evtx"}, code: 1, outHas: []string{"rdg-cannot-challenge", "no-policy-match", "Latency per NAS"}},
	}
	runCases(t, cases)
}

// flowRow is what the incident test reads of a flow's NDJSON row.
type flowRow struct {
	ID         int64
	Kind       string
	User       string
	NAS        string
	Outcome    string
	ReasonCode *int `json:"Reason-Code"`
	MFA        string
	Sources    []string
	Messages   int
	Linked     int64
	Finding    string
	Findings   []struct {
		Rule     string   `json:"rule"`
		Evidence []string `json:"evidence"`
	}
}

// TestIncident: one flow per attempt, all three sources joined where NPS
// answered, the right outcome and the expected findings (the table of
// testdata/incident/README.md).
func TestIncident(t *testing.T) {
	out, errOut, code := runCLI(t, cliCase{args: withInput("flows", "-q", "--format", "ndjson")})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rows []flowRow
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var r flowRow
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		rows = append(rows, r)
	}
	want := []struct {
		kind, user, outcome string
		reason              int
		sources             string
		messages            int
		top                 string
		findings            []string
	}{
		{"auth", `CONTOSO\bob`, "accepted", 0, "packet,record,event", 8, "nas-timeout-short", []string{"duplicate-discarded", "clock-skew"}},
		{"auth", `CONTOSO\alice`, "rejected", 21, "packet,record,event", 9, "upn-mismatch", []string{"nas-timeout-short", "duplicate-discarded", "clock-skew"}},
		{"auth", `CONTOSO\carol`, "accepted", 0, "packet,record,event", 8, "nas-timeout-short", []string{"duplicate-discarded", "blast-radius-request"}},
		{"auth", `CONTOSO\dave`, "challenge-abandoned", 0, "packet,record,event", 5, "challenge-abandoned", nil},
		{"auth", `CONTOSO\mallory`, "rejected", 16, "packet,record,event", 6, "nps-reason-16", []string{"mfa-skipped"}},
		{"auth", "erin@contoso.com", "no-response", -1, "packet", 3, "wrong-secret", nil},
		{"accounting", `CONTOSO\bob`, "accounted", -1, "packet,record", 3, "clock-skew", nil},
		{"accounting", `CONTOSO\frank`, "accounted", -1, "packet,record", 3, "acct-no-auth", nil},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d flows, want %d:\n%s", len(rows), len(want), out)
	}
	total := 0
	for _, r := range rows {
		total += r.Messages
	}
	parsed, _, _ := runCLI(t, cliCase{args: withInput("parse", "-q", "--format", "ndjson")})
	if n := strings.Count(parsed, "\n"); total != n {
		t.Errorf("%d messages in flows, parse reads %d", total, n)
	}
	byUser := map[string]flowRow{}
	for _, r := range rows {
		byUser[r.Kind+" "+r.User] = r
	}
	for _, w := range want {
		r, ok := byUser[w.kind+" "+w.user]
		if !ok {
			t.Errorf("no %s flow of %s", w.kind, w.user)
			continue
		}
		if r.Outcome != w.outcome {
			t.Errorf("%s: outcome %s, want %s", w.user, r.Outcome, w.outcome)
		}
		if w.reason >= 0 && (r.ReasonCode == nil || *r.ReasonCode != w.reason) {
			t.Errorf("%s: reason %v, want %d", w.user, r.ReasonCode, w.reason)
		}
		if got := strings.Join(r.Sources, ","); got != w.sources {
			t.Errorf("%s %s: sources %s, want %s", w.kind, w.user, got, w.sources)
		}
		if r.Messages != w.messages {
			t.Errorf("%s %s: %d messages, want %d", w.kind, w.user, r.Messages, w.messages)
		}
		if r.Finding != w.top {
			t.Errorf("%s %s: top finding %s, want %s", w.kind, w.user, r.Finding, w.top)
		}
		var rules []string
		for _, f := range r.Findings {
			rules = append(rules, f.Rule)
			if len(f.Evidence) == 0 && f.Rule != "clock-skew" {
				t.Errorf("%s: finding %s has no evidence", w.user, f.Rule)
			}
		}
		for _, f := range w.findings {
			if !slices.Contains(rules, f) {
				t.Errorf("%s %s: findings %v lack %s", w.kind, w.user, rules, f)
			}
		}
	}
	// The alice attempt of the issue: the capture's request and its three
	// retransmits, the log's request and reject, 6273 and the AzureMfa event.
	alice := byUser[`auth CONTOSO\alice`]
	var ev []string
	for _, f := range alice.Findings {
		if f.Rule == "nas-timeout-short" {
			ev = f.Evidence
		}
	}
	if len(ev) != 5 || !strings.Contains(ev[0], "capture.pcap: frame") {
		t.Errorf("alice's timeout evidence %v, want the request, 3 retransmits and the reject in the capture", ev)
	}
	if acct := byUser[`accounting CONTOSO\bob`]; acct.Linked != byUser[`auth CONTOSO\bob`].ID {
		t.Errorf("bob's accounting linked to %d, want %d", acct.Linked, byUser[`auth CONTOSO\bob`].ID)
	}
}

// TestReportHTML writes the HTML report of the incident, checks that it is
// well-formed and carries the numbers of the JSON report, and loads nothing.
func TestReportHTML(t *testing.T) {
	path := filepath.Join(t.TempDir(), "incident.html")
	jsonOut, errOut, code := runCLI(t, cliCase{args: withInput("report", "-q", "--format", "json", "--html", path)})
	if code != 1 {
		t.Fatalf("exit %d, want 1: %s", code, errOut)
	}
	var s struct {
		Attempts, Failures, Flows, Messages int
		Severities                          map[string]int         `json:"findings_by_severity"`
		TopUsers                            []struct{ Key string } `json:"top_users"`
	}
	if err := json.Unmarshal([]byte(jsonOut), &s); err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("RADSCOPE_KEEP_HTML") != "" {
		os.WriteFile(os.Getenv("RADSCOPE_KEEP_HTML"), page, 0o644)
	}
	ids, err := xhtml.IDText(string(page))
	if err != nil {
		t.Fatalf("HTML: %v", err)
	}
	for id, n := range map[string]int{"attempts": s.Attempts, "failures": s.Failures, "flows": s.Flows, "messages": s.Messages, "errors": s.Severities["error"]} {
		if got := ids[id]; got != itoa(n) {
			t.Errorf("#%s = %q, want %d", id, got, n)
		}
	}
	if s.Attempts != 6 || s.Failures != 4 {
		t.Errorf("attempts %d failures %d, want 6 and 4", s.Attempts, s.Failures)
	}
	text := string(page)
	for _, want := range []string{"<svg", "upn-mismatch", "nas-timeout-short", "wrong-secret", "vpn-gw", "alice"} {
		if !strings.Contains(text, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	for _, bad := range []string{"<script", " src=", "<link", "url(", "@import"} {
		if strings.Contains(text, bad) {
			t.Errorf("HTML holds %q: not self-contained", bad)
		}
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
