package nps

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"layeh.com/radius"
	"layeh.com/radius/rfc2759"
	"layeh.com/radius/rfc3079"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/nps/mfa"
	"github.com/radscope/radscope/scenario"
	"github.com/radscope/radscope/secret"
)

const testSecret = "s3cret"

// recorder is a Logger that keeps everything.
type recorder struct {
	mu      sync.Mutex
	records []model.Message
	events  []model.Message
}

func (r *recorder) LogRecord(m model.Message) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.records = append(r.records, m)
}

func (r *recorder) LogEvent(m model.Message) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, m)
}

func (r *recorder) eventTexts() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.events {
		out = append(out, e.Event.Message)
	}
	return out
}

func (r *recorder) hasEvent(id int, sub string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.events {
		if e.Event.ID == id && strings.Contains(e.Event.Message, sub) {
			return true
		}
	}
	return false
}

func loadScenario(t testing.TB, yaml string) *scenario.Scenario {
	t.Helper()
	sc, err := scenario.Parse(t.Name()+".yaml", []byte(yaml))
	if err != nil {
		t.Fatalf("scenario: %v", err)
	}
	return sc
}

func newServer(t testing.TB, sc *scenario.Scenario, opts Options) (*Server, *recorder) {
	t.Helper()
	rec := &recorder{}
	if opts.Logger == nil {
		opts.Logger = rec
	}
	s, err := New(sc, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.Shutdown(ctx)
	})
	return s, rec
}

// req is an Access-Request under construction.
type req struct {
	p      *radius.Packet
	secret []byte
	ma     bool
	// MS-CHAP data for checking the answer
	authChallenge, peerChallenge, ntResponse []byte
	user, password                           string
}

func newReq(secretS string) *req {
	return &req{p: radius.New(radius.CodeAccessRequest, []byte(secretS)), secret: []byte(secretS)}
}

func (r *req) attr(t radius.Type, v []byte) *req {
	r.p.Attributes.Add(t, v)
	return r
}

func (r *req) str(t radius.Type, v string) *req { return r.attr(t, []byte(v)) }

func (r *req) u32(t radius.Type, v uint32) *req {
	return r.attr(t, binary.BigEndian.AppendUint32(nil, v))
}

func (r *req) userName(u string) *req { r.user = u; return r.str(attrUserName, u) }

func (r *req) virtual() *req { return r.u32(attrNASPortType, 5) }

func (r *req) nasIP(ip string) *req {
	a := netip.MustParseAddr(ip).As4()
	return r.attr(attrNASIPAddress, a[:])
}

func (r *req) pap(pw string) *req {
	r.password = pw
	return r.attr(attrUserPassword, secret.EncryptUserPassword(r.secret, r.p.Authenticator[:], []byte(pw)))
}

func (r *req) chap(pw string) *req {
	id := byte(7)
	h := md5.New()
	h.Write([]byte{id})
	h.Write([]byte(pw))
	h.Write(r.p.Authenticator[:])
	return r.attr(attrCHAPPassword, append([]byte{id}, h.Sum(nil)...))
}

func (r *req) mschapv2(user, pw string) *req {
	r.password = pw
	r.authChallenge = make([]byte, 16)
	r.peerChallenge = make([]byte, 16)
	rand.Read(r.authChallenge)
	rand.Read(r.peerChallenge)
	name := user
	if i := strings.LastIndexByte(name, '\\'); i >= 0 {
		name = name[i+1:]
	}
	nt, err := rfc2759.GenerateNTResponse(r.authChallenge, r.peerChallenge, []byte(name), []byte(pw))
	if err != nil {
		panic(err)
	}
	r.ntResponse = nt
	resp := make([]byte, 50)
	resp[0] = 9
	copy(resp[2:18], r.peerChallenge)
	copy(resp[26:], nt)
	r.p.Attributes.Add(attrVendorSpecific, vsa(vendorMicrosoft, msCHAPChallenge, r.authChallenge).Attribute)
	r.p.Attributes.Add(attrVendorSpecific, vsa(vendorMicrosoft, msCHAP2Response, resp).Attribute)
	return r
}

func (r *req) mschapv1(pw string) *req {
	ch := make([]byte, 8)
	rand.Read(ch)
	h := NTHash([]byte(pw))
	resp := make([]byte, 50)
	resp[0], resp[1] = 3, 1
	copy(resp[26:], challengeResponse(ch, h))
	r.authChallenge = ch
	r.p.Attributes.Add(attrVendorSpecific, vsa(vendorMicrosoft, msCHAPChallenge, ch).Attribute)
	r.p.Attributes.Add(attrVendorSpecific, vsa(vendorMicrosoft, msCHAPResponse, resp).Attribute)
	return r
}

func (r *req) withMA() *req { r.ma = true; return r }

func (r *req) encode(t testing.TB) []byte {
	t.Helper()
	if r.ma {
		r.p.Attributes.Add(attrMessageAuth, make([]byte, 16))
	}
	b, err := r.p.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if err := secret.SignRequest(r.secret, b); err != nil {
		t.Fatal(err)
	}
	return b
}

// parseReply checks the reply's authenticators and parses it.
func parseReply(t testing.TB, reply, request []byte, secretS string) *radius.Packet {
	t.Helper()
	if reply == nil {
		t.Fatal("no reply")
	}
	if !secret.VerifyResponse([]byte(secretS), reply, request[4:20]) {
		t.Fatal("bad Response Authenticator")
	}
	if !secret.VerifyMessageAuthenticator([]byte(secretS), reply, request[4:20]) {
		t.Fatal("bad or missing Message-Authenticator")
	}
	if reply[20] != attrMessageAuth {
		t.Error("Message-Authenticator is not the first attribute")
	}
	p, err := radius.Parse(reply, []byte(secretS))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func msAttr(p *radius.Packet, typ byte) []byte {
	v, _ := vendorAttr(p, vendorMicrosoft, typ)
	return v
}

var local = netip.MustParseAddrPort("127.0.0.1:40000")

func handle(t testing.TB, s *Server, b []byte) ([]byte, Decision) {
	t.Helper()
	reply, d, err := s.HandleDecision(context.Background(), local, b)
	if err != nil {
		t.Fatal(err)
	}
	return reply, d
}

// listen serves s on a fresh UDP socket on 127.0.0.1 and returns its
// address.
func listen(t testing.TB, s *Server) string {
	t.Helper()
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(context.Background(), c)
	return c.LocalAddr().String()
}

// exchangeRaw sends b from a fresh socket on 127.0.0.1 and waits up to
// wait for a reply (nil when none).
func exchangeRaw(t testing.TB, addr string, b []byte, wait time.Duration) []byte {
	t.Helper()
	c, err := net.Dial("udp4", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write(b); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(wait))
	buf := make([]byte, 4096)
	n, err := c.Read(buf)
	if err != nil {
		return nil
	}
	return buf[:n]
}

func ntHashHex(pw string) string {
	h := NTHash([]byte(pw))
	return hex.EncodeToString(h[:])
}

// fakeClock returns a Fake clock at a fixed Monday noon UTC.
func fakeClock() *mfa.Fake {
	return mfa.NewFake(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
}

// checkMSCHAPv2Accept verifies MS-CHAP2-Success and the MPPE keys of an
// Access-Accept with layeh's independent RFC 2759 / RFC 3079 code.
func checkMSCHAPv2Accept(t testing.TB, p *radius.Packet, r *req, request []byte) {
	t.Helper()
	name := r.user
	if i := strings.LastIndexByte(name, '\\'); i >= 0 {
		name = name[i+1:]
	}
	want, err := rfc2759.GenerateAuthenticatorResponse(r.authChallenge, r.peerChallenge, r.ntResponse, []byte(name), []byte(r.password))
	if err != nil {
		t.Fatal(err)
	}
	got := msAttr(p, msCHAP2Success)
	if len(got) != 43 || got[0] != 9 || string(got[1:]) != want {
		t.Fatalf("MS-CHAP2-Success %q, want ident 9 and %q", got, want)
	}
	for _, k := range []struct {
		typ  byte
		send bool
	}{{msMPPESendKey, true}, {msMPPERecvKey, false}} {
		enc := msAttr(p, k.typ)
		plain, err := secret.DecryptSalted(r.secret, request[4:20], enc)
		if err != nil {
			t.Fatalf("MPPE key %d: %v", k.typ, err)
		}
		wantKey, _ := rfc3079.MakeKey(r.ntResponse, []byte(r.password), k.send)
		if hex.EncodeToString(plain) != hex.EncodeToString(wantKey) {
			t.Fatalf("MPPE key %d = %x, want %x", k.typ, plain, wantKey)
		}
	}
}

func netipAddrPortWithPort(ap netip.AddrPort, port uint16) netip.AddrPort {
	return netip.AddrPortFrom(ap.Addr(), port)
}
