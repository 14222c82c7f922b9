// Command radscope reads Microsoft NPS logs, Windows event exports and
// RADIUS captures, explains failed sign-ins and replays them. This package
// is only the command table, flags and wiring; the work is done below it.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	_ "time/tzdata" // --tz works on Windows jump hosts with no zoneinfo
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// RADSCOPE_CPUPROFILE=file writes a CPU profile, for the benchmarks in
	// bench/ and for users who report a slow run.
	if p := os.Getenv("RADSCOPE_CPUPROFILE"); p != "" {
		if f, err := os.Create(p); err == nil {
			pprof.StartCPUProfile(f)
			defer f.Close()
		}
	}
	code := run(ctx, os.Args[1:], systemIO())
	pprof.StopCPUProfile()
	stop()
	os.Exit(int(code))
}
