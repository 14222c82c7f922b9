package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/radscope/radscope/export/chtest"
)

func TestExportCLI(t *testing.T) {
	cases := []cliCase{
		{name: "print-schema", args: []string{"export", "--print-schema", "--to", "clickhouse://127.0.0.1:8123/fleet"},
			outHas: []string{"CREATE TABLE IF NOT EXISTS fleet.radscope_messages", "ENGINE = ReplacingMergeTree", "PARTITION BY toDate(time)", "`attrs` Nested(", "DateTime('UTC')",
				"CREATE TABLE IF NOT EXISTS fleet.radscope_runs", "`clock_offsets` Nested(", "-- ALTER TABLE fleet.radscope_flows\n--     ADD COLUMN `part` UInt32"}},
		{name: "ndjson", args: []string{"export", "--to", "ndjson", "--tz", "UTC", "testdata/incident"},
			outHas: []string{`"event.dataset":"radscope.flow"`, `"event.dataset":"radscope.message"`, `"@timestamp":"2026-11-02T`}, errHas: []string{"radscope: export: ", "rows/s"}},
		{name: "no-to", args: []string{"export", "testdata/incident"}, code: 2, errHas: []string{"--to"}},
		{name: "bad-to", args: []string{"export", "--to", "kafka://x", "testdata/incident"}, code: 2, errHas: []string{"unknown destination"}},
		{name: "password-in-argv", args: []string{"export", "--to", "clickhouse://127.0.0.1:1/db", "--ch-password", "hunter2", "testdata/incident"}, code: 2, errHas: []string{"env:VAR"}},
		{name: "password-in-dsn", args: []string{"export", "--to", "clickhouse://u:hunter2@127.0.0.1:1/db", "testdata/incident"}, code: 2, errHas: []string{"password in the address"}},
		{name: "batch-too-big", args: []string{"export", "--to", "clickhouse://127.0.0.1:1/db", "--batch-rows", "200000", "testdata/incident"}, code: 2, errHas: []string{"--batch-rows"}},
		{name: "from-with-paths", args: []string{"report", "--from", "clickhouse://127.0.0.1:1/db", "testdata/incident"}, code: 2, errHas: []string{"no PATHs"}},
		{name: "server-down", args: []string{"export", "-q", "--to", "clickhouse://127.0.0.1:1/db", "--tz", "UTC", "testdata/incident"}, code: 2, errHas: []string{"export: reading the columns of radscope_messages", "127.0.0.1:1", "connection refused"}},
		{name: "bad-gzip-level", args: []string{"export", "--to", "clickhouse://127.0.0.1:1/db", "--gzip-level", "11", "testdata/incident"}, code: 2, errHas: []string{"--gzip-level"}},
	}
	runCases(t, cases)
}

// runEnv runs radscope with extra environment variables.
func runEnv(t *testing.T, env []string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = "../.."
	cmd.Env = append(append(os.Environ(), "NO_COLOR=1", "TZ=UTC"), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return stdout.String(), stderr.String(), code
}

// clockLines are the lines of stderr that say which clock offsets and
// zone hints were found.
func clockLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, "radscope: clock offset: ") || strings.HasPrefix(l, "radscope: warning: ") && strings.Contains(l, "--tz") {
			out = append(out, l)
		}
	}
	return out
}

func sortedLines(s string) []string {
	l := strings.Split(strings.TrimSpace(s), "\n")
	slices.Sort(l)
	return l
}

func TestExportClickHouseE2E(t *testing.T) {
	s := chtest.Start(t)
	resp, err := http.Post(s.URL()+"/?query="+url.QueryEscape("CREATE DATABASE fleet"), "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	dsn := s.DSN("fleet")
	env := []string{"CH_PW=" + chtest.Password}
	auth := []string{"--ch-user", chtest.User, "--ch-password", "env:CH_PW"}
	inputs := []string{"testdata/incident", "testdata/iaslogs/mfa-day", "testdata/pcaps"}

	args := append(append([]string{"export", "--to", dsn, "--create-schema", "--tz", "UTC", "--batch-rows", "500"}, auth...), inputs...)
	for run := range 2 { // the second run must replace, not add
		_, errOut, code := runEnv(t, env, args...)
		if code != 0 {
			t.Fatalf("export run %d: exit %d\n%s", run, code, errOut)
		}
		if !strings.Contains(errOut, "radscope: export: ") || !strings.Contains(errOut, "rows/s") {
			t.Errorf("no summary on stderr:\n%s", errOut)
		}
	}

	// A wrong password is the server's own error.
	_, errOut, code := runEnv(t, []string{"CH_PW=wrong"}, append([]string{"report", "--from", dsn}, auth...)...)
	if code != 2 || !strings.Contains(errOut, "Wrong password") {
		t.Errorf("wrong password: exit %d\n%s", code, errOut)
	}

	for _, flt := range []string{"", "outcome:rejected", "-user:alice latency:>100ms", "finding:nps|mfa"} {
		t.Run("report "+flt, func(t *testing.T) {
			local, lerr, lcode := runEnv(t, nil, append([]string{"report", "--format", "json", "--tz", "UTC", "--filter", flt}, inputs...)...)
			remote, rerr, rcode := runEnv(t, env, append([]string{"report", "--format", "json", "--tz", "UTC", "--filter", flt, "--from", dsn}, auth...)...)
			if lcode != rcode || lcode > 1 {
				t.Fatalf("exit codes: local %d, from ClickHouse %d\n%s\n%s", lcode, rcode, lerr, rerr)
			}
			if !strings.Contains(local, `"clock_offsets"`) {
				t.Errorf("the local report has no clock offsets: the server's go untested")
			}
			if l, r := local, remote; l != r {
				t.Errorf("report --from differs from the local report:\nlocal:\n%s\nfrom ClickHouse:\n%s", l, r)
			}
			ltext, _, _ := runEnv(t, nil, append([]string{"report", "--tz", "UTC", "--filter", flt}, inputs...)...)
			rtext, _, _ := runEnv(t, env, append([]string{"report", "--tz", "UTC", "--filter", flt, "--from", dsn}, auth...)...)
			if !strings.Contains(rtext, "Top users") && !strings.Contains(rtext, "ttempts") {
				t.Errorf("text report from ClickHouse looks empty:\n%s", rtext)
			}
			if flt == "" && ltext != rtext {
				t.Errorf("text reports differ:\n%s\n---\n%s", ltext, rtext)
			}
		})
		t.Run("flows "+flt, func(t *testing.T) {
			local, lerr, lcode := runEnv(t, nil, append([]string{"flows", "--format", "csv", "--fields", "Time,ID,Kind,User,NAS,Outcome,Reason,MFA,Latency,Rounds,Retransmits,Messages,Findings", "--tz", "UTC", "--filter", flt}, inputs...)...)
			remote, rerr, rcode := runEnv(t, env, append([]string{"flows", "--format", "csv", "--fields", "Time,ID,Kind,User,NAS,Outcome,Reason,MFA,Latency,Rounds,Retransmits,Messages,Findings", "--tz", "UTC", "--filter", flt, "--from", dsn}, auth...)...)
			if lcode != 0 || rcode != 0 {
				t.Fatalf("exit codes: local %d, from ClickHouse %d\n%s\n%s", lcode, rcode, lerr, rerr)
			}
			l, r := sortedLines(local), sortedLines(remote)
			if !slices.Equal(l, r) {
				t.Errorf("flows --from lists %d rows, local %d; first difference:\n%s", len(r), len(l), firstDiff(l, r))
			}
			if lc, rc := clockLines(lerr), clockLines(rerr); len(lc) == 0 || !slices.Equal(lc, rc) {
				t.Errorf("clock offsets on stderr: local %q, from ClickHouse %q", lc, rc)
			}
		})
	}
}

func firstDiff(a, b []string) string {
	for i := range max(len(a), len(b)) {
		var x, y string
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			return fmt.Sprintf("local:  %s\nserver: %s", x, y)
		}
	}
	return ""
}
