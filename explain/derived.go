package explain

import (
	"fmt"
	"strings"
	"time"

	"github.com/radscope/radscope/model"
)

// rdgTimeout is the RD Gateway's default "seconds without response before
// the request is considered dropped".
const rdgTimeout = 3 * time.Second

// derived returns the rules that combine records, root causes first: of
// findings of equal severity the first is a flow's top finding.
func derived() []*Rule {
	rs := []*Rule{
		{
			ID: "upn-mismatch", Severity: model.SeverityError, Title: "UPN or alternate login ID mismatch",
			Explain:    "The extension looks the user up in Entra ID by the on-premises UPN (or LDAP_ALTERNATE_LOGINID_ATTRIBUTE), and Entra ID has no user by that name.",
			Remedy:     "Give the user a routable UPN suffix that is synced to Entra ID, or set LDAP_ALTERNATE_LOGINID_ATTRIBUTE (for example to mail) so the extension sends the cloud sign-in name.",
			Supersedes: []string{"nps-reason-21", "mfa-UserNotFound", "mfa-BecAccessDenied", "mfa-AccessDenied", "mfa-ALTERNATE_LOGIN_ID_ERROR"},
			check:      upnMismatch,
		},
		{
			ID: "mfa-not-enrolled", Severity: model.SeverityError, Title: "user not enrolled for MFA (REQUIRE_USER_MATCH)",
			Explain:    "The user has no usable MFA method, and with REQUIRE_USER_MATCH at its default (TRUE) the extension rejects users who are not enrolled.",
			Remedy:     "Have the user register at https://aka.ms/mfasetup; only if unenrolled users may sign in without MFA, set REQUIRE_USER_MATCH=FALSE.",
			Supersedes: []string{"nps-reason-21", "mfa-AuthenticationMethodNotConfigured", "mfa-NoDefaultAuthenticationMethodIsConfigured", "mfa-ProofDataNotFound"},
			check:      notEnrolled,
		},
		{
			ID: "rdg-cannot-challenge", Severity: model.SeverityError, Title: "RD Gateway cannot answer an MFA challenge",
			Explain:    "The MFA extension asked for a one-time code (number matching with a registered TOTP method), but an RD Gateway cannot answer an Access-Challenge.",
			Remedy:     "Set OVERRIDE_NUMBER_MATCHING_WITH_OTP=FALSE under HKLM\\SOFTWARE\\Microsoft\\AzureMfa and restart NPS, or make Approve/Deny push or phone call the user's default method.",
			Supersedes: []string{"nps-reason-21", "otp-needs-pap", "challenge-abandoned"},
			check:      rdgChallenge,
		},
		{
			ID: "otp-needs-pap", Severity: model.SeverityError, Title: "OTP required but the NAS used MS-CHAPv2/EAP",
			Explain:    "The MFA extension needed a one-time code (\"Challenge requested in Authentication Ext\"), which it can only collect over PAP, and the NAS authenticated with MS-CHAPv2 or EAP.",
			Remedy:     "Use PAP between this NAS and NPS, or set OVERRIDE_NUMBER_MATCHING_WITH_OTP=FALSE, or make push or phone call the user's default method.",
			Supersedes: []string{"nps-reason-21", "mfa-REQUEST_MISSING_CODE"},
			check:      otpNeedsPAP,
		},
		{
			ID: "wrong-secret", Severity: model.SeverityError, Title: "wrong shared secret",
			Explain:    "The packets do not verify under the shared secret: the NAS and NPS hold different secrets, so NPS silently discards the requests.",
			Remedy:     "Set the same shared secret on the NAS and in NPS > RADIUS Clients and Servers > RADIUS Clients for this client.",
			Supersedes: []string{"no-response"},
			check:      wrongSecret,
		},
		{
			ID: "unknown-client", Severity: model.SeverityError, Title: "unknown RADIUS client",
			Explain:    "NPS received a RADIUS message from an address that is not a configured RADIUS client and dropped it.",
			Remedy:     "Add the NAS's source address (the address NPS sees, after NAT) under NPS > RADIUS Clients and Servers > RADIUS Clients with its shared secret.",
			Supersedes: []string{"no-response"},
			check:      unknownClient,
		},
		{
			ID: "no-policy-match", Severity: model.SeverityError, Title: "no matching connection request or network policy",
			Explain:    "No connection request policy (reason 49) or no network policy (reason 48) matched the request's conditions.",
			Remedy:     "Compare the request's attributes (NAS-Port-Type, client friendly name, Called-Station-Id, user groups, time) with the policy conditions in order, and add or fix the policy that should match.",
			Supersedes: []string{"nps-reason-48", "nps-reason-49"},
			check:      noPolicy,
		},
		{
			ID: "nas-timeout-short", Severity: model.SeverityError, Title: "NAS timeout shorter than the MFA wait",
			Explain: "The NAS gave up on (or retransmitted) an Access-Request while NPS was still waiting for the user's MFA answer.",
			Remedy:  "Raise the NAS's RADIUS timeout to at least 60 s (90-120 s for push); on an RD Gateway raise \"Number of seconds without response before request is considered dropped\" from the default 3 to 30-60 s.",
			check:   nasTimeout,
		},
		{
			ID: "duplicate-discarded", Severity: model.SeverityWarning, Title: "duplicates discarded while MFA was pending",
			Explain: "The NAS retransmitted the request while MFA was pending; NPS discards such duplicates so the user is prompted once, and the NAS may count them as lost.",
			Remedy:  "Raise the NAS timeout above the MFA wait so it stops retransmitting; NPS keeps discarding duplicates for up to 10 s after the answer.",
			check:   duplicates,
		},
		{
			ID: "no-response", Severity: model.SeverityError, Title: "no response",
			Explain: "The RADIUS server never answered the request.",
			Remedy:  "Check that the client is configured in NPS with the right shared secret and address, that UDP 1812/1813 pass the firewalls, and that the NPS service is running.",
			check:   noResponse,
		},
		{
			ID: "challenge-abandoned", Severity: model.SeverityWarning, Title: "challenge abandoned",
			Explain: "NPS answered with an Access-Challenge and no Access-Request with its State followed.",
			Remedy:  "For the MFA one-time code: check that the NAS shows the Reply-Message prompt and sends the code back over PAP with the State; otherwise the user gave up.",
			check:   challengeAbandoned,
		},
		{
			ID: "otp-accept-no-policy-attrs", Severity: model.SeverityWarning, Title: "network policy attributes missing after an OTP challenge",
			Explain: "After an MFA one-time-code challenge NPS's Access-Accept does not carry the network policy's RADIUS attributes (Class, Filter-Id, VLAN, vendor attributes).",
			Remedy:  "Do not rely on network policy attributes for users on the OTP path (use push or phone call), or use the documented CrpUsernameStuffing workaround.",
			check:   otpAcceptAttrs,
		},
		{
			ID: "blast-radius-request", Severity: model.SeverityWarning, Title: "Access-Request without Message-Authenticator",
			Explain: "Access-Requests without a Message-Authenticator can be forged on the path (Blast-RADIUS, CVE-2024-3596).",
			Remedy:  "Make the NAS send Message-Authenticator in every Access-Request, then tick \"Access-Request messages must contain the Message-Authenticator attribute\" for the client in NPS (requireMsgAuth).",
			check:   noMARequest,
		},
		{
			ID: "blast-radius-response", Severity: model.SeverityWarning, Title: "response without Message-Authenticator",
			Explain: "Access-Accept, -Reject or -Challenge without a Message-Authenticator can be forged on the path (Blast-RADIUS, CVE-2024-3596).",
			Remedy:  "Install the July 2024 (or later) Windows updates on NPS so it signs its responses, and make the NAS require Message-Authenticator in responses.",
			check:   noMAResponse,
		},
		{
			ID: "acct-no-auth", Severity: model.SeverityWarning, Title: "accounting session with no authentication",
			Explain: "An accounting session started with no authentication of the same user and NAS before it in the input.",
			Remedy:  "Check that the NAS sends its authentication to this NPS (and not to another server) and that the accounting comes from a configured client.",
			check:   acctNoAuth,
		},
		{
			ID: "mfa-skipped", Severity: model.SeverityInfo, Title: "MFA extension skipped the request",
			Explain: "The MFA extension only acts on requests NPS has accepted; NPS rejected or challenged this one before MFA, so the cause lies in NPS, not in MFA.",
			Remedy:  "Fix the NPS reason first (primary authentication, policies); MFA is only asked once NPS accepts.",
			check:   mfaSkipped,
		},
		{
			ID: "clock-skew", Severity: model.SeverityInfo, Title: "clock skew between sources",
			Explain: "The sources of this flow disagree on the time by a second or more; radscope corrected for it when joining them.",
			Remedy:  "Synchronise the capture host and the NPS server with the domain's time source (w32tm /resync); time-based codes (TOTP) and log correlation need it.",
			check:   clockSkew,
		},
	}
	for _, r := range rs {
		r.Derived = true
		r.Keys = append(r.Keys, r.ID)
	}
	return rs
}

// isRDG reports whether the NAS is a Remote Desktop Gateway.
func isRDG(f *model.Flow) bool {
	if strings.EqualFold(f.CallingStation, "UserAuthType:PW") || strings.EqualFold(f.CalledStation, "UserAuthType:PW") {
		return true
	}
	n := strings.ToLower(f.NAS)
	if strings.Contains(n, "rdg") || strings.Contains(n, "gateway") {
		return true
	}
	for i := range f.Messages {
		if e := f.Messages[i].Event; e != nil && strings.Contains(e.Channel, "TerminalServices-Gateway") {
			return true
		}
	}
	return false
}

// mfaPending reports whether MFA was (or was probably) in play.
func mfaPending(f *model.Flow) bool {
	if f.MFA != nil && f.MFA.Outcome != "ignored" || f.Reason == 21 || f.Reason == 9 {
		return true
	}
	for i := range f.Messages {
		if f.Messages[i].AuthType == 8 {
			return true
		}
	}
	// Only a held request (push, phone call) makes NPS this slow; a lost
	// packet answered on its retransmit is not.
	return f.Latency >= slowAnswer
}

// slowAnswer is an answer latency that only an MFA hold explains.
const slowAnswer = 5 * time.Second

func nasTimeout(f *model.Flow) (string, []int) {
	if f.Kind != model.FlowAuth {
		return "", nil
	}
	for _, r := range f.Rounds {
		if len(r.Retransmits) == 0 || r.Request < 0 {
			continue
		}
		gap := f.Messages[r.Retransmits[0]].Time.Sub(f.Messages[r.Request].Time)
		late := r.Response < 0 || r.Latency > gap
		if !late || !mfaPending(f) {
			continue
		}
		ev := append([]int{r.Request}, r.Retransmits...)
		if r.Response >= 0 {
			ev = append(ev, r.Response)
			return fmt.Sprintf("%s retransmitted after %s and NPS answered only after %s, while MFA was pending: the NAS timeout is shorter than the MFA wait.",
				nasName(f), round(gap), round(r.Latency)), ev
		}
		return fmt.Sprintf("%s retransmitted after %s, %d times, and gave up while MFA was pending: the NAS timeout is shorter than the MFA wait.",
			nasName(f), round(gap), len(r.Retransmits)), ev
	}
	if isRDG(f) && f.Latency >= rdgTimeout && len(f.Rounds) > 0 {
		r := f.Rounds[len(f.Rounds)-1]
		var ev []int
		if r.Request >= 0 {
			ev = append(ev, r.Request)
		}
		if r.Response >= 0 {
			ev = append(ev, r.Response)
		}
		return fmt.Sprintf("NPS answered %s after %s, past the RD Gateway's default timeout of 3 s.", nasName(f), round(f.Latency)), ev
	}
	return "", nil
}

func nasName(f *model.Flow) string {
	if f.NAS != "" {
		return "The NAS " + f.NAS
	}
	return "The NAS"
}

func round(d time.Duration) time.Duration {
	if d >= 10*time.Second {
		return d.Round(time.Second)
	}
	return d.Round(100 * time.Millisecond)
}

func duplicates(f *model.Flow) (string, []int) {
	if f.Kind != model.FlowAuth || !mfaPending(f) {
		return "", nil
	}
	var ev []int
	for _, r := range f.Rounds {
		ev = append(ev, r.Retransmits...)
	}
	discards := messagesWhere(f, func(m *model.Message) bool {
		return m.Event != nil && m.Event.ID == 6274 && m.Reason == 9
	})
	ev = append(ev, discards...)
	if len(ev) == 0 {
		return "", nil
	}
	return fmt.Sprintf("NPS discarded %s from %s while MFA was pending (it answers a held request once).", plural(len(ev), "duplicate request"), orDefault(f.NAS, "the NAS")), ev
}

// mfaChallenge returns the messages where the MFA extension asked for a
// one-time code, or said it was missing.
func mfaChallenge(f *model.Flow) []int {
	return messagesWhere(f, func(m *model.Message) bool {
		return m.MFA != nil && (m.MFA.Outcome == "challenge" || m.MFA.Error == "REQUEST_MISSING_CODE")
	})
}

func rdgChallenge(f *model.Flow) (string, []int) {
	ev := mfaChallenge(f)
	if len(ev) == 0 || !isRDG(f) || f.Outcome == model.OutcomeAccepted {
		return "", nil
	}
	ev = append(ev, messagesWhere(f, func(m *model.Message) bool {
		return m.Event != nil && strings.Contains(m.Event.Channel, "TerminalServices-Gateway") && m.Event.ID == 201
	})...)
	return fmt.Sprintf("The MFA extension asked %s for a one-time code, but %s is an RD Gateway, which cannot answer an Access-Challenge, so the sign-in failed.",
		mfaUser(f), orDefault(f.NAS, "the NAS")), ev
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func otpNeedsPAP(f *model.Flow) (string, []int) {
	ev := mfaChallenge(f)
	if len(ev) == 0 || isRDG(f) {
		return "", nil
	}
	m := strings.ToUpper(f.Method)
	if !strings.Contains(m, "CHAP") && !strings.Contains(m, "EAP") {
		if f.MFA == nil || f.MFA.Error != "REQUEST_MISSING_CODE" {
			return "", nil
		}
	}
	return fmt.Sprintf("The MFA extension needed a one-time code from %s, but %s authenticated with %s, which cannot carry it (only PAP can).",
		mfaUser(f), orDefault(f.NAS, "the NAS"), orDefault(f.Method, "a protocol other than PAP")), ev
}

var notEnrolledCodes = map[string]bool{
	"AuthenticationMethodNotConfigured": true, "NoDefaultAuthenticationMethodIsConfigured": true, "ProofDataNotFound": true,
}

func notEnrolled(f *model.Flow) (string, []int) {
	ev := messagesWhere(f, func(m *model.Message) bool { return m.MFA != nil && notEnrolledCodes[m.MFA.Result] })
	if len(ev) == 0 {
		return "", nil
	}
	return fmt.Sprintf("%s has no usable MFA method (%s), and the extension rejects users who are not enrolled while REQUIRE_USER_MATCH is TRUE.",
		mfaUser(f), f.Messages[ev[0]].MFA.Result), ev
}

// nonRoutable are UPN suffixes Entra ID cannot verify.
var nonRoutable = []string{".local", ".lan", ".corp", ".internal", ".intra", ".localdomain", ".home"}

func upnMismatch(f *model.Flow) (string, []int) {
	ev := messagesWhere(f, func(m *model.Message) bool {
		return m.MFA != nil && (m.MFA.Error == "ALTERNATE_LOGIN_ID_ERROR" || m.MFA.Error == "USERNAME_CANONICALIZATION_ERROR")
	})
	if len(ev) > 0 {
		return fmt.Sprintf("The MFA extension could not map %s to its Entra ID sign-in name (%s).", mfaUser(f), f.Messages[ev[0]].MFA.Error), ev
	}
	ev = messagesWhere(f, func(m *model.Message) bool {
		return m.MFA != nil && (m.MFA.Result == "UserNotFound" || m.MFA.Result == "BecAccessDenied" || m.MFA.Result == "AccessDenied")
	})
	if len(ev) == 0 {
		return "", nil
	}
	upn := f.Messages[ev[0]].User
	if upn == "" {
		upn = f.User
	}
	at := strings.LastIndexByte(upn, '@')
	if at < 0 {
		return "", nil
	}
	domain := strings.ToLower(upn[at+1:])
	for _, s := range nonRoutable {
		if strings.HasSuffix(domain, s) {
			return fmt.Sprintf("The MFA extension looked the user up in Entra ID as %s, whose suffix %s is not routable and cannot be a cloud sign-in name, and got %s.",
				upn, domain, f.Messages[ev[0]].MFA.Result), ev
		}
	}
	if sent := f.User; strings.Contains(sent, "@") && !strings.EqualFold(sent, upn) {
		return fmt.Sprintf("The NAS sent %s but the MFA extension looked the user up as %s and got %s.", sent, upn, f.Messages[ev[0]].MFA.Result), ev
	}
	return "", nil
}

// verifyFailed reports whether a secret check failed on a captured packet.
func verifyFailed(m *model.Message) bool {
	c := m.Check
	return c != nil && (c.Authenticator == model.SecretMismatch || c.MessageAuthenticator == model.SecretMismatch || c.Password == model.SecretMismatch)
}

func wrongSecret(f *model.Flow) (string, []int) {
	ev := messagesWhere(f, func(m *model.Message) bool {
		return m.Kind == model.KindPacket && verifyFailed(m) || m.Event != nil && m.Event.ID == 18 && m.Event.Channel == "System"
	})
	if len(ev) == 0 {
		return "", nil
	}
	who := orDefault(f.NAS, f.Client)
	if who == "" {
		who = "a RADIUS client"
	}
	return fmt.Sprintf("%s from %s failed verification under the configured shared secret (authenticator or Message-Authenticator).", plural(len(ev), "message"), who), ev
}

func hasMA(m *model.Message) bool {
	for _, a := range m.Attrs {
		if a.Vendor == 0 && a.Type == 80 {
			return true
		}
	}
	return m.Check != nil && m.Check.MessageAuthenticator != model.Absent && m.Check.MessageAuthenticator != model.Unverified
}

func noMARequest(f *model.Flow) (string, []int) {
	ev := messagesWhere(f, func(m *model.Message) bool {
		return m.Kind == model.KindPacket && m.Code == model.CodeAccessRequest && !hasMA(m)
	})
	if len(ev) == 0 {
		return "", nil
	}
	return fmt.Sprintf("%s sends Access-Requests without Message-Authenticator (Blast-RADIUS, CVE-2024-3596).", nasName(f)), ev
}

func noMAResponse(f *model.Flow) (string, []int) {
	ev := messagesWhere(f, func(m *model.Message) bool {
		return m.Kind == model.KindPacket && (m.Code == model.CodeAccessAccept || m.Code == model.CodeAccessReject || m.Code == model.CodeAccessChallenge) && !hasMA(m)
	})
	if len(ev) == 0 {
		return "", nil
	}
	return fmt.Sprintf("The server's %s to %s carries no Message-Authenticator (Blast-RADIUS, CVE-2024-3596).",
		f.Messages[ev[0]].Code, orDefault(f.NAS, "the NAS")), ev
}

func unknownClient(f *model.Flow) (string, []int) {
	ev := messagesWhere(f, func(m *model.Message) bool {
		return m.Event != nil && m.Event.ID == 13 && m.Event.Channel == "System"
	})
	if len(ev) == 0 {
		return "", nil
	}
	addr := ""
	if a := f.Messages[ev[0]].ClientAddr; a.IsValid() {
		addr = " " + a.String()
	}
	return fmt.Sprintf("NPS received a RADIUS message from%s, which is not a configured RADIUS client, and dropped it.", orDefault(addr, " an unknown address")), ev
}

func noPolicy(f *model.Flow) (string, []int) {
	if f.Reason != 48 && f.Reason != 49 {
		return "", nil
	}
	ev := messagesWhere(f, func(m *model.Message) bool { return m.Reason == f.Reason && !m.Code.IsRequest() })
	var cond []string
	add := func(k, v string) {
		if v != "" {
			cond = append(cond, k+" "+v)
		}
	}
	add("client", f.NAS)
	add("user", f.User)
	add("calling station", f.CallingStation)
	add("method", f.Method)
	for i := range f.Messages {
		if a, ok := f.Messages[i].AttrByName("NAS-Port-Type"); ok {
			add("NAS-Port-Type", a.Value)
			break
		}
	}
	what := "network policy"
	if f.Reason == 49 {
		what = "connection request policy"
	}
	s := fmt.Sprintf("No %s matched (reason %d)", what, f.Reason)
	if f.Reason == 48 && f.ProxyPolicy != "" {
		s += fmt.Sprintf(" after connection request policy %q", f.ProxyPolicy)
	}
	if len(cond) > 0 {
		s += " for " + strings.Join(cond, ", ")
	}
	return s + ".", ev
}

func challengeAbandoned(f *model.Flow) (string, []int) {
	if f.Outcome != model.OutcomeChallengeAbandoned || len(f.Rounds) == 0 {
		return "", nil
	}
	r := f.Rounds[len(f.Rounds)-1]
	var ev []int
	if r.Response >= 0 {
		ev = append(ev, r.Response)
	}
	if len(mfaChallenge(f)) > 0 || hasOTPPrompt(f) {
		return fmt.Sprintf("NPS asked %s for the MFA one-time code and no answer came back from %s.", orDefault(f.User, "the user"), orDefault(f.NAS, "the NAS")), ev
	}
	return fmt.Sprintf("NPS sent an Access-Challenge to %s and no Access-Request with its State followed.", orDefault(f.NAS, "the NAS")), ev
}

// hasOTPPrompt reports an Access-Challenge with the MFA extension's prompt.
func hasOTPPrompt(f *model.Flow) bool {
	for i := range f.Messages {
		m := &f.Messages[i]
		if m.Code != model.CodeAccessChallenge {
			continue
		}
		if a, ok := m.AttrByName("Reply-Message"); ok && strings.Contains(a.Value, "Microsoft validation code") {
			return true
		}
	}
	return false
}

func otpAcceptAttrs(f *model.Flow) (string, []int) {
	if f.Kind != model.FlowAuth || f.Outcome != model.OutcomeAccepted || len(f.Rounds) < 2 {
		return "", nil
	}
	if len(mfaChallenge(f)) == 0 && !hasOTPPrompt(f) {
		return "", nil
	}
	final := f.Rounds[len(f.Rounds)-1].Response
	if final < 0 {
		return "", nil
	}
	accept := &f.Messages[final]
	if accept.Kind == model.KindPacket {
		if _, ok := accept.AttrByName("Class"); ok {
			return "", nil
		}
		return fmt.Sprintf("The Access-Accept %s received after the one-time code carries no Class or other network policy attribute.", orDefault(f.NAS, "the NAS")), []int{final}
	}
	return fmt.Sprintf("%s signed in with a one-time code; on that path the Access-Accept to %s lacks the attributes of network policy %q.",
		orDefault(f.User, "The user"), orDefault(f.NAS, "the NAS"), f.Policy), []int{final}
}

func noResponse(f *model.Flow) (string, []int) {
	if f.Outcome != model.OutcomeNoResponse || f.Kind == model.FlowUnmatched {
		return "", nil
	}
	var ev []int
	for _, r := range f.Rounds {
		if r.Request >= 0 {
			ev = append(ev, r.Request)
			ev = append(ev, r.Retransmits...)
		}
	}
	return fmt.Sprintf("%s sent %s and none was answered.", nasName(f), plural(len(ev), "request")), ev
}

func clockSkew(f *model.Flow) (string, []int) {
	if f.Skew < time.Second && f.Skew > -time.Second {
		return "", nil
	}
	var ks []string
	for _, k := range f.Sources {
		ks = append(ks, k.String())
	}
	return fmt.Sprintf("The clocks of this flow's sources (%s) differ by %s.", strings.Join(ks, ", "), f.Skew.Round(time.Millisecond)), nil
}

func acctNoAuth(f *model.Flow) (string, []int) {
	if f.Kind != model.FlowAccounting || f.Linked != 0 || !f.AuthSeen {
		return "", nil
	}
	ev := messagesWhere(f, func(m *model.Message) bool { return m.AcctStatus == 1 })
	if len(ev) == 0 {
		return "", nil
	}
	return fmt.Sprintf("Accounting session %s of %s on %s started with no authentication before it.",
		orDefault(f.AcctSessionID, "?"), orDefault(f.User, "an unknown user"), orDefault(f.NAS, "an unknown NAS")), ev
}

func mfaSkipped(f *model.Flow) (string, []int) {
	if f.Outcome == model.OutcomeAccepted {
		return "", nil
	}
	ev := messagesWhere(f, func(m *model.Message) bool {
		return m.MFA != nil && m.MFA.Outcome == "ignored" && m.MFA.Result == "AccessReject"
	})
	if len(ev) == 0 {
		return "", nil
	}
	return fmt.Sprintf("The MFA extension did not run for %s because NPS had already rejected the request.", orDefault(f.User, "the user")), ev
}

func plural(n int, s string) string {
	if n == 1 {
		return "1 " + s
	}
	return fmt.Sprintf("%d %ss", n, s)
}
