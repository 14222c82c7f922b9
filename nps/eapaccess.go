package nps

import (
	"context"
	"errors"
	"strings"
	"time"

	"layeh.com/radius"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/nps/eap"
	"github.com/radscope/radscope/scenario"
)

// eapIdle is how long an EAP conversation waits for the next round.
const eapIdle = 60 * time.Second

type eapSession struct {
	conv   *eap.Conversation
	client *scenario.Client
}

// reasonError carries an NPS reason code through the EAP server's NTHash
// callback.
type reasonError struct{ reason int }

func (e *reasonError) Error() string { return "nps: " + reasonText(e.reason) }

// eapNTHash is the directory lookup of the EAP server: the inner
// MS-CHAPv2 identity's NT hash, or a failure with the MS-CHAP error code
// and NPS reason for the account state.
func (s *Server) eapNTHash(ctx context.Context, user string) ([16]byte, error) {
	r := &request{user: user, log: s.log, arrived: s.clock.Now()}
	if reason := s.resolveUser(r); reason != 0 {
		return [16]byte{}, &eap.FailureCode{Code: MSCHAPErrorCode(reason), Err: errors.Join(eap.ErrNoSuchUser, &reasonError{reason})}
	}
	if r.entry.u.Locked {
		return [16]byte{}, &eap.FailureCode{Code: MSCHAPErrorCode(ReasonAccountLockedOut), Err: &reasonError{ReasonAccountLockedOut}}
	}
	if reason := s.accountState(r); reason != 0 {
		return [16]byte{}, &eap.FailureCode{Code: MSCHAPErrorCode(reason), Err: &reasonError{reason}}
	}
	return r.entry.hash, nil
}

func eapMethodName(m string) string {
	switch m {
	case eap.MethodPEAP:
		return scenario.MethodPEAP
	case eap.MethodMSCHAPv2:
		return scenario.MethodEAPMSCHAPv2
	}
	return "eap"
}

// eapAccess runs one round of an EAP conversation (RFC 3579).
func (s *Server) eapAccess(ctx context.Context, r *request) []byte {
	msg := joinEAP(r.pkt)
	r.method = "eap"
	r.d.Method, r.d.AuthType = r.method, authEAP
	if s.eapSrv == nil {
		r.debug("EAP request, but no network policy allows an EAP method")
		if len(msg) >= 2 {
			r.eapReply = []byte{eap.CodeFailure, msg[1], 0, 4}
		}
		return s.reject(r, ReasonEAPTypeUnsupported)
	}
	var sess *eapSession
	var key string
	if st := r.pkt.Attributes.Get(attrState); st != nil {
		if e, ok := s.eapSess.get(string(st), r.arrived); ok && e.client == r.client {
			sess, key = e, string(st)
		}
	}
	if sess == nil {
		sess = &eapSession{conv: s.eapSrv.NewConversation(), client: r.client}
		key = "EAP-" + s.newGUID()
	}
	res := s.eapSrv.Step(ctx, sess.conv, msg)
	if res.Method != "" {
		r.method = eapMethodName(res.Method)
		r.d.Method, r.d.AuthType = r.method, authTypeOf(r.method)
	}
	if !res.Done {
		if !s.eapSess.put(key, sess, r.arrived, r.arrived.Add(eapIdle), func(e *eapSession) { e.conv.Close() }) {
			sess.conv.Close()
			r.debug("too many EAP conversations pending")
			return s.reject(r, ReasonEAPError)
		}
		r.debug("EAP round: Access-Challenge", "method", res.Method)
		attrs := append(eapMessages(res.Reply), &radius.AVP{Type: attrState, Attribute: []byte(key)})
		r.d.Reason = ReasonSuccess
		reply := s.respond(r, radius.CodeAccessChallenge, attrs)
		s.logOutcome(r, model.CodeAccessChallenge, attrs)
		if s.sc.MFA.Installed && r.user != "" {
			s.extIgnoring(r, "AccessChallenge")
		}
		return reply
	}
	s.eapSess.del(key)
	r.eapReply = res.Reply
	name := res.InnerUser
	if name == "" {
		name = res.Identity
	}
	if !res.Success {
		var re *reasonError
		reason := ReasonEAPError
		switch {
		case errors.As(res.Err, &re):
			reason = re.reason
		case errors.Is(res.Err, eap.ErrNoSuchUser):
			reason = ReasonNoSuchUser
		case errors.Is(res.Err, eap.ErrBadPassword):
			reason = ReasonAuthFailure
		case errors.Is(res.Err, eap.ErrMethodNotAllowed):
			reason = ReasonEAPTypeUnsupported
		}
		r.debug("EAP failed", "err", res.Err, "inner_user", name)
		if reason != ReasonEAPError && reason != ReasonEAPTypeUnsupported {
			// Resolve for the log's SAM-Account-Name where possible.
			save := r.user
			r.user = name
			s.resolveUser(r)
			r.user = save
		}
		return s.reject(r, reason)
	}
	// The account named inside EAP is the one NPS authorizes.
	save := r.user
	r.user = name
	reason := s.resolveUser(r)
	r.user = save
	if reason != 0 {
		return s.reject(r, reason)
	}
	r.debug("EAP authentication succeeded", "method", res.Method, "inner_user", name)
	r.acceptAttrs = append(r.acceptAttrs,
		vsa(vendorMicrosoft, msMPPERecvKey, s.salted(r, res.RecvKey)),
		vsa(vendorMicrosoft, msMPPESendKey, s.salted(r, res.SendKey)),
	)
	return s.authorize(ctx, r)
}

// eapFailureFor turns an EAP-Success reply into the EAP-Failure of the same
// identifier, for requests rejected after EAP succeeded.
func eapFailureFor(p []byte) []byte {
	if len(p) >= 4 && p[0] == eap.CodeSuccess {
		return []byte{eap.CodeFailure, p[1], 0, 4}
	}
	return p
}

func reasonText(code int) string {
	return strings.TrimSpace(lookupReasonShort(code))
}
