package replay

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/nps"
)

// outcomeNASTimeout is the outcome of a flow whose answer came only after
// the NAS had given up: the user saw a failure whatever the answer was.
const outcomeNASTimeout = "nas-timeout"

// Status is the verdict of one replayed flow.
type Status string

// The statuses, from DESIGN.md's replay semantics.
const (
	Reproduced    Status = "reproduced"     // observed as captured (failure or success)
	Fixed         Status = "fixed"          // failed as captured, succeeds now
	Regressed     Status = "regressed"      // succeeded as captured, fails now
	Diverged      Status = "diverged"       // failed both times, differently (or succeeded differently)
	NotReplayable Status = "not-replayable" // could not be re-sent (Why says why)
)

// Expected is what the input shows for a flow.
type Expected struct {
	Outcome     string `json:"outcome"`          // model.Outcome name, or nas-timeout
	Reason      int    `json:"reason"`           // NPS Reason-Code, -1 when not known
	MFA         string `json:"mfa,omitempty"`    // MFA response code, "" when not known
	Retransmits int    `json:"retransmits"`      // captured retransmits
	Late        string `json:"late,omitempty"`   // the answer that came after the NAS gave up
	Method      string `json:"method,omitempty"` // authentication method
	// Rounds is the number of captured or logged rounds of an EAP
	// conversation (shown, not compared: fragment sizes and certificate
	// chains change it without changing what the user sees).
	Rounds int `json:"rounds,omitempty"`
	// Findings are the explain rules that fired on the input's flow.
	Findings []string `json:"findings,omitempty"`
}

// Observed is what the target did.
type Observed struct {
	Outcome          string `json:"outcome"`
	Reason           int    `json:"reason"`
	MFA              string `json:"mfa,omitempty"`
	MFAMethod        string `json:"mfa_method,omitempty"`
	MFAError         string `json:"mfa_error,omitempty"`
	Policy           string `json:"policy,omitempty"`
	ProxyPolicy      string `json:"proxy_policy,omitempty"`
	Drop             string `json:"drop,omitempty"` // why the embedded target dropped the request
	Rounds           int    `json:"rounds"`
	Challenges       int    `json:"challenges"`
	Retransmits      int    `json:"retransmits"`
	Duplicates       int    `json:"duplicates"`
	GaveUp           bool   `json:"gave_up,omitempty"`     // the NAS gave up waiting
	LateAnswer       string `json:"late_answer,omitempty"` // what came after it gave up
	BadAuthenticator bool   `json:"bad_authenticator,omitempty"`
	// EAPMethod is the method the EAP peer ran; Peer says why it gave up
	// (outcome peer-abandoned); MSCHAPError is the server's MS-CHAPv2
	// failure text.
	EAPMethod   string        `json:"eap_method,omitempty"`
	Peer        string        `json:"peer,omitempty"`
	MSCHAPError string        `json:"mschap_error,omitempty"`
	Latency     time.Duration `json:"-"`
	Error       string        `json:"error,omitempty"`
	// Findings are the explain rules that fire on the replay as the NAS
	// saw it (nas-timeout-short, duplicate-discarded ...).
	Findings   []string  `json:"findings,omitempty"`
	Start, End time.Time `json:"-"`
	decided    bool      // the target's decisions are known (embedded, --listen)
}

func (o *Observed) decision(d *nps.Decision) {
	o.decided = true
	o.Reason = d.Reason
	o.Policy, o.ProxyPolicy = d.Policy, d.ProxyPolicy
	if d.Dropped {
		o.Drop = d.DropReason
	}
	if d.MFA != nil {
		if d.MFA.Result != "" {
			o.MFA = d.MFA.Result
		}
		if d.MFA.Method != "" {
			o.MFAMethod = d.MFA.Method
		}
		if d.MFA.Error != "" {
			o.MFAError = d.MFA.Error
		}
	}
}

// Result is one flow's replay.
type Result struct {
	Flow     *model.Flow `json:"-"`
	ID       int64       `json:"flow"`
	Kind     string      `json:"kind"`
	User     string      `json:"user,omitempty"`
	NAS      string      `json:"nas,omitempty"`
	Time     time.Time   `json:"time"`
	Status   Status      `json:"status"`
	Why      string      `json:"why,omitempty"`
	Diffs    []string    `json:"diffs,omitempty"`
	Expected Expected    `json:"expected"`
	Observed Observed    `json:"observed"`
}

func newResult(p *Plan) *Result {
	f := p.Flow
	r := &Result{Flow: f, ID: f.ID, Kind: f.Kind.String(), User: f.User, NAS: p.NAS, Time: f.Start, Why: p.Why,
		Expected: expected(f), Observed: Observed{Reason: model.NoReason}}
	for _, fd := range f.Findings {
		r.Expected.Findings = append(r.Expected.Findings, fd.Rule)
	}
	if p.EAP != nil {
		r.Expected.Rounds = len(f.Rounds)
		if p.EAP.Method != "" {
			r.Expected.Method = p.EAP.Method
		}
	}
	if !p.Replayable() {
		r.Status = NotReplayable
	}
	return r
}

// expected reads the captured or logged result of f. An answer that came
// after the NAS's last retry had timed out (the gap between the captured
// retransmits) counts as nas-timeout.
func expected(f *model.Flow) Expected {
	x := Expected{Outcome: f.Outcome.String(), Reason: f.Reason, Retransmits: f.Retransmits(), Method: f.Method}
	if f.MFA != nil {
		x.MFA = f.MFA.Result
	}
	if n := len(f.Rounds); n > 0 {
		r := f.Rounds[n-1]
		if len(r.Retransmits) > 0 && r.Response >= 0 && r.Request >= 0 {
			gap := f.Messages[r.Retransmits[0]].Time.Sub(f.Messages[r.Request].Time)
			last := f.Messages[r.Retransmits[len(r.Retransmits)-1]].Time
			if f.Messages[r.Response].Time.Sub(last) > gap+lateTolerance {
				x.Late = x.Outcome
				x.Outcome = outcomeNASTimeout
			}
		}
	}
	return x
}

// failed reports whether an outcome is a failed sign-in (or session).
func failed(outcome string) bool {
	switch outcome {
	case model.OutcomeAccepted.String(), model.OutcomeAccounted.String():
		return false
	}
	return true
}

// compare sets Status and Diffs.
func (r *Result) compare() {
	if r.Status == NotReplayable {
		return
	}
	x, o := &r.Expected, &r.Observed
	if o.Outcome == "" {
		r.Status = NotReplayable
		if o.Error != "" {
			r.Why = o.Error
		} else {
			r.Why = "the replay was interrupted"
		}
		return
	}
	r.Diffs = r.Diffs[:0]
	if x.Outcome != o.Outcome {
		r.Diffs = append(r.Diffs, fmt.Sprintf("outcome: expected %s, observed %s", x.Outcome, o.Outcome))
	}
	if x.Reason != model.NoReason && o.Reason != model.NoReason && x.Reason != o.Reason {
		r.Diffs = append(r.Diffs, fmt.Sprintf("reason: expected %d, observed %d", x.Reason, o.Reason))
	}
	if x.MFA != "" && o.MFA != "" && !strings.EqualFold(x.MFA, o.MFA) {
		r.Diffs = append(r.Diffs, fmt.Sprintf("mfa: expected %s, observed %s", x.MFA, o.MFA))
	}
	if o.Peer != "" {
		r.Diffs = append(r.Diffs, "peer: "+o.Peer)
	}
	if o.decided && x.Reason != model.NoReason {
		// Both sides hold NPS's verdict: the input a log or events (a
		// capture alone shows no reason code, and most diagnoses need one),
		// the target its decisions.
		xs, os := ComparedFindings(x.Findings), ComparedFindings(o.Findings)
		if x.MFA == "" {
			// The input does not show the MFA extension's answer (no
			// AzureMfa events): its diagnoses cannot be expected.
			xs = slices.DeleteFunc(xs, isMFADiagnosis)
			os = slices.DeleteFunc(os, isMFADiagnosis)
		}
		if only := minus(xs, os); len(only) > 0 {
			r.Diffs = append(r.Diffs, "findings: expected only "+strings.Join(only, ", "))
		}
		if only := minus(os, xs); len(only) > 0 {
			r.Diffs = append(r.Diffs, "findings: observed only "+strings.Join(only, ", "))
		}
	}
	xf, of := failed(x.Outcome), failed(o.Outcome)
	switch {
	case xf && !of:
		r.Status = Fixed
	case !xf && of:
		r.Status = Regressed
	case len(r.Diffs) == 0:
		r.Status = Reproduced
	default:
		r.Status = Diverged
	}
}

// ComparedFindings are the rules of rules that take part in the
// comparison (when both sides hold NPS's verdict), sorted: the diagnoses
// of how a sign-in failed that the input and the embedded target show the
// same way: no-response, challenge-abandoned, no-policy-match,
// mfa-not-enrolled, rdg-cannot-challenge (with the challenge-abandoned it
// implies) and otp-needs-pap, the last three only when the input shows the
// MFA extension's answer (AzureMfa events). Left out:
// upn-mismatch (it needs the name the extension sent to Entra ID, which
// the target's decision does not carry); nps-reason-N and the
// MFA codes (mfa-<code>), which the reason and MFA comparison covers and
// which a capture alone cannot show; nas-timeout-short and
// duplicate-discarded (the emulated NAS's timeout and retries are the
// scenario's or -t/-r, shown as retransmits); wrong-secret and
// unknown-client (they say which secrets radscope was given; the target's
// drop shows as no-response); blast-radius-request (the NAS's packets are
// re-sent as captured); blast-radius-response (the emulator always signs);
// otp-accept-no-policy-attrs (the original server's reply attributes);
// acct-no-auth, mfa-skipped and clock-skew (what the input holds, not what
// the server did).
func ComparedFindings(rules []string) []string {
	var out []string
	add := func(r string) {
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	for _, r := range rules {
		switch r {
		case "no-response", "challenge-abandoned", "no-policy-match", "mfa-not-enrolled", "otp-needs-pap":
			add(r)
		case "rdg-cannot-challenge":
			// It supersedes challenge-abandoned, which it implies.
			add(r)
			add("challenge-abandoned")
		}
	}
	slices.Sort(out)
	return out
}

// isMFADiagnosis reports a compared finding that needs the MFA
// extension's answer.
func isMFADiagnosis(rule string) bool {
	return rule == "mfa-not-enrolled" || rule == "rdg-cannot-challenge" || rule == "otp-needs-pap"
}

// minus is a without the elements of b.
func minus(a, b []string) []string {
	var out []string
	for _, s := range a {
		if !slices.Contains(b, s) {
			out = append(out, s)
		}
	}
	return out
}

// Summary counts results by status.
type Summary struct {
	Flows         int `json:"flows"`
	Reproduced    int `json:"reproduced"`
	Fixed         int `json:"fixed"`
	Regressed     int `json:"regressed"`
	Diverged      int `json:"diverged"`
	NotReplayable int `json:"not_replayable"`
}

// Summarize counts rs.
func Summarize(rs []*Result) Summary {
	s := Summary{Flows: len(rs)}
	for _, r := range rs {
		switch r.Status {
		case Reproduced:
			s.Reproduced++
		case Fixed:
			s.Fixed++
		case Regressed:
			s.Regressed++
		case Diverged:
			s.Diverged++
		case NotReplayable:
			s.NotReplayable++
		}
	}
	return s
}

// Failed reports whether a --check run should fail: a regression or a
// divergence.
func (s Summary) Failed() bool { return s.Regressed > 0 || s.Diverged > 0 }
