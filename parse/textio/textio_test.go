package textio_test

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/radscope/radscope/parse/textio"
)

func utf16Bytes(s string, be, bom bool) []byte {
	var b []byte
	put := func(u uint16) {
		if be {
			b = append(b, byte(u>>8), byte(u))
		} else {
			b = append(b, byte(u), byte(u>>8))
		}
	}
	if bom {
		put(0xFEFF)
	}
	for _, u := range utf16.Encode([]rune(s)) {
		put(u)
	}
	return b
}

func lines(t *testing.T, in []byte) ([]string, []textio.Line, textio.Encoding) {
	t.Helper()
	r := textio.NewReader(bytes.NewReader(in))
	var out []string
	var meta []textio.Line
	for {
		ln, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		out = append(out, string(ln.Text))
		meta = append(meta, *ln)
	}
	return out, meta, r.Encoding()
}

func TestEncodings(t *testing.T) {
	const text = "a,é€\r\nsecond line\r\nlast"
	tests := []struct {
		name string
		in   []byte
		enc  textio.Encoding
	}{
		{"utf8", []byte(text), textio.UTF8},
		{"utf8-bom", append([]byte("\xEF\xBB\xBF"), text...), textio.UTF8BOM},
		{"utf16le-bom", utf16Bytes(text, false, true), textio.UTF16LE},
		{"utf16be-bom", utf16Bytes(text, true, true), textio.UTF16BE},
		{"utf16le-nobom", utf16Bytes(strings.Repeat("x", 20)+text, false, false), textio.UTF16LE},
		{"cp1252", []byte("a,\xE9\x80\r\nsecond line\r\nlast"), textio.UTF8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, meta, enc := lines(t, tt.in)
			if enc != tt.enc {
				t.Errorf("encoding %v, want %v", enc, tt.enc)
			}
			if len(got) != 3 {
				t.Fatalf("got %d lines %q, want 3", len(got), got)
			}
			if !strings.HasSuffix(got[0], "é€") {
				t.Errorf("first line %q lost its accents", got[0])
			}
			if got[1] != "second line" || !strings.HasSuffix(got[2], "last") {
				t.Errorf("lines = %q", got)
			}
			if !meta[0].Complete || !meta[1].Complete || meta[2].Complete {
				t.Errorf("completeness = %v %v %v, want true true false", meta[0].Complete, meta[1].Complete, meta[2].Complete)
			}
			if meta[2].No != 3 {
				t.Errorf("line number %d, want 3", meta[2].No)
			}
			if tt.name == "cp1252" && !meta[0].CP1252 {
				t.Error("cp1252 line not flagged")
			}
		})
	}
}

func TestOffsetsAndLF(t *testing.T) {
	in := "one\ntwo\r\n\nfour"
	_, meta, _ := lines(t, []byte(in))
	want := []int64{0, 4, 9, 10}
	for i, m := range meta {
		if m.Offset != want[i] {
			t.Errorf("line %d offset %d, want %d", i+1, m.Offset, want[i])
		}
	}
}

func TestLongLine(t *testing.T) {
	long := strings.Repeat("x", textio.MaxLine+10)
	in := "short\n" + long + "\nafter\n"
	r := textio.NewReader(strings.NewReader(in))
	var got []string
	var tooLong int
	for {
		ln, err := r.Next()
		if err == io.EOF {
			break
		}
		if err == textio.ErrLineTooLong {
			tooLong++
			if ln.No != 2 {
				t.Errorf("long line reported as line %d", ln.No)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(ln.Text))
	}
	if tooLong != 1 || len(got) != 2 || got[1] != "after" {
		t.Errorf("tooLong=%d lines=%q", tooLong, got)
	}
}

func FuzzReader(f *testing.F) {
	f.Add([]byte("a\r\nb"))
	f.Add(utf16Bytes("x,y\r\nz", false, true))
	f.Add([]byte("\xEF\xBB\xBF\xE9\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		r := textio.NewReader(bytes.NewReader(in))
		n := 0
		for {
			ln, err := r.Next()
			if err == io.EOF {
				return
			}
			if err != nil && err != textio.ErrLineTooLong {
				t.Fatal(err)
			}
			n++
			if ln.No != n {
				t.Fatalf("line number %d, want %d", ln.No, n)
			}
			if n > len(in)+1 {
				t.Fatalf("more lines (%d) than bytes (%d)", n, len(in))
			}
		}
	})
}
