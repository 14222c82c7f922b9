package winevent

import "errors"

// Errors a caller can branch on; the *model.ParseError values the readers
// yield wrap them (or a syntax error of the underlying decoder).
var (
	// ErrUnknownFormat is returned by NewReader for a format this package
	// does not read.
	ErrUnknownFormat = errors.New("winevent: not a Windows event format")
	// ErrTruncated reports an event cut off by the end of the input.
	ErrTruncated = errors.New("winevent: event cut off at end of input")
	// ErrNoEvent reports a record with no usable event fields.
	ErrNoEvent = errors.New("winevent: no event in record")
)
