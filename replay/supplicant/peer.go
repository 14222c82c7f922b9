package supplicant

import (
	"bytes"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"layeh.com/radius/rfc2759"
	"layeh.com/radius/rfc3079"

	"github.com/radscope/radscope/internal/memconn"
)

// PEAP flags (RFC 5216 §3.1) and the PEAPv0 result TLV.
const (
	flagLength = 0x80
	flagMore   = 0x40
	flagStart  = 0x20
	tlvResult  = 3
	tlvOK      = 1
	tlvFailed  = 2
)

// MS-CHAPv2 op codes.
const (
	opChallenge = 1
	opResponse  = 2
	opSuccess   = 3
	opFailure   = 4
)

// keyLabel is the PRF label of the PEAP master session key (RFC 5216 §2.3).
const keyLabel = "client EAP encryption"

// DefaultFragmentSize is the most TLS data the peer puts in one
// EAP-Response, as Windows and wpa_supplicant do.
const DefaultFragmentSize = 1020

// Config configures a Peer.
type Config struct {
	// Identity is the outer identity, sent in EAP-Response/Identity.
	Identity string
	// User is the MS-CHAPv2 user name (DOMAIN\user or user@domain; the
	// domain is left out of the challenge hash as Windows does) and the
	// PEAP inner identity; "" is Identity.
	User     string
	Password string
	// Methods are the EAP types the peer accepts, preferred first, and
	// proposes in a Legacy-Nak when the server offers another; nil accepts
	// PEAP or EAP-MSCHAPv2, whichever is offered.
	Methods []byte
	// InnerMethods are the types accepted inside PEAP; nil is EAP-MSCHAPv2.
	// A non-nil empty list refuses every inner method (Nak with type 0).
	InnerMethods []byte
	// FragmentSize is the most TLS data per EAP-Response (default 1020).
	FragmentSize int
	// Verify checks the PEAP server's certificate chain (leaf first); nil
	// refuses every server, so PEAP needs a Trust or an explicit choice.
	Verify func(chain []*x509.Certificate) error
	// Rand is the TLS and MS-CHAPv2 randomness (default crypto/rand).
	Rand io.Reader
	// Time is the TLS clock (default time.Now).
	Time func() time.Time
}

// Result is what the conversation came to.
type Result struct {
	Method string // PEAP or EAP-MSCHAPv2, "" before a method started
	// Success: EAP-Success arrived after the server authenticated itself.
	Success bool
	// Failure: EAP-Failure arrived (the server rejected the peer).
	Failure bool
	// ServerAuthenticated: the MS-CHAPv2 authenticator response verified.
	ServerAuthenticated bool
	// MSCHAPError is the text of an MS-CHAPv2 Failure-Request (E=691 ...).
	MSCHAPError string
	// MSK is the PEAP master session key (64 octets), nil otherwise.
	MSK []byte
	// NTResponse is the MS-CHAPv2 NT-Response sent, for key checks.
	NTResponse []byte
	// ServerFragmented: the server split a TLS message over requests.
	ServerFragmented bool
	// Rounds counts the requests answered.
	Rounds int
}

// Peer runs one EAP conversation. It is not safe for concurrent use.
type Peer struct {
	cfg    Config
	res    Result
	method byte // the method in progress, 0 before one starts
	done   bool

	// MS-CHAPv2
	authCh, peerCh []byte

	// PEAP
	conn   *memconn.Conn
	tls    *tls.Conn
	hsDone chan error
	hsOK   bool
	rx     []byte
	rxLen  int
	tx     []byte
	result bool // the result TLV said success
}

// New checks cfg and returns a peer.
func New(cfg Config) (*Peer, error) {
	if cfg.Identity == "" && cfg.User == "" {
		return nil, errors.New("supplicant: no identity")
	}
	if cfg.User == "" {
		cfg.User = cfg.Identity
	}
	if cfg.FragmentSize == 0 {
		cfg.FragmentSize = DefaultFragmentSize
	}
	if cfg.FragmentSize < 16 || cfg.FragmentSize > MaxMessage {
		return nil, fmt.Errorf("supplicant: fragment size %d out of range 16-%d", cfg.FragmentSize, MaxMessage)
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.Time == nil {
		cfg.Time = time.Now
	}
	return &Peer{cfg: cfg}, nil
}

// Start returns the EAP-Response/Identity with identifier id, the
// EAP-Message of the first Access-Request.
func (p *Peer) Start(id byte) []byte {
	return Encode(CodeResponse, id, TypeIdentity, []byte(p.cfg.Identity))
}

// Keys are the MS-MPPE-Recv-Key and MS-MPPE-Send-Key the server should
// hand the NAS for this peer: the halves of the PEAP MSK, or the
// MS-CHAPv2 start keys of RFC 3079 for EAP-MSCHAPv2; nil before the method
// succeeded.
func (p *Peer) Keys() (recv, send []byte) {
	switch {
	case !p.res.ServerAuthenticated:
		return nil, nil
	case p.method == TypePEAP && len(p.res.MSK) == 64:
		return p.res.MSK[:32], p.res.MSK[32:]
	case p.method == TypeMSCHAPv2:
		recv, err1 := rfc3079.MakeKey(p.res.NTResponse, []byte(p.cfg.Password), false)
		send, err2 := rfc3079.MakeKey(p.res.NTResponse, []byte(p.cfg.Password), true)
		if err1 != nil || err2 != nil {
			return nil, nil
		}
		return recv, send
	}
	return nil, nil
}

// Result returns what the conversation came to so far.
func (p *Peer) Result() Result { return p.res }

// Done reports that EAP-Success or EAP-Failure arrived.
func (p *Peer) Done() bool { return p.done }

// Close releases the TLS session.
func (p *Peer) Close() error {
	if p.conn != nil {
		p.conn.Close()
	}
	return nil
}

// Respond answers one EAP packet from the server: the EAP-Response to send
// for a Request, nil for Success and Failure. An error ends the
// conversation: the peer would send nothing more.
func (p *Peer) Respond(msg []byte) ([]byte, error) {
	pk, err := Parse(msg)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrProtocol, err)
	}
	switch pk.Code {
	case CodeSuccess:
		p.done = true
		if !p.res.ServerAuthenticated || p.method == TypePEAP && !p.result {
			return nil, ErrServerNotAuthenticated
		}
		p.res.Success = true
		return nil, nil
	case CodeFailure:
		p.done = true
		p.res.Failure = true
		return nil, nil
	case CodeResponse:
		return nil, fmt.Errorf("%w: EAP-Response from the server", ErrProtocol)
	}
	if p.done {
		return nil, fmt.Errorf("%w: EAP-Request after the end", ErrProtocol)
	}
	p.res.Rounds++
	switch pk.Type {
	case TypeIdentity:
		return Encode(CodeResponse, pk.ID, TypeIdentity, []byte(p.cfg.Identity)), nil
	case 2: // Notification: acknowledged with an empty one (RFC 3748 §5.2)
		return Encode(CodeResponse, pk.ID, 2), nil
	case TypeNak:
		return nil, fmt.Errorf("%w: Nak from the server", ErrProtocol)
	}
	if p.method != 0 && pk.Type != p.method {
		return nil, fmt.Errorf("%w: %s request in the middle of %s", ErrProtocol, MethodName(pk.Type), MethodName(p.method))
	}
	if p.method == 0 {
		if !p.accepts(pk.Type) {
			return Encode(CodeResponse, pk.ID, TypeNak, p.nakList()), nil
		}
		if pk.Type != TypePEAP && pk.Type != TypeMSCHAPv2 {
			return nil, fmt.Errorf("%w: %s", ErrMethod, MethodName(pk.Type))
		}
		p.method = pk.Type
		p.res.Method = MethodName(pk.Type)
	}
	var out []byte
	if p.method == TypePEAP {
		out, err = p.peap(pk.Data)
	} else {
		out, err = p.mschap(pk.Data)
	}
	if err != nil {
		return nil, err
	}
	return Encode(CodeResponse, pk.ID, p.method, out), nil
}

func (p *Peer) accepts(t byte) bool {
	if p.cfg.Methods == nil {
		return t == TypePEAP || t == TypeMSCHAPv2
	}
	return bytes.IndexByte(p.cfg.Methods, t) >= 0
}

func (p *Peer) nakList() []byte {
	if p.cfg.Methods == nil {
		return []byte{TypePEAP, TypeMSCHAPv2}
	}
	if len(p.cfg.Methods) == 0 {
		return []byte{0}
	}
	return p.cfg.Methods
}

// msUser is the user name of the MS-CHAPv2 challenge hash: without the
// domain (RFC 2759 §8.2, as Windows sends it).
func (p *Peer) msUser() []byte {
	u := p.cfg.User
	if i := strings.LastIndexByte(u, '\\'); i >= 0 {
		u = u[i+1:]
	}
	return []byte(u)
}

// mschap answers an EAP-MSCHAPv2 request (the bytes after the type octet).
func (p *Peer) mschap(d []byte) ([]byte, error) {
	if len(d) < 4 {
		return nil, fmt.Errorf("%w: MS-CHAPv2 request of %d bytes", ErrProtocol, len(d))
	}
	switch d[0] {
	case opChallenge:
		if len(d) < 21 || d[4] != 16 {
			return nil, fmt.Errorf("%w: MS-CHAPv2 challenge without a 16-octet value", ErrProtocol)
		}
		p.authCh = bytes.Clone(d[5:21])
		p.peerCh = make([]byte, 16)
		if _, err := io.ReadFull(p.cfg.Rand, p.peerCh); err != nil {
			return nil, fmt.Errorf("supplicant: %w", err)
		}
		nt, err := rfc2759.GenerateNTResponse(p.authCh, p.peerCh, p.msUser(), []byte(p.cfg.Password))
		if err != nil {
			return nil, fmt.Errorf("supplicant: %w", err)
		}
		p.res.NTResponse = nt
		n := 4 + 1 + 49 + len(p.cfg.User)
		b := []byte{opResponse, d[1], byte(n >> 8), byte(n), 49}
		b = append(b, p.peerCh...)
		b = append(b, make([]byte, 8)...)
		b = append(b, nt...)
		b = append(b, 0)
		return append(b, p.cfg.User...), nil
	case opSuccess:
		if p.res.NTResponse == nil {
			return nil, ErrServerNotAuthenticated
		}
		want, err := rfc2759.GenerateAuthenticatorResponse(p.authCh, p.peerCh, p.res.NTResponse, p.msUser(), []byte(p.cfg.Password))
		if err != nil {
			return nil, fmt.Errorf("supplicant: %w", err)
		}
		got := string(d[4:])
		if len(got) < len(want) || !strings.EqualFold(got[:len(want)], want) {
			return nil, ErrServerNotAuthenticated
		}
		p.res.ServerAuthenticated = true
		return []byte{opSuccess}, nil
	case opFailure:
		p.res.MSCHAPError = string(d[4:])
		return []byte{opFailure}, nil
	}
	return nil, fmt.Errorf("%w: MS-CHAPv2 op code %d", ErrProtocol, d[0])
}

// peap answers a PEAP request (the bytes after the type octet).
func (p *Peer) peap(d []byte) ([]byte, error) {
	if len(d) < 1 {
		return nil, fmt.Errorf("%w: PEAP request without flags", ErrProtocol)
	}
	flags := d[0]
	d = d[1:]
	if flags&flagStart != 0 {
		if p.conn != nil {
			return nil, fmt.Errorf("%w: second PEAP start", ErrProtocol)
		}
		return p.startTLS()
	}
	if p.conn == nil {
		return nil, fmt.Errorf("%w: PEAP data before the start", ErrProtocol)
	}
	if len(p.tx) > 0 { // the server acknowledged a fragment of ours
		if len(d) > 0 {
			return nil, fmt.Errorf("%w: data instead of a fragment acknowledgement", ErrProtocol)
		}
		return p.nextFragment(), nil
	}
	if flags&flagLength != 0 {
		if len(d) < 4 {
			return nil, fmt.Errorf("%w: PEAP length flag without a length", ErrProtocol)
		}
		if p.rx == nil {
			p.rxLen = int(binary.BigEndian.Uint32(d))
		}
		d = d[4:]
	}
	if len(p.rx)+len(d) > MaxMessage {
		return nil, fmt.Errorf("%w: TLS message longer than %d bytes", ErrProtocol, MaxMessage)
	}
	p.rx = append(p.rx, d...)
	if flags&flagMore != 0 {
		p.res.ServerFragmented = true
		return []byte{0}, nil // acknowledge the fragment
	}
	msg := p.rx
	p.rx, p.rxLen = nil, 0
	if !p.hsOK {
		return p.handshake(msg)
	}
	return p.tunnel(msg)
}

func (p *Peer) startTLS() ([]byte, error) {
	p.conn = memconn.New("supplicant", 4*MaxMessage)
	p.hsDone = make(chan error, 1)
	cfg := &tls.Config{
		// The chain is checked by Config.Verify in VerifyConnection, with
		// or without a server name, as Windows's "verify the server's
		// identity" settings allow.
		InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			if p.cfg.Verify == nil {
				return fmt.Errorf("%w: the peer trusts no server", ErrUntrusted)
			}
			if err := p.cfg.Verify(cs.PeerCertificates); err != nil {
				if errors.Is(err, ErrUntrusted) {
					return err
				}
				return fmt.Errorf("%w: %v", ErrUntrusted, err)
			}
			return nil
		},
		MinVersion: tls.VersionTLS12,
		MaxVersion: tls.VersionTLS12, // PEAPv0 as NPS runs it
		Rand:       p.cfg.Rand,
		Time:       p.cfg.Time,
	}
	p.tls = tls.Client(p.conn, cfg)
	go func() { p.hsDone <- p.tls.Handshake() }()
	select {
	case <-p.conn.Waiting():
	case err := <-p.hsDone:
		return nil, tlsError(err)
	}
	return p.sendTLS(p.conn.Take()), nil
}

// tlsError reports a failed handshake; an untrusted certificate as such.
func tlsError(err error) error {
	if errors.Is(err, ErrUntrusted) {
		return err
	}
	return fmt.Errorf("supplicant: TLS: %w", err)
}

// handshake feeds a server flight to the TLS handshake and returns the
// peer's next flight (an empty acknowledgement once it is complete).
func (p *Peer) handshake(msg []byte) ([]byte, error) {
	p.conn.Feed(msg)
	select {
	case <-p.conn.Waiting():
	case err := <-p.hsDone:
		if err != nil {
			return nil, tlsError(err)
		}
		p.hsOK = true
		p.conn.SetBlocking(false)
		cs := p.tls.ConnectionState()
		msk, err := cs.ExportKeyingMaterial(keyLabel, nil, 64)
		if err != nil {
			return nil, fmt.Errorf("supplicant: TLS: %w", err)
		}
		p.res.MSK = msk
	}
	return p.sendTLS(p.conn.Take()), nil
}

// tunnel reads the tunnelled request and writes the answer.
func (p *Peer) tunnel(msg []byte) ([]byte, error) {
	p.conn.Feed(msg)
	var plain []byte
	buf := make([]byte, 4096)
	for {
		n, err := p.tls.Read(buf)
		plain = append(plain, buf[:n]...)
		if err != nil {
			var ne interface{ Temporary() bool }
			if errors.As(err, &ne) && ne.Temporary() {
				break
			}
			return nil, fmt.Errorf("supplicant: TLS: %w", err)
		}
		if len(plain) > MaxMessage {
			return nil, fmt.Errorf("%w: tunnelled message longer than %d bytes", ErrProtocol, MaxMessage)
		}
	}
	if len(plain) == 0 {
		return p.sendTLS(nil), nil
	}
	inner, err := p.inner(plain)
	if err != nil {
		return nil, err
	}
	if _, err := p.tls.Write(inner); err != nil {
		return nil, fmt.Errorf("supplicant: TLS: %w", err)
	}
	return p.sendTLS(p.conn.Take()), nil
}

// inner answers a tunnelled request. PEAPv0 leaves the EAP header out of
// the inner method's packets (the type octet first); Identity may come
// with it, and the Extensions (result TLV) packet always does.
func (p *Peer) inner(plain []byte) ([]byte, error) {
	var typ, id byte
	var data []byte
	if len(plain) >= 5 && plain[0] == CodeRequest && int(binary.BigEndian.Uint16(plain[2:4])) == len(plain) {
		id, typ, data = plain[1], plain[4], plain[5:]
	} else {
		typ, data = plain[0], plain[1:]
	}
	switch typ {
	case TypeIdentity:
		return append([]byte{TypeIdentity}, p.cfg.User...), nil
	case TypeExtensions:
		status, ok := resultTLV(data)
		if !ok {
			return nil, fmt.Errorf("%w: Extensions request without a result TLV", ErrProtocol)
		}
		if status == tlvOK {
			if !p.res.ServerAuthenticated {
				return nil, ErrServerNotAuthenticated
			}
			p.result = true
		}
		return Encode(CodeResponse, id, TypeExtensions, []byte{0x80, tlvResult, 0, 2, 0, byte(status)}), nil
	}
	inner := p.cfg.InnerMethods
	if inner == nil {
		inner = []byte{TypeMSCHAPv2}
	}
	if bytes.IndexByte(inner, typ) < 0 || typ != TypeMSCHAPv2 {
		nak := inner
		if len(nak) == 0 {
			nak = []byte{0}
		}
		return append([]byte{TypeNak}, nak...), nil
	}
	out, err := p.mschap(data)
	if err != nil {
		return nil, err
	}
	return append([]byte{TypeMSCHAPv2}, out...), nil
}

// resultTLV finds the Result TLV's status in an Extensions payload.
func resultTLV(d []byte) (uint16, bool) {
	for len(d) >= 4 {
		t := binary.BigEndian.Uint16(d) & 0x3fff
		n := int(binary.BigEndian.Uint16(d[2:]))
		if 4+n > len(d) {
			return 0, false
		}
		if t == tlvResult && n == 2 {
			return binary.BigEndian.Uint16(d[4:]), true
		}
		d = d[4+n:]
	}
	return 0, false
}

// sendTLS frames the peer's TLS output, fragmenting what does not fit.
func (p *Peer) sendTLS(out []byte) []byte {
	if len(out) <= p.cfg.FragmentSize {
		return append([]byte{0}, out...)
	}
	first := []byte{flagLength | flagMore}
	first = binary.BigEndian.AppendUint32(first, uint32(len(out)))
	first = append(first, out[:p.cfg.FragmentSize]...)
	p.tx = out[p.cfg.FragmentSize:]
	return first
}

func (p *Peer) nextFragment() []byte {
	n := min(len(p.tx), p.cfg.FragmentSize)
	flags := byte(0)
	if n < len(p.tx) {
		flags = flagMore
	}
	out := append([]byte{flags}, p.tx[:n]...)
	p.tx = p.tx[n:]
	if len(p.tx) == 0 {
		p.tx = nil
	}
	return out
}
