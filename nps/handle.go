package nps

import (
	"context"
	"encoding/binary"
	"log/slog"
	"net/netip"
	"strconv"
	"time"

	"layeh.com/radius"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/scenario"
	"github.com/radscope/radscope/secret"
)

// RADIUS attribute types the server reads or writes.
const (
	attrUserName       = 1
	attrUserPassword   = 2
	attrCHAPPassword   = 3
	attrNASIPAddress   = 4
	attrNASPort        = 5
	attrServiceType    = 6
	attrReplyMessage   = 18
	attrState          = 24
	attrClass          = 25
	attrVendorSpecific = 26
	attrSessionTimeout = 27
	attrIdleTimeout    = 28
	attrCalledStation  = 30
	attrCallingStation = 31
	attrNASIdentifier  = 32
	attrProxyState     = 33
	attrAcctStatusType = 40
	attrAcctSessionID  = 44
	attrCHAPChallenge  = 60
	attrNASPortType    = 61
	attrEAPMessage     = 79
	attrMessageAuth    = 80
	attrNASIPv6Address = 95

	vendorMicrosoft = 311
	msCHAPResponse  = 1
	msCHAPError     = 2
	msCHAPMPPEKeys  = 12
	msMPPESendKey   = 16
	msMPPERecvKey   = 17
	msMPPEEncPolicy = 7
	msMPPEEncTypes  = 8
	msCHAPChallenge = 11
	msCHAP2Response = 25
	msCHAP2Success  = 26
)

// NPS Authentication-Type values (IAS attribute 4127).
const (
	authPAP             = 1
	authCHAP            = 2
	authMSCHAP          = 3
	authMSCHAPv2        = 4
	authEAP             = 5
	authUnauthenticated = 7
	authExtension       = 8
	authPEAP            = 11
)

// request is one Access-Request or Accounting-Request being processed.
type request struct {
	from    netip.AddrPort
	raw     []byte
	pkt     *radius.Packet
	client  *scenario.Client
	secret  []byte
	arrived time.Time
	trace   bool
	log     *slog.Logger

	user     string // User-Name
	nasIP    netip.Addr
	nasID    string
	portType uint32
	hasPort  bool
	called   string
	calling  string

	entry   *userEntry // resolved account
	account string     // DOMAIN\sam
	method  string
	class   []byte
	serial  uint64 // of Class

	crp *scenario.ConnectionRequestPolicy
	np  *scenario.NetworkPolicy
	d   Decision

	// filled by authentication for the Accept
	acceptAttrs   radius.Attributes
	msError       func(code int) radius.Attributes // MS-CHAP-Error builder for rejects
	eapReply      []byte
	discard       bool // duplicates are discarded after this success (MFA)
	loggedRequest bool
}

func (r *request) debug(msg string, args ...any) {
	if r.trace {
		r.log.Debug(msg, args...)
	}
}

// handle is the common path of UDP and Handle.
func (s *Server) handle(ctx context.Context, from netip.AddrPort, raw []byte, kind portKind) ([]byte, Decision) {
	now := s.clock.Now()
	r := &request{from: from, raw: raw, arrived: now, log: s.log}
	r.d = Decision{Time: now, From: from, Reason: model.NoReason, Ident: -1}
	if len(raw) >= 20 {
		r.d.Ident = int(raw[1])
		copy(r.d.Authenticator[:], raw[4:20])
	}
	r.trace = s.log.Enabled(ctx, slog.LevelDebug)
	drop := func(why string) ([]byte, Decision) {
		r.d.Dropped, r.d.DropReason = true, why
		r.debug("request dropped", "from", from, "reason", why)
		s.decided(r.d)
		return nil, r.d
	}
	if len(raw) < 20 {
		return drop("shorter than a RADIUS header")
	}
	n := int(binary.BigEndian.Uint16(raw[2:4]))
	if n < 20 || n > len(raw) || n > radius.MaxPacketLength {
		return drop("bad length field")
	}
	raw = raw[:n]
	r.raw = raw
	r.d.Request = model.Code(raw[0])
	client := s.sc.ClientFor(from.Addr())
	if client == nil {
		s.systemEvent(now, 13, "Warning", "A RADIUS message was received from the invalid RADIUS client IP address "+from.Addr().String()+".")
		return drop("unknown RADIUS client " + from.Addr().String())
	}
	r.client, r.secret = client, s.secrets[client]
	r.d.Client = client.Name
	if r.trace {
		r.log = s.log.With("client", client.Name, "from", from.String(), "id", raw[1])
	}
	pkt, err := parsePacket(raw, r.secret)
	if err != nil {
		s.systemEvent(now, 14, "Warning", "A malformed RADIUS message was received from client "+client.Name+" (IP address "+from.Addr().String()+").")
		return drop("malformed attributes")
	}
	r.pkt = pkt
	code := model.Code(raw[0])
	switch code {
	case model.CodeAccessRequest, model.CodeStatusServer:
		if kind == portAcct {
			return drop(code.String() + " on the accounting port")
		}
		hasMA := secret.HasMessageAuthenticator(raw)
		if hasMA && !secret.VerifyMessageAuthenticator(r.secret, raw, nil) {
			s.systemEvent(now, 18, "Warning", "An Access-Request message was received from RADIUS client "+from.Addr().String()+" with a Message-Authenticator attribute that is not valid.")
			return drop("invalid Message-Authenticator (wrong secret?)")
		}
		if !hasMA {
			switch {
			case code == model.CodeStatusServer:
				return drop("Status-Server without Message-Authenticator (RFC 5997)")
			case client.RequireMessageAuthenticator:
				s.systemEvent(now, 18, "Warning", "An Access-Request message was received from RADIUS client "+from.Addr().String()+" without a Message-Authenticator attribute when a Message-Authenticator attribute is required. Verify the configuration of the RADIUS client in the Network Policy Server snap-in (the \"Client must always send the message authenticator attribute in the request\" check box) and the configuration of the network access server.")
				return drop("Message-Authenticator required but absent")
			case pkt.Attributes.Get(attrEAPMessage) != nil:
				return drop("EAP-Message without Message-Authenticator (RFC 3579)")
			case client.LimitProxyState && pkt.Attributes.Get(attrProxyState) != nil:
				return drop("Proxy-State without Message-Authenticator (limit_proxy_state)")
			}
		}
	case model.CodeAccountingRequest:
		if kind == portAuth {
			return drop("Accounting-Request on the authentication port")
		}
		if !secret.VerifyAccountingRequest(r.secret, raw) {
			return drop("bad Accounting-Request authenticator (wrong secret?)")
		}
		if secret.HasMessageAuthenticator(raw) && !secret.VerifyMessageAuthenticator(r.secret, raw, make([]byte, 16)) {
			return drop("invalid Message-Authenticator (wrong secret?)")
		}
	default:
		return drop("unsupported packet code " + code.String())
	}
	if code == model.CodeStatusServer {
		// RFC 5997: answered at once, never cached.
		reply := s.statusServer(r, kind)
		r.d.Code = model.Code(reply[0])
		s.decided(r.d)
		return reply, r.d
	}

	key := dupKey{from: from, ident: pkt.Identifier, auth: pkt.Authenticator}
	prev, tracked := s.dup.begin(key, now)
	if prev != nil {
		r.d.Duplicate = true
		switch {
		case prev.pending:
			return drop("duplicate of a request still being processed")
		case prev.discard:
			return drop("duplicate discarded by the MFA extension after a success")
		case prev.reply == nil:
			return drop("duplicate of a request that was not answered")
		}
		r.d.Code = prev.code
		r.debug("duplicate answered from the cache", "code", prev.code.String())
		s.decided(r.d)
		return prev.reply, r.d
	}

	var reply []byte
	if code == model.CodeAccountingRequest {
		reply = s.accounting(r)
	} else {
		reply = s.access(ctx, r)
	}
	if reply != nil {
		r.d.Code = model.Code(reply[0])
	} else {
		r.d.Dropped = true
		if r.d.DropReason == "" {
			r.d.DropReason = "no answer"
		}
	}
	done := s.clock.Now()
	r.d.Latency = done.Sub(now)
	if tracked {
		window := s.sc.Server.DuplicateWindow
		if r.discard && s.sc.MFA.DuplicateWindow > 0 {
			window = s.sc.MFA.DuplicateWindow
		}
		if reply == nil && ctx.Err() != nil {
			window = 0 // abandoned (shutdown or caller gone): forget it
		}
		s.dup.finish(key, reply, r.d.Code, r.discard, done, window)
	}
	s.decided(r.d)
	return reply, r.d
}

func (s *Server) decided(d Decision) {
	if s.opts.OnDecision != nil {
		s.opts.OnDecision(d)
	}
}

// statusServer answers RFC 5997 Status-Server: Access-Accept on the
// authentication port (and in process), Accounting-Response on the
// accounting port.
func (s *Server) statusServer(r *request, kind portKind) []byte {
	code := radius.CodeAccessAccept
	if kind == portAcct {
		code = radius.CodeAccountingResponse
	}
	r.debug("Status-Server answered", "code", code.String())
	return s.respond(r, code, nil)
}

// respond encodes a response to r: Message-Authenticator first, then
// attrs, then the request's Proxy-State attributes in order (RFC 2865
// §5.33); it fills Message-Authenticator and the Response Authenticator.
func (s *Server) respond(r *request, code radius.Code, attrs radius.Attributes) []byte {
	p := &radius.Packet{Code: code, Identifier: r.pkt.Identifier, Authenticator: r.pkt.Authenticator, Secret: r.secret}
	p.Attributes = make(radius.Attributes, 0, len(attrs)+2)
	p.Attributes = append(p.Attributes, &radius.AVP{Type: attrMessageAuth, Attribute: make([]byte, 16)})
	p.Attributes = append(p.Attributes, attrs...)
	for _, a := range r.pkt.Attributes {
		if a.Type == attrProxyState {
			p.Attributes = append(p.Attributes, a)
		}
	}
	b, err := p.MarshalBinary()
	if err != nil {
		// Too large: drop the optional attributes and answer anyway.
		s.log.Warn("nps: response too large; sending it without its attributes", "err", err)
		p.Attributes = p.Attributes[:1]
		b, _ = p.MarshalBinary()
	}
	reqAuth := r.pkt.Authenticator[:]
	if code == radius.CodeAccountingResponse && r.pkt.Code == radius.CodeAccountingRequest {
		// RFC 3579 defines Message-Authenticator for Access packets only;
		// for accounting, FreeRADIUS (and RFC 5176 for CoA) compute it over
		// a zeroed authenticator field. Interoperate with that.
		if err := secret.SetMessageAuthenticator(r.secret, b, make([]byte, 16)); err != nil {
			s.log.Warn("nps: signing response failed", "err", err)
		}
		a := secret.ResponseAuthenticator(r.secret, b, reqAuth)
		copy(b[4:20], a[:])
		return b
	}
	if err := secret.SignResponse(r.secret, b, reqAuth); err != nil {
		s.log.Warn("nps: signing response failed", "err", err)
	}
	return b
}

// vsa builds a Microsoft (or other vendor) Vendor-Specific attribute.
func vsa(vendor uint32, typ byte, value []byte) *radius.AVP {
	b := make([]byte, 6+len(value))
	binary.BigEndian.PutUint32(b, vendor)
	b[4] = typ
	b[5] = byte(2 + len(value))
	copy(b[6:], value)
	return &radius.AVP{Type: attrVendorSpecific, Attribute: b}
}

// vendorAttr returns the first sub-attribute (vendor, typ) of the packet's
// Vendor-Specific attributes.
func vendorAttr(p *radius.Packet, vendor uint32, typ byte) ([]byte, bool) {
	for _, a := range p.Attributes {
		if a.Type != attrVendorSpecific || len(a.Attribute) < 6 {
			continue
		}
		if binary.BigEndian.Uint32(a.Attribute) != vendor {
			continue
		}
		b := a.Attribute[4:]
		for len(b) >= 2 {
			l := int(b[1])
			if l < 2 || l > len(b) {
				break
			}
			if b[0] == typ {
				return b[2:l], true
			}
			b = b[l:]
		}
	}
	return nil, false
}

func u32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

// decodeCommon fills the request fields conditions look at.
func (r *request) decodeCommon() {
	p := r.pkt
	r.user = string(p.Attributes.Get(attrUserName))
	r.d.User = r.user
	if b := p.Attributes.Get(attrNASIPAddress); len(b) == 4 {
		r.nasIP = netip.AddrFrom4([4]byte(b))
	}
	r.nasID = string(p.Attributes.Get(attrNASIdentifier))
	if b := p.Attributes.Get(attrNASPortType); len(b) == 4 {
		r.portType, r.hasPort = binary.BigEndian.Uint32(b), true
	}
	r.called = string(p.Attributes.Get(attrCalledStation))
	r.calling = string(p.Attributes.Get(attrCallingStation))
	if r.trace && r.user != "" {
		r.log = r.log.With("user", r.user)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// parsePacket decodes a packet whose length field has been checked, like
// radius.Parse but with the attribute values pointing into raw and all
// AVPs in one allocation.
func parsePacket(raw, secret []byte) (*radius.Packet, error) {
	n := 0
	for b := raw[20:]; len(b) > 0; n++ {
		if len(b) < 2 || b[1] < 2 || int(b[1]) > len(b) {
			return nil, errMalformed
		}
		b = b[b[1]:]
	}
	avps := make([]radius.AVP, n)
	p := &radius.Packet{Code: radius.Code(raw[0]), Identifier: raw[1], Secret: secret, Attributes: make(radius.Attributes, n)}
	copy(p.Authenticator[:], raw[4:20])
	b := raw[20:]
	for i := range avps {
		l := int(b[1])
		avps[i] = radius.AVP{Type: radius.Type(b[0]), Attribute: b[2:l:l]}
		p.Attributes[i] = &avps[i]
		b = b[l:]
	}
	return p, nil
}
