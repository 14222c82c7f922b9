package replay

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"layeh.com/radius/rfc2759"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/nps"
	"github.com/radscope/radscope/parse"
	"github.com/radscope/radscope/replay/supplicant"
	"github.com/radscope/radscope/secret"
)

const peapDir = "../testdata/fixtures/peap-success/"

// TestReplayPEAP replays the PEAP fixture as the EAP peer: from the
// capture and from the NPS log alone, in process, over UDP to the emulator
// (--listen) and to an emulator serving on 127.0.0.1 as a remote server.
func TestReplayPEAP(t *testing.T) {
	cases := []struct {
		name    string
		inputs  []string
		sets    []string
		listen  bool
		remote  bool
		noPw    bool
		status  Status
		outcome string
		reason  int
		why     string // in Why (not replayable) or Observed.Peer
		method  string // the observed EAP method, when not PEAP
	}{
		{name: "capture", inputs: []string{"capture.pcapng"}, status: Reproduced, outcome: "accepted", reason: 0},
		{name: "capture and log", inputs: []string{"capture.pcapng", "IN261102.log"}, status: Reproduced, outcome: "accepted", reason: 0},
		{name: "log only", inputs: []string{"IN261102.log"}, status: Reproduced, outcome: "accepted", reason: 0},
		{name: "listen", inputs: []string{"capture.pcapng"}, listen: true, status: Reproduced, outcome: "accepted", reason: 0},
		{name: "remote, insecure trust", inputs: []string{"capture.pcapng"}, remote: true,
			sets: []string{"supplicant.trust_emulator", "false", "supplicant.insecure_skip_verify", "true"}, status: Reproduced, outcome: "accepted"},
		{name: "remote, trust_emulator does not apply", inputs: []string{"capture.pcapng"}, remote: true,
			status: Regressed, outcome: outcomePeerAbandoned, why: "not trusted"},
		{name: "untrusted", inputs: []string{"capture.pcapng"}, sets: []string{"supplicant.trust_emulator", "false"},
			status: Regressed, outcome: outcomePeerAbandoned, why: "ca_file or insecure_skip_verify"},
		{name: "server wants the password changed", inputs: []string{"capture.pcapng"}, sets: []string{"directory.users.lena.password_must_change", "true"},
			status: Regressed, outcome: "rejected", reason: 33},
		{name: "peap not allowed", inputs: []string{"capture.pcapng"}, sets: []string{"network_policies.0.auth_methods", "[eap-mschapv2]"},
			status: Regressed, outcome: "rejected", reason: 22, method: "-"},
		{name: "no password", inputs: []string{"capture.pcapng"}, noPw: true, status: NotReplayable, why: "--password-from scenario"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			sc := loadScenario(t, peapDir+"scenario.yaml", c.sets...)
			s := &Session{Scenario: sc, PasswordFromScenario: !c.noPw, Run: Options{Retries: -1},
				Parse: parse.Options{Location: time.UTC, Secrets: secrets(t, peapDir+"secrets.txt")}, Bad: func(err error) { t.Error(err) }}
			if c.listen {
				s.Listen = "127.0.0.1:0"
			}
			if c.remote {
				if err := sc.Set("clients.wlc.address", "127.0.0.1"); err != nil {
					t.Fatal(err)
				}
				addr := serveScenario(t, sc)
				s.Target = "udp://" + addr.String()
			}
			var in []string
			for _, f := range c.inputs {
				in = append(in, peapDir+f)
			}
			rs, _, err := s.Replay(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			if len(rs) != 1 {
				t.Fatalf("%d flows, want 1", len(rs))
			}
			r := rs[0]
			o := r.Observed
			if r.Status != c.status || o.Outcome != c.outcome {
				t.Fatalf("%s %s (%s %s %v), want %s %s", r.Status, o.Outcome, r.Why, o.Peer, r.Diffs, c.status, c.outcome)
			}
			if c.status == NotReplayable {
				if !strings.Contains(r.Why, c.why) {
					t.Errorf("why %q, want %q in it", r.Why, c.why)
				}
				return
			}
			if !c.remote && o.Reason != c.reason {
				t.Errorf("reason %d, want %d", o.Reason, c.reason)
			}
			if c.why != "" && !strings.Contains(o.Peer, c.why) {
				t.Errorf("peer %q, want %q in it", o.Peer, c.why)
			}
			want := "PEAP"
			if c.method == "-" { // the peer Naks what the server offers
				want = ""
			}
			if o.EAPMethod != want || r.Expected.Method != "PEAP" {
				t.Errorf("method %q, expected %q, want %q", o.EAPMethod, r.Expected.Method, want)
			}
			if c.outcome == "accepted" && (o.Rounds != 8 || r.Expected.Rounds != 8 && c.inputs[0] != "IN261102.log") {
				t.Errorf("rounds %d, expected %d, want 8", o.Rounds, r.Expected.Rounds)
			}
		})
	}
}

// TestReplayEAPMSCHAPv2 runs plain EAP-MSCHAPv2 and a Nak from PEAP to it.
func TestReplayEAPMSCHAPv2(t *testing.T) {
	cases := []struct {
		name, method, password string
		outcome                string
		reason                 int
	}{
		{"eap-mschapv2", "EAP-MSCHAPv2", "Lena-Wifi-2026", "accepted", 0},
		{"whatever is offered", "", "Lena-Wifi-2026", "accepted", 0},
		{"wrong password", "EAP-MSCHAPv2", "Lena-Wifi-2025", "rejected", 16},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sc := loadScenario(t, peapDir+"scenario.yaml", "network_policies.0.auth_methods", "[eap-mschapv2]")
			at := time.Date(2026, 11, 2, 9, 14, 0, 0, time.UTC)
			f := &model.Flow{ID: 1, Kind: model.FlowAuth, User: `CONTOSO\lena`, NAS: "wlc", Start: at, Outcome: model.OutcomeAccepted, Reason: model.NoReason}
			p := &Plan{Flow: f, NAS: "wlc", Client: netipMust("10.0.0.3:1645"), Secret: []byte("wlc-secret"),
				EAP: &EAPPlan{Identity: f.User, User: f.User, Method: c.method, Password: []byte(c.password)},
				Requests: []Request{{Code: model.CodeAccessRequest, MessageAuth: true, At: at,
					Attrs: []WireAttr{{Type: attrUserName, Value: []byte(f.User)}, {Type: 61, Value: u32(19)}}}}}
			rs, err := Run(context.Background(), []*Plan{p}, Options{Target: NewEmbedded(sc, at, nps.Options{}), Retries: -1})
			if err != nil {
				t.Fatal(err)
			}
			o := rs[0].Observed
			if o.Outcome != c.outcome || o.Reason != c.reason || o.EAPMethod != "EAP-MSCHAPv2" {
				t.Fatalf("%s reason %d method %q (%s %s), want %s %d EAP-MSCHAPv2", o.Outcome, o.Reason, o.EAPMethod, o.Peer, o.Error, c.outcome, c.reason)
			}
			if c.reason == 16 && !strings.HasPrefix(o.MSCHAPError, "E=691") {
				t.Errorf("MS-CHAPv2 error %q, want E=691", o.MSCHAPError)
			}
		})
	}
}

// TestListenDecisions: with --listen the server's decisions reach the
// flows as in process: the same reason code, MFA result and method.
func TestListenDecisions(t *testing.T) {
	for _, name := range []string{"wrong-password", "not-enrolled", "upn-mismatch", "no-network-policy", "otp-mschapv2", "peap-success"} {
		t.Run(name, func(t *testing.T) {
			dir := "../testdata/fixtures/" + name + "/"
			run := func(listen string) *Result {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				s := &Session{Scenario: loadScenario(t, dir+"scenario.yaml"), Listen: listen, PasswordFromScenario: true, Run: Options{Retries: -1},
					Parse: parse.Options{Location: time.UTC, Secrets: secrets(t, dir+"secrets.txt")}, Bad: func(err error) { t.Error(err) }}
				rs, _, err := s.Replay(ctx, []string{dir + "capture.pcapng"})
				if err != nil {
					t.Fatal(err)
				}
				if len(rs) != 1 {
					t.Fatalf("%d flows", len(rs))
				}
				return rs[0]
			}
			in, udp := run(""), run("127.0.0.1:0")
			if in.Status != Reproduced {
				t.Fatalf("in process: %s %v", in.Status, in.Diffs)
			}
			a, b := in.Observed, udp.Observed
			if udp.Status != in.Status || a.Outcome != b.Outcome || a.Reason != b.Reason || a.MFA != b.MFA || a.MFAMethod != b.MFAMethod || a.Policy != b.Policy {
				t.Errorf("--listen %s %s reason=%d mfa=%q/%q policy=%q, in process %s %s reason=%d mfa=%q/%q policy=%q",
					udp.Status, b.Outcome, b.Reason, b.MFA, b.MFAMethod, b.Policy, in.Status, a.Outcome, a.Reason, a.MFA, a.MFAMethod, a.Policy)
			}
			if b.Reason == model.NoReason {
				t.Error("--listen: no reason code")
			}
		})
	}
}

// TestCheckKeys: the MS-MPPE keys of an Access-Accept must be the ones the
// device derived; absent keys are not checked.
func TestCheckKeys(t *testing.T) {
	sec, auth := []byte("wlc-secret"), bytes.Repeat([]byte{3}, 16)
	p, err := supplicant.New(supplicant.Config{Identity: "lena", Password: "Lena-Wifi-2026"})
	if err != nil {
		t.Fatal(err)
	}
	// An EAP-MSCHAPv2 conversation up to the verified success.
	p.Start(1)
	authCh := bytes.Repeat([]byte{5}, 16)
	resp, err := p.Respond(supplicant.Encode(supplicant.CodeRequest, 2, supplicant.TypeMSCHAPv2, []byte{1, 2, 0, 26, 16}, authCh, []byte("nps")))
	if err != nil {
		t.Fatal(err)
	}
	nt := p.Result().NTResponse
	peerCh := resp[5+5 : 5+5+16]
	s, err := rfc2759.GenerateAuthenticatorResponse(authCh, peerCh, nt, []byte("lena"), []byte("Lena-Wifi-2026"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Respond(supplicant.Encode(supplicant.CodeRequest, 3, supplicant.TypeMSCHAPv2, []byte{3, 2, 0, byte(4 + len(s))}, []byte(s))); err != nil {
		t.Fatal(err)
	}
	recv, send := p.Keys()
	if len(recv) != 16 || len(send) != 16 {
		t.Fatalf("keys %x %x", recv, send)
	}
	salted := func(k []byte) []byte { return secret.EncryptSalted(sec, auth, k, [2]byte{0x81, 2}) }
	cases := []struct {
		name string
		a    answer
		ok   bool
	}{
		{"matching", answer{mppeRecv: salted(recv), mppeSend: salted(send)}, true},
		{"absent", answer{}, true},
		{"swapped", answer{mppeRecv: salted(send), mppeSend: salted(recv)}, false},
		{"under another secret", answer{mppeRecv: secret.EncryptSalted([]byte("x"), auth, recv, [2]byte{0x81, 2})}, false},
	}
	e := &engine{}
	f := &flowRun{peer: p, secret: sec, auth: auth}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := e.checkKeys(f, c.a); (err == nil) != c.ok {
				t.Errorf("checkKeys: %v, want ok %v", err, c.ok)
			}
		})
	}
}
