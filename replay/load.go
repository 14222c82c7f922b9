package replay

import (
	"context"

	"github.com/radscope/radscope/explain"
	"github.com/radscope/radscope/flow"
	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/parse"
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
