package replay

import (
	"slices"
	"testing"

	"github.com/radscope/radscope/model"
)

// TestCompareFindings: a finding set that differs in a compared diagnosis
// diverges, one that differs in the rest does not, and nothing is compared
// when the input holds no verdict of NPS (a capture alone).
func TestCompareFindings(t *testing.T) {
	cases := []struct {
		name     string
		reason   int    // expected
		mfa      string // expected and observed
		xf, of   []string
		decided  bool
		status   Status
		diffs    []string
		compared []string // ComparedFindings(of)
	}{
		{name: "mfa diagnosis without the extension's answer", reason: 21, xf: []string{"challenge-abandoned"}, of: []string{"rdg-cannot-challenge"},
			decided: true, status: Reproduced, compared: []string{"challenge-abandoned", "rdg-cannot-challenge"}},
		{name: "same diagnosis", mfa: "AuthenticationMethodNotConfigured", reason: 21, xf: []string{"mfa-not-enrolled", "nps-reason-21"}, of: []string{"nps-reason-21", "mfa-not-enrolled"},
			decided: true, status: Reproduced, compared: []string{"mfa-not-enrolled"}},
		{name: "another diagnosis", mfa: "AuthenticationMethodNotConfigured", reason: 21, xf: []string{"otp-needs-pap"}, of: []string{"mfa-not-enrolled"}, decided: true, status: Diverged,
			diffs:    []string{"findings: expected only otp-needs-pap", "findings: observed only mfa-not-enrolled"},
			compared: []string{"mfa-not-enrolled"}},
		{name: "noise is not compared", reason: 21, xf: []string{"wrong-secret", "blast-radius-request", "nas-timeout-short"},
			of: []string{"blast-radius-response", "otp-accept-no-policy-attrs", "duplicate-discarded"}, decided: true, status: Reproduced},
		{name: "capture alone", reason: model.NoReason, xf: nil, of: []string{"no-policy-match"}, decided: true, status: Reproduced,
			compared: []string{"no-policy-match"}},
		{name: "remote target", reason: 21, xf: []string{"otp-needs-pap"}, of: nil, status: Reproduced},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := &Result{Expected: Expected{Outcome: "rejected", Reason: c.reason, MFA: c.mfa, Findings: c.xf},
				Observed: Observed{Outcome: "rejected", Reason: 21, MFA: c.mfa, Findings: c.of, decided: c.decided}}
			r.compare()
			if r.Status != c.status || !slices.Equal(r.Diffs, c.diffs) {
				t.Errorf("%s %q, want %s %q", r.Status, r.Diffs, c.status, c.diffs)
			}
			if got := ComparedFindings(c.of); !slices.Equal(got, c.compared) {
				t.Errorf("ComparedFindings %q, want %q", got, c.compared)
			}
		})
	}
}
