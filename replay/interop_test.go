package replay

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/parse"
)

// needTool skips (loudly) when a tool is missing, and fails under CI.
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is required under CI (apt-get install freeradius freeradius-utils)", name)
		}
		t.Skipf("SKIPPING interop test: %s not installed (apt-get install freeradius freeradius-utils)", name)
	}
	return p
}

// frConf is FreeRADIUS 3 configured as testdata/pcaps/make.sh configured
// the server the captures were taken from: the same users and secret,
// on 127.0.0.1 only, auth on %[3]d and accounting on %[3]d+1.
const frConf = `prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = %[1]s
sbindir = /usr/sbin
logdir = %[1]s
raddbdir = %[1]s
radacctdir = %[1]s
name = freeradius
confdir = ${raddbdir}
modconfdir = ${confdir}
run_dir = %[1]s
db_dir = ${raddbdir}
libdir = /usr/lib/freeradius
pidfile = ${run_dir}/freeradius.pid
max_request_time = 30
cleanup_delay = 5
max_requests = 1024
hostname_lookups = no
log {
	destination = stderr
	auth = yes
	auth_badpass = yes
}
security {
	max_attributes = 200
	reject_delay = 0
	status_server = yes
}
client localhost {
	ipaddr = 127.0.0.1
	secret = %[2]s
	require_message_authenticator = no
}
modules {
	pap {
	}
	chap {
	}
	mschap {
	}
	files {
		filename = ${confdir}/users
	}
	always acct_ok {
		rcode = ok
	}
}
server default {
	listen {
		type = auth
		ipaddr = 127.0.0.1
		port = %[3]d
	}
	listen {
		type = acct
		ipaddr = 127.0.0.1
		port = %[4]d
	}
	authorize {
		files
		chap
		mschap
		pap
	}
	authenticate {
		Auth-Type PAP {
			pap
		}
		Auth-Type CHAP {
			chap
		}
		Auth-Type MS-CHAP {
			mschap
		}
	}
	preacct {
	}
	accounting {
		acct_ok
	}
}
`

const frUsers = `chal	Cleartext-Password := "chal-pass", Response-Packet-Type := Access-Challenge
	Reply-Message := "Enter the code from your authenticator app", State := 0x6d66612d70656e64696e67

alice	Cleartext-Password := "alice-pass"
	Reply-Message := "Welcome, alice"

mallory	Auth-Type := Reject
	Reply-Message := "Access denied"
`

// startFreeRADIUS runs FreeRADIUS with its own configuration on
// 127.0.0.1 and stops it by PID when the test ends.
func startFreeRADIUS(t *testing.T) netip.AddrPort {
	addr, _ := startFreeRADIUSWith(t, nil, "", nil)
	return addr
}

// startFreeRADIUSWith is startFreeRADIUS with conf changing frConf, more
// users and setup writing files into the configuration folder, which it
// returns.
func startFreeRADIUSWith(t *testing.T, conf func(string) string, users string, setup func(*testing.T, string)) (netip.AddrPort, string) {
	bin := needTool(t, "freeradius")
	dir := t.TempDir()
	var port int
	for range 20 {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port = pc.LocalAddr().(*net.UDPAddr).Port
		pc.Close()
		if q, err := net.ListenPacket("udp", fmt.Sprintf("127.0.0.1:%d", port+1)); err == nil {
			q.Close()
			break
		}
	}
	c := frConf
	if conf != nil {
		c = conf(c)
	}
	if setup != nil {
		setup(t, dir)
	}
	os.WriteFile(filepath.Join(dir, "radiusd.conf"), fmt.Appendf(nil, c, dir, "testing123", port, port+1), 0o600)
	os.WriteFile(filepath.Join(dir, "users"), []byte(frUsers+users), 0o600)
	os.WriteFile(filepath.Join(dir, "dictionary"), nil, 0o600)
	cmd := exec.Command(bin, "-f", "-d", dir, "-l", filepath.Join(dir, "radius.log"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(dir, "radius.log"))
			t.Logf("radius.log:\n%s", b)
		}
	})
	addr := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(port))
	// Wait until it answers a Status-Server.
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		c, err := net.Dial("udp", addr.String())
		if err != nil {
			t.Fatal(err)
		}
		p, _ := Encode(&Request{Code: model.CodeStatusServer, MessageAuth: true}, 1, nil, []byte("testing123"), nil)
		c.Write(p)
		c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		buf := make([]byte, 4096)
		n, err := c.Read(buf)
		c.Close()
		if err == nil && n >= 20 && buf[0] == byte(model.CodeAccessAccept) {
			return addr, dir
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("FreeRADIUS did not come up")
	return addr, dir
}

// TestReplayFreeRADIUS replays every capture of testdata/pcaps (taken from
// FreeRADIUS answering radclient and eapol_test) against a FreeRADIUS
// configured the same way: every flow that can be re-sent is reproduced;
// the PEAP conversation (no scenario gives a password, and its outer
// identity is anonymous: TestReplayPEAPFreeRADIUS runs PEAP) and the
// requests sent with the wrong secret are not replayable, with the reason.
func TestReplayFreeRADIUS(t *testing.T) {
	addr := startFreeRADIUS(t)
	st := secrets(t, "../testdata/pcaps/secrets.txt")
	caps, _ := filepath.Glob("../testdata/pcaps/*.pcap*")
	if len(caps) < 5 {
		t.Fatalf("%d captures", len(caps))
	}
	for _, c := range caps {
		t.Run(filepath.Base(c), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			s := &Session{Target: "udp://" + addr.String(), TargetSecret: []byte("testing123"),
				Parse: parse.Options{Location: time.UTC, Secrets: st, Ports: []uint16{11812}}, Run: Options{Timeout: 2 * time.Second, Retries: 1, Linger: time.Second}}
			rs, _, err := s.Replay(ctx, []string{c})
			if err != nil {
				t.Fatal(err)
			}
			if len(rs) == 0 {
				t.Fatal("no flows")
			}
			replayed, eap := 0, 0
			for _, r := range rs {
				if strings.Contains(r.Why, "EAP") {
					eap++
				}
				switch {
				case r.Status == NotReplayable && (strings.Contains(r.Why, "EAP") || strings.Contains(r.Why, "does not decrypt")):
				case r.Status == Reproduced:
					replayed++
				case r.Expected.Outcome == model.OutcomeNoResponse.String() && r.Observed.Outcome == model.OutcomeRejected.String():
					// radclient's wrong-secret request without Message-Authenticator:
					// its password decrypts to printable garbage only by chance.
				default:
					t.Errorf("flow %d %s: %s (%v %s) expected %+v observed %+v", r.ID, r.User, r.Status, r.Diffs, r.Why, r.Expected, r.Observed)
				}
			}
			if replayed == 0 && eap < len(rs) {
				t.Error("nothing was reproduced")
			}
			t.Logf("%d flows: %d reproduced, %d EAP (not replayable)", len(rs), replayed, eap)
		})
	}
}

// TestReplayPcapsEmbedded replays the same captures against the emulated
// NPS configured like that FreeRADIUS.
func TestReplayPcapsEmbedded(t *testing.T) {
	st := secrets(t, "../testdata/pcaps/secrets.txt")
	for _, c := range []string{"radclient.pcap", "loopback-be.pcap", "ipv6-sll2.pcap"} {
		t.Run(c, func(t *testing.T) {
			s := &Session{Scenario: loadScenario(t, "testdata/freeradius-like.yaml"),
				Parse: parse.Options{Location: time.UTC, Secrets: st, Ports: []uint16{11812}}, Run: Options{Retries: -1}}
			rs, _, err := s.Replay(context.Background(), []string{"../testdata/pcaps/" + c})
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, r := range rs {
				switch {
				case r.Status == Reproduced:
					n++
				case r.Status == NotReplayable && strings.Contains(r.Why, "does not decrypt"):
				case r.Expected.Outcome == model.OutcomeNoResponse.String() && r.Observed.Outcome == model.OutcomeRejected.String():
				default:
					t.Errorf("flow %d %s: %s %v %s", r.ID, r.User, r.Status, r.Diffs, r.Why)
				}
			}
			if n == 0 {
				t.Error("nothing reproduced")
			}
		})
	}
}

// frEAP adds EAP (PEAPv0 with MS-CHAPv2 inside, TLS from the files in
// %[1]s) to frConf: the eap module, an inner-tunnel server, eap in the
// default server's authorize and authenticate sections.
func frEAP(conf string) string {
	conf = strings.Replace(conf, "\tmschap {\n\t}\n", `	mschap {
		with_ntdomain_hack = yes
	}
	eap {
		default_eap_type = peap
		timer_expire = 60
		tls-config tls-common {
			private_key_file = %[1]s/server.key
			certificate_file = %[1]s/server.pem
			ca_file = %[1]s/ca.pem
			tls_min_version = "1.2"
			tls_max_version = "1.2"
		}
		peap {
			tls = tls-common
			default_eap_type = mschapv2
			virtual_server = inner-tunnel
		}
		mschapv2 {
		}
	}
`, 1)
	conf = strings.Replace(conf, "\tauthorize {\n\t\tfiles\n", "\tauthorize {\n\t\teap {\n\t\t\tok = return\n\t\t}\n\t\tfiles\n", 1)
	conf = strings.Replace(conf, "\t\tAuth-Type MS-CHAP {\n\t\t\tmschap\n\t\t}\n\t}\n", "\t\tAuth-Type MS-CHAP {\n\t\t\tmschap\n\t\t}\n\t\teap\n\t}\n", 1)
	return conf + `server inner-tunnel {
	authorize {
		files
		mschap
		eap {
			ok = return
		}
	}
	authenticate {
		Auth-Type MS-CHAP {
			mschap
		}
		eap
	}
}
`
}

// writePKI writes a CA and a server certificate for radius.test into dir
// (ca.pem, server.pem, server.key).
func writePKI(t *testing.T, dir string) {
	t.Helper()
	now := time.Now()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "radscope test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "radius.test"}, DNSNames: []string{"radius.test"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	pk, _ := x509.MarshalPKCS8PrivateKey(key)
	for name, blk := range map[string]*pem.Block{"ca.pem": {Type: "CERTIFICATE", Bytes: caDER},
		"server.pem": {Type: "CERTIFICATE", Bytes: der}, "server.key": {Type: "PRIVATE KEY", Bytes: pk}} {
		if err := os.WriteFile(filepath.Join(dir, name), pem.EncodeToMemory(blk), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// TestReplayPEAPFreeRADIUS replays the PEAP fixture's capture against
// FreeRADIUS with PEAP-MSCHAPv2: radscope's device checks the server's
// chain against the test CA and its name, and FreeRADIUS's authenticator
// response; with the wrong name it does not trust the server.
func TestReplayPEAPFreeRADIUS(t *testing.T) {
	cases := []struct {
		name, serverName string
		status           Status
		outcome          string
	}{
		{"trusted", "radius.test", Reproduced, "accepted"},
		{"other server name", "nps01.contoso.com", Regressed, outcomePeerAbandoned},
	}
	addr, dir := startFreeRADIUSWith(t, frEAP, `CONTOSO\lena	Cleartext-Password := "Lena-Wifi-2026"
`, writePKI)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			sc := loadScenario(t, peapDir+"scenario.yaml", "supplicant.trust_emulator", "false",
				"supplicant.ca_file", filepath.Join(dir, "ca.pem"), "supplicant.server_name", c.serverName)
			s := &Session{Scenario: sc, Target: "udp://" + addr.String(), TargetSecret: []byte("testing123"), PasswordFromScenario: true,
				Parse: parse.Options{Location: time.UTC, Secrets: secrets(t, peapDir+"secrets.txt")},
				Run:   Options{Timeout: 2 * time.Second, Retries: 1, Linger: time.Second}}
			rs, _, err := s.Replay(ctx, []string{peapDir + "capture.pcapng"})
			if err != nil {
				t.Fatal(err)
			}
			r := rs[0]
			if r.Status != c.status || r.Observed.Outcome != c.outcome {
				t.Fatalf("%s %s after %d rounds (%v %s %s %s), want %s %s", r.Status, r.Observed.Outcome, r.Observed.Rounds, r.Diffs, r.Observed.Peer, r.Observed.Error, r.Observed.MSCHAPError, c.status, c.outcome)
			}
			t.Logf("%s after %d rounds (%s)", r.Observed.Outcome, r.Observed.Rounds, r.Observed.EAPMethod)
		})
	}
}
