package npslog

import "errors"

// Errors a caller can branch on (errors.Is).
var (
	// ErrFormat is returned by Writer.Write for a format the Writer
	// cannot write (anything but IAS, ODBC and DTS).
	ErrFormat = errors.New("npslog: unsupported log format")
	// ErrEvent is returned by EventWriter.Write for an event it cannot
	// write (not Security 6272-6274 and not from the MFA extension).
	ErrEvent = errors.New("npslog: unsupported event")
)
