package eap

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/tls"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"strings"
	"sync"

	"github.com/radscope/radscope/internal/memconn"
)

// PEAP flags (draft-josefsson-pppext-eap-tls-eap §3.1, RFC 5216 §3.1).
const (
	peapFlagLength = 0x80
	peapFlagMore   = 0x40
	peapFlagStart  = 0x20
	peapVersion    = 0 // PEAPv0
)

// Result TLV (PEAPv0 "EAP-TLV" / Extensions, draft-kamath-pppext-peapv0 §2).
const (
	tlvResult       = 3
	tlvResultOK     = 1
	tlvResultFailed = 2
)

// keyLabel is the PRF label of the PEAP (RFC 5216 §2.3) MSK.
const keyLabel = "client EAP encryption"

type peapPhase uint8

const (
	phaseHandshake peapPhase = iota
	phaseAwaitAck            // server Finished sent; waiting for the peer's ack
	phaseIdentity            // inner Identity request sent
	phaseMSCHAP              // inside inner EAP-MSCHAPv2
	phaseResult              // Result TLV sent
)

// peapState is the server side of one PEAPv0 session.
type peapState struct {
	s       *Server
	conn    *memconn.Conn
	tls     *tls.Conn
	hsDone  chan error
	started bool
	phase   peapPhase
	keylog  keyLog
	first   []byte // the server's first flight, for the ServerHello random

	rx      []byte // reassembled TLS data from the peer
	rxTotal int    // the L value of the message being reassembled
	tx      []byte // TLS data still to send
	txTotal int

	inner    *mschap
	innerOK  bool
	innerErr error
	msk      []byte
	closeMu  sync.Once
}

func newPEAP(s *Server) (*peapState, error) {
	cert, err := s.Certificate()
	if err != nil {
		return nil, err
	}
	ps := &peapState{s: s, conn: memconn.New("eap", 4*MaxMessage), hsDone: make(chan error, 1)}
	cfg := &tls.Config{
		Certificates:           []tls.Certificate{cert},
		MinVersion:             tls.VersionTLS12,
		MaxVersion:             tls.VersionTLS12,
		SessionTicketsDisabled: true,
		Rand:                   randReader{s.cfg.Rand},
		Time:                   s.cfg.Time,
		KeyLogWriter:           &ps.keylog,
	}
	ps.tls = tls.Server(ps.conn, cfg)
	return ps, nil
}

type randReader struct {
	r interface{ Read([]byte) (int, error) }
}

func (r randReader) Read(b []byte) (int, error) {
	fillRandom(r.r, b)
	return len(b), nil
}

func (ps *peapState) close() {
	ps.closeMu.Do(func() { ps.conn.Close() })
}

// keyLog captures the master secret from the NSS key log line crypto/tls
// writes, for the MSK when the exporter is unavailable (a peer without the
// extended master secret).
type keyLog struct {
	mu     sync.Mutex
	random []byte
	master []byte
}

func (k *keyLog) Write(p []byte) (int, error) {
	f := strings.Fields(string(p))
	if len(f) == 3 && f[0] == "CLIENT_RANDOM" {
		r, err1 := hex.DecodeString(f[1])
		m, err2 := hex.DecodeString(f[2])
		if err1 == nil && err2 == nil {
			k.mu.Lock()
			k.random, k.master = r, m
			k.mu.Unlock()
		}
	}
	return len(p), nil
}

func (s *Server) stepPEAP(ctx context.Context, c *Conversation, p packet) Result {
	ps := c.peap
	fail := func(err error) Result {
		return c.finish(s.peapResult(ps, Result{Err: err}), failure(c.reqID))
	}
	d := p.data
	if len(d) < 1 {
		return fail(fmt.Errorf("%w: PEAP response without flags", ErrProtocol))
	}
	flags := d[0]
	d = d[1:]
	if flags&peapFlagLength != 0 {
		if len(d) < 4 {
			return fail(fmt.Errorf("%w: PEAP L flag without a length", ErrProtocol))
		}
		total := int(binary.BigEndian.Uint32(d))
		d = d[4:]
		if total > MaxMessage {
			return fail(fmt.Errorf("%w: PEAP message of %d bytes", ErrProtocol, total))
		}
		if len(ps.rx) == 0 {
			ps.rxTotal = total
		}
	}
	if len(ps.tx) > 0 {
		// We are sending fragments: the peer must acknowledge each.
		if len(d) != 0 || flags&peapFlagMore != 0 {
			return fail(fmt.Errorf("%w: PEAP data while the server was sending fragments", ErrProtocol))
		}
		return ps.sendFragment(c)
	}
	if len(ps.rx)+len(d) > MaxMessage || (ps.rxTotal > 0 && len(ps.rx)+len(d) > ps.rxTotal) {
		return fail(fmt.Errorf("%w: PEAP fragments exceed the announced length", ErrProtocol))
	}
	ps.rx = append(ps.rx, d...)
	if flags&peapFlagMore != 0 {
		return c.request(TypePEAP, []byte{peapVersion}) // acknowledge the fragment
	}
	msg := ps.rx
	ps.rx, ps.rxTotal = nil, 0

	switch ps.phase {
	case phaseHandshake:
		if len(msg) == 0 {
			return fail(fmt.Errorf("%w: empty PEAP response during the TLS handshake", ErrProtocol))
		}
		out, done, err := ps.handshake(ctx, msg)
		if err != nil {
			if ctx.Err() != nil {
				return fail(err)
			}
			return fail(fmt.Errorf("%w: TLS handshake: %w", ErrProtocol, err))
		}
		if done {
			ps.phase = phaseAwaitAck
			if err := ps.deriveMSK(); err != nil {
				return fail(err)
			}
		}
		if len(out) == 0 {
			return fail(fmt.Errorf("%w: TLS record incomplete", ErrProtocol))
		}
		return ps.send(c, out)
	case phaseAwaitAck:
		if len(msg) != 0 {
			return fail(fmt.Errorf("%w: PEAP data where an acknowledgement was expected", ErrProtocol))
		}
		ps.phase = phaseIdentity
		// The inner Identity request goes with its EAP header, as FreeRADIUS
		// and NPS send it; peers take both forms.
		return ps.sendInner(c, encode(CodeRequest, c.reqID+1, TypeIdentity))
	}
	plain, err := ps.decrypt(msg)
	if err != nil {
		return fail(fmt.Errorf("%w: PEAP tunnel: %w", ErrProtocol, err))
	}
	if len(plain) == 0 {
		return fail(fmt.Errorf("%w: PEAP response without tunnelled data", ErrProtocol))
	}
	return s.peapInner(ctx, c, plain)
}

// peapResult fills the inner fields of a PEAP result.
func (s *Server) peapResult(ps *peapState, r Result) Result {
	r.Method = MethodPEAP
	if ps != nil && ps.inner != nil {
		r.InnerUser = ps.inner.user
		r.MSCHAPError = ps.inner.msError
		if r.Err == nil {
			r.Err = ps.innerErr
		}
	}
	return r
}

// peapInner handles one tunnelled EAP response. PEAPv0 peers send them
// without the EAP header (type first), except the Extensions response.
func (s *Server) peapInner(ctx context.Context, c *Conversation, plain []byte) Result {
	ps := c.peap
	fail := func(err error) Result {
		return c.finish(s.peapResult(ps, Result{Err: err}), failure(c.reqID))
	}
	typ, data := plain[0], plain[1:]
	if len(plain) >= 5 && plain[0] == CodeResponse && int(binary.BigEndian.Uint16(plain[2:4])) == len(plain) {
		typ, data = plain[4], plain[5:]
	}
	switch ps.phase {
	case phaseIdentity:
		if typ != TypeIdentity {
			return fail(fmt.Errorf("%w: inner type %d, expected Identity", ErrProtocol, typ))
		}
		ps.inner = newMSCHAP(s)
		ps.phase = phaseMSCHAP
		return ps.sendInner(c, append([]byte{TypeMSCHAPv2}, ps.inner.challengePacket()...))
	case phaseMSCHAP:
		if typ == TypeNak {
			ps.innerErr = fmt.Errorf("%w: peer refused inner EAP-MSCHAPv2", ErrMethodNotAllowed)
			return ps.sendResult(c, false)
		}
		if typ != TypeMSCHAPv2 {
			return fail(fmt.Errorf("%w: inner type %d inside EAP-MSCHAPv2", ErrProtocol, typ))
		}
		out, st := ps.inner.handle(ctx, data)
		switch st {
		case msContinue:
			return ps.sendInner(c, append([]byte{TypeMSCHAPv2}, out...))
		case msSuccess:
			ps.innerOK = true
			return ps.sendResult(c, true)
		default:
			if ctx.Err() != nil {
				return fail(ctx.Err())
			}
			ps.innerErr = ps.inner.err
			return ps.sendResult(c, false)
		}
	case phaseResult:
		if typ != TypeExtensions {
			return fail(fmt.Errorf("%w: inner type %d, expected the Result TLV", ErrProtocol, typ))
		}
		status, ok := resultTLV(data)
		if !ok {
			return fail(fmt.Errorf("%w: Extensions response without a Result TLV", ErrProtocol))
		}
		if ps.innerOK && status == tlvResultOK {
			r := s.peapResult(ps, Result{Success: true})
			r.RecvKey = append([]byte(nil), ps.msk[:32]...)
			r.SendKey = append([]byte(nil), ps.msk[32:64]...)
			return c.finish(r, success(c.reqID))
		}
		if ps.innerOK {
			return fail(fmt.Errorf("%w: peer answered the success Result TLV with status %d", ErrProtocol, status))
		}
		return fail(nil)
	}
	return fail(fmt.Errorf("%w: PEAP in phase %d", ErrProtocol, ps.phase))
}

// resultTLV finds the Result TLV among the TLVs of an Extensions packet.
func resultTLV(d []byte) (uint16, bool) {
	for len(d) >= 4 {
		t := binary.BigEndian.Uint16(d) & 0x3fff
		n := int(binary.BigEndian.Uint16(d[2:]))
		if len(d) < 4+n {
			return 0, false
		}
		if t == tlvResult && n == 2 {
			return binary.BigEndian.Uint16(d[4:]), true
		}
		d = d[4+n:]
	}
	return 0, false
}

// sendResult sends the Result TLV (mandatory bit set) inside the tunnel.
func (ps *peapState) sendResult(c *Conversation, ok bool) Result {
	status := byte(tlvResultFailed)
	if ok {
		status = tlvResultOK
	}
	ps.phase = phaseResult
	return ps.sendInner(c, encode(CodeRequest, c.reqID+1, TypeExtensions, []byte{0x80, tlvResult, 0, 2, 0, status}))
}

// sendInner encrypts an inner packet and sends it.
func (ps *peapState) sendInner(c *Conversation, plain []byte) Result {
	if _, err := ps.tls.Write(plain); err != nil {
		return c.finish(ps.s.peapResult(ps, Result{Err: fmt.Errorf("%w: PEAP tunnel: %w", ErrProtocol, err)}), failure(c.reqID))
	}
	return ps.send(c, ps.conn.Take())
}

// send starts sending TLS data, fragmented to Config.FragmentSize.
func (ps *peapState) send(c *Conversation, out []byte) Result {
	ps.tx, ps.txTotal = out, len(out)
	return ps.sendFragment(c)
}

func (ps *peapState) sendFragment(c *Conversation) Result {
	size := ps.s.cfg.FragmentSize
	if c.fragSize > 0 {
		size = c.fragSize
	}
	n := min(len(ps.tx), size)
	flags := byte(peapVersion)
	var length []byte
	if ps.txTotal > size {
		if len(ps.tx) == ps.txTotal {
			flags |= peapFlagLength
			length = binary.BigEndian.AppendUint32(nil, uint32(ps.txTotal))
		}
		if n < len(ps.tx) {
			flags |= peapFlagMore
		}
	}
	chunk := ps.tx[:n]
	ps.tx = ps.tx[n:]
	if len(ps.tx) == 0 {
		ps.tx, ps.txTotal = nil, 0
	}
	r := c.request(TypePEAP, []byte{flags}, length, chunk)
	r.Method = MethodPEAP
	return r
}

// handshake feeds the peer's flight to the TLS server and returns the
// server's answer; done reports the end of the handshake.
func (ps *peapState) handshake(ctx context.Context, msg []byte) (out []byte, done bool, err error) {
	ps.conn.Feed(msg)
	if !ps.started {
		ps.started = true
		go func() { ps.hsDone <- ps.tls.HandshakeContext(context.Background()) }()
	}
	select {
	case <-ps.conn.Waiting():
		out = ps.conn.Take()
	case err = <-ps.hsDone:
		out = ps.conn.Take()
		if err == nil {
			done = true
			ps.conn.SetBlocking(false)
		}
	case <-ctx.Done():
		return nil, false, ctx.Err()
	}
	if ps.first == nil {
		ps.first = append([]byte(nil), out...)
	}
	return out, done, err
}

// decrypt feeds TLS records to the tunnel and returns the application data.
func (ps *peapState) decrypt(msg []byte) ([]byte, error) {
	ps.conn.Feed(msg)
	var plain []byte
	var buf [4096]byte
	for {
		n, err := ps.tls.Read(buf[:])
		plain = append(plain, buf[:n]...)
		if len(plain) > MaxMessage {
			return nil, errors.New("tunnelled data too long")
		}
		if err != nil {
			if errors.Is(err, memconn.ErrWouldBlock) {
				return plain, nil
			}
			return nil, err
		}
	}
}

// deriveMSK computes the 64-octet MSK: TLS-PRF(master secret, "client EAP
// encryption", client random || server random), RFC 5216 §2.3. crypto/tls
// exports it when the extended master secret was negotiated; otherwise it is
// computed from the master secret crypto/tls logs.
func (ps *peapState) deriveMSK() error {
	st := ps.tls.ConnectionState()
	if msk, err := st.ExportKeyingMaterial(keyLabel, nil, 64); err == nil {
		ps.msk = msk
		return nil
	}
	ps.keylog.mu.Lock()
	cr, master := ps.keylog.random, ps.keylog.master
	ps.keylog.mu.Unlock()
	sr, ok := serverRandom(ps.first)
	if len(cr) != 32 || len(master) != 48 || !ok {
		return fmt.Errorf("%w: no TLS master secret for the PEAP keys", ErrProtocol)
	}
	ps.msk = prf12(suiteHash(st.CipherSuite), master, keyLabel, append(append([]byte(nil), cr...), sr...), 64)
	return nil
}

// serverRandom finds the ServerHello random at the start of the server's
// first flight.
func serverRandom(flight []byte) ([]byte, bool) {
	// record header(5) | handshake type(1) length(3) | version(2) | random(32)
	if len(flight) < 5+4+2+32 || flight[0] != 22 || flight[5] != 2 {
		return nil, false
	}
	return flight[11:43], true
}

func suiteHash(id uint16) func() hash.Hash {
	if strings.HasSuffix(tls.CipherSuiteName(id), "SHA384") {
		return sha512.New384
	}
	return sha256.New
}

// prf12 is the TLS 1.2 PRF (RFC 5246 §5).
func prf12(h func() hash.Hash, secret []byte, label string, seed []byte, n int) []byte {
	s := append([]byte(label), seed...)
	mac := hmac.New(h, secret)
	mac.Write(s)
	a := mac.Sum(nil)
	var out bytes.Buffer
	for out.Len() < n {
		mac.Reset()
		mac.Write(a)
		mac.Write(s)
		out.Write(mac.Sum(nil))
		mac.Reset()
		mac.Write(a)
		a = mac.Sum(nil)
	}
	return out.Bytes()[:n]
}
