package replay

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/radscope/radscope/internal/golden"
	"github.com/radscope/radscope/nps"
	"github.com/radscope/radscope/parse"
	"github.com/radscope/radscope/scenario"
	"github.com/radscope/radscope/secret"
)

func loadScenario(t testing.TB, path string, sets ...string) *scenario.Scenario {
	t.Helper()
	sc, err := scenario.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(sets); i += 2 {
		if err := sc.Set(sets[i], sets[i+1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := sc.Validate(); err != nil {
		t.Fatal(err)
	}
	return sc
}

func secrets(t testing.TB, file string) *secret.Store {
	t.Helper()
	st := &secret.Store{}
	if err := st.LoadFile(file); err != nil {
		t.Fatal(err)
	}
	return st
}

// replayIncident replays testdata/incident's capture against the embedded
// NPS01 of testdata/incident.yaml with the --set overrides.
func replayIncident(t *testing.T, sets ...string) []*Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st := secrets(t, "../testdata/incident/secrets.txt")
	flows, err := Flows(ctx, []string{"../testdata/incident/capture.pcap"}, parse.Options{Location: time.UTC, Secrets: st}, nil, func(err error) { t.Error(err) })
	if err != nil {
		t.Fatal(err)
	}
	sc := loadScenario(t, "testdata/incident.yaml", sets...)
	plans := Plans(flows, PlanOptions{Secrets: st})
	tg := NewEmbedded(sc, flows[0].Start, nps.Options{})
	rs, err := Run(ctx, plans, Options{Target: tg, Retries: -1, NASFor: NASForScenario(sc)})
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func TestReplayIncident(t *testing.T) {
	start := time.Now()
	rs := replayIncident(t)
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("replay of minutes of MFA waiting took %v of real time", d)
	}
	want := map[string]Status{
		`CONTOSO\bob`:      Reproduced,    // accepted after 12 s, two retransmits
		`CONTOSO\alice`:    Reproduced,    // rejected: UserNotFound
		`CONTOSO\carol`:    Reproduced,    // RD Gateway gave up after 9 s, accepted at 9.5 s
		`CONTOSO\dave`:     Reproduced,    // challenged, abandoned
		`CONTOSO\mallory`:  Reproduced,    // wrong password
		`erin@contoso.com`: NotReplayable, // the NAS's secret is not in secrets.txt
		`CONTOSO\frank`:    Reproduced,
	}
	var buf bytes.Buffer
	if err := WriteText(&buf, "embedded", rs, time.UTC); err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		w, ok := want[r.User]
		if !ok || r.Kind != "auth" {
			continue
		}
		if r.Status != w {
			t.Errorf("flow %d %s: %s, want %s (diffs %v, why %q)", r.ID, r.User, r.Status, w, r.Diffs, r.Why)
		}
		if r.User == `CONTOSO\carol` {
			got := strings.Join(r.Observed.Findings, " ")
			for _, id := range []string{"nas-timeout-short", "duplicate-discarded", "blast-radius-request"} {
				if !strings.Contains(got, id) {
					t.Errorf("carol's replay: findings %q lack %s", got, id)
				}
			}
		}
	}
	golden.Check(t, filepath.Join("testdata", "incident.golden"), buf.Bytes())
}

func TestReplayIncidentFixed(t *testing.T) {
	rs := replayIncident(t, "clients.rdgw.timeout", "60s")
	for _, r := range rs {
		if r.User == `CONTOSO\carol` {
			if r.Status != Fixed {
				t.Errorf("carol with a 60 s RD Gateway timeout: %s, want fixed (%+v)", r.Status, r.Observed)
			}
			if r.Observed.Retransmits != 0 {
				t.Errorf("carol: %d retransmits with a 60 s timeout", r.Observed.Retransmits)
			}
		}
	}
}
