package scenario_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/radscope/radscope/flow"
	"github.com/radscope/radscope/internal/golden"
	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/parse"
	"github.com/radscope/radscope/scenario"
	"github.com/radscope/radscope/secret"
)

func inferFrom(t *testing.T, paths ...string) []byte {
	t.Helper()
	st := &secret.Store{}
	if err := st.LoadFile("../testdata/incident/secrets.txt"); err != nil {
		t.Fatal(err)
	}
	var flows []*model.Flow
	s := parse.Open(context.Background(), paths, parse.Options{Location: time.UTC, Secrets: st})
	for f, err := range flow.Build(context.Background(), s.All(), flow.Options{}) {
		if err != nil {
			t.Fatal(err)
		}
		flows = append(flows, &f)
	}
	return scenario.Infer(flows)
}

func TestInfer(t *testing.T) {
	cases := []struct {
		name  string
		paths []string
		has   []string
	}{
		{"incident", []string{"../testdata/incident/capture.pcap", "../testdata/incident/IN261102.log", "../testdata/incident/NPS01-AuthZOptCh.xml"},
			[]string{`computer_name: "NPS01"`, "address: 10.0.0.10", `name: "rdgw"`, "timeout: 3s", `name: "vpn-gw"`, "timeout: 5s",
				"require_message_authenticator: true", `sam: "alice"`, `error: "UserNotFound"`, `name: "VPN, MFA required"`, "installed: true"}},
		{"capture-only", []string{"../testdata/incident/capture.pcap"}, []string{"address: 10.0.0.10", `name: "wlc"`, "installed: false"}},
		{"fixture-otp", []string{"../testdata/fixtures/number-matching-totp/capture.pcapng", "../testdata/fixtures/number-matching-totp/IN261102.log"},
			[]string{`sam: "bob"`, `name: "RD Gateway - MFA"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			y := inferFrom(t, c.paths...)
			for _, s := range c.has {
				if !strings.Contains(string(y), s) {
					t.Errorf("draft lacks %q:\n%s", s, y)
				}
			}
			if !strings.Contains(string(y), "secret: "+scenario.Placeholder) || strings.Contains(strings.ToUpper(string(y)), "TO"+"DO") {
				t.Errorf("secrets not marked %s:\n%s", scenario.Placeholder, y)
			}
			sc, err := scenario.Parse(c.name+".yaml", y)
			if err != nil {
				t.Fatalf("the draft does not load: %v\n%s", err, y)
			}
			if len(sc.Clients) == 0 {
				t.Error("no clients inferred")
			}
			golden.Check(t, filepath.Join("testdata", "infer-"+c.name+".golden"), y)
		})
	}
	if y := scenario.Infer(nil); !strings.Contains(string(y), "clients:\n  []") {
		t.Errorf("empty input:\n%s", y)
	} else if _, err := scenario.Parse("empty.yaml", y); err != nil {
		t.Errorf("empty draft does not load: %v", err)
	}
}
