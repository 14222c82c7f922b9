package parse

import (
	"io"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/parse/dts"
	"github.com/radscope/radscope/parse/ias"
	"github.com/radscope/radscope/parse/internal/record"
	"github.com/radscope/radscope/parse/odbc"
)

// npsLine decodes NPS text log lines of any of the three formats, choosing
// the format per line: NPS keeps writing to the same file when an admin
// changes the log format, so one file can switch midway.
type npsLine struct {
	odbc *odbc.Parser
	ias  *ias.Parser
	dts  *dts.Parser
	last record.LineParser
}

func newNPSLine(o Options, file string) *npsLine {
	return &npsLine{
		odbc: odbc.NewParser(odbc.Options{File: file, Dict: o.Dict, Location: o.Location}),
		ias:  ias.NewParser(ias.Options{File: file, Dict: o.Dict, Location: o.Location}),
		dts:  dts.NewParser(dts.Options{File: file, Dict: o.Dict, Location: o.Location}),
	}
}

// LineFormat tells which NPS format a log line is written in: a line that
// starts with <Event> is DTS, one that starts with a quote is ODBC, anything
// else is IAS.
func LineFormat(line string) model.Format {
	i := 0
	for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	if i < len(line) {
		switch line[i] {
		case '<':
			return model.FormatDTS
		case '"':
			return model.FormatODBC
		}
	}
	return model.FormatIAS
}

func (p *npsLine) Parse(line string, src model.Source) (model.Message, error) {
	switch LineFormat(line) {
	case model.FormatDTS:
		p.last = p.dts
	case model.FormatODBC:
		p.last = p.odbc
	default:
		p.last = p.ias
	}
	return p.last.Parse(line, src)
}

func (p *npsLine) Complete() bool { return p.last != nil && p.last.Complete() }

// sniffNPS reports whether the first line of head is an NPS log record, and
// in which format.
func sniffNPS(head []byte) (model.Format, bool) {
	switch {
	case dts.Sniff(head):
		return model.FormatDTS, true
	case odbc.Sniff(head):
		return model.FormatODBC, true
	case ias.Sniff(head):
		return model.FormatIAS, true
	}
	return "", false
}

func openNPS(r io.Reader, f model.Format, file string, o Options) reader {
	return record.NewReader(r, newNPSLine(o, file), f, file)
}
