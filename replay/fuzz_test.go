package replay

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/parse"
	"github.com/radscope/radscope/secret"
)

// FuzzDecodeAnswer: any datagram decodes without panic, and an answer
// signed with the secret verifies.
func FuzzDecodeAnswer(f *testing.F) {
	auth := bytes.Repeat([]byte{7}, 16)
	f.Add([]byte{11, 1, 0, 26, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 24, 6, 1, 2, 3, 4})
	f.Add([]byte{2, 1, 0, 20})
	f.Add([]byte{3, 1, 0, 22, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 18, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := decodeAnswer(b, auth, []byte("s"))
		if err != nil || len(b) < 20 {
			return
		}
		p := bytes.Clone(b[:int(b[2])<<8|int(b[3])])
		if err := secret.SignResponse([]byte("s"), p, auth); err != nil {
			return
		}
		if a2, err := decodeAnswer(p, auth, []byte("s")); err != nil || !a2.ok || a2.code != a.code {
			t.Fatalf("signed answer: %+v %v", a2, err)
		}
	})
}

func TestEncode(t *testing.T) {
	sec := []byte("testing123")
	cases := []struct {
		name string
		req  Request
		chk  func(t *testing.T, p []byte)
	}{
		{"pap-ma", Request{Code: model.CodeAccessRequest, MessageAuth: true, Password: []byte("Passw0rd!"),
			Attrs: []WireAttr{{Type: attrUserName, Value: []byte("alice")}, {Type: attrProxyState, Value: []byte("ps")}}, State: true},
			func(t *testing.T, p []byte) {
				if p[20] != attrMessageAuth || !secret.VerifyMessageAuthenticator(sec, p, p[4:20]) {
					t.Error("Message-Authenticator missing, not first, or wrong")
				}
				a, _ := decodeAnswer(p, p[4:20], sec)
				if !bytes.Equal(a.state, []byte("S1")) {
					t.Errorf("State %q, want the target's S1", a.state)
				}
				if !bytes.Contains(p, []byte{attrProxyState, 4, 'p', 's'}) {
					t.Error("Proxy-State not kept")
				}
			}},
		{"chap-keeps-authenticator", Request{Code: model.CodeAccessRequest, Auth: bytes.Repeat([]byte{9}, 16),
			Attrs: []WireAttr{{Type: attrUserName, Value: []byte("bob")}, {Type: attrCHAPPassword, Value: make([]byte, 17)}}},
			func(t *testing.T, p []byte) {
				if !bytes.Equal(p[4:20], bytes.Repeat([]byte{9}, 16)) {
					t.Error("CHAP request authenticator not kept")
				}
			}},
		{"eap-message-split", Request{Code: model.CodeAccessRequest, MessageAuth: true, State: true,
			Attrs: append([]WireAttr{{Type: attrUserName, Value: []byte("lena")}}, eapAttrs(bytes.Repeat([]byte{7}, 600))...)},
			func(t *testing.T, p []byte) {
				a, _ := decodeAnswer(p, p[4:20], sec)
				if !bytes.Equal(a.eap, bytes.Repeat([]byte{7}, 600)) {
					t.Errorf("EAP-Message of %d bytes comes back as %d", 600, len(a.eap))
				}
				if bytes.Count(p, []byte{attrEAPMessage, 255}) != 2 || !secret.VerifyMessageAuthenticator(sec, p, p[4:20]) {
					t.Error("EAP-Message not split into 253-byte attributes, or Message-Authenticator wrong")
				}
			}},
		{"accounting", Request{Code: model.CodeAccountingRequest, Attrs: []WireAttr{{Type: attrAcctStatusType, Value: u32(1)}, {Vendor: 311, Type: 1, Value: []byte("x")}}},
			func(t *testing.T, p []byte) {
				if !secret.VerifyAccountingRequest(sec, p) {
					t.Error("accounting authenticator does not verify")
				}
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := Encode(&c.req, 42, bytes.Repeat([]byte{1}, 16), sec, []byte("S1"))
			if err != nil {
				t.Fatal(err)
			}
			if p[1] != 42 || int(p[2])<<8|int(p[3]) != len(p) {
				t.Fatalf("header %v", p[:4])
			}
			c.chk(t, p)
		})
	}
	long := Request{Code: model.CodeAccessRequest, Attrs: []WireAttr{{Type: 1, Value: make([]byte, 254)}}}
	if _, err := Encode(&long, 1, nil, sec, nil); err == nil {
		t.Error("a 254-byte attribute encoded")
	}
}

// FuzzPlanCapture: any capture file builds flows, plans and packets
// without panic, and every packet planned fits its length field.
func FuzzPlanCapture(f *testing.F) {
	for _, p := range []string{"../testdata/pcaps/radclient.pcap", "../testdata/fixtures/otp-success/capture.pcapng", "../testdata/fixtures/peap-success/capture.pcapng"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	st := &secret.Store{}
	st.AddArg("testing123")
	st.AddArg("vpn-secret")
	st.AddArg("wlc-secret")
	pw := func(string) (string, bool) { return "Lena-Wifi-2026", true }
	eapMsg := bytes.Repeat([]byte{0x16}, 1100) // a TLS flight in several EAP-Message attributes
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(dir, "in.pcap")
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		flows, _ := Flows(context.Background(), []string{p}, parse.Options{Location: time.UTC, Secrets: st, Workers: 1}, nil, nil)
		for _, pl := range Plans(flows, PlanOptions{Secrets: st, Password: pw}) {
			for i := range pl.Requests {
				r := pl.Requests[i]
				if pl.EAP != nil {
					r.Attrs = append(r.Attrs, eapAttrs(eapMsg)...)
					r.State = true
				}
				pkt, err := Encode(&r, 1, nil, []byte("s"), []byte("state"))
				if err == nil && int(pkt[2])<<8|int(pkt[3]) != len(pkt) {
					t.Fatalf("length field %d, packet %d", int(pkt[2])<<8|int(pkt[3]), len(pkt))
				}
			}
		}
	})
}
