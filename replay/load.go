package replay

import (
	"context"
	"strings"

	"github.com/radscope/radscope/explain"
	"github.com/radscope/radscope/flow"
	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/parse"
	"github.com/radscope/radscope/scenario"
)

// Flows reads the inputs and builds their flows (with findings), keeping
// those keep accepts (nil keeps every flow but unmatched messages). Bad
// records go to bad and reading goes on, unless o.Strict; any other error
// ends the read.
func Flows(ctx context.Context, paths []string, o parse.Options, keep func(*model.Flow) bool, bad func(error)) ([]*model.Flow, error) {
	var out []*model.Flow
	s := parse.Open(ctx, paths, o)
	for f, err := range flow.Build(ctx, s.All(), flow.Options{Annotate: explain.Annotate}) {
		if err != nil {
			if !model.IsParseError(err) || o.Strict {
				return out, err
			}
			if bad != nil {
				bad(err)
			}
			continue
		}
		if keep == nil && f.Kind == model.FlowUnmatched || keep != nil && !keep(&f) {
			continue
		}
		out = append(out, &f)
	}
	return out, nil
}

// Plans plans every flow.
func Plans(flows []*model.Flow, o PlanOptions) []*Plan {
	ps := make([]*Plan, len(flows))
	for i, f := range flows {
		ps[i] = NewPlan(f, o)
	}
	return ps
}

// ScenarioPasswords looks users up in the scenario's directory by the
// forms NPS accepts (DOMAIN\sam, sam@suffix or the UPN, sam) and returns
// their clear-text password (env:VAR resolved).
func ScenarioPasswords(sc *scenario.Scenario) func(user string) (string, bool) {
	return func(user string) (string, bool) {
		name := user
		if _, after, ok := strings.Cut(name, `\`); ok {
			name = after
		}
		for i := range sc.Directory.Users {
			u := &sc.Directory.Users[i]
			upn := u.UPN
			if upn == "" && sc.Directory.UPNSuffix != "" {
				upn = u.SAM + "@" + sc.Directory.UPNSuffix
			}
			sam, _, _ := strings.Cut(name, "@")
			if strings.EqualFold(name, u.SAM) || strings.EqualFold(name, upn) ||
				strings.Contains(name, "@") && strings.EqualFold(sam, u.SAM) {
				if u.Password == "" {
					return "", false
				}
				pw, err := u.PasswordBytes()
				if err != nil {
					return "", false
				}
				return string(pw), true
			}
		}
		return "", false
	}
}
