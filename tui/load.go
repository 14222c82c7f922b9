package tui

import (
	"context"
	"iter"
	"os"
	"runtime/debug"

	"github.com/radscope/radscope/model"

	"github.com/radscope/radscope/explain"
	"github.com/radscope/radscope/flow"
	"github.com/radscope/radscope/parse"
)

// Open returns the Source of the flows built from paths: parse.Open, then
// flow.Build with the explain rules, under the loading's context.
// fo.Annotate (when nil) and fo.Stats are set here.
func Open(paths []string, po parse.Options, fo flow.Options) Source {
	var stream *parse.Stream
	st := &flow.Stats{}
	fo.Stats = st
	if fo.Annotate == nil {
		fo.Annotate = explain.Annotate
	}
	return Source{
		Flows: func(ctx context.Context) iter.Seq2[model.Flow, error] {
			stream = parse.Open(ctx, paths, po)
			return flow.Build(ctx, stream.All(), fo)
		},
		Progress: func() Progress {
			if stream == nil {
				return Progress{}
			}
			s := stream.Stats()
			return Progress{Files: s.Files, FilesTotal: len(stream.Inputs()), Bytes: s.Bytes, Records: s.Records, Skipped: s.Errors}
		},
		Offsets: func() []flow.Offset { return st.Offsets },
	}
}

// TuneGC sets the collector for the TUI's heap, which grows with the
// flows loaded and then stays: a collection when the heap has grown by half
// (GOGC=50) rather than doubled keeps the peak resident size near 1.5 times
// the store's (at 1 M flows, ~1.2 GB instead of ~1.7 GB) for a few percent
// more CPU while loading. GOGC in the environment wins. radscope tui and
// the benchmarks call it.
func TuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(50)
	}
}
