package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/radscope/radscope/internal/golden"
)

// binary is the radscope built once for the end-to-end tests.
var binary string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "radscope-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	binary = filepath.Join(dir, "radscope")
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "building radscope: %v\n%s", err, out)
		os.Exit(2)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type cliCase struct {
	name   string
	args   []string
	stdin  string // file to feed on stdin
	code   int
	stdout string // golden name for stdout; "" to skip the comparison
	errHas []string
	outHas []string
}

func runCLI(t *testing.T, c cliCase) (string, string, int) {
	t.Helper()
	cmd := exec.Command(binary, c.args...)
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "TZ=UTC")
	if c.stdin != "" {
		f, err := os.Open(filepath.Join("../..", c.stdin))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		cmd.Stdin = f
	}
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

func TestCLI(t *testing.T) {
	cases := []cliCase{
		{name: "parse-ndjson", args: []string{"parse", "--tz", "UTC", "--format", "ndjson", "testdata/iaslogs/odbc66.log"}, stdout: "parse-ndjson"},
		{name: "parse-csv-fields", args: []string{"parse", "--tz", "UTC", "--format", "csv", "--fields", "Time,User,Packet-Type,Reason-Code,Reason,NAS-Port-Type", "testdata/iaslogs/ias.log"}, stdout: "parse-csv-fields"},
		{name: "parse-table-piped", args: []string{"parse", "--tz", "UTC", "--format", "table", "testdata/iaslogs/dts.log"}, stdout: "parse-table-piped"},
		{name: "parse-json", args: []string{"parse", "--tz", "UTC", "--format", "json", "--type", "Access-Reject", "testdata/iaslogs/mfa-day"}, stdout: "parse-json-rejects"},
		{name: "parse-filter-reason-user", args: []string{"parse", "--tz", "UTC", "--reason", "21", "--user", "*alice*", "--fields", "Time,User,Reason", "testdata/iaslogs/mfa-day/IN240305.log"}, stdout: "parse-filter"},
		{name: "parse-dir", args: []string{"parse", "--tz", "UTC", "-q", "--fields", "Source", "testdata/iaslogs/LogFiles"}, stdout: "parse-dir"},
		{name: "parse-glob", args: []string{"parse", "--tz", "UTC", "-q", "--fields", "Source", "testdata/iaslogs/LogFiles/IN24030*.log"}, outHas: []string{"IN240305.log:1", "IN240306.log:1"}},
		{name: "parse-stdin", args: []string{"parse", "--tz", "UTC", "-", "--fields", "User"}, stdin: "testdata/iaslogs/odbc60.log", outHas: []string{`"User":`}},
		{name: "parse-since", args: []string{"parse", "--tz", "UTC", "-v", "--since", "2024-03-06", "--until", "2024-03-06 23:59:59", "--fields", "Time", "testdata/iaslogs/LogFiles"},
			outHas: []string{"2024-03-06T"}, errHas: []string{"files skipped by time"}},
		{name: "parse-bad", args: []string{"parse", "--tz", "UTC", "--fields", "Source", "testdata/iaslogs/bad.log"}, code: 0,
			errHas: []string{"bad.log:10:", `field 26 (Reason-Code): invalid integer "x"`, "skipped 7 bad records in 1 file"}},
		{name: "parse-bool-before-flag", args: []string{"parse", "--strict", "--format", "csv", "--show-secrets", "--tz", "UTC", "--fields", "User", "testdata/iaslogs/odbc60.log"}, outHas: []string{"User\n"}},
		{name: "parse-evtx", args: []string{"parse", "--format", "ndjson", "testdata/events/NPS01_Security.evtx"}, stdout: "parse-evtx"},
		{name: "parse-event-exports", args: []string{"parse", "-q", "--tz", "UTC", "--format", "csv", "--fields", "Time,Event-ID,User,Reason-Code,MFA-Result,Source", "testdata/events/wevtutil-security.xml", "testdata/events/viewer-security.csv", "testdata/events/winlogbeat.ndjson"}, stdout: "parse-event-exports"},
		{name: "parse-pcap-secrets", args: []string{"parse", "--format", "ndjson", "--secrets-file", "testdata/pcaps/secrets.txt", "testdata/pcaps/radclient.pcap"}, stdout: "parse-pcap"},
		{name: "parse-pcap-show-secrets", args: []string{"parse", "--show-secrets", "--format", "csv", "--fields", "User-Password", "--secrets-file", "testdata/pcaps/secrets.txt", "testdata/pcaps/radclient.pcap"}, outHas: []string{"alice-pass"}},
		{name: "parse-pcap-argv-secret-warns", args: []string{"parse", "--secret", "testing123", "--fields", "Packet-Type", "testdata/pcaps/radclient.pcap"}, errHas: []string{"can be seen by other users"}},
		{name: "parse-pcap-window", args: []string{"parse", "--match-window", "100ms", "--fields", "Marks", "--secrets-file", "testdata/pcaps/secrets.txt", "testdata/pcaps/radclient.pcap"}, outHas: []string{`"norsp"`, `"noreq"`}},
		{name: "parse-pcap-env-secret", args: []string{"parse", "--secret", "env:NOPE_UNSET_VAR", "testdata/pcaps/radclient.pcap"}, code: 2, errHas: []string{"NOPE_UNSET_VAR"}},
		{name: "parse-strict", args: []string{"parse", "--tz", "UTC", "--strict", "testdata/iaslogs/bad.log"}, code: 2, errHas: []string{"bad.log:4:"}},
		{name: "parse-missing", args: []string{"parse", "--tz", "UTC", "testdata/iaslogs/nope.log"}, code: 0, errHas: []string{"nope.log", "no such file"}},
		{name: "parse-missing-strict", args: []string{"parse", "--strict", "testdata/iaslogs/nope.log"}, code: 2},
		{name: "parse-tz-note", args: []string{"parse", "--fields", "Time", "testdata/iaslogs/odbc60.log"}, errHas: []string{"NPS log times carry no zone"}},
		{name: "parse-bad-tz", args: []string{"parse", "--tz", "Mars/Olympus", "testdata/iaslogs/odbc60.log"}, code: 2, errHas: []string{"unknown time zone"}},
		{name: "parse-bad-format", args: []string{"parse", "--format", "xml", "testdata/iaslogs/odbc60.log"}, code: 2, errHas: []string{"unknown format"}},
		{name: "parse-list-fields", args: []string{"parse", "--fields"}, outHas: []string{"Reason-Code\n", "Calling-Station-Id\n", "MS-CHAP-Error\n"}},
		{name: "version", args: []string{"version"}, outHas: []string{"radscope "}},
		{name: "help-exit-codes", args: []string{"help", "exit-codes"}, outHas: []string{"130"}},
		{name: "help-parse", args: []string{"help", "parse"}, outHas: []string{"--since", "--strict"}},
		{name: "unknown-command", args: []string{"frobnicate"}, code: 2, errHas: []string{`unknown command "frobnicate"`}},
		{name: "bad-flag", args: []string{"parse", "--nope"}, code: 2, errHas: []string{"unknown flag"}},
	}
	runCases(t, cases)
}

// runCases runs each case's command and checks its exit code, the strings
// its stdout and stderr must hold, and its golden stdout.
func runCases(t *testing.T, cases []cliCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, errOut, code := runCLI(t, c)
			checkCase(t, c, out, errOut, code)
		})
	}
}

// checkCase checks what one run of a case printed and returned.
func checkCase(t *testing.T, c cliCase, out, errOut string, code int) {
	t.Helper()
	if code != c.code {
		t.Errorf("exit code %d, want %d\nstderr:\n%s", code, c.code, errOut)
	}
	for _, s := range c.errHas {
		if !strings.Contains(errOut, s) {
			t.Errorf("stderr lacks %q:\n%s", s, errOut)
		}
	}
	for _, s := range c.outHas {
		if !strings.Contains(out, s) {
			t.Errorf("stdout lacks %q:\n%.3000s", s, out)
		}
	}
	if c.stdout != "" {
		goldenFile(t, filepath.Join("testdata", c.stdout+".golden"), out)
	}
}

// goldenFile compares a command's stdout with a golden file.
func goldenFile(t *testing.T, path, got string) {
	t.Helper()
	golden.Check(t, path, []byte(got))
}
