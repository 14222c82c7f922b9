package parse

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/radscope/radscope/dict"
	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/parse/pcap"
	"github.com/radscope/radscope/parse/textio"
	"github.com/radscope/radscope/parse/winevent"
	"github.com/radscope/radscope/secret"
)

// Options configure Open.
type Options struct {
	Dict     *dict.Dictionary // nil means dict.Default()
	Location *time.Location   // zone the NPS server's local times are read in; nil means time.Local
	Since    time.Time        // drop messages before this (zero: no bound)
	Until    time.Time        // drop messages after this (zero: no bound)
	Strict   bool             // stop at the first bad record
	Workers  int              // files parsed at once; 0 means GOMAXPROCS
	Stdin    io.Reader        // what "-" reads; nil means os.Stdin

	// Captures only.
	Secrets     *secret.Store // shared secrets to decrypt and verify with; nil: none
	Ports       []uint16      // UDP ports read as RADIUS besides the standard ones
	ShowSecrets bool          // put decrypted passwords in attribute values (still marked sensitive)
	Window      time.Duration // how long a request waits for its response before it is marked norsp; 0: 30 s
}

// Errors a caller can branch on.
var (
	// ErrUnknownFormat: a file named on the command line is in no format
	// radscope reads.
	ErrUnknownFormat = errors.New("unrecognised format")
	// ErrNoMatch: a glob pattern matched nothing.
	ErrNoMatch = errors.New("no file matches")
)

// Input is one file to read, found by Expand.
type Input struct {
	Path   string       // as given or found; "-" for stdin
	Format model.Format // sniffed; for NPS logs, the format of the first line
	Size   int64        // bytes on disk, -1 when unknown
	Gzip   bool
}

// reader is what every format yields.
type reader interface {
	Read() (model.Message, error)
}

// format is one row of the table of formats.
type format struct {
	name model.Format
	// sniff recognises the format from the first bytes (decompressed; for
	// UTF-16 text, decoded to UTF-8).
	sniff func(head []byte) (model.Format, bool)
	// text is true for line-oriented text formats: their head is decoded
	// before sniffing.
	text bool
	// open returns the reader. ra is non-nil for plain files, for the
	// formats that need random access.
	open func(r io.Reader, ra io.ReaderAt, size int64, f model.Format, file string, o Options) (reader, error)
	// names are lower-case glob patterns a directory walk picks without
	// sniffing; other files are picked only when sniff says yes and
	// their extension is in sniffExt.
	names    []string
	sniffExt []string
}

// formats is the table of formats, in sniffing order. Binary formats come
// first: their magic numbers are unambiguous.
var formats = []format{
	{
		name: model.FormatPcap,
		sniff: func(head []byte) (model.Format, bool) {
			if !pcap.Sniff(head) {
				return "", false
			}
			if len(head) >= 4 && head[0] == 0x0A && head[1] == 0x0D && head[2] == 0x0D && head[3] == 0x0A {
				return model.FormatPcapNG, true
			}
			return model.FormatPcap, true
		},
		open: func(r io.Reader, _ io.ReaderAt, _ int64, _ model.Format, file string, o Options) (reader, error) {
			return pcap.NewReader(r, pcap.Options{File: file, Dict: o.Dict, Secrets: o.Secrets, Ports: o.Ports, ShowSecrets: o.ShowSecrets, Window: o.Window})
		},
		names: []string{"*.pcap", "*.pcapng", "*.cap", "*.dmp"},
	},
	{
		name: model.FormatEVTX,
		sniff: func(head []byte) (model.Format, bool) {
			return model.FormatEVTX, winevent.SniffEVTX(head)
		},
		open: func(r io.Reader, ra io.ReaderAt, size int64, _ model.Format, file string, o Options) (reader, error) {
			wo := winevent.Options{File: file, Location: o.Location, Strict: o.Strict}
			if ra != nil && size > 0 {
				return winevent.NewEVTXReader(ra, size, wo), nil
			}
			return winevent.NewReader(model.FormatEVTX, r, wo)
		},
		names: []string{"*.evtx"},
	},
	{
		name:  "nps",
		sniff: sniffNPS,
		text:  true,
		open: func(r io.Reader, _ io.ReaderAt, _ int64, f model.Format, file string, o Options) (reader, error) {
			return openNPS(r, f, file, o), nil
		},
		names:    []string{"in*.log", "iaslog*.log"},
		sniffExt: []string{".log", ".txt"},
	},
	{
		name: "winevent",
		sniff: func(head []byte) (model.Format, bool) {
			f, ok := winevent.Sniff(head)
			if f == model.FormatEVTX {
				return "", false
			}
			return f, ok
		},
		text: true,
		open: func(r io.Reader, _ io.ReaderAt, _ int64, f model.Format, file string, o Options) (reader, error) {
			return winevent.NewReader(f, r, winevent.Options{File: file, Location: o.Location, Strict: o.Strict})
		},
		sniffExt: []string{".xml", ".csv", ".json", ".ndjson", ".jsonl", ".txt", ".log"},
	},
}

// headSize is how much of a file sniffing looks at.
const headSize = 8 << 10

// sniff finds the format of head.
func sniff(head []byte) (*format, model.Format) {
	for i := range formats {
		f := &formats[i]
		if f.text {
			continue
		}
		if name, ok := f.sniff(head); ok {
			return f, name
		}
	}
	text := decodeHead(head)
	for i := range formats {
		f := &formats[i]
		if !f.text {
			continue
		}
		if name, ok := f.sniff(text); ok {
			return f, name
		}
	}
	return nil, ""
}

// decodeHead turns the head of a text file into UTF-8 for sniffing.
func decodeHead(head []byte) []byte {
	lr := textio.NewReader(bytes.NewReader(head))
	if lr.Encoding() == textio.UTF8 {
		return head
	}
	var out []byte
	for {
		ln, err := lr.Next()
		if err != nil {
			break
		}
		out = append(out, ln.Text...)
		out = append(out, '\n')
	}
	return out
}

// Expand turns the paths given on a command line into the files to read:
// "-" is stdin; a directory is walked recursively in sorted order, picking
// the files whose names the formats claim (IN*.log, iaslog*.log, *.pcap,
// *.evtx, ...) and other files of the formats' extensions whose content
// sniffs as one of them; a pattern with *, ? or [ is expanded by radscope
// itself (Windows shells do not); a plain file is taken whatever its name
// and sniffed. Problems with single paths come back as errors, one per
// path, and the rest is still expanded.
func Expand(paths []string) ([]Input, []error) {
	var ins []Input
	var errs []error
	for _, p := range paths {
		if p == "-" {
			ins = append(ins, Input{Path: "-", Size: -1})
			continue
		}
		st, err := os.Stat(p)
		if err != nil && strings.ContainsAny(p, "*?[") {
			matches, gerr := filepath.Glob(p)
			if gerr != nil {
				errs = append(errs, pathErr(p, gerr))
				continue
			}
			if len(matches) == 0 {
				errs = append(errs, pathErr(p, ErrNoMatch))
				continue
			}
			slices.Sort(matches)
			for _, m := range matches {
				in, es := expandOne(m, true)
				ins = append(ins, in...)
				errs = append(errs, es...)
			}
			continue
		}
		if err != nil {
			errs = append(errs, pathErr(p, err))
			continue
		}
		_ = st
		in, es := expandOne(p, true)
		ins = append(ins, in...)
		errs = append(errs, es...)
	}
	return ins, errs
}

func expandOne(p string, explicit bool) ([]Input, []error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, []error{pathErr(p, err)}
	}
	if !st.IsDir() {
		in, err := classify(p, st.Size(), explicit)
		if err != nil {
			return nil, []error{err}
		}
		if in == nil {
			return nil, nil
		}
		return []Input{*in}, nil
	}
	var ins []Input
	var errs []error
	// WalkDir visits entries in lexical order.
	werr := filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			errs = append(errs, pathErr(path, err))
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			errs = append(errs, pathErr(path, err))
			return nil
		}
		in, err := classify(path, info.Size(), false)
		if err != nil {
			errs = append(errs, err)
			return nil
		}
		if in != nil {
			ins = append(ins, *in)
		}
		return nil
	})
	if werr != nil {
		errs = append(errs, pathErr(p, werr))
	}
	return ins, errs
}

// classify sniffs one file. For a file found in a directory walk it returns
// nil (no error) when the file is not one radscope reads.
func classify(path string, size int64, explicit bool) (*Input, error) {
	base := strings.ToLower(filepath.Base(path))
	gz := strings.HasSuffix(base, ".gz")
	inner := strings.TrimSuffix(base, ".gz")
	var byName, byExt bool
	for i := range formats {
		for _, pat := range formats[i].names {
			if ok, _ := filepath.Match(pat, inner); ok {
				byName = true
			}
		}
		if slices.Contains(formats[i].sniffExt, filepath.Ext(inner)) {
			byExt = true
		}
	}
	if !explicit && !byName && !byExt {
		return nil, nil
	}
	head, isGz, err := readHead(path)
	if err != nil {
		return nil, pathErr(path, err)
	}
	if len(head) == 0 {
		if explicit || byName {
			return &Input{Path: path, Format: "", Size: size, Gzip: isGz}, nil
		}
		return nil, nil
	}
	f, name := sniff(head)
	if f == nil {
		if explicit {
			return nil, &model.ParseError{Src: model.Source{File: path}, Err: ErrUnknownFormat}
		}
		return nil, nil
	}
	_ = gz
	return &Input{Path: path, Format: name, Size: size, Gzip: isGz}, nil
}

// pathErr reports a problem with a whole path as a ParseError naming it, so
// that it counts as skipped input and reading goes on with the other paths.
// The *fs.PathError wrapping, which repeats the path, is dropped.
func pathErr(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return &model.ParseError{Src: model.Source{File: path}, Err: err}
}

// readHead returns the first bytes of a file, decompressed when it is gzip.
func readHead(path string) ([]byte, bool, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, false, err
	}
	defer fh.Close()
	br := bufio.NewReaderSize(fh, headSize)
	r, gz, err := maybeGunzip(br)
	if err != nil {
		return nil, gz, err
	}
	head := make([]byte, headSize)
	n, err := io.ReadFull(r, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return head[:n], gz, err
	}
	return head[:n], gz, nil
}

// maybeGunzip wraps br in a gzip reader when it starts with the gzip magic.
func maybeGunzip(br *bufio.Reader) (io.Reader, bool, error) {
	magic, _ := br.Peek(2)
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, true, fmt.Errorf("gzip: %w", err)
		}
		return zr, true, nil
	}
	return br, false, nil
}
