package nps

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

const eapScenario = `
server: {computer_name: NPSEAP, address: 10.0.0.10}
clients:
  - {name: wlc, address: 127.0.0.1, secret: s3cret}
directory:
  domain: CONTOSO
  upn_suffix: contoso.com
  users:
    - {sam: alice, password: Passw0rd!, groups: [WiFi], mfa: {method: push}}
    - {sam: bob, password: Passw0rd!, groups: [WiFi], mfa: {method: push, totp_secret: JBSWY3DPEHPK3PXP}}
    - {sam: carl, password: Passw0rd!, groups: [WiFi], enabled: false}
connection_request_policies:
  - {name: Secure Wireless Connections}
network_policies:
  - name: Wireless
    conditions: {windows_groups: [WiFi]}
    auth_methods: [peap, eap-mschapv2]
mfa:
  installed: true
`

func TestEapolInterop(t *testing.T) {
	bin := needTool(t, "eapol_test")
	sc := loadScenario(t, eapScenario)
	s, rec := newServer(t, sc, Options{})
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	decisions := make(chan Decision, 64)
	s.opts.OnDecision = func(d Decision) { decisions <- d }
	go s.Serve(context.Background(), c)
	port := c.LocalAddr().(*net.UDPAddr).Port
	peap := func(user, pw string) string {
		return "eap=PEAP\n\tidentity=\"" + user + "\"\n\tanonymous_identity=\"anonymous\"\n\tpassword=\"" + pw + "\"\n\tphase1=\"peapver=0\"\n\tphase2=\"auth=MSCHAPV2\""
	}
	ms := func(user, pw string) string {
		return "eap=MSCHAPV2\n\tidentity=\"" + user + "\"\n\tpassword=\"" + pw + "\""
	}
	tests := []struct {
		name    string
		conf    string
		success bool
		method  string
		reason  int
	}{
		{"eap-mschapv2 accept with push MFA", ms("alice", "Passw0rd!"), true, "eap-mschapv2", 0},
		{"eap-mschapv2 wrong password", ms("alice", "nope"), false, "eap-mschapv2", ReasonAuthFailure},
		{"peap-mschapv2 accept with push MFA", peap(`CONTOSO\alice`, "Passw0rd!"), true, "peap", 0},
		{"peap-mschapv2 disabled account", peap("carl", "Passw0rd!"), false, "peap", ReasonAccountDisabled},
		{"peap with number matching needs a code: REQUEST_MISSING_CODE", peap("bob", "Passw0rd!"), false, "peap", ReasonExtensionRejected},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			conf := filepath.Join(dir, "eap.conf")
			if err := os.WriteFile(conf, []byte("network={\n\tkey_mgmt=IEEE8021X\n\t"+tt.conf+"\n}\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			out, err := exec.CommandContext(ctx, bin, "-c", conf, "-a", "127.0.0.1", "-p", strconv.Itoa(port), "-s", testSecret, "-r", "0", "-t", "20").CombinedOutput()
			text := string(out)
			var last Decision
			for done := false; !done; {
				select {
				case d := <-decisions:
					last = d
				default:
					done = true
				}
			}
			if tt.success {
				if err != nil || !strings.Contains(text, "SUCCESS") {
					t.Fatalf("eapol_test failed: %v (last decision %+v)\n%s", err, last, tailLines(text, 30))
				}
				if !strings.Contains(text, "MPPE keys OK") {
					t.Errorf("MS-MPPE keys not confirmed by eapol_test:\n%s", tailLines(text, 30))
				}
			} else if err == nil {
				t.Fatalf("eapol_test succeeded:\n%s", tailLines(text, 30))
			}
			if last.Reason != tt.reason || last.Method != tt.method {
				t.Fatalf("last decision %+v (MFA %+v), want reason %d method %s", last, last.MFA, tt.reason, tt.method)
			}
		})
	}
	if !rec.hasEvent(1, "Challenge requested in Authentication Ext for User bob@contoso.com with state ") {
		t.Error("no REQUEST_MISSING_CODE challenge event for bob")
	}
}

func tailLines(s string, n int) string {
	l := strings.Split(s, "\n")
	if len(l) > n {
		l = l[len(l)-n:]
	}
	return strings.Join(l, "\n")
}

func TestCertificateGeneratedOnFirstRun(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "nps.crt"), filepath.Join(dir, "nps.key")
	yaml := eapScenario + "\n" + `server: {computer_name: NPSEAP, address: 10.0.0.10, certificate: {cert_file: ` + certFile + `, key_file: ` + keyFile + `}}` + "\n"
	yaml = strings.Replace(yaml, "server: {computer_name: NPSEAP, address: 10.0.0.10}\n", "", 1)
	sc := loadScenario(t, yaml)
	s1, _ := newServer(t, sc, Options{})
	first, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatalf("certificate not written on the first run: %v", err)
	}
	if st, err := os.Stat(keyFile); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", st, err)
	}
	c1, _ := s1.eapSrv.Certificate()
	s2, _ := newServer(t, loadScenario(t, yaml), Options{})
	c2, _ := s2.eapSrv.Certificate()
	if string(c1.Certificate[0]) != string(c2.Certificate[0]) {
		t.Fatal("second run did not load the certificate of the first")
	}
	again, _ := os.ReadFile(certFile)
	if string(first) != string(again) {
		t.Fatal("certificate file rewritten")
	}
	// One file without the other is a configuration error.
	os.Remove(keyFile)
	if _, err := New(loadScenario(t, yaml), Options{}); err == nil {
		t.Fatal("missing key file accepted")
	}
}
