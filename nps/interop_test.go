package nps

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// needTool skips when a tool is missing, loudly, and fails under CI.
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is required under CI (apt-get install freeradius-utils eapoltest)", name)
		}
		t.Skipf("SKIPPING interop test: %s not installed (apt-get install freeradius-utils)", name)
	}
	return p
}

// radclient runs radclient against addr and returns its output.
func radclient(t *testing.T, bin, addr, command, input string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-x", "-r", "1", "-t", "2", addr, command, testSecret)
	cmd.Stdin = strings.NewReader(input)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestRadclientInterop(t *testing.T) {
	bin := needTool(t, "radclient")
	sc := loadScenario(t, policyScenario)
	s, _ := newServer(t, sc, Options{})
	addr := listen(t, s)
	tests := []struct {
		name, command, input, want string
	}{
		{"pap accept", "auth", "User-Name=alice,User-Password=Passw0rd,NAS-Port-Type=Virtual", "Received Access-Accept"},
		{"pap reject", "auth", "User-Name=alice,User-Password=nope,NAS-Port-Type=Virtual", "Received Access-Reject"},
		{"chap accept", "auth", "User-Name=alice,CHAP-Password=Passw0rd,NAS-Port-Type=Virtual", "Received Access-Accept"},
		{"mschap accept", "auth", "User-Name=bob,MS-CHAP-Password=password,NAS-Port-Type=Virtual", "Received Access-Accept"},
		{"mschap reject", "auth", "User-Name=bob,MS-CHAP-Password=wrong,NAS-Port-Type=Virtual", "E=691 R=0"},
		{"message-authenticator", "auth", "User-Name=alice,User-Password=Passw0rd,NAS-Port-Type=Virtual,Message-Authenticator=0x00", "Received Access-Accept"},
		{"accounting", "acct", "User-Name=alice,Acct-Status-Type=Start,Acct-Session-Id=abc", "Received Accounting-Response"},
		{"status-server", "status", "Message-Authenticator=0x00", "Received Access-Accept"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := radclient(t, bin, addr, tt.command, tt.input)
			if !strings.Contains(out, tt.want) {
				t.Fatalf("radclient (err %v) output lacks %q:\n%s", err, tt.want, out)
			}
			if strings.Contains(out, "invalid") || strings.Contains(out, "Invalid") {
				t.Fatalf("radclient complains:\n%s", out)
			}
		})
	}
}
