package winevent

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/radscope/radscope/model"
)

// SniffCSV reports whether head (UTF-8) starts an Event Viewer "Save as
// CSV" export (header "Level,Date and Time,Source,Event ID,Task Category")
// or a PowerShell Export-Csv of Get-WinEvent records.
func SniffCSV(head []byte) bool {
	h := bytes.TrimLeft(head, " \t\r\n\ufeff")
	if bytes.HasPrefix(h, []byte("#TYPE")) {
		if i := bytes.IndexByte(h, '\n'); i >= 0 {
			h = h[i+1:]
		}
	}
	line := h
	if i := bytes.IndexByte(h, '\n'); i >= 0 {
		line = h[:i]
	}
	l := string(line)
	if strings.HasPrefix(l, "Level,Date and Time,Source,Event ID,Task Category") ||
		strings.HasPrefix(l, "Level\tDate and Time\tSource\tEvent ID\tTask Category") {
		return true
	}
	return strings.Contains(l, `"Id"`) && strings.Contains(l, `"TimeCreated"`) &&
		(strings.Contains(l, `"ProviderName"`) || strings.Contains(l, `"LogName"`))
}

type csvSource struct {
	cr     *csv.Reader
	file   string
	loc    *time.Location
	header []string
	col    map[string]int
	viewer bool // Event Viewer layout (positional)
	count  int64
}

// NewCSVReader reads an Event Viewer "Save as CSV" export (Level, Date and
// Time, Source, Event ID, Task Category and the message text as a sixth,
// unnamed column), the same as "Text (Tab delimited)", or a PowerShell
// Export-Csv of Get-WinEvent records (columns by name, optional #TYPE
// line). Times are in Options.Location. The NPS fields are read from the
// message text.
func NewCSVReader(r io.Reader, opts Options) *Reader {
	br := bufio.NewReaderSize(decodedReader(r), 64<<10)
	cr := csv.NewReader(br)
	if head, _ := br.Peek(len("Level\tDate")); string(head) == "Level\tDate" {
		cr.Comma = '\t'
	}
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = false
	return newReader(&csvSource{cr: cr, file: opts.File, loc: opts.loc()}, opts)
}

func (s *csvSource) src(line, col int) model.Source {
	return model.Source{Format: model.FormatCSV, File: s.file, Line: line, Col: col, Record: s.count}
}

func (s *csvSource) next() (*Event, model.Source, error) {
	for {
		rec, err := s.cr.Read()
		if err == io.EOF {
			return nil, model.Source{}, io.EOF
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				s.count++
				return nil, s.src(pe.StartLine, 0), &model.ParseError{Src: s.src(pe.Line, pe.Column), Err: fmt.Errorf("winevent: csv: %w", pe.Err)}
			}
			return nil, model.Source{}, fmt.Errorf("winevent: %w", err)
		}
		line, _ := s.cr.FieldPos(0)
		// PowerShell 5.1 writes a type line before the header.
		if len(rec) == 1 && strings.HasPrefix(rec[0], "#TYPE") {
			continue
		}
		if s.header == nil {
			s.setHeader(rec)
			if s.header == nil {
				return nil, s.src(line, 1), &model.ParseError{Src: s.src(line, 1), Err: fmt.Errorf("winevent: csv: unknown header %q", strings.Join(rec, ","))}
			}
			continue
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		s.count++
		src := s.src(line, 1)
		src.Offset = s.cr.InputOffset()
		e, field, err := s.event(rec)
		if err != nil {
			l, c := line, 1
			if field >= 0 && field < len(rec) {
				l, c = s.cr.FieldPos(field)
			}
			return e, src, &model.ParseError{Src: s.src(l, c), Field: s.fieldName(field), Err: err}
		}
		return e, src, nil
	}
}

func (s *csvSource) fieldName(i int) string {
	if i < 0 {
		return ""
	}
	if i < len(s.header) {
		return "column " + strconv.Itoa(i+1) + " (" + s.header[i] + ")"
	}
	return "column " + strconv.Itoa(i+1)
}

func (s *csvSource) setHeader(rec []string) {
	if len(rec) >= 5 && rec[0] == "Level" && rec[1] == "Date and Time" && rec[3] == "Event ID" {
		s.viewer = true
		s.header = append(rec[:5:5], "Message")
		return
	}
	s.col = map[string]int{}
	for i, h := range rec {
		s.col[strings.TrimSpace(h)] = i
	}
	if _, ok := s.col["Id"]; ok {
		s.header = rec
	}
}

func (s *csvSource) get(rec []string, name string) (string, int) {
	i, ok := s.col[name]
	if !ok || i >= len(rec) {
		return "", -1
	}
	return fixText(rec[i]), i
}

func (s *csvSource) event(rec []string) (*Event, int, error) {
	e := &Event{}
	if s.viewer {
		if len(rec) < 5 {
			return nil, -1, fmt.Errorf("winevent: csv: %d columns, want 6", len(rec))
		}
		e.LevelName = rec[0]
		e.Provider = rec[2]
		if len(rec) > 5 {
			e.Message = fixText(strings.Join(rec[5:], ","))
		}
		id, err := strconv.Atoi(strings.TrimSpace(rec[3]))
		if err != nil {
			return nil, 3, fmt.Errorf("winevent: csv: bad event ID %q", rec[3])
		}
		e.EventID = id
		e.Data = fieldsFromMessage(e.Provider, "", id, e.Message)
		t, ok := parseLocalTime(rec[1], s.loc)
		if !ok {
			return e, 1, fmt.Errorf("winevent: csv: bad time %q", rec[1])
		}
		e.TimeCreated = t
		return e, -1, nil
	}
	e.Message, _ = s.get(rec, "Message")
	e.Provider, _ = s.get(rec, "ProviderName")
	e.ProviderGUID, _ = s.get(rec, "ProviderId")
	e.Channel, _ = s.get(rec, "LogName")
	e.Computer, _ = s.get(rec, "MachineName")
	e.LevelName, _ = s.get(rec, "LevelDisplayName")
	e.UserID, _ = s.get(rec, "UserId")
	e.ActivityID, _ = s.get(rec, "ActivityId")
	e.Keywords, _ = s.get(rec, "Keywords")
	idText, idCol := s.get(rec, "Id")
	id, err := strconv.Atoi(strings.TrimSpace(idText))
	if err != nil {
		return nil, idCol, fmt.Errorf("winevent: csv: bad event ID %q", idText)
	}
	e.EventID = id
	num := func(name string) int {
		v, _ := s.get(rec, name)
		n, _ := strconv.Atoi(strings.TrimSpace(v))
		return n
	}
	e.Version, e.Level, e.Task, e.Opcode = num("Version"), num("Level"), num("Task"), num("Opcode")
	e.Qualifiers, e.ProcessID, e.ThreadID = num("Qualifiers"), num("ProcessId"), num("ThreadId")
	if v, _ := s.get(rec, "RecordId"); v != "" {
		e.RecordID, _ = strconv.ParseUint(strings.TrimSpace(v), 10, 64)
	}
	e.Data = fieldsFromMessage(e.Provider, e.Channel, id, e.Message)
	tv, tc := s.get(rec, "TimeCreated")
	t, ok := parseLocalTime(tv, s.loc)
	if !ok {
		return e, tc, fmt.Errorf("winevent: csv: bad time %q", tv)
	}
	e.TimeCreated = t
	return e, -1, nil
}
