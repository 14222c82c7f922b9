package tui

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/radscope/radscope/parse"
	"github.com/radscope/radscope/replay/fixture"
	"github.com/radscope/radscope/secret"
)

// fixtureModel is the incident loaded with its scenario, secrets and the
// rdgw timeout as an override.
func fixtureModel(t *testing.T) *Model {
	t.Helper()
	st := &secret.Store{}
	if err := st.LoadFile("../testdata/incident/secrets.txt"); err != nil {
		t.Fatal(err)
	}
	po := parse.Options{Location: time.UTC, Secrets: st}
	m, _ := loaded(t, Options{Replayer: &ScenarioReplayer{Path: "../replay/testdata/incident.yaml", Parse: po, PasswordFromScenario: true},
		Sets: []string{"clients.rdgw.timeout=60s"}, Parse: po, SecretsFiles: []string{"../testdata/incident/secrets.txt"}})
	return m
}

func TestSaveFixture(t *testing.T) {
	m := fixtureModel(t)
	runLine(m, "filter nas:rdgw")
	dir := filepath.Join(t.TempDir(), "rdgw")
	// ctrl+s opens the save prompt; a folder ending in / saves a fixture.
	press1(m, ActSave)
	if !m.prompt.Active() || !strings.Contains(m.prompt.View(), "FOLDER/ saves a replay fixture") {
		t.Fatalf("ctrl+s prompt: %q", m.prompt.View())
	}
	m.prompt.in.SetValue("save " + dir + "/")
	_, cmd := m.Update(keyMsg("enter"))
	run(m, cmd)
	if m.statusErr || !strings.Contains(m.status, "saved fixture "+dir) || !strings.Contains(m.status, "1 reproduced") {
		t.Fatalf("status %q", m.status)
	}
	var names []string
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if want := []string{"capture.pcap", "expect.json", "nps.log", "scenario.yaml", "secrets.txt"}; !slices.Equal(names, want) {
		t.Fatalf("fixture holds %v, want %v", names, want)
	}
	sec, _ := os.ReadFile(filepath.Join(dir, "secrets.txt"))
	if strings.Contains(string(sec), "rdgw-secret") || !strings.Contains(string(sec), "env:RADSCOPE_SECRET_2") {
		t.Fatalf("secrets.txt is not redacted:\n%s", sec)
	}
	log, _ := os.ReadFile(filepath.Join(dir, "nps.log"))
	if n := strings.Count(string(log), "\r\n"); n < 2 || !strings.Contains(string(log), `CONTOSO\carol`) || strings.Contains(string(log), `CONTOSO\bob`) {
		t.Fatalf("nps.log holds %d lines, not just carol's:\n%s", n, log)
	}
	x, err := fixture.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Variants) != 2 || x.Variants[1].Name != "clients.rdgw.timeout=60s" || x.Variants[1].Flows[0].Status != "fixed" || x.TZ != "UTC" {
		t.Fatalf("expect.json %+v", x)
	}
	// The fixture checks clean with the secrets given back through the
	// environment, as CI would.
	env := map[string]string{"RADSCOPE_SECRET_1": "vpn-secret", "RADSCOPE_SECRET_2": "rdgw-secret", "RADSCOPE_SECRET_3": "wlc-secret"}
	res, err := fixture.Check(context.Background(), dir, fixture.Options{LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if len(r.Diffs) > 0 {
			t.Errorf("fixture check %s: %v", r.Variant, r.Diffs)
		}
	}
	// A folder that holds files is refused.
	runLine(m, "fixture "+dir)
	if !m.statusErr || !strings.Contains(m.status, "not empty") {
		t.Fatalf("second save into the same folder: %q", m.status)
	}
}

func TestSaveFixtureRefuses(t *testing.T) {
	m := fixtureModel(t)
	// erin's PEAP attempt is not replayable: refused, nothing left.
	runLine(m, "filter user:erin")
	dir := filepath.Join(t.TempDir(), "acct")
	runLine(m, "fixture "+dir)
	if !m.statusErr || !strings.Contains(m.status, "not replayable") {
		t.Fatalf("PEAP flow: status %q", m.status)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("the refused fixture folder is left behind: %v", err)
	}
	// Without a scenario there is nothing to replay against.
	m, _ = loaded(t, Options{Replayer: &InferredReplayer{}})
	runLine(m, "fixture "+dir)
	if !m.statusErr || !strings.Contains(m.status, "needs a scenario") {
		t.Fatalf("no scenario: status %q", m.status)
	}
	if _, err := SaveFixture(context.Background(), dir, nil, FixtureOptions{}); err == nil || !strings.Contains(err.Error(), "needs a scenario") {
		t.Fatalf("SaveFixture without a scenario: %v", err)
	}
}
