package scenario

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestExampleLoads(t *testing.T) {
	s, err := Parse("example.yaml", []byte(Example()))
	if err != nil {
		t.Fatalf("example does not load:\n%v", err)
	}
	if len(s.Clients) != 2 || len(s.Directory.Users) != 4 || len(s.NetworkPolicies) != 2 {
		t.Fatalf("example decoded wrongly: %d clients, %d users, %d policies", len(s.Clients), len(s.Directory.Users), len(s.NetworkPolicies))
	}
	if got := s.Directory.Users[0].UPN; got != "alice@contoso.com" {
		t.Errorf("default UPN = %q", got)
	}
	if s.Directory.Users[1].MFA.Outcome != "approve" || !s.Directory.Users[1].Enabled {
		t.Errorf("user defaults not applied: %+v", s.Directory.Users[1])
	}
	if c := s.ClientFor(netip.MustParseAddr("10.0.1.77")); c == nil || c.Name != "vpn" {
		t.Errorf("ClientFor(10.0.1.77) = %v", c)
	}
	if c := s.ClientFor(netip.MustParseAddr("192.0.2.1")); c != nil {
		t.Errorf("ClientFor(192.0.2.1) = %v, want nil", c.Name)
	}
	if got := len(s.NetworkPolicies[1].ReplyAttributes()); got != 2 {
		t.Errorf("reply attributes = %d", got)
	}
	if !strings.Contains(Example(), "#") {
		t.Error("example has no comments")
	}
}

func TestErrorsNamePositions(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"unknown key", "server:\n  computer_nam: X\n", "t.yaml:2:3: server.computer_nam: unknown key \"computer_nam\""},
		{"unknown top key", "clientz: []\n", "t.yaml:1:1: clientz: unknown key"},
		{"duplicate key", "server:\n  computer_name: A\n  computer_name: B\n", "t.yaml:3:3: server.computer_name: duplicate key"},
		{"bad duration", "clients:\n  - name: a\n    address: 127.0.0.1\n    secret: s\n    timeout: 3 seconds\n", "t.yaml:5:14: clients[0].timeout: invalid duration"},
		{"bad address", "clients:\n  - name: a\n    address: 300.1.1.1\n    secret: s\n", "t.yaml:3:14: clients[0].address: invalid address"},
		{"missing env", "clients:\n  - name: a\n    address: 127.0.0.1\n    secret: env:RADSCOPE_TEST_UNSET_VAR\n", "t.yaml:4:13: clients[0].secret: environment variable not set: RADSCOPE_TEST_UNSET_VAR"},
		{"bad bool", "mfa:\n  installed: maybe\n", "t.yaml:2:14: mfa.installed: want true or false"},
		{"list wanted", "directory:\n  domain: C\n  users: alice\n", "t.yaml:3:10: directory.users: want a list"},
		{"bad method", "network_policies:\n  - name: p\n    auth_methods: [pap, ntlm]\n", "t.yaml:3:25: network_policies[0].auth_methods[1]: unknown authentication method \"ntlm\""},
		{"bad regexp", "network_policies:\n  - name: p\n    conditions:\n      nas_identifier: \"(\"\n", "t.yaml:4:23: network_policies[0].conditions.nas_identifier: invalid pattern"},
		{"bad schedule", "directory:\n  domain: C\n  users:\n    - sam: a\n      password: x\n      logon_hours: Moonday\n", "t.yaml:6:20: directory.users[0].logon_hours: invalid day"},
		{"user without secret", "directory:\n  domain: C\n  users:\n    - sam: a\n", "t.yaml:4:7: directory.users[0]: needs password or nt_hash"},
		{"totp without secret", "directory:\n  domain: C\n  users:\n    - sam: a\n      password: x\n      mfa: {method: totp}\n", "directory.users[0].mfa.totp_secret: method totp needs a totp_secret"},
		{"bad reply", "network_policies:\n  - name: p\n    reply:\n      - {name: Session-Timeout, value: forever}\n", "t.yaml:4:9: network_policies[0].reply[0]: Session-Timeout wants an integer"},
		{"bad backend error", "mfa:\n  backend_error: OOPS\n", "t.yaml:2:18: mfa.backend_error: must be one of"},
		{"bad version", "mfa:\n  version: one\n", "t.yaml:2:12: mfa.version: invalid version"},
		{"syntax", "server: [\n", "t.yaml:1:1: did not find expected node content"},
		{"duplicate client", "clients:\n  - {name: a, address: 10.0.0.1, secret: s}\n  - {name: A, address: 10.0.0.2, secret: s}\n", "t.yaml:3:12: clients[1].name: duplicate client name"},
		{"bad whitelist", "mfa:\n  ip_whitelist: \"10.0.0.1 10.0.0.2\"\n", "mfa.ip_whitelist: \"10.0.0.1 10.0.0.2\" is not an IP address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, want := tt.yaml, tt.want
			if !strings.HasPrefix(data, "directory:") {
				// Prepend the required directory; it shifts every line by one.
				data, want = "directory: {domain: C}\n"+data, shiftLine(want)
			}
			_, err := Parse("t.yaml", []byte(data))
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error\n%v\ndoes not contain\n%s", err, want)
			}
			var list ErrorList
			var one *Error
			if !errors.As(err, &list) && !errors.As(err, &one) {
				t.Errorf("error %T is neither ErrorList nor *Error", err)
			}
		})
	}
}

// shiftLine adds one to the line number in "t.yaml:L:C".
func shiftLine(s string) string {
	rest, ok := strings.CutPrefix(s, "t.yaml:")
	if !ok {
		return s
	}
	l, tail, _ := strings.Cut(rest, ":")
	n := 0
	for _, c := range l {
		n = n*10 + int(c-'0')
	}
	return "t.yaml:" + itoa(n+1) + ":" + tail
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

func TestDuplicateDomainLine(t *testing.T) {
	// directory given twice is a duplicate key at the top level.
	_, err := Parse("t.yaml", []byte("directory: {domain: C}\ndirectory: {domain: D}\n"))
	if err == nil || !strings.Contains(err.Error(), "t.yaml:2:1: directory: duplicate key") {
		t.Fatalf("err = %v", err)
	}
}

func TestEnvSecret(t *testing.T) {
	t.Setenv("RADSCOPE_TEST_SECRET", "s3cr3t")
	s, err := Parse("t.yaml", []byte("directory: {domain: C}\nclients:\n  - {name: a, address: 10.0.0.0/8, secret: env:RADSCOPE_TEST_SECRET}\n"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Clients[0].SecretBytes()
	if err != nil || string(b) != "s3cr3t" {
		t.Fatalf("secret = %q, %v", b, err)
	}
}

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "s.yaml")
	if err := os.WriteFile(p, []byte("directory: {domain: C}\nserver: {computer_name: X, bogus: 1}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(p)
	if err == nil || !strings.Contains(err.Error(), p+":2:28: server.bogus: unknown key") {
		t.Fatalf("err = %v", err)
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml")); err == nil || !strings.HasPrefix(err.Error(), "scenario: ") {
		t.Fatalf("missing file: %v", err)
	}
}

func TestSet(t *testing.T) {
	tests := []struct {
		key, value string
		check      func(*Scenario) bool
		wantErr    string
	}{
		{"clients.rdgw.timeout", "60s", func(s *Scenario) bool { return s.Clients[0].Timeout == time.Minute }, ""},
		{"clients.1.retries", "5", func(s *Scenario) bool { return s.Clients[1].Retries == 5 }, ""},
		{"directory.users.alice.mfa.outcome", "deny", func(s *Scenario) bool { return s.Directory.Users[0].MFA.Outcome == "deny" }, ""},
		{"directory.users.bob.attributes.mail", "bob@fabrikam.com", func(s *Scenario) bool { return s.Directory.Users[1].Attributes["mail"] == "bob@fabrikam.com" }, ""},
		{"network_policies.VPN.auth_methods", "[pap]", func(s *Scenario) bool { return len(s.NetworkPolicies[1].AuthMethods) == 1 }, ""},
		{"mfa.override_number_matching_with_otp", "FALSE", func(s *Scenario) bool { return s.MFA.OverrideNumberMatchingWithOTP == "FALSE" }, ""},
		{"mfa.installed", "false", func(s *Scenario) bool { return !s.MFA.Installed }, ""},
		{"server.auth_listen", "['127.0.0.1:0']", func(s *Scenario) bool { return s.Server.AuthListen[0] == "127.0.0.1:0" }, ""},
		{"clients.nosuch.timeout", "1s", nil, "has no element named \"nosuch\""},
		{"clients.rdgw.timeoutt", "1s", nil, "unknown key \"timeoutt\""},
		{"clients.rdgw.timeout", "soon", nil, "invalid duration"},
		{"clients.9.timeout", "1s", nil, "no index 9"},
		{"mfa.installed.x", "1", nil, "has no key"},
	}
	for _, tt := range tests {
		t.Run(tt.key+"="+tt.value, func(t *testing.T) {
			s, err := Parse("example.yaml", []byte(Example()))
			if err != nil {
				t.Fatal(err)
			}
			err = s.Set(tt.key, tt.value)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(s) {
				t.Fatal("value not applied")
			}
			if err := s.Validate(); err != nil {
				t.Fatalf("Validate after Set: %v", err)
			}
		})
	}
}

func TestSetThenValidateReportsOverride(t *testing.T) {
	s, err := Parse("example.yaml", []byte(Example()))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Set("clients.rdgw.address", "nowhere"); err != nil {
		t.Fatal(err)
	}
	err = s.Validate()
	if err == nil || !strings.Contains(err.Error(), "clients[0].address: invalid address \"nowhere\"") {
		t.Fatalf("err = %v", err)
	}
}

func TestSchedule(t *testing.T) {
	tests := []struct {
		spec string
		at   string
		want bool
	}{
		{"", "2026-11-21T03:00:00Z", true},
		{"never", "2026-11-21T03:00:00Z", false},
		{"Mon-Fri 08:00-18:00", "2026-11-20T09:30:00Z", true},  // Friday
		{"Mon-Fri 08:00-18:00", "2026-11-21T09:30:00Z", false}, // Saturday
		{"Mon-Fri 08:00-18:00", "2026-11-20T18:00:00Z", false},
		{"Fri-Mon", "2026-11-22T12:00:00Z", true}, // Sunday, wrapping range
		{"Sat,Sun 10:00-12:00; Wed", "2026-11-18T23:59:00Z", true},
		{"* 00:00-24:00", "2026-11-18T23:59:00Z", true},
	}
	for _, tt := range tests {
		s, err := ParseSchedule(tt.spec)
		if err != nil {
			t.Fatalf("%q: %v", tt.spec, err)
		}
		at, _ := time.Parse(time.RFC3339, tt.at)
		if got := s.Allows(at); got != tt.want {
			t.Errorf("%q at %s = %v, want %v", tt.spec, tt.at, got, tt.want)
		}
	}
	for _, bad := range []string{"Mon 9-17", "Mon 18:00-08:00", "Xyz", "Mon 08:00-25:00", "Mon 08:00-09:00 extra"} {
		if _, err := ParseSchedule(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestPortTypes(t *testing.T) {
	for in, want := range map[string]uint32{"Virtual": 5, "virtual": 5, "Ethernet": 15, "Wireless - IEEE 802.11": 19, "wireless-802.11": 19, "19": 19} {
		if got, ok := ParsePortType(in); !ok || got != want {
			t.Errorf("ParsePortType(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	if _, ok := ParsePortType("carrier pigeon"); ok {
		t.Error("unknown port type accepted")
	}
}

func TestVersionCompare(t *testing.T) {
	a, _ := ParseVersion("1.2.2216.1")
	b, _ := ParseVersion("1.2.2131.2")
	c, _ := ParseVersion("1.0.1.40")
	if a.Compare(b) != 1 || b.Compare(a) != -1 || c.Compare(c) != 0 || c.Compare(b) != -1 {
		t.Fatal("version order wrong")
	}
}

func TestAnchorsAndMerge(t *testing.T) {
	s, err := Parse("t.yaml", []byte(`
x-push: &push {method: push, outcome: deny, latency: 5s}
directory:
  domain: C
  users:
    - {sam: a, password: p, mfa: *push}
    - sam: b
      password: p
      mfa:
        <<: *push
        outcome: approve
`))
	if err == nil || !strings.Contains(err.Error(), `unknown key "x-push"`) {
		t.Fatalf("top-level extension key accepted: %v", err)
	}
	s, err = Parse("t.yaml", []byte(`
directory:
  domain: C
  users:
    - {sam: a, password: p, mfa: &push {method: phone, outcome: deny, latency: 5s}}
    - sam: b
      password: p
      mfa:
        <<: *push
        outcome: approve
`))
	if err != nil {
		t.Fatal(err)
	}
	a, b := s.Directory.Users[0].MFA, s.Directory.Users[1].MFA
	if a.Method != "phone" || a.Outcome != "deny" || b.Method != "phone" || b.Outcome != "approve" || b.Latency != 5*time.Second {
		t.Fatalf("a %+v b %+v", a, b)
	}
}
