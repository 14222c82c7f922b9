package eap

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"sync"
	"time"
)

// EAP codes (RFC 3748 §4).
const (
	CodeRequest  = 1
	CodeResponse = 2
	CodeSuccess  = 3
	CodeFailure  = 4
)

// EAP method types used here (IANA "Method Types").
const (
	TypeIdentity   = 1
	TypeNak        = 3
	TypePEAP       = 25
	TypeMSCHAPv2   = 26
	TypeExtensions = 33 // PEAPv0 result TLV ("EAP-TLV")
)

// Method names as they appear in Config.Methods and Result.Method.
const (
	MethodMSCHAPv2 = "EAP-MSCHAPv2"
	MethodPEAP     = "PEAP"
)

// MaxMessage bounds the EAP packets Step accepts and the TLS messages PEAP
// reassembles from fragments.
const MaxMessage = 64 << 10

// Config configures a Server.
type Config struct {
	// Certificate is the server certificate for PEAP; if zero, a self-signed
	// ECDSA P-256 certificate is generated on first use.
	Certificate tls.Certificate
	// FragmentSize is the most TLS data sent in one EAP-Request (default
	// 1020, as NPS and FreeRADIUS use).
	FragmentSize int
	// NTHash returns the directory's NT hash for the (inner) user; an
	// error that wraps ErrNoSuchUser means unknown user, a *FailureCode
	// chooses the MS-CHAP error code.
	NTHash func(ctx context.Context, user string) ([16]byte, error)
	// Methods are the allowed methods in order of preference: "PEAP"
	// (PEAPv0 with EAP-MSCHAPv2 inside) and "EAP-MSCHAPv2". The first is
	// proposed after EAP-Identity; the peer may Nak to another.
	Methods []string
	// Name is the authenticator name in MS-CHAPv2 Challenge packets
	// (default "radscope").
	Name string
	// IdleTimeout releases a conversation that gets no message for this
	// long (default 60 s).
	IdleTimeout time.Duration
	// Rand is the source of challenges and TLS randomness (default
	// crypto/rand).
	Rand interface{ Read([]byte) (int, error) }
	// Time is the clock for the generated certificate and TLS (default
	// time.Now).
	Time func() time.Time
}

// Server runs EAP conversations. It is safe for concurrent use; each
// Conversation is used by one goroutine at a time.
type Server struct {
	cfg     Config
	types   []byte // allowed method types, in preference order
	certMu  sync.Mutex
	cert    *tls.Certificate
	certErr error
}

// NewServer checks cfg and returns a Server.
func NewServer(cfg Config) (*Server, error) {
	if cfg.NTHash == nil {
		return nil, errors.New("eap: Config.NTHash is nil")
	}
	if cfg.FragmentSize == 0 {
		cfg.FragmentSize = 1020
	}
	if cfg.FragmentSize < 64 || cfg.FragmentSize > MaxMessage {
		return nil, fmt.Errorf("eap: FragmentSize %d out of range 64-%d", cfg.FragmentSize, MaxMessage)
	}
	if cfg.Name == "" {
		cfg.Name = "radscope"
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 60 * time.Second
	}
	if cfg.Rand == nil {
		cfg.Rand = cryptoRand{}
	}
	if cfg.Time == nil {
		cfg.Time = time.Now
	}
	s := &Server{cfg: cfg}
	if len(cfg.Methods) == 0 {
		return nil, errors.New("eap: Config.Methods is empty")
	}
	for _, m := range cfg.Methods {
		t, ok := methodType(m)
		if !ok {
			return nil, fmt.Errorf("eap: unknown method %q (want %q or %q)", m, MethodPEAP, MethodMSCHAPv2)
		}
		if bytes.IndexByte(s.types, t) < 0 {
			s.types = append(s.types, t)
		}
	}
	if len(cfg.Certificate.Certificate) > 0 {
		c := cfg.Certificate
		s.cert = &c
	}
	return s, nil
}

func methodType(name string) (byte, bool) {
	switch name {
	case MethodMSCHAPv2:
		return TypeMSCHAPv2, true
	case MethodPEAP:
		return TypePEAP, true
	}
	return 0, false
}

func methodName(t byte) string {
	switch t {
	case TypeMSCHAPv2:
		return MethodMSCHAPv2
	case TypePEAP:
		return MethodPEAP
	}
	return ""
}

// Certificate returns the PEAP server certificate, generating the
// self-signed one when Config.Certificate was zero.
func (s *Server) Certificate() (tls.Certificate, error) {
	s.certMu.Lock()
	defer s.certMu.Unlock()
	if s.cert == nil && s.certErr == nil {
		c, err := selfSigned(s.cfg.Rand, s.cfg.Time())
		if err != nil {
			s.certErr = err
		} else {
			s.cert = &c
		}
	}
	if s.certErr != nil {
		return tls.Certificate{}, s.certErr
	}
	return *s.cert, nil
}

// Result is what one Step produced.
type Result struct {
	// Reply is the EAP packet to send: in an Access-Challenge while Done is
	// false, in the Access-Accept or Access-Reject when Done.
	Reply []byte
	// Done reports that the conversation ended; Success that the peer
	// authenticated.
	Done, Success bool
	// Identity is the EAP-Identity (outer identity for PEAP); InnerUser
	// is the MS-CHAPv2 user name that was authenticated (for PEAP, the one
	// inside the tunnel); Method is "EAP-MSCHAPv2" or "PEAP" once chosen.
	Identity, InnerUser, Method string
	// RecvKey and SendKey are the MS-MPPE-Recv-Key and MS-MPPE-Send-Key
	// values (plain; the RADIUS layer encrypts them), set on success.
	RecvKey, SendKey []byte
	// MSCHAPError is the MS-CHAPv2 failure text sent to the peer, such as
	// "E=691 R=0 C=<hex> V=3", when MS-CHAPv2 failed.
	MSCHAPError string
	// Err says why the conversation failed; it wraps ErrNoSuchUser,
	// ErrBadPassword, ErrMethodNotAllowed, ErrProtocol, ErrDone, ErrIdle,
	// the NTHash function's error or the context's.
	Err error
}

type convState uint8

const (
	stIdentity convState = iota // waiting for EAP-Response/Identity
	stPropose                   // a method was proposed; a Nak is allowed
	stMethod                    // inside the method
	stDone
)

// Conversation is the state of one EAP authentication.
type Conversation struct {
	mu       sync.Mutex
	st       convState
	reqID    byte // identifier of the last Request sent
	sentReq  bool
	identity string
	method   byte
	ms       *mschap
	peap     *peapState
	final    Result
	lastIn   []byte
	lastRes  Result
	idle     *time.Timer
	closed   bool
	nakCount int
	fragSize int // 0: Config.FragmentSize
}

// SetFragmentSize sets the most TLS data one EAP-Request of this
// conversation carries, overriding Config.FragmentSize; NPS sizes fragments
// from the Framed-MTU the NAS sends (RFC 3579 §2.2), less the EAP and
// PEAP headers. Values outside 64-MaxMessage are ignored.
func (c *Conversation) SetFragmentSize(n int) {
	if n < 64 || n > MaxMessage {
		return
	}
	c.mu.Lock()
	c.fragSize = n
	c.mu.Unlock()
}

// NewConversation starts a conversation. The first message given to Step is
// normally the EAP-Response/Identity the NAS forwarded; an empty message
// (EAP-Start) makes the server ask for the identity.
func (s *Server) NewConversation() *Conversation {
	return &Conversation{}
}

// Close releases the conversation's resources (the TLS session of PEAP). It
// is safe to call more than once and after the conversation is done.
func (c *Conversation) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closeLocked()
}

func (c *Conversation) closeLocked() {
	c.closed = true
	if c.idle != nil {
		c.idle.Stop()
	}
	if c.peap != nil {
		c.peap.close()
	}
}

// Done reports whether the conversation has ended.
func (c *Conversation) Done() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.st == stDone
}

// Step processes one EAP packet from the peer and returns the reply.
// A packet identical to the previous one (a retransmission) gets the
// previous Result again.
func (s *Server) Step(ctx context.Context, c *Conversation, eapMsg []byte) Result {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.st == stDone {
		if c.lastIn != nil && bytes.Equal(eapMsg, c.lastIn) {
			return c.lastRes
		}
		return Result{Done: true, Identity: c.identity, Method: methodName(c.method), Err: ErrDone}
	}
	if c.closed {
		return c.finish(Result{Err: ErrIdle}, failure(c.reqID))
	}
	if c.lastIn != nil && bytes.Equal(eapMsg, c.lastIn) {
		return c.lastRes
	}
	if err := ctx.Err(); err != nil {
		return c.finish(Result{Err: err}, failure(c.reqID))
	}
	res := s.step(ctx, c, eapMsg)
	res.Identity = c.identity
	if res.Method == "" {
		res.Method = methodName(c.method)
	}
	if res.Done {
		c.st = stDone
		c.closeLocked()
	} else {
		c.armIdle(s.cfg.IdleTimeout)
	}
	c.lastIn = append(c.lastIn[:0], eapMsg...)
	c.lastRes = res
	return res
}

func (c *Conversation) armIdle(d time.Duration) {
	if c.idle == nil {
		c.idle = time.AfterFunc(d, c.Close)
		return
	}
	c.idle.Reset(d)
}

// finish ends the conversation with res and reply.
func (c *Conversation) finish(res Result, reply []byte) Result {
	res.Done = true
	res.Reply = reply
	res.Identity = c.identity
	if res.Method == "" {
		res.Method = methodName(c.method)
	}
	c.st = stDone
	c.closeLocked()
	return res
}

// packet is a decoded EAP packet.
type packet struct {
	code, id byte
	typ      byte   // 0 for Success/Failure
	data     []byte // after the type octet
}

func parsePacket(b []byte) (packet, error) {
	if len(b) < 4 {
		return packet{}, fmt.Errorf("%w: EAP packet of %d bytes", ErrProtocol, len(b))
	}
	n := int(b[2])<<8 | int(b[3])
	if n < 4 || n > len(b) {
		return packet{}, fmt.Errorf("%w: EAP length %d, packet of %d bytes", ErrProtocol, n, len(b))
	}
	p := packet{code: b[0], id: b[1]}
	if p.code == CodeRequest || p.code == CodeResponse {
		if n < 5 {
			return packet{}, fmt.Errorf("%w: EAP %s without a type", ErrProtocol, codeName(p.code))
		}
		p.typ = b[4]
		p.data = b[5:n]
	}
	return p, nil
}

func codeName(c byte) string {
	switch c {
	case CodeRequest:
		return "Request"
	case CodeResponse:
		return "Response"
	case CodeSuccess:
		return "Success"
	case CodeFailure:
		return "Failure"
	}
	return fmt.Sprintf("code %d", c)
}

// encode builds an EAP packet: code, id and, for Request and Response, the
// type and data.
func encode(code, id, typ byte, data ...[]byte) []byte {
	n := 4
	if code == CodeRequest || code == CodeResponse {
		n++
		for _, d := range data {
			n += len(d)
		}
	}
	b := make([]byte, 4, n)
	b[0], b[1], b[2], b[3] = code, id, byte(n>>8), byte(n)
	if code == CodeRequest || code == CodeResponse {
		b = append(b, typ)
		for _, d := range data {
			b = append(b, d...)
		}
	}
	return b
}

func failure(id byte) []byte { return encode(CodeFailure, id, 0) }
func success(id byte) []byte { return encode(CodeSuccess, id, 0) }

// request sends a Request with the next identifier.
func (c *Conversation) request(typ byte, data ...[]byte) Result {
	if c.sentReq {
		c.reqID++
	}
	c.sentReq = true
	return Result{Reply: encode(CodeRequest, c.reqID, typ, data...)}
}

func (s *Server) step(ctx context.Context, c *Conversation, msg []byte) Result {
	if len(msg) > MaxMessage {
		return c.finish(Result{Err: fmt.Errorf("%w: EAP message of %d bytes", ErrProtocol, len(msg))}, failure(c.reqID))
	}
	if len(msg) == 0 {
		// EAP-Start: ask for the identity.
		if c.st != stIdentity {
			return c.finish(Result{Err: fmt.Errorf("%w: empty EAP-Message inside a conversation", ErrProtocol)}, failure(c.reqID))
		}
		return c.request(TypeIdentity)
	}
	p, err := parsePacket(msg)
	if err != nil {
		return c.finish(Result{Err: err}, failure(c.reqID))
	}
	if p.code != CodeResponse {
		return c.finish(Result{Err: fmt.Errorf("%w: EAP %s from the peer", ErrProtocol, codeName(p.code))}, failure(c.reqID))
	}
	if c.sentReq && p.id != c.reqID {
		return c.finish(Result{Err: fmt.Errorf("%w: EAP identifier %d, expected %d", ErrProtocol, p.id, c.reqID)}, failure(c.reqID))
	}
	if !c.sentReq {
		c.reqID = p.id
		c.sentReq = true
	}
	switch c.st {
	case stIdentity:
		if p.typ != TypeIdentity {
			return c.finish(Result{Err: fmt.Errorf("%w: expected EAP-Response/Identity, got type %d", ErrProtocol, p.typ)}, failure(c.reqID))
		}
		c.identity = string(p.data)
		return s.propose(c, s.types[0])
	case stPropose:
		if p.typ == TypeNak {
			c.nakCount++
			for _, want := range p.data {
				if bytes.IndexByte(s.types, want) >= 0 && want != c.method {
					return s.propose(c, want)
				}
			}
			return c.finish(Result{Err: fmt.Errorf("%w: peer asked for types %v", ErrMethodNotAllowed, p.data)}, failure(c.reqID))
		}
		if p.typ != c.method {
			return c.finish(Result{Err: fmt.Errorf("%w: peer answered type %d to a type %d request", ErrProtocol, p.typ, c.method)}, failure(c.reqID))
		}
		c.st = stMethod
		fallthrough
	default:
		if p.typ != c.method {
			return c.finish(Result{Err: fmt.Errorf("%w: peer answered type %d inside %s", ErrProtocol, p.typ, methodName(c.method))}, failure(c.reqID))
		}
		switch c.method {
		case TypeMSCHAPv2:
			return s.stepMSCHAP(ctx, c, p)
		default:
			return s.stepPEAP(ctx, c, p)
		}
	}
}

// propose starts method t.
func (s *Server) propose(c *Conversation, t byte) Result {
	c.method = t
	c.st = stPropose
	switch t {
	case TypeMSCHAPv2:
		c.ms = newMSCHAP(s)
		return c.request(TypeMSCHAPv2, c.ms.challengePacket())
	default:
		if c.peap != nil {
			c.peap.close()
		}
		ps, err := newPEAP(s)
		if err != nil {
			return c.finish(Result{Err: err}, failure(c.reqID))
		}
		c.peap = ps
		return c.request(TypePEAP, []byte{peapFlagStart | peapVersion})
	}
}

// stepMSCHAP runs outer EAP-MSCHAPv2.
func (s *Server) stepMSCHAP(ctx context.Context, c *Conversation, p packet) Result {
	out, st := c.ms.handle(ctx, p.data)
	res := Result{InnerUser: c.ms.user, MSCHAPError: c.ms.msError, Err: c.ms.err}
	switch st {
	case msContinue:
		r := c.request(TypeMSCHAPv2, out)
		res.Reply = r.Reply
		return res
	case msSuccess:
		res.Success = true
		res.RecvKey, res.SendKey = c.ms.recvKey, c.ms.sendKey
		return c.finish(res, success(c.reqID))
	default:
		return c.finish(res, failure(c.reqID))
	}
}
