package tui

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"
	"github.com/radscope/radscope/flow"
	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/parse"
	"github.com/radscope/radscope/secret"
)

func TestMain(m *testing.M) {
	lipgloss.SetColorProfile(termenv.Ascii)
	code := m.Run()
	if bench.dir != "" {
		os.RemoveAll(bench.dir)
	}
	os.Exit(code)
}

var fixedNow = time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)

// incident opens the bundled incident fixture.
func incident(t testing.TB) Source {
	t.Helper()
	st := &secret.Store{}
	if err := st.LoadFile("../testdata/incident/secrets.txt"); err != nil {
		t.Fatal(err)
	}
	return Open([]string{"../testdata/incident"}, parse.Options{Location: time.UTC, Secrets: st}, flow.Options{})
}

// keyMsg turns a key name, as the keymap holds it, into the message the
// terminal would send.
func keyMsg(s string) tea.KeyMsg {
	for t := -200; t < 200; t++ {
		k := tea.KeyMsg{Type: tea.KeyType(t)}
		if t != int(tea.KeyRunes) && k.String() == s {
			return k
		}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

func press(tm *teatest.TestModel, km *KeyMap, as ...Action) {
	for _, a := range as {
		tm.Send(keyMsg(km.Key(a)))
	}
}

func typeText(tm *teatest.TestModel, s string) {
	for _, r := range s {
		tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

// incidentReplayer replays against the incident scenario of the replay
// package's tests.
func incidentReplayer(t testing.TB) *ScenarioReplayer {
	st := &secret.Store{}
	if err := st.LoadFile("../testdata/incident/secrets.txt"); err != nil {
		t.Fatal(err)
	}
	return &ScenarioReplayer{Path: "../replay/testdata/incident.yaml", Parse: parse.Options{Location: time.UTC, Secrets: st}}
}

type harness struct {
	tm  *teatest.TestModel
	km  *KeyMap
	out *bytes.Buffer
}

func start(t *testing.T, o Options) *harness {
	t.Helper()
	if o.Source.Flows == nil {
		o.Source = incident(t)
	}
	o.NoColor = true
	o.Now = func() time.Time { return fixedNow }
	out := &bytes.Buffer{}
	if o.Output == nil {
		o.Output = out
	}
	m, err := New(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	h := &harness{tm: tm, km: m.c.Keys, out: out}
	h.waitFor(t, "8 flows")
	return h
}

func (h *harness) waitFor(t *testing.T, s string) {
	t.Helper()
	teatest.WaitFor(t, h.tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(s)) }, teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
}

func (h *harness) final(t *testing.T) *Model {
	t.Helper()
	if err := h.tm.Quit(); err != nil {
		t.Fatal(err)
	}
	return h.tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*Model)
}

func frame(t *testing.T, m *Model) {
	t.Helper()
	golden.RequireEqual(t, []byte(m.View()))
}

func TestFrames(t *testing.T) {
	cases := []struct {
		name  string
		opts  Options
		drive func(t *testing.T, h *harness)
		check func(t *testing.T, m *Model)
	}{
		{name: "list", drive: func(t *testing.T, h *harness) {}},
		{name: "detail-rejected-mfa", drive: func(t *testing.T, h *harness) {
			press(h.tm, h.km, ActFilter)
			typeText(h.tm, "user:alice")
			press(h.tm, h.km, ActAccept)
			h.waitFor(t, "1 of 8 flows")
			press(h.tm, h.km, ActOpen)
			h.waitFor(t, "Timeline")
		}, check: func(t *testing.T, m *Model) {
			f := m.detail.Flow()
			if f == nil || f.Outcome != model.OutcomeRejected || f.MFA == nil || f.MFA.Result != "UserNotFound" {
				t.Fatalf("detail shows %+v, want alice's rejected MFA flow", f)
			}
		}},
		{name: "columns", drive: func(t *testing.T, h *harness) {
			press(h.tm, h.km, ActCommand)
			typeText(h.tm, "columns time,user,nas,outcome,reason")
			press(h.tm, h.km, ActAccept)
			h.waitFor(t, "for this session")
		}},
		{name: "save-prompt", drive: func(t *testing.T, h *harness) {
			press(h.tm, h.km, ActSave)
			h.waitFor(t, "saves a replay fixture")
		}},
		{name: "summary", drive: func(t *testing.T, h *harness) {
			press(h.tm, h.km, ActSummary)
			h.waitFor(t, "Failures by finding")
		}},
		{name: "help", drive: func(t *testing.T, h *harness) {
			press(h.tm, h.km, ActHelp)
			h.waitFor(t, "Keys in force")
		}},
		{name: "filter-error", drive: func(t *testing.T, h *harness) {
			press(h.tm, h.km, ActFilter)
			typeText(h.tm, "outcome:rejected latency:>fast")
			h.waitFor(t, "fast")
		}, check: func(t *testing.T, m *Model) {
			if m.prompt.Err() == nil {
				t.Fatal("a bad filter shows no error")
			}
		}},
		{name: "replay", opts: Options{Replayer: incidentReplayer(t), Sets: []string{"clients.rdgw.timeout=60s"}}, drive: func(t *testing.T, h *harness) {
			press(h.tm, h.km, ActFilter)
			typeText(h.tm, "nas:rdgw")
			press(h.tm, h.km, ActAccept)
			h.waitFor(t, "1 of 8 flows")
			press(h.tm, h.km, ActReplay)
			h.waitFor(t, "against the embedded emulator")
			h.tm.Send(keyMsg("y"))
			h.waitFor(t, "reproduced")
			press(h.tm, h.km, ActToggleSet)
			h.waitFor(t, "fixed")
		}, check: func(t *testing.T, m *Model) {
			rs := m.replay.Results()
			if len(rs) != 1 || rs[0].Verdict != "fixed" {
				t.Fatalf("replay results %+v, want carol's flow fixed by the longer timeout", rs)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := start(t, c.opts)
			c.drive(t, h)
			m := h.final(t)
			if c.check != nil {
				c.check(t, m)
			}
			frame(t, m)
		})
	}
}

func TestKeybindingsDocUpToDate(t *testing.T) {
	want := DefaultKeyMap().Markdown()
	got, err := os.ReadFile(filepath.Join("..", "docs", "keybindings.md"))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatal("docs/keybindings.md is out of date with tui/keys.go: run go generate ./tui")
	}
}
