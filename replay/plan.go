package replay

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/radscope/radscope/dict"
	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/secret"
)

// RADIUS attribute numbers replay rewrites.
const (
	attrUserName        = 1
	attrUserPassword    = 2
	attrCHAPPassword    = 3
	attrState           = 24
	attrVendorSpecific  = 26
	attrCHAPChallenge   = 60
	attrEAPMessage      = 79
	attrMessageAuth     = 80
	attrProxyState      = 33
	attrAcctStatusType  = 40
	vendorMicrosoft     = 311
	msMPPESendKey       = 16
	msMPPERecvKey       = 17
	maxPacket           = 4096
	defaultNASTimeout   = 30 * time.Second
	defaultNASRetries   = 2
	lateTolerance       = 50 * time.Millisecond
	defaultSessionLimit = 3 * time.Minute
)

// WireAttr is one attribute as it goes on the wire: Vendor 0 for an IETF
// attribute, else the Vendor-Specific sub-attribute of that vendor.
type WireAttr struct {
	Vendor uint32
	Type   uint8
	Value  []byte
}

// Request is one planned request of a flow: what to send, with the parts
// that depend on the target (identifier, authenticator, User-Password,
// Message-Authenticator, State) left for the sender to fill.
type Request struct {
	Code  model.Code
	Attrs []WireAttr // in captured order, without User-Password, State and Message-Authenticator
	// Password is the clear-text User-Password to encrypt under the
	// target's secret; nil when the request carries none.
	Password []byte
	// Auth is the captured request authenticator, kept when CHAP uses it
	// as the challenge; nil lets the sender pick a fresh one.
	Auth []byte
	// MessageAuth says the request carries a Message-Authenticator.
	MessageAuth bool
	// State says the request carries the State of the previous answer
	// (rewritten to the target's own); CapturedState is what was captured.
	State         bool
	CapturedState []byte
	// At is when the captured request was first sent; Gap is the time from
	// the previous round's captured answer to this request (the user
	// typing a code), 0 for the first round.
	At  time.Time
	Gap time.Duration
	// Retransmits and Interval describe the captured NAS's retries: how
	// many times it re-sent and after how long.
	Retransmits int
	Interval    time.Duration

	// secret is the shared secret the captured NAS used (the one its
	// User-Password decrypted under), nil when unknown.
	secret []byte
}

// Plan is one flow turned into requests to re-send.
type Plan struct {
	Flow   *model.Flow
	Client netip.AddrPort // the NAS address of the captured requests
	NAS    string         // Client-Friendly-Name or NAS-Identifier or address
	// Requests are sent in order; each waits for the previous answer.
	Requests []Request
	// Why says why the flow cannot be replayed; Requests is empty then.
	Why string
	// Secret, when set, is the shared secret the NAS uses, whatever the
	// target holds (a plan written by hand, like a NAS's configuration).
	Secret []byte
	// EAP, when set, makes the flow an EAP conversation replay runs as the
	// peer: Requests holds one request, the NAS's attributes, that every
	// round sends with the peer's EAP-Message and the target's State.
	EAP *EAPPlan
}

// Replayable reports whether the plan has requests to send.
func (p *Plan) Replayable() bool { return p.Why == "" && len(p.Requests) > 0 }

// PlanOptions say where the values a capture or log lacks come from.
type PlanOptions struct {
	// Secrets are the shared secrets of the capture, for decrypting
	// captured User-Password values.
	Secrets *secret.Store
	// Password returns the clear-text password of a user (for requests
	// rebuilt from logs and events, and captured ones without a secret);
	// nil or ok false means none is known.
	Password func(user string) (string, bool)
}

// NewPlan turns a flow into requests. A flow that cannot be re-sent gets a
// plan with Why set, never an error.
func NewPlan(f *model.Flow, o PlanOptions) *Plan {
	p := &Plan{Flow: f, NAS: f.NAS}
	switch f.Kind {
	case model.FlowAuth, model.FlowAccounting, model.FlowStatus:
	default:
		p.Why = fmt.Sprintf("%s flows are not replayed (only authentication, accounting and Status-Server)", f.Kind)
		return p
	}
	if len(f.Rounds) == 0 {
		// Events only: the first event that names the user and NAS
		// (6272/6273, or the MFA extension's) stands for the request.
		for i := range f.Messages {
			m := &f.Messages[i]
			if m.Kind == model.KindEvent && m.User != "" && (m.ClientAddr.IsValid() || m.NASAddr.IsValid()) {
				if f.Kind == model.FlowAuth && eapRequest(f, m) {
					return eapPlanFrom(p, f, m, o)
				}
				req, why := fromRecord(f, m, o)
				if why != "" {
					p.Why = fmt.Sprintf("%s: %s", m.Src, why)
					return p
				}
				req.At = m.Time
				p.Client = recordClient(f, m)
				p.Requests = []Request{req}
				if p.NAS == "" {
					p.NAS = p.Client.Addr().String()
				}
				return p
			}
		}
		p.Why = "the flow has no request"
		return p
	}
	if r := f.Rounds[0]; f.Kind == model.FlowAuth && r.Request >= 0 && r.Request < len(f.Messages) && eapRequest(f, &f.Messages[r.Request]) {
		return eapPlanFrom(p, f, &f.Messages[r.Request], o)
	}
	var prevAnswer time.Time
	for ri, r := range f.Rounds {
		if r.Request < 0 || r.Request >= len(f.Messages) {
			p.Why = fmt.Sprintf("round %d has no request", ri+1)
			return p
		}
		m := &f.Messages[r.Request]
		var req Request
		var why string
		switch m.Kind {
		case model.KindPacket:
			req, why = fromPacket(f, r, m, o)
		case model.KindRecord, model.KindEvent:
			req, why = fromRecord(f, m, o)
		default:
			why = "the request's source is neither a capture nor a log"
		}
		if why != "" {
			p.Why = fmt.Sprintf("round %d (%s): %s", ri+1, m.Src, why)
			p.Requests = nil
			return p
		}
		if ri == 0 {
			p.Client = m.Client
			if m.Kind != model.KindPacket {
				p.Client = recordClient(f, m)
			}
		}
		req.At = m.Time
		if ri > 0 && !prevAnswer.IsZero() && m.Time.After(prevAnswer) {
			req.Gap = m.Time.Sub(prevAnswer)
		}
		if len(r.Retransmits) > 0 {
			req.Retransmits = len(r.Retransmits)
			req.Interval = f.Messages[r.Retransmits[0]].Time.Sub(m.Time)
		}
		if r.Response >= 0 && r.Response < len(f.Messages) {
			prevAnswer = f.Messages[r.Response].Time
		}
		if ri > 0 && f.Kind == model.FlowAuth && !req.State && len(p.Requests) > 0 {
			// A later round of an authentication answers a challenge: it
			// carries the State whether or not the source showed it.
			req.State = true
		}
		p.Requests = append(p.Requests, req)
	}
	if p.NAS == "" && p.Client.IsValid() {
		p.NAS = p.Client.Addr().String()
	}
	return p
}

// eapPlanFrom plans an EAP conversation whose first request is m.
func eapPlanFrom(p *Plan, f *model.Flow, m *model.Message, o PlanOptions) *Plan {
	planEAP(p, f, m, o)
	if p.Why != "" {
		p.Why = fmt.Sprintf("%s: %s", m.Src, p.Why)
		p.Requests, p.EAP = nil, nil
		return p
	}
	p.Requests[0].At = m.Time
	p.Client = m.Client
	if m.Kind != model.KindPacket {
		p.Client = recordClient(f, m)
	}
	if p.NAS == "" && p.Client.IsValid() {
		p.NAS = p.Client.Addr().String()
	}
	return p
}

// fromPacket plans a captured request.
func fromPacket(f *model.Flow, r model.Round, m *model.Message, o PlanOptions) (Request, string) {
	req := Request{Code: m.Code}
	if !m.Client.IsValid() {
		return req, "the captured request has no client address"
	}
	var encPw []byte
	chap, chapChallenge := false, false
	for _, a := range m.Attrs {
		if a.Type < 0 || a.Type > 255 || a.Raw == nil && a.Value != "" {
			continue
		}
		switch {
		case a.Vendor == 0 && a.Type == attrUserPassword:
			encPw = a.Raw
			continue
		case a.Vendor == 0 && a.Type == attrMessageAuth:
			req.MessageAuth = true
			continue
		case a.Vendor == 0 && a.Type == attrState:
			req.State = true
			req.CapturedState = clone(a.Raw)
			continue
		case a.Vendor == 0 && a.Type == attrCHAPPassword:
			chap = true
		case a.Vendor == 0 && a.Type == attrCHAPChallenge:
			chapChallenge = true
		case a.Vendor == 0 && a.Type == attrEAPMessage:
			return req, "EAP-Message in a later round of a conversation that did not start with EAP"
		case a.Vendor == 0 && a.Type == attrVendorSpecific:
			// A Vendor-Specific attribute the reader kept whole.
		}
		req.Attrs = append(req.Attrs, WireAttr{Vendor: a.Vendor, Type: uint8(a.Type), Value: clone(a.Raw)})
	}
	// MS-CHAP and MS-CHAPv2 responses are computed over the
	// MS-CHAP-Challenge the NAS chose, not the authenticator: they are
	// re-sent as captured.
	if chap && !chapChallenge {
		req.Auth = clone(m.Auth)
	}
	if m.Code == model.CodeAccountingRequest {
		req.secret = accountingSecret(m, o.Secrets)
		return req, ""
	}
	if encPw != nil {
		pw, sec, why := capturedPassword(m, encPw, o)
		if why != "" {
			return req, why
		}
		req.Password, req.secret = pw, sec
	}
	return req, ""
}

// capturedPassword decrypts a captured User-Password with the capture's
// secret, checked by the Message-Authenticator when there is one; without
// a usable secret the scenario's password is taken for the first round.
func capturedPassword(m *model.Message, enc []byte, o PlanOptions) ([]byte, []byte, string) {
	if o.Secrets != nil && len(m.Auth) == 16 {
		cands := o.Secrets.Candidates(m.Client.Addr(), m.Server.Addr())
		for _, s := range cands {
			pw, err := secret.DecryptUserPassword(s, m.Auth, enc)
			if err == nil && printable(pw) {
				return pw, s, ""
			}
		}
	}
	if o.Password != nil {
		if pw, ok := o.Password(m.User); ok {
			return []byte(pw), nil, ""
		}
	}
	if o.Secrets == nil || o.Secrets.Len() == 0 {
		return nil, nil, "User-Password cannot be re-encrypted without the capture's shared secret (--secret or --secrets-file) or a password from the scenario (--password-from scenario)"
	}
	return nil, nil, "User-Password does not decrypt under any shared secret given for " + m.Client.Addr().String()
}

func printable(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c == 0x7f {
			return false
		}
	}
	return true
}

// logKeep are the logged attributes a rebuilt request carries; the rest of
// a log record is NPS's own (policy names, reason, Class of the answer).
var logKeep = map[int32]bool{
	attrUserName: true, 4: true, 5: true, 6: true, 7: true, 8: true, 12: true, 30: true, 31: true, 32: true,
	attrAcctStatusType: true, 41: true, 42: true, 43: true, 44: true, 45: true, 46: true, 47: true, 48: true, 49: true,
	25: true, 61: true, 87: true, 95: true,
}

// fromRecord rebuilds a request from a logged record or event: the logged
// attributes a NAS sends, and the password from the scenario.
func fromRecord(f *model.Flow, m *model.Message, o PlanOptions) (Request, string) {
	code := m.Code
	if code == model.CodeNone || !code.IsRequest() {
		if f.Kind == model.FlowAccounting {
			code = model.CodeAccountingRequest
		} else {
			code = model.CodeAccessRequest
		}
	}
	req := Request{Code: code, MessageAuth: code == model.CodeAccessRequest}
	seen := map[int32]bool{}
	for _, a := range m.Attrs {
		if a.Vendor != 0 || !logKeep[a.Type] || seen[a.Type] && a.Type != 25 {
			continue
		}
		v := loggedValue(a)
		if len(v) == 0 {
			continue
		}
		seen[a.Type] = true
		req.Attrs = append(req.Attrs, WireAttr{Type: uint8(a.Type), Value: v})
	}
	user := m.User
	if !seen[attrUserName] {
		if user == "" {
			return req, "the logged request has no User-Name"
		}
		req.Attrs = append([]WireAttr{{Type: attrUserName, Value: []byte(user)}}, req.Attrs...)
	}
	if !seen[4] && m.NASAddr.Is4() {
		b := m.NASAddr.As4()
		req.Attrs = append(req.Attrs, WireAttr{Type: 4, Value: b[:]})
	}
	if !seen[32] && m.NASID != "" {
		req.Attrs = append(req.Attrs, WireAttr{Type: 32, Value: []byte(m.NASID)})
	}
	if !seen[31] && m.CallingStation != "" {
		req.Attrs = append(req.Attrs, WireAttr{Type: 31, Value: []byte(m.CallingStation)})
	}
	if !seen[30] && m.CalledStation != "" {
		req.Attrs = append(req.Attrs, WireAttr{Type: 30, Value: []byte(m.CalledStation)})
	}
	if code == model.CodeAccountingRequest {
		if !seen[attrAcctStatusType] && m.AcctStatus != 0 {
			req.Attrs = append(req.Attrs, WireAttr{Type: attrAcctStatusType, Value: u32(uint32(m.AcctStatus))})
		}
		if !seen[44] && m.AcctSessionID != "" {
			req.Attrs = append(req.Attrs, WireAttr{Type: 44, Value: []byte(m.AcctSessionID)})
		}
		return req, ""
	}
	switch method := strings.ToUpper(authMethod(f, m)); {
	case method == "" || method == "EXTENSION" || strings.Contains(method, "PAP") && !strings.Contains(method, "CHAP"):
		// Extension: the MFA extension answered; the method NPS used
		// before it is not logged, and the NASes it serves send PAP.
	case method == "UNAUTHENTICATED" || method == "NONE" || logEAPMethod(f, m) != "":
		// EAP: planEAP runs the conversation as the peer.
		return req, ""
	default:
		return req, fmt.Sprintf("the logged request used %s, which needs the NAS's own challenge and response; only PAP is rebuilt from logs", method)
	}
	if o.Password == nil {
		return req, "logs hold no password: give one with --password-from scenario"
	}
	pw, ok := o.Password(user)
	if !ok {
		return req, fmt.Sprintf("the scenario has no password for %q", user)
	}
	req.Password = []byte(pw)
	return req, ""
}

// loggedValue is the wire value of a logged attribute: its raw bytes, or
// for an integer the logs render (NAS-Port-Type Wireless-802.11, 7) the
// number by the dictionary.
func loggedValue(a model.Attr) []byte {
	if len(a.Raw) > 0 {
		return clone(a.Raw)
	}
	d := dict.Default().Lookup(0, a.Type)
	if d == nil || d.DataType != dict.TypeInteger || a.Value == "" {
		return nil
	}
	if n, ok := d.ValueByName(a.Value); ok {
		return u32(uint32(n))
	}
	if n, err := strconv.ParseUint(a.Value, 10, 32); err == nil {
		return u32(uint32(n))
	}
	return nil
}

// authMethod is the flow's method as logged (PAP, MS-CHAPv2, EAP ...).
func authMethod(f *model.Flow, m *model.Message) string {
	if a, ok := m.AttrByName("Authentication-Type"); ok && a.Value != "" {
		return a.Value
	}
	return f.Method
}

func u32(v uint32) []byte {
	b := make([]byte, 4)
	binary.BigEndian.PutUint32(b, v)
	return b
}

func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte(nil), b...)
}

// accountingSecret finds which of the capture's secrets signed an
// Accounting-Request (its authenticator is the MD5 over the packet and
// the secret), rebuilding the packet from its attributes; nil when none
// does.
func accountingSecret(m *model.Message, st *secret.Store) []byte {
	if st == nil || len(m.Auth) != 16 || m.Ident < 0 {
		return nil
	}
	b := []byte{byte(m.Code), byte(m.Ident), 0, 0}
	b = append(b, make([]byte, 16)...)
	for _, a := range m.Attrs {
		if a.Type < 0 || a.Type > 255 {
			continue
		}
		var err error
		if b, err = appendAttr(b, WireAttr{Vendor: a.Vendor, Type: uint8(a.Type), Value: a.Raw}); err != nil {
			return nil
		}
	}
	if len(b) > maxPacket {
		return nil
	}
	binary.BigEndian.PutUint16(b[2:4], uint16(len(b)))
	for _, s := range st.Candidates(m.Client.Addr(), m.Server.Addr()) {
		if a := secret.AccountingRequestAuthenticator(s, b); string(a[:]) == string(m.Auth) {
			return s
		}
	}
	return nil
}

// recordClient is the NAS address of a logged request: Client-IP-Address
// (the RADIUS client as NPS saw it), else NAS-IP-Address, with a port
// derived from the flow so that parallel flows differ.
func recordClient(f *model.Flow, m *model.Message) netip.AddrPort {
	a := m.ClientAddr
	if !a.IsValid() {
		a = m.NASAddr
	}
	if !a.IsValid() {
		return netip.AddrPort{}
	}
	return netip.AddrPortFrom(a, uint16(20000+f.ID%40000))
}
