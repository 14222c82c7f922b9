package main

import (
	"bufio"
	"context"
	"fmt"
	"os"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/report"
	"github.com/spf13/pflag"
)

type reportFlags struct {
	flowFlags
	format string
	html   string
}

func init() {
	register(&Command{
		Name:      "report",
		UsageLine: "report [flags] PATH...",
		Short:     "summarise flows: outcomes, findings, reasons, top users/NAS, latency percentiles, timeline",
		Long: `Builds the flows of the inputs (as radscope flows does, --filter included) and
prints a summary: totals by outcome, failures ranked by finding and by NPS
reason, MFA results, the users, NASes and calling stations with the most
failures, latency percentiles (p50/p95/p99) per NAS and per MFA method, and
an hourly timeline. --format text (the default) or json on stdout; --html
FILE also writes a self-contained HTML page (inline SVG charts, no network
resources) to mail to a colleague.

Exit status 1 when any error-severity finding is present, for scripts.`,
		Flags: func(fs *pflag.FlagSet) any {
			f := &reportFlags{}
			f.flowFlags.add(fs)
			fs.StringVar(&f.format, "format", "text", "output `FORMAT` on stdout: text or json")
			fs.StringVar(&f.html, "html", "", "also write the report as a self-contained HTML `FILE`")
			return f
		},
		Run: runReport,
	})
}

func runReport(ctx context.Context, io *IO, opts any, args []string) error {
	f := opts.(*reportFlags)
	if f.format != "text" && f.format != "json" {
		return usageErrorf("--format: unknown format %q (want text or json)", f.format)
	}
	// Service-level findings (an unknown client, a wrong secret) live on
	// messages that belong to no attempt: the report counts them too.
	f.unmatched = true
	if f.from != "" {
		return reportFrom(ctx, io, f, args)
	}
	run, err := f.prepare(io, args)
	if err != nil {
		return err
	}
	agg := report.NewAggregator(run.o.Location)
	st, err := run.build(ctx, io, func(fl *model.Flow) error {
		agg.Add(fl)
		return nil
	})
	if err != nil {
		return err
	}
	s := agg.Summary(&st)
	if f.html != "" {
		if err := writeHTMLFile(f.html, &s, run); err != nil {
			return err
		}
	}
	if f.format == "json" {
		err = report.WriteJSON(io.Out, &s)
	} else {
		err = report.WriteText(io.Out, &s, run.o.Location)
	}
	if err != nil {
		return fmt.Errorf("writing output: %w", err)
	}
	if s.HasErrors() {
		return &FindingsError{Msg: fmt.Sprintf("%d error findings", s.Severities[model.SeverityError.String()])}
	}
	return nil
}

func writeHTMLFile(path string, s *report.Summary, run *flowRun) error {
	out, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("--html: %w", err)
	}
	bw := bufio.NewWriter(out)
	err = report.WriteHTML(bw, s, run.o.Location)
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("--html: %w", err)
	}
	return nil
}
