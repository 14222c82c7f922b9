package winevent

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/parse/winevent/evtx"
)

const eventNamespace = "schemas.microsoft.com/win/2004/08/events/event"

// SniffXML reports whether head (UTF-8) starts Windows event XML: an
// <Events> root or <Event> elements in the event schema (not the <Event>
// lines of an NPS DTS log).
func SniffXML(head []byte) bool {
	h := bytes.TrimLeft(head, " \t\r\n\ufeff")
	if bytes.HasPrefix(h, []byte("<?xml")) {
		if i := bytes.Index(h, []byte("?>")); i >= 0 {
			h = bytes.TrimLeft(h[i+2:], " \t\r\n")
		}
	}
	if !bytes.HasPrefix(h, []byte("<Event")) {
		return false
	}
	return bytes.Contains(h, []byte(eventNamespace)) || bytes.Contains(h, []byte("<System>"))
}

type xmlSource struct {
	br        *bufio.Reader
	file      string
	line, col int // position of the next byte
	off       int64
	cur       []byte
	carry     []byte // bytes to read again before the reader's
	eof       bool
	count     int64
}

// NewXMLReader reads Windows event XML: a sequence of <Event> elements with
// no root (wevtutil qe /f:xml, ToXml), or an <Events> document (Event Viewer
// "Save as XML"), with or without RenderingInfo. An event that is not
// well-formed is reported and skipped; the next <Event> is read.
func NewXMLReader(r io.Reader, opts Options) *Reader {
	return newReader(&xmlSource{br: bufio.NewReaderSize(decodedReader(r), 64<<10), file: opts.File, line: 1, col: 1}, opts)
}

func (s *xmlSource) advance(b []byte) {
	s.off += int64(len(b))
	for {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			s.col += len(b)
			return
		}
		s.line++
		s.col = 1
		b = b[i+1:]
	}
}

// eventStart finds "<Event" followed by a space, ">" or "/" in b.
func eventStart(b []byte) int {
	off := 0
	for {
		i := bytes.Index(b[off:], []byte("<Event"))
		if i < 0 {
			return -1
		}
		j := off + i + len("<Event")
		if j >= len(b) {
			return off + i // decided when more arrives; only at a slice end
		}
		switch b[j] {
		case ' ', '\t', '\r', '\n', '>', '/':
			return off + i
		}
		off = j
	}
}

func (s *xmlSource) next() (*Event, model.Source, error) {
	s.cur = s.cur[:0]
	collecting := false
	var start model.Source
	for {
		seg, err := s.readSlice()
		if err != nil {
			return nil, model.Source{}, fmt.Errorf("winevent: %w", err)
		}
		if seg == nil {
			if collecting {
				return nil, start, &model.ParseError{Src: start, Err: ErrTruncated}
			}
			return nil, model.Source{}, io.EOF
		}
		first := false
		if !collecting {
			i := eventStart(seg)
			if i < 0 {
				s.advance(seg)
				continue
			}
			s.advance(seg[:i])
			s.count++
			start = model.Source{Format: model.FormatXML, File: s.file, Line: s.line, Col: s.col, Offset: s.off, Record: s.count}
			collecting, first = true, true
			seg = seg[i:]
		} else if i := eventStart(seg); i >= 0 {
			// A new event starts before the last one ended: report the
			// last one and read the new one on the next call.
			s.advance(seg[:i])
			s.carry = append(append([]byte(nil), seg[i:]...), s.carry...)
			return nil, start, &model.ParseError{Src: start, Err: fmt.Errorf("%w: no </Event> before the next <Event>", ErrTruncated)}
		}
		s.cur = append(s.cur, seg...)
		s.advance(seg)
		if bytes.HasSuffix(s.cur, []byte("</Event>")) || (first && bytes.HasSuffix(seg, []byte("/>"))) {
			return s.decode(start)
		}
	}
}

// readSlice returns the input up to and including the next '>' (or what
// is left at the end, or a full buffer): first what an interrupted event
// left in carry, then from the reader. It returns nil at the end.
func (s *xmlSource) readSlice() ([]byte, error) {
	if len(s.carry) > 0 {
		i := bytes.IndexByte(s.carry, '>')
		seg := s.carry
		if i >= 0 {
			seg = s.carry[:i+1]
		}
		s.carry = s.carry[len(seg):]
		return seg, nil
	}
	if s.eof {
		return nil, nil
	}
	seg, err := s.br.ReadSlice('>')
	switch {
	case err == nil, errors.Is(err, bufio.ErrBufferFull):
	case err == io.EOF:
		s.eof = true
		if len(seg) == 0 {
			return nil, nil
		}
	default:
		return nil, err
	}
	return seg, nil
}

func (s *xmlSource) decode(start model.Source) (*Event, model.Source, error) {
	d := xml.NewDecoder(bytes.NewReader(s.cur))
	d.Strict = true
	for {
		tok, err := d.Token()
		if err != nil {
			return nil, start, s.xmlErr(start, d, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		el, err := evtx.DecodeElement(d, se)
		if err != nil {
			ev := eventFromXML(el)
			if ev.EventID == 0 && ev.Provider == "" {
				ev = nil
			}
			return ev, start, s.xmlErr(start, d, err)
		}
		ev := eventFromXML(el)
		if ev.EventID == 0 && ev.Provider == "" && ev.Channel == "" {
			return nil, start, &model.ParseError{Src: start, Err: ErrNoEvent}
		}
		return ev, start, nil
	}
}

func (s *xmlSource) xmlErr(start model.Source, d *xml.Decoder, err error) error {
	line, col := d.InputPos()
	src := start
	src.Line = start.Line + line - 1
	if line == 1 {
		src.Col = start.Col + col - 1
	} else {
		src.Col = col
	}
	return &model.ParseError{Src: src, Err: fmt.Errorf("winevent: xml: %w", err)}
}

// eventFromXML reads an <Event> element of any export.
func eventFromXML(el *evtx.Element) *Event {
	e := &Event{Event: evtx.EventFromElement(el)}
	for _, f := range e.Rendered {
		switch f.Name {
		case "Message":
			e.Message = f.Value
		case "Level":
			e.LevelName = f.Value
		}
	}
	if len(e.Data) == 0 && len(e.UserData) == 0 && e.Message != "" {
		e.Data = fieldsFromMessage(e.Provider, e.Channel, e.EventID, e.Message)
	}
	return e
}
