package eap

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"

	"layeh.com/radius/rfc2759"
)

// testPeer is a hand-written EAP peer (supplicant) that drives a Server the
// way a NAS relays it: EAP-Identity, Nak, EAP-MSCHAPv2 and PEAPv0 with
// crypto/tls as the client.
type testPeer struct {
	identity, user, password string
	nak                      []byte // types to Nak with, when the server proposes something else
	fragSize                 int    // client TLS fragment size (0: no fragmentation)

	// observed
	authOK      bool   // the server's MS-CHAPv2 authenticator response verified
	ntResponse  []byte // for key checks
	msk         []byte // PEAP client MSK
	peapVersion byte
	sawFragment bool     // the server fragmented a message
	sent        [][]byte // every message given to Step

	// PEAP client state
	conn     *memConn
	tls      *tls.Conn
	hsDone   chan error
	hsOK     bool
	rx       []byte
	tx       []byte
	msCh     []byte // MS-CHAPv2 authenticator challenge
	msPeerCh []byte
}

type exchange struct {
	steps  int
	last   Result
	allRes []Result
}

// run performs a whole conversation and returns the final Result.
func (p *testPeer) run(t testing.TB, srv *Server) exchange {
	t.Helper()
	ctx := context.Background()
	conv := srv.NewConversation()
	defer conv.Close()
	defer func() {
		if p.conn != nil {
			p.conn.Close()
		}
	}()
	msg := encode(CodeResponse, 7, TypeIdentity, []byte(p.identity))
	var ex exchange
	for ex.steps = 1; ex.steps < 200; ex.steps++ {
		p.sent = append(p.sent, msg)
		res := srv.Step(ctx, conv, msg)
		ex.allRes = append(ex.allRes, res)
		ex.last = res
		if res.Done {
			return ex
		}
		req, err := parsePacket(res.Reply)
		if err != nil || req.code != CodeRequest {
			t.Fatalf("server sent %x: %v", res.Reply, err)
		}
		msg, err = p.answer(req)
		if err != nil {
			t.Fatalf("peer: %v", err)
		}
	}
	t.Fatalf("no end after %d steps", ex.steps)
	return ex
}

func (p *testPeer) answer(req packet) ([]byte, error) {
	switch req.typ {
	case TypeIdentity:
		return encode(CodeResponse, req.id, TypeIdentity, []byte(p.identity)), nil
	case TypeMSCHAPv2:
		if bytes.IndexByte(p.nak, TypeMSCHAPv2) < 0 && len(p.nak) > 0 {
			return encode(CodeResponse, req.id, TypeNak, p.nak), nil
		}
		out, err := p.mschap(req.data)
		if err != nil {
			return nil, err
		}
		return encode(CodeResponse, req.id, TypeMSCHAPv2, out), nil
	case TypePEAP:
		if bytes.IndexByte(p.nak, TypePEAP) < 0 && len(p.nak) > 0 {
			return encode(CodeResponse, req.id, TypeNak, p.nak), nil
		}
		out, err := p.peap(req.data)
		if err != nil {
			return nil, err
		}
		return encode(CodeResponse, req.id, TypePEAP, out), nil
	}
	return nil, fmt.Errorf("request type %d", req.typ)
}

// mschap answers an MS-CHAPv2 request (bytes after the type octet).
func (p *testPeer) mschap(d []byte) ([]byte, error) {
	if len(d) < 4 {
		return nil, errors.New("short MS-CHAPv2 request")
	}
	switch d[0] {
	case msOpChallenge:
		if d[4] != 16 || len(d) < 21 {
			return nil, errors.New("bad challenge")
		}
		p.msCh = append([]byte(nil), d[5:21]...)
		p.msPeerCh = make([]byte, 16)
		rand.Read(p.msPeerCh)
		user := p.user
		if i := strings.LastIndexByte(user, '\\'); i >= 0 {
			user = user[i+1:]
		}
		nt, err := rfc2759.GenerateNTResponse(p.msCh, p.msPeerCh, []byte(user), []byte(p.password))
		if err != nil {
			return nil, err
		}
		p.ntResponse = nt
		n := 4 + 1 + 49 + len(p.user)
		b := []byte{msOpResponse, d[1], byte(n >> 8), byte(n), 49}
		b = append(b, p.msPeerCh...)
		b = append(b, make([]byte, 8)...)
		b = append(b, nt...)
		b = append(b, 0)
		return append(b, p.user...), nil
	case msOpSuccess:
		user := p.user
		if i := strings.LastIndexByte(user, '\\'); i >= 0 {
			user = user[i+1:]
		}
		want, err := rfc2759.GenerateAuthenticatorResponse(p.msCh, p.msPeerCh, p.ntResponse, []byte(user), []byte(p.password))
		if err != nil {
			return nil, err
		}
		msg := string(d[4:])
		if !strings.HasPrefix(msg, want) {
			return nil, fmt.Errorf("authenticator response %q, want %q", msg, want)
		}
		p.authOK = true
		return []byte{msOpSuccess}, nil
	case msOpFailure:
		return []byte{msOpFailure}, nil
	}
	return nil, fmt.Errorf("MS-CHAPv2 op %d", d[0])
}

// peap answers a PEAP request (bytes after the type octet).
func (p *testPeer) peap(d []byte) ([]byte, error) {
	flags := d[0]
	d = d[1:]
	if flags&peapFlagStart != 0 {
		p.peapVersion = flags & 7
		p.conn = newMemConn()
		p.hsDone = make(chan error, 1)
		p.tls = tls.Client(p.conn, &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS12})
		go func() { p.hsDone <- p.tls.Handshake() }()
		<-p.conn.waiting
		return p.sendTLS(p.conn.take()), nil
	}
	if len(p.tx) > 0 { // the server acknowledged our fragment
		return p.nextFragment(), nil
	}
	if flags&peapFlagLength != 0 {
		d = d[4:]
	}
	p.rx = append(p.rx, d...)
	if flags&peapFlagMore != 0 {
		p.sawFragment = true
		return []byte{0}, nil
	}
	msg := p.rx
	p.rx = nil
	if !p.hsOK {
		p.conn.feed(msg)
		select {
		case <-p.conn.waiting:
		case err := <-p.hsDone:
			if err != nil {
				return nil, err
			}
			p.hsOK = true
			p.conn.setBlocking(false)
			st := p.tls.ConnectionState()
			msk, err := st.ExportKeyingMaterial(keyLabel, nil, 64)
			if err != nil {
				return nil, err
			}
			p.msk = msk
		}
		return p.sendTLS(p.conn.take()), nil
	}
	p.conn.feed(msg)
	var plain []byte
	buf := make([]byte, 4096)
	for {
		n, err := p.tls.Read(buf)
		plain = append(plain, buf[:n]...)
		if err != nil {
			if errors.Is(err, errWouldBlock) {
				break
			}
			return nil, err
		}
	}
	inner, err := p.innerAnswer(plain)
	if err != nil {
		return nil, err
	}
	if _, err := p.tls.Write(inner); err != nil {
		return nil, err
	}
	return p.sendTLS(p.conn.take()), nil
}

// innerAnswer answers a tunnelled request; PEAPv0 compresses the EAP
// header away except for Identity (as sent by the server) and Extensions.
func (p *testPeer) innerAnswer(plain []byte) ([]byte, error) {
	var typ byte
	var data []byte
	full := len(plain) >= 5 && plain[0] == CodeRequest && int(binary.BigEndian.Uint16(plain[2:])) == len(plain)
	if full {
		typ, data = plain[4], plain[5:]
	} else {
		typ, data = plain[0], plain[1:]
	}
	switch typ {
	case TypeIdentity:
		return append([]byte{TypeIdentity}, p.user...), nil
	case TypeMSCHAPv2:
		if bytes.IndexByte(p.nak, 0) >= 0 { // test hook: refuse inner MS-CHAPv2
			return []byte{TypeNak, 0}, nil
		}
		out, err := p.mschap(data)
		if err != nil {
			return nil, err
		}
		return append([]byte{TypeMSCHAPv2}, out...), nil
	case TypeExtensions:
		status, ok := resultTLV(data)
		if !ok {
			return nil, errors.New("no result TLV")
		}
		return encode(CodeResponse, plain[1], TypeExtensions, []byte{0x80, tlvResult, 0, 2, 0, byte(status)}), nil
	}
	return nil, fmt.Errorf("inner type %d (%x)", typ, plain)
}

func (p *testPeer) sendTLS(out []byte) []byte {
	if p.fragSize == 0 || len(out) <= p.fragSize {
		return append([]byte{0}, out...)
	}
	p.tx = out
	first := []byte{peapFlagLength | peapFlagMore}
	first = binary.BigEndian.AppendUint32(first, uint32(len(out)))
	first = append(first, out[:p.fragSize]...)
	p.tx = out[p.fragSize:]
	return first
}

func (p *testPeer) nextFragment() []byte {
	n := min(len(p.tx), p.fragSize)
	flags := byte(0)
	if n < len(p.tx) {
		flags = peapFlagMore
	}
	out := append([]byte{flags}, p.tx[:n]...)
	p.tx = p.tx[n:]
	return out
}
