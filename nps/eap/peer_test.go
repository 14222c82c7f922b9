package eap

import (
	"bytes"
	"context"
	"testing"

	"github.com/radscope/radscope/replay/supplicant"
)

// testPeer drives a Server the way a NAS relays a supplicant: the EAP peer
// of package replay/supplicant (EAP-Identity, Nak, EAP-MSCHAPv2 and PEAPv0
// with crypto/tls as the client), configured from a test case.
type testPeer struct {
	identity, user, password string
	// nak lists the types to propose in a Nak when the server offers
	// another; a 0 in it makes the peer refuse MS-CHAPv2 inside PEAP.
	nak      []byte
	fragSize int // client TLS fragment size (0: the supplicant's default)

	// observed
	authOK      bool   // the server's MS-CHAPv2 authenticator response verified
	ntResponse  []byte // for key checks
	msk         []byte // PEAP client MSK
	sawFragment bool   // the server fragmented a message
	sent        [][]byte

	conn  *supplicant.Peer // the peer, once created (Close releases its TLS state)
	trust *supplicant.Trust
}

type exchange struct {
	steps  int
	last   Result
	allRes []Result
}

func (p *testPeer) peer() (*supplicant.Peer, error) {
	if p.conn != nil {
		return p.conn, nil
	}
	cfg := supplicant.Config{Identity: p.identity, User: p.user, Password: p.password, FragmentSize: p.fragSize}
	if i := bytes.IndexByte(p.nak, 0); i >= 0 {
		cfg.InnerMethods = []byte{}
		if rest := append(bytes.Clone(p.nak[:i]), p.nak[i+1:]...); len(rest) > 0 {
			cfg.Methods = rest
		}
	} else if len(p.nak) > 0 {
		cfg.Methods = p.nak
	}
	if p.trust == nil {
		// Driven message by message, the server's certificate is not
		// known: any is accepted, as a lab supplicant would.
		p.trust = &supplicant.Trust{Insecure: true}
	}
	cfg.Verify = p.trust.Verify
	sp, err := supplicant.New(cfg)
	if err != nil {
		return nil, err
	}
	p.conn = sp
	return sp, nil
}

func (p *testPeer) observe() {
	r := p.conn.Result()
	p.authOK = r.ServerAuthenticated
	p.ntResponse = r.NTResponse
	p.msk = r.MSK
	p.sawFragment = p.sawFragment || r.ServerFragmented
}

// run performs a whole conversation and returns the final Result. The
// peer trusts exactly the server's certificate.
func (p *testPeer) run(t testing.TB, srv *Server) exchange {
	t.Helper()
	cert, err := srv.Certificate()
	if err != nil {
		t.Fatal(err)
	}
	p.trust = &supplicant.Trust{Pinned: [][]byte{cert.Certificate[0]}}
	sp, err := p.peer()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	conv := srv.NewConversation()
	defer conv.Close()
	defer sp.Close()
	msg := sp.Start(7)
	var ex exchange
	for ex.steps = 1; ex.steps < 200; ex.steps++ {
		p.sent = append(p.sent, msg)
		res := srv.Step(ctx, conv, msg)
		ex.allRes = append(ex.allRes, res)
		ex.last = res
		if res.Done {
			if _, err := sp.Respond(res.Reply); err != nil && res.Success {
				t.Fatalf("peer on EAP-Success: %v", err)
			}
			p.observe()
			return ex
		}
		req, err := parsePacket(res.Reply)
		if err != nil || req.code != CodeRequest {
			t.Fatalf("server sent %x: %v", res.Reply, err)
		}
		if msg, err = p.answer(req); err != nil {
			t.Fatalf("peer: %v", err)
		}
	}
	t.Fatalf("no end after %d steps", ex.steps)
	return ex
}

// answer answers one request of the server.
func (p *testPeer) answer(req packet) ([]byte, error) {
	sp, err := p.peer()
	if err != nil {
		return nil, err
	}
	out, err := sp.Respond(encode(req.code, req.id, req.typ, req.data))
	p.observe()
	return out, err
}
