package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/pflag"
)

// ExitCode is the process exit status. The mapping from errors to codes is
// made here and nowhere else.
type ExitCode int

const (
	ExitOK          ExitCode = 0   // success
	ExitFindings    ExitCode = 1   // findings reported or a check failed (grep/diff meaning)
	ExitError       ExitCode = 2   // usage or input error, or --strict stopped at bad input
	ExitInterrupted ExitCode = 130 // interrupted (SIGINT)
)

// UsageError is a mistake on the command line: the usage is printed.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

func usageErrorf(format string, args ...any) error {
	return &UsageError{fmt.Errorf(format, args...)}
}

// FindingsError means the command ran and found something to report (exit 1).
type FindingsError struct{ Msg string }

func (e *FindingsError) Error() string { return e.Msg }

// silentError carries an exit code for a failure already reported.
type silentError struct{ code ExitCode }

func (e *silentError) Error() string { return fmt.Sprintf("exit %d", e.code) }

func exitCode(err error) ExitCode {
	var ue *UsageError
	var fe *FindingsError
	var se *silentError
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, pflag.ErrHelp):
		return ExitOK
	case errors.Is(err, context.Canceled):
		return ExitInterrupted
	case errors.As(err, &se):
		return se.code
	case errors.As(err, &fe):
		return ExitFindings
	case errors.As(err, &ue):
		return ExitError
	}
	return ExitError
}

const exitCodesHelp = `Exit codes

  0    success
  1    findings were reported, or a check (--check, fixture check) failed
  2    usage error, unreadable input, or --strict stopped at a bad record
  130  interrupted (Ctrl-C)

Bad records without --strict do not change the exit code: they are reported
on stderr, one line each, with a closing "skipped N records" summary.
POSIX only promises that errors are greater than 1, so scripts should test
for "> 1" rather than "== 2".
`
