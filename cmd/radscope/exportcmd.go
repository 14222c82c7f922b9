package main

import (
	"bufio"
	"context"
	"fmt"
	stdio "io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/radscope/radscope/export"
	"github.com/radscope/radscope/export/ch"
	"github.com/radscope/radscope/filter"
	"github.com/radscope/radscope/flow"
	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/output"
	"github.com/radscope/radscope/parse"
	"github.com/radscope/radscope/report"
	"github.com/spf13/pflag"
)

// chFlags are the ClickHouse connection flags of export, report --from and
// flows --from.
type chFlags struct {
	user     string
	password string
	config   string
	timeout  time.Duration
}

func (f *chFlags) add(fs *pflag.FlagSet) {
	fs.StringVar(&f.user, "ch-user", "", "ClickHouse `USER` (default: the server's default user)")
	fs.StringVar(&f.password, "ch-password", "", "ClickHouse password as env:`VAR` (never the password itself: argv is visible to other users)")
	fs.StringVar(&f.config, "ch-config", "", "`FILE` of 'user = NAME' and 'password = SECRET' lines (# comments) for ClickHouse")
	fs.DurationVar(&f.timeout, "ch-timeout", 0, "give up on one ClickHouse request after this long (default: no limit)")
}

// client checks a clickhouse:// address and the credentials and returns a
// client.
func (f *chFlags) client(io *IO, dsn string) (*ch.Client, error) {
	cfg, err := ch.ParseDSN(dsn)
	if err != nil {
		return nil, &UsageError{err}
	}
	if f.config != "" {
		if err := readCHConfig(f.config, &cfg); err != nil {
			return nil, usageErrorf("--ch-config: %v", err)
		}
	}
	if f.user != "" {
		cfg.User = f.user
	}
	if f.password != "" {
		name, ok := strings.CutPrefix(f.password, "env:")
		if !ok || name == "" {
			return nil, usageErrorf("--ch-password: give env:VAR (a password on the command line is visible to other users); or use --ch-config FILE")
		}
		v := io.Getenv(name)
		if v == "" {
			return nil, usageErrorf("--ch-password: environment variable %s is not set", name)
		}
		cfg.Password = v
	}
	cfg.Timeout = f.timeout
	return ch.New(cfg), nil
}

func readCHConfig(path string, cfg *ch.Config) error {
	fh, err := os.Open(path)
	if err != nil {
		return err
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return fmt.Errorf("%s:%d: want key = value", path, n)
		}
		switch strings.TrimSpace(k) {
		case "user":
			cfg.User = strings.TrimSpace(v)
		case "password":
			cfg.Password = strings.TrimSpace(v)
		default:
			return fmt.Errorf("%s:%d: unknown key %q (user, password)", path, n, strings.TrimSpace(k))
		}
	}
	return sc.Err()
}

type exportFlags struct {
	flowFlags
	to           string
	createSchema bool
	printSchema  bool
	batchRows    int
	gzipLevel    string
	output       string
}

func init() {
	register(&Command{
		Name:      "export",
		UsageLine: "export --to clickhouse://HOST:8123/DB|ndjson [flags] PATH...",
		Short:     "stream messages and flows into ClickHouse, or as ECS-named NDJSON, for fleet-wide reports",
		Long: `Reads the inputs as flows does and writes every message and every flow
(--filter and --since/--until apply) to one of:

  --to clickhouse://HOST:8123/DB
      radscope_messages, radscope_flows and radscope_runs (one row per
      export: the clock offsets and zone hints found), over ClickHouse's
      HTTP interface (18.16 and later): INSERT ... FORMAT JSONEachRow,
      gzip bodies (--gzip-level; by default compressed only for a server on
      another machine), batches of at most 100,000 rows, two in flight, a failed
      batch retried whole with backoff. Rows have deterministic ids and the
      tables are ReplacingMergeTree: exporting the same files again, or
      re-running an export that failed half-way, adds no duplicates.
      --create-schema creates the tables (and adds the columns a newer
      radscope writes to older ones); --print-schema prints their DDL.
      Credentials: --ch-user, --ch-password env:VAR, or --ch-config FILE.
      radscope report --from and flows --from query them.
  --to ndjson
      the same records as newline-delimited JSON (stdout, or --output FILE)
      with Elastic Common Schema field names, for Elastic, Splunk or Loki.

Progress goes to stderr every second; a summary (rows, bytes, seconds)
ends the run.`,
		Flags: func(fs *pflag.FlagSet) any {
			f := &exportFlags{}
			f.flowFlags.add(fs)
			fs.StringVar(&f.to, "to", "", "where to: clickhouse://HOST:PORT/DB or ndjson")
			fs.BoolVar(&f.createSchema, "create-schema", false, "create the tables first (if they do not exist)")
			fs.BoolVar(&f.printSchema, "print-schema", false, "print the CREATE TABLE statements and exit")
			fs.IntVar(&f.batchRows, "batch-rows", export.MaxBatchRows, "rows per INSERT (at most 100000)")
			fs.StringVar(&f.gzipLevel, "gzip-level", "auto", "gzip `LEVEL` of the INSERT bodies, 0 (framed, not compressed) to 9; auto: 0 for a server on 127.0.0.1 or localhost, else 1")
			fs.StringVarP(&f.output, "output", "o", "", "with --to ndjson: write to `FILE` instead of stdout")
			return f
		},
		Run: runExport,
	})
}

func runExport(ctx context.Context, io *IO, opts any, args []string) error {
	f := opts.(*exportFlags)
	if f.printSchema {
		db := ""
		if strings.HasPrefix(f.to, "clickhouse://") {
			cfg, err := ch.ParseDSN(f.to)
			if err != nil {
				return &UsageError{err}
			}
			db = cfg.Database
		}
		stmts, err := export.Schema(db, export.Tables{})
		if err != nil {
			return err
		}
		for _, s := range stmts {
			fmt.Fprintf(io.Out, "%s;\n\n", s)
		}
		up, err := export.Upgrade(db, export.Tables{})
		if err != nil {
			return err
		}
		fmt.Fprintf(io.Out, "-- Tables created by an earlier radscope: create the runs table above, and add\n-- the new columns to the flows table (--create-schema does both):\n-- %s;\n",
			strings.ReplaceAll(up, "\n", "\n-- "))
		return nil
	}
	if f.batchRows <= 0 || f.batchRows > export.MaxBatchRows {
		return usageErrorf("--batch-rows: %d is not between 1 and %d", f.batchRows, export.MaxBatchRows)
	}
	// Every message is exported, including those of no attempt.
	f.unmatched = true
	var sink export.Sink
	var closeOut func() error
	switch {
	case f.to == "ndjson":
		var w stdio.Writer = io.Out
		closeOut = func() error { return nil }
		if f.output != "" && f.output != "-" {
			fh, err := os.Create(f.output)
			if err != nil {
				return fmt.Errorf("--output: %w", err)
			}
			w = fh
			closeOut = fh.Close
		}
		run, err := f.prepare(io, args)
		if err != nil {
			closeOut()
			return err
		}
		sink = export.NewNDJSON(w, run.o.ShowSecrets)
		return exportRun(ctx, io, f, run, sink, closeOut)
	case strings.HasPrefix(f.to, "clickhouse://"):
		if f.output != "" {
			return usageErrorf("--output goes with --to ndjson")
		}
		c, err := f.ch.client(io, f.to)
		if err != nil {
			return err
		}
		level := export.GzipLevelFor(c.Config().Addr)
		if f.gzipLevel != "auto" {
			n, err := strconv.Atoi(f.gzipLevel)
			if err != nil || n < 0 || n > 9 {
				return usageErrorf("--gzip-level: %q is not auto or 0 to 9", f.gzipLevel)
			}
			level = n
		}
		run, err := f.prepare(io, args)
		if err != nil {
			return err
		}
		if f.createSchema {
			if err := export.CreateSchema(ctx, c, export.Tables{}); err != nil {
				return err
			}
		} else if err := export.CheckSchema(ctx, c, export.Tables{}); err != nil {
			return err
		}
		o := export.Options{BatchRows: f.batchRows, GzipLevel: level, ShowSecrets: run.o.ShowSecrets}
		if !f.in.quiet {
			var last time.Time
			o.Progress = func(p export.Progress) {
				if time.Since(last) >= time.Second {
					last = time.Now()
					fmt.Fprintf(io.Err, "radscope: export: %d rows (%d messages, %d flows), %s, %.1f s\n",
						p.Rows(), p.Messages, p.Flows, megabytes(p.Bytes), p.Elapsed.Seconds())
				}
			}
		}
		e, err := export.NewClickHouse(ctx, c, o)
		if err != nil {
			return err
		}
		return exportRun(ctx, io, f, run, e, func() error { return nil })
	case f.to == "":
		return usageErrorf("--to: give clickhouse://HOST:8123/DB or ndjson")
	default:
		return usageErrorf("--to: unknown destination %q (clickhouse://HOST:8123/DB or ndjson)", f.to)
	}
}

func megabytes(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

func exportRun(ctx context.Context, io *IO, f *exportFlags, run *flowRun, sink export.Sink, closeOut func() error) error {
	st, err := run.build(ctx, io, func(fl *model.Flow) error { return sink.Add(fl) })
	if e, ok := sink.(*export.ClickHouse); ok && err == nil {
		// What the builder found about the inputs as a whole: known only
		// now, after the last flow.
		err = e.AddRun(&st)
	}
	p, cerr := sink.Close()
	if err == nil {
		err = cerr
	}
	if oerr := closeOut(); err == nil && oerr != nil {
		err = fmt.Errorf("--output: %w", oerr)
	}
	if !f.in.quiet || err != nil {
		secs := p.Elapsed.Seconds()
		rate := 0.0
		if secs > 0 {
			rate = float64(p.Rows()) / secs
		}
		fmt.Fprintf(io.Err, "radscope: export: %d rows (%d messages, %d flows), %s", p.Rows(), p.Messages, p.Flows, megabytes(p.Bytes))
		if p.Compressed > 0 {
			fmt.Fprintf(io.Err, " (%s sent gzip)", megabytes(p.Compressed))
		}
		fmt.Fprintf(io.Err, " in %.1f s, %.0f rows/s", secs, rate)
		if p.Retries > 0 {
			fmt.Fprintf(io.Err, ", %d batches retried", p.Retries)
		}
		fmt.Fprintln(io.Err)
	}
	if err != nil && ctx.Err() == nil && strings.HasPrefix(f.to, "clickhouse://") {
		return fmt.Errorf("%w\nradscope: nothing is duplicated by running the same export again: it completes what is missing", err)
	}
	return err
}

// fromRun is a checked command line of report --from or flows --from.
type fromRun struct {
	c     *ch.Client
	loc   *time.Location
	flt   *filter.Filter
	where string // SQL for the filter, --since, --until (and unmatched flows)
	o     parse.Options
}

func (f *flowFlags) prepareFrom(io *IO, args []string) (*fromRun, error) {
	if len(args) > 0 {
		return nil, usageErrorf("--from reads flows from ClickHouse: give no PATHs with it")
	}
	o, err := f.in.options(io)
	if err != nil {
		return nil, err
	}
	c, err := f.ch.client(io, f.from)
	if err != nil {
		return nil, err
	}
	flt, err := filter.Parse(f.filter, report.Schema, filter.Options{Location: o.Location})
	if err != nil {
		return nil, usageErrorf("--filter: %v", err)
	}
	where, err := report.FilterSQL(flt)
	if err != nil {
		return nil, err
	}
	conds := []string{where}
	if !o.Since.IsZero() {
		conds = append(conds, fmt.Sprintf("(toInt64(start) * 1000000000 + start_ns) >= %d", o.Since.UnixNano()))
	}
	if !o.Until.IsZero() {
		conds = append(conds, fmt.Sprintf("(toInt64(start) * 1000000000 + start_ns) <= %d", o.Until.UnixNano()))
	}
	if !f.unmatched && !flt.Mentions("kind") {
		conds = append(conds, "kind != 'unmatched'")
	}
	return &fromRun{c: c, loc: o.Location, flt: flt, where: strings.Join(conds, " AND "), o: o}, nil
}

// reportFrom is report --from: the summary computed by ClickHouse.
func reportFrom(ctx context.Context, io *IO, f *reportFlags, args []string) error {
	r, err := f.prepareFrom(io, args)
	if err != nil {
		return err
	}
	defer r.c.Close()
	s, err := report.SummaryFromClickHouse(ctx, r.c, report.ClickHouseOptions{Filter: r.flt, Since: r.o.Since, Until: r.o.Until, Location: r.loc})
	if err != nil {
		return err
	}
	if f.html != "" {
		if err := writeHTMLFile(f.html, &s, &flowRun{o: r.o}); err != nil {
			return err
		}
	}
	if f.format == "json" {
		err = report.WriteJSON(io.Out, &s)
	} else {
		err = report.WriteText(io.Out, &s, r.loc)
	}
	if err != nil {
		return fmt.Errorf("writing output: %w", err)
	}
	if s.HasErrors() {
		return &FindingsError{Msg: fmt.Sprintf("%d error findings", s.Severities[model.SeverityError.String()])}
	}
	return nil
}

// flowsFrom is flows --from: the flows stored in ClickHouse that match.
func flowsFrom(ctx context.Context, io *IO, f *flowsFlags, args []string, format output.Format, ro report.RowOptions) error {
	r, err := f.prepareFrom(io, args)
	if err != nil {
		return err
	}
	defer r.c.Close()
	ro.Location = r.loc
	w := report.NewRowWriter(format, io.Out, ro)
	err = export.Read(ctx, r.c, export.ReadOptions{Where: r.where}, func(fl *model.Flow) error {
		if err := w.Write(fl); err != nil {
			return fmt.Errorf("writing output: %w", err)
		}
		return nil
	})
	if cerr := w.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("writing output: %w", cerr)
	}
	if err == nil && !f.in.quiet {
		err = reportClockFrom(ctx, io, r)
	}
	return err
}

// reportClockFrom says on stderr, as flows does for its inputs, which clock
// offsets and zone hints the export runs recorded.
func reportClockFrom(ctx context.Context, io *IO, r *fromRun) error {
	ref, offsets, hints, err := report.ClockFromClickHouse(ctx, r.c, report.ClickHouseOptions{Since: r.o.Since, Until: r.o.Until})
	if err != nil {
		return err
	}
	reportJoin(io, &flow.Stats{Offsets: offsets, ZoneHints: hints, Reference: ref})
	return nil
}
