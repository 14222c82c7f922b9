// Command radscope reads Microsoft NPS logs, Windows event exports and
// RADIUS captures, explains failed sign-ins and replays them. This package
// is only the command table, flags and wiring; the work is done below it.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // --tz works on Windows jump hosts with no zoneinfo
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], systemIO())
	stop()
	os.Exit(int(code))
}
