package main

import (
	"testing"

	"github.com/spf13/pflag"
)

// TestCommandFlags builds every command's flag set: two flags of one name
// (a shared input flag and a command's own) panic in pflag, and would take
// the whole binary down at the command's first use.
func TestCommandFlags(t *testing.T) {
	if len(commands) < 8 {
		t.Fatalf("only %d commands registered", len(commands))
	}
	for _, c := range commands {
		t.Run(c.Name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("flags of %s: %v", c.Name, r)
				}
			}()
			if c.Flags != nil {
				c.Flags(pflag.NewFlagSet(c.Name, pflag.ContinueOnError))
			}
			if c.Short == "" || c.UsageLine == "" {
				t.Errorf("%s has no usage line or summary", c.Name)
			}
		})
	}
}
