// Package textio reads the lines of text logs and exports written on Windows:
// UTF-8 with or without a byte-order mark, UTF-16LE/BE (with a BOM, or
// without one when the first bytes show it), Windows-1252 where a line is not
// valid UTF-8, CRLF or LF line endings, and a last line with no ending (a log
// still being written).
//
// Lines come back as UTF-8 with the line ending removed, together with their
// 1-based number and their byte offset in the input, so readers can report
// positions as file:line:col.
package textio

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Encoding is the encoding detected for the input.
type Encoding uint8

const (
	UTF8 Encoding = iota
	UTF8BOM
	UTF16LE
	UTF16BE
)

var encNames = [...]string{"utf-8", "utf-8 (bom)", "utf-16le", "utf-16be"}

func (e Encoding) String() string { return encNames[e] }

// MaxLine is the longest line returned whole; a longer one is reported with
// ErrLineTooLong and skipped up to its end.
const MaxLine = 4 << 20

// ErrLineTooLong reports a line over MaxLine bytes.
var ErrLineTooLong = errors.New("line too long")

// Line is one line of input.
type Line struct {
	Text     []byte // UTF-8, no line ending; valid until the next call to Next
	No       int    // 1-based line number
	Offset   int64  // byte offset of the line's start (in the decoded text for UTF-16)
	Complete bool   // false for a last line without a line ending
	CP1252   bool   // the line was not valid UTF-8 and was decoded as Windows-1252
}

// Reader splits its input into lines.
type Reader struct {
	br       *bufio.Reader
	enc      Encoding
	line     Line
	no       int
	off      int64
	buf      []byte // assembles long lines and CP1252 conversions
	sticky   error
	decoder1 *encoding.Decoder
}

// NewReader returns a Reader that sniffs the encoding from the first bytes.
func NewReader(r io.Reader) *Reader {
	br := bufio.NewReaderSize(r, 256<<10)
	head, _ := br.Peek(512)
	rd := &Reader{enc: Detect(head)}
	switch rd.enc {
	case UTF8BOM:
		br.Discard(3)
		rd.off = 3
	case UTF16LE, UTF16BE:
		br = bufio.NewReaderSize(Decode(br, rd.enc), 256<<10)
	}
	rd.br = br
	return rd
}

// NewReaderAt returns a Reader over a piece of a larger UTF-8 (or
// Windows-1252) text that starts at line firstLine and byte offset offset
// of the whole: parallel readers give each their piece, and positions still
// refer to the whole file. It does not look for a byte-order mark.
func NewReaderAt(r io.Reader, firstLine int, offset int64) *Reader {
	return &Reader{br: bufio.NewReaderSize(r, 64<<10), enc: UTF8, no: firstLine - 1, off: offset}
}

// Detect tells the encoding of a text from its first bytes: a byte-order
// mark, or for UTF-16 without one, a zero in every second byte of mostly
// ASCII text (PowerShell 5.1 writes UTF-16LE by default; wevtutil, NPS and
// Export-Csv write UTF-8 or the ANSI code page).
func Detect(head []byte) Encoding {
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		return UTF8BOM
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		return UTF16LE
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return UTF16BE
	}
	return sniffUTF16(head)
}

// Decode returns r as UTF-8 for a text in encoding enc: UTF-16 is
// converted (a BOM dropped), a UTF-8 BOM dropped, other text passed as is.
func Decode(r io.Reader, enc Encoding) io.Reader {
	switch enc {
	case UTF8BOM:
		return transform.NewReader(r, unicode.UTF8BOM.NewDecoder())
	case UTF16LE:
		return transform.NewReader(r, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder())
	case UTF16BE:
		return transform.NewReader(r, unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewDecoder())
	}
	return r
}

// sniffUTF16 recognises UTF-16 text without a BOM: mostly ASCII text has a
// zero in every second byte.
func sniffUTF16(head []byte) Encoding {
	n := len(head) &^ 1
	if n < 8 {
		return UTF8
	}
	var zeroEven, zeroOdd int
	for i := 0; i < n; i += 2 {
		if head[i] == 0 {
			zeroEven++
		}
		if head[i+1] == 0 {
			zeroOdd++
		}
	}
	half := n / 2
	switch {
	case zeroOdd*10 >= half*9 && zeroEven == 0:
		return UTF16LE
	case zeroEven*10 >= half*9 && zeroOdd == 0:
		return UTF16BE
	}
	return UTF8
}

// Encoding reports the encoding detected.
func (r *Reader) Encoding() Encoding { return r.enc }

// Next returns the next line. At the end of the input it returns io.EOF.
// ErrLineTooLong comes with the line's number and offset filled in; the
// reader has skipped that line and can go on. Other errors are final.
func (r *Reader) Next() (*Line, error) {
	if r.sticky != nil {
		return nil, r.sticky
	}
	r.no++
	start := r.off
	data, err := r.br.ReadSlice('\n')
	consumed := int64(len(data))
	if err == bufio.ErrBufferFull {
		r.buf = append(r.buf[:0], data...)
		tooLong := false
		for err == bufio.ErrBufferFull {
			data, err = r.br.ReadSlice('\n')
			consumed += int64(len(data))
			if !tooLong {
				if len(r.buf)+len(data) > MaxLine {
					tooLong = true
				} else {
					r.buf = append(r.buf, data...)
				}
			}
		}
		r.off += consumed
		if tooLong {
			if err != nil && err != io.EOF {
				r.sticky = err
			}
			r.line = Line{No: r.no, Offset: start, Complete: err == nil}
			return &r.line, ErrLineTooLong
		}
		data = r.buf
	} else {
		r.off += consumed
	}
	if err != nil && err != io.EOF {
		r.sticky = err
		return nil, err
	}
	if err == io.EOF && len(data) == 0 {
		r.sticky = io.EOF
		r.no--
		return nil, io.EOF
	}
	complete := err == nil
	if complete {
		data = data[:len(data)-1]
	}
	if n := len(data); n > 0 && data[n-1] == '\r' {
		data = data[:n-1]
	}
	r.line = Line{Text: data, No: r.no, Offset: start, Complete: complete}
	if !isASCII(data) && !utf8.Valid(data) {
		if r.decoder1 == nil {
			r.decoder1 = charmap.Windows1252.NewDecoder()
		}
		out, e := r.decoder1.Bytes(data)
		if e == nil {
			r.buf = append(r.buf[:0], out...)
			r.line.Text = r.buf
			r.line.CP1252 = true
		}
	}
	return &r.line, nil
}

func isASCII(b []byte) bool {
	for len(b) >= 8 {
		x := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
			uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
		if x&0x8080808080808080 != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}
