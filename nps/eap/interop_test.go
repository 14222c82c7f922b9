package eap

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"layeh.com/radius"
	"layeh.com/radius/rfc2865"
	"layeh.com/radius/rfc2869"

	"github.com/radscope/radscope/secret"
)

// radiusEAP is a minimal RADIUS server around a Server, enough for
// eapol_test: EAP-Message reassembly, State, Message-Authenticator checked
// on requests and set on responses, MS-MPPE keys in the Access-Accept.
type radiusEAP struct {
	srv    *Server
	secret []byte
	conn   net.PacketConn

	mu      sync.Mutex
	convs   map[string]*Conversation
	next    int
	results []Result
	// PEAP messages with the M flag: fragments from the peer and from us
	clientFrags, serverFrags int
}

func startRADIUS(t *testing.T, srv *Server, sec []byte) *radiusEAP {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &radiusEAP{srv: srv, secret: sec, conn: pc, convs: map[string]*Conversation{}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 4096)
		for {
			n, addr, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if out := r.handle(buf[:n]); out != nil {
				pc.WriteTo(out, addr)
			}
		}
	}()
	t.Cleanup(func() { pc.Close(); <-done })
	return r
}

func (r *radiusEAP) port() int { return r.conn.LocalAddr().(*net.UDPAddr).Port }

func (r *radiusEAP) handle(b []byte) []byte {
	req, err := radius.Parse(b, r.secret)
	if err != nil || req.Code != radius.CodeAccessRequest {
		return nil
	}
	if secret.HasMessageAuthenticator(b) && !secret.VerifyMessageAuthenticator(r.secret, b, nil) {
		return nil
	}
	var eapMsg []byte
	for _, a := range req.Attributes {
		if a.Type == rfc2869.EAPMessage_Type {
			eapMsg = append(eapMsg, a.Attribute...)
		}
	}
	state := string(rfc2865.State_Get(req))
	r.mu.Lock()
	conv := r.convs[state]
	if conv == nil {
		conv = r.srv.NewConversation()
	}
	delete(r.convs, state)
	r.mu.Unlock()

	res := r.srv.Step(context.Background(), conv, eapMsg)
	r.mu.Lock()
	if len(eapMsg) > 5 && eapMsg[4] == TypePEAP && eapMsg[5]&peapFlagMore != 0 {
		r.clientFrags++
	}
	if len(res.Reply) > 5 && res.Reply[4] == TypePEAP && res.Reply[5]&peapFlagMore != 0 {
		r.serverFrags++
	}
	r.mu.Unlock()
	code := radius.CodeAccessChallenge
	switch {
	case res.Done && res.Success:
		code = radius.CodeAccessAccept
	case res.Done:
		code = radius.CodeAccessReject
	}
	resp := req.Response(code)
	for m := res.Reply; len(m) > 0; {
		n := min(len(m), 253)
		resp.Add(rfc2869.EAPMessage_Type, radius.Attribute(m[:n]))
		m = m[n:]
	}
	r.mu.Lock()
	if !res.Done {
		r.next++
		st := "radscope-" + strconv.Itoa(r.next)
		r.convs[st] = conv
		rfc2865.State_Set(resp, []byte(st))
	} else {
		r.results = append(r.results, res)
	}
	r.mu.Unlock()
	if res.Success {
		rfc2865.UserName_SetString(resp, res.InnerUser)
		addMPPE(resp, r.secret, req.Authenticator[:], 16, res.SendKey, 1)
		addMPPE(resp, r.secret, req.Authenticator[:], 17, res.RecvKey, 2)
	}
	resp.Add(rfc2869.MessageAuthenticator_Type, make(radius.Attribute, 16))
	out, err := resp.Encode()
	if err != nil {
		return nil
	}
	if err := secret.SignResponse(r.secret, out, req.Authenticator[:]); err != nil {
		return nil
	}
	return out
}

// addMPPE adds MS-MPPE-Send-Key (16) or MS-MPPE-Recv-Key (17), RFC 2548.
func addMPPE(p *radius.Packet, sec, reqAuth []byte, typ byte, key []byte, salt byte) {
	enc := secret.EncryptSalted(sec, reqAuth, key, [2]byte{0x80, salt})
	v := binary.BigEndian.AppendUint32(nil, 311)
	v = append(v, typ, byte(2+len(enc)))
	v = append(v, enc...)
	p.Add(rfc2865.VendorSpecific_Type, radius.Attribute(v))
}

func (r *radiusEAP) last() (Result, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.results) == 0 {
		return Result{}, false
	}
	return r.results[len(r.results)-1], true
}

func needEapolTest(t *testing.T) string {
	path, err := exec.LookPath("eapol_test")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("eapol_test not installed (CI is set): apt-get install eapoltest")
		}
		t.Skip("SKIPPED: eapol_test not installed; apt-get install eapoltest to run the interop test")
	}
	return path
}

func TestEapolTestInterop(t *testing.T) {
	if testing.Short() {
		t.Skip("interop test skipped in -short mode")
	}
	bin := needEapolTest(t)
	tests := []struct {
		name, method string
		conf         string
		ok           bool
		user         string
		frag         int
	}{
		{"eap-mschapv2 accept", MethodMSCHAPv2, `eap=MSCHAPV2
	identity="alice"
	password="Passw0rd!"`, true, "alice", 0},
		{"eap-mschapv2 wrong password", MethodMSCHAPv2, `eap=MSCHAPV2
	identity="alice"
	password="wrong"`, false, "alice", 0},
		{"peap-mschapv2 accept", MethodPEAP, `eap=PEAP
	identity="alice"
	anonymous_identity="anonymous"
	password="Passw0rd!"
	phase1="peapver=0"
	phase2="auth=MSCHAPV2"`, true, "alice", 0},
		{"peap-mschapv2 wrong password", MethodPEAP, `eap=PEAP
	identity="alice"
	anonymous_identity="anonymous"
	password="wrong"
	phase1="peapver=0"
	phase2="auth=MSCHAPV2"`, false, "alice", 0},
		{"peap-mschapv2 fragmented both ways", MethodPEAP, `eap=PEAP
	identity="CONTOSO\alice"
	anonymous_identity="anonymous@contoso.com"
	password="Passw0rd!"
	fragment_size=100
	phase1="peapver=0"
	phase2="auth=MSCHAPV2"`, true, `CONTOSO\alice`, 150},
	}
	sec := []byte("interop-secret")
	dir := t.TempDir()
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, err := NewServer(Config{Certificate: testCert(t), NTHash: directory, Methods: []string{tc.method}, FragmentSize: tc.frag})
			if err != nil {
				t.Fatal(err)
			}
			rs := startRADIUS(t, srv, sec)
			conf := filepath.Join(dir, fmt.Sprintf("eapol%d.conf", i))
			if err := os.WriteFile(conf, []byte("network={\n\tkey_mgmt=IEEE8021X\n\t"+tc.conf+"\n}\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, "-c", conf, "-a", "127.0.0.1", "-p", strconv.Itoa(rs.port()), "-s", string(sec), "-r", "0", "-t", "20")
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			err = cmd.Run()
			text := out.String()
			res, ok := rs.last()
			if !ok {
				t.Fatalf("no conversation ended; eapol_test: %v\n%s", err, tail(text))
			}
			if tc.ok {
				if err != nil || !strings.Contains(text, "SUCCESS") || !strings.Contains(text, "MPPE keys OK") {
					t.Fatalf("eapol_test failed: %v (server: %+v)\n%s", err, res.Err, tail(text))
				}
				if testing.Verbose() {
					t.Log(tail(text))
				}
				if !res.Success || res.InnerUser != tc.user || res.Method != tc.method {
					t.Fatalf("server result %+v", res)
				}
				if tc.frag > 0 {
					rs.mu.Lock()
					cf, sf := rs.clientFrags, rs.serverFrags
					rs.mu.Unlock()
					if cf == 0 || sf == 0 {
						t.Fatalf("fragments: %d from eapol_test, %d from the server", cf, sf)
					}
				}
				return
			}
			if err == nil || !strings.Contains(text, "FAILURE") {
				t.Fatalf("eapol_test did not fail: %v\n%s", err, tail(text))
			}
			if res.Success || !strings.HasPrefix(res.MSCHAPError, "E=691 R=0 C=") {
				t.Fatalf("server result %+v", res)
			}
			if !strings.Contains(text, "EAP-Failure") && !strings.Contains(text, "Access-Reject") {
				t.Fatalf("no EAP-Failure / Access-Reject seen\n%s", tail(text))
			}
		})
	}
}

func tail(s string) string {
	lines := strings.Split(s, "\n")
	if len(lines) > 60 {
		lines = lines[len(lines)-60:]
	}
	return strings.Join(lines, "\n")
}
