package nps

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"layeh.com/radius"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/nps/mfa"
	"github.com/radscope/radscope/scenario"
	"github.com/radscope/radscope/secret"
)

// exchange sends p with layeh's client (which checks the Response
// Authenticator) and returns the reply.
func exchange(t *testing.T, p *radius.Packet, addr string, retry time.Duration) (*radius.Packet, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	c := radius.Client{Retry: retry}
	return c.Exchange(ctx, p, addr)
}

func TestUDPEndToEnd(t *testing.T) {
	sc := loadScenario(t, policyScenario)
	s, rec := newServer(t, sc, Options{})
	addr := listen(t, s)
	tests := []struct {
		name  string
		build func() *req
		code  radius.Code
		check func(t *testing.T, p *radius.Packet, r *req)
	}{
		{"pap accept", func() *req { return newReq(testSecret).userName("alice").pap("Passw0rd").virtual() }, radius.CodeAccessAccept, nil},
		{"pap reject", func() *req { return newReq(testSecret).userName("alice").pap("nope").virtual() }, radius.CodeAccessReject, nil},
		{"chap accept", func() *req { return newReq(testSecret).userName("alice").chap("Passw0rd").virtual() }, radius.CodeAccessAccept, nil},
		{"mschap accept", func() *req { return newReq(testSecret).userName("bob").mschapv1("password").virtual() }, radius.CodeAccessAccept, func(t *testing.T, p *radius.Packet, r *req) {
			if len(msAttr(p, msCHAPMPPEKeys)) != 32 { // RFC 2548 §2.4.1: 32 octets hidden
				t.Errorf("MS-CHAP-MPPE-Keys of %d bytes", len(msAttr(p, msCHAPMPPEKeys)))
			}
		}},
		{"mschapv2 accept", func() *req { return newReq(testSecret).userName("alice").mschapv2("alice", "Passw0rd").virtual() }, radius.CodeAccessAccept, nil},
		{"mschapv2 reject", func() *req { return newReq(testSecret).userName("alice").mschapv2("alice", "nope").virtual() }, radius.CodeAccessReject, func(t *testing.T, p *radius.Packet, r *req) {
			if e := msAttr(p, msCHAPError); !strings.HasPrefix(string(e[1:]), "E=691 R=0 C=") {
				t.Errorf("MS-CHAP-Error %q", e)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.build()
			b := r.encode(t)
			reply := exchangeRaw(t, addr, b, 2*time.Second)
			p := parseReply(t, reply, b, testSecret)
			if p.Code != tt.code {
				t.Fatalf("code %v, want %v", p.Code, tt.code)
			}
			if tt.name == "mschapv2 accept" {
				checkMSCHAPv2Accept(t, p, r, b)
			}
			if tt.check != nil {
				tt.check(t, p, r)
			}
		})
	}
	t.Run("layeh client", func(t *testing.T) {
		p := radius.New(radius.CodeAccessRequest, []byte(testSecret))
		p.Attributes.Add(attrUserName, []byte("alice"))
		pw, _ := radius.NewUserPassword([]byte("Passw0rd"), p.Secret, p.Authenticator[:])
		p.Attributes.Add(attrUserPassword, pw)
		p.Attributes.Add(attrNASPortType, u32(5))
		p.Attributes.Add(attrProxyState, []byte("proxy-1"))
		resp, err := exchange(t, p, addr, 0)
		if err != nil {
			t.Fatal(err)
		}
		if resp.Code != radius.CodeAccessAccept || string(resp.Attributes.Get(attrProxyState)) != "proxy-1" {
			t.Fatalf("code %v, Proxy-State %q", resp.Code, resp.Attributes.Get(attrProxyState))
		}
	})
	t.Run("accounting", func(t *testing.T) {
		p := radius.New(radius.CodeAccountingRequest, []byte(testSecret))
		p.Attributes.Add(attrUserName, []byte("alice"))
		p.Attributes.Add(attrAcctStatusType, u32(1))
		p.Attributes.Add(attrAcctSessionID, []byte("sess-42"))
		resp, err := exchange(t, p, addr, 0)
		if err != nil {
			t.Fatal(err)
		}
		if resp.Code != radius.CodeAccountingResponse {
			t.Fatalf("code %v", resp.Code)
		}
		found := false
		rec.mu.Lock()
		for _, m := range rec.records {
			if m.Code == model.CodeAccountingRequest && m.AcctSessionID == "sess-42" && m.AcctStatus == 1 {
				found = true
			}
		}
		rec.mu.Unlock()
		if !found {
			t.Error("accounting record not logged")
		}
		// A wrong secret makes the Request Authenticator wrong: dropped.
		bad := radius.New(radius.CodeAccountingRequest, []byte("wrong"))
		bad.Attributes.Add(attrAcctStatusType, u32(2))
		b, _ := bad.Encode()
		if reply := exchangeRaw(t, addr, b, 300*time.Millisecond); reply != nil {
			t.Error("Accounting-Request with a bad authenticator was answered")
		}
	})
	t.Run("status-server", func(t *testing.T) {
		r := &req{p: radius.New(radius.CodeStatusServer, []byte(testSecret)), secret: []byte(testSecret)}
		b := r.withMA().encode(t)
		p := parseReply(t, exchangeRaw(t, addr, b, 2*time.Second), b, testSecret)
		if p.Code != radius.CodeAccessAccept {
			t.Fatalf("code %v", p.Code)
		}
		r = &req{p: radius.New(radius.CodeStatusServer, []byte(testSecret)), secret: []byte(testSecret)}
		if reply := exchangeRaw(t, addr, r.encode(t), 300*time.Millisecond); reply != nil {
			t.Error("Status-Server without Message-Authenticator answered")
		}
	})
	t.Run("bad message-authenticator", func(t *testing.T) {
		r := newReq(testSecret).userName("alice").pap("Passw0rd").virtual().withMA()
		b := r.encode(t)
		b[len(b)-1] ^= 1
		if reply := exchangeRaw(t, addr, b, 300*time.Millisecond); reply != nil {
			t.Error("request with a bad Message-Authenticator answered")
		}
		if !rec.hasEvent(18, "Message-Authenticator attribute that is not valid") {
			t.Error("event 18 not logged")
		}
	})
	t.Run("retransmission answered from the cache", func(t *testing.T) {
		b := newReq(testSecret).userName("alice").pap("Passw0rd").virtual().encode(t)
		r1 := exchangeRaw(t, addr, b, 2*time.Second)
		r2 := exchangeRaw(t, addr, b, 2*time.Second)
		if r1 == nil || r2 == nil || string(r1) != string(r2) {
			// Different source ports make them different requests: the
			// cache keys on the port too, so both are fresh and equal
			// only in code.
			if r1 == nil || r2 == nil || r1[0] != r2[0] {
				t.Fatalf("replies differ: %v %v", r1, r2)
			}
		}
	})
}

func TestUDPDuplicateSamePort(t *testing.T) {
	sc := loadScenario(t, policyScenario)
	s, _ := newServer(t, sc, Options{})
	addr := listen(t, s)
	c, err := net.Dial("udp4", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	b := newReq(testSecret).userName("alice").pap("Passw0rd").virtual().encode(t)
	var replies [][]byte
	for range 2 {
		c.Write(b)
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		buf := make([]byte, 4096)
		n, err := c.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		replies = append(replies, buf[:n])
	}
	// The Class serial differs between fresh answers; the cached copy is
	// byte for byte the same.
	if string(replies[0]) != string(replies[1]) {
		t.Fatal("retransmission not answered from the duplicate cache")
	}
}

func TestUnknownClientDropped(t *testing.T) {
	sc := loadScenario(t, strings.Replace(policyScenario, "address: 127.0.0.1, secret", "address: 10.9.9.9, secret", 1))
	decisions := make(chan Decision, 4)
	s, rec := newServer(t, sc, Options{OnDecision: func(d Decision) { decisions <- d }})
	addr := listen(t, s)
	b := newReq(testSecret).userName("alice").pap("Passw0rd").virtual().encode(t)
	if reply := exchangeRaw(t, addr, b, 300*time.Millisecond); reply != nil {
		t.Fatal("unknown client answered")
	}
	if d := <-decisions; !d.Dropped || !strings.Contains(d.DropReason, "unknown RADIUS client") {
		t.Errorf("decision %+v", d)
	}
	if !rec.hasEvent(13, "invalid RADIUS client IP address 127.0.0.1") {
		t.Error("event 13 not logged")
	}
}

func TestMessageAuthenticatorRequired(t *testing.T) {
	sc := loadScenario(t, strings.Replace(policyScenario, "{name: vpn, address: 127.0.0.1, secret: s3cret}", "{name: vpn, address: 127.0.0.1, secret: s3cret, require_message_authenticator: true}", 1))
	s, _ := newServer(t, sc, Options{})
	addr := listen(t, s)
	b := newReq(testSecret).userName("alice").pap("Passw0rd").virtual().encode(t)
	if reply := exchangeRaw(t, addr, b, 300*time.Millisecond); reply != nil {
		t.Fatal("request without Message-Authenticator answered")
	}
	b = newReq(testSecret).userName("alice").pap("Passw0rd").virtual().withMA().encode(t)
	if p := parseReply(t, exchangeRaw(t, addr, b, 2*time.Second), b, testSecret); p.Code != radius.CodeAccessAccept {
		t.Fatalf("code %v", p.Code)
	}
}

func TestLimitProxyState(t *testing.T) {
	sc := loadScenario(t, strings.Replace(policyScenario, "{name: vpn, address: 127.0.0.1, secret: s3cret}", "{name: vpn, address: 127.0.0.1, secret: s3cret, limit_proxy_state: true}", 1))
	s, _ := newServer(t, sc, Options{})
	tests := []struct {
		name   string
		build  func() *req
		answer bool
	}{
		{"no Proxy-State", func() *req { return newReq(testSecret).userName("alice").pap("Passw0rd").virtual() }, true},
		{"Proxy-State without Message-Authenticator", func() *req {
			return newReq(testSecret).userName("alice").pap("Passw0rd").virtual().str(attrProxyState, "p1")
		}, false},
		{"Proxy-State with Message-Authenticator", func() *req {
			return newReq(testSecret).userName("alice").pap("Passw0rd").virtual().str(attrProxyState, "p1").withMA()
		}, true},
	}
	for _, tt := range tests {
		b := tt.build().encode(t)
		reply, d := handle(t, s, b)
		if (reply != nil) != tt.answer {
			t.Errorf("%s: answered %v (%+v)", tt.name, reply != nil, d)
		}
	}
}

func TestUDPMFA(t *testing.T) {
	sc := loadScenario(t, mfaScenario)
	clock := fakeClock()
	s, _ := newServer(t, sc, Options{Clock: clock})
	addr := listen(t, s)
	t.Run("push approved while the NAS retransmits", func(t *testing.T) {
		p := radius.New(radius.CodeAccessRequest, []byte(testSecret))
		p.Attributes.Add(attrUserName, []byte("alice"))
		pw, _ := radius.NewUserPassword([]byte("pw"), p.Secret, p.Authenticator[:])
		p.Attributes.Add(attrUserPassword, pw)
		p.Attributes.Add(attrNASIdentifier, []byte("vpn1"))
		done := make(chan *radius.Packet, 1)
		go func() {
			resp, err := exchange(t, p, addr, 50*time.Millisecond)
			if err != nil {
				t.Error(err)
			}
			done <- resp
		}()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := clock.WaitForWaiters(ctx, 2); err != nil {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond) // several retransmissions, all discarded
		select {
		case <-done:
			t.Fatal("answered before the push was approved")
		default:
		}
		clock.Advance(8 * time.Second)
		resp := <-done
		if resp == nil || resp.Code != radius.CodeAccessAccept {
			t.Fatalf("got %v", resp)
		}
	})
	t.Run("TOTP challenge round", func(t *testing.T) {
		p := radius.New(radius.CodeAccessRequest, []byte(testSecret))
		p.Attributes.Add(attrUserName, []byte("bob"))
		pw, _ := radius.NewUserPassword([]byte("pw"), p.Secret, p.Authenticator[:])
		p.Attributes.Add(attrUserPassword, pw)
		resp, err := exchange(t, p, addr, 0)
		if err != nil || resp.Code != radius.CodeAccessChallenge {
			t.Fatalf("first leg: %v %v", resp, err)
		}
		sec, _ := scenario.DecodeTOTPSecret("JBSWY3DPEHPK3PXP")
		code := mfa.TOTP{Secret: sec}.Code(clock.Now())
		p2 := radius.New(radius.CodeAccessRequest, []byte(testSecret))
		p2.Attributes.Add(attrUserName, []byte("bob"))
		pw2, _ := radius.NewUserPassword([]byte(code), p2.Secret, p2.Authenticator[:])
		p2.Attributes.Add(attrUserPassword, pw2)
		p2.Attributes.Add(attrState, resp.Attributes.Get(attrState))
		resp2, err := exchange(t, p2, addr, 0)
		if err != nil || resp2.Code != radius.CodeAccessAccept {
			t.Fatalf("second leg: %v %v", resp2, err)
		}
	})
}

func TestListenAndServeShutdown(t *testing.T) {
	sc := loadScenario(t, policyScenario+"\n")
	if err := sc.Set("server.auth_listen", "['127.0.0.1:0']"); err != nil {
		t.Fatal(err)
	}
	if err := sc.Set("server.acct_listen", "['127.0.0.1:0']"); err != nil {
		t.Fatal(err)
	}
	s, err := New(sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- s.ListenAndServe(context.Background()) }()
	var addrs []net.Addr
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if s.served() == 2 {
			break
		}
	}
	for deadline := time.Now().Add(2 * time.Second); len(addrs) < 2 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		addrs = s.Addrs()
	}
	if len(addrs) != 2 {
		t.Fatalf("listening on %v", addrs)
	}
	// Auth port answers Access-Request, acct port Accounting-Request; the
	// wrong port drops.
	b := newReq(testSecret).userName("alice").pap("Passw0rd").virtual().encode(t)
	if reply := exchangeRaw(t, addrs[0].String(), b, 2*time.Second); reply == nil {
		t.Fatal("auth port did not answer")
	}
	if reply := exchangeRaw(t, addrs[1].String(), b, 300*time.Millisecond); reply != nil {
		t.Fatal("accounting port answered an Access-Request")
	}
	acct := radius.New(radius.CodeAccountingRequest, []byte(testSecret))
	acct.Attributes.Add(attrAcctStatusType, u32(1))
	ab, _ := acct.Encode()
	if reply := exchangeRaw(t, addrs[1].String(), ab, 2*time.Second); reply == nil || !secret.VerifyResponse([]byte(testSecret), reply, ab[4:20]) {
		t.Fatal("accounting port did not answer correctly")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; !errors.Is(err, ErrServerClosed) {
		t.Fatalf("ListenAndServe returned %v", err)
	}
	if _, err := s.Handle(ctx, local, b); !errors.Is(err, ErrServerClosed) {
		t.Fatalf("Handle after Shutdown: %v", err)
	}
}

func TestShutdownAbandonsHeldRequests(t *testing.T) {
	sc := loadScenario(t, mfaScenario)
	clock := fakeClock()
	s, err := New(sc, Options{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	b := newReq(testSecret).userName("sleeper").pap("pw").nasIP("10.0.1.1").encode(t)
	done := make(chan []byte, 1)
	go func() {
		reply, _ := s.Handle(context.Background(), local, b)
		done <- reply
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := clock.WaitForWaiters(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if err := s.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if reply := <-done; reply != nil {
		t.Fatal("held request answered at shutdown")
	}
}
