package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/parse"
	"github.com/radscope/radscope/secret"
)

func incidentFlows(t *testing.T) []*model.Flow {
	t.Helper()
	var out []*model.Flow
	for f, err := range incident(t).Flows(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, &f)
	}
	return out
}

func TestScenarioReplayer(t *testing.T) {
	st := &secret.Store{}
	if err := st.LoadFile("../testdata/incident/secrets.txt"); err != nil {
		t.Fatal(err)
	}
	r := &ScenarioReplayer{Path: "../replay/testdata/incident.yaml", Parse: parse.Options{Location: time.UTC, Secrets: st}}
	flows := incidentFlows(t)
	byUser := func(u string) *model.Flow {
		for _, f := range flows {
			if f.User == u && f.Kind == model.FlowAuth {
				return f
			}
		}
		t.Fatalf("no flow of %s", u)
		return nil
	}
	cases := []struct {
		name, user string
		sets       []string
		want       string
	}{
		{"carol as captured", `CONTOSO\carol`, nil, "reproduced"},
		{"carol with a longer RD Gateway timeout", `CONTOSO\carol`, []string{"clients.rdgw.timeout=60s"}, "fixed"},
		{"alice as captured", `CONTOSO\alice`, nil, "reproduced"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rs, err := r.Replay(context.Background(), []*model.Flow{byUser(c.user)}, c.sets)
			if err != nil {
				t.Fatal(err)
			}
			if len(rs) != 1 {
				t.Fatalf("%d results, want 1", len(rs))
			}
			if rs[0].Verdict != c.want {
				t.Errorf("verdict %q, want %q", rs[0].Verdict, c.want)
			}
		})
	}
}

func TestInferredReplayer(t *testing.T) {
	var auth []*model.Flow
	for _, f := range incidentFlows(t) {
		if f.Kind == model.FlowAuth {
			auth = append(auth, f)
		}
	}
	r := &InferredReplayer{Parse: incidentReplayer(t).Parse}
	if !strings.Contains(r.Target(), "inferred") {
		t.Fatalf("target %q does not say the scenario is inferred", r.Target())
	}
	rs, err := r.Replay(context.Background(), auth, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != len(auth) {
		t.Fatalf("%d results for %d flows", len(rs), len(auth))
	}
	known := map[string]bool{"reproduced": true, "fixed": true, "regressed": true, "diverged": true, "not-replayable": true}
	for _, res := range rs {
		if !known[res.Verdict] || len(res.Lines) == 0 {
			t.Errorf("flow %d: verdict %q, lines %q", res.FlowID, res.Verdict, res.Lines)
		}
	}
	if _, err := r.Replay(context.Background(), auth, []string{"nonsense"}); err == nil {
		t.Error("a --set without = was accepted")
	}
}
