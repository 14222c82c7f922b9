package nps

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"layeh.com/radius"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/nps/mfa"
	"github.com/radscope/radscope/scenario"
)

const mfaScenario = `
server: {computer_name: NPSMFA, address: 10.0.0.10}
clients:
  - {name: vpn, address: 127.0.0.1, secret: s3cret}
directory:
  domain: CONTOSO
  upn_suffix: contoso.com
  users:
    - {sam: alice, password: pw, groups: [VPN], mfa: {method: push, outcome: approve, latency: 8s}}
    - {sam: denier, password: pw, groups: [VPN], mfa: {method: phone, outcome: deny, latency: 2s}}
    - {sam: sleeper, password: pw, groups: [VPN], mfa: {method: push, outcome: no_answer}}
    - {sam: slow, password: pw, groups: [VPN], mfa: {method: push, outcome: approve, latency: 4m}}
    - {sam: bob, password: pw, groups: [VPN], mfa: {method: push, totp_secret: JBSWY3DPEHPK3PXP}}
    - {sam: carol, password: pw, groups: [VPN], mfa: {method: sms, sms_code: "424242"}}
    - {sam: newbie, password: pw, groups: [VPN], mfa: {enrolled: false}}
    - {sam: ghost, password: pw, groups: [VPN], mfa: {outcome: error, error: UserNotFound}}
    - {sam: throttled, password: pw, groups: [VPN], mfa: {outcome: error, error: AuthenticationThrottled}}
    - {sam: alt, password: pw, groups: [VPN], attributes: {mail: alt@fabrikam.com}}
network_policies:
  - name: VPN
    conditions: {windows_groups: [VPN]}
    auth_methods: [pap, mschapv2]
    reply: [{name: Filter-Id, value: vpn}]
connection_request_policies:
  - {name: All}
mfa:
  installed: true
  version: 1.2.2216.1
`

type mfaRun struct {
	s     *Server
	rec   *recorder
	clock *mfa.Fake
}

func newMFA(t *testing.T, sets ...string) *mfaRun {
	t.Helper()
	sc := loadScenario(t, mfaScenario)
	for _, kv := range sets {
		k, v, _ := strings.Cut(kv, "=")
		if err := sc.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := sc.Validate(); err != nil {
		t.Fatal(err)
	}
	c := fakeClock()
	s, rec := newServer(t, sc, Options{Clock: c})
	return &mfaRun{s, rec, c}
}

type result struct {
	reply []byte
	d     Decision
}

// start sends b through Handle in the background.
func (m *mfaRun) start(b []byte) chan result {
	ch := make(chan result, 1)
	go func() {
		reply, d, _ := m.s.HandleDecision(context.Background(), local, b)
		ch <- result{reply, d}
	}()
	return ch
}

func (m *mfaRun) waitHeld(t *testing.T, timers int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := m.clock.WaitForWaiters(ctx, timers); err != nil {
		t.Fatalf("request not held: %v", err)
	}
}

func notYet(t *testing.T, ch chan result) {
	t.Helper()
	select {
	case r := <-ch:
		t.Fatalf("answered while MFA was pending: %+v", r.d)
	case <-time.After(20 * time.Millisecond):
	}
}

func TestMFAPushAndCall(t *testing.T) {
	tests := []struct {
		name     string
		user     string
		advance  time.Duration
		code     radius.Code
		response string // MFA Result
		event    string
		timers   int // clock timers of a held request
	}{
		{"push approved", "alice", 8 * time.Second, radius.CodeAccessAccept, "Success", "", 2},
		{"call denied", "denier", 2 * time.Second, radius.CodeAccessReject, "PhoneCallDenied", "Access Rejected for user denier@contoso.com with Azure MFA response: PhoneCallDenied and message: ", 2},
		{"push not answered", "sleeper", 3 * time.Minute, radius.CodeAccessReject, "InvalidSession", "with Azure MFA response: InvalidSession and message: The specified session is invalid or may have expired", 1},
		{"answer after the session limit", "slow", 3 * time.Minute, radius.CodeAccessReject, "InvalidSession", "InvalidSession", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMFA(t)
			b := newReq(testSecret).userName(tt.user).pap("pw").nasIP("10.0.1.1").encode(t)
			ch := m.start(b)
			m.waitHeld(t, tt.timers) // the session limit and the user's latency
			notYet(t, ch)
			// A retransmission while the push is pending is discarded.
			if reply, d := handle(t, m.s, b); reply != nil || !d.Duplicate {
				t.Fatalf("retransmit answered while pending: %+v", d)
			}
			m.clock.Advance(tt.advance)
			r := <-ch
			p := parseReply(t, r.reply, b, testSecret)
			if p.Code != tt.code {
				t.Fatalf("code %v, want %v (%+v)", p.Code, tt.code, r.d)
			}
			if r.d.MFA == nil || r.d.MFA.Result != tt.response {
				t.Fatalf("MFA %+v, want result %q", r.d.MFA, tt.response)
			}
			if r.d.Latency != tt.advance {
				t.Errorf("latency %v on the server clock, want %v", r.d.Latency, tt.advance)
			}
			if tt.code == radius.CodeAccessAccept {
				if string(p.Attributes.Get(11)) != "vpn" {
					t.Error("push path Accept lacks the policy's Filter-Id")
				}
				// Duplicates are discarded for 10 s after a success...
				m.clock.Advance(9 * time.Second)
				if reply, d := handle(t, m.s, b); reply != nil || d.DropReason == "" {
					t.Fatalf("duplicate answered inside the 10 s window: %+v", d)
				}
				return
			}
			if r.d.Reason != ReasonExtensionRejected || r.d.AuthType != authExtension {
				t.Errorf("reason %d auth type %d, want 21 and Extension", r.d.Reason, r.d.AuthType)
			}
			if !m.rec.hasEvent(1, tt.event) {
				t.Errorf("no AuthZ event with %q in %q", tt.event, m.rec.eventTexts())
			}
			if !m.rec.hasEvent(6273, "denied") {
				t.Error("no 6273")
			}
			checkReject21Logged(t, m.rec)
			// ... but a rejected request's retransmission gets the cached Reject.
			if reply, d := handle(t, m.s, b); reply == nil || !d.Duplicate || d.Code != model.CodeAccessReject {
				t.Fatalf("duplicate of a reject: %+v", d)
			}
		})
	}
}

func checkReject21Logged(t *testing.T, rec *recorder) {
	t.Helper()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, e := range rec.events {
		if e.Event.ID == 6273 {
			if e.Event.Data["ReasonCode"] != "21" || e.Event.Data["AuthenticationType"] != "Extension" || e.Event.Data["Reason"] != ReasonText21 {
				t.Errorf("6273 data %v", e.Event.Data)
			}
		}
	}
	found := false
	for _, r := range rec.records {
		if r.Code == model.CodeAccessReject {
			found = true
			if r.Reason != 21 || r.AuthType != authExtension {
				t.Errorf("reject record reason %d auth type %d", r.Reason, r.AuthType)
			}
		}
	}
	if !found {
		t.Error("no reject record")
	}
}

var guidRe = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestMFAOTPChallenge(t *testing.T) {
	totp := func(m *mfaRun) string {
		sec, _ := scenario.DecodeTOTPSecret("JBSWY3DPEHPK3PXP")
		return mfa.TOTP{Secret: sec}.Code(m.clock.Now())
	}
	tests := []struct {
		name     string
		user     string
		code     func(*mfaRun) string
		want     radius.Code
		response string
	}{
		{"totp right", "bob", totp, radius.CodeAccessAccept, "Success"},
		{"totp wrong", "bob", func(*mfaRun) string { return "000000" }, radius.CodeAccessReject, "OathCodeIncorrect"},
		{"sms right", "carol", func(*mfaRun) string { return "424242" }, radius.CodeAccessAccept, "Success"},
		{"sms wrong", "carol", func(*mfaRun) string { return "111111" }, radius.CodeAccessReject, "SMSAuthFailedWrongCodeEntered"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMFA(t)
			b := newReq(testSecret).userName(tt.user).pap("pw").nasIP("10.0.1.1").encode(t)
			reply, d := handle(t, m.s, b)
			p := parseReply(t, reply, b, testSecret)
			if p.Code != radius.CodeAccessChallenge {
				t.Fatalf("first leg: %v %+v", p.Code, d)
			}
			state := p.Attributes.Get(attrState)
			if !guidRe.Match(state) {
				t.Errorf("State %q is not a GUID string", state)
			}
			if got := string(p.Attributes.Get(attrReplyMessage)); got != "Enter your Microsoft validation code" {
				t.Errorf("Reply-Message %q", got)
			}
			if !m.rec.hasEvent(1, "Challenge requested in Authentication Ext for User "+tt.user+"@contoso.com with state "+string(state)) {
				t.Errorf("no challenge event in %q", m.rec.eventTexts())
			}
			m.clock.Advance(20 * time.Second)
			b2 := newReq(testSecret).userName(tt.user).pap(tt.code(m)).attr(attrState, state).encode(t)
			reply, d = handle(t, m.s, b2)
			p = parseReply(t, reply, b2, testSecret)
			if p.Code != tt.want || d.MFA == nil || d.MFA.Result != tt.response {
				t.Fatalf("second leg: %v %+v %+v", p.Code, d, d.MFA)
			}
			if tt.want == radius.CodeAccessAccept {
				if p.Attributes.Get(11) != nil || p.Attributes.Get(attrClass) != nil {
					t.Error("OTP-path Accept carries network policy attributes")
				}
				if d.Policy != "VPN" {
					t.Errorf("policy %q", d.Policy)
				}
			} else if d.Reason != ReasonExtensionRejected {
				t.Errorf("reason %d", d.Reason)
			}
			// The State is single use: sent again, the code is taken for
			// the AD password and fails.
			b3 := newReq(testSecret).userName(tt.user).pap(tt.code(m)).attr(attrState, state).encode(t)
			if reply, d := handle(t, m.s, b3); reply == nil || d.Code != model.CodeAccessReject || d.Reason != ReasonAuthFailure {
				t.Errorf("a reused State was not treated as a new request: %+v", d)
			}
		})
	}
}

func TestMFAOTPSessionExpires(t *testing.T) {
	m := newMFA(t)
	b := newReq(testSecret).userName("carol").pap("pw").encode(t)
	reply, _ := handle(t, m.s, b)
	state := parseReply(t, reply, b, testSecret).Attributes.Get(attrState)
	m.clock.Advance(3*time.Minute + time.Second)
	b2 := newReq(testSecret).userName("carol").pap("424242").attr(attrState, state).encode(t)
	reply, d := handle(t, m.s, b2)
	if p := parseReply(t, reply, b2, testSecret); p.Code != radius.CodeAccessReject || d.MFA.Result != "InvalidSession" {
		t.Fatalf("%v %+v", p.Code, d.MFA)
	}
}

func TestMFADecisions(t *testing.T) {
	tests := []struct {
		name     string
		sets     []string
		build    func() *req
		code     radius.Code
		response string // MFA Result ("" when no MFA field expected)
		extError string
		event    string
	}{
		{"number matching: TOTP over MS-CHAPv2 fails", nil,
			func() *req { return newReq(testSecret).userName("bob").mschapv2("bob", "pw").nasIP("10.0.1.1") },
			radius.CodeAccessReject, "", "REQUEST_MISSING_CODE", "Challenge requested in Authentication Ext for User bob@contoso.com with state "},
		{"override FALSE keeps Approve/Deny", []string{"mfa.override_number_matching_with_otp=FALSE"},
			func() *req { return newReq(testSecret).userName("bob").mschapv2("bob", "pw").nasIP("10.0.1.1") },
			radius.CodeAccessAccept, "Success", "", ""},
		{"old version without override uses push", []string{"mfa.version=1.2.2131.2"},
			func() *req { return newReq(testSecret).userName("bob").pap("pw").nasIP("10.0.1.1") },
			radius.CodeAccessAccept, "Success", "", ""},
		{"old version with override TRUE asks for TOTP", []string{"mfa.version=1.2.2131.2", "mfa.override_number_matching_with_otp=TRUE"},
			func() *req { return newReq(testSecret).userName("bob").pap("pw").nasIP("10.0.1.1") },
			radius.CodeAccessChallenge, "Challenge", "", ""},
		{"version before 1.0.1.40 ignores override", []string{"mfa.version=1.0.1.32", "mfa.override_number_matching_with_otp=TRUE"},
			func() *req { return newReq(testSecret).userName("bob").pap("pw").nasIP("10.0.1.1") },
			radius.CodeAccessAccept, "Success", "", ""},
		{"not enrolled, REQUIRE_USER_MATCH unset", nil,
			func() *req { return newReq(testSecret).userName("newbie").pap("pw").nasIP("10.0.1.1") },
			radius.CodeAccessReject, "NoDefaultAuthenticationMethodIsConfigured", "", "NoDefaultAuthenticationMethodIsConfigured"},
		{"not enrolled, REQUIRE_USER_MATCH FALSE", []string{"mfa.require_user_match=FALSE"},
			func() *req { return newReq(testSecret).userName("newbie").pap("pw").nasIP("10.0.1.1") },
			radius.CodeAccessAccept, "Skipped", "", ""},
		{"not enrolled, REQUIRE_USER_MATCH false (lower case counts as TRUE)", []string{"mfa.require_user_match=false"},
			func() *req { return newReq(testSecret).userName("newbie").pap("pw").nasIP("10.0.1.1") },
			radius.CodeAccessReject, "NoDefaultAuthenticationMethodIsConfigured", "", ""},
		{"user missing in Entra ID", []string{"mfa.require_user_match=FALSE"},
			func() *req { return newReq(testSecret).userName("ghost").pap("pw").nasIP("10.0.1.1") },
			radius.CodeAccessReject, "UserNotFound", "", "with Azure MFA response: UserNotFound and message: MSODS Graph call returned user not found error."},
		{"scripted response code", nil,
			func() *req { return newReq(testSecret).userName("throttled").pap("pw").nasIP("10.0.1.1") },
			radius.CodeAccessReject, "AuthenticationThrottled", "", "Too many attempts by user in a short period of time. Throttling."},
		{"IP_WHITELIST skips MFA", []string{"mfa.ip_whitelist=10.0.9.9;10.0.1.1"},
			func() *req { return newReq(testSecret).userName("sleeper").pap("pw").nasIP("10.0.1.1") },
			radius.CodeAccessAccept, "Skipped", "", ""},
		{"IP_WHITELIST without NAS-IP-Address warns", []string{"mfa.ip_whitelist=10.0.1.1", "directory.users.denier.mfa.latency=0s"},
			func() *req { return newReq(testSecret).userName("denier").pap("pw").str(attrNASIdentifier, "vpn1") },
			radius.CodeAccessReject, "PhoneCallDenied", "", "IP_WHITE_LIST_WARNING::IP Whitelist is being ignored as source IP is missing in RADIUS request in NasIpAddress attribute."},
		{"missing NAS-IP-Address and NAS-Identifier warns", []string{"directory.users.denier.mfa.latency=0s"},
			func() *req { return newReq(testSecret).userName("denier").pap("pw") },
			radius.CodeAccessReject, "PhoneCallDenied", "", "Radius request is missing NAS Identifier and Nas IpAddress attribute.Populating atleast one of these fields is recommended.This is not an error."},
		{"ESTS_TOKEN_ERROR", []string{"mfa.backend_error=ESTS_TOKEN_ERROR"},
			func() *req { return newReq(testSecret).userName("alice").pap("pw").nasIP("10.0.1.1") },
			radius.CodeAccessReject, "", "ESTS_TOKEN_ERROR", ":Exception in Authentication Ext for User alice :: ErrorCode:: CID :"},
		{"HTTP_CONNECT_ERROR", []string{"mfa.backend_error=HTTP_CONNECT_ERROR"},
			func() *req { return newReq(testSecret).userName("alice").pap("pw").nasIP("10.0.1.1") },
			radius.CodeAccessReject, "", "HTTP_CONNECT_ERROR", " HTTP_CONNECT_ERROR Msg:: "},
		{"alternate login ID used", []string{"mfa.ldap_alternate_loginid_attribute=mail", "mfa.require_user_match=FALSE"},
			func() *req { return newReq(testSecret).userName("alt").pap("pw").nasIP("10.0.1.1") },
			radius.CodeAccessAccept, "Success", "", ""},
		{"alternate login ID empty", []string{"mfa.ldap_alternate_loginid_attribute=mail"},
			func() *req { return newReq(testSecret).userName("alice").pap("pw").nasIP("10.0.1.1") },
			radius.CodeAccessReject, "", "ALTERNATE_LOGIN_ID_ERROR", "Error: Alternate LoginId value is empty"},
		{"NPS reject is ignored by the extension", nil,
			func() *req { return newReq(testSecret).userName("alice").pap("bad").nasIP("10.0.1.1") },
			radius.CodeAccessReject, "", "", "NPS Extension for Azure MFA only performs Secondary Auth for Radius requests in AccessAccept State. Request received for User alice with response state AccessReject, ignoring request."},
		{"extension not installed", []string{"mfa.installed=false"},
			func() *req { return newReq(testSecret).userName("sleeper").pap("pw").nasIP("10.0.1.1") },
			radius.CodeAccessAccept, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMFA(t, tt.sets...)
			b := tt.build().encode(t)
			ch := m.start(b)
			var r result
			select {
			case r = <-ch:
			case <-time.After(200 * time.Millisecond):
				// Held: a push with zero latency answers at once, so
				// only a real hold gets here; none is expected.
				m.clock.Advance(time.Second)
				r = <-ch
			}
			p := parseReply(t, r.reply, b, testSecret)
			if p.Code != tt.code {
				t.Fatalf("code %v, want %v; %+v %+v", p.Code, tt.code, r.d, r.d.MFA)
			}
			switch {
			case tt.response == "" && tt.extError == "":
				if r.d.MFA != nil && r.d.MFA.Result != "" {
					t.Errorf("unexpected MFA result %+v", r.d.MFA)
				}
			case r.d.MFA == nil:
				t.Fatal("no MFA outcome")
			default:
				if r.d.MFA.Result != tt.response || r.d.MFA.Error != tt.extError {
					t.Errorf("MFA %+v, want result %q error %q", r.d.MFA, tt.response, tt.extError)
				}
			}
			if tt.code == radius.CodeAccessReject && (tt.response != "" || tt.extError != "") && r.d.Reason != ReasonExtensionRejected {
				t.Errorf("reason %d, want 21", r.d.Reason)
			}
			if tt.event != "" {
				found := false
				for _, e := range m.rec.eventTexts() {
					found = found || strings.Contains(e, tt.event)
				}
				if !found {
					t.Errorf("no event containing %q in\n%s", tt.event, strings.Join(m.rec.eventTexts(), "\n"))
				}
			}
		})
	}
}

func TestChooseMethod(t *testing.T) {
	v := func(s string) scenario.Version { x, _ := scenario.ParseVersion(s); return x }
	push := mfa.Registration{Enrolled: true, Default: mfa.MethodPush, HasTOTP: true}
	tests := []struct {
		reg      mfa.Registration
		version  string
		override string
		want     mfa.Method
	}{
		{push, "1.2.2216.1", "", mfa.MethodTOTP},
		{push, "1.2.2216.1", "TRUE", mfa.MethodTOTP},
		{push, "1.2.2216.1", "FALSE", mfa.MethodPush},
		{push, "1.2.2893.1", "false", mfa.MethodTOTP}, // case-sensitive registry value
		{push, "1.2.2131.2", "", mfa.MethodPush},
		{push, "1.2.2131.2", "TRUE", mfa.MethodTOTP},
		{push, "1.0.1.40", "TRUE", mfa.MethodTOTP},
		{push, "1.0.1.32", "TRUE", mfa.MethodPush},
		{mfa.Registration{Default: mfa.MethodPush}, "1.2.2216.1", "", mfa.MethodPush},
		{mfa.Registration{Default: mfa.MethodPhone, HasTOTP: true}, "1.2.2216.1", "", mfa.MethodPhone},
		{mfa.Registration{Default: mfa.MethodSMS, HasTOTP: true}, "1.2.2216.1", "FALSE", mfa.MethodSMS},
	}
	for _, tt := range tests {
		if got := ChooseMethod(tt.reg, v(tt.version), tt.override); got != tt.want {
			t.Errorf("%+v %s %q: %s, want %s", tt.reg, tt.version, tt.override, got, tt.want)
		}
	}
}
