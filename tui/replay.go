package tui

import (
	"context"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/radscope/radscope/model"
)

// Replayer re-sends flows against the emulator. cmd/radscope builds one
// from the replay package and the scenario of --scenario.
type Replayer interface {
	// Target describes where the flows go, for the confirmation.
	Target() string
	// Replay re-sends flows with the scenario overrides sets applied
	// (scenario.Set syntax, such as clients.rdgw.timeout=60s) and compares
	// each answer with the captured one.
	Replay(ctx context.Context, flows []*model.Flow, sets []string) ([]ReplayResult, error)
}

// ReplayResult is the comparison of one replayed flow.
type ReplayResult struct {
	FlowID  int64
	User    string
	Verdict string   // reproduced, fixed, regressed, diverged, or why the flow cannot be replayed
	Lines   []string // the comparison, one line per round or difference
}

// ReplayPane shows the last replay: its overrides (o toggles the one under
// the cursor and re-runs) and the comparison of each flow.
type ReplayPane struct {
	c             *Common
	sets          []string
	on            []bool
	setCursor     int
	flows         []*model.Flow
	results       []ReplayResult
	err           error
	running       bool
	cancel        context.CancelFunc
	gen           int
	top           int
	width, height int
}

var _ Component = (*ReplayPane)(nil)

// replayDone carries a finished replay to the root model.
type replayDone struct {
	gen     int
	results []ReplayResult
	err     error
}

// NewReplayPane returns the pane with the overrides that may be toggled
// (all off at first).
func NewReplayPane(c *Common, sets []string) *ReplayPane {
	return &ReplayPane{c: c, sets: sets, on: make([]bool, len(sets))}
}

// SetSize sets the pane's size.
func (p *ReplayPane) SetSize(w, h int) { p.width, p.height = w, h }

// Init does nothing.
func (p *ReplayPane) Init() tea.Cmd { return nil }

// Running reports whether a replay is under way.
func (p *ReplayPane) Running() bool { return p.running }

// Cancel stops a running replay.
func (p *ReplayPane) Cancel() {
	if p.cancel != nil {
		p.cancel()
	}
}

// AddSet adds an override (from :set) and turns it on.
func (p *ReplayPane) AddSet(s string) {
	p.sets = append(p.sets, s)
	p.on = append(p.on, true)
}

// Sets returns the overrides turned on.
func (p *ReplayPane) Sets() []string {
	var out []string
	for i, s := range p.sets {
		if p.on[i] {
			out = append(out, s)
		}
	}
	return out
}

// Start replays flows with r in a command; a running replay is cancelled.
func (p *ReplayPane) Start(r Replayer, flows []*model.Flow) tea.Cmd {
	p.Cancel()
	p.flows = flows
	p.gen++
	p.running, p.err, p.results = true, nil, nil
	ctx, cancel := context.WithCancel(p.c.Ctx)
	p.cancel = cancel
	gen, sets := p.gen, p.Sets()
	return func() tea.Msg {
		defer cancel()
		res, err := r.Replay(ctx, flows, sets)
		return replayDone{gen, res, err}
	}
}

// Done takes a finished replay; stale ones are dropped.
func (p *ReplayPane) Done(m replayDone) {
	if m.gen != p.gen {
		return
	}
	p.running, p.results, p.err = false, m.results, m.err
}

// Results returns the last comparison.
func (p *ReplayPane) Results() []ReplayResult { return p.results }

// Update moves among the overrides; toggling one returns a rerun request.
func (p *ReplayPane) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return p, nil
	}
	k := p.c.Keys
	switch {
	case k.Matches(km, ActUp):
		p.setCursor = max(0, p.setCursor-1)
	case k.Matches(km, ActDown):
		p.setCursor = min(max(0, len(p.sets)-1), p.setCursor+1)
	case k.Matches(km, ActToggleSet):
		if p.setCursor < len(p.sets) {
			p.on[p.setCursor] = !p.on[p.setCursor]
			return p, func() tea.Msg { return rerunMsg{} }
		}
	}
	return p, nil
}

// rerunMsg asks the root model to replay the same flows again.
type rerunMsg struct{}

// View draws the overrides and the comparison.
func (p *ReplayPane) View() string {
	st := p.c.Styles
	var ls []string
	state := "done"
	if p.running {
		state = "running … (ctrl+c cancels)"
	}
	ls = append(ls, st.Title.Render(fmt.Sprintf("Replay of %d flow(s): %s", len(p.flows), state)))
	if len(p.sets) == 0 {
		ls = append(ls, st.Muted.Render("  no overrides (:set KEY=VALUE adds one)"))
	}
	for i, s := range p.sets {
		box := "[ ]"
		if p.on[i] {
			box = "[x]"
		}
		l := fmt.Sprintf("  %s --set %s", box, s)
		if i == p.setCursor {
			l = st.Cursor.Render(l)
		}
		ls = append(ls, l)
	}
	if p.err != nil {
		ls = append(ls, st.Error.Render("  replay: "+p.err.Error()))
	}
	for _, r := range p.results {
		ls = append(ls, fmt.Sprintf("  flow %d %s: %s", r.FlowID, r.User, p.verdict(r.Verdict)))
		for _, l := range r.Lines {
			ls = append(ls, "      "+l)
		}
	}
	h := max(1, p.height)
	for len(ls) < h {
		ls = append(ls, "")
	}
	for i := range ls {
		ls[i] = cut(ls[i], p.width)
	}
	return strings.Join(ls[:h], "\n")
}

func (p *ReplayPane) verdict(v string) string {
	st := p.c.Styles
	switch v {
	case "reproduced":
		return st.Challenge.Render("≡ reproduced")
	case "fixed":
		return st.Accept.Render("✓ fixed")
	case "regressed":
		return st.Reject.Render("✗ regressed")
	case "diverged":
		return st.Warning.Render("≠ diverged")
	}
	return st.Muted.Render(v)
}

// ShortHelp lists the pane's keys.
func (p *ReplayPane) ShortHelp() []key.Binding {
	return p.c.Keys.list(ActToggleSet, ActReplay, ActBack)
}

// FullHelp lists the pane's keys.
func (p *ReplayPane) FullHelp() [][]key.Binding { return [][]key.Binding{p.ShortHelp()} }
