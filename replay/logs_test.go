package replay

import (
	"bytes"
	"context"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/radscope/radscope/parse"
)

// TestReplayLogsAndEvents rebuilds requests from the incident's NPS log
// and from its Security events, with passwords from the scenario. Logs
// hold no password, so mallory's wrong password cannot come back: with
// the scenario's (right) one her attempt is "fixed", which is what a
// replay from logs can say.
func TestReplayLogsAndEvents(t *testing.T) {
	cases := []struct {
		input string
		want  map[string]Status
	}{
		{"../testdata/incident/IN261102.log", map[string]Status{`CONTOSO\bob`: Reproduced, `CONTOSO\alice`: Reproduced, `CONTOSO\dave`: Reproduced,
			`CONTOSO\mallory`: Fixed, `CONTOSO\carol`: NotReplayable, `CONTOSO\frank`: Reproduced}},
		{"../testdata/incident/NPS01-Security.xml", map[string]Status{"bob": Reproduced, "alice": Reproduced, "mallory": Fixed, "carol": NotReplayable}},
	}
	for _, c := range cases {
		t.Run(c.input[strings.LastIndexByte(c.input, '/')+1:], func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			s := &Session{Scenario: loadScenario(t, "testdata/incident.yaml"), PasswordFromScenario: true,
				Parse: parse.Options{Location: time.UTC}, Run: Options{Retries: -1}, Bad: func(err error) { t.Error(err) }}
			rs, _, err := s.Replay(ctx, []string{c.input})
			if err != nil {
				t.Fatal(err)
			}
			seen := 0
			for _, r := range rs {
				w, ok := c.want[r.User]
				if !ok {
					continue
				}
				seen++
				if r.Status != w {
					t.Errorf("flow %d %s: %s, want %s (%v %s)", r.ID, r.User, r.Status, w, r.Diffs, r.Why)
				}
			}
			if seen < len(c.want) {
				t.Errorf("%d of %d users replayed", seen, len(c.want))
			}
			if s.PasswordFromScenario = false; true {
				rs, _, err := s.Replay(ctx, []string{c.input})
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range rs {
					if r.Kind == "auth" && r.Status != NotReplayable {
						t.Errorf("flow %d %s without passwords: %s", r.ID, r.User, r.Status)
					}
				}
			}
		})
	}
}

func TestJUnit(t *testing.T) {
	rs := replayIncident(t, "directory.users.bob.mfa.outcome", "deny")
	var buf bytes.Buffer
	if err := WriteJUnit(&buf, "incident", rs); err != nil {
		t.Fatal(err)
	}
	var doc junitSuites
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("JUnit XML does not parse: %v\n%s", err, buf.Bytes())
	}
	s := doc.Suites[0]
	if s.Tests != 8 || s.Failures != 1 || s.Skipped != 1 {
		t.Errorf("tests %d failures %d skipped %d, want 8, 1 (bob's denied push), 1 (erin)", s.Tests, s.Failures, s.Skipped)
	}
	var js bytes.Buffer
	if err := WriteJSON(&js, "embedded", rs); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(js.String(), `"regressed": 1`) {
		t.Errorf("JSON summary:\n%.600s", js.String())
	}
}
