package eap

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"layeh.com/radius/rfc2759"
	"layeh.com/radius/rfc3079"
)

var errDisabled = errors.New("account disabled")

// directory is the test directory: alice/Passw0rd!, bob (disabled).
func directory(ctx context.Context, user string) ([16]byte, error) {
	if i := strings.LastIndexByte(user, '\\'); i >= 0 {
		user = user[i+1:]
	}
	switch strings.ToLower(user) {
	case "alice":
		return ntHash("Passw0rd!"), nil
	case "bob":
		return [16]byte{}, &FailureCode{Code: 647, Err: errDisabled}
	}
	return [16]byte{}, fmt.Errorf("directory: %q: %w", user, ErrNoSuchUser)
}

func ntHash(pw string) [16]byte {
	u, _ := rfc2759.ToUTF16([]byte(pw))
	var h [16]byte
	copy(h[:], rfc2759.NTPasswordHash(u))
	return h
}

var (
	certOnce sync1
)

// sync1 shares one generated certificate between tests (generation is the
// slow part of NewServer's first PEAP use).
type sync1 struct {
	done bool
	cert tls.Certificate
}

func testCert(t testing.TB) tls.Certificate {
	if !certOnce.done {
		c, err := selfSigned(cryptoRand{}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		certOnce.cert, certOnce.done = c, true
	}
	return certOnce.cert
}

func newServer(t testing.TB, frag int, methods ...string) *Server {
	t.Helper()
	s, err := NewServer(Config{Certificate: testCert(t), FragmentSize: frag, NTHash: directory, Methods: methods})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var msErrRe = regexp.MustCompile(`^E=(\d+) R=0 C=[0-9A-F]{32} V=3$`)

func TestConversations(t *testing.T) {
	tests := []struct {
		name     string
		methods  []string
		frag     int
		peer     testPeer
		ok       bool
		method   string
		err      error
		msCode   string // expected E= code, "" when no MS-CHAP failure
		fragment bool   // the server must have fragmented
	}{
		{name: "mschapv2 accept", methods: []string{MethodMSCHAPv2},
			peer: testPeer{identity: "alice", user: "alice", password: "Passw0rd!"}, ok: true, method: MethodMSCHAPv2},
		{name: "mschapv2 domain user", methods: []string{MethodMSCHAPv2},
			peer: testPeer{identity: `CONTOSO\alice`, user: `CONTOSO\alice`, password: "Passw0rd!"}, ok: true, method: MethodMSCHAPv2},
		{name: "mschapv2 wrong password", methods: []string{MethodMSCHAPv2},
			peer: testPeer{identity: "alice", user: "alice", password: "nope"}, method: MethodMSCHAPv2, err: ErrBadPassword, msCode: "691"},
		{name: "mschapv2 unknown user", methods: []string{MethodMSCHAPv2},
			peer: testPeer{identity: "carol", user: "carol", password: "x"}, method: MethodMSCHAPv2, err: ErrNoSuchUser, msCode: "691"},
		{name: "mschapv2 disabled account", methods: []string{MethodMSCHAPv2},
			peer: testPeer{identity: "bob", user: "bob", password: "x"}, method: MethodMSCHAPv2, err: errDisabled, msCode: "647"},
		{name: "nak from peap to mschapv2", methods: []string{MethodPEAP, MethodMSCHAPv2},
			peer: testPeer{identity: "alice", user: "alice", password: "Passw0rd!", nak: []byte{TypeMSCHAPv2}}, ok: true, method: MethodMSCHAPv2},
		{name: "nak to a method not allowed", methods: []string{MethodMSCHAPv2},
			peer: testPeer{identity: "alice", user: "alice", password: "Passw0rd!", nak: []byte{13}}, method: MethodMSCHAPv2, err: ErrMethodNotAllowed},
		{name: "peap accept", methods: []string{MethodPEAP},
			peer: testPeer{identity: "anonymous", user: "alice", password: "Passw0rd!"}, ok: true, method: MethodPEAP},
		{name: "peap accept fragmented both ways", methods: []string{MethodPEAP}, frag: 100,
			peer: testPeer{identity: "anonymous", user: "alice", password: "Passw0rd!", fragSize: 50}, ok: true, method: MethodPEAP, fragment: true},
		{name: "peap wrong password", methods: []string{MethodPEAP},
			peer: testPeer{identity: "anonymous", user: "alice", password: "bad"}, method: MethodPEAP, err: ErrBadPassword, msCode: "691"},
		{name: "peap unknown user", methods: []string{MethodPEAP},
			peer: testPeer{identity: "anonymous", user: "mallory", password: "bad"}, method: MethodPEAP, err: ErrNoSuchUser, msCode: "691"},
		{name: "peap inner nak", methods: []string{MethodPEAP},
			peer: testPeer{identity: "anonymous", user: "alice", password: "Passw0rd!", nak: []byte{TypePEAP, 0}}, method: MethodPEAP, err: ErrMethodNotAllowed},
		{name: "nak from mschapv2 to peap", methods: []string{MethodMSCHAPv2, MethodPEAP},
			peer: testPeer{identity: "anonymous", user: "alice", password: "Passw0rd!", nak: []byte{TypePEAP}}, ok: true, method: MethodPEAP},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, tc.frag, tc.methods...)
			p := tc.peer
			ex := p.run(t, srv)
			r := ex.last
			if !r.Done || r.Success != tc.ok {
				t.Fatalf("Done=%v Success=%v Err=%v, want success %v", r.Done, r.Success, r.Err, tc.ok)
			}
			wantCode := byte(CodeFailure)
			if tc.ok {
				wantCode = CodeSuccess
			}
			if len(r.Reply) != 4 || r.Reply[0] != wantCode {
				t.Errorf("final reply %x, want code %d", r.Reply, wantCode)
			}
			if r.Method != tc.method {
				t.Errorf("Method %q, want %q", r.Method, tc.method)
			}
			if r.Identity != p.identity {
				t.Errorf("Identity %q, want %q", r.Identity, p.identity)
			}
			if tc.err != nil && !errors.Is(r.Err, tc.err) {
				t.Errorf("Err %v, want %v", r.Err, tc.err)
			}
			if tc.ok {
				if r.Err != nil {
					t.Errorf("Err %v on success", r.Err)
				}
				if r.InnerUser != p.user {
					t.Errorf("InnerUser %q, want %q", r.InnerUser, p.user)
				}
				if !p.authOK {
					t.Error("peer did not verify the authenticator response")
				}
				checkKeys(t, &p, r)
			} else if r.RecvKey != nil || r.SendKey != nil {
				t.Error("keys on failure")
			}
			if tc.msCode != "" {
				m := msErrRe.FindStringSubmatch(r.MSCHAPError)
				if m == nil || m[1] != tc.msCode {
					t.Errorf("MSCHAPError %q, want E=%s", r.MSCHAPError, tc.msCode)
				}
			} else if r.MSCHAPError != "" {
				t.Errorf("MSCHAPError %q", r.MSCHAPError)
			}
			if tc.fragment && !p.sawFragment {
				t.Error("server did not fragment")
			}
		})
	}
}

func checkKeys(t *testing.T, p *testPeer, r Result) {
	t.Helper()
	if r.Method == MethodPEAP {
		if len(p.msk) != 64 || !bytes.Equal(r.RecvKey, p.msk[:32]) || !bytes.Equal(r.SendKey, p.msk[32:]) {
			t.Errorf("PEAP keys recv %x send %x, peer MSK %x", r.RecvKey, r.SendKey, p.msk)
		}
		return
	}
	send, _ := rfc3079.MakeKey(p.ntResponse, []byte(p.password), true)
	recv, _ := rfc3079.MakeKey(p.ntResponse, []byte(p.password), false)
	if !bytes.Equal(r.SendKey, send) || !bytes.Equal(r.RecvKey, recv) {
		t.Errorf("MS-CHAPv2 keys recv %x send %x, want %x %x", r.RecvKey, r.SendKey, recv, send)
	}
}

func TestSetFragmentSize(t *testing.T) {
	srv := newServer(t, 0, MethodPEAP)
	ctx := context.Background()
	c := srv.NewConversation()
	defer c.Close()
	c.SetFragmentSize(300)
	c.SetFragmentSize(10) // ignored
	p := testPeer{identity: "x", user: "alice", password: "Passw0rd!"}
	r := srv.Step(ctx, c, encode(CodeResponse, 1, TypeIdentity, []byte("x")))
	req, _ := parsePacket(r.Reply)
	msg, err := p.answer(req)
	if err != nil {
		t.Fatal(err)
	}
	r = srv.Step(ctx, c, msg) // the server's first flight, with the certificate
	if len(r.Reply) != 5+1+4+300 || r.Reply[5] != peapFlagLength|peapFlagMore {
		t.Fatalf("first fragment of %d bytes, flags %#x", len(r.Reply), r.Reply[5])
	}
	p.conn.Close()
}

func TestStartAndRetransmit(t *testing.T) {
	srv := newServer(t, 0, MethodMSCHAPv2)
	ctx := context.Background()
	c := srv.NewConversation()
	defer c.Close()
	r := srv.Step(ctx, c, nil)
	if r.Done || !bytes.Equal(r.Reply[:5], []byte{CodeRequest, r.Reply[1], 0, 5, TypeIdentity}) {
		t.Fatalf("EAP-Start answered %x", r.Reply)
	}
	id := encode(CodeResponse, r.Reply[1], TypeIdentity, []byte("alice"))
	r1 := srv.Step(ctx, c, id)
	r2 := srv.Step(ctx, c, id)
	if !bytes.Equal(r1.Reply, r2.Reply) || r1.Done {
		t.Fatalf("retransmission answered %x, first %x", r2.Reply, r1.Reply)
	}
	if r1.Reply[1] != r.Reply[1]+1 || r1.Reply[4] != TypeMSCHAPv2 {
		t.Fatalf("challenge %x", r1.Reply)
	}
	// A response with a stale identifier ends the conversation.
	bad := encode(CodeResponse, r.Reply[1], TypeMSCHAPv2, []byte{msOpResponse})
	r3 := srv.Step(ctx, c, bad)
	if !r3.Done || r3.Success || !errors.Is(r3.Err, ErrProtocol) {
		t.Fatalf("stale identifier: %+v", r3)
	}
	if r4 := srv.Step(ctx, c, id); !errors.Is(r4.Err, ErrDone) {
		t.Fatalf("after the end: %v", r4.Err)
	}
}

func TestMalformed(t *testing.T) {
	tests := []struct {
		name string
		msgs [][]byte
	}{
		{"short", [][]byte{{2, 0, 0}}},
		{"length beyond packet", [][]byte{{2, 0, 0, 9, 1}}},
		{"request from peer", [][]byte{{1, 0, 0, 5, 1}}},
		{"not identity first", [][]byte{{2, 0, 0, 5, 26}}},
		{"short ms-chap response", [][]byte{{2, 0, 0, 6, 1, 'a'}, {2, 1, 0, 9, 26, 2, 0, 0, 5}}},
		{"wrong type", [][]byte{{2, 0, 0, 6, 1, 'a'}, {2, 1, 0, 6, 4, 0}}},
		{"peap bad length", [][]byte{{2, 0, 0, 6, 1, 'a'}, {2, 1, 0, 8, 25, 0x80, 0, 0}}},
		{"peap garbage tls", [][]byte{{2, 0, 0, 6, 1, 'a'}, {2, 1, 0, 10, 25, 0, 22, 3, 1, 0}}},
		{"peap huge length", [][]byte{{2, 0, 0, 6, 1, 'a'}, {2, 1, 0, 11, 25, 0xc0, 0x7f, 0xff, 0xff, 0xff, 0}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, 0, MethodPEAP, MethodMSCHAPv2)
			if strings.HasPrefix(tc.name, "short ms-chap") {
				srv = newServer(t, 0, MethodMSCHAPv2)
			}
			c := srv.NewConversation()
			defer c.Close()
			var r Result
			for _, m := range tc.msgs {
				r = srv.Step(context.Background(), c, m)
			}
			if !r.Done || r.Success || !errors.Is(r.Err, ErrProtocol) {
				t.Fatalf("Done=%v Success=%v Err=%v", r.Done, r.Success, r.Err)
			}
			if len(r.Reply) != 4 || r.Reply[0] != CodeFailure {
				t.Fatalf("reply %x", r.Reply)
			}
		})
	}
}

func TestCloseAndContext(t *testing.T) {
	srv := newServer(t, 0, MethodPEAP)
	c := srv.NewConversation()
	id := encode(CodeResponse, 1, TypeIdentity, []byte("a"))
	if r := srv.Step(context.Background(), c, id); r.Done {
		t.Fatal(r.Err)
	}
	c.Close()
	r := srv.Step(context.Background(), c, encode(CodeResponse, 2, TypePEAP, []byte{0}))
	if !r.Done || !errors.Is(r.Err, ErrIdle) {
		t.Fatalf("after Close: %+v", r)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c2 := srv.NewConversation()
	if r := srv.Step(ctx, c2, id); !r.Done || !errors.Is(r.Err, context.Canceled) {
		t.Fatalf("cancelled context: %+v", r)
	}

	s2, err := NewServer(Config{Certificate: testCert(t), NTHash: directory, Methods: []string{MethodPEAP}, IdleTimeout: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	c3 := s2.NewConversation()
	s2.Step(context.Background(), c3, id)
	time.Sleep(100 * time.Millisecond)
	if r := s2.Step(context.Background(), c3, encode(CodeResponse, 2, TypePEAP, []byte{0})); !errors.Is(r.Err, ErrIdle) {
		t.Fatalf("idle conversation: %v", r.Err)
	}
}

func TestNewServerErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"no NTHash", Config{Methods: []string{MethodPEAP}}},
		{"no methods", Config{NTHash: directory}},
		{"unknown method", Config{NTHash: directory, Methods: []string{"EAP-TLS"}}},
		{"tiny fragments", Config{NTHash: directory, Methods: []string{MethodPEAP}, FragmentSize: 10}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewServer(tc.cfg); err == nil || !strings.HasPrefix(err.Error(), "eap: ") {
				t.Fatalf("err %v", err)
			}
		})
	}
}

func TestGeneratedCertificate(t *testing.T) {
	s, err := NewServer(Config{NTHash: directory, Methods: []string{MethodPEAP}})
	if err != nil {
		t.Fatal(err)
	}
	c1, err := s.Certificate()
	if err != nil {
		t.Fatal(err)
	}
	c2, _ := s.Certificate()
	if c1.Leaf == nil || !bytes.Equal(c1.Certificate[0], c2.Certificate[0]) {
		t.Fatal("certificate not generated once")
	}
	if time.Until(c1.Leaf.NotAfter) < 365*24*time.Hour {
		t.Fatalf("NotAfter %v", c1.Leaf.NotAfter)
	}
	p := testPeer{identity: "x", user: "alice", password: "Passw0rd!"}
	if r := p.run(t, s).last; !r.Success {
		t.Fatalf("PEAP with the generated certificate: %v", r.Err)
	}
}

// TestPRFFallback checks the MSK computed from the logged master secret
// against crypto/tls's exporter.
func TestPRFFallback(t *testing.T) {
	srv := newServer(t, 0, MethodPEAP)
	p := testPeer{identity: "x", user: "alice", password: "Passw0rd!"}
	conv := srv.NewConversation()
	defer conv.Close()
	ctx := context.Background()
	msg := encode(CodeResponse, 1, TypeIdentity, []byte("x"))
	for range 20 {
		r := srv.Step(ctx, conv, msg)
		if r.Done {
			break
		}
		if conv.peap != nil && conv.peap.phase >= phaseAwaitAck {
			ps := conv.peap
			sr, ok := serverRandom(ps.first)
			if !ok {
				t.Fatal("no server random")
			}
			got := prf12(suiteHash(ps.tls.ConnectionState().CipherSuite), ps.keylog.master, keyLabel, append(append([]byte(nil), ps.keylog.random...), sr...), 64)
			if !bytes.Equal(got, ps.msk) {
				t.Fatalf("PRF %x, exporter %x", got, ps.msk)
			}
			return
		}
		req, _ := parsePacket(r.Reply)
		var err error
		if msg, err = p.answer(req); err != nil {
			t.Fatal(err)
		}
	}
	t.Fatal("handshake did not finish")
}
