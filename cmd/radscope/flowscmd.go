package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/radscope/radscope/explain"
	"github.com/radscope/radscope/filter"
	"github.com/radscope/radscope/flow"
	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/output"
	"github.com/radscope/radscope/parse"
	"github.com/radscope/radscope/report"
	"github.com/spf13/pflag"
)

// flowFlags are the flags shared by flows and report.
type flowFlags struct {
	in        inputFlags
	filter    string
	unmatched bool
	tolerance time.Duration
	window    time.Duration
	maxSkew   time.Duration
	whole     bool    // keep accounting sessions whole
	from      string  // clickhouse://HOST:PORT/DB: read flows from an export instead of inputs
	ch        chFlags // its credentials
}

func (f *flowFlags) add(fs *pflag.FlagSet) {
	f.in.add(fs)
	fs.StringVar(&f.filter, "filter", "", "only flows that match `FILTER` (the language is in radscope help flows)")
	fs.BoolVar(&f.unmatched, "unmatched", false, "also list messages that belong to no attempt (service events, strays); a --filter on kind does too")
	fs.DurationVar(&f.tolerance, "tolerance", 0, "how far apart two sources may put one step after clock correction (default 2s)")
	fs.DurationVar(&f.maxSkew, "max-skew", 0, "widest clock offset between sources looked for (default 30s)")
	fs.DurationVar(&f.window, "window", 0, "close an unanswered attempt after this much quiet (default 4m)")
	fs.BoolVar(&f.whole, "whole-sessions", false, wholeSessionsUsage)
	fs.StringVar(&f.from, "from", "", "read the flows from a radscope export in ClickHouse (clickhouse://HOST:8123/DB) instead of PATHs")
	f.ch.add(fs)
}

type flowsFlags struct {
	flowFlags
	format  string
	fields  string
	color   string
	noColor bool
}

func init() {
	register(&Command{
		Name:      "flows",
		UsageLine: "flows [flags] PATH...",
		Short:     "join captures, NPS logs and events into one row per sign-in attempt, with findings",
		Long: `Reads the same inputs as parse and joins them into flows: one
authentication attempt (request, retransmits, challenge rounds, answer),
accounting session, Status-Server probe or CoA exchange each, with every
message of every source that speaks of it. Each row shows time, user, NAS,
calling station, method, outcome, reason, MFA result, latency, the sources
present and the top finding (radscope explain RULE tells more).

--filter takes the filter language below, for example
  --filter 'outcome:rejected latency:>3s -user:mallory'

Formats as for parse: table, ndjson (the default when piped), json, csv.
--fields with no value lists the field names.

Memory follows the open flows, not the input. On logs of a busy site the
accounting sessions waiting for their Stop are most of them: once they hold
over 20,000 messages, the quietest are written out as numbered parts (fields
Part, and Continues with the previous part's ID; filter part:>1 for the
continuations). --whole-sessions keeps every session in one row.

` + filterHelp(),
		Flags: func(fs *pflag.FlagSet) any {
			f := &flowsFlags{}
			f.flowFlags.add(fs)
			fs.StringVar(&f.format, "format", "", "output `FORMAT`: table, ndjson, json or csv (default: table on a terminal, ndjson otherwise)")
			fs.StringVar(&f.fields, "fields", "", "comma-separated `FIELDS` to print; with no value, list the field names")
			fs.Lookup("fields").NoOptDefVal = "?"
			fs.StringVar(&f.color, "color", "auto", "colour: auto, always or never")
			fs.BoolVar(&f.noColor, "no-color", false, "no colour (same as --color never)")
			return f
		},
		Run: runFlows,
	})
}

// filterHelp documents the filter language and the flow fields.
func filterHelp() string {
	var b strings.Builder
	b.WriteString(`Filter language (--filter, and / in the TUI)

  alice                   bare word: substring of user, NAS, calling station or reason
  !alice  -alice          must not occur
  user:alice              the field contains the value (case-insensitive)
  user:=CONTOSO\alice     the field is the value
  -outcome:accepted       negation
  outcome:rejected|no-response        any of several values
  latency:>3s  reason:>=48  rtx:>0  time:>=2026-11-01  time:>=-1h
  user:"Carol Béranger"   quotes for spaces

All terms must hold. Times without a zone are read in --tz.

Fields:
`)
	for _, f := range report.Schema {
		name := f.Name
		if len(f.Aliases) > 0 {
			name += " (" + strings.Join(f.Aliases, ", ") + ")"
		}
		fmt.Fprintf(&b, "  %-28s %-8s %s\n", name, f.Type, f.Help)
	}
	return b.String()
}

// flowRun is a checked command line of flows or report.
type flowRun struct {
	f     *flowFlags
	o     parse.Options
	paths []string
	flt   *filter.Filter
}

// prepare checks the flags and the inputs.
// wholeSessionsUsage is the help of --whole-sessions.
const wholeSessionsUsage = "keep every accounting session whole (by default, when open sessions hold over 20,000 messages the quietest are yielded in numbered parts, to bound memory)"

// flowOptions are the flow builder's options the flags set.
func (f *flowFlags) flowOptions() flow.Options {
	o := flow.Options{Tolerance: f.tolerance, MaxSkew: f.maxSkew, Window: f.window}
	if f.whole {
		o.SessionBudget = -1
	}
	return o
}

func (f *flowFlags) prepare(io *IO, args []string) (*flowRun, error) {
	o, err := f.in.options(io)
	if err != nil {
		return nil, err
	}
	paths, err := inputPaths(io, args)
	if err != nil {
		return nil, err
	}
	flt, err := filter.Parse(f.filter, report.Schema, filter.Options{Location: o.Location})
	if err != nil {
		return nil, usageErrorf("--filter: %v", err)
	}
	return &flowRun{f: f, o: o, paths: paths, flt: flt}, nil
}

// build opens the inputs, builds the flows and calls each for every flow
// that passes the filter. It reports bad records on stderr and returns the
// build statistics.
func (r *flowRun) build(ctx context.Context, io *IO, each func(*model.Flow) error) (flow.Stats, error) {
	f, o, flt := r.f, r.o, r.flt
	var st flow.Stats
	stream := openStream(ctx, io, &f.in, o, r.paths)
	diag := &diagnostics{io: io, f: &f.in}
	fo := f.flowOptions()
	fo.Annotate, fo.Stats = explain.Annotate, &st
	var firstErr error
	for fl, err := range flow.Build(ctx, stream.All(), fo) {
		if err != nil {
			if !model.IsParseError(err) {
				return st, err
			}
			diag.report(err)
			if firstErr == nil {
				firstErr = err
			}
			if f.in.strict {
				return st, &silentError{code: ExitError}
			}
			continue
		}
		if fl.Kind == model.FlowUnmatched && !f.unmatched && !flt.Mentions("kind") {
			continue
		}
		if !flt.Match(report.Record(&fl)) {
			continue
		}
		if err := each(&fl); err != nil {
			return st, err
		}
	}
	diag.summary(stream.Stats(), o)
	if !f.in.quiet {
		reportJoin(io, &st)
	}
	return st, nil
}

// reportJoin says on stderr what was joined and which clock offsets were
// found.
func reportJoin(io *IO, st *flow.Stats) {
	for _, off := range st.Offsets {
		applied := ""
		if !off.Applied {
			applied = ", below a second: not corrected (timestamp resolution)"
		}
		fmt.Fprintf(io.Err, "radscope: clock offset: %s times are %s from %s times (median of %d pairs%s)\n",
			off.Kind, signed(off.Offset), st.Reference, off.Pairs, applied)
	}
	for _, h := range st.ZoneHints {
		fmt.Fprintf(io.Err, "radscope: warning: %s times look %s off %s times in %d attempts that did not join: is --tz the NPS server's zone?\n",
			h.Kind, signed(h.Offset), h.Ref, h.Votes)
	}
	if st.Unmatched > 0 {
		fmt.Fprintf(io.Err, "radscope: %d of %d messages belong to no attempt (--unmatched lists them)\n", st.Unmatched, st.Messages)
	}
}

func signed(d time.Duration) string {
	if d >= 0 {
		return "+" + report.FormatDuration(d)
	}
	return report.FormatDuration(d)
}

func runFlows(ctx context.Context, io *IO, opts any, args []string) error {
	f := opts.(*flowsFlags)
	if f.fields == "?" {
		for _, n := range report.Columns {
			fmt.Fprintln(io.Out, n)
		}
		return nil
	}
	format := output.NDJSON
	if io.OutTTY {
		format = output.Table
	}
	if f.format != "" {
		var err error
		if format, err = output.ParseFormat(f.format); err != nil {
			return &UsageError{err}
		}
	}
	ro := report.RowOptions{TTY: io.OutTTY, Color: colorWanted(io, f.color, f.noColor)}
	if f.fields != "" {
		for _, s := range strings.Split(f.fields, ",") {
			if s = strings.TrimSpace(s); s != "" {
				if !report.ValidColumn(s) {
					return usageErrorf("--fields: unknown field %q (radscope flows --fields lists them)", s)
				}
				ro.Fields = append(ro.Fields, s)
			}
		}
	}
	if f.from != "" {
		return flowsFrom(ctx, io, f, args, format, ro)
	}
	run, err := f.prepare(io, args)
	if err != nil {
		return err
	}
	ro.Location = run.o.Location
	w := report.NewRowWriter(format, io.Out, ro)
	_, err = run.build(ctx, io, func(fl *model.Flow) error {
		if err := w.Write(fl); err != nil {
			return fmt.Errorf("writing output: %w", err)
		}
		return nil
	})
	if cerr := w.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("writing output: %w", cerr)
	}
	return err
}
