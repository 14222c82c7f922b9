package replay

import (
	"context"
	"fmt"
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
	os.WriteFile(filepath.Join(dir, "radiusd.conf"), fmt.Appendf(nil, frConf, dir, "testing123", port, port+1), 0o600)
	os.WriteFile(filepath.Join(dir, "users"), []byte(frUsers), 0o600)
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
			return addr
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("FreeRADIUS did not come up")
	return addr
}

// TestReplayFreeRADIUS replays every capture of testdata/pcaps (taken from
// FreeRADIUS answering radclient and eapol_test) against a FreeRADIUS
// configured the same way: every flow that can be re-sent is reproduced;
// the PEAP conversation and the requests sent with the wrong secret are
// not replayable, with the reason.
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
