package nps

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"layeh.com/radius"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/nps/mfa"
	"github.com/radscope/radscope/scenario"
	"github.com/radscope/radscope/secret"
)

// The texts the extension and NPS use, verbatim from real events (see
// ../shared/reference/mfa-extension-and-events.md), typos included.
const (
	// ChallengeReplyMessage is the Reply-Message of the OTP Access-Challenge.
	ChallengeReplyMessage = "Enter your Microsoft validation code"
	// ReasonText21 is how Security event 6273 renders reason 21.
	ReasonText21 = "An NPS extension dynamic link library (DLL) that is installed on the NPS server rejected the connection request."

	extPrefix          = "NPS Extension for Azure MFA: "
	msgMissingNAS      = extPrefix + "Radius request is missing NAS Identifier and Nas IpAddress attribute.Populating atleast one of these fields is recommended.This is not an error."
	msgWhitelistNoNAS  = extPrefix + "IP_WHITE_LIST_WARNING::IP Whitelist is being ignored as source IP is missing in RADIUS request in NasIpAddress attribute."
	msgRequestFormat   = `Radius Request missing mandatory Radius userName\Identifier attribute.Verify that NPS is receiving RADIUS requests`
	msgAltLoginIDEmpty = "Error: Alternate LoginId value is empty"
	msgCanonicalize    = "Verify that the user is present in your on-premises Active Directory instance, and that the NPS service has permissions to access the directory."

	channelAuthZ      = "Microsoft-AzureMfa-AuthZ/AuthZOptCh"
	channelAuthZAdmin = "Microsoft-AzureMfa-AuthZ/AuthZAdminCh"
	channelAuthN      = "Microsoft-AzureMfa-AuthN/AuthNOptCh"
	providerAuthZ     = "Microsoft-AzureMfa-AuthZ"
	providerAuthN     = "Microsoft-AzureMfa-AuthN"
)

// Extension versions of the number-matching predicate.
var (
	versionNumberMatching = scenario.Version{1, 2, 2216, 1} // TOTP instead of Approve/Deny by default
	versionOverrideFirst  = scenario.Version{1, 0, 1, 40}   // OVERRIDE_NUMBER_MATCHING_WITH_OTP=TRUE honoured
)

// ChooseMethod is the extension's decision (reference §1.3): a push user
// with a registered TOTP method is asked for a code from version 1.2.2216.1
// on unless OVERRIDE_NUMBER_MATCHING_WITH_OTP is "FALSE", and on versions
// 1.0.1.40 up to it only when the override is "TRUE". Every other default
// method is used as it is.
func ChooseMethod(reg mfa.Registration, version scenario.Version, override string) mfa.Method {
	m := reg.Default
	if m != mfa.MethodPush || !reg.HasTOTP {
		return m
	}
	switch {
	case version.Compare(versionNumberMatching) >= 0:
		if override != "FALSE" {
			return mfa.MethodTOTP
		}
	case version.Compare(versionOverrideFirst) >= 0:
		if override == "TRUE" {
			return mfa.MethodTOTP
		}
	}
	return m
}

// otpSession is a pending OTP challenge, kept under its State.
type otpSession struct {
	user        string // User-Name of the first leg
	identity    string // the identity sent to Entra
	method      mfa.Method
	cid         string
	client      *scenario.Client
	entry       *userEntry
	account     string
	proxyPolicy string
	policy      string
	created     time.Time
}

// holding marks ctx so that the MFA back end's waits on the clock count as
// held requests (Held).
func (s *Server) holding(ctx context.Context) context.Context {
	return mfa.WithHold(ctx, func(d int) { s.held.Add(int64(d)) })
}

// mfaSession derives a context that ends after the MFA session limit on
// the server clock; expired reports whether that is why it ended.
func (s *Server) mfaSession(ctx context.Context, limit time.Duration) (context.Context, context.CancelFunc, func() bool) {
	sctx, cancel := context.WithCancel(s.holding(ctx))
	var timedOut atomic.Bool
	stop := s.clock.AfterFunc(limit, func() {
		timedOut.Store(true)
		cancel()
	})
	return sctx, func() { stop(); cancel() }, timedOut.Load
}

// extension runs the MFA extension on a request NPS would accept.
func (s *Server) extension(ctx context.Context, r *request) []byte {
	ext := &s.sc.MFA
	if !ext.Installed {
		return s.accept(r, true)
	}
	cid := s.newGUID()
	mf := &model.MFA{CID: cid}
	r.d.MFA = mf
	r.debug("MFA extension: secondary authentication starts", "cid", cid)
	if r.user == "" {
		return s.extException(r, "REQUEST_FORMAT_ERROR", msgRequestFormat)
	}
	if !r.nasIP.IsValid() && r.nasID == "" {
		s.mfaEvent(r, channelAuthZ, providerAuthZ, 4, "Warning", "warning", msgMissingNAS, nil)
	}
	if wl := ext.IPWhitelistAddrs(); len(wl) > 0 {
		if !r.nasIP.IsValid() {
			s.mfaEvent(r, channelAuthZ, providerAuthZ, 4, "Warning", "warning", msgWhitelistNoNAS, nil)
		} else {
			for _, a := range wl {
				if a == r.nasIP {
					r.debug("MFA extension: NAS-IP-Address is in IP_WHITELIST; MFA skipped", "nas_ip", r.nasIP.String())
					mf.Result, mf.Outcome = "Skipped", "accepted"
					return s.accept(r, true)
				}
			}
		}
	}
	if r.entry == nil {
		return s.extException(r, "USERNAME_CANONICALIZATION_ERROR", msgCanonicalize)
	}
	identity := s.mfaIdentity(r.entry.u)
	if identity == "" {
		if ext.LDAPAlternateLoginIDAttribute != "" {
			return s.extException(r, "ALTERNATE_LOGIN_ID_ERROR", msgAltLoginIDEmpty)
		}
		return s.extException(r, "USERNAME_CANONICALIZATION_ERROR", msgCanonicalize)
	}
	r.debug("MFA extension: identity sent to Entra", "identity", identity)
	sctx, cancel, expired := s.mfaSession(ctx, ext.SessionLimit)
	defer cancel()
	reg, res := s.backend.Lookup(sctx, identity)
	if ctx.Err() != nil {
		return s.abandon(r)
	}
	if expired() {
		res = mfa.Response("InvalidSession", identity)
	}
	if !res.OK() {
		return s.mfaReject(r, identity, res, channelAuthZ)
	}
	if !reg.Enrolled {
		if ext.RequireUserMatch == "FALSE" {
			r.debug("MFA extension: user not enrolled; REQUIRE_USER_MATCH is FALSE, so no MFA")
			mf.Result, mf.Outcome = "Skipped", "accepted"
			return s.accept(r, true)
		}
		r.debug("MFA extension: user not enrolled and REQUIRE_USER_MATCH is not FALSE")
		return s.mfaReject(r, identity, mfa.Response("NoDefaultAuthenticationMethodIsConfigured", identity), channelAuthZ)
	}
	method := ChooseMethod(reg, ext.ParsedVersion(), ext.OverrideNumberMatchingWithOTP)
	mf.Method = string(method)
	r.debug("MFA extension: method chosen", "default", string(reg.Default), "has_totp", reg.HasTOTP, "method", string(method), "version", ext.Version)
	req := mfa.Request{CID: cid, User: identity, Method: method}
	if !method.OTP() {
		// Push or call: the request is held, unanswered, until the user
		// answers or the session expires.
		s.logRequest(r)
		r.debug("MFA extension: holding the request until the user answers", "method", string(method))
		res := s.backend.Authenticate(sctx, req)
		if expired() {
			r.debug("MFA extension: session limit reached", "limit", ext.SessionLimit)
			res = mfa.Response("InvalidSession", identity)
		} else if ctx.Err() != nil {
			return s.abandon(r)
		}
		if !res.OK() {
			return s.mfaReject(r, identity, res, channelAuthZ)
		}
		r.debug("MFA extension: MFA succeeded")
		mf.Result, mf.Outcome = mfa.Success, "accepted"
		r.discard = true
		return s.accept(r, true)
	}
	state := s.newGUID()
	mf.State = state
	s.mfaEvent(r, channelAuthZ, providerAuthZ, 1, "Information", "challenge",
		fmt.Sprintf("%sCID: %s : Challenge requested in Authentication Ext for User %s with state %s", extPrefix, cid, identity, state), mf)
	if r.method != scenario.MethodPAP {
		r.debug("MFA extension: a one-time code is needed but the request is not PAP", "method", r.method)
		mf.Error = "REQUEST_MISSING_CODE"
		return s.extReject(r)
	}
	res = s.backend.Challenge(sctx, req)
	if ctx.Err() != nil && !expired() {
		return s.abandon(r)
	}
	if !res.OK() {
		return s.mfaReject(r, identity, res, channelAuthZ)
	}
	sess := &otpSession{user: r.user, identity: identity, method: method, cid: cid, client: r.client,
		entry: r.entry, account: r.account, proxyPolicy: r.d.ProxyPolicy, policy: r.d.Policy, created: r.arrived}
	if !s.otp.put(state, sess, r.arrived, r.arrived.Add(ext.SessionLimit), nil) {
		s.log.Warn("nps: too many pending MFA challenges; rejecting", "max", s.sc.Server.MaxPending)
		return s.mfaReject(r, identity, mfa.Response("InvalidSession", identity), channelAuthZ)
	}
	mf.Result = "Challenge"
	r.debug("MFA extension: Access-Challenge for a one-time code", "state", state)
	attrs := radius.Attributes{
		{Type: attrState, Attribute: []byte(state)},
		{Type: attrReplyMessage, Attribute: []byte(ChallengeReplyMessage)},
	}
	r.d.Reason = ReasonSuccess
	reply := s.respond(r, radius.CodeAccessChallenge, attrs)
	s.logOutcome(r, model.CodeAccessChallenge, attrs)
	return reply
}

// otpAnswer handles the second leg of an OTP challenge: the code arrives
// in User-Password with the State of the challenge.
func (s *Server) otpAnswer(ctx context.Context, r *request, sess *otpSession, expired bool) []byte {
	mf := &model.MFA{CID: sess.cid, Method: string(sess.method)}
	r.d.MFA = mf
	r.entry, r.account = sess.entry, sess.account
	r.d.Account, r.d.ProxyPolicy, r.d.Policy = sess.account, sess.proxyPolicy, sess.policy
	r.method = detectMethod(r.pkt)
	r.d.Method, r.d.AuthType = r.method, authTypeOf(r.method)
	r.debug("MFA extension: answer to an OTP challenge", "cid", sess.cid)
	switch {
	case expired:
		return s.mfaReject(r, sess.identity, mfa.Response("InvalidSession", sess.identity), channelAuthN)
	case sess.client != r.client || !strings.EqualFold(sess.user, r.user):
		r.debug("MFA extension: the State belongs to another client or user")
		return s.mfaReject(r, sess.identity, mfa.Response("InvalidSession", sess.identity), channelAuthN)
	}
	enc := r.pkt.Attributes.Get(attrUserPassword)
	code, err := secret.DecryptUserPassword(r.secret, r.pkt.Authenticator[:], enc)
	if enc == nil || err != nil {
		code = nil
	}
	res := s.backend.Verify(s.holding(ctx), mfa.Request{CID: sess.cid, User: sess.identity, Method: sess.method, Code: string(code)})
	if ctx.Err() != nil {
		return s.abandon(r)
	}
	if !res.OK() {
		return s.mfaReject(r, sess.identity, res, channelAuthN)
	}
	mf.Result, mf.Outcome = mfa.Success, "accepted"
	r.discard = true
	r.debug("MFA extension: code accepted; network policy attributes are not sent on this path")
	return s.accept(r, false)
}

// mfaReject logs an Entra answer that is not Success (or an extension
// failure) and rejects with reason 21.
func (s *Server) mfaReject(r *request, identity string, res mfa.Result, channel string) []byte {
	mf := r.d.MFA
	if mf == nil {
		mf = &model.MFA{CID: s.newGUID()}
		r.d.MFA = mf
	}
	if res.ExtError != "" {
		return s.extException(r, res.ExtError, res.Message)
	}
	mf.Result = res.Code
	provider := providerAuthZ
	if channel == channelAuthN {
		provider = providerAuthN
	}
	s.mfaEvent(r, channel, provider, 1, "Error", "rejected",
		fmt.Sprintf("%sCID: %s : Access Rejected for user %s with Azure MFA response: %s and message: %s", extPrefix, mf.CID, identity, res.Code, res.Message), mf)
	r.debug("MFA extension: rejected", "response", res.Code)
	return s.extReject(r)
}

// extException logs an "Exception in Authentication Ext" (an extension
// error code such as ESTS_TOKEN_ERROR) and rejects with reason 21.
func (s *Server) extException(r *request, code, msg string) []byte {
	mf := r.d.MFA
	if mf == nil {
		mf = &model.MFA{CID: s.newGUID()}
		r.d.MFA = mf
	}
	mf.Error = code
	s.mfaEvent(r, channelAuthZAdmin, providerAuthZ, 1, "Error", "error",
		fmt.Sprintf("%sCID: %s :Exception in Authentication Ext for User %s :: ErrorCode:: CID :%s %s Msg:: %s", extPrefix, mf.CID, r.user, mf.CID, code, msg), mf)
	r.debug("MFA extension: exception", "error", code)
	return s.extReject(r)
}

// extReject is the Access-Reject of the extension: reason 21,
// Authentication-Type Extension.
func (s *Server) extReject(r *request) []byte {
	r.acceptAttrs = nil
	r.d.AuthType = authExtension
	return s.reject(r, ReasonExtensionRejected)
}

// extIgnoring logs that the extension skips a decision that is not an
// Accept.
func (s *Server) extIgnoring(r *request, state string) {
	s.mfaEvent(r, channelAuthZ, providerAuthZ, 1, "Information", "ignored",
		fmt.Sprintf("NPS Extension for Azure MFA only performs Secondary Auth for Radius requests in AccessAccept State. Request received for User %s with response state %s, ignoring request.", r.user, state), nil)
}

// abandon ends a request that will get no answer (shutdown, or the
// in-process caller gave up).
func (s *Server) abandon(r *request) []byte {
	r.d.DropReason = "abandoned while the MFA extension held it"
	r.debug("request abandoned while held")
	return nil
}
