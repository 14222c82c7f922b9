package main

import (
	"context"

	"github.com/radscope/radscope/filter"
	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/replay"
	"github.com/radscope/radscope/report"
	"github.com/radscope/radscope/scenario"
	"github.com/spf13/pflag"
)

// runInfer is "scenario infer [flags] PATH...": it reads the inputs as
// flows does (input flags and --filter) and prints a drafted scenario.
func runInfer(ctx context.Context, io *IO, args []string) error {
	fs := pflag.NewFlagSet("scenario infer", pflag.ContinueOnError)
	fs.SetOutput(io.Err)
	fs.Usage = func() {}
	var in inputFlags
	in.add(fs)
	flt := fs.String("filter", "", "draft from the flows that match `FILTER` only")
	if err := fs.Parse(args); err != nil {
		return &UsageError{err}
	}
	o, err := in.options(io)
	if err != nil {
		return err
	}
	paths, err := inputPaths(io, fs.Args())
	if err != nil {
		return err
	}
	f, err := filter.Parse(*flt, report.Schema, filter.Options{Location: o.Location})
	if err != nil {
		return usageErrorf("--filter: %v", err)
	}
	diag := &diagnostics{io: io, f: &in}
	flows, err := replay.Flows(ctx, paths, o, func(fl *model.Flow) bool {
		return fl.Kind != model.FlowUnmatched && f.Match(report.Record(fl))
	}, diag.report)
	if err != nil {
		return err
	}
	_, err = io.Out.Write(scenario.Infer(flows))
	return err
}
