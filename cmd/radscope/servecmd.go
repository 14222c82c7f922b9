package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/radscope/radscope/nps"
	"github.com/radscope/radscope/scenario"
	"github.com/spf13/pflag"
)

type serveFlags struct {
	scenario string
	sets     []string
	verbose  int
	quiet    bool
}

func init() {
	register(&Command{
		Name:      "serve",
		UsageLine: "serve --scenario FILE [--set key=value]... [-v]",
		Short:     "run the emulated NPS + Entra MFA extension as a RADIUS server",
		Long: `Serves RADIUS (authentication and accounting) as the NPS server described
by the scenario file would, the MFA extension included, and prints one line
per request: time, client, user, method, outcome, reason and latency.
Ctrl-C (SIGINT) or SIGTERM stops it cleanly.

Point a NAS, an RD Gateway or FreeRADIUS's radtest at it; with the example
scenario (radscope scenario example > lab.yaml):

  radscope serve --scenario lab.yaml
  radtest alice 'Passw0rd!' 127.0.0.1 0 testing123     # push approved after 8 s

--set overrides any scenario field for this run, e.g.
--set mfa.require_user_match=false or --set clients.rdgw.timeout=60s.
-v prints each decision step (policy matched, method, MFA step) on stderr.`,
		Flags: func(fs *pflag.FlagSet) any {
			f := &serveFlags{}
			fs.StringVar(&f.scenario, "scenario", "", "scenario `FILE` (see radscope scenario example)")
			fs.StringArrayVar(&f.sets, "set", nil, "override a scenario field: `key=value` (repeatable)")
			fs.CountVarP(&f.verbose, "verbose", "v", "print the decision trace on stderr")
			fs.BoolVarP(&f.quiet, "quiet", "q", false, "no per-request lines")
			return f
		},
		Run: runServe,
	})
}

// loadScenario loads a scenario file and applies --set overrides.
func loadScenario(path string, sets []string) (*scenario.Scenario, error) {
	if path == "" {
		return nil, usageErrorf("--scenario FILE is required (radscope scenario example prints one)")
	}
	sc, err := scenario.Load(path)
	if err != nil {
		return nil, err
	}
	for _, kv := range sets {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, usageErrorf("--set %q: want key=value", kv)
		}
		if err := sc.Set(strings.TrimSpace(k), v); err != nil {
			return nil, &UsageError{err}
		}
	}
	if err := sc.Validate(); err != nil {
		return nil, err
	}
	return sc, nil
}

func runServe(ctx context.Context, io *IO, opts any, args []string) error {
	f := opts.(*serveFlags)
	if len(args) > 0 {
		return usageErrorf("serve takes no arguments (got %q)", args)
	}
	sc, err := loadScenario(f.scenario, f.sets)
	if err != nil {
		return err
	}
	level := slog.LevelWarn
	if f.verbose > 0 {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(io.Err, &slog.HandlerOptions{Level: level}))
	fl, err := nps.OpenLogs(sc, log)
	if err != nil {
		return err
	}
	o := nps.Options{Logger: nps.Loggers{fl}, Log: log}
	if !f.quiet {
		o.OnDecision = func(d nps.Decision) { fmt.Fprintln(io.Out, d.Line()) }
	}
	srv, err := nps.New(sc, o)
	if err != nil {
		if fl != nil {
			fl.Close()
		}
		return err
	}
	done := make(chan error, 1)
	go func() { done <- srv.ListenAndServe(ctx) }()
	// Say where it listens once the sockets are bound.
	for range 200 {
		if addrs := srv.Addrs(); len(addrs) > 0 {
			fmt.Fprintf(io.Err, "radscope: %s serving RADIUS on %s (Ctrl-C stops)\n", sc.Server.ComputerName, joinAddrs(addrs))
			break
		}
		select {
		case err := <-done:
			done <- err
		case <-time.After(10 * time.Millisecond):
			continue
		}
		break
	}
	err = <-done
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	srv.Shutdown(shutdown)
	cancel()
	if fl != nil {
		fl.Close()
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, nps.ErrServerClosed) {
		fmt.Fprintln(io.Err, "radscope: stopped")
		return nil
	}
	return err
}

func joinAddrs(addrs []net.Addr) string {
	s := make([]string, len(addrs))
	for i, a := range addrs {
		s[i] = a.String()
	}
	return strings.Join(s, ", ")
}
