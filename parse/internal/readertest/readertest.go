// Package readertest holds the checks every NPS text reader's tests and
// fuzz targets share.
package readertest

import (
	"bytes"
	"errors"
	"iter"
	"os"
	"path/filepath"
	"testing"

	"github.com/radscope/radscope/model"
)

// Seeds adds every NPS log fixture to a fuzz target's corpus.
func Seeds(f *testing.F, dir string, extra ...string) {
	files, _ := filepath.Glob(filepath.Join(dir, "*.log"))
	for _, fn := range files {
		b, err := os.ReadFile(fn)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range extra {
		f.Add([]byte(s))
	}
}

// CheckStream reads a whole stream over input and fails on what a reader
// must never do: yield an error that is not a *model.ParseError naming a
// line of the input, yield a message with no time, or yield more results
// than the input has lines.
func CheckStream(t *testing.T, in []byte, seq iter.Seq2[model.Message, error]) {
	t.Helper()
	lines := bytes.Count(in, []byte("\n")) + 1
	n := 0
	for m, err := range seq {
		n++
		if err != nil {
			var pe *model.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("non-ParseError %v", err)
			}
			if pe.Src.Line < 1 || pe.Src.Line > lines {
				t.Fatalf("error at line %d outside 1..%d: %v", pe.Src.Line, lines, err)
			}
		} else if m.Time.IsZero() {
			t.Fatal("message without a time")
		}
	}
	if n > lines {
		t.Fatalf("%d results from %d lines", n, lines)
	}
}
