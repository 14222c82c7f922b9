package winevent

import (
	"bytes"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

type textEncoding uint8

const (
	encUTF8 textEncoding = iota
	encUTF8BOM
	encUTF16LE
	encUTF16BE
)

// detect tells the encoding of an export from its first bytes: a BOM, or
// for UTF-16 without one, a zero in every second byte of mostly ASCII
// text. PowerShell 5.1 writes UTF-16LE with a BOM by default (Out-File,
// ">"), wevtutil and Export-Csv UTF-8 or the ANSI code page.
func detect(head []byte) textEncoding {
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		return encUTF8BOM
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		return encUTF16LE
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return encUTF16BE
	}
	n := len(head) &^ 1
	if n < 8 {
		return encUTF8
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
		return encUTF16LE
	case zeroEven*10 >= half*9 && zeroOdd == 0:
		return encUTF16BE
	}
	return encUTF8
}

// decodeStream returns r as UTF-8, given its first bytes.
func decodeStream(r io.Reader, head []byte) io.Reader {
	switch detect(head) {
	case encUTF8BOM:
		return transform.NewReader(r, unicode.UTF8BOM.NewDecoder())
	case encUTF16LE:
		return transform.NewReader(r, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder())
	case encUTF16BE:
		return transform.NewReader(r, unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewDecoder())
	}
	return r
}

// decodeHead decodes the head of a file for sniffing.
func decodeHead(head []byte) []byte {
	if detect(head) == encUTF8 {
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
