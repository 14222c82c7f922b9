package tui

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestParseColumns(t *testing.T) {
	cols, err := ParseColumns("time, user,NAS,station,result,reason-code")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(ColumnNames(cols), ","); got != "time,user,nas,calling-station,outcome,reason" {
		t.Fatalf("columns %s", got)
	}
	for _, bad := range []string{"", "time,nope", "user,user"} {
		if _, err := ParseColumns(bad); err == nil {
			t.Errorf("ParseColumns(%q) took it", bad)
		}
	}
}

func TestColumnsCommand(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "radscope", "keys.yaml")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("# my keys\nquit: Q # capital\ncolumns: [time, user] # old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := loaded(t, Options{Keys: cfg.Keys, Columns: cfg.Columns, ConfigPath: path})
	if got := ColumnNames(m.list.Columns()); !slices.Equal(got, []string{"time", "user"}) {
		t.Fatalf("columns from the config: %v", got)
	}
	runLine(m, "columns")
	if !strings.Contains(m.status, "columns: time,user · also: nas,calling-station,outcome") {
		t.Fatalf(":columns alone: %q", m.status)
	}
	runLine(m, "columns time,user,nas,outcome,reason")
	if !strings.Contains(m.status, "saved in "+path) {
		t.Fatalf(":columns: status %q", m.status)
	}
	hdr := strings.Fields(stripStyle(strings.SplitN(m.list.View(), "\n", 2)[0]))
	if !slices.Equal(hdr, []string{"Time▲", "User", "NAS", "Outcome", "Reason"}) {
		t.Fatalf("header %q", hdr)
	}
	if strings.Contains(m.list.View(), "upn-mismatch") {
		t.Fatal("the Finding column is still drawn")
	}
	// The sort keys cycle over the columns shown.
	for _, want := range []string{"User", "NAS", "Outcome", "Reason", "Time"} {
		press1(m, ActSortNext)
		if got := Columns[m.store.SortOrder().Col].Name; got != want {
			t.Fatalf("> sorts by %s, want %s", got, want)
		}
	}
	// Saved: the other settings and the comments stay.
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"# my keys", "quit: Q # capital", "columns: [time, user, nas, outcome, reason]"} {
		if !strings.Contains(string(data), s) {
			t.Errorf("config lacks %q:\n%s", s, data)
		}
	}
	again, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(again.Columns, []string{"time", "user", "nas", "outcome", "reason"}) || again.Keys.Key(ActQuit) != "Q" {
		t.Fatalf("reloaded: columns %v, quit %q", again.Columns, again.Keys.Key(ActQuit))
	}
	runLine(m, "columns time,bogus")
	if !m.statusErr || !strings.Contains(m.status, `unknown column "bogus"`) {
		t.Fatalf("bad column: %q", m.status)
	}
}

func TestColumnsWithoutConfigAndNewFile(t *testing.T) {
	m, _ := loaded(t, Options{})
	runLine(m, "columns user,outcome")
	if !strings.Contains(m.status, "for this session") || len(m.list.Columns()) != 2 {
		t.Fatalf("no config: status %q, columns %v", m.status, m.list.Columns())
	}
	path := filepath.Join(t.TempDir(), "new", "keys.yaml")
	m, _ = loaded(t, Options{ConfigPath: path})
	runLine(m, "columns user,outcome")
	c, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.Columns, []string{"user", "outcome"}) {
		t.Fatalf("new config file holds %v", c.Columns)
	}
	if _, err := New(t.Context(), Options{Columns: []string{"nope"}}); err == nil {
		t.Fatal("New took an unknown column")
	}
	if _, err := ParseConfig([]byte("columns: [time, nope]\n")); err == nil {
		t.Fatal("ParseConfig took an unknown column")
	}
}

func TestColumnsCompletion(t *testing.T) {
	p := NewPrompt(newCommon(), nil)
	p.SetSize(120, 1)
	p.Open(':', "columns time,us")
	if got := p.Completions(p.Value()); !slices.Equal(got, []string{"time,user"}) {
		t.Fatalf("completions %v", got)
	}
	p.complete()
	if p.Value() != "columns time,user" {
		t.Fatalf("tab gave %q", p.Value())
	}
	p.in.SetValue("columns time,user,")
	got := p.Completions(p.Value())
	if len(got) != len(Columns)-2 || slices.Contains(got, "time,user,time") {
		t.Fatalf("completions after a comma: %v", got)
	}
	if !strings.Contains(p.View(), "tab: nas calling-station") {
		t.Fatalf("the prompt shows no column hints: %q", p.View())
	}
}
