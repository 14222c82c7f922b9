package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/radscope/radscope/tui"
)

func TestTUIWithoutTerminal(t *testing.T) {
	keys := filepath.Join(t.TempDir(), "keys.yaml")
	if err := os.WriteFile(keys, []byte("flter: f\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []cliCase{
		{name: "piped prints the table", args: []string{"tui", "--tz", "UTC", "testdata/incident"}, code: 0,
			outHas: []string{"CONTOSO\\alice", "upn-mismatch", "TIME\tUSER"}, errHas: []string{"tui needs a terminal"}},
		{name: "piped with a filter", args: []string{"tui", "--tz", "UTC", "--filter", "outcome:rejected", "testdata/incident"}, code: 0,
			outHas: []string{"CONTOSO\\mallory"}},
		{name: "bad theme", args: []string{"tui", "--theme", "neon", "testdata/incident"}, code: 2, errHas: []string{"--theme \"neon\""}},
		{name: "bad keys file", args: []string{"tui", "--keys", keys, "testdata/incident"}, code: 2, errHas: []string{"unknown action flter"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, errOut, code := runCLI(t, c)
			if code != c.code {
				t.Fatalf("exit %d, want %d\nstderr: %s", code, c.code, errOut)
			}
			for _, s := range c.outHas {
				if !strings.Contains(out, s) {
					t.Errorf("stdout lacks %q:\n%s", s, out)
				}
			}
			for _, s := range c.errHas {
				if !strings.Contains(errOut, s) {
					t.Errorf("stderr lacks %q:\n%s", s, errOut)
				}
			}
			if c.name == "piped with a filter" && strings.Contains(out, "CONTOSO\\bob") {
				t.Errorf("the filter let an accepted flow through:\n%s", out)
			}
		})
	}
}

// tmuxKey turns a key of the keymap into tmux send-keys arguments.
func tmuxKey(k string) []string {
	switch k {
	case "enter":
		return []string{"Enter"}
	case "esc":
		return []string{"Escape"}
	case "tab":
		return []string{"Tab"}
	}
	return []string{"-l", k}
}

// TestTUIInTmux drives the real binary in a tmux pane: it opens the bundled
// incident fixtures, filters to rejects, opens one, searches its detail,
// replays it against the incident scenario, chooses the list's columns
// (saved in the keys file) and quits.
func TestTUIInTmux(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux not installed")
	}
	if testing.Short() {
		t.Skip("-short")
	}
	km := tui.DefaultKeyMap()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	sess := fmt.Sprintf("radscope-e2e-%d", os.Getpid())
	socket := filepath.Join(t.TempDir(), "tmux.sock")
	tmux := func(args ...string) string {
		out, err := exec.Command("tmux", append([]string{"-S", socket}, args...)...).CombinedOutput()
		if err != nil {
			t.Logf("tmux %v: %v %s", args, err, out)
		}
		return string(out)
	}
	config := t.TempDir()
	shell := fmt.Sprintf("cd %q && TZ=UTC NO_COLOR=1 HOME=/nonexistent XDG_CONFIG_HOME=%q %q tui --tz UTC --secrets-file testdata/incident/secrets.txt --scenario replay/testdata/incident.yaml testdata/incident; echo EXIT=$?; sleep 30",
		root, config, binary)
	tmux("new-session", "-d", "-s", sess, "-x", "120", "-y", "40", shell)
	defer tmux("kill-session", "-t", sess)
	screen := func() string { return tmux("capture-pane", "-p", "-t", sess) }
	wait := func(s string) string {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for time.Now().Before(deadline) {
			if sc := screen(); strings.Contains(sc, s) {
				return sc
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("waiting for %q; screen:\n%s", s, screen())
		return ""
	}
	send := func(keys ...string) {
		for _, k := range keys {
			tmux(append([]string{"send-keys", "-t", sess}, tmuxKey(k)...)...)
		}
	}
	wait("8 flows")
	send(km.Key(tui.ActFilter))
	send("outcome:rejected")
	send(km.Key(tui.ActAccept))
	wait("2 of 8 flows")
	send(km.Key(tui.ActOpen))
	sc := wait("Timeline")
	if !strings.Contains(sc, "CONTOSO\\alice") {
		t.Errorf("the detail is not alice's rejected flow:\n%s", sc)
	}
	send(km.Key(tui.ActFilter))
	send("calling-station")
	send(km.Key(tui.ActAccept))
	wait(`"calling-station": hit 1 of`)
	send(km.Key(tui.ActNextResult))
	wait(`"calling-station": hit 2 of`)
	send(km.Key(tui.ActReplay))
	wait("against the embedded emulator")
	send("y")
	sc = wait("flow 3 CONTOSO\\alice:")
	if !strings.Contains(sc, "reproduced") {
		t.Errorf("alice's rejection did not reproduce:\n%s", sc)
	}
	send(km.Key(tui.ActBack), km.Key(tui.ActBack), km.Key(tui.ActBack)) // the replay pane, the search, the detail
	send(km.Key(tui.ActCommand))
	send("columns time,user,outcome")
	send(km.Key(tui.ActAccept))
	wait("saved in")
	sc = screen()
	if !strings.Contains(sc, "Outcome") || strings.Contains(sc, "Latency") {
		t.Errorf("the list does not show the chosen columns:\n%s", sc)
	}
	cfg, err := tui.LoadConfig(filepath.Join(config, "radscope", "keys.yaml"))
	if err != nil || strings.Join(cfg.Columns, ",") != "time,user,outcome" {
		t.Errorf("keys file after :columns: %+v, %v", cfg, err)
	}
	send(km.Key(tui.ActQuit))
	wait("EXIT=0")
}
