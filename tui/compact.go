package tui

import (
	"fmt"
	"hash/fnv"
	"math"
	"strings"

	"github.com/radscope/radscope/filter"
	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/report"
)

// The compact store.
//
// A flow read from NPS logs holds two messages of ~2.5 KB each (the
// record's line, its attributes); a million flows would need ~3 GB. The
// store keeps instead, per flow:
//
//   - the flow without its messages (rounds, findings and the fields the
//     list draws), with its strings interned, so that it pins no log line;
//   - where its messages were read (file, line, byte offset), when every one
//     of them is an NPS log record in a plain file: they are read again
//     when the flow is opened, saved, copied or replayed (Store.Full).
//     Messages from captures, event exports, stdin, gzip or UTF-16 files
//     are kept: re-reading them needs the state of the whole capture or
//     export;
//   - the value of every field of the filter schema (report.Schema) as
//     report.Record gives it for the whole flow: strings as ids of interned
//     lists (lower-cased once), numbers, durations and times as numbers. The
//     filter runs over these columns without allocating (match.go), with
//     the result of a string test remembered per interned list.

// list is one interned value of a string field: its strings as
// report.Record gives them, and lower-cased.
type list struct {
	strs, lower []string
}

const listChunkBits = 12

// lists is a published, read-only view of the interned lists: the compactor
// appends behind it, into chunks that never move.
type lists struct {
	chunks []*[1 << listChunkBits]list
	n      uint32
}

func (l *lists) get(id uint32) *list {
	return &l.chunks[id>>listChunkBits][id&(1<<listChunkBits-1)]
}

// loc is where a dropped message is: a line of an NPS log file.
type loc struct {
	file uint32 // index into the compactor's files
	line int32
	off  int64
	sum  uint32 // messageSum of the message as loaded
}

// fileRef is a file messages were dropped from, and the format its reader
// gave their sources.
type fileRef struct {
	path   string
	format model.Format
}

// Field kinds of the columns.
const (
	colStr = iota
	colNum
	colInt // durations and times (Unix nanoseconds)
)

// schemaCols maps each field of report.Schema to its column.
type schemaCol struct {
	kind int
	idx  int // index among the columns of its kind
}

var (
	schemaCols       []schemaCol
	nStr, nNum, nInt int
	keyFields        []int // schema indexes of the fields bare words search
	messagesField    = -1  // schema index of "messages"
	schemaIndex      = map[string]int{}
)

func init() {
	if len(report.Schema) > 64 {
		panic(fmt.Sprintf("tui: the filter schema has %d fields; the store's OK bits hold 64", len(report.Schema)))
	}
	for i, f := range report.Schema {
		schemaIndex[f.Name] = i
		var c schemaCol
		switch f.Type {
		case filter.String:
			c = schemaCol{colStr, nStr}
			nStr++
			if f.Key {
				keyFields = append(keyFields, i)
			}
		case filter.Number:
			c = schemaCol{colNum, nNum}
			nNum++
		default:
			c = schemaCol{colInt, nInt}
			nInt++
		}
		if f.Name == "messages" {
			messagesField = i
		}
		schemaCols = append(schemaCols, c)
	}
}

// chunk holds chunkSize flows, column by column. Its arrays are allocated
// whole, so appending never moves what a snapshot reads.
type chunk struct {
	cold [chunkSize]model.Flow
	locs [chunkSize][]loc // nil: the messages are kept in cold
	otp  [chunkSize]bool  // a message says MFA asked for a one-time code
	ok   [chunkSize]uint64
	strs [][chunkSize]uint32
	nums [][chunkSize]float64
	ints [][chunkSize]int64
}

func newChunk() *chunk {
	return &chunk{strs: make([][chunkSize]uint32, nStr), nums: make([][chunkSize]float64, nNum), ints: make([][chunkSize]int64, nInt)}
}

// compactor turns flows into the store's columns: it interns strings and
// lists, and drops messages it can read again. It is the only writer of
// the chunks and tables; one goroutine at a time uses it (the loader's, or
// the caller of Store.Append), and publish hands out read-only views.
type compactor struct {
	chunks []*chunk
	n      int
	rr     *rereader
	single map[string]uint32 // one-string lists
	multi  map[string]uint32 // other lists, keyed by their strings joined with NUL
	strs   map[string]string // interned strings of the flows kept
	lists  lists
	files  []fileRef
	fileIx map[fileRef]uint32
	// Messages dropped and kept, for the figures.
	dropped, kept int64
}

func newCompactor(rr *rereader) *compactor {
	c := &compactor{rr: rr, single: map[string]uint32{}, multi: map[string]uint32{}, strs: map[string]string{}, fileIx: map[fileRef]uint32{}}
	c.addList(nil, nil) // id 0: no value
	return c
}

func (c *compactor) addList(strs, lower []string) uint32 {
	id := c.lists.n
	if int(id>>listChunkBits) == len(c.lists.chunks) {
		c.lists.chunks = append(c.lists.chunks, new([1 << listChunkBits]list))
	}
	*c.lists.get(id) = list{strs, lower}
	c.lists.n++
	return id
}

// intern returns the list id of strs.
func (c *compactor) intern(strs []string) uint32 {
	switch len(strs) {
	case 0:
		return 0
	case 1:
		if id, ok := c.single[strs[0]]; ok {
			return id
		}
		s := c.str(strs[0])
		id := c.addList([]string{s}, []string{strings.ToLower(s)})
		c.single[s] = id
		return id
	}
	key := strings.Join(strs, "\x00")
	if id, ok := c.multi[key]; ok {
		return id
	}
	own := make([]string, len(strs))
	lower := make([]string, len(strs))
	for i, s := range strs {
		own[i] = c.str(s)
		lower[i] = strings.ToLower(s)
	}
	id := c.addList(own, lower)
	c.multi[key] = id
	return id
}

// str returns the interned copy of s (a copy, so that it pins no line).
func (c *compactor) str(s string) string {
	if s == "" {
		return ""
	}
	if v, ok := c.strs[s]; ok {
		return v
	}
	v := strings.Clone(s)
	c.strs[v] = v
	return v
}

// messageSum identifies a message read again with the one loaded: a file
// rewritten since shows as a mismatch.
func messageSum(m *model.Message) uint32 {
	h := fnv.New32a()
	var b [8]byte
	t := uint64(m.Time.UnixNano())
	for i := range b {
		b[i] = byte(t >> (8 * i))
	}
	h.Write(b[:])
	h.Write([]byte{byte(m.Code), byte(m.Kind), byte(len(m.Attrs))})
	h.Write([]byte(m.User))
	return h.Sum32()
}

// locate returns the locations of f's messages, or nil when one of them
// cannot be read again.
func (c *compactor) locate(f *model.Flow) []loc {
	if c.rr == nil || len(f.Messages) == 0 {
		return nil
	}
	out := make([]loc, len(f.Messages))
	for i := range f.Messages {
		m := &f.Messages[i]
		if !c.rr.rereadable(m) || m.Src.Line > math.MaxInt32 {
			return nil
		}
		ix, ok := c.fileIx[fileRef{m.Src.File, m.Src.Format}]
		if !ok {
			ix = uint32(len(c.files))
			c.files = append(c.files, fileRef{m.Src.File, m.Src.Format})
			c.fileIx[fileRef{m.Src.File, m.Src.Format}] = ix
		}
		out[i] = loc{file: ix, line: int32(m.Src.Line), off: m.Src.Offset, sum: messageSum(m)}
	}
	return out
}

// put writes flow f into slot j of ch.
func (c *compactor) put(ch *chunk, j int, f *model.Flow) {
	rec := report.Record(f)
	var ok uint64
	for i, fd := range report.Schema {
		v := rec.Field(fd.Name)
		if v.OK {
			ok |= 1 << uint(i)
		}
		sc := schemaCols[i]
		switch sc.kind {
		case colStr:
			ch.strs[sc.idx][j] = c.intern(v.Strs)
		case colNum:
			ch.nums[sc.idx][j] = v.Num
		default:
			if fd.Type == filter.Time {
				if v.OK {
					ch.ints[sc.idx][j] = v.Time.UnixNano()
				}
			} else {
				ch.ints[sc.idx][j] = int64(v.Dur)
			}
		}
	}
	ch.ok[j] = ok
	otp := false
	for i := range f.Messages {
		if m := f.Messages[i].MFA; m != nil && m.Outcome == "challenge" {
			otp = true
		}
	}
	ch.otp[j] = otp
	cold := *f
	if locs := c.locate(f); locs != nil {
		ch.locs[j] = locs
		cold.Messages = nil
		c.dropped += int64(len(locs))
		c.internFlow(&cold)
	} else {
		c.kept += int64(len(f.Messages))
	}
	ch.cold[j] = cold
}

// add appends flow f.
func (c *compactor) add(f *model.Flow) {
	j := c.n & (chunkSize - 1)
	if j == 0 {
		c.chunks = append(c.chunks, newChunk())
	}
	c.put(c.chunks[len(c.chunks)-1], j, f)
	c.n++
}

// published is a read-only view of the compactor's flows and tables, safe
// to read while it goes on appending.
type published struct {
	chunks []*chunk
	n      int
	lists  lists
	files  []fileRef
}

func (c *compactor) publish() published {
	return published{chunks: c.chunks[:len(c.chunks):len(c.chunks)], n: c.n, lists: c.lists, files: c.files[:len(c.files):len(c.files)]}
}

// internFlow replaces the strings of a flow whose messages were dropped by
// interned copies: substrings of a log line would keep the line alive.
func (c *compactor) internFlow(f *model.Flow) {
	for _, p := range []*string{&f.User, &f.Computer, &f.NAS, &f.Client, &f.CallingStation, &f.CalledStation, &f.Method, &f.Policy, &f.ProxyPolicy} {
		*p = c.str(*p)
	}
	f.AcctSessionID = strings.Clone(f.AcctSessionID)
	f.Class = strings.Clone(f.Class)
	if f.MFA != nil {
		m := *f.MFA
		m.CID, m.Message, m.State = strings.Clone(m.CID), strings.Clone(m.Message), strings.Clone(m.State)
		m.Result, m.Error, m.Method, m.Outcome = c.str(m.Result), c.str(m.Error), c.str(m.Method), c.str(m.Outcome)
		f.MFA = &m
	}
	if len(f.Findings) > 0 {
		fs := make([]model.Finding, len(f.Findings))
		for i, fd := range f.Findings {
			fd.Rule, fd.Text, fd.Remedy = c.str(fd.Rule), c.str(fd.Text), c.str(fd.Remedy)
			fs[i] = fd
		}
		f.Findings = fs
	}
}
