package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReplayCLI(t *testing.T) {
	junit := filepath.Join(t.TempDir(), "replay.xml")
	fx := "testdata/fixtures/rdg-timeout/"
	px := "testdata/fixtures/peap-success/"
	cases := []cliCase{
		{name: "replay-rdg-timeout", args: []string{"replay", "--tz", "UTC", "--scenario", fx + "scenario.yaml", "--secrets-file", fx + "secrets.txt", fx + "capture.pcapng"},
			stdout: "replay-rdg-timeout"},
		{name: "replay-rdg-timeout-fixed", args: []string{"replay", "--tz", "UTC", "--scenario", fx + "scenario.yaml", "--secrets-file", fx + "secrets.txt", "--set", "clients.rdgw.timeout=60s", fx + "capture.pcapng"},
			stdout: "replay-rdg-timeout-fixed"},
		{name: "replay-check-regressed", args: []string{"replay", "--tz", "UTC", "--check", "--junit", junit, "--scenario", "testdata/fixtures/accounting/scenario.yaml",
			"--secrets-file", "testdata/fixtures/accounting/secrets.txt", "--set", "clients.vpn-gw.secret=rotated", "testdata/fixtures/accounting/capture.pcapng"},
			code: 1, outHas: []string{"regressed"}, errHas: []string{"1 regressed"}},
		{name: "replay-json", args: []string{"replay", "--tz", "UTC", "--format", "json", "--scenario", "testdata/fixtures/otp-success/scenario.yaml",
			"--secrets-file", "testdata/fixtures/otp-success/secrets.txt", "testdata/fixtures/otp-success/capture.pcapng"},
			outHas: []string{`"status": "reproduced"`, `"outcome": "accepted"`, `"challenges": 1`}},
		{name: "replay-listen", args: []string{"replay", "--tz", "UTC", "--listen", "--scenario", "testdata/fixtures/wrong-password/scenario.yaml",
			"--secrets-file", "testdata/fixtures/wrong-password/secrets.txt", "testdata/fixtures/wrong-password/capture.pcapng"},
			outHas: []string{"embedded on 127.0.0.1:", "rejected reason=16  ", "1 reproduced"}},
		{name: "replay-peap", args: []string{"replay", "--tz", "UTC", "--password-from", "scenario", "--scenario", px + "scenario.yaml",
			"--secrets-file", px + "secrets.txt", px + "capture.pcapng"},
			outHas: []string{"accepted reason=0 PEAP rounds=8  reproduced"}},
		{name: "replay-peap-untrusted", args: []string{"replay", "--tz", "UTC", "--check", "--password-from", "scenario", "--scenario", px + "scenario.yaml",
			"--secrets-file", px + "secrets.txt", "--set", "supplicant.trust_emulator=false", px + "capture.pcapng"},
			code: 1, outHas: []string{"peer-abandoned", "regressed", "the server certificate is not trusted"}},
		{name: "replay-peap-no-password", args: []string{"replay", "--tz", "UTC", "--scenario", px + "scenario.yaml", "--secrets-file", px + "secrets.txt", px + "capture.pcapng"},
			outHas: []string{"not-replayable", "needs the user's password"}},
		{name: "replay-no-secret", args: []string{"replay", "--tz", "UTC", "--scenario", fx + "scenario.yaml", fx + "capture.pcapng"},
			outHas: []string{"not-replayable", "--password-from scenario"}},
		{name: "replay-password-from-scenario", args: []string{"replay", "--tz", "UTC", "--password-from", "scenario", "--scenario", fx + "scenario.yaml", fx + "capture.pcapng"},
			outHas: []string{"1 reproduced"}},
		{name: "replay-bad-timing", args: []string{"replay", "--timing", "slow", "--scenario", fx + "scenario.yaml", fx + "capture.pcapng"}, code: 2, errHas: []string{"fast, captured or rate:N"}},
		{name: "replay-bad-target", args: []string{"replay", "--target", "tcp://x", fx + "capture.pcapng"}, code: 2, errHas: []string{"udp://host:port"}},
		{name: "replay-no-scenario", args: []string{"replay", fx + "capture.pcapng"}, code: 2, errHas: []string{"--scenario FILE is required"}},
		{name: "fixture-check-all", args: []string{"fixture", "check", "testdata/fixtures/accounting", "testdata/fixtures/missing-message-authenticator",
			"testdata/fixtures/no-connection-policy", "testdata/fixtures/no-network-policy", "testdata/fixtures/not-enrolled", "testdata/fixtures/not-enrolled-from-log", "testdata/fixtures/number-matching-totp",
			"testdata/fixtures/otp-mschapv2", "testdata/fixtures/otp-success", "testdata/fixtures/peap-success", "testdata/fixtures/rdg-timeout", "testdata/fixtures/upn-mismatch",
			"testdata/fixtures/wrong-password", "testdata/fixtures/wrong-secret", "testdata/fixtures/mkfixtures"},
			outHas: []string{"ok    testdata/fixtures/rdg-timeout [fixed]"}, errHas: []string{"mkfixtures: not a fixture"}},
		{name: "scenario-infer", args: []string{"scenario", "infer", "-q", "--tz", "UTC", "testdata/incident/"},
			outHas: []string{"secret: CHANGE-ME", `name: "rdgw"`, "timeout: 3s", `error: "UserNotFound"`}},
		{name: "fixture-bad-sub", args: []string{"fixture", "frob"}, code: 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, errOut, code := runCLI(t, c)
			if code != c.code {
				t.Errorf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, c.code, out, errOut)
			}
			for _, s := range c.errHas {
				if !strings.Contains(errOut, s) {
					t.Errorf("stderr lacks %q:\n%s", s, errOut)
				}
			}
			for _, s := range c.outHas {
				if !strings.Contains(out, s) {
					t.Errorf("stdout lacks %q:\n%s", s, out)
				}
			}
			if c.stdout != "" {
				goldenFile(t, filepath.Join("testdata", c.stdout+".golden"), out)
			}
		})
	}
	b, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `failures="1"`) || !strings.Contains(string(b), "<failure message=\"regressed\"") {
		t.Errorf("JUnit report:\n%s", b)
	}
}

// TestFixtureCheckFailsOnDifference: a fixture whose scenario changed
// under it fails the check with exit code 1.
func TestFixtureCheckFailsOnDifference(t *testing.T) {
	dir := t.TempDir()
	src := "../../testdata/fixtures/not-enrolled"
	for _, n := range []string{"scenario.yaml", "secrets.txt", "capture.pcapng", "IN261102.log", "expect.json"} {
		b, err := os.ReadFile(filepath.Join(src, n))
		if err != nil {
			t.Fatal(err)
		}
		if n == "scenario.yaml" {
			b = []byte(strings.Replace(string(b), `require_user_match: "TRUE"`, `require_user_match: "FALSE"`, 1))
		}
		os.WriteFile(filepath.Join(dir, n), b, 0o644)
	}
	out, _, code := runCLI(t, cliCase{args: []string{"fixture", "check", dir}})
	if code != 1 || !strings.Contains(out, "FAIL") || !strings.Contains(out, "status fixed, expected reproduced") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

// TestReplayLogDir: the embedded target writes NPS logs stamped with the
// captured time (the phone call answered at 09:05:12).
func TestReplayLogDir(t *testing.T) {
	dir := t.TempDir()
	fx := "testdata/fixtures/rdg-timeout/"
	_, errOut, code := runCLI(t, cliCase{args: []string{"replay", "-q", "--tz", "UTC", "--log-dir", dir, "--scenario", fx + "scenario.yaml",
		"--secrets-file", fx + "secrets.txt", fx + "capture.pcapng"}})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	b, err := os.ReadFile(filepath.Join(dir, "IN261102.log"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "11/02/2026,09:05:12") {
		t.Errorf("log lacks the Access-Accept at 09:05:12:\n%s", b)
	}
}
