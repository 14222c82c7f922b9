package tui

import (
	"context"
	"fmt"
	"strings"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/parse"
	"github.com/radscope/radscope/replay"
	"github.com/radscope/radscope/scenario"
)

// ScenarioReplayer replays flows against the embedded emulator of a
// scenario file, read again on every run so that the overrides toggled in
// the replay pane apply to a fresh copy.
type ScenarioReplayer struct {
	Path  string        // the --scenario file
	Parse parse.Options // secrets and zone, as the flows were read
	// PasswordFromScenario takes passwords the inputs lack (logs, events)
	// from the scenario's directory.
	PasswordFromScenario bool
}

var _ Replayer = (*ScenarioReplayer)(nil)

// Target names the target for the confirmation.
func (r *ScenarioReplayer) Target() string { return "the embedded emulator of " + r.Path }

// LoadScenario reads path and applies sets (key=value).
func LoadScenario(path string, sets []string) (*scenario.Scenario, error) {
	sc, err := scenario.Load(path)
	if err != nil {
		return nil, err
	}
	if err := applySets(sc, sets); err != nil {
		return nil, err
	}
	return sc, nil
}

// Replay runs flows through replay.Session against the embedded target.
func (r *ScenarioReplayer) Replay(ctx context.Context, flows []*model.Flow, sets []string) ([]ReplayResult, error) {
	sc, err := LoadScenario(r.Path, sets)
	if err != nil {
		return nil, err
	}
	return replayOn(ctx, sc, r.Parse, r.PasswordFromScenario, flows)
}

// resultLines turns a replay.Result into the pane's lines.
func resultLines(res *replay.Result) ReplayResult {
	rr := ReplayResult{FlowID: res.ID, User: res.User, Verdict: string(res.Status)}
	if res.Why != "" {
		rr.Lines = append(rr.Lines, res.Why)
	}
	if res.Status != replay.NotReplayable {
		e, o := res.Expected, res.Observed
		rr.Lines = append(rr.Lines,
			fmt.Sprintf("captured: %s%s%s · %d retransmits", e.Outcome, reasonPart(e.Reason), mfaPart(e.MFA), e.Retransmits),
			fmt.Sprintf("replayed: %s%s%s · %d retransmits%s", o.Outcome, reasonPart(o.Reason), mfaPart(o.MFA), o.Retransmits, gaveUp(o)))
	}
	rr.Lines = append(rr.Lines, res.Diffs...)
	return rr
}

func reasonPart(r int) string {
	if r < 0 {
		return ""
	}
	return fmt.Sprintf(" (reason %d)", r)
}

func mfaPart(s string) string {
	if s == "" {
		return ""
	}
	return " · MFA " + s
}

func gaveUp(o replay.Observed) string {
	if !o.GaveUp {
		return ""
	}
	s := " · the NAS gave up"
	if o.LateAnswer != "" {
		s += ", late answer " + o.LateAnswer
	}
	return s
}

// InferredReplayer replays against a scenario drafted from the flows being
// replayed (scenario.Infer): clients, timeouts, users, policies and MFA
// behaviour as observed. Secrets and passwords are not in any input, so
// the draft has CHANGE-ME for them: PAP attempts then fail on the password
// unless :set gives it. It is what r uses when no --scenario was given.
type InferredReplayer struct {
	Parse parse.Options
}

var _ Replayer = (*InferredReplayer)(nil)

// Target names the target for the confirmation.
func (r *InferredReplayer) Target() string {
	return "the embedded emulator of a scenario inferred from these flows (secrets and passwords CHANGE-ME; --scenario gives a real one)"
}

// Replay infers the scenario, applies sets and replays.
func (r *InferredReplayer) Replay(ctx context.Context, flows []*model.Flow, sets []string) ([]ReplayResult, error) {
	sc, err := scenario.Parse("inferred scenario", scenario.Infer(flows))
	if err != nil {
		return nil, fmt.Errorf("tui: inferring a scenario: %w", err)
	}
	if err := applySets(sc, sets); err != nil {
		return nil, err
	}
	return replayOn(ctx, sc, r.Parse, true, flows)
}

func applySets(sc *scenario.Scenario, sets []string) error {
	for _, kv := range sets {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return fmt.Errorf("tui: --set %q: want key=value", kv)
		}
		if err := sc.Set(strings.TrimSpace(k), v); err != nil {
			return err
		}
	}
	return sc.Validate()
}

func replayOn(ctx context.Context, sc *scenario.Scenario, po parse.Options, pwFromScenario bool, flows []*model.Flow) ([]ReplayResult, error) {
	s := &replay.Session{Scenario: sc, Target: "embedded", Parse: po, PasswordFromScenario: pwFromScenario,
		Run: replay.Options{Retries: -1}}
	rs, _, err := s.ReplayFlows(ctx, flows)
	if err != nil {
		return nil, err
	}
	out := make([]ReplayResult, 0, len(rs))
	for _, res := range rs {
		out = append(out, resultLines(res))
	}
	return out, nil
}
