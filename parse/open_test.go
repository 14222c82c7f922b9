package parse_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/parse"
)

// notNPS are fixtures that are deliberately not NPS logs.
func notNPS(path string) bool {
	base := filepath.Base(path)
	return base == "pfirewall.log" || base == "httperr1.log" || base == "setupapi.log"
}

func TestExpandWalk(t *testing.T) {
	ins, errs := parse.Expand([]string{filepath.Join(fixtures, "LogFiles")})
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	var got []string
	for _, in := range ins {
		rel, _ := filepath.Rel(filepath.Join(fixtures, "LogFiles"), in.Path)
		got = append(got, rel)
	}
	want := []string{"IN2403.log", "IN240305.log", "IN240306.log", "NPS/IN240308.log", "backup-march.log", "iaslog1.log", "iaslog2.log", "in240307.log"}
	if !slices.Equal(got, want) {
		t.Errorf("walk picked\n %v\nwant\n %v", got, want)
	}
}

func TestExpandGlobAndErrors(t *testing.T) {
	ins, errs := parse.Expand([]string{filepath.Join(fixtures, "LogFiles", "IN24030*.log"), filepath.Join(fixtures, "nomatch*.log"), filepath.Join(fixtures, "missing.log")})
	if len(ins) != 2 {
		t.Errorf("glob gave %d files, want 2: %v", len(ins), ins)
	}
	if len(errs) != 2 || !errors.Is(errs[0], parse.ErrNoMatch) || !errors.Is(errs[1], os.ErrNotExist) {
		t.Errorf("errors = %v, want no-match then not-exist", errs)
	}
	// A file named explicitly is sniffed: a non-NPS file is an error.
	_, errs = parse.Expand([]string{filepath.Join(fixtures, "LogFiles", "setupapi.log")})
	if len(errs) != 1 || !errors.Is(errs[0], parse.ErrUnknownFormat) {
		t.Errorf("setupapi.log: errors = %v, want unrecognised format", errs)
	}
}

func TestMergeInTimeOrder(t *testing.T) {
	s := open(filepath.Join(fixtures, "LogFiles"))
	var last time.Time
	n := 0
	for m, err := range s.All() {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		if m.Time.Before(last) {
			t.Fatalf("%s at %v comes after %v", m.Src, m.Time, last)
		}
		last = m.Time
		n++
	}
	if n == 0 {
		t.Fatal("no messages")
	}
	if st := s.Stats(); st.Files != 8 || st.Records != int64(n) {
		t.Errorf("stats = %+v, want 8 files and %d records", st, n)
	}
}

func TestSinceUntilSkipsFiles(t *testing.T) {
	day := time.Date(2024, 3, 6, 0, 0, 0, 0, time.UTC)
	s := parse.Open(context.Background(), []string{filepath.Join(fixtures, "LogFiles")},
		parse.Options{Location: time.UTC, Since: day, Until: day.Add(24*time.Hour - time.Second)})
	n := 0
	for m, err := range s.All() {
		if err != nil {
			t.Fatal(err)
		}
		if m.Time.Before(day) || !m.Time.Before(day.Add(24*time.Hour)) {
			t.Errorf("%s: %v outside the range", m.Src, m.Time)
		}
		n++
	}
	st := s.Stats()
	if n == 0 || st.FilesSkipped == 0 {
		t.Errorf("got %d messages, %d files skipped; want some of each", n, st.FilesSkipped)
	}
	if st.Files+st.FilesSkipped != 8 {
		t.Errorf("opened %d + skipped %d files, want 8", st.Files, st.FilesSkipped)
	}
}

func TestStrictStopsAtFirstError(t *testing.T) {
	s := parse.Open(context.Background(), []string{filepath.Join(fixtures, "bad.log")}, parse.Options{Location: time.UTC, Strict: true})
	var errs, msgs int
	for _, err := range s.All() {
		if err != nil {
			errs++
		} else {
			msgs++
		}
	}
	if errs != 1 {
		t.Errorf("strict yielded %d errors, want exactly 1", errs)
	}
	if msgs == 0 {
		t.Errorf("strict yielded no good record before the first bad one")
	}
}

func TestStdin(t *testing.T) {
	f, err := os.Open(filepath.Join(fixtures, "odbc66.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := parse.Open(context.Background(), []string{"-"}, parse.Options{Location: time.UTC, Stdin: f})
	n := 0
	for m, err := range s.All() {
		if err != nil && m.Kind == model.KindUnknown {
			t.Fatalf("stdin: %v", err)
		}
		if m.Src.File != "-" {
			t.Errorf("source file %q, want -", m.Src.File)
		}
		n++
	}
	if n == 0 {
		t.Error("nothing read from stdin")
	}
}

func TestParseErrorPositions(t *testing.T) {
	for _, err := range open(filepath.Join(fixtures, "bad.log")).All() {
		if err == nil {
			continue
		}
		var pe *model.ParseError
		if !errors.As(err, &pe) {
			t.Fatalf("%v is not a *model.ParseError", err)
		}
		if pe.Src.File == "" || pe.Src.Line == 0 || pe.Src.Format == "" {
			t.Errorf("error without a position: %v (%+v)", err, pe.Src)
		}
		if !strings.HasPrefix(err.Error(), pe.Src.File+":") {
			t.Errorf("error text %q does not start with the file", err)
		}
	}
}

func TestParseTime(t *testing.T) {
	now := time.Date(2024, 3, 5, 12, 0, 0, 0, time.UTC)
	berlin, _ := time.LoadLocation("Europe/Berlin")
	tests := []struct {
		in   string
		want time.Time
		err  bool
	}{
		{"2024-03-01T10:00:00Z", time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC), false},
		{"2024-03-01", time.Date(2024, 3, 1, 0, 0, 0, 0, berlin), false},
		{"2024-03-01 08:30", time.Date(2024, 3, 1, 8, 30, 0, 0, berlin), false},
		{"2024-03-01 08:30:15", time.Date(2024, 3, 1, 8, 30, 15, 0, berlin), false},
		{"-2h", now.Add(-2 * time.Hour), false},
		{"-7d", now.Add(-7 * 24 * time.Hour), false},
		{"-1w", now.Add(-7 * 24 * time.Hour), false},
		{"now", now, false},
		{"yesterday", time.Time{}, true},
		{"-2x", time.Time{}, true},
		{"", time.Time{}, true},
	}
	for _, tt := range tests {
		got, err := parse.ParseTime(tt.in, now, berlin)
		if (err != nil) != tt.err {
			t.Errorf("%q: err = %v, want error %v", tt.in, err, tt.err)
			continue
		}
		if !tt.err && !got.Equal(tt.want) {
			t.Errorf("%q = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestManyOverlappingFiles merges more files than workers whose times
// interleave: every reader must make progress although only one parses at
// a time.
func TestManyOverlappingFiles(t *testing.T) {
	dir := t.TempDir()
	const files, per = 5, 3000
	for i := range files {
		var b strings.Builder
		for j := range per {
			sec := j*files + i
			fmt.Fprintf(&b, "10.0.0.%d,u%d,03/05/2024,%02d:%02d:%02d,IAS,NPS0%d,4136,1,4142,0\r\n", i+1, j, sec/3600%24, sec/60%60, sec%60, i)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("IN24030%d.log", i)), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s := parse.Open(ctx, []string{dir}, parse.Options{Location: time.UTC, Workers: 1})
	n := 0
	var last time.Time
	for m, err := range s.All() {
		if err != nil {
			t.Fatalf("after %d messages: %v", n, err)
		}
		if m.Time.Before(last) {
			t.Fatalf("out of order at %s", m.Src)
		}
		last = m.Time
		n++
	}
	if n != files*per {
		t.Errorf("%d messages, want %d", n, files*per)
	}
}
