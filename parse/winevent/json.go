package winevent

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/parse/winevent/evtx"
)

// SniffJSON reports whether head (UTF-8) starts a JSON export of events:
// Get-WinEvent | ConvertTo-Json (an array or one object with Id and
// ProviderName) or NDJSON from a log shipper (winlog.event_id).
func SniffJSON(head []byte) bool {
	h := bytes.TrimLeft(head, " \t\r\n\ufeff")
	if len(h) == 0 || (h[0] != '[' && h[0] != '{') {
		return false
	}
	return (bytes.Contains(h, []byte(`"Id"`)) && (bytes.Contains(h, []byte(`"ProviderName"`)) || bytes.Contains(h, []byte(`"LogName"`)))) ||
		bytes.Contains(h, []byte(`"winlog"`)) || bytes.Contains(h, []byte(`"event_id"`))
}

type jsonSource struct {
	file  string
	br    *bufio.Reader
	mode  int // 0 undecided, 1 array/stream decoder, 2 lines
	dec   *json.Decoder
	lines *lineIndex
	line  int
	base  int64 // bytes consumed before the decoder started
	count int64
	done  bool
}

const (
	jsonDecoder = 1
	jsonLines   = 2
)

// NewJSONReader reads Get-WinEvent | ConvertTo-Json output (an array of
// EventLogRecord objects, or a single one; /Date(ms)/ or ISO times; the
// Properties array named by the event's template) and NDJSON from log
// shippers (Winlogbeat/ECS: @timestamp, message, winlog.event_data /
// user_data). A bad NDJSON line is reported and skipped; a syntax error in
// an array ends the input after being reported.
func NewJSONReader(r io.Reader, opts Options) *Reader {
	li := &lineIndex{r: decodedReader(r)}
	return newReader(&jsonSource{file: opts.File, br: bufio.NewReaderSize(li, 64<<10), lines: li}, opts)
}

// lineIndex records where lines start, to turn decoder offsets into lines.
type lineIndex struct {
	r   io.Reader
	off int64
	nl  []int64 // offsets of '\n'
}

func (l *lineIndex) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for i := 0; i < n; i++ {
		if p[i] == '\n' {
			l.nl = append(l.nl, l.off+int64(i))
		}
	}
	l.off += int64(n)
	return n, err
}

// pos returns the 1-based line and column of offset off.
func (l *lineIndex) pos(off int64) (int, int) {
	i := sort.Search(len(l.nl), func(i int) bool { return l.nl[i] >= off })
	start := int64(0)
	if i > 0 {
		start = l.nl[i-1] + 1
	}
	return i + 1, int(off-start) + 1
}

func (s *jsonSource) src(line, col int, off int64) model.Source {
	return model.Source{Format: model.FormatJSON, File: s.file, Line: line, Col: col, Offset: off, Record: s.count}
}

func (s *jsonSource) next() (*Event, model.Source, error) {
	if s.done {
		return nil, model.Source{}, io.EOF
	}
	if s.mode == 0 {
		if err := s.choose(); err != nil {
			return nil, model.Source{}, err
		}
	}
	if s.mode == jsonLines {
		return s.nextLine()
	}
	return s.nextValue()
}

// choose tells NDJSON (a whole object on the first line) from a JSON
// document (an array, or objects spread over lines).
func (s *jsonSource) choose() error {
	for {
		b, err := s.br.Peek(1)
		if err != nil {
			s.done = true
			if err == io.EOF {
				return io.EOF
			}
			return fmt.Errorf("winevent: %w", err)
		}
		if b[0] == ' ' || b[0] == '\t' || b[0] == '\r' || b[0] == '\n' {
			s.br.ReadByte()
			s.base++
			if b[0] == '\n' {
				s.line++
			}
			continue
		}
		break
	}
	s.mode = jsonDecoder
	if first, _ := s.br.Peek(s.br.Buffered()); len(first) > 0 && first[0] == '{' {
		if i := bytes.IndexByte(first, '\n'); i > 0 && json.Valid(bytes.TrimSpace(first[:i])) {
			s.mode = jsonLines
			return nil
		}
	}
	s.dec = json.NewDecoder(s.br)
	s.dec.UseNumber()
	if first, _ := s.br.Peek(1); first[0] == '[' {
		if _, err := s.dec.Token(); err != nil {
			return fmt.Errorf("winevent: json: %w", err)
		}
	}
	return nil
}

func (s *jsonSource) nextLine() (*Event, model.Source, error) {
	for {
		raw, err := s.br.ReadBytes('\n')
		if len(raw) == 0 && err != nil {
			s.done = true
			if err == io.EOF {
				return nil, model.Source{}, io.EOF
			}
			return nil, model.Source{}, fmt.Errorf("winevent: %w", err)
		}
		s.line++
		t := bytes.TrimSpace(raw)
		if len(t) == 0 {
			continue
		}
		s.count++
		src := s.src(s.line, 1, s.lines.off-int64(s.br.Buffered())-int64(len(raw)))
		e, perr := s.object(t)
		if perr != nil {
			return e, src, &model.ParseError{Src: src, Err: perr}
		}
		return e, src, nil
	}
}

func (s *jsonSource) nextValue() (*Event, model.Source, error) {
	if !s.dec.More() {
		s.done = true
		return nil, model.Source{}, io.EOF
	}
	var raw json.RawMessage
	err := s.dec.Decode(&raw)
	s.count++
	start := s.base + s.dec.InputOffset() - int64(len(raw))
	line, col := s.lines.pos(start)
	src := s.src(line, col, start)
	if err != nil {
		s.done = true
		var se *json.SyntaxError
		if errors.As(err, &se) {
			l, c := s.lines.pos(s.base + se.Offset)
			src2 := src
			src2.Line, src2.Col = l, c
			return nil, src, &model.ParseError{Src: src2, Err: fmt.Errorf("winevent: json: %w", err)}
		}
		if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, src, &model.ParseError{Src: src, Err: ErrTruncated}
		}
		return nil, src, fmt.Errorf("winevent: json: %w", err)
	}
	e, perr := s.object(raw)
	if perr != nil {
		return e, src, &model.ParseError{Src: src, Err: perr}
	}
	return e, src, nil
}

// object maps one JSON object of either shape.
func (s *jsonSource) object(raw []byte) (*Event, error) {
	var obj map[string]json.RawMessage
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(&obj); err != nil {
		return nil, fmt.Errorf("winevent: json: %w", err)
	}
	if w, ok := obj["winlog"]; ok {
		return ecsEvent(obj, w)
	}
	if _, ok := obj["Id"]; ok {
		return psEvent(obj)
	}
	return nil, fmt.Errorf("%w: neither a Get-WinEvent object nor winlog fields", ErrNoEvent)
}

// str renders a JSON value as text: strings unquoted, numbers as written,
// objects with a Value (SIDs) as that value, null as "".
func str(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
	case '{':
		var o map[string]json.RawMessage
		if json.Unmarshal(raw, &o) == nil {
			if v, ok := o["Value"]; ok {
				return str(v)
			}
		}
	case '[':
		var a []json.RawMessage
		if json.Unmarshal(raw, &a) == nil {
			parts := make([]string, len(a))
			for i, x := range a {
				parts[i] = str(x)
			}
			return strings.Join(parts, ", ")
		}
	}
	return string(raw)
}

func num(raw json.RawMessage) int {
	n, _ := strconv.Atoi(strings.TrimSpace(str(raw)))
	return n
}

func psEvent(o map[string]json.RawMessage) (*Event, error) {
	e := &Event{}
	e.EventID = num(o["Id"])
	e.Version, e.Level, e.Task, e.Opcode = num(o["Version"]), num(o["Level"]), num(o["Task"]), num(o["Opcode"])
	e.Qualifiers, e.ProcessID, e.ThreadID = num(o["Qualifiers"]), num(o["ProcessId"]), num(o["ThreadId"])
	e.RecordID, _ = strconv.ParseUint(str(o["RecordId"]), 10, 64)
	e.Provider, e.ProviderGUID = str(o["ProviderName"]), str(o["ProviderId"])
	e.Channel, e.Computer, e.UserID = str(o["LogName"]), str(o["MachineName"]), str(o["UserId"])
	e.ActivityID = str(o["ActivityId"])
	e.Message, e.LevelName = str(o["Message"]), str(o["LevelDisplayName"])
	if k := str(o["Keywords"]); k != "" {
		if n, err := strconv.ParseInt(k, 10, 64); err == nil {
			e.Keywords = "0x" + strconv.FormatUint(uint64(n), 16)
		}
	}
	tc := str(o["TimeCreated"])
	t, ok := parseMSDate(tc)
	if !ok {
		t, ok = evtx.ParseTime(tc)
	}
	if !ok {
		return e, fmt.Errorf("winevent: json: TimeCreated %q", tc)
	}
	e.TimeCreated = t
	var props []json.RawMessage
	if p, ok := o["Properties"]; ok {
		_ = json.Unmarshal(p, &props)
	}
	names := FieldNames(e.EventID, e.Version)
	if names != nil && len(names) != len(props) {
		names = nil // not the template we know: fall back to the text
	}
	for i, p := range props {
		name := "Data" + strconv.Itoa(i+1)
		if names != nil {
			name = names[i]
		}
		e.Data = append(e.Data, evtx.Field{Name: name, Value: str(p)})
	}
	if names == nil {
		if f := fieldsFromMessage(e.Provider, e.Channel, e.EventID, e.Message); len(f) > 0 {
			e.Data = f
		}
	}
	return e, nil
}

// ecsEvent maps a Winlogbeat / Elastic Common Schema document.
func ecsEvent(o map[string]json.RawMessage, wraw json.RawMessage) (*Event, error) {
	var w map[string]json.RawMessage
	if err := json.Unmarshal(wraw, &w); err != nil {
		return nil, fmt.Errorf("winevent: json: winlog: %w", err)
	}
	e := &Event{}
	e.EventID = num(w["event_id"])
	if e.EventID == 0 {
		var ev map[string]json.RawMessage
		_ = json.Unmarshal(o["event"], &ev)
		e.EventID = num(ev["code"])
	}
	e.Provider, e.ProviderGUID = str(w["provider_name"]), str(w["provider_guid"])
	e.Channel, e.Computer = str(w["channel"]), str(w["computer_name"])
	e.RecordID, _ = strconv.ParseUint(str(w["record_id"]), 10, 64)
	e.Version = num(w["version"])
	e.Message = str(o["message"])
	if lg, ok := o["log"]; ok {
		var l map[string]json.RawMessage
		if json.Unmarshal(lg, &l) == nil {
			e.LevelName = str(l["level"])
			if e.LevelName != "" {
				e.LevelName = strings.ToUpper(e.LevelName[:1]) + e.LevelName[1:]
			}
		}
	}
	if p, ok := w["process"]; ok {
		var pr struct {
			PID    json.Number `json:"pid"`
			Thread struct {
				ID json.Number `json:"id"`
			} `json:"thread"`
		}
		if json.Unmarshal(p, &pr) == nil {
			n, _ := pr.PID.Int64()
			t, _ := pr.Thread.ID.Int64()
			e.ProcessID, e.ThreadID = int(n), int(t)
		}
	}
	ts := str(o["@timestamp"])
	t, ok := evtx.ParseTime(ts)
	if !ok {
		return e, fmt.Errorf("winevent: json: @timestamp %q", ts)
	}
	e.TimeCreated = t
	if d, ok := w["event_data"]; ok {
		fields, err := orderedFields(d, "")
		if err != nil {
			return e, fmt.Errorf("winevent: json: event_data: %w", err)
		}
		e.Data = fields
	}
	if d, ok := w["user_data"]; ok {
		fields, err := orderedFields(d, "")
		if err != nil {
			return e, fmt.Errorf("winevent: json: user_data: %w", err)
		}
		e.UserData = fields
	}
	if len(e.Data) == 0 && len(e.UserData) == 0 && e.Message != "" {
		e.Data = fieldsFromMessage(e.Provider, e.Channel, e.EventID, e.Message)
	}
	return e, nil
}

// orderedFields reads a JSON object keeping the order of its keys; nested
// objects are flattened to path=value (as UserData is).
func orderedFields(raw json.RawMessage, prefix string) ([]evtx.Field, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	tok, err := d.Token()
	if err != nil {
		return nil, err
	}
	if tok != json.Delim('{') {
		return nil, fmt.Errorf("not an object")
	}
	var out []evtx.Field
	for d.More() {
		kt, err := d.Token()
		if err != nil {
			return nil, err
		}
		key, _ := kt.(string)
		var v json.RawMessage
		if err := d.Decode(&v); err != nil {
			return nil, err
		}
		name := key
		if prefix != "" {
			name = prefix + "/" + key
		}
		if t := bytes.TrimSpace(v); len(t) > 0 && t[0] == '{' {
			sub, err := orderedFields(v, name)
			if err != nil {
				return nil, err
			}
			out = append(out, sub...)
			continue
		}
		out = append(out, evtx.Field{Name: name, Value: str(v)})
	}
	return out, nil
}
