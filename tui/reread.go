package tui

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/radscope/radscope/dict"
	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/parse"
	"github.com/radscope/radscope/parse/dts"
	"github.com/radscope/radscope/parse/ias"
	"github.com/radscope/radscope/parse/odbc"
	"github.com/radscope/radscope/parse/textio"
)

// errNotRereadable: the message's source cannot be read again at its
// position (stdin, a compressed or UTF-16 file, a capture or an event
// export).
var errNotRereadable = errors.New("not re-readable")

// rereader reads single NPS log records again from their files, at the
// byte offset their Source recorded: the compact store drops the messages
// of flows read from NPS logs and reads them back when a flow is opened,
// saved or replayed. Files are checked once (plain, UTF-8 or
// Windows-1252) and kept open.
type rereader struct {
	mu    sync.Mutex
	files map[string]*rfile
	o     parse.Options // the dictionary and zone the loader read with
}

type rfile struct {
	f   *os.File
	ok  bool  // plain text at byte offsets
	err error // why not
}

func newRereader(o parse.Options) *rereader {
	if o.Dict == nil {
		o.Dict = dict.Default()
	}
	if o.Location == nil {
		o.Location = time.Local
	}
	return &rereader{files: map[string]*rfile{}, o: o}
}

// rereadable reports whether m can be read back from its source exactly:
// an NPS log record with a line and an offset, in a plain file.
func (r *rereader) rereadable(m *model.Message) bool {
	s := &m.Src
	if m.Kind != model.KindRecord || s.Line <= 0 || s.Col != 0 || s.Frame != 0 || s.Record != 0 || m.Marks != 0 {
		return false
	}
	switch s.Format {
	case model.FormatDTS, model.FormatODBC, model.FormatIAS:
	default:
		return false
	}
	if s.File == "" || s.File == "-" {
		return false
	}
	return r.file(s.File).ok
}

// file opens path once and checks that offsets in it are byte offsets of
// UTF-8 (or Windows-1252) text.
func (r *rereader) file(path string) *rfile {
	r.mu.Lock()
	defer r.mu.Unlock()
	if rf, ok := r.files[path]; ok {
		return rf
	}
	rf := &rfile{}
	r.files[path] = rf
	f, err := os.Open(path)
	if err != nil {
		rf.err = err
		return rf
	}
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	switch {
	case n >= 2 && head[0] == 0x1f && head[1] == 0x8b:
		rf.err = fmt.Errorf("%s: compressed", path)
	case textio.Detect(head) == textio.UTF16LE || textio.Detect(head) == textio.UTF16BE:
		rf.err = fmt.Errorf("%s: UTF-16", path)
	default:
		rf.f, rf.ok = f, true
		return rf
	}
	f.Close()
	return rf
}

// Line returns the text of the log line at src (UTF-8, no line ending).
func (r *rereader) Line(src model.Source) (string, error) {
	rf := r.file(src.File)
	if !rf.ok {
		if rf.err != nil {
			return "", fmt.Errorf("tui: reading %s again: %w", src, rf.err)
		}
		return "", fmt.Errorf("tui: reading %s again: %w", src, errNotRereadable)
	}
	lr := textio.NewReaderAt(bufio.NewReaderSize(io.NewSectionReader(rf.f, src.Offset, 1<<62), 4096), src.Line, src.Offset)
	ln, err := lr.Next()
	if err != nil {
		return "", fmt.Errorf("tui: reading %s again: %w", src, err)
	}
	return string(ln.Text), nil
}

// Message reads the record at src again and parses it as the loader did.
func (r *rereader) Message(src model.Source) (model.Message, error) {
	line, err := r.Line(src)
	if err != nil {
		return model.Message{}, err
	}
	o := r.o
	var p interface {
		Parse(line string, src model.Source) (model.Message, error)
	}
	switch parse.LineFormat(line) {
	case model.FormatDTS:
		p = dts.NewParser(dts.Options{File: src.File, Dict: o.Dict, Location: o.Location})
	case model.FormatODBC:
		p = odbc.NewParser(odbc.Options{File: src.File, Dict: o.Dict, Location: o.Location})
	default:
		p = ias.NewParser(ias.Options{File: src.File, Dict: o.Dict, Location: o.Location})
	}
	m, err := p.Parse(line, src)
	if err != nil {
		return m, fmt.Errorf("tui: reading %s again: %w", src, err)
	}
	return m, nil
}

// Close closes the files kept open.
func (r *rereader) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rf := range r.files {
		if rf.f != nil {
			rf.f.Close()
		}
	}
	r.files = map[string]*rfile{}
}
