package explain_test

import (
	"context"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/radscope/radscope/dict"
	"github.com/radscope/radscope/explain"
	"github.com/radscope/radscope/flow"
	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/parse"
)

var update = flag.Bool("update", false, "rewrite golden files")

var t0 = time.Date(2026, 11, 2, 9, 14, 0, 0, time.UTC)

func msg(kind model.Kind, code model.Code, at time.Duration) model.Message {
	return model.Message{Time: t0.Add(at), Kind: kind, Code: code, Reason: model.NoReason, Ident: model.NoIdent}
}

func withReason(m model.Message, r int) model.Message    { m.Reason = r; return m }
func withMFA(m model.Message, x model.MFA) model.Message { m.MFA = &x; return m }
func withUser(m model.Message, u string) model.Message   { m.User = u; return m }
func withAuthType(m model.Message, a int) model.Message  { m.AuthType = a; return m }
func withCheck(m model.Message, c model.SecretCheck) model.Message {
	m.Check = &c
	return m
}
func withAttrs(m model.Message, as ...model.Attr) model.Message {
	m.Attrs = append(m.Attrs, as...)
	return m
}
func withEvent(m model.Message, id int, ch string) model.Message {
	m.Event = &model.Event{ID: id, Channel: ch}
	return m
}

var maAttr = model.Attr{Type: 80, Name: "Message-Authenticator", Value: "0x00"}

// auth builds a flow of one round from its messages: the first is the
// request, the last the answer.
func auth(outcome model.Outcome, reason int, ms ...model.Message) *model.Flow {
	f := &model.Flow{ID: 1, Kind: model.FlowAuth, Outcome: outcome, Reason: reason, User: `CONTOSO\alice`, NAS: "vpn-gw", Messages: ms}
	r := model.Round{Request: -1, Response: -1}
	first := -1
	for i, m := range ms {
		if first < 0 && m.Code == model.CodeAccessRequest {
			first = i
		}
		switch {
		case m.Code == model.CodeAccessRequest && m.Marks&model.MarkRetransmit != 0:
			r.Retransmits = append(r.Retransmits, i)
		case m.Code == model.CodeAccessRequest && r.Request < 0:
			r.Request = i
		case m.Code == model.CodeAccessRequest:
			f.Rounds = append(f.Rounds, r)
			r = model.Round{Request: i, Response: -1}
		case m.Code == model.CodeAccessAccept || m.Code == model.CodeAccessReject || m.Code == model.CodeAccessChallenge:
			r.Response, r.Code = i, m.Code
			if r.Request >= 0 {
				r.Latency = m.Time.Sub(ms[r.Request].Time)
				f.Latency = m.Time.Sub(ms[first].Time)
			}
		}
		if m.MFA != nil {
			x := *m.MFA
			f.MFA = &x
		}
	}
	f.Rounds = append(f.Rounds, r)
	return f
}

func rtx(m model.Message) model.Message { m.Marks |= model.MarkRetransmit; return m }

func has(fs []model.Finding, id string) bool {
	for _, f := range fs {
		if f.Rule == id {
			return true
		}
	}
	return false
}

func TestEveryReasonCode(t *testing.T) {
	n := 0
	for r := range dict.Reasons {
		n++
		id := "nps-reason-" + strconv.Itoa(r.Code)
		rule, ok := explain.ByID(id)
		if !ok {
			t.Errorf("no rule for reason %d", r.Code)
			continue
		}
		if got := explain.Lookup(strconv.Itoa(r.Code)); len(got) != 1 || got[0] != rule {
			t.Errorf("Lookup(%d) = %v", r.Code, got)
		}
		if rule.Remedy == "" || rule.Explain == "" {
			t.Errorf("%s has no explanation or remedy", id)
		}
		trig := auth(model.OutcomeRejected, r.Code, msg(model.KindRecord, model.CodeAccessRequest, 0),
			withReason(msg(model.KindRecord, model.CodeAccessReject, time.Millisecond), r.Code))
		trig.Policy, trig.ProxyPolicy = "VPN, MFA required", "Use Windows authentication for all users"
		fd, fired := rule.Check(trig)
		if r.Code == 0 {
			if fired {
				t.Errorf("%s fires on a success", id)
			}
			continue
		}
		if !fired {
			t.Errorf("%s does not fire on a flow with reason %d", id, r.Code)
			continue
		}
		if !strings.Contains(fd.Text, `network policy "VPN, MFA required"`) || len(fd.Evidence) != 1 || fd.Evidence[0] != 1 {
			t.Errorf("%s: text %q evidence %v", id, fd.Text, fd.Evidence)
		}
		quiet := auth(model.OutcomeAccepted, 0, msg(model.KindRecord, model.CodeAccessRequest, 0),
			withReason(msg(model.KindRecord, model.CodeAccessAccept, time.Millisecond), 0))
		if _, fired := rule.Check(quiet); fired {
			t.Errorf("%s fires on an accepted flow", id)
		}
	}
	if n < 90 {
		t.Errorf("only %d reason codes in the dictionary", n)
	}
}

// mfaCodes are the codes the reference lists (§2); each must have a rule.
var mfaCodes = []string{
	"CONTACT_SUPPORT", "CLIENT_CERT_INSTALL_ERROR", "ESTS_TOKEN_ERROR", "HTTPS_COMMUNICATION_ERROR", "HTTP_CONNECT_ERROR",
	"REGISTRY_CONFIG_ERROR", "REQUEST_FORMAT_ERROR", "REQUEST_MISSING_CODE", "USERNAME_CANONICALIZATION_ERROR",
	"ALTERNATE_LOGIN_ID_ERROR", "IP_WHITE_LIST_WARNING", "AccessDenied", "AuthenticationMethodNotConfigured",
	"AuthenticationMethodNotSupported", "BecAccessDenied", "InvalidFormat", "StrongAuthenticationServiceInvalidParameter",
	"InvalidSession", "NoDefaultAuthenticationMethodIsConfigured", "OathCodePinIncorrect", "ProofDataNotFound",
	"SMSAuthFailedWrongCodePinEntered", "TenantIsBlocked", "UserNotFound", "OathCodeIncorrect",
	"SMSAuthFailedMaxAllowedCodeRetryReached", "SMSAuthFailedWrongCodeEntered", "AuthenticationThrottled",
	"AuthenticationMethodLimitReached", "InvalidParameter", "InternalError", "VersionNotSupported", "MFAPinNotSetup",
}

func TestEveryMFACode(t *testing.T) {
	for _, code := range mfaCodes {
		rule, ok := explain.ByID("mfa-" + code)
		if !ok {
			t.Errorf("no rule for MFA code %s", code)
			continue
		}
		if got := explain.Lookup(strings.ToLower(code)); len(got) != 1 || got[0] != rule {
			t.Errorf("Lookup(%s) = %v", code, got)
		}
		x := model.MFA{Result: code, Outcome: "rejected"}
		if strings.ToUpper(code) == code {
			x = model.MFA{Error: code, Outcome: "error"}
		}
		trig := auth(model.OutcomeRejected, 21, msg(model.KindRecord, model.CodeAccessRequest, 0),
			withUser(withMFA(msg(model.KindEvent, model.CodeNone, time.Second), x), "alice@contoso.com"),
			withReason(msg(model.KindRecord, model.CodeAccessReject, time.Second), 21))
		fd, fired := rule.Check(trig)
		if !fired || !strings.Contains(fd.Text, code) || !strings.Contains(fd.Text, "alice@contoso.com") || len(fd.Evidence) != 1 || fd.Evidence[0] != 1 {
			t.Errorf("mfa-%s on its code: fired %v, %+v", code, fired, fd)
		}
		quiet := auth(model.OutcomeAccepted, 0, msg(model.KindRecord, model.CodeAccessRequest, 0),
			withMFA(msg(model.KindEvent, model.CodeNone, time.Second), model.MFA{Result: "Success", Outcome: "accepted"}),
			withReason(msg(model.KindRecord, model.CodeAccessAccept, time.Second), 0))
		if _, fired := rule.Check(quiet); fired {
			t.Errorf("mfa-%s fires on a successful MFA", code)
		}
	}
}

// TestDerived: every derived rule with a flow that triggers it and one that
// must not.
func TestDerived(t *testing.T) {
	req := func(at time.Duration) model.Message { return msg(model.KindPacket, model.CodeAccessRequest, at) }
	ans := func(c model.Code, at time.Duration) model.Message { return msg(model.KindPacket, c, at) }
	mfaEv := func(x model.MFA) model.Message {
		return withUser(withMFA(msg(model.KindEvent, model.CodeNone, time.Second), x), "alice@contoso.local")
	}
	challenge := model.MFA{Result: "Challenge", Outcome: "challenge", State: "300c9d6c"}
	rdg := func(f *model.Flow) *model.Flow { f.NAS, f.CallingStation = "rdgw", "UserAuthType:PW"; return f }
	method := func(f *model.Flow, m string) *model.Flow { f.Method = m; return f }
	kind := func(f *model.Flow, k model.FlowKind) *model.Flow { f.Kind = k; return f }
	skew := func(f *model.Flow, d time.Duration) *model.Flow {
		f.Skew, f.Sources = d, []model.Kind{model.KindPacket, model.KindRecord}
		return f
	}
	acct := func(linked int64, seen bool, status int) *model.Flow {
		m := msg(model.KindRecord, model.CodeAccountingRequest, 0)
		m.AcctStatus = status
		return &model.Flow{Kind: model.FlowAccounting, Linked: linked, AuthSeen: seen, AcctSessionID: "S1", User: "bob", NAS: "vpn-gw",
			Outcome: model.OutcomeAccounted, Messages: []model.Message{m}}
	}
	cases := []struct {
		rule        string
		trig, quiet *model.Flow
		textHas     string
	}{
		{"nas-timeout-short",
			auth(model.OutcomeAccepted, 0, withAttrs(req(0), maAttr), rtx(req(3*time.Second)), rtx(req(6*time.Second)), mfaEv(model.MFA{Result: "Success", Outcome: "accepted"}), ans(model.CodeAccessAccept, 25*time.Second)),
			auth(model.OutcomeAccepted, 0, req(0), rtx(req(3*time.Second)), ans(model.CodeAccessAccept, 3010*time.Millisecond)),
			"answered only after 25s"},
		{"nas-timeout-short",
			rdg(auth(model.OutcomeAccepted, 0, msg(model.KindRecord, model.CodeAccessRequest, 0), msg(model.KindRecord, model.CodeAccessAccept, 20*time.Second))),
			rdg(auth(model.OutcomeAccepted, 0, msg(model.KindRecord, model.CodeAccessRequest, 0), msg(model.KindRecord, model.CodeAccessAccept, time.Second))),
			"RD Gateway's default timeout of 3 s"},
		{"duplicate-discarded",
			auth(model.OutcomeRejected, 21, req(0), rtx(req(3*time.Second)), ans(model.CodeAccessReject, 4*time.Second)),
			auth(model.OutcomeRejected, 16, req(0), rtx(req(3*time.Second)), ans(model.CodeAccessReject, 3001*time.Millisecond)),
			"1 duplicate request from vpn-gw"},
		{"rdg-cannot-challenge",
			rdg(auth(model.OutcomeRejected, 21, req(0), mfaEv(challenge), ans(model.CodeAccessReject, time.Second))),
			auth(model.OutcomeRejected, 21, req(0), mfaEv(challenge), ans(model.CodeAccessReject, time.Second)),
			"RD Gateway"},
		{"otp-needs-pap",
			method(auth(model.OutcomeRejected, 21, req(0), mfaEv(challenge), ans(model.CodeAccessReject, time.Second)), "MS-CHAPv2"),
			method(auth(model.OutcomeRejected, 21, req(0), mfaEv(challenge), ans(model.CodeAccessReject, time.Second)), "PAP"),
			"MS-CHAPv2"},
		{"mfa-not-enrolled",
			auth(model.OutcomeRejected, 21, req(0), mfaEv(model.MFA{Result: "AuthenticationMethodNotConfigured", Outcome: "rejected"}), ans(model.CodeAccessReject, time.Second)),
			auth(model.OutcomeRejected, 21, req(0), mfaEv(model.MFA{Result: "OathCodeIncorrect", Outcome: "rejected"}), ans(model.CodeAccessReject, time.Second)),
			"REQUIRE_USER_MATCH"},
		{"upn-mismatch",
			auth(model.OutcomeRejected, 21, req(0), mfaEv(model.MFA{Result: "UserNotFound", Outcome: "rejected"}), ans(model.CodeAccessReject, time.Second)),
			auth(model.OutcomeRejected, 21, req(0), withUser(withMFA(msg(model.KindEvent, 0, time.Second), model.MFA{Result: "UserNotFound"}), "alice@contoso.com"), ans(model.CodeAccessReject, time.Second)),
			"alice@contoso.local"},
		{"wrong-secret",
			auth(model.OutcomeNoResponse, model.NoReason, withCheck(req(0), model.SecretCheck{MessageAuthenticator: model.SecretMismatch})),
			auth(model.OutcomeNoResponse, model.NoReason, withCheck(req(0), model.SecretCheck{MessageAuthenticator: model.Verified})),
			"failed verification"},
		{"blast-radius-request",
			auth(model.OutcomeAccepted, 0, req(0), withAttrs(ans(model.CodeAccessAccept, time.Second), maAttr)),
			auth(model.OutcomeAccepted, 0, withAttrs(req(0), maAttr), withAttrs(ans(model.CodeAccessAccept, time.Second), maAttr)),
			"vpn-gw"},
		{"blast-radius-response",
			auth(model.OutcomeAccepted, 0, withAttrs(req(0), maAttr), ans(model.CodeAccessAccept, time.Second)),
			auth(model.OutcomeAccepted, 0, withAttrs(req(0), maAttr), withAttrs(ans(model.CodeAccessAccept, time.Second), maAttr)),
			"Access-Accept"},
		{"unknown-client",
			kind(&model.Flow{Messages: []model.Message{func() model.Message {
				m := withEvent(msg(model.KindEvent, 0, 0), 13, "System")
				m.ClientAddr = netip.MustParseAddr("10.9.9.9")
				return m
			}()}}, model.FlowUnmatched),
			kind(&model.Flow{Messages: []model.Message{withEvent(msg(model.KindEvent, 0, 0), 4400, "System")}}, model.FlowUnmatched),
			"10.9.9.9"},
		{"no-policy-match",
			auth(model.OutcomeRejected, 48, msg(model.KindRecord, model.CodeAccessRequest, 0), withReason(msg(model.KindRecord, model.CodeAccessReject, 0), 48)),
			auth(model.OutcomeRejected, 16, msg(model.KindRecord, model.CodeAccessRequest, 0), withReason(msg(model.KindRecord, model.CodeAccessReject, 0), 16)),
			"No network policy matched"},
		{"challenge-abandoned",
			auth(model.OutcomeChallengeAbandoned, 0, req(0), withAttrs(ans(model.CodeAccessChallenge, time.Second), model.Attr{Name: "Reply-Message", Value: "Enter your Microsoft validation code"})),
			auth(model.OutcomeAccepted, 0, req(0), ans(model.CodeAccessChallenge, time.Second), req(20*time.Second), ans(model.CodeAccessAccept, 21*time.Second)),
			"one-time code"},
		{"otp-accept-no-policy-attrs",
			auth(model.OutcomeAccepted, 0, req(0), mfaEv(challenge), ans(model.CodeAccessChallenge, time.Second), req(20*time.Second), ans(model.CodeAccessAccept, 21*time.Second)),
			auth(model.OutcomeAccepted, 0, req(0), mfaEv(challenge), ans(model.CodeAccessChallenge, time.Second), req(20*time.Second), withAttrs(ans(model.CodeAccessAccept, 21*time.Second), model.Attr{Type: 25, Name: "Class", Value: "x"})),
			"no Class"},
		{"no-response",
			auth(model.OutcomeNoResponse, model.NoReason, req(0), rtx(req(3*time.Second))),
			auth(model.OutcomeRejected, 16, req(0), ans(model.CodeAccessReject, time.Second)),
			"2 requests"},
		{"clock-skew",
			skew(auth(model.OutcomeAccepted, 0, req(0), ans(model.CodeAccessAccept, time.Second)), 2500*time.Millisecond),
			skew(auth(model.OutcomeAccepted, 0, req(0), ans(model.CodeAccessAccept, time.Second)), 0),
			"2.5s"},
		{"acct-no-auth", acct(0, true, 1), acct(7, true, 1), "S1"},
		{"acct-no-auth", acct(0, true, 1), acct(0, false, 1), "S1"},
		{"mfa-skipped",
			auth(model.OutcomeRejected, 16, req(0), mfaEv(model.MFA{Result: "AccessReject", Outcome: "ignored"}), ans(model.CodeAccessReject, time.Second)),
			auth(model.OutcomeRejected, 21, req(0), mfaEv(model.MFA{Result: "UserNotFound", Outcome: "rejected"}), ans(model.CodeAccessReject, time.Second)),
			"already rejected"},
	}
	tested := map[string]bool{}
	for _, c := range cases {
		tested[c.rule] = true
		t.Run(c.rule, func(t *testing.T) {
			rule, ok := explain.ByID(c.rule)
			if !ok {
				t.Fatalf("no rule %s", c.rule)
			}
			fd, fired := rule.Check(c.trig)
			if !fired {
				t.Fatalf("does not fire on its fixture")
			}
			if !strings.Contains(fd.Text, c.textHas) || fd.Remedy == "" || fd.Severity != rule.Severity {
				t.Errorf("finding %+v, want text containing %q", fd, c.textHas)
			}
			for _, e := range fd.Evidence {
				if e < 0 || e >= len(c.trig.Messages) {
					t.Errorf("evidence %d out of range", e)
				}
			}
			if fd, fired := rule.Check(c.quiet); fired {
				t.Errorf("fires on the quiet fixture: %s", fd.Text)
			}
		})
	}
	for _, r := range explain.Rules() {
		if r.Derived && !tested[r.ID] {
			t.Errorf("derived rule %s has no test case", r.ID)
		}
	}
}

func TestSupersede(t *testing.T) {
	f := auth(model.OutcomeRejected, 21, msg(model.KindRecord, model.CodeAccessRequest, 0),
		withUser(withMFA(msg(model.KindEvent, 0, time.Second), model.MFA{Result: "Challenge", Outcome: "challenge"}), "dave@contoso.local"),
		withReason(msg(model.KindRecord, model.CodeAccessReject, time.Second), 21))
	f.NAS, f.CallingStation = "rdgw", "UserAuthType:PW"
	explain.Annotate(f)
	if !has(f.Findings, "rdg-cannot-challenge") || has(f.Findings, "nps-reason-21") {
		t.Errorf("findings %+v", f.Findings)
	}
	if top := f.Top(); top == nil || top.Rule != "rdg-cannot-challenge" {
		t.Errorf("top %+v", top)
	}
	// Without the RD Gateway the reason code speaks for itself.
	g := auth(model.OutcomeRejected, 21, msg(model.KindRecord, model.CodeAccessRequest, 0), withReason(msg(model.KindRecord, model.CodeAccessReject, time.Second), 21))
	explain.Annotate(g)
	if !has(g.Findings, "nps-reason-21") {
		t.Errorf("findings %+v", g.Findings)
	}
}

func TestLookup(t *testing.T) {
	cases := []struct {
		q    string
		want string
	}{
		{"21", "nps-reason-21"},
		{" 8 ", "nps-reason-8"},
		{"IAS_NO_SUCH_USER", "nps-reason-8"},
		{"usernotfound", "mfa-UserNotFound"},
		{"ESTS_TOKEN_ERROR", "mfa-ESTS_TOKEN_ERROR"},
		{"nas-timeout-short", "nas-timeout-short"},
		{"no-such-thing", ""},
		{"", ""},
	}
	for _, c := range cases {
		got := explain.Lookup(c.q)
		switch {
		case c.want == "" && len(got) != 0:
			t.Errorf("Lookup(%q) = %v, want nothing", c.q, got[0].ID)
		case c.want != "" && (len(got) != 1 || got[0].ID != c.want):
			t.Errorf("Lookup(%q) = %v, want %s", c.q, got, c.want)
		}
	}
}

func TestRuleTable(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range explain.Rules() {
		if seen[r.ID] {
			t.Errorf("duplicate %s", r.ID)
		}
		seen[r.ID] = true
		if r.Title == "" || r.Explain == "" || r.Remedy == "" {
			t.Errorf("%s is missing a title, explanation or remedy", r.ID)
		}
		for _, s := range r.Supersedes {
			if _, ok := explain.ByID(s); !ok {
				t.Errorf("%s supersedes unknown rule %s", r.ID, s)
			}
		}
	}
}

// TestMFADay runs the rules on the MFA day of the fixtures (logs and events
// joined by package flow) and compares the findings with a golden file.
func TestMFADay(t *testing.T) {
	paths := []string{"../testdata/iaslogs/mfa-day/IN240305.log", "../testdata/events/NPS01_Security.evtx", "../testdata/events/NPS01_AuthZOptCh.evtx", "../testdata/events/NPS01_AuthZAdminCh.evtx", "../testdata/events/NPS01_AuthNOptCh.evtx", "../testdata/events/NPS01_System.evtx", "../testdata/events/RDGW_Gateway.evtx"}
	o := parse.Options{Location: time.FixedZone("CET", 3600), Dict: dict.Default()}
	s := parse.Open(context.Background(), paths, o)
	var b strings.Builder
	for f, err := range flow.Build(context.Background(), s.All(), flow.Options{Annotate: explain.Annotate}) {
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Findings) == 0 {
			continue
		}
		fmt.Fprintf(&b, "flow %d %s %s %s %s\n", f.ID, f.Kind, f.Start.UTC().Format(time.RFC3339), f.User, f.Outcome)
		for _, fd := range f.Findings {
			fmt.Fprintf(&b, "  %s %s: %s %v\n", fd.Severity, fd.Rule, fd.Text, fd.Evidence)
		}
	}
	path := filepath.Join("testdata", "TestMFADay.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	if string(want) != b.String() {
		t.Errorf("findings differ from %s (go test -update rewrites it)\n%s", path, b.String())
	}
}
