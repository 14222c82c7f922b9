package nps

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"layeh.com/radius"
)

// writePcap writes datagrams as a raw-IPv4 pcap: each request from its own
// port on 127.0.0.1 to port 1812 (1813 for accounting), the reply back.
func writePcap(t *testing.T, path string, pairs [][2][]byte) {
	t.Helper()
	var b bytes.Buffer
	hdr := make([]byte, 24)
	binary.LittleEndian.PutUint32(hdr[0:], 0xa1b2c3d4)
	binary.LittleEndian.PutUint16(hdr[4:], 2)
	binary.LittleEndian.PutUint16(hdr[6:], 4)
	binary.LittleEndian.PutUint32(hdr[16:], 65535)
	binary.LittleEndian.PutUint32(hdr[20:], 101) // LINKTYPE_RAW
	b.Write(hdr)
	ts := uint32(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC).Unix())
	add := func(payload []byte, srcPort, dstPort uint16) {
		ip := make([]byte, 28, 28+len(payload))
		ip[0] = 0x45
		binary.BigEndian.PutUint16(ip[2:], uint16(28+len(payload)))
		ip[8], ip[9] = 64, 17
		copy(ip[12:16], []byte{127, 0, 0, 1})
		copy(ip[16:20], []byte{127, 0, 0, 1})
		var sum uint32
		for i := 0; i < 20; i += 2 {
			sum += uint32(binary.BigEndian.Uint16(ip[i:]))
		}
		for sum > 0xffff {
			sum = sum>>16 + sum&0xffff
		}
		binary.BigEndian.PutUint16(ip[10:], ^uint16(sum))
		binary.BigEndian.PutUint16(ip[20:], srcPort)
		binary.BigEndian.PutUint16(ip[22:], dstPort)
		binary.BigEndian.PutUint16(ip[24:], uint16(8+len(payload)))
		pkt := append(ip, payload...)
		rec := make([]byte, 16)
		ts++
		binary.LittleEndian.PutUint32(rec[0:], ts)
		binary.LittleEndian.PutUint32(rec[8:], uint32(len(pkt)))
		binary.LittleEndian.PutUint32(rec[12:], uint32(len(pkt)))
		b.Write(rec)
		b.Write(pkt)
	}
	for i, p := range pairs {
		port := uint16(1812)
		if p[0][0] == byte(radius.CodeAccountingRequest) {
			port = 1813
		}
		client := uint16(40000 + i)
		add(p[0], client, port)
		add(p[1], port, client)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestTsharkVerifiesAuthenticators has Wireshark's RADIUS dissector check,
// with the shared secret, the authenticators of the server's responses and
// of the accounting requests.
func TestTsharkVerifiesAuthenticators(t *testing.T) {
	bin := needTool(t, "tshark")
	sc := loadScenario(t, mfaScenario)
	s, _ := newServer(t, sc, Options{Clock: fakeClock()})
	acct := radius.New(radius.CodeAccountingRequest, []byte(testSecret))
	acct.Attributes.Add(attrAcctStatusType, u32(1))
	acct.Attributes.Add(attrAcctSessionID, []byte("S-1"))
	ab, _ := acct.Encode()
	reqs := [][]byte{
		newReq(testSecret).userName("throttled").pap("pw").nasIP("10.0.1.1").encode(t),             // Reject 21
		newReq(testSecret).userName("carol").pap("pw").nasIP("10.0.1.1").withMA().encode(t),        // Challenge
		newReq(testSecret).userName("newbie").mschapv2("newbie", "pw").nasIP("10.0.1.1").encode(t), // Reject with MS-CHAP-Error
		newReq(testSecret).userName("alice").pap("bad").nasIP("10.0.1.1").encode(t),                // Reject 16
		ab, // tshark does not pair Status-Server with its answer; radclient checks that one
	}
	var pairs [][2][]byte
	for _, b := range reqs {
		reply, _ := handle(t, s, b)
		if reply == nil {
			t.Fatal("no reply")
		}
		pairs = append(pairs, [2][]byte{b, reply})
	}
	// An MS-CHAPv2 Accept from a server without MFA.
	plain, _ := newServer(t, loadScenario(t, policyScenario), Options{})
	b := newReq(testSecret).userName("alice").mschapv2("alice", "Passw0rd").virtual().encode(t)
	reply, _ := handle(t, plain, b)
	pairs = append(pairs, [2][]byte{b, reply})

	path := filepath.Join(t.TempDir(), "nps.pcap")
	writePcap(t, path, pairs)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-r", path, "-o", "radius.shared_secret:"+testSecret, "-o", "radius.validate_authenticator:TRUE",
		"-T", "fields", "-E", "separator=,", "-e", "radius.code", "-e", "radius.authenticator.valid", "-e", "radius.authenticator.invalid")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tshark: %v\n%s%s", err, out, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	checked := 0
	for _, l := range lines {
		f := strings.Split(l, ",")
		if len(f) < 3 {
			t.Fatalf("tshark line %q", l)
		}
		switch f[0] {
		case "1", "4", "12": // requests: tshark verifies responses
			continue
		}
		checked++
		if f[1] != "1" && f[1] != "True" || f[2] == "1" || f[2] == "True" {
			t.Errorf("tshark finds the authenticator of a code %s packet invalid: %q\n%s", f[0], l, out)
		}
	}
	if checked != len(pairs) {
		t.Errorf("tshark verified %d responses, want %d:\n%s", checked, len(pairs), out)
	}
}
