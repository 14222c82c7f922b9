package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"

	"github.com/radscope/radscope/dict"
	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/output"
	"github.com/spf13/pflag"
)

type parseFlags struct {
	in      inputFlags
	format  string
	fields  string
	users   []string
	types   []string
	reasons []int
	color   string
	noColor bool
}

func init() {
	register(&Command{
		Name:      "parse",
		UsageLine: "parse [flags] PATH...",
		Short:     "print every record of NPS logs (IAS, ODBC, DTS) as decoded messages",
		Long: `PATH is a file, a directory (walked for IN*.log, iaslog*.log and other logs
whose content is NPS's), a glob pattern (expanded by radscope, as Windows
shells do not), or - for stdin. .gz files are read as they are. Many files
are merged into one stream in time order.

Formats: table (the default on a terminal; tab-separated when piped with
--format table), ndjson (the default when piped), json, csv. Field names are
the dictionary names, the same in every format; --fields with no value
lists them.`,
		Flags: func(fs *pflag.FlagSet) any {
			f := &parseFlags{}
			f.in.add(fs)
			fs.StringVar(&f.format, "format", "", "output `FORMAT`: table, ndjson, json or csv (default: table on a terminal, ndjson otherwise)")
			fs.StringVar(&f.fields, "fields", "", "comma-separated `FIELDS` to print; with no value, list the field names")
			fs.Lookup("fields").NoOptDefVal = "?"
			fs.StringSliceVar(&f.users, "user", nil, "only records of `USER` (case-insensitive; * matches any run of characters)")
			fs.StringSliceVar(&f.types, "type", nil, "only packet `TYPES` (Access-Request, Access-Reject, 3, ...)")
			fs.IntSliceVar(&f.reasons, "reason", nil, "only records with Reason-Code `CODES`")
			fs.StringVar(&f.color, "color", "auto", "colour: auto, always or never")
			fs.BoolVar(&f.noColor, "no-color", false, "no colour (same as --color never; NO_COLOR is honoured too)")
			return f
		},
		Run: runParse,
	})
}

func runParse(ctx context.Context, io *IO, opts any, args []string) error {
	f := opts.(*parseFlags)
	if f.fields == "?" {
		for _, n := range output.FieldNames(dict.Default()) {
			fmt.Fprintln(io.Out, n)
		}
		return nil
	}
	o, err := f.in.options(io)
	if err != nil {
		return err
	}
	paths, err := inputPaths(io, args)
	if err != nil {
		return err
	}
	format := output.NDJSON
	if io.OutTTY {
		format = output.Table
	}
	if f.format != "" {
		if format, err = output.ParseFormat(f.format); err != nil {
			return &UsageError{err}
		}
	}
	filter, err := newMessageFilter(f.users, f.types, f.reasons)
	if err != nil {
		return err
	}
	oo := output.Options{ShowSecrets: f.in.showSecrets, TTY: io.OutTTY, Width: io.Width}
	oo.Color = colorWanted(io, f.color, f.noColor)
	if f.fields != "" {
		for _, s := range strings.Split(f.fields, ",") {
			if s = strings.TrimSpace(s); s != "" {
				oo.Fields = append(oo.Fields, s)
			}
		}
	}
	streamingGC()
	w := output.NewWriter(format, io.Out, oo)
	stream := openStream(ctx, io, &f.in, o, paths)
	diag := &diagnostics{io: io, f: &f.in}
	var firstErr error
	for m, err := range stream.All() {
		if err != nil {
			if !model.IsParseError(err) {
				w.Close()
				return err
			}
			diag.report(err)
			if firstErr == nil {
				firstErr = err
			}
			if m.Kind == model.KindUnknown {
				continue
			}
		}
		if !filter.match(&m) {
			continue
		}
		if werr := w.Write(&m); werr != nil {
			return fmt.Errorf("writing output: %w", werr)
		}
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("writing output: %w", err)
	}
	diag.summary(stream.Stats(), o)
	if f.in.strict && firstErr != nil {
		return &silentError{code: ExitError}
	}
	return nil
}

// colorWanted decides on ANSI colour: --color always/never, else a
// terminal without NO_COLOR.
func colorWanted(io *IO, mode string, no bool) bool {
	switch {
	case no || mode == "never":
		return false
	case mode == "always":
		return true
	}
	return io.OutTTY && !io.NoColor
}

// messageFilter holds the simple --user/--type/--reason filters.
type messageFilter struct {
	users   []string
	types   map[model.Code]bool
	reasons map[int]bool
}

func newMessageFilter(users, types []string, reasons []int) (*messageFilter, error) {
	mf := &messageFilter{}
	for _, u := range users {
		mf.users = append(mf.users, strings.ToLower(u))
	}
	if len(types) > 0 {
		mf.types = map[model.Code]bool{}
		for _, t := range types {
			c, ok := model.ParseCode(strings.TrimSpace(t))
			if !ok {
				return nil, usageErrorf("--type: unknown packet type %q", t)
			}
			mf.types[c] = true
		}
	}
	if len(reasons) > 0 {
		mf.reasons = map[int]bool{}
		for _, r := range reasons {
			mf.reasons[r] = true
		}
	}
	return mf, nil
}

func (mf *messageFilter) match(m *model.Message) bool {
	if mf.types != nil && !mf.types[m.Code] {
		return false
	}
	if mf.reasons != nil && !mf.reasons[m.Reason] {
		return false
	}
	if mf.users != nil {
		u := strings.ToLower(m.User)
		ok := false
		for _, p := range mf.users {
			if globMatch(p, u) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// globMatch matches s against a pattern where * is any run of characters.
func globMatch(p, s string) bool {
	if !strings.Contains(p, "*") {
		return p == s
	}
	parts := strings.Split(p, "*")
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for i := 1; i < len(parts)-1; i++ {
		k := strings.Index(s, parts[i])
		if k < 0 {
			return false
		}
		s = s[k+len(parts[i]):]
	}
	return strings.HasSuffix(s, parts[len(parts)-1])
}

// looksLikeValue reports whether s, found after a flag whose value is
// optional, is that value (a list of names) rather than a path.
func looksLikeValue(s string) bool {
	if _, err := os.Stat(s); err == nil || s == "-" || strings.ContainsAny(s, "/\\*?[") {
		return false
	}
	for _, f := range strings.Split(s, ",") {
		if f == "" || strings.ContainsAny(f, " .") {
			return false
		}
	}
	return true
}

// streamingGC tunes the collector for commands that stream: their live heap
// is a few batches of messages, so collecting less often saves a quarter of
// the CPU while a soft limit keeps resident memory under 100 MB. A capture's
// live heap is larger (requests held for the matching window: about 60 MB on
// a dense one) and a fixed 80 MB limit made the collector run every 10 MB
// of allocation, half the CPU; so after every collection the limit is
// raised to twice the live heap when that is more. GOGC and GOMEMLIMIT in
// the environment win.
func streamingGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(streamLimit)
		afterEachGC(func() {
			live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
			metrics.Read(live)
			if live[0].Value.Kind() == metrics.KindUint64 {
				debug.SetMemoryLimit(memoryLimitFor(live[0].Value.Uint64()))
			}
		})
	}
}

// streamLimit is the soft memory limit of streaming commands while their
// live heap is under half of it.
const streamLimit = 80 << 20

// memoryLimitFor is the soft memory limit for a live heap of live bytes:
// streamLimit, or twice the live heap when that is more.
func memoryLimitFor(live uint64) int64 {
	if live >= math.MaxInt64/2 {
		return math.MaxInt64
	}
	return max(streamLimit, 2*int64(live))
}

// afterEachGC calls f after every garbage collection (from the finalizer
// goroutine) for the rest of the process.
func afterEachGC(f func()) {
	type sentinel struct{ _ [16]byte } // not tiny-allocated, so it is freed by the next cycle
	s := new(sentinel)
	runtime.SetFinalizer(s, func(*sentinel) {
		f()
		afterEachGC(f)
	})
}
