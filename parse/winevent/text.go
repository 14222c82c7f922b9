package winevent

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/parse/winevent/evtx"
)

var (
	wevtStart = regexp.MustCompile(`^Event\[\d+\]:\s*$`)
	flLine    = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9]*)\s+: ?(.*)$`)
	kvLine    = regexp.MustCompile(`^\s*([A-Za-z][A-Za-z ]*?):\s*(.*?)\s*$`)
)

// SniffText reports whether head (UTF-8) starts a text dump of events:
// wevtutil qe /f:text ("Event[0]:"), Event Viewer's copied details ("Log
// Name:") or Get-WinEvent | Format-List ("TimeCreated  : ").
func SniffText(head []byte) bool {
	h := bytes.TrimLeft(head, " \t\r\n\ufeff")
	line := h
	if i := bytes.IndexByte(h, '\n'); i >= 0 {
		line = h[:i]
	}
	l := strings.TrimRight(string(line), "\r ")
	switch {
	case wevtStart.MatchString(l), strings.HasPrefix(l, "Log Name:"):
		return true
	}
	if m := flLine.FindStringSubmatch(l); m != nil && flKeys[m[1]] {
		return bytes.Contains(h, []byte("ProviderName")) || bytes.Contains(h, []byte("LogName")) || bytes.Contains(h, []byte("Id "))
	}
	return false
}

// flKeys are the properties of an EventLogRecord that Format-List prints.
var flKeys = map[string]bool{"TimeCreated": true, "ProviderName": true, "Id": true, "Message": true, "Version": true,
	"Qualifiers": true, "Level": true, "Task": true, "Opcode": true, "Keywords": true, "RecordId": true,
	"ProviderId": true, "LogName": true, "ProcessId": true, "ThreadId": true, "MachineName": true, "UserId": true,
	"ActivityId": true, "RelatedActivityId": true, "ContainerLog": true, "MatchedQueryIds": true, "Bookmark": true,
	"LevelDisplayName": true, "OpcodeDisplayName": true, "TaskDisplayName": true, "KeywordsDisplayNames": true,
	"Properties": true}

const (
	styleNone = iota
	styleWevtutil
	styleViewer
	styleFL
)

type textRecord struct {
	style   int
	line    int
	off     int64
	kv      map[string]string
	msg     []string
	xml     []string
	inMsg   bool
	inXML   bool
	xmlLine int
}

type textSource struct {
	br    *bufio.Reader
	file  string
	loc   *time.Location
	line  int
	off   int64
	cur   *textRecord
	held  *string // a line that starts the next record
	count int64
	eof   bool
}

// NewTextReader reads text dumps of events: wevtutil qe /f:text, Event
// Viewer's copied event details (with or without the Event Xml part) and
// Get-WinEvent | Format-List (default or *). Times without a zone are in
// Options.Location; the NPS fields are read from the message text, or
// from the Event Xml part when there is one.
func NewTextReader(r io.Reader, opts Options) *Reader {
	return newReader(&textSource{br: bufio.NewReaderSize(decodedReader(r), 64<<10), file: opts.File, loc: opts.loc()}, opts)
}

func (s *textSource) readLine() (string, bool, error) {
	if s.eof {
		return "", false, nil
	}
	b, err := s.br.ReadBytes('\n')
	if len(b) == 0 && err != nil {
		s.eof = true
		if err == io.EOF {
			return "", false, nil
		}
		return "", false, fmt.Errorf("winevent: %w", err)
	}
	s.line++
	s.off += int64(len(b))
	return fixText(strings.TrimRight(string(b), "\r\n")), true, nil
}

func (s *textSource) next() (*Event, model.Source, error) {
	for {
		var l string
		var ok bool
		var err error
		if s.held != nil {
			l, ok = *s.held, true
			s.held = nil
		} else {
			l, ok, err = s.readLine()
			if err != nil {
				return nil, model.Source{}, err
			}
		}
		if !ok {
			if s.cur != nil {
				rec := s.cur
				s.cur = nil
				return s.finish(rec)
			}
			return nil, model.Source{}, io.EOF
		}
		if rec := s.feed(l); rec != nil {
			return s.finish(rec)
		}
	}
}

func (s *textSource) start(style int, l string) {
	s.cur = &textRecord{style: style, line: s.line, off: s.off - int64(len(l)) - 1, kv: map[string]string{}}
	if s.cur.off < 0 {
		s.cur.off = 0
	}
}

// feed takes one line; it returns the record that the line closed.
func (s *textSource) feed(l string) *textRecord {
	trim := strings.TrimSpace(l)
	cur := s.cur
	// Record starts.
	if wevtStart.MatchString(l) || (strings.HasPrefix(l, "Log Name:") && (cur == nil || !cur.inXML)) {
		style := styleWevtutil
		if strings.HasPrefix(l, "Log Name:") {
			style = styleViewer
		}
		if cur != nil && (len(cur.kv) > 0 || len(cur.msg) > 0) {
			s.held = &l
			s.cur = nil
			return cur
		}
		s.start(style, l)
		if style == styleViewer {
			s.cur.kv["Log Name"] = strings.TrimSpace(strings.TrimPrefix(l, "Log Name:"))
		}
		return nil
	}
	if cur != nil && cur.inXML {
		cur.xml = append(cur.xml, l)
		if strings.Contains(l, "</Event>") {
			cur.inXML = false
		}
		return nil
	}
	if cur != nil && strings.HasPrefix(trim, "Event Xml:") {
		cur.inMsg, cur.inXML, cur.xmlLine = false, true, s.line+1
		return nil
	}
	if m := flLine.FindStringSubmatch(l); m != nil && flKeys[m[1]] && (cur == nil || cur.style == styleFL || cur.style == styleNone) {
		if cur != nil {
			if _, seen := cur.kv[m[1]]; seen {
				s.held = &l
				s.cur = nil
				return cur
			}
		} else {
			s.start(styleFL, l)
			cur = s.cur
		}
		cur.inMsg = false
		if m[1] == "Message" {
			cur.inMsg = true
			cur.kv["Message"] = ""
			cur.msg = append(cur.msg[:0], m[2])
			return nil
		}
		cur.kv[m[1]] = strings.TrimSpace(m[2])
		return nil
	}
	if cur == nil {
		return nil // text before the first record
	}
	if cur.inMsg {
		if cur.style == styleFL {
			cur.msg = append(cur.msg, strings.TrimPrefix(l, strings.Repeat(" ", msgIndent(l))))
		} else {
			cur.msg = append(cur.msg, strings.TrimRight(l, " "))
		}
		return nil
	}
	if m := kvLine.FindStringSubmatch(l); m != nil && cur.style != styleFL {
		key := m[1]
		if key == "Description" {
			cur.inMsg = true
			if m[2] != "" {
				cur.msg = append(cur.msg, m[2])
			}
			return nil
		}
		cur.kv[key] = m[2]
	}
	return nil
}

// msgIndent is how far Format-List indents a continuation line (up to the
// value column, at most 32).
func msgIndent(l string) int {
	n := 0
	for n < len(l) && n < 32 && l[n] == ' ' {
		n++
	}
	return n
}

func (s *textSource) finish(rec *textRecord) (*Event, model.Source, error) {
	s.count++
	src := model.Source{Format: model.FormatText, File: s.file, Line: rec.line, Col: 1, Offset: rec.off, Record: s.count}
	msg := strings.TrimSpace(strings.Join(rec.msg, "\n"))
	var e *Event
	if len(rec.xml) > 0 {
		d := xml.NewDecoder(strings.NewReader(strings.Join(rec.xml, "\n")))
		for {
			tok, err := d.Token()
			if err != nil {
				l, c := d.InputPos()
				src2 := src
				src2.Line, src2.Col = rec.xmlLine+l-1, c
				return nil, src, &model.ParseError{Src: src2, Field: "Event Xml", Err: fmt.Errorf("winevent: xml: %w", err)}
			}
			if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "Event" {
				el, err := evtx.DecodeElement(d, se)
				if err != nil {
					l, c := d.InputPos()
					src2 := src
					src2.Line, src2.Col = rec.xmlLine+l-1, c
					return nil, src, &model.ParseError{Src: src2, Field: "Event Xml", Err: fmt.Errorf("winevent: xml: %w", err)}
				}
				e = eventFromXML(el)
				break
			}
		}
		if e.Message == "" {
			e.Message = msg
		}
		if e.LevelName == "" {
			e.LevelName = rec.kv["Level"]
		}
		return e, src, nil
	}
	e = &Event{Message: msg}
	kv := rec.kv
	pick := func(keys ...string) string {
		for _, k := range keys {
			if v, ok := kv[k]; ok && v != "" {
				return v
			}
		}
		return ""
	}
	e.Channel = pick("Log Name", "LogName")
	e.Provider = pick("Source", "ProviderName")
	e.Computer = pick("Computer", "MachineName")
	e.LevelName = pick("LevelDisplayName")
	if lv := pick("Level"); lv != "" {
		if n, err := strconv.Atoi(lv); err == nil {
			e.Level = n
		} else {
			e.LevelName = lv
		}
	}
	e.ProviderGUID = pick("ProviderId")
	e.UserID = pick("UserId")
	e.Keywords = pick("Keywords")
	e.Version, _ = strconv.Atoi(pick("Version"))
	e.Qualifiers, _ = strconv.Atoi(pick("Qualifiers"))
	e.ProcessID, _ = strconv.Atoi(pick("ProcessId"))
	e.ThreadID, _ = strconv.Atoi(pick("ThreadId"))
	e.RecordID, _ = strconv.ParseUint(pick("RecordId"), 10, 64)
	idText := pick("Event ID", "Id")
	id, err := strconv.Atoi(idText)
	if err != nil {
		return nil, src, &model.ParseError{Src: src, Field: "Event ID", Err: fmt.Errorf("%w: event ID %q", ErrNoEvent, idText)}
	}
	e.EventID = id
	e.Data = fieldsFromMessage(e.Provider, e.Channel, id, msg)
	ts := pick("Date", "TimeCreated")
	t, ok := parseLocalTime(ts, s.loc)
	if !ok {
		return e, src, &model.ParseError{Src: src, Field: "Date", Err: fmt.Errorf("winevent: text: bad time %q", ts)}
	}
	e.TimeCreated = t
	return e, src, nil
}
