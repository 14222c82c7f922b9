package main

import (
	"context"
	"fmt"
	"time"

	"github.com/radscope/radscope/dict"
	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/parse"
	"github.com/radscope/radscope/secret"
	"github.com/spf13/pflag"
)

// inputFlags are the flags of every command that reads inputs.
type inputFlags struct {
	since, until string
	tz           string
	strict       bool
	quiet        bool
	verbose      int
	dictionary   []string
	showSecrets  bool
	secrets      []string
	secretsFile  []string
	ports        []uint
	window       time.Duration
}

func (f *inputFlags) add(fs *pflag.FlagSet) {
	fs.StringVar(&f.since, "since", "", "skip records before `TIME` (RFC 3339, YYYY-MM-DD[ HH:MM[:SS]], -2h, -7d)")
	fs.StringVar(&f.until, "until", "", "skip records after `TIME`")
	fs.StringVar(&f.tz, "tz", "", "time `ZONE` of the NPS server's local log times (IANA name such as Europe/Berlin, or UTC; default: this machine's zone)")
	fs.BoolVar(&f.strict, "strict", false, "stop at the first bad record (exit 2)")
	fs.BoolVarP(&f.quiet, "quiet", "q", false, "print nothing on stderr but errors")
	fs.CountVarP(&f.verbose, "verbose", "v", "print every bad record and more detail (repeat for more)")
	fs.StringSliceVar(&f.dictionary, "dictionary", nil, "load FreeRADIUS-format dictionary `FILE|DIR` (repeatable)")
	fs.BoolVar(&f.showSecrets, "show-secrets", false, "print passwords and other secrets instead of <redacted>")
	fs.StringArrayVar(&f.secrets, "secret", nil, "RADIUS shared `SECRET` for all captured traffic, or env:VAR to read it from the environment (repeatable; a literal secret on the command line is visible to other users: prefer env:VAR or --secrets-file)")
	fs.StringArrayVar(&f.secretsFile, "secrets-file", nil, "`FILE` of lines 'CIDR-or-IP secret' (# comments; secret may be env:VAR)")
	fs.DurationVar(&f.window, "match-window", 0, "in captures, how long a request waits for its response before it is marked unanswered (norsp) (default 30s)")
	fs.UintSliceVar(&f.ports, "ports", nil, "extra UDP `PORTS` to read as RADIUS in captures (1812, 1813, 1645, 1646, 3799 always are)")
}

// options turns the flags into parse options.
func (f *inputFlags) options(io *IO) (parse.Options, error) {
	var o parse.Options
	loc := time.Local
	if f.tz != "" {
		l, err := time.LoadLocation(f.tz)
		if err != nil {
			return o, usageErrorf("--tz: unknown time zone %q", f.tz)
		}
		loc = l
	}
	o.Location = loc
	now := time.Now()
	var err error
	if f.since != "" {
		if o.Since, err = parse.ParseTime(f.since, now, loc); err != nil {
			return o, usageErrorf("--since: %v", err)
		}
	}
	if f.until != "" {
		if o.Until, err = parse.ParseTime(f.until, now, loc); err != nil {
			return o, usageErrorf("--until: %v", err)
		}
	}
	o.Strict = f.strict
	o.ShowSecrets = f.showSecrets
	if len(f.secrets) > 0 || len(f.secretsFile) > 0 {
		st := &secret.Store{LookupEnv: func(k string) (string, bool) {
			v := io.Getenv(k)
			return v, v != ""
		}}
		for _, v := range f.secrets {
			if err := st.AddArg(v); err != nil {
				return o, usageErrorf("--secret: %v", err)
			}
		}
		for _, p := range f.secretsFile {
			if err := st.LoadFile(p); err != nil {
				return o, usageErrorf("--secrets-file: %v", err)
			}
		}
		if st.FromArgv && !f.quiet {
			fmt.Fprintln(io.Err, "radscope: warning: a secret given on the command line can be seen by other users of this machine (ps, shell history); use --secret env:VAR or --secrets-file")
		}
		o.Secrets = st
	}
	if f.window < 0 {
		return o, usageErrorf("--match-window: must not be negative")
	}
	o.Window = f.window
	for _, p := range f.ports {
		if p == 0 || p > 65535 {
			return o, usageErrorf("--ports: %d is not a UDP port", p)
		}
		o.Ports = append(o.Ports, uint16(p))
	}
	o.Stdin = io.In
	o.Dict = dict.Default()
	if len(f.dictionary) > 0 {
		d := o.Dict.Clone()
		for _, p := range f.dictionary {
			if err := d.LoadFreeRADIUS(p); err != nil {
				return o, usageErrorf("--dictionary: %v", err)
			}
		}
		o.Dict = d
	}
	return o, nil
}

// inputPaths applies the stdin conventions: no path and a piped stdin
// reads stdin; no path on a terminal is a usage error.
func inputPaths(io *IO, args []string) ([]string, error) {
	if len(args) > 0 {
		return args, nil
	}
	if !io.InTTY {
		return []string{"-"}, nil
	}
	return nil, usageErrorf("no input: give files, directories, globs, or - for stdin")
}

// diagnostics prints bad records on stderr as they come (all of them with
// -v, the first few otherwise) and the closing summary.
type diagnostics struct {
	io      *IO
	f       *inputFlags
	printed int
}

const maxPrinted = 10

func (d *diagnostics) report(err error) {
	if d.f.quiet && !model.IsParseError(err) {
		fmt.Fprintf(d.io.Err, "radscope: %v\n", err)
		return
	}
	if d.f.quiet {
		return
	}
	d.printed++
	if d.printed <= maxPrinted || d.f.verbose > 0 {
		fmt.Fprintf(d.io.Err, "radscope: %v\n", err)
	} else if d.printed == maxPrinted+1 {
		fmt.Fprintln(d.io.Err, "radscope: more bad records follow; -v prints them all")
	}
}

func (d *diagnostics) summary(st parse.Stats, o parse.Options) {
	if d.f.quiet {
		return
	}
	if s := st.Summary(); s != "" {
		fmt.Fprintf(d.io.Err, "radscope: %s\n", s)
	}
	if d.f.verbose > 0 {
		fmt.Fprintf(d.io.Err, "radscope: %d files, %d bytes, %d records, %d malformed, %d filtered by time, %d files skipped by time; NPS local times read in zone %s\n",
			st.Files, st.Bytes, st.Records, st.Malformed, st.Filtered, st.FilesSkipped, o.Location)
	}
}

// openStream opens the inputs and says on stderr which zone log times are
// read in (they carry none).
func openStream(ctx context.Context, io *IO, f *inputFlags, o parse.Options, paths []string) *parse.Stream {
	s := parse.Open(ctx, paths, o)
	if !f.quiet && f.tz == "" && hasNPSText(s.Inputs()) {
		fmt.Fprintf(io.Err, "radscope: NPS log times carry no zone; reading them as %s (set --tz to the NPS server's zone)\n", zoneName(o.Location))
	}
	return s
}

func hasNPSText(ins []parse.Input) bool {
	for _, in := range ins {
		switch in.Format {
		case model.FormatIAS, model.FormatODBC, model.FormatDTS, "":
			return true
		}
	}
	return false
}

func zoneName(l *time.Location) string {
	name := l.String()
	if name == "Local" {
		n, off := time.Now().In(l).Zone()
		return fmt.Sprintf("the local zone (%s, UTC%+03d:%02d)", n, off/3600, abs(off%3600)/60)
	}
	return name
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
