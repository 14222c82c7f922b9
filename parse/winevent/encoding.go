package winevent

import (
	"bytes"
	"io"
	"unicode/utf8"

	"github.com/radscope/radscope/parse/textio"
	"golang.org/x/text/encoding/charmap"
)

// detect tells the encoding of an export from its first bytes (see
// textio.Detect).
func detect(head []byte) textio.Encoding { return textio.Detect(head) }

// decodeStream returns r as UTF-8, given its first bytes.
func decodeStream(r io.Reader, head []byte) io.Reader { return textio.Decode(r, detect(head)) }

// decodeHead decodes the head of a file for sniffing.
func decodeHead(head []byte) []byte {
	if detect(head) == textio.UTF8 {
		return head
	}
	out, _ := io.ReadAll(decodeStream(bytes.NewReader(head), head))
	return out
}

// fixText returns s as valid UTF-8, reading it as Windows-1252 (the ANSI
// code page of western Windows) when it is not UTF-8.
func fixText(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	out, err := charmap.Windows1252.NewDecoder().String(s)
	if err != nil {
		return string(bytes.ToValidUTF8([]byte(s), []byte("\uFFFD")))
	}
	return out
}
