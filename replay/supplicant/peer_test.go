package supplicant_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/radscope/radscope/nps"
	"github.com/radscope/radscope/nps/eap"
	"github.com/radscope/radscope/replay/supplicant"
)

var users = map[string]string{"alice": "Passw0rd!"}

func directory(_ context.Context, user string) ([16]byte, error) {
	if i := strings.LastIndexByte(user, '\\'); i >= 0 {
		user = user[i+1:]
	}
	pw, ok := users[user]
	if !ok {
		return [16]byte{}, eap.ErrNoSuchUser
	}
	return nps.NTHash([]byte(pw)), nil
}

// pki is a CA and a server certificate it signed for name.
func pki(t *testing.T, name string) (*x509.CertPool, tls.Certificate) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	now := time.Now()
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Contoso Root CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: name}, DNSNames: []string{name},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(caCert)
	return pool, tls.Certificate{Certificate: [][]byte{der, caDER}, PrivateKey: key}
}

// converse runs p against srv as a NAS relays them and returns the
// server's result and the peer's first error.
func converse(t *testing.T, srv *eap.Server, p *supplicant.Peer) (eap.Result, error) {
	t.Helper()
	conv := srv.NewConversation()
	defer conv.Close()
	defer p.Close()
	msg := p.Start(1)
	for range 100 {
		r := srv.Step(context.Background(), conv, msg)
		out, err := p.Respond(r.Reply)
		if r.Done || err != nil {
			return r, err
		}
		msg = out
	}
	t.Fatal("no end after 100 rounds")
	return eap.Result{}, nil
}

func TestConversations(t *testing.T) {
	roots, cert := pki(t, "nps01.contoso.com")
	pin := &supplicant.Trust{Pinned: [][]byte{cert.Certificate[0]}}
	tests := []struct {
		name      string
		methods   []string // the server's, in preference order
		frag      int      // the server's fragment size
		cfg       supplicant.Config
		trust     *supplicant.Trust
		ok        bool
		err       error  // the peer's
		method    string // what the peer ran
		msError   string // prefix of the MS-CHAPv2 failure text
		fragments bool   // the server fragmented its flight
	}{
		{name: "peap pinned", methods: []string{eap.MethodPEAP}, trust: pin,
			cfg: supplicant.Config{Identity: `CONTOSO\alice`, Password: "Passw0rd!"}, ok: true, method: supplicant.MethodPEAP},
		{name: "peap ca and name", methods: []string{eap.MethodPEAP}, trust: &supplicant.Trust{Roots: roots, ServerName: "nps01.contoso.com"},
			cfg: supplicant.Config{Identity: "anonymous", User: `CONTOSO\alice`, Password: "Passw0rd!"}, ok: true, method: supplicant.MethodPEAP},
		{name: "peap both sides fragment", methods: []string{eap.MethodPEAP}, frag: 100, trust: pin,
			cfg: supplicant.Config{Identity: "alice", Password: "Passw0rd!", FragmentSize: 64}, ok: true, method: supplicant.MethodPEAP, fragments: true},
		{name: "eap-mschapv2", methods: []string{eap.MethodMSCHAPv2},
			cfg: supplicant.Config{Identity: "alice", Password: "Passw0rd!"}, ok: true, method: supplicant.MethodMSCHAPv2},
		{name: "nak to eap-mschapv2", methods: []string{eap.MethodPEAP, eap.MethodMSCHAPv2},
			cfg: supplicant.Config{Identity: "alice", Password: "Passw0rd!", Methods: []byte{supplicant.TypeMSCHAPv2}}, ok: true, method: supplicant.MethodMSCHAPv2},
		{name: "peap wrong password", methods: []string{eap.MethodPEAP}, trust: pin,
			cfg: supplicant.Config{Identity: "alice", Password: "wrong"}, method: supplicant.MethodPEAP, msError: "E=691"},
		{name: "eap-mschapv2 wrong password", methods: []string{eap.MethodMSCHAPv2},
			cfg: supplicant.Config{Identity: "alice", Password: "wrong"}, method: supplicant.MethodMSCHAPv2, msError: "E=691"},
		{name: "no trust", methods: []string{eap.MethodPEAP},
			cfg: supplicant.Config{Identity: "alice", Password: "Passw0rd!"}, err: supplicant.ErrUntrusted, method: supplicant.MethodPEAP},
		{name: "another pinned certificate", methods: []string{eap.MethodPEAP}, trust: &supplicant.Trust{Pinned: [][]byte{cert.Certificate[1]}},
			cfg: supplicant.Config{Identity: "alice", Password: "Passw0rd!"}, err: supplicant.ErrUntrusted, method: supplicant.MethodPEAP},
		{name: "wrong server name", methods: []string{eap.MethodPEAP}, trust: &supplicant.Trust{Roots: roots, ServerName: "radius.contoso.com"},
			cfg: supplicant.Config{Identity: "alice", Password: "Passw0rd!"}, err: supplicant.ErrUntrusted, method: supplicant.MethodPEAP},
		{name: "certificate expired on the capture's clock", methods: []string{eap.MethodPEAP},
			trust: &supplicant.Trust{Roots: roots, Time: func() time.Time { return time.Now().Add(48 * time.Hour) }},
			cfg:   supplicant.Config{Identity: "alice", Password: "Passw0rd!"}, err: supplicant.ErrUntrusted, method: supplicant.MethodPEAP},
		{name: "insecure", methods: []string{eap.MethodPEAP}, trust: &supplicant.Trust{Insecure: true},
			cfg: supplicant.Config{Identity: "alice", Password: "Passw0rd!"}, ok: true, method: supplicant.MethodPEAP},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, err := eap.NewServer(eap.Config{Certificate: cert, FragmentSize: tc.frag, NTHash: directory, Methods: tc.methods})
			if err != nil {
				t.Fatal(err)
			}
			cfg := tc.cfg
			if tc.trust != nil {
				cfg.Verify = tc.trust.Verify
			}
			p, err := supplicant.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			r, err := converse(t, srv, p)
			res := p.Result()
			switch {
			case tc.err != nil && !errors.Is(err, tc.err):
				t.Fatalf("peer error %v, want %v", err, tc.err)
			case tc.err == nil && err != nil:
				t.Fatalf("peer error %v", err)
			}
			if res.Method != tc.method {
				t.Errorf("method %q, want %q", res.Method, tc.method)
			}
			if tc.err != nil {
				return
			}
			if r.Success != tc.ok || res.Success != tc.ok || res.Failure == tc.ok {
				t.Fatalf("server success %v (%v), peer success %v failure %v; want %v", r.Success, r.Err, res.Success, res.Failure, tc.ok)
			}
			if tc.ok && !res.ServerAuthenticated {
				t.Error("server not authenticated on success")
			}
			if !strings.HasPrefix(res.MSCHAPError, tc.msError) || (tc.msError == "") != (res.MSCHAPError == "") {
				t.Errorf("MS-CHAPv2 error %q, want %q", res.MSCHAPError, tc.msError)
			}
			if tc.ok && tc.method == supplicant.MethodPEAP {
				if len(res.MSK) != 64 || string(r.RecvKey) != string(res.MSK[:32]) || string(r.SendKey) != string(res.MSK[32:]) {
					t.Errorf("MSK %x does not match the server's keys", res.MSK)
				}
			}
			if res.ServerFragmented != tc.fragments {
				t.Errorf("server fragmented %v, want %v", res.ServerFragmented, tc.fragments)
			}
		})
	}
}

// TestServerMustProve plays servers that do not know the password: the
// peer must not take their success.
func TestServerMustProve(t *testing.T) {
	challenge := supplicant.Encode(supplicant.CodeRequest, 2, supplicant.TypeMSCHAPv2,
		[]byte{1, 2, 0, 26, 16}, make([]byte, 16), []byte("nps"))
	tests := []struct {
		name  string
		steps [][]byte // the server's messages after the identity
	}{
		{"success without a method", [][]byte{{supplicant.CodeSuccess, 2, 0, 4}}},
		{"wrong authenticator response", [][]byte{challenge,
			supplicant.Encode(supplicant.CodeRequest, 3, supplicant.TypeMSCHAPv2, []byte{3, 2, 0, 46}, []byte("S="+strings.Repeat("0", 40)+" M=ok"))}},
		{"success after the challenge only", [][]byte{challenge, {supplicant.CodeSuccess, 3, 0, 4}}},
		{"success request before a challenge", [][]byte{
			supplicant.Encode(supplicant.CodeRequest, 3, supplicant.TypeMSCHAPv2, []byte{3, 2, 0, 46}, []byte("S="+strings.Repeat("0", 40)+" M=ok"))}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := supplicant.New(supplicant.Config{Identity: "alice", Password: "Passw0rd!"})
			if err != nil {
				t.Fatal(err)
			}
			p.Start(1)
			var last error
			for _, m := range tc.steps {
				if _, last = p.Respond(m); last != nil {
					break
				}
			}
			if !errors.Is(last, supplicant.ErrServerNotAuthenticated) {
				t.Fatalf("error %v, want ErrServerNotAuthenticated", last)
			}
			if p.Result().Success {
				t.Error("success taken from a server that did not prove the password")
			}
		})
	}
}

// FuzzRespond: no message from a server makes the peer panic.
func FuzzRespond(f *testing.F) {
	f.Add([]byte{1, 1, 0, 5, 1})
	f.Add([]byte{1, 2, 0, 6, 25, 0x20})
	f.Add([]byte{1, 2, 0, 10, 25, 0xc0, 0, 0, 0, 9})
	f.Add(supplicant.Encode(supplicant.CodeRequest, 2, supplicant.TypeMSCHAPv2, []byte{1, 2, 0, 26, 16}, make([]byte, 16)))
	f.Add([]byte{3, 1, 0, 4})
	f.Fuzz(func(t *testing.T, msg []byte) {
		p, err := supplicant.New(supplicant.Config{Identity: "alice", Password: "x", Verify: (&supplicant.Trust{Insecure: true}).Verify})
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		for range 3 {
			if _, err := p.Respond(msg); err != nil {
				return
			}
		}
	})
}
