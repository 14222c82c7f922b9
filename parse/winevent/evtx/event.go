package evtx

import (
	"encoding/xml"
	"io"
	"strconv"
	"strings"
	"time"
)

// Element is one XML element of a decoded event: the small tree that the
// binary XML (or an XML export) describes.
type Element struct {
	Name     string
	Attrs    []Attr
	Text     string
	Children []*Element
}

// Attr is one attribute of an Element.
type Attr struct {
	Name, Value string
}

// Child returns the first child element named name, or nil.
func (e *Element) Child(name string) *Element {
	if e == nil {
		return nil
	}
	for _, c := range e.Children {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Attr returns the value of the attribute named name, or "".
func (e *Element) Attr(name string) string {
	if e == nil {
		return ""
	}
	for _, a := range e.Attrs {
		if a.Name == name {
			return a.Value
		}
	}
	return ""
}

// text returns the element's text, or "" for a nil element.
func (e *Element) text() string {
	if e == nil {
		return ""
	}
	return e.Text
}

// Field is one name/value pair of EventData or UserData.
type Field struct {
	Name, Value string
}

// Event holds the fields of a Windows event: the System block and the
// EventData (or UserData) values, in document order.
type Event struct {
	Provider        string // Provider Name
	ProviderGUID    string // Provider Guid, {…}
	EventSourceName string // Provider EventSourceName (classic sources)
	EventID         int
	Qualifiers      int // EventID Qualifiers attribute, 0 when absent
	Version         int
	Level           int
	Task            int
	Opcode          int
	Keywords        string // 0x-hex as written
	TimeCreated     time.Time
	RecordID        uint64 // EventRecordID
	ActivityID      string // Correlation ActivityID
	RelatedActivity string // Correlation RelatedActivityID
	ProcessID       int    // Execution ProcessID
	ThreadID        int    // Execution ThreadID
	Channel         string
	Computer        string
	UserID          string // Security UserID (a SID)

	// Data holds the EventData values. A <Data> without a Name is called
	// Data1, Data2 … in order; other children (Binary) keep their element
	// name.
	Data []Field
	// UserData holds the UserData elements flattened to path=value, the
	// path being the element names below UserData joined with "/", such as
	// "EventInfo/Username".
	UserData []Field
	// Rendered holds RenderingInfo values (Message, Level, Task, Opcode,
	// Channel, Provider, Keywords) when the source had them.
	Rendered []Field
}

// Value returns the EventData value named name (or, failing that, the
// UserData value whose last path element is name).
func (ev *Event) Value(name string) (string, bool) {
	for _, f := range ev.Data {
		if f.Name == name {
			return f.Value, true
		}
	}
	for _, f := range ev.UserData {
		if f.Name == name || strings.HasSuffix(f.Name, "/"+name) {
			return f.Value, true
		}
	}
	return "", false
}

// EventFromElement reads the System, EventData, UserData and RenderingInfo
// blocks of an <Event> element. Values it cannot read as numbers or times
// are left zero; the strings are kept in the tree.
func EventFromElement(root *Element) Event {
	var ev Event
	if root == nil {
		return ev
	}
	sys := root.Child("System")
	if sys != nil {
		for _, c := range sys.Children {
			switch c.Name {
			case "Provider":
				ev.Provider = c.Attr("Name")
				ev.ProviderGUID = c.Attr("Guid")
				ev.EventSourceName = c.Attr("EventSourceName")
			case "EventID":
				ev.EventID = atoi(c.Text)
				ev.Qualifiers = atoi(c.Attr("Qualifiers"))
			case "Version":
				ev.Version = atoi(c.Text)
			case "Level":
				ev.Level = atoi(c.Text)
			case "Task":
				ev.Task = atoi(c.Text)
			case "Opcode":
				ev.Opcode = atoi(c.Text)
			case "Keywords":
				ev.Keywords = strings.TrimSpace(c.Text)
			case "TimeCreated":
				ev.TimeCreated, _ = ParseTime(c.Attr("SystemTime"))
			case "EventRecordID":
				ev.RecordID, _ = strconv.ParseUint(strings.TrimSpace(c.Text), 10, 64)
			case "Correlation":
				ev.ActivityID = c.Attr("ActivityID")
				ev.RelatedActivity = c.Attr("RelatedActivityID")
			case "Execution":
				ev.ProcessID = atoi(c.Attr("ProcessID"))
				ev.ThreadID = atoi(c.Attr("ThreadID"))
			case "Channel":
				ev.Channel = c.Text
			case "Computer":
				ev.Computer = c.Text
			case "Security":
				ev.UserID = c.Attr("UserID")
			}
		}
	}
	for _, c := range root.Children {
		switch c.Name {
		case "EventData":
			if ev.Data == nil {
				ev.Data = make([]Field, 0, len(c.Children))
			}
			unnamed := 0
			for _, d := range c.Children {
				name := d.Name
				if name == "Data" {
					name = d.Attr("Name")
					if name == "" {
						unnamed++
						name = "Data" + strconv.Itoa(unnamed)
					}
				}
				ev.Data = append(ev.Data, Field{Name: name, Value: d.Text})
			}
			if len(c.Children) == 0 && strings.TrimSpace(c.Text) != "" {
				ev.Data = append(ev.Data, Field{Name: "Data1", Value: c.Text})
			}
		case "UserData":
			for _, d := range c.Children {
				flatten(&ev.UserData, "", d)
			}
		case "RenderingInfo":
			for _, d := range c.Children {
				if len(d.Children) == 0 {
					ev.Rendered = append(ev.Rendered, Field{Name: d.Name, Value: d.Text})
					continue
				}
				var vals []string
				for _, k := range d.Children {
					vals = append(vals, k.Text)
				}
				ev.Rendered = append(ev.Rendered, Field{Name: d.Name, Value: strings.Join(vals, ", ")})
			}
		}
	}
	return ev
}

func flatten(out *[]Field, prefix string, e *Element) {
	path := e.Name
	if prefix != "" {
		path = prefix + "/" + e.Name
	}
	if len(e.Children) == 0 {
		*out = append(*out, Field{Name: path, Value: e.Text})
		return
	}
	for _, c := range e.Children {
		flatten(out, path, c)
	}
}

func atoi(s string) int {
	// Fast path for the plain decimals of the System block.
	if n := len(s); n > 0 && n < 10 {
		v := 0
		for i := 0; i < n; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				v = -1
				break
			}
			v = v*10 + int(c-'0')
		}
		if v >= 0 {
			return v
		}
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return 0
	}
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		n, _ := strconv.ParseUint(s[2:], 16, 64)
		return int(n)
	}
	n, _ := strconv.Atoi(s)
	return n
}

// ParseTime reads the SystemTime forms that Windows and the usual tools
// write: RFC 3339 with up to 9 fractional digits ("Z" or an offset), and the
// python-evtx form "2006-01-02 15:04:05.999999" (UTC, no zone).
func ParseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), true
	}
	for _, layout := range []string{"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// DecodeElement reads the element that start opened from d, up to its end
// tag, into an Element tree. Namespaces are dropped from names (the event
// schema has one namespace); character data is concatenated, with the
// whitespace around child elements trimmed when an element has children.
func DecodeElement(d *xml.Decoder, start xml.StartElement) (*Element, error) {
	root := &Element{Name: start.Name.Local}
	for _, a := range start.Attr {
		if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" {
			continue
		}
		root.Attrs = append(root.Attrs, Attr{Name: a.Name.Local, Value: a.Value})
	}
	stack := []*Element{root}
	text := [][]byte{nil}
	for len(stack) > 0 {
		tok, err := d.Token()
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return root, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			e := &Element{Name: t.Name.Local}
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" {
					continue
				}
				e.Attrs = append(e.Attrs, Attr{Name: a.Name.Local, Value: a.Value})
			}
			top := stack[len(stack)-1]
			top.Children = append(top.Children, e)
			stack = append(stack, e)
			text = append(text, nil)
		case xml.CharData:
			text[len(text)-1] = append(text[len(text)-1], t...)
		case xml.EndElement:
			e := stack[len(stack)-1]
			s := string(text[len(text)-1])
			if len(e.Children) > 0 {
				s = strings.TrimSpace(s)
			}
			e.Text = s
			stack = stack[:len(stack)-1]
			text = text[:len(text)-1]
		}
	}
	return root, nil
}
