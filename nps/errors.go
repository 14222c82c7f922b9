package nps

import "errors"

var (
	// ErrServerClosed is returned by Serve, ListenAndServe and Handle after
	// Shutdown.
	ErrServerClosed = errors.New("nps: server closed")

	// errMalformed reports a packet whose attribute list overruns it; the
	// packet is dropped.
	errMalformed = errors.New("nps: malformed attribute list")
)

// Interface guards.
var (
	_ Logger = (*FileLogger)(nil)
	_ Logger = Loggers(nil)
)
