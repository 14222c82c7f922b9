package model

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Format names an input format. The values are the words radscope prints and
// accepts on the command line.
type Format string

const (
	FormatIAS     Format = "ias"    // NPS "IAS (Legacy)" attribute/value lines
	FormatODBC    Format = "odbc"   // NPS "ODBC (Legacy)" / database-compatible CSV
	FormatDTS     Format = "dts"    // NPS "DTS Compliant" XML, one <Event> per line
	FormatPcap    Format = "pcap"   // libpcap capture
	FormatPcapNG  Format = "pcapng" // pcapng capture
	FormatEVTX    Format = "evtx"   // Windows binary event log
	FormatXML     Format = "xml"    // Windows events exported as XML
	FormatCSV     Format = "csv"    // Windows events exported as CSV
	FormatJSON    Format = "json"   // Windows events exported as JSON / NDJSON
	FormatText    Format = "text"   // Windows events as wevtutil /f:text or Format-List
	FormatUnknown Format = ""
)

// Source says where a message (or an error) came from. Fields that do not
// apply to the format are zero: Line and Col for text formats, Frame for
// captures, Record (and Chunk) for event logs. Offset is the byte offset of
// the start of the record in the decoded input.
type Source struct {
	Format Format
	File   string // path as given, "-" for stdin
	Line   int    // 1-based line
	Col    int    // 1-based column (in bytes), 0 when unknown
	Offset int64  // byte offset of the record
	Frame  int64  // 1-based frame number in a capture
	Record int64  // record number (EVTX record ID, or ordinal)
}

// String renders the position the way go/token does: file:line:col, or
// file: frame N / file: record N / file: offset N when there are no lines.
func (s Source) String() string { return string(s.AppendTo(nil)) }

// AppendTo appends String's text to b.
func (s Source) AppendTo(b []byte) []byte {
	f := s.File
	if f == "" {
		f = "-"
	}
	b = append(b, f...)
	switch {
	case s.Line > 0:
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(s.Line), 10)
		if s.Col > 0 {
			b = append(b, ':')
			b = strconv.AppendInt(b, int64(s.Col), 10)
		}
	case s.Frame > 0:
		b = append(b, ": frame "...)
		b = strconv.AppendInt(b, s.Frame, 10)
	case s.Record > 0:
		b = append(b, ": record "...)
		b = strconv.AppendInt(b, s.Record, 10)
	case s.Offset > 0:
		b = append(b, ": offset "...)
		b = strconv.AppendInt(b, s.Offset, 10)
	}
	return b
}

// ParseError reports one bad record (or frame, or chunk). Readers yield it
// and go on with the next record; see package parse for the stream contract.
type ParseError struct {
	Src   Source
	Field string // "field 26 (Reason-Code)", "attribute 4142", "" when the whole record is bad
	Err   error
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString(e.Src.String())
	b.WriteString(": ")
	if e.Src.Format != "" {
		b.WriteString(string(e.Src.Format))
		b.WriteString(": ")
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	} else {
		b.WriteString("invalid record")
	}
	return b.String()
}

func (e *ParseError) Unwrap() error { return e.Err }

// IsParseError reports whether err is (or wraps) a *ParseError: one bad
// record after which reading goes on.
func IsParseError(err error) bool {
	var pe *ParseError
	return errors.As(err, &pe)
}

// Errorf builds a *ParseError at src.
func Errorf(src Source, field string, format string, args ...any) *ParseError {
	return &ParseError{Src: src, Field: field, Err: fmt.Errorf(format, args...)}
}
