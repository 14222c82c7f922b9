package scenario

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParse: any input either loads or fails with scenario errors that
// carry the file name; never a panic.
func FuzzParse(f *testing.F) {
	f.Add([]byte(Example()))
	f.Add([]byte("directory: {domain: C}\nclients: [{name: a, address: 10.0.0.0/8, secret: s}]\n"))
	f.Add([]byte("directory:\n  domain: C\n  users:\n    - {sam: a, password: p, logon_hours: \"Mon-Fri 08:00-18:00\", mfa: {method: totp, totp_secret: JBSWY3DPEHPK3PXP}}\n"))
	f.Add([]byte("network_policies: [{name: p, conditions: {nas_identifier: '(', day_and_time: 'Sun'}, reply: [{name: Tunnel-Type, value: '1:VLAN'}]}]\n"))
	f.Add([]byte("a: &x [*x]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("f.yaml", data)
		if err == nil {
			if s == nil {
				t.Fatal("nil scenario without error")
			}
			if err := s.Validate(); err != nil {
				t.Fatalf("a loaded scenario does not validate again: %v", err)
			}
			return
		}
		var one *Error
		var list ErrorList
		if !errors.As(err, &one) && !errors.As(err, &list) {
			t.Fatalf("error of type %T: %v", err, err)
		}
		for _, line := range strings.Split(err.Error(), "\n") {
			if !strings.HasPrefix(line, "scenario: f.yaml") {
				t.Fatalf("error line %q lacks the prefix and file", line)
			}
		}
	})
}
