package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/radscope/radscope/filter"
	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/nps"
	"github.com/radscope/radscope/replay"
	"github.com/radscope/radscope/report"
	"github.com/radscope/radscope/scenario"
	"github.com/spf13/pflag"
)

// replayFlags are the flags of replay (and of fixture record).
type replayFlags struct {
	in           inputFlags
	filter       string
	scenario     string
	sets         []string
	target       string
	listen       string
	targetSecret string
	timing       string
	speed        float64
	parallel     int
	timeout      time.Duration
	retries      int
	passwordFrom string
	format       string
	junit        string
	check        bool
	logDir       string
}

func (f *replayFlags) add(fs *pflag.FlagSet) {
	f.in.add(fs)
	fs.StringVar(&f.filter, "filter", "", "replay only flows that match `FILTER` (the language of radscope help flows)")
	fs.StringVar(&f.scenario, "scenario", "", "scenario `FILE` of the embedded target (and of the NASes' timeouts and the passwords)")
	fs.StringArrayVar(&f.sets, "set", nil, "override a scenario field for this run: `key=value` (repeatable), e.g. clients.rdgw.timeout=60s")
	fs.StringVar(&f.target, "target", "embedded", "`TARGET`: embedded (the emulated NPS in process) or udp://HOST:PORT")
	fs.StringVar(&f.listen, "listen", "", "serve the embedded target on `ADDR` (127.0.0.1:0 when given alone) and replay over UDP")
	fs.Lookup("listen").NoOptDefVal = "127.0.0.1:0"
	fs.StringVar(&f.targetSecret, "target-secret", "", "shared `SECRET` the udp:// target holds for this host, or env:VAR (default: the scenario's, else the capture's)")
	fs.StringVar(&f.timing, "timing", "fast", "`MODE`: fast, captured or rate:N (flows per second); the embedded target always runs on the captured clock")
	fs.Float64Var(&f.speed, "speed", 1, "with --timing captured, replay `X` times faster")
	fs.IntVar(&f.parallel, "parallel", 64, "flows in progress at once")
	fs.DurationVarP(&f.timeout, "timeout", "t", 0, "NAS timeout for every client (default: the scenario client's, else what the capture shows, else 30s)")
	fs.IntVarP(&f.retries, "retries", "r", -1, "NAS retries for every client (default: the scenario client's, else what the capture shows, else 2)")
	fs.StringVar(&f.passwordFrom, "password-from", "", "`SOURCE` of passwords the input lacks: scenario (logs and events hold none)")
	fs.StringVar(&f.format, "format", "text", "report `FORMAT`: text or json")
	fs.StringVar(&f.junit, "junit", "", "also write a JUnit XML report to `FILE`")
	fs.BoolVar(&f.check, "check", false, "exit 1 on any regression or divergence")
	fs.StringVar(&f.logDir, "log-dir", "", "the embedded target writes its NPS logs (the scenario's logging.formats) to `DIR`, with the captured timestamps")
}

func init() {
	register(&Command{
		Name:      "replay",
		UsageLine: "replay [--scenario FILE] [--target T] [flags] PATH...",
		Short:     "re-drive captured or logged sign-ins through the emulated NPS or a RADIUS server and compare",
		Long: `Replays the flows of the inputs (captures, NPS logs, event exports) as the
NAS sent them, against the emulated NPS + MFA extension of --scenario (the
default target, in process, on a virtual clock set to the captured time:
captured TOTP codes verify and minutes of MFA waiting take no time) or a
RADIUS server at --target udp://HOST:PORT. The identifier, authenticator,
User-Password (re-encrypted: give the capture's secret with --secret or
--secrets-file), Message-Authenticator and State are rewritten; the rest is
sent as captured. Requests from logs and events are rebuilt from the logged
attributes with --password-from scenario. EAP sign-ins (PEAP, EAP-MSCHAPv2)
are run again with radscope as the user's device, with --password-from
scenario; the scenario's supplicant section says which server certificates
the device trusts (trust_emulator, ca_file, insecure_skip_verify).

The NAS is emulated with its timeout and retries (-t, -r, else the scenario
client's timeout/retries, else what the capture shows), so an RD Gateway's
3 s timeout against a 12 s phone call retransmits and gives up again.

Each flow is reported as reproduced, fixed, regressed, diverged or
not-replayable (with why). --set changes one scenario field for the run:

  radscope replay --scenario testdata/fixtures/rdg-timeout/scenario.yaml \
      --secrets-file testdata/fixtures/rdg-timeout/secrets.txt \
      testdata/fixtures/rdg-timeout/capture.pcapng
  ... --set clients.rdgw.timeout=60s        # the fix: now "fixed"

--check exits 1 on any regression or divergence; --junit F writes JUnit XML.`,
		Flags: func(fs *pflag.FlagSet) any {
			f := &replayFlags{}
			f.add(fs)
			return f
		},
		Run: runReplay,
	})
}

// session turns the flags into a replay session.
func (f *replayFlags) session(io *IO, sc *scenario.Scenario) (*replay.Session, error) {
	o, err := f.in.options(io)
	if err != nil {
		return nil, err
	}
	tm, err := replay.ParseTiming(f.timing)
	if err != nil {
		return nil, &UsageError{err}
	}
	if f.speed <= 0 {
		return nil, usageErrorf("--speed %g: want a positive factor", f.speed)
	}
	if tm.Mode == "captured" {
		tm.Speed = f.speed
	}
	if f.parallel < 1 {
		return nil, usageErrorf("--parallel %d: want at least 1", f.parallel)
	}
	flt, err := filter.Parse(f.filter, report.Schema, filter.Options{Location: o.Location})
	if err != nil {
		return nil, usageErrorf("--filter: %v", err)
	}
	s := &replay.Session{Scenario: sc, Target: f.target, Listen: f.listen, Parse: o,
		Run: replay.Options{Timing: tm, Parallel: f.parallel, Timeout: f.timeout, Retries: f.retries}}
	if f.target != "embedded" {
		if _, err := replay.ParseTarget(f.target); err != nil {
			return nil, &UsageError{err}
		}
		if f.listen != "" {
			return nil, usageErrorf("--listen serves the embedded target; it does not go with --target %s", f.target)
		}
	}
	switch f.passwordFrom {
	case "":
	case "scenario":
		if sc == nil {
			return nil, usageErrorf("--password-from scenario needs --scenario FILE")
		}
		s.PasswordFromScenario = true
	default:
		return nil, usageErrorf("--password-from %q: the only source is scenario", f.passwordFrom)
	}
	if f.targetSecret != "" {
		v := f.targetSecret
		if name, ok := cutEnv(v); ok {
			if v = io.Getenv(name); v == "" {
				return nil, usageErrorf("--target-secret: environment variable %s is not set", name)
			}
		}
		s.TargetSecret = []byte(v)
	}
	s.Keep = func(fl *model.Flow) bool {
		return fl.Kind != model.FlowUnmatched && flt.Match(report.Record(fl))
	}
	diag := &diagnostics{io: io, f: &f.in}
	s.Bad = diag.report
	return s, nil
}

func cutEnv(v string) (string, bool) {
	if len(v) > 4 && v[:4] == "env:" {
		return v[4:], true
	}
	return "", false
}

func runReplay(ctx context.Context, io *IO, opts any, args []string) error {
	f := opts.(*replayFlags)
	if f.format != "text" && f.format != "json" {
		return usageErrorf("--format %q: want text or json", f.format)
	}
	paths, err := inputPaths(io, args)
	if err != nil {
		return err
	}
	var sc *scenario.Scenario
	if f.scenario != "" || f.target == "embedded" {
		if sc, err = loadScenario(f.scenario, f.sets); err != nil {
			return err
		}
	} else if len(f.sets) > 0 {
		return usageErrorf("--set changes the scenario: give --scenario FILE")
	}
	s, err := f.session(io, sc)
	if err != nil {
		return err
	}
	if f.logDir != "" {
		if sc == nil || f.target != "embedded" {
			return usageErrorf("--log-dir: only the embedded target writes logs")
		}
		if err := sc.Set("logging.folder", f.logDir); err != nil {
			return &UsageError{err}
		}
		fl, err := nps.OpenLogs(sc, slog.New(slog.NewTextHandler(io.Err, &slog.HandlerOptions{Level: slog.LevelWarn})))
		if err != nil {
			return err
		}
		defer fl.Close()
		s.Logger = fl
	}
	rs, target, err := s.Replay(ctx, paths)
	if err != nil {
		return err
	}
	return writeReplay(io, f, target, rs, s.Parse.Location)
}

// writeReplay prints the report, writes the JUnit file and applies --check.
func writeReplay(io *IO, f *replayFlags, target string, rs []*replay.Result, loc *time.Location) error {
	var err error
	if f.format == "json" {
		err = replay.WriteJSON(io.Out, target, rs)
	} else {
		err = replay.WriteText(io.Out, target, rs, loc)
	}
	if err != nil {
		return fmt.Errorf("writing output: %w", err)
	}
	if f.junit != "" {
		jf, err := os.Create(f.junit)
		if err != nil {
			return err
		}
		err = replay.WriteJUnit(jf, "replay", rs)
		if cerr := jf.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("writing %s: %w", f.junit, err)
		}
	}
	if s := replay.Summarize(rs); f.check && s.Failed() {
		return &FindingsError{Msg: fmt.Sprintf("replay: %d regressed, %d diverged", s.Regressed, s.Diverged)}
	}
	return nil
}
