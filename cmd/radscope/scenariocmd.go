package main

import (
	"context"
	"fmt"

	"github.com/radscope/radscope/scenario"
)

func init() {
	register(&Command{
		Name:      "scenario",
		UsageLine: "scenario check FILE... | scenario example | scenario infer [flags] PATH...",
		Short:     "check scenario files, or print a commented example",
		Long: `scenario check validates each file: every problem is printed as
file:line:column: field: message, and the exit code is 2 when any is found.
scenario example prints a commented scenario that serves 127.0.0.1:1812 with
secret testing123; every field is documented in docs/scenario.md.
scenario infer drafts a scenario from captures, NPS logs and events (the
input flags of flows apply): the NPS server, one client per NAS with the
timeout its retransmits show, users with what MFA said for them, the
policies by name. Secrets and passwords are written as CHANGE-ME.`,
		Run: func(ctx context.Context, io *IO, _ any, args []string) error {
			if len(args) == 0 {
				return usageErrorf("scenario: want check FILE... or example")
			}
			switch args[0] {
			case "infer":
				return runInfer(ctx, io, args[1:])
			case "example":
				fmt.Fprint(io.Out, scenario.Example())
				return nil
			case "check":
				if len(args) < 2 {
					return usageErrorf("scenario check: no file")
				}
				bad := 0
				for _, f := range args[1:] {
					if _, err := scenario.Load(f); err != nil {
						fmt.Fprintln(io.Err, err)
						bad++
						continue
					}
					fmt.Fprintf(io.Out, "%s: ok\n", f)
				}
				if bad > 0 {
					return &silentError{code: ExitError}
				}
				return nil
			}
			return usageErrorf("scenario: unknown subcommand %q (want check, example or infer)", args[0])
		},
	})
}
