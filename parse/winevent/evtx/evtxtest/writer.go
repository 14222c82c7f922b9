// Package evtxtest writes small but valid EVTX files for tests, fixtures
// and benchmarks: a file header, 64 KiB chunks with their string and
// template tables and CRC32s, records whose System block comes from a
// template shared by all records of a chunk and whose EventData is a
// nested template instance with typed substitution values (UserData too,
// with its leaves as string values, the way Windows writes it).
//
// It is not a general EVTX writer; it writes what radscope's fixtures need
// and what the reader's tests exercise. python-evtx and libevtx read its
// output.
package evtxtest

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"hash/fnv"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

// Value types the writer chooses from the Go type of a Data value.
type (
	GUID       string    // "{hhhhhhhh-hhhh-hhhh-hhhh-hhhhhhhhhhhh}", type 0x0F
	SID        string    // "S-1-5-…", type 0x13
	Hex32      uint32    // type 0x14
	Hex64      uint64    // type 0x15
	SizeT      uint64    // type 0x10 (8 bytes)
	Ansi       string    // type 0x02
	SystemTime time.Time // type 0x12
)

// Data is one EventData value; an empty Name writes an unnamed <Data>.
// Value may be nil (a null substitution), string, the integer types,
// float32/64, bool, []byte, time.Time (FILETIME), []string, []uint32, or
// one of the named types above.
type Data struct {
	Name  string
	Value any
}

// Element is a UserData element: text or children, plus attributes.
type Element struct {
	Name     string
	Attrs    [][2]string
	Text     string
	Children []*Element
}

// Event is one record to write.
type Event struct {
	Provider     string
	ProviderGUID GUID // optional
	EventID      uint16
	Qualifiers   uint16 // 0: attribute absent
	Version      uint8
	Level        uint8
	Task         uint16
	Opcode       uint8
	Keywords     uint64
	Time         time.Time
	RecordID     uint64 // 0: the next number
	ActivityID   GUID   // optional
	ProcessID    uint32
	ThreadID     uint32
	Channel      string
	Computer     string
	UserID       SID // optional
	Data         []Data
	UserData     *Element // written instead of EventData when set
}

// Writer accumulates records and renders the file.
type Writer struct {
	chunks []*chunk
	nextID uint64
	// Dirty writes a header that predates the last chunk: flags say dirty,
	// and the chunk count and last chunk number leave the last chunk out.
	Dirty bool
}

// New returns an empty Writer; record IDs start at 1.
func New() *Writer { return &Writer{nextID: 1} }

const (
	chunkSize  = 65536
	headerSize = 512
	eventNS    = "http://schemas.microsoft.com/win/2004/08/events/event"
)

type chunk struct {
	b              []byte
	pos            int
	names          map[string]uint32
	tmpls          map[string]uint32
	strTable       [64]uint32
	tmplTable      [32]uint32
	firstID        uint64
	lastID, lastAt uint64
	n              int
}

func newChunk() *chunk {
	return &chunk{b: make([]byte, chunkSize), pos: headerSize, names: map[string]uint32{}, tmpls: map[string]uint32{}}
}

// Add appends one record. It returns an error when the record cannot fit
// in a chunk or a value has a type the writer does not know.
func (w *Writer) Add(ev Event) error {
	if ev.RecordID == 0 {
		ev.RecordID = w.nextID
	}
	w.nextID = ev.RecordID + 1
	for attempt := 0; attempt < 2; attempt++ {
		if len(w.chunks) == 0 || attempt == 1 {
			w.chunks = append(w.chunks, newChunk())
		}
		c := w.chunks[len(w.chunks)-1]
		rec, err := c.record(ev)
		if err != nil {
			return err
		}
		if c.pos+len(rec) <= chunkSize {
			copy(c.b[c.pos:], rec)
			if c.n == 0 {
				c.firstID = ev.RecordID
			}
			c.lastID = ev.RecordID
			c.lastAt = uint64(c.pos)
			c.pos += len(rec)
			c.n++
			return nil
		}
		if c.n == 0 {
			break
		}
		// The names and templates the failed attempt registered point past
		// the chunk's data; the chunk is closed and never used again.
	}
	return fmt.Errorf("evtxtest: record %d does not fit in a chunk", ev.RecordID)
}

// Bytes renders the file.
func (w *Writer) Bytes() []byte {
	out := make([]byte, 4096, 4096+len(w.chunks)*chunkSize)
	copy(out, "ElfFile\x00")
	n := len(w.chunks)
	hdrChunks := n
	if w.Dirty && n > 1 {
		hdrChunks = n - 1
	}
	binary.LittleEndian.PutUint64(out[8:], 0)
	if hdrChunks > 0 {
		binary.LittleEndian.PutUint64(out[16:], uint64(hdrChunks-1))
	}
	binary.LittleEndian.PutUint64(out[24:], w.nextID)
	binary.LittleEndian.PutUint32(out[32:], 128)
	binary.LittleEndian.PutUint16(out[36:], 1)
	binary.LittleEndian.PutUint16(out[38:], 3)
	binary.LittleEndian.PutUint16(out[40:], 4096)
	binary.LittleEndian.PutUint16(out[42:], uint16(hdrChunks))
	if w.Dirty {
		binary.LittleEndian.PutUint32(out[120:], 1)
	}
	binary.LittleEndian.PutUint32(out[124:], crc32.ChecksumIEEE(out[:120]))
	for _, c := range w.chunks {
		out = append(out, c.finish()...)
	}
	return out
}

func (c *chunk) finish() []byte {
	b := c.b
	copy(b, "ElfChnk\x00")
	binary.LittleEndian.PutUint64(b[8:], c.firstID)
	binary.LittleEndian.PutUint64(b[16:], c.lastID)
	binary.LittleEndian.PutUint64(b[24:], c.firstID)
	binary.LittleEndian.PutUint64(b[32:], c.lastID)
	binary.LittleEndian.PutUint32(b[40:], 128)
	binary.LittleEndian.PutUint32(b[44:], uint32(c.lastAt))
	binary.LittleEndian.PutUint32(b[48:], uint32(c.pos))
	binary.LittleEndian.PutUint32(b[52:], crc32.ChecksumIEEE(b[headerSize:c.pos]))
	for i, o := range c.strTable {
		binary.LittleEndian.PutUint32(b[128+4*i:], o)
	}
	for i, o := range c.tmplTable {
		binary.LittleEndian.PutUint32(b[384+4*i:], o)
	}
	h := crc32.ChecksumIEEE(b[:120])
	h = crc32.Update(h, crc32.IEEETable, b[128:headerSize])
	binary.LittleEndian.PutUint32(b[124:], h)
	return b
}

// buf builds binary XML at a known chunk offset.
type buf struct {
	c    *chunk
	base int
	b    []byte
	err  error
}

func (x *buf) at() int        { return x.base + len(x.b) }
func (x *buf) u8(v byte)      { x.b = append(x.b, v) }
func (x *buf) u16(v uint16)   { x.b = binary.LittleEndian.AppendUint16(x.b, v) }
func (x *buf) u32(v uint32)   { x.b = binary.LittleEndian.AppendUint32(x.b, v) }
func (x *buf) u64(v uint64)   { x.b = binary.LittleEndian.AppendUint64(x.b, v) }
func (x *buf) utf16(s string) { x.b = appendUTF16(x.b, s) }
func appendUTF16(b []byte, s string) []byte {
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return b
}

// name writes a name reference, storing the name inline at first use.
func (x *buf) name(s string) {
	if off, ok := x.c.names[s]; ok {
		x.u32(off)
		return
	}
	off := uint32(x.at() + 4)
	x.u32(off)
	u := utf16.Encode([]rune(s))
	var hash uint32
	for _, r := range u {
		hash = hash*65599 + uint32(r)
	}
	bucket := hash % 64
	x.u32(x.c.strTable[bucket])
	x.c.strTable[bucket] = off
	x.u16(uint16(hash))
	x.u16(uint16(len(u)))
	x.utf16(s)
	x.u16(0)
	x.c.names[s] = off
}

// node is a template or plain element: text, a substitution, or children.
type node struct {
	name     string
	attrs    []attrNode
	text     string
	hasText  bool
	sub      int // substitution index, -1 for none
	optional bool
	subType  byte
	children []*node
}

type attrNode struct {
	name     string
	text     string
	sub      int
	optional bool
	subType  byte
}

func (x *buf) element(n *node) {
	tok := byte(0x01)
	if len(n.attrs) > 0 {
		tok = 0x41
	}
	x.u8(tok)
	x.u16(0xffff)
	sizeAt := len(x.b)
	x.u32(0)
	x.name(n.name)
	if len(n.attrs) > 0 {
		listAt := len(x.b)
		x.u32(0)
		for i, a := range n.attrs {
			t := byte(0x06)
			if i < len(n.attrs)-1 {
				t = 0x46
			}
			x.u8(t)
			x.name(a.name)
			if a.sub >= 0 {
				x.subst(a.sub, a.optional, a.subType)
			} else {
				x.text(a.text)
			}
		}
		binary.LittleEndian.PutUint32(x.b[listAt:], uint32(len(x.b)-listAt-4))
	}
	switch {
	case n.sub >= 0:
		x.u8(0x02)
		x.subst(n.sub, n.optional, n.subType)
		x.u8(0x04)
	case n.hasText:
		x.u8(0x02)
		x.text(n.text)
		x.u8(0x04)
	case len(n.children) > 0:
		x.u8(0x02)
		for _, c := range n.children {
			if c.name == "" {
				x.subst(c.sub, c.optional, c.subType)
				continue
			}
			x.element(c)
		}
		x.u8(0x04)
	default:
		x.u8(0x03)
	}
	binary.LittleEndian.PutUint32(x.b[sizeAt:], uint32(len(x.b)-sizeAt-4))
}

func (x *buf) text(s string) {
	x.u8(0x05)
	x.u8(0x01)
	u := utf16.Encode([]rune(s))
	x.u16(uint16(len(u)))
	x.utf16(s)
}

func (x *buf) subst(i int, optional bool, typ byte) {
	if optional {
		x.u8(0x0e)
	} else {
		x.u8(0x0d)
	}
	x.u16(uint16(i))
	x.u8(typ)
}

// instance writes a TemplateInstance for the template called key (built by
// body at first use in the chunk), then the values.
func (x *buf) instance(key string, body *node, vals []value) {
	h := fnv.New32a()
	h.Write([]byte(key))
	id := h.Sum32()
	x.u8(0x0c)
	x.u8(0x01)
	x.u32(id)
	if off, ok := x.c.tmpls[key]; ok {
		x.u32(off)
	} else {
		off := uint32(x.at() + 4)
		x.u32(off)
		bucket := id % 32
		x.u32(x.c.tmplTable[bucket])
		x.c.tmplTable[bucket] = off
		x.u32(id)
		h2 := fnv.New64a()
		h2.Write([]byte(key))
		x.u64(h2.Sum64())
		x.u32(uint32(id ^ 0x5a5a5a5a))
		sizeAt := len(x.b)
		x.u32(0)
		x.b = append(x.b, 0x0f, 0x01, 0x01, 0x00)
		x.element(body)
		x.u8(0x00)
		binary.LittleEndian.PutUint32(x.b[sizeAt:], uint32(len(x.b)-sizeAt-4))
		x.c.tmpls[key] = off
	}
	x.u32(uint32(len(vals)))
	for _, v := range vals {
		x.u16(uint16(len(v.b)))
		x.u8(v.typ)
		x.u8(0)
	}
	for _, v := range vals {
		x.b = append(x.b, v.b...)
	}
}

type value struct {
	typ byte
	b   []byte
}

func (c *chunk) record(ev Event) ([]byte, error) {
	x := &buf{c: c, base: c.pos}
	x.b = append(x.b, "**\x00\x00"...)
	x.u32(0)
	x.u64(ev.RecordID)
	x.u64(filetime(ev.Time))
	x.b = append(x.b, 0x0f, 0x01, 0x01, 0x00)
	vals, err := systemValues(ev)
	if err != nil {
		return nil, err
	}
	// The nested EventData/UserData fragment is a value, but its names and
	// template live in the chunk at their absolute offsets: build it where
	// it will be, after the outer instance and its value table.
	outerKey := "system"
	body := systemTemplate()
	probe := &buf{c: c, base: x.at()}
	// Write the outer instance with an empty last value, to learn where
	// the nested fragment goes; its descriptor is patched below.
	vals = append(vals, value{typ: 0x21})
	probe.instance(outerKey, body, vals)
	dataAt := x.at() + len(probe.b)
	inner := &buf{c: c, base: dataAt}
	if ev.UserData != nil {
		// UserData is a template instance too (python-evtx accepts no
		// other kind of nested binary XML): the leaves' text become
		// string substitutions.
		var vals []value
		var key strings.Builder
		key.WriteString("userdata")
		body := &node{name: "UserData", sub: -1, children: []*node{templateNode(ev.UserData, &vals, &key)}}
		inner.b = append(inner.b, 0x0f, 0x01, 0x01, 0x00)
		inner.instance(key.String(), body, vals)
		inner.u8(0x00)
	} else {
		key, body, dv, err := eventData(ev.Data)
		if err != nil {
			return nil, err
		}
		inner.b = append(inner.b, 0x0f, 0x01, 0x01, 0x00)
		inner.instance(key, body, dv)
		inner.u8(0x00)
	}
	// Patch the placeholder descriptor with the real size.
	probe.b = append(probe.b, inner.b...)
	n := len(vals)
	descEnd := len(probe.b) - len(inner.b) - sumLen(vals)
	binary.LittleEndian.PutUint16(probe.b[descEnd-4*n+4*(n-1):], uint16(len(inner.b)))
	x.b = append(x.b, probe.b...)
	x.u8(0x00)
	for (len(x.b)+4)%8 != 0 {
		x.u8(0)
	}
	x.u32(0)
	binary.LittleEndian.PutUint32(x.b[4:], uint32(len(x.b)))
	binary.LittleEndian.PutUint32(x.b[len(x.b)-4:], uint32(len(x.b)))
	return x.b, nil
}

func sumLen(vals []value) int {
	n := 0
	for _, v := range vals {
		n += len(v.b)
	}
	return n
}

func sub(name string, i int, typ byte, optional bool) *node {
	return &node{name: name, sub: i, subType: typ, optional: optional}
}

func systemTemplate() *node {
	return &node{name: "Event", sub: -1, attrs: []attrNode{{name: "xmlns", text: eventNS, sub: -1}}, children: []*node{
		{name: "System", sub: -1, children: []*node{
			{name: "Provider", sub: -1, attrs: []attrNode{{name: "Name", sub: 0, subType: 0x01}, {name: "Guid", sub: 1, subType: 0x0f, optional: true}}},
			{name: "EventID", sub: 2, subType: 0x06, attrs: []attrNode{{name: "Qualifiers", sub: 3, subType: 0x06, optional: true}}},
			sub("Version", 4, 0x04, true),
			sub("Level", 5, 0x04, true),
			sub("Task", 6, 0x06, true),
			sub("Opcode", 7, 0x04, true),
			sub("Keywords", 8, 0x15, true),
			{name: "TimeCreated", sub: -1, attrs: []attrNode{{name: "SystemTime", sub: 9, subType: 0x11, optional: true}}},
			sub("EventRecordID", 10, 0x0a, true),
			{name: "Correlation", sub: -1, attrs: []attrNode{{name: "ActivityID", sub: 11, subType: 0x0f, optional: true}}},
			{name: "Execution", sub: -1, attrs: []attrNode{{name: "ProcessID", sub: 12, subType: 0x08, optional: true}, {name: "ThreadID", sub: 13, subType: 0x08, optional: true}}},
			sub("Channel", 14, 0x01, true),
			sub("Computer", 15, 0x01, true),
			{name: "Security", sub: -1, attrs: []attrNode{{name: "UserID", sub: 16, subType: 0x13, optional: true}}},
		}},
		{name: "", sub: 17, subType: 0x21, optional: true},
	}}
}

func systemValues(ev Event) ([]value, error) {
	var vals []value
	add := func(v any) error {
		tv, err := encode(v)
		vals = append(vals, tv)
		return err
	}
	var q any
	if ev.Qualifiers != 0 {
		q = ev.Qualifiers
	}
	var guid, act, uid any
	if ev.ProviderGUID != "" {
		guid = ev.ProviderGUID
	}
	if ev.ActivityID != "" {
		act = ev.ActivityID
	}
	if ev.UserID != "" {
		uid = ev.UserID
	}
	for _, v := range []any{ev.Provider, guid, ev.EventID, q, ev.Version, ev.Level, ev.Task, ev.Opcode,
		Hex64(ev.Keywords), ev.Time, ev.RecordID, act, ev.ProcessID, ev.ThreadID, ev.Channel, ev.Computer, uid} {
		if err := add(v); err != nil {
			return nil, err
		}
	}
	return vals, nil
}

func eventData(data []Data) (string, *node, []value, error) {
	var key strings.Builder
	key.WriteString("data")
	root := &node{name: "EventData", sub: -1}
	vals := make([]value, 0, len(data))
	for i, d := range data {
		v, err := encode(d.Value)
		if err != nil {
			return "", nil, nil, fmt.Errorf("evtxtest: Data %q: %w", d.Name, err)
		}
		vals = append(vals, v)
		n := &node{name: "Data", sub: i, subType: v.typ, optional: true}
		if d.Name != "" {
			n.attrs = []attrNode{{name: "Name", text: d.Name, sub: -1}}
		}
		root.children = append(root.children, n)
		key.WriteString("|" + d.Name + ":" + strconv.Itoa(int(v.typ)))
	}
	return key.String(), root, vals, nil
}

// templateNode turns e into template nodes whose leaf texts are string
// substitutions appended to vals; key describes the shape.
func templateNode(e *Element, vals *[]value, key *strings.Builder) *node {
	n := &node{name: e.Name, sub: -1}
	key.WriteString("<" + e.Name)
	for _, a := range e.Attrs {
		n.attrs = append(n.attrs, attrNode{name: a[0], text: a[1], sub: -1})
		key.WriteString(" " + a[0] + "=" + a[1])
	}
	key.WriteString(">")
	if len(e.Children) == 0 {
		n.sub, n.subType, n.optional = len(*vals), 0x01, true
		*vals = append(*vals, value{0x01, appendUTF16(nil, e.Text)})
	}
	for _, c := range e.Children {
		n.children = append(n.children, templateNode(c, vals, key))
	}
	key.WriteString("</>")
	return n
}

func filetime(t time.Time) uint64 {
	if t.IsZero() {
		return 0
	}
	return uint64(t.UnixNano()/100 + 116444736000000000)
}

func encode(v any) (value, error) {
	le := binary.LittleEndian
	switch x := v.(type) {
	case nil:
		return value{typ: 0x00}, nil
	case string:
		return value{0x01, appendUTF16(nil, x)}, nil
	case Ansi:
		return value{0x02, []byte(x)}, nil
	case int8:
		return value{0x03, []byte{byte(x)}}, nil
	case uint8:
		return value{0x04, []byte{x}}, nil
	case int16:
		return value{0x05, le.AppendUint16(nil, uint16(x))}, nil
	case uint16:
		return value{0x06, le.AppendUint16(nil, x)}, nil
	case int32:
		return value{0x07, le.AppendUint32(nil, uint32(x))}, nil
	case uint32:
		return value{0x08, le.AppendUint32(nil, x)}, nil
	case int64:
		return value{0x09, le.AppendUint64(nil, uint64(x))}, nil
	case uint64:
		return value{0x0a, le.AppendUint64(nil, x)}, nil
	case float32:
		return value{0x0b, le.AppendUint32(nil, math.Float32bits(x))}, nil
	case float64:
		return value{0x0c, le.AppendUint64(nil, math.Float64bits(x))}, nil
	case bool:
		var n uint32
		if x {
			n = 1
		}
		return value{0x0d, le.AppendUint32(nil, n)}, nil
	case []byte:
		return value{0x0e, append([]byte(nil), x...)}, nil
	case GUID:
		b, err := guidBytes(string(x))
		return value{0x0f, b}, err
	case SizeT:
		return value{0x10, le.AppendUint64(nil, uint64(x))}, nil
	case time.Time:
		return value{0x11, le.AppendUint64(nil, filetime(x))}, nil
	case SystemTime:
		t := time.Time(x).UTC()
		var b []byte
		for _, w := range []int{t.Year(), int(t.Month()), int(t.Weekday()), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond() / 1e6} {
			b = le.AppendUint16(b, uint16(w))
		}
		return value{0x12, b}, nil
	case SID:
		b, err := sidBytes(string(x))
		return value{0x13, b}, err
	case Hex32:
		return value{0x14, le.AppendUint32(nil, uint32(x))}, nil
	case Hex64:
		return value{0x15, le.AppendUint64(nil, uint64(x))}, nil
	case []string:
		var b []byte
		for _, s := range x {
			b = appendUTF16(b, s)
			b = append(b, 0, 0)
		}
		return value{0x81, b}, nil
	case []uint32:
		var b []byte
		for _, n := range x {
			b = le.AppendUint32(b, n)
		}
		return value{0x88, b}, nil
	}
	return value{}, fmt.Errorf("evtxtest: no value type for %T", v)
}

func guidBytes(s string) ([]byte, error) {
	h := strings.ReplaceAll(strings.Trim(s, "{}"), "-", "")
	if len(h) != 32 {
		return nil, fmt.Errorf("evtxtest: bad GUID %q", s)
	}
	raw := make([]byte, 16)
	for i := range raw {
		n, err := strconv.ParseUint(h[2*i:2*i+2], 16, 8)
		if err != nil {
			return nil, fmt.Errorf("evtxtest: bad GUID %q", s)
		}
		raw[i] = byte(n)
	}
	// The first three groups are little-endian.
	raw[0], raw[1], raw[2], raw[3] = raw[3], raw[2], raw[1], raw[0]
	raw[4], raw[5] = raw[5], raw[4]
	raw[6], raw[7] = raw[7], raw[6]
	return raw, nil
}

func sidBytes(s string) ([]byte, error) {
	parts := strings.Split(s, "-")
	if len(parts) < 3 || parts[0] != "S" {
		return nil, fmt.Errorf("evtxtest: bad SID %q", s)
	}
	rev, err1 := strconv.ParseUint(parts[1], 10, 8)
	auth, err2 := strconv.ParseUint(parts[2], 10, 48)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("evtxtest: bad SID %q", s)
	}
	b := []byte{byte(rev), byte(len(parts) - 3)}
	for i := 5; i >= 0; i-- {
		b = append(b, byte(auth>>(8*i)))
	}
	for _, p := range parts[3:] {
		n, err := strconv.ParseUint(p, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("evtxtest: bad SID %q", s)
		}
		b = binary.LittleEndian.AppendUint32(b, uint32(n))
	}
	return b, nil
}
