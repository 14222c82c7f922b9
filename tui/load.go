package tui

import (
	"context"

	"github.com/radscope/radscope/explain"
	"github.com/radscope/radscope/flow"
	"github.com/radscope/radscope/parse"
)

// Open returns the Source of the flows built from paths: parse.Open, then
// flow.Build with the explain rules. fo.Annotate and fo.Stats are set here.
func Open(ctx context.Context, paths []string, po parse.Options, fo flow.Options) Source {
	stream := parse.Open(ctx, paths, po)
	st := &flow.Stats{}
	fo.Stats = st
	if fo.Annotate == nil {
		fo.Annotate = explain.Annotate
	}
	return Source{
		Flows: flow.Build(ctx, stream.All(), fo),
		Progress: func() Progress {
			s := stream.Stats()
			return Progress{Files: s.Files, FilesTotal: len(stream.Inputs()), Bytes: s.Bytes, Records: s.Records, Skipped: s.Errors}
		},
		Offsets: func() []flow.Offset { return st.Offsets },
	}
}
