package tui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/radscope/radscope/model"
)

// loaded returns a model with the incident flows loaded synchronously.
func loaded(t *testing.T, o Options) (*Model, *bytes.Buffer) {
	t.Helper()
	out := &bytes.Buffer{}
	o.Output, o.NoColor = out, true
	o.Now = func() time.Time { return fixedNow }
	m, err := New(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	var fs []model.Flow
	for f, err := range incident(t).Flows(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		fs = append(fs, f)
	}
	m.store.Append(fs)
	return m, out
}

// run feeds a command's messages back into the model, as the program would
// (batches and sequences are not used by the commands tested here).
func run(m *Model, cmd tea.Cmd) {
	for cmd != nil {
		msg := cmd()
		if msg == nil {
			return
		}
		_, cmd = m.Update(msg)
	}
}

func runLine(m *Model, line string) {
	run(m, m.run(line))
}

func TestCommands(t *testing.T) {
	cases := []struct {
		line  string
		check func(t *testing.T, m *Model, out string)
	}{
		{"goto IN261102.log:11", func(t *testing.T, m *Model, _ string) {
			if f := m.detail.Flow(); f == nil || f.User != `CONTOSO\mallory` {
				t.Fatalf("goto opened %v", f)
			}
			if v := m.detail.Value(); !strings.HasSuffix(v, "IN261102.log:11") {
				t.Errorf("cursor on %q, want the line read at IN261102.log:11", v)
			}
		}},
		{"goto capture.pcap:17", func(t *testing.T, m *Model, _ string) {
			if f := m.detail.Flow(); f == nil || f.User != `CONTOSO\dave` {
				t.Fatalf("goto frame 17 opened %v", f)
			}
		}},
		{"goto nowhere.log:3", func(t *testing.T, m *Model, _ string) {
			if !m.statusErr || !strings.Contains(m.status, "no flow shown") {
				t.Fatalf("status %q", m.status)
			}
		}},
		{"filter outcome:rejected", func(t *testing.T, m *Model, _ string) {
			if m.store.ViewLen() != 2 {
				t.Fatalf("%d flows shown", m.store.ViewLen())
			}
		}},
		{"sort latency desc", func(t *testing.T, m *Model, _ string) {
			f, _ := m.store.At(0)
			if f.User != `CONTOSO\alice` {
				t.Fatalf("slowest first is %s", f.User)
			}
		}},
		{"mouse on", func(t *testing.T, m *Model, _ string) {
			if !m.mouse || !strings.Contains(m.View(), "· mouse") {
				t.Fatal("mouse not on")
			}
		}},
		{"theme light", func(t *testing.T, m *Model, _ string) {
			if m.statusErr {
				t.Fatal(m.status)
			}
		}},
		{"theme neon", func(t *testing.T, m *Model, _ string) {
			if !m.statusErr {
				t.Fatal("theme neon accepted")
			}
		}},
		{"set clients.rdgw.timeout=60s", func(t *testing.T, m *Model, _ string) {
			if got := m.replay.Sets(); len(got) != 1 || got[0] != "clients.rdgw.timeout=60s" {
				t.Fatalf("sets %q", got)
			}
		}},
		{"replay", func(t *testing.T, m *Model, _ string) {
			if !strings.Contains(m.status, "--scenario") {
				t.Fatalf("replay without a scenario says %q", m.status)
			}
		}},
		{"frobnicate", func(t *testing.T, m *Model, _ string) {
			if !strings.Contains(m.status, "unknown command") {
				t.Fatalf("status %q", m.status)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.line, func(t *testing.T) {
			m, out := loaded(t, Options{})
			runLine(m, c.line)
			c.check(t, m, out.String())
		})
	}
}

func TestReadOnlyRefusesReplay(t *testing.T) {
	m, _ := loaded(t, Options{ReadOnly: true, Replayer: incidentReplayer(t)})
	m.Update(keyMsg(m.c.Keys.Key(ActReplay)))
	if m.confirm != nil || !strings.Contains(m.status, "--readonly") {
		t.Fatalf("read-only replay: confirm %v, status %q", m.confirm, m.status)
	}
}

func TestCopyKeys(t *testing.T) {
	m, out := loaded(t, Options{})
	k := m.c.Keys
	m.Update(keyMsg(k.Key(ActDown)))
	_, cmd := m.Update(keyMsg(k.Key(ActCopyFlow)))
	run(m, cmd)
	if !strings.Contains(out.String(), "\x1b]52;c;") || !strings.Contains(m.status, "flow 2 as JSON") {
		t.Fatalf("Y wrote %q, status %q", out.String(), m.status)
	}
	out.Reset()
	m.Update(keyMsg(k.Key(ActOpen)))
	_, cmd = m.Update(keyMsg(k.Key(ActCopy)))
	run(m, cmd)
	if !strings.Contains(m.status, "copied the value") {
		t.Fatalf("y in the detail: status %q", m.status)
	}
}

func TestEscUnwinds(t *testing.T) {
	m, _ := loaded(t, Options{})
	k := m.c.Keys
	runLine(m, "filter user:bob")
	m.Update(keyMsg(k.Key(ActOpen)))
	steps := []func() bool{
		func() bool { return !m.detailOpen && m.store.ViewLen() == 2 }, // closes the detail, keeps the filter
		func() bool { return m.store.ViewLen() == 8 },                  // clears the filter
	}
	for i, ok := range steps {
		_, cmd := m.Update(keyMsg(k.Key(ActBack)))
		run(m, cmd)
		if !ok() {
			t.Fatalf("esc #%d: detail %v, %d flows shown", i+1, m.detailOpen, m.store.ViewLen())
		}
	}
}

// slowSource yields n flows, one per release, then a parse error; it stops
// when ctx ends.
func slowSource(ctx context.Context, n int, release chan struct{}) Source {
	var read int
	return Source{
		Flows: func(lctx context.Context) iter.Seq2[model.Flow, error] {
			return func(yield func(model.Flow, error) bool) {
				fs := synth(n)
				for i := range fs {
					select {
					case <-release:
					case <-lctx.Done():
						yield(model.Flow{}, lctx.Err())
						return
					}
					read++
					if !yield(fs[i], nil) {
						return
					}
				}
				pe := model.Errorf(model.Source{File: "IN1.log", Line: 7}, "", "bad record")
				yield(model.Flow{}, pe)
			}
		},
		Progress: func() Progress { return Progress{Files: 1, FilesTotal: 2, Records: int64(read)} },
	}
}

func TestLoadingProgressAndCancel(t *testing.T) {
	release := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m, err := New(ctx, Options{Source: slowSource(ctx, 100, release), NoColor: true})
	if err != nil {
		t.Fatal(err)
	}
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	for i := 0; i < 3; i++ {
		release <- struct{}{}
	}
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		return bytes.Contains(b, []byte("loading … files 0/0")) || bytes.Contains(b, []byte("3 flows"))
	},
		teatest.WithDuration(5*time.Second))
	tm.Send(keyMsg(m.c.Keys.Key(ActInterrupt)))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("loading cancelled")) }, teatest.WithDuration(5*time.Second))
	tm.Quit()
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	if fm.Loading() || fm.store.Len() != 3 || !errors.Is(fm.loadErr, context.Canceled) {
		t.Fatalf("after cancel: loading %v, %d flows, err %v", fm.Loading(), fm.store.Len(), fm.loadErr)
	}
}

func TestLoadingErrorsAndGoto(t *testing.T) {
	release := make(chan struct{})
	close(release)
	m, err := New(context.Background(), Options{Source: slowSource(context.Background(), 5, release), NoColor: true})
	if err != nil {
		t.Fatal(err)
	}
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("bad records")) }, teatest.WithDuration(5*time.Second))
	tm.Send(keyMsg(":"))
	typeText(tm, "goto IN1.log:7")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("Parse errors: 1")) }, teatest.WithDuration(5*time.Second))
	tm.Quit()
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	if fm.mode != modeErrors || fm.errs.Len() != 1 || fm.store.Len() != 5 {
		t.Fatalf("mode %d, %d errors, %d flows", fm.mode, fm.errs.Len(), fm.store.Len())
	}
	file, line := Position(fm.errs.errs[0])
	if got := fmt.Sprintf("%s:%d", file, line); got != "IN1.log:7" {
		t.Fatalf("position %s", got)
	}
}

func TestRuneBurstIsSeveralKeys(t *testing.T) {
	m, _ := loaded(t, Options{})
	d := m.c.Keys.Key(ActDown)
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(d + d + d)})
	if m.list.Cursor() != 3 {
		t.Fatalf("cursor %d after a burst of three %q, want 3", m.list.Cursor(), d)
	}
}

func TestCountsAndBookmarks(t *testing.T) {
	k := DefaultKeyMap()
	cases := []struct {
		name string
		keys []string
		want int
	}{
		{"5G", []string{"5", k.Key(ActBottom)}, 4},
		{"3j", []string{"3", k.Key(ActDown)}, 3},
		{"3j then 2k", []string{"3", k.Key(ActDown), "2", k.Key(ActUp)}, 1},
		{"99G clamps", []string{"9", "9", k.Key(ActBottom)}, 7},
		{"bookmark and jump", []string{"6", k.Key(ActBottom), k.Key(ActBookmark), "a", k.Key(ActTop), k.Key(ActJumpMark), "a"}, 5},
		{"unknown bookmark stays", []string{k.Key(ActDown), k.Key(ActJumpMark), "z"}, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, _ := loaded(t, Options{})
			for _, s := range c.keys {
				m.Update(keyMsg(s))
			}
			if m.list.Cursor() != c.want {
				t.Errorf("cursor %d, want %d", m.list.Cursor(), c.want)
			}
		})
	}
}
