package main

import (
	"io"
	"os"

	"golang.org/x/term"
)

// IO is what a command may touch of the outside world.
type IO struct {
	In      io.Reader
	Out     io.Writer
	Err     io.Writer
	OutTTY  bool // stdout is a terminal
	ErrTTY  bool
	InTTY   bool
	Width   int
	Getenv  func(string) string
	NoColor bool // NO_COLOR, CLICOLOR=0 or TERM=dumb
}

func systemIO() *IO {
	io := &IO{
		In: os.Stdin, Out: os.Stdout, Err: os.Stderr,
		OutTTY: term.IsTerminal(int(os.Stdout.Fd())),
		ErrTTY: term.IsTerminal(int(os.Stderr.Fd())),
		InTTY:  term.IsTerminal(int(os.Stdin.Fd())),
		Getenv: os.Getenv,
		Width:  120,
	}
	if io.OutTTY {
		if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil && w > 0 {
			io.Width = w
		}
	}
	io.NoColor = noColorEnv(io.Getenv)
	return io
}

// noColorEnv applies the no-color.org and CLICOLOR conventions.
func noColorEnv(getenv func(string) string) bool {
	if getenv("CLICOLOR_FORCE") != "" && getenv("CLICOLOR_FORCE") != "0" {
		return false
	}
	return getenv("NO_COLOR") != "" || getenv("CLICOLOR") == "0" || getenv("TERM") == "dumb"
}
