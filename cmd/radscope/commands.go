package main

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/spf13/pflag"
)

// Command is one subcommand.
type Command struct {
	Name      string
	UsageLine string // "parse [flags] PATH..."
	Short     string
	Long      string
	Flags     func(fs *pflag.FlagSet) any // declares flags, returns the options struct they fill
	Run       func(ctx context.Context, io *IO, opts any, args []string) error
}

var commands []*Command

func register(c *Command) { commands = append(commands, c) }

func findCommand(name string) *Command {
	for _, c := range commands {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// version is set with -ldflags "-X main.version=v1.2.3"; otherwise build
// information fills it.
var version = ""

func init() {
	register(&Command{
		Name: "version", UsageLine: "version", Short: "print the version, Go version and VCS revision",
		Run: func(ctx context.Context, io *IO, _ any, args []string) error {
			fmt.Fprintln(io.Out, versionString())
			return nil
		},
	})
	register(&Command{
		Name: "help", UsageLine: "help [COMMAND | exit-codes]", Short: "show help for a command or topic",
		Run: func(ctx context.Context, io *IO, _ any, args []string) error {
			if len(args) == 0 {
				printUsage(io)
				return nil
			}
			if args[0] == "exit-codes" {
				fmt.Fprint(io.Out, exitCodesHelp)
				return nil
			}
			c := findCommand(args[0])
			if c == nil {
				return usageErrorf("help: unknown command or topic %q", args[0])
			}
			printCommandHelp(io, c)
			return nil
		},
	})
}

func versionString() string {
	v, rev, goV, dirty := version, "", "", false
	if bi, ok := debug.ReadBuildInfo(); ok {
		goV = bi.GoVersion
		if v == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	if v == "" {
		v = "devel"
	}
	out := "radscope " + v
	if goV != "" {
		out += " " + goV
	}
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		out += " " + rev
		if dirty {
			out += "-dirty"
		}
	}
	return out
}

func printUsage(io *IO) {
	fmt.Fprintln(io.Out, "radscope — read NPS logs, event exports and RADIUS captures; explain and replay sign-ins")
	fmt.Fprintln(io.Out)
	fmt.Fprintln(io.Out, "Usage: radscope COMMAND [flags] [PATH...]")
	fmt.Fprintln(io.Out)
	fmt.Fprintln(io.Out, "Commands:")
	cs := append([]*Command(nil), commands...)
	sort.Slice(cs, func(i, j int) bool { return cs[i].Name < cs[j].Name })
	for _, c := range cs {
		fmt.Fprintf(io.Out, "  %-10s %s\n", c.Name, c.Short)
	}
	fmt.Fprintln(io.Out)
	fmt.Fprintln(io.Out, `Run "radscope help COMMAND" for a command's flags, "radscope help exit-codes" for exit codes.`)
}

func printCommandHelp(io *IO, c *Command) {
	fmt.Fprintf(io.Out, "Usage: radscope %s\n\n%s\n", c.UsageLine, c.Short)
	if c.Long != "" {
		fmt.Fprintf(io.Out, "\n%s\n", strings.TrimSpace(c.Long))
	}
	if c.Flags != nil {
		fs := pflag.NewFlagSet(c.Name, pflag.ContinueOnError)
		c.Flags(fs)
		fmt.Fprintf(io.Out, "\nFlags:\n%s", fs.FlagUsages())
	}
}

// run parses the command line and runs a command. It is main without the
// process: tests call it directly.
func run(ctx context.Context, args []string, io *IO) ExitCode {
	if len(args) == 0 {
		printUsage(io)
		return ExitError
	}
	name := args[0]
	switch name {
	case "-h", "--help":
		printUsage(io)
		return ExitOK
	case "-V", "--version":
		name = "version"
	}
	c := findCommand(name)
	if c == nil {
		fmt.Fprintf(io.Err, "radscope: unknown command %q\n", name)
		printUsage(io)
		return ExitError
	}
	var opts any
	rest := args[1:]
	if c.Flags != nil {
		fs := pflag.NewFlagSet(c.Name, pflag.ContinueOnError)
		fs.SetOutput(io.Err)
		fs.SortFlags = false
		opts = c.Flags(fs)
		fs.Usage = func() {}
		if err := fs.Parse(joinOptionalValues(fs, rest)); err != nil {
			if errors.Is(err, pflag.ErrHelp) {
				printCommandHelp(io, c)
				return ExitOK
			}
			fmt.Fprintf(io.Err, "radscope %s: %v\nUsage: radscope %s (see radscope help %s)\n", c.Name, err, c.UsageLine, c.Name)
			return ExitError
		}
		rest = fs.Args()
	}
	err := c.Run(ctx, io, opts, rest)
	code := exitCode(err)
	if err != nil && code != ExitOK && code != ExitInterrupted {
		var se *silentError
		if !errors.As(err, &se) {
			fmt.Fprintf(io.Err, "radscope %s: %v\n", c.Name, err)
		}
		var ue *UsageError
		if errors.As(err, &ue) {
			fmt.Fprintf(io.Err, "Usage: radscope %s\n", c.UsageLine)
		}
	}
	// Interrupted work exits 130; a command that treats the signal as its
	// normal stop (serve) returns nil and exits 0.
	if ctx.Err() != nil && err != nil {
		return ExitInterrupted
	}
	return code
}

// joinOptionalValues lets "--fields a,b" work as "--fields=a,b" for flags
// whose value is optional (pflag would read the flag as given without a
// value and a,b as a path): the next argument is joined to the flag when
// it is not a flag itself and no file of that name exists.
func joinOptionalValues(fs *pflag.FlagSet, args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(out, args[i:]...)
		}
		if strings.HasPrefix(a, "--") && !strings.Contains(a, "=") && i+1 < len(args) {
			f := fs.Lookup(a[2:])
			// bool and count flags have a NoOptDefVal too, but take no value
			if f != nil && f.NoOptDefVal != "" && f.Value.Type() != "bool" && f.Value.Type() != "count" &&
				!strings.HasPrefix(args[i+1], "-") && looksLikeValue(args[i+1]) {
				out = append(out, a+"="+args[i+1])
				i++
				continue
			}
		}
		out = append(out, a)
	}
	return out
}
