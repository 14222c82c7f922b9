package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/radscope/radscope/tui"
	"github.com/spf13/pflag"
)

type tuiFlags struct {
	flowFlags
	scenario string
	sets     []string
	readonly bool
	theme    string
	keys     string
	noColor  bool
}

func init() {
	register(&Command{
		Name:      "tui",
		UsageLine: "tui [flags] PATH...",
		Short:     "explore flows interactively; replay one against the emulator from the screen",
		Long: `Opens the same inputs as flows in a terminal interface: the flow list
(sort with < > S, mark with space), the detail of a flow (enter: timeline of
every message from every source, attribute tree with raw hex for captured
packets, findings, clock offsets), the summary (s) with bar charts and latency
histograms, the parse errors (e) and :goto FILE:LINE to jump to a source
position. / filters with the language of radscope help flows; ? lists the keys.

r replays the flow under the cursor (or the marked flows) against the
embedded emulator of --scenario (without it, of a scenario inferred from
the flows, whose secrets and passwords are CHANGE-ME) and shows the
comparison; o in the replay
pane toggles a --set override (or one added with :set KEY=VALUE) and runs
it again. --readonly turns replay off.

y copies the value under the cursor and Y the flow as JSON, through OSC 52
(works over SSH where the terminal allows it). ctrl+s saves the marked (else
the filtered) flows: .ndjson, .json, .csv, or .pcap for the captured packets;
a FOLDER/ (or :fixture FOLDER) saves the marked flows, else the one under the
cursor, as a replay fixture (needs --scenario; secrets redacted).
% turns mouse capture on and off.

Keys can be remapped in a YAML file (--keys, default
$XDG_CONFIG_HOME/radscope/keys.yaml): docs/keybindings.md lists the actions.
:columns time,user,nas,outcome,reason chooses the list's columns and saves
them in the same file (columns: [...]).
When stdout is not a terminal, tui prints the flows table instead.`,
		Flags: func(fs *pflag.FlagSet) any {
			f := &tuiFlags{}
			f.in.add(fs)
			fs.StringVar(&f.filter, "filter", "", "start with this `FILTER` (the language of radscope help flows; / changes it)")
			fs.DurationVar(&f.tolerance, "tolerance", 0, "how far apart two sources may put one step after clock correction (default 2s)")
			fs.DurationVar(&f.maxSkew, "max-skew", 0, "widest clock offset between sources looked for (default 30s)")
			fs.BoolVar(&f.whole, "whole-sessions", false, wholeSessionsUsage)
			fs.StringVar(&f.scenario, "scenario", "", "scenario `FILE` of the emulator that r replays against")
			fs.StringArrayVar(&f.sets, "set", nil, "scenario override the replay pane can toggle: `key=value` (repeatable), e.g. clients.rdgw.timeout=60s")
			fs.BoolVar(&f.readonly, "readonly", false, "no replay")
			fs.StringVar(&f.theme, "theme", "auto", "colour `THEME`: auto, dark or light")
			fs.StringVar(&f.keys, "keys", "", "keys config `FILE` (YAML: action: key or [keys])")
			fs.BoolVar(&f.noColor, "no-color", false, "no colour (as NO_COLOR); the cursor stays in reverse video")
			return f
		},
		Run: runTUI,
	})
}

// config loads --keys, else the default keys file when it exists. It also
// returns the path :columns saves the list's columns in: --keys, else the
// default path (created on the first save); "" when there is no home.
func (f *tuiFlags) config(io *IO) (*tui.Config, string, error) {
	path := f.keys
	if path == "" {
		dir := io.Getenv("XDG_CONFIG_HOME")
		if dir == "" {
			if home := io.Getenv("HOME"); home != "" {
				dir = filepath.Join(home, ".config")
			}
		}
		if dir == "" {
			return &tui.Config{Keys: tui.DefaultKeyMap()}, "", nil
		}
		p := filepath.Join(dir, "radscope", "keys.yaml")
		if _, err := os.Stat(p); err != nil {
			return &tui.Config{Keys: tui.DefaultKeyMap()}, p, nil
		}
		path = p
	}
	c, err := tui.LoadConfig(path)
	if err != nil {
		return nil, "", usageErrorf("--keys: %v", err)
	}
	return c, path, nil
}

func runTUI(ctx context.Context, io *IO, opts any, args []string) error {
	f := opts.(*tuiFlags)
	if !validTheme(f.theme) {
		return usageErrorf("--theme %q: want %s", f.theme, strings.Join(tui.Themes, ", "))
	}
	cfg, cfgPath, err := f.config(io)
	if err != nil {
		return err
	}
	if !io.OutTTY || !io.InTTY {
		if !f.in.quiet {
			fmt.Fprintln(io.Err, "radscope: tui needs a terminal on stdin and stdout; printing the flows table instead (radscope flows has the formats)")
		}
		ff := &flowsFlags{flowFlags: f.flowFlags, format: "table", color: "never"}
		return runFlows(ctx, io, ff, args)
	}
	run, err := f.prepare(io, args)
	if err != nil {
		return err
	}
	for _, p := range run.paths {
		if p == "-" {
			return usageErrorf("tui reads its keys from the terminal: give files, not - for stdin")
		}
	}
	var rp tui.Replayer
	if f.scenario != "" {
		if _, err := tui.LoadScenario(f.scenario, f.sets); err != nil {
			return &UsageError{err}
		}
		rp = &tui.ScenarioReplayer{Path: f.scenario, Parse: run.o, PasswordFromScenario: true}
	} else {
		rp = &tui.InferredReplayer{Parse: run.o}
	}
	tui.TuneGC()
	src := tui.Open(run.paths, run.o, f.flowOptions())
	err = tui.Run(ctx, io.In, io.Out, tui.Options{
		Source:   src,
		Location: run.o.Location,
		Keys:     cfg.Keys,
		Theme:    f.theme,
		NoColor:  f.noColor || io.NoColor,
		Filter:   f.filter,
		Replayer: rp,
		ReadOnly: f.readonly,
		Sets:     f.sets,
		Title:    strings.Join(run.paths, " "),

		Columns:      cfg.Columns,
		ConfigPath:   cfgPath,
		Parse:        run.o,
		SecretsFiles: f.in.secretsFile,
		Secrets:      f.in.secrets,
	})
	if errors.Is(err, context.Canceled) {
		return err
	}
	return err
}

func validTheme(t string) bool {
	for _, v := range tui.Themes {
		if v == t {
			return true
		}
	}
	return false
}
