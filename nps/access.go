package nps

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"layeh.com/radius"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/scenario"
	"github.com/radscope/radscope/secret"
)

// Reason codes the server emits (NPS Reason-Code, IAS attribute 4142).
const (
	ReasonSuccess             = 0
	ReasonMalformed           = 3
	ReasonNoSuchDomain        = 7
	ReasonNoSuchUser          = 8
	ReasonAuthFailure         = 16
	ReasonNoReversible        = 19
	ReasonExtensionRejected   = 21
	ReasonEAPTypeUnsupported  = 22
	ReasonEAPError            = 23
	ReasonPasswordMustChange  = 33
	ReasonAccountDisabled     = 34
	ReasonAccountExpired      = 35
	ReasonAccountLockedOut    = 36
	ReasonLogonHours          = 37
	ReasonNoNetworkPolicy     = 48
	ReasonNoConnectionPolicy  = 49
	ReasonDialinDisabled      = 65
	ReasonInvalidAuthType     = 66
	ReasonInvalidDialinHours  = 68
	ReasonInvalidCalledStatn  = 69
	ReasonInvalidPortType     = 70
	ReasonUnexpectedRequest   = 97
	mschapErrAuthFailure      = 691
	mschapErrRestrictedHours  = 646
	mschapErrAccountDisabled  = 647
	mschapErrPasswordExpired  = 648
	mschapErrNoDialinPermissn = 649
)

// MSCHAPErrorCode maps an NPS reason code to the error code NPS puts in
// MS-CHAP-Error (RFC 2759 §6; RFC 2433 Appendix).
func MSCHAPErrorCode(reason int) int {
	switch reason {
	case ReasonAccountDisabled, ReasonAccountLockedOut, ReasonAccountExpired:
		return mschapErrAccountDisabled
	case ReasonPasswordMustChange:
		return mschapErrPasswordExpired
	case ReasonLogonHours, ReasonInvalidDialinHours:
		return mschapErrRestrictedHours
	case ReasonDialinDisabled, ReasonNoNetworkPolicy, ReasonNoConnectionPolicy:
		return mschapErrNoDialinPermissn
	}
	return mschapErrAuthFailure
}

func authTypeOf(method string) int {
	switch method {
	case scenario.MethodPAP:
		return authPAP
	case scenario.MethodCHAP:
		return authCHAP
	case scenario.MethodMSCHAP:
		return authMSCHAP
	case scenario.MethodMSCHAPv2:
		return authMSCHAPv2
	case scenario.MethodEAPMSCHAPv2:
		return authEAP
	case scenario.MethodPEAP:
		return authPEAP
	case methodNone:
		return authUnauthenticated
	}
	return 0
}

const methodNone = "none"

// detectMethod tells the authentication method from the attributes the
// request carries.
func detectMethod(p *radius.Packet) string {
	if _, ok := vendorAttr(p, vendorMicrosoft, msCHAP2Response); ok {
		return scenario.MethodMSCHAPv2
	}
	if _, ok := vendorAttr(p, vendorMicrosoft, msCHAPResponse); ok {
		return scenario.MethodMSCHAP
	}
	if p.Attributes.Get(attrCHAPPassword) != nil {
		return scenario.MethodCHAP
	}
	if p.Attributes.Get(attrUserPassword) != nil {
		return scenario.MethodPAP
	}
	return methodNone
}

// access processes an Access-Request.
func (s *Server) access(ctx context.Context, r *request) []byte {
	r.decodeCommon()
	r.class, r.serial = s.nextClass()
	if st := r.pkt.Attributes.Get(attrState); st != nil {
		if sess, ok, expired := s.otp.take(string(st), r.arrived); ok {
			return s.otpAnswer(ctx, r, sess, expired)
		}
	}
	r.crp = s.matchCRP(r)
	if r.crp == nil {
		r.debug("no connection request policy matched")
		return s.reject(r, ReasonNoConnectionPolicy)
	}
	r.d.ProxyPolicy = r.crp.Name
	r.debug("connection request policy matched", "policy", r.crp.Name, "action", r.crp.Action)
	if r.pkt.Attributes.Get(attrEAPMessage) != nil {
		return s.eapAccess(ctx, r)
	}
	r.method = detectMethod(r.pkt)
	if r.crp.Action == scenario.ActionAccept {
		// "Accept users without validating credentials": no
		// authentication; the account is looked up when it exists.
		r.method = methodNone
		r.d.Method, r.d.AuthType = r.method, authUnauthenticated
		s.resolveUser(r)
		r.debug("credentials not validated (connection request policy accepts users)")
		return s.authorize(ctx, r)
	}
	r.d.Method, r.d.AuthType = r.method, authTypeOf(r.method)
	r.debug("authentication method", "method", r.method)
	if r.method == scenario.MethodMSCHAP || r.method == scenario.MethodMSCHAPv2 {
		r.msError = s.msCHAPErrorBuilder(r)
	}
	if reason := s.resolveUser(r); reason != 0 {
		return s.reject(r, reason)
	}
	if reason := s.authenticate(r); reason != 0 {
		return s.reject(r, reason)
	}
	return s.authorize(ctx, r)
}

// resolveUser finds the account named by User-Name: DOMAIN\sam,
// sam@suffix (UPN) or sam.
func (s *Server) resolveUser(r *request) int {
	name := r.user
	if name == "" {
		r.debug("no User-Name")
		return ReasonNoSuchUser
	}
	dom := s.sc.Directory.Domain
	var e *userEntry
	if d, sam, ok := strings.Cut(name, `\`); ok {
		if !strings.EqualFold(d, dom) && !strings.EqualFold(d, s.sc.Directory.UPNSuffix) {
			r.debug("user's domain is unknown", "domain", d)
			return ReasonNoSuchDomain
		}
		e = s.users[strings.ToLower(sam)]
	} else if strings.Contains(name, "@") {
		e = s.byUPN[strings.ToLower(name)]
		if e == nil {
			_, suffix, _ := strings.Cut(name, "@")
			if !strings.EqualFold(suffix, s.sc.Directory.UPNSuffix) && !strings.EqualFold(suffix, dom) {
				r.debug("user's UPN suffix is unknown", "suffix", suffix)
				return ReasonNoSuchDomain
			}
			sam, _, _ := strings.Cut(name, "@")
			e = s.users[strings.ToLower(sam)]
		}
	} else {
		e = s.users[strings.ToLower(name)]
	}
	if e == nil {
		r.debug("no such user in the directory")
		return ReasonNoSuchUser
	}
	r.entry = e
	r.account = dom + `\` + e.u.SAM
	r.d.Account = r.account
	return 0
}

// accountState checks the account restrictions AD applies once the
// credentials are right.
func (s *Server) accountState(r *request) int {
	u := r.entry.u
	switch {
	case !u.Enabled:
		r.debug("account disabled")
		return ReasonAccountDisabled
	case u.Expired:
		r.debug("account expired")
		return ReasonAccountExpired
	case !u.LogonSchedule().Allows(r.arrived.In(s.loc)):
		r.debug("outside the account's logon hours", "logon_hours", u.LogonHours)
		return ReasonLogonHours
	case u.PasswordMustChange:
		r.debug("password must be changed")
		return ReasonPasswordMustChange
	}
	return 0
}

// authenticate checks the credentials with the request's method, then the
// account state. A locked-out account is refused before its password is
// checked, as AD does.
func (s *Server) authenticate(r *request) int {
	if r.entry.u.Locked {
		r.debug("account locked out")
		return ReasonAccountLockedOut
	}
	var ok bool
	switch r.method {
	case scenario.MethodPAP:
		ok = s.checkPAP(r)
	case scenario.MethodCHAP:
		if r.entry.password == nil {
			r.debug("CHAP needs a reversibly encrypted (clear) password; the account has only an NT hash")
			return ReasonNoReversible
		}
		ok = s.checkCHAP(r)
	case scenario.MethodMSCHAP:
		ok = s.checkMSCHAP(r)
	case scenario.MethodMSCHAPv2:
		ok = s.checkMSCHAPv2(r)
	case methodNone:
		r.debug("no credentials in the request (unauthenticated access)")
		return s.accountState(r)
	}
	if !ok {
		r.debug("credentials do not match")
		return ReasonAuthFailure
	}
	r.debug("credentials verified")
	return s.accountState(r)
}

func (s *Server) checkPAP(r *request) bool {
	pw, err := secret.DecryptUserPassword(r.secret, r.pkt.Authenticator[:], r.pkt.Attributes.Get(attrUserPassword))
	if err != nil {
		r.debug("User-Password does not decrypt (wrong secret?)", "err", err)
		return false
	}
	if r.entry.password != nil {
		return hmac.Equal(pw, r.entry.password)
	}
	h := NTHash(pw)
	return hmac.Equal(h[:], r.entry.hash[:])
}

func (s *Server) checkCHAP(r *request) bool {
	cp := r.pkt.Attributes.Get(attrCHAPPassword)
	if len(cp) != 17 {
		return false
	}
	challenge := r.pkt.Attributes.Get(attrCHAPChallenge)
	if challenge == nil {
		challenge = r.pkt.Authenticator[:]
	}
	h := md5.New()
	h.Write(cp[:1])
	h.Write(r.entry.password)
	h.Write(challenge)
	return hmac.Equal(h.Sum(nil), cp[1:])
}

func (s *Server) checkMSCHAP(r *request) bool {
	ch, _ := vendorAttr(r.pkt, vendorMicrosoft, msCHAPChallenge)
	resp, _ := vendorAttr(r.pkt, vendorMicrosoft, msCHAPResponse)
	if len(ch) != 8 || len(resp) != 50 || resp[1]&1 == 0 {
		r.debug("MS-CHAP without an 8-byte challenge and a 50-byte NT response")
		return false
	}
	if !hmac.Equal(challengeResponse(ch, r.entry.hash), resp[26:50]) {
		return false
	}
	// MS-CHAP-MPPE-Keys (RFC 2548 §2.4.1): 8 octets of LM key (none: the
	// directory keeps no LM hash) and the first 16 octets of the NT hash of
	// the NT hash, hidden like User-Password.
	keys := make([]byte, 24)
	copy(keys[8:], r.entry.hashHash[:])
	enc := secret.EncryptUserPassword(r.secret, r.pkt.Authenticator[:], keys)
	r.acceptAttrs = append(r.acceptAttrs,
		vsa(vendorMicrosoft, msCHAPMPPEKeys, enc),
		vsa(vendorMicrosoft, msMPPEEncPolicy, u32(1)),
		vsa(vendorMicrosoft, msMPPEEncTypes, u32(6)),
	)
	return true
}

func (s *Server) checkMSCHAPv2(r *request) bool {
	ch, _ := vendorAttr(r.pkt, vendorMicrosoft, msCHAPChallenge)
	resp, _ := vendorAttr(r.pkt, vendorMicrosoft, msCHAP2Response)
	if len(ch) != 16 || len(resp) != 50 {
		r.debug("MS-CHAPv2 without a 16-byte challenge and a 50-byte response")
		return false
	}
	peer, nt := resp[2:18], resp[26:50]
	// Windows hashes the name without its domain; try the name as sent too.
	name := mschapUserName(r.user)
	if !hmac.Equal(ntResponseV2(ch, peer, name, r.entry.hash), nt) {
		name = r.user
		if !hmac.Equal(ntResponseV2(ch, peer, name, r.entry.hash), nt) {
			return false
		}
	}
	success := append([]byte{resp[0]}, authenticatorResponse(r.entry.hashHash, nt, peer, ch, name)...)
	send, recv := mppeKeysV2(r.entry.hashHash, nt)
	r.acceptAttrs = append(r.acceptAttrs,
		vsa(vendorMicrosoft, msCHAP2Success, success),
		vsa(vendorMicrosoft, msMPPERecvKey, s.salted(r, recv)),
		vsa(vendorMicrosoft, msMPPESendKey, s.salted(r, send)),
		vsa(vendorMicrosoft, msMPPEEncPolicy, u32(1)),
		vsa(vendorMicrosoft, msMPPEEncTypes, u32(6)),
	)
	return true
}

// salted hides an MS-MPPE key (RFC 2548 §2.4.2) with a fresh salt.
func (s *Server) salted(r *request, key []byte) []byte {
	var salt [2]byte
	io.ReadFull(s.rnd, salt[:])
	return secret.EncryptSalted(r.secret, r.pkt.Authenticator[:], key, salt)
}

// msCHAPErrorBuilder returns the MS-CHAP-Error a reject of this MS-CHAP or
// MS-CHAPv2 request carries.
func (s *Server) msCHAPErrorBuilder(r *request) func(int) radius.Attributes {
	ch, _ := vendorAttr(r.pkt, vendorMicrosoft, msCHAPChallenge)
	var ident byte
	if resp, ok := vendorAttr(r.pkt, vendorMicrosoft, msCHAP2Response); ok && len(resp) > 0 {
		ident = resp[0]
	} else if resp, ok := vendorAttr(r.pkt, vendorMicrosoft, msCHAPResponse); ok && len(resp) > 0 {
		ident = resp[0]
	}
	return func(reason int) radius.Attributes {
		text := fmt.Sprintf("E=%d R=0 C=%s V=3", MSCHAPErrorCode(reason), strings.ToUpper(hex.EncodeToString(ch)))
		return radius.Attributes{vsa(vendorMicrosoft, msCHAPError, append([]byte{ident}, text...))}
	}
}

// matchCRP returns the first enabled connection request policy whose
// conditions match.
func (s *Server) matchCRP(r *request) *scenario.ConnectionRequestPolicy {
	for i := range s.sc.ConnectionRequestPolicies {
		p := &s.sc.ConnectionRequestPolicies[i]
		if !p.Enabled {
			continue
		}
		if ok, why := s.matches(p.Conditions.Matcher(), r); ok {
			return p
		} else {
			r.debug("connection request policy does not match", "policy", p.Name, "condition", why)
		}
	}
	return nil
}

// matches evaluates conditions; why names the first that failed.
func (s *Server) matches(m *scenario.Matcher, r *request) (ok bool, why string) {
	if len(m.Groups) > 0 {
		if r.entry == nil || !inGroups(r.entry.u.Groups, m.Groups) {
			return false, "windows_groups"
		}
	}
	if len(m.PortTypes) > 0 && (!r.hasPort || !slices.Contains(m.PortTypes, r.portType)) {
		return false, "nas_port_type"
	}
	if m.ClientName != nil && !m.ClientName.MatchString(r.client.Name) {
		return false, "client_friendly_name"
	}
	if m.ClientIPv4 != nil && !m.ClientIPv4.Match(r.from.Addr().String()) {
		return false, "client_ipv4"
	}
	if m.NASIPv4 != nil {
		nas := ""
		if r.nasIP.IsValid() {
			nas = r.nasIP.String()
		}
		if !m.NASIPv4.Match(nas) {
			return false, "nas_ipv4"
		}
	}
	if m.NASIdentifier != nil && !m.NASIdentifier.MatchString(r.nasID) {
		return false, "nas_identifier"
	}
	if m.CalledStationID != nil && !m.CalledStationID.MatchString(r.called) {
		return false, "called_station_id"
	}
	if m.CallingStationID != nil && !m.CallingStationID.MatchString(r.calling) {
		return false, "calling_station_id"
	}
	if m.UserName != nil && !m.UserName.MatchString(r.user) {
		return false, "user_name"
	}
	if !m.DayAndTime.Allows(r.arrived.In(s.loc)) {
		return false, "day_and_time"
	}
	return true, ""
}

func inGroups(have, want []string) bool {
	for _, w := range want {
		_, w2, ok := strings.Cut(w, `\`)
		if !ok {
			w2 = w
		}
		for _, h := range have {
			if strings.EqualFold(h, w2) || strings.EqualFold(h, w) {
				return true
			}
		}
	}
	return false
}

// authorize runs network policy evaluation for an authenticated request
// and, when NPS would accept, the MFA extension.
func (s *Server) authorize(ctx context.Context, r *request) []byte {
	for i := range s.sc.NetworkPolicies {
		p := &s.sc.NetworkPolicies[i]
		if !p.Enabled {
			continue
		}
		if ok, why := s.matches(p.Conditions.Matcher(), r); !ok {
			r.debug("network policy does not match", "policy", p.Name, "condition", why)
			continue
		}
		r.np = p
		break
	}
	if r.np == nil {
		r.debug("no network policy matched")
		return s.reject(r, ReasonNoNetworkPolicy)
	}
	r.d.Policy = r.np.Name
	r.debug("network policy matched", "policy", r.np.Name)
	if reason := s.constraints(r); reason != 0 {
		return s.reject(r, reason)
	}
	if reason := s.permission(r); reason != 0 {
		return s.reject(r, reason)
	}
	r.debug("NPS grants access")
	return s.extension(ctx, r)
}

func (s *Server) allowedMethods(r *request) []string {
	if len(r.crp.AuthMethods) > 0 {
		return r.crp.AuthMethods
	}
	return r.np.AuthMethods
}

func (s *Server) constraints(r *request) int {
	if r.method == methodNone {
		if !r.np.AllowUnauthenticated && r.crp.Action != scenario.ActionAccept {
			r.debug("unauthenticated access is not allowed by the network policy")
			return ReasonInvalidAuthType
		}
	} else if !slices.Contains(s.allowedMethods(r), r.method) {
		r.debug("authentication method not allowed by the policy", "method", r.method, "allowed", strings.Join(s.allowedMethods(r), ","))
		return ReasonInvalidAuthType
	}
	m := r.np.Constraints.Matcher()
	if !m.DayAndTime.Allows(r.arrived.In(s.loc)) {
		r.debug("outside the policy's day and time restrictions")
		return ReasonInvalidDialinHours
	}
	if m.CalledStationID != nil && !m.CalledStationID.MatchString(r.called) {
		r.debug("called station not allowed by the policy")
		return ReasonInvalidCalledStatn
	}
	if len(m.PortTypes) > 0 && (!r.hasPort || !slices.Contains(m.PortTypes, r.portType)) {
		r.debug("NAS-Port-Type not allowed by the policy")
		return ReasonInvalidPortType
	}
	return 0
}

// permission combines the policy's access permission with the user's
// dial-in setting, unless the policy ignores user dial-in properties.
func (s *Server) permission(r *request) int {
	dial := scenario.DialInPolicy
	if r.entry != nil && !r.np.IgnoreUserDialin {
		dial = r.entry.u.DialIn
	}
	switch {
	case dial == scenario.DialInDeny:
		r.debug("the account's dial-in permission denies access")
		return ReasonDialinDisabled
	case dial == scenario.DialInAllow:
		r.debug("the account's dial-in permission allows access")
		return 0
	case r.np.Access == scenario.AccessDeny:
		r.debug("the network policy denies access")
		return ReasonDialinDisabled
	}
	return 0
}

// acceptAttrs returns the attributes of an Access-Accept: Class, the
// method's attributes (MS-CHAP2-Success, MPPE keys, EAP Success) and, when
// withPolicy, the network policy's reply attributes.
func (s *Server) acceptAttributes(r *request, withPolicy bool) radius.Attributes {
	var out radius.Attributes
	if withPolicy && r.np != nil {
		for _, a := range r.np.ReplyAttributes() {
			if a.Vendor != 0 {
				out = append(out, vsa(a.Vendor, a.Type, a.Value))
			} else {
				out = append(out, &radius.AVP{Type: radius.Type(a.Type), Attribute: a.Value})
			}
		}
		c := &r.np.Constraints
		if c.SessionTimeout > 0 {
			out = append(out, &radius.AVP{Type: attrSessionTimeout, Attribute: u32(uint32(c.SessionTimeout / time.Second))})
		}
		if c.IdleTimeout > 0 {
			out = append(out, &radius.AVP{Type: attrIdleTimeout, Attribute: u32(uint32(c.IdleTimeout / time.Second))})
		}
		out = append(out, &radius.AVP{Type: attrClass, Attribute: r.class})
	}
	out = append(out, r.acceptAttrs...)
	out = append(out, eapMessages(r.eapReply)...)
	return out
}

// accept answers Access-Accept.
func (s *Server) accept(r *request, withPolicy bool) []byte {
	r.d.Reason = ReasonSuccess
	attrs := s.acceptAttributes(r, withPolicy)
	reply := s.respond(r, radius.CodeAccessAccept, attrs)
	s.logOutcome(r, model.CodeAccessAccept, attrs)
	return reply
}

// reject answers Access-Reject with the reason; MS-CHAP requests get their
// MS-CHAP-Error, EAP ones their EAP-Failure.
func (s *Server) reject(r *request, reason int) []byte {
	r.d.Reason = reason
	r.debug("Access-Reject", "reason", reason, "text", reasonText(reason))
	var attrs radius.Attributes
	if r.msError != nil {
		attrs = append(attrs, r.msError(reason)...)
	}
	attrs = append(attrs, eapMessages(eapFailureFor(r.eapReply))...)
	reply := s.respond(r, radius.CodeAccessReject, attrs)
	s.logOutcome(r, model.CodeAccessReject, attrs)
	if s.sc.MFA.Installed && reason != ReasonExtensionRejected && r.user != "" {
		s.extIgnoring(r, "AccessReject")
	}
	return reply
}

// eapMessages splits an EAP packet over EAP-Message attributes of at most
// 253 octets (RFC 3579 §3.1).
func eapMessages(p []byte) radius.Attributes {
	var out radius.Attributes
	for len(p) > 0 {
		n := min(len(p), 253)
		out = append(out, &radius.AVP{Type: attrEAPMessage, Attribute: p[:n]})
		p = p[n:]
	}
	return out
}

// joinEAP concatenates the request's EAP-Message attributes.
func joinEAP(p *radius.Packet) []byte {
	var b bytes.Buffer
	for _, a := range p.Attributes {
		if a.Type == attrEAPMessage {
			b.Write(a.Attribute)
		}
	}
	return b.Bytes()
}
