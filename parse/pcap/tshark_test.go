package pcap_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/parse/pcap"
	"github.com/radscope/radscope/secret"
)

// tsharkFields are the fields TestTsharkCrossCheck asks tshark for, in
// column order.
var tsharkFields = []string{
	"frame.number", "radius.code", "radius.id", "radius.User_Name",
	"radius.avp.type", "radius.avp.vendor_type", "radius.User_Password",
	"radius.authenticator.valid", "radius.authenticator.invalid",
}

// TestTsharkCrossCheck compares, for every capture in testdata/pcaps and
// every RADIUS packet, what radscope decodes with what tshark decodes:
// frame, code, identifier, User-Name, attribute count and, with the test
// secret, the decrypted User-Password and the response authenticator
// verdict.
func TestTsharkCrossCheck(t *testing.T) {
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("tshark not installed but CI is set: %v", err)
		}
		t.Skip("tshark not installed: SKIPPING the tshark cross-check (apt-get install tshark): ", err)
	}
	// The secret the captures were made with, and the wrong one that
	// make.sh's radclient also used.
	for _, shared := range []string{"testing123", "wrongsecret"} {
		sec := &secret.Store{}
		if err := sec.AddArg(shared); err != nil {
			t.Fatal(err)
		}
		for _, name := range captures(t) {
			t.Run(shared+"/"+filepath.Base(name), func(t *testing.T) {
				crossCheck(t, tshark, name, shared, sec)
			})
		}
	}
}

func crossCheck(t *testing.T, tshark, name, shared string, sec *secret.Store) {
	args := []string{"-r", name, "-n", "-o", "radius.shared_secret:" + shared,
		"-o", "radius.validate_authenticator:TRUE", "-d", "udp.port==11812,radius",
		"-Y", "radius", "-T", "fields", "-E", "separator=/t", "-E", "aggregator=,"}
	for _, f := range tsharkFields {
		args = append(args, "-e", f)
	}
	cmd := exec.Command(tshark, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tshark: %v\n%s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	res := readFile(t, name, pcap.Options{Secrets: sec, ShowSecrets: true, Ports: extraPorts})
	if len(lines) != len(res.msgs) {
		t.Fatalf("tshark decodes %d RADIUS packets, radscope %d", len(lines), len(res.msgs))
	}
	verdicts := 0
	for i, line := range lines {
		f := strings.Split(line, "\t")
		for len(f) < len(tsharkFields) {
			f = append(f, "")
		}
		m := res.msgs[i]
		where := "frame " + f[0]
		eq := func(what, ts, rs string) {
			t.Helper()
			if ts != rs {
				t.Errorf("%s: %s: tshark %q, radscope %q", where, what, ts, rs)
			}
		}
		eq("frame", f[0], strconv.FormatInt(m.Src.Frame, 10))
		eq("code", f[1], strconv.Itoa(int(m.Code)))
		eq("identifier", f[2], strconv.Itoa(m.Ident))
		eq("User-Name", f[3], m.User)
		eq("attribute count", strconv.Itoa(tsharkAttrCount(f[4], f[5])), strconv.Itoa(len(m.Attrs)))
		if pw, ok := m.AttrByName("User-Password"); ok && m.Check != nil && m.Check.Password == model.Verified {
			eq("User-Password", f[6], pw.Value)
		}
		// tshark checks only the responses it pairs with a
		// request (not Status-Server's); compare those.
		if !m.Code.IsRequest() && (f[7] == "1" || f[8] == "1") {
			verdict := model.Verified
			if f[8] == "1" {
				verdict = model.SecretMismatch
			}
			got := "no check"
			if m.Check != nil {
				got = m.Check.Authenticator.String()
			}
			eq("authenticator", verdict.String(), got)
			verdicts++
		}
	}
	if verdicts == 0 {
		t.Error("tshark gave no authenticator verdict to compare")
	}
}

// tsharkAttrCount counts attributes as radscope does: every top-level
// attribute, with a Vendor-Specific one counted as its sub-attributes.
func tsharkAttrCount(types, vendorTypes string) int {
	n := 0
	for _, t := range strings.Split(types, ",") {
		if t != "" && t != "26" {
			n++
		}
	}
	for _, t := range strings.Split(vendorTypes, ",") {
		if t != "" {
			n++
		}
	}
	return n
}
