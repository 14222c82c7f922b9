package main

import (
	"bufio"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"layeh.com/radius"
	"layeh.com/radius/rfc2865"

	"github.com/radscope/radscope/secret"
)

// freeUDPPort finds a port on 127.0.0.1 that is free now.
func freeUDPPort(t *testing.T) string {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, port, _ := net.SplitHostPort(c.LocalAddr().String())
	return port
}

func TestScenarioCommands(t *testing.T) {
	out, _, code := runCLI(t, cliCase{args: []string{"scenario", "example"}})
	if code != 0 || !strings.Contains(out, "auth_listen") {
		t.Fatalf("scenario example: exit %d\n%.300s", code, out)
	}
	dir := t.TempDir()
	good := filepath.Join(dir, "lab.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(good, []byte(out), 0o644)
	os.WriteFile(bad, []byte("clients:\n  - name: x\n    adress: 10.0.0.1\n"), 0o644)
	out, _, code = runCLI(t, cliCase{args: []string{"scenario", "check", good}})
	if code != 0 || !strings.Contains(out, "ok") {
		t.Errorf("check of the example: exit %d %q", code, out)
	}
	_, errOut, code := runCLI(t, cliCase{args: []string{"scenario", "check", bad}})
	if code != 2 || !strings.Contains(errOut, "bad.yaml:3:5:") || !strings.Contains(errOut, `unknown key "adress"`) {
		t.Errorf("check of a bad file: exit %d %q", code, errOut)
	}
}

func TestServe(t *testing.T) {
	example, _, _ := runCLI(t, cliCase{args: []string{"scenario", "example"}})
	auth, acct := freeUDPPort(t), freeUDPPort(t)
	sc := strings.NewReplacer(":1812", ":"+auth, ":1813", ":"+acct).Replace(example)
	path := filepath.Join(t.TempDir(), "lab.yaml")
	if err := os.WriteFile(path, []byte(sc), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary, "serve", "--scenario", path, "--set", "directory.users.alice.mfa.latency=50ms")
	stderr, _ := cmd.StderrPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	serving := make(chan string, 1)
	var errLines []string
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			errLines = append(errLines, sc.Text())
			if strings.Contains(sc.Text(), "serving RADIUS on") {
				serving <- sc.Text()
			}
		}
		close(serving)
	}()
	select {
	case line, ok := <-serving:
		if !ok || !regexp.MustCompile(`127\.0\.0\.1:`+auth).MatchString(line) {
			t.Fatalf("server did not start: %q %q", line, errLines)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no 'serving' line within 20 s")
	}
	lines := make(chan string, 10)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	// ask sends a PAP Access-Request with a Message-Authenticator (the
	// example's rdgw client requires one) and returns the answer's code.
	ask := func(user, pass string) radius.Code {
		p := radius.New(radius.CodeAccessRequest, []byte("testing123"))
		rfc2865.UserName_SetString(p, user)
		rfc2865.UserPassword_SetString(p, pass)
		p.Add(secret.AttrMessageAuthenticator, make([]byte, 16))
		wire, err := p.Encode()
		if err != nil {
			t.Fatal(err)
		}
		if err := secret.SetMessageAuthenticator([]byte("testing123"), wire, nil); err != nil {
			t.Fatal(err)
		}
		conn, err := net.Dial("udp", "127.0.0.1:"+auth)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := conn.Write(wire); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 4096)
		n, err := conn.Read(buf)
		if err != nil {
			t.Fatalf("%s: %v", user, err)
		}
		resp, err := radius.Parse(buf[:n], []byte("testing123"))
		if err != nil {
			t.Fatal(err)
		}
		if !secret.VerifyResponse([]byte("testing123"), buf[:n], wire[4:20]) {
			t.Errorf("%s: response authenticator does not verify", user)
		}
		return resp.Code
	}
	if c := ask("alice", "Passw0rd!"); c != radius.CodeAccessAccept {
		t.Errorf("alice with push approved: %v, want Access-Accept", c)
	}
	if c := ask("dave", "Summer2026"); c != radius.CodeAccessReject {
		t.Errorf("locked dave: %v, want Access-Reject", c)
	}
	for _, want := range []string{"alice", "dave"} {
		select {
		case l := <-lines:
			if !strings.Contains(l, want) || (want == "dave" && !strings.Contains(l, " 36 ")) {
				t.Errorf("live line %q: want %s (and reason 36 for dave)", l, want)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("no live line for %s", want)
		}
	}
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	if err != nil {
		t.Errorf("serve did not stop cleanly on SIGINT: %v (%q)", err, errLines)
	}
}
