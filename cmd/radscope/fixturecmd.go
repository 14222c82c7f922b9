package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/radscope/radscope/replay/fixture"
	"github.com/spf13/pflag"
)

type fixtureFlags struct {
	scenario     string
	secretsFile  string
	tz           string
	passwordFrom string
	variants     []string
	update       bool
	target       string
	quiet        bool
	redact       bool
}

func init() {
	register(&Command{
		Name:      "fixture",
		UsageLine: "fixture record --scenario FILE [flags] INPUT... DIR | fixture check [--update] DIR...",
		Short:     "keep replays as CI fixtures: record one, check them all",
		Long: `A fixture is a folder: the input of an incident (capture, NPS logs or event
exports), scenario.yaml, the capture's secrets.txt when it needs one (lines
"CIDR secret"; a secret may be env:VAR, so real secrets stay out of the
repository), and expect.json: what every flow did when replayed against the
scenario as it is and against each variant (named --set overrides, such as
the fix).

  radscope fixture record --scenario lab.yaml --secrets-file secrets.txt \
      --variant fixed:clients.rdgw.timeout=60s capture.pcapng fixtures/rdg
  radscope fixture check testdata/fixtures/*

fixture check replays every variant of every folder and exits 1 on any
difference from expect.json; --update rewrites expect.json instead.`,
		Flags: func(fs *pflag.FlagSet) any {
			f := &fixtureFlags{}
			fs.StringVar(&f.scenario, "scenario", "", "record: scenario `FILE` to copy into the fixture")
			fs.StringVar(&f.secretsFile, "secrets-file", "", "record: the capture's secrets `FILE` to copy (use env:VAR secrets for real ones)")
			fs.StringVar(&f.tz, "tz", "UTC", "record: time `ZONE` the NPS logs of the input are read in")
			fs.StringVar(&f.passwordFrom, "password-from", "", "record: scenario, for inputs without passwords (logs, events)")
			fs.StringArrayVar(&f.variants, "variant", nil, "record: a variant `NAME:key=value` replayed besides the scenario as it is (repeat for more keys or variants)")
			fs.BoolVar(&f.redact, "redact-secrets", false, "record: write secrets.txt with env:RADSCOPE_SECRET_<n> references instead of the secrets (set them in CI)")
			fs.BoolVar(&f.update, "update", false, "check: rewrite expect.json from the replay")
			fs.StringVar(&f.target, "target", "embedded", "`TARGET`: embedded or udp://HOST:PORT")
			fs.BoolVarP(&f.quiet, "quiet", "q", false, "print only differences")
			return f
		},
		Run: runFixture,
	})
}

func runFixture(ctx context.Context, io *IO, opts any, args []string) error {
	f := opts.(*fixtureFlags)
	if len(args) == 0 {
		return usageErrorf("fixture: want record or check")
	}
	o := fixture.Options{Target: f.target, LookupEnv: func(k string) (string, bool) {
		v := io.Getenv(k)
		return v, v != ""
	}}
	switch args[0] {
	case "record":
		return fixtureRecord(ctx, io, f, o, args[1:])
	case "check":
		if len(args) < 2 {
			return usageErrorf("fixture check: no fixture folder")
		}
		return fixtureCheck(ctx, io, f, o, args[1:])
	}
	return usageErrorf("fixture: unknown subcommand %q (want record or check)", args[0])
}

func fixtureRecord(ctx context.Context, io *IO, f *fixtureFlags, o fixture.Options, args []string) error {
	if f.scenario == "" {
		return usageErrorf("fixture record: --scenario FILE is required")
	}
	if len(args) < 2 {
		return usageErrorf("fixture record: want INPUT... DIR")
	}
	if f.passwordFrom != "" && f.passwordFrom != "scenario" {
		return usageErrorf("--password-from %q: the only source is scenario", f.passwordFrom)
	}
	ro := fixture.RecordOptions{Scenario: f.scenario, Inputs: args[:len(args)-1], SecretsFile: f.secretsFile, TZ: f.tz,
		PasswordFrom: f.passwordFrom, RedactSecrets: f.redact, Options: o}
	for _, v := range f.variants {
		name, kv, ok := strings.Cut(v, ":")
		if !ok || name == "" || !strings.Contains(kv, "=") {
			return usageErrorf("--variant %q: want NAME:key=value", v)
		}
		found := false
		for i := range ro.Variants {
			if ro.Variants[i].Name == name {
				ro.Variants[i].Sets = append(ro.Variants[i].Sets, kv)
				found = true
			}
		}
		if !found {
			ro.Variants = append(ro.Variants, fixture.Variant{Name: name, Sets: []string{kv}})
		}
	}
	dir := args[len(args)-1]
	x, err := fixture.Record(ctx, dir, ro)
	if err != nil {
		return err
	}
	for _, v := range x.Variants {
		counts := map[string]int{}
		for _, fl := range v.Flows {
			counts[string(fl.Status)]++
		}
		fmt.Fprintf(io.Out, "%s: %s: %d flows %v\n", dir, v.Name, len(v.Flows), counts)
	}
	return nil
}

func fixtureCheck(ctx context.Context, io *IO, f *fixtureFlags, o fixture.Options, dirs []string) error {
	failed := 0
	for _, dir := range dirs {
		if !isFixture(dir) {
			// testdata/fixtures/* also matches the generator's folder.
			if !f.quiet {
				fmt.Fprintf(io.Err, "radscope: %s: not a fixture (no %s or %s), skipped\n", dir, fixture.ScenarioFile, fixture.ExpectFile)
			}
			continue
		}
		if f.update {
			if err := fixture.Update(ctx, dir, o); err != nil {
				return err
			}
			if !f.quiet {
				fmt.Fprintf(io.Out, "%s: expect.json updated\n", dir)
			}
			continue
		}
		rs, err := fixture.Check(ctx, dir, o)
		if err != nil {
			return err
		}
		for _, r := range rs {
			if len(r.Diffs) == 0 {
				if !f.quiet {
					fmt.Fprintf(io.Out, "ok    %s [%s]\n", r.Dir, r.Variant)
				}
				continue
			}
			failed++
			fmt.Fprintf(io.Out, "FAIL  %s [%s]\n", r.Dir, r.Variant)
			for _, d := range r.Diffs {
				fmt.Fprintf(io.Out, "      %s\n", d)
			}
		}
	}
	if failed > 0 {
		return &FindingsError{Msg: fmt.Sprintf("fixture check: %d variants differ from expect.json", failed)}
	}
	return nil
}

// isFixture reports whether dir holds a scenario or an expectation.
func isFixture(dir string) bool {
	for _, n := range []string{fixture.ScenarioFile, fixture.ExpectFile} {
		if _, err := os.Stat(filepath.Join(dir, n)); err == nil {
			return true
		}
	}
	return false
}
