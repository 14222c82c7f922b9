package parse_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/radscope/radscope/internal/golden"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/output"
	"github.com/radscope/radscope/parse"
	"github.com/radscope/radscope/parse/textio"
)

const fixtures = "../testdata/iaslogs"

// fixtureFiles lists every NPS log fixture (not the generator's sources).
func fixtureFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(fixtures, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "mkfixtures" {
			return filepath.SkipDir
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".log") || strings.HasSuffix(p, ".log.gz")) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 10 {
		t.Fatalf("only %d fixtures found under %s", len(files), fixtures)
	}
	return files
}

// nonBlankLines counts the lines of a text file that hold anything, decoded
// the way the readers decode them.
func nonBlankLines(t *testing.T, path string) int {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(path, ".gz") {
		data = gunzip(t, data)
	}
	lr := textio.NewReader(bytes.NewReader(data))
	n := 0
	for {
		ln, err := lr.Next()
		if err != nil {
			break
		}
		if len(bytes.Trim(ln.Text, " \t\r\x00")) > 0 {
			n++
		}
	}
	return n
}

func open(paths ...string) *parse.Stream {
	return parse.Open(context.Background(), paths, parse.Options{Location: time.UTC})
}

// TestNothingLost proves that every non-blank line of every fixture comes
// out as a message, a message with an error, or an error: none vanishes.
func TestNothingLost(t *testing.T) {
	for _, f := range fixtureFiles(t) {
		if notNPS(f) {
			continue
		}
		t.Run(filepath.Base(f), func(t *testing.T) {
			want := nonBlankLines(t, f)
			var msgs, malformed, errs int
			s := open(f)
			for m, err := range s.All() {
				switch {
				case err == nil:
					msgs++
				case m.Kind != model.KindUnknown:
					malformed++
				default:
					if !model.IsParseError(err) {
						t.Fatalf("final error: %v", err)
					}
					errs++
				}
			}
			if got := msgs + malformed + errs; got != want {
				t.Errorf("%d messages + %d malformed + %d errors = %d, want %d non-blank lines", msgs, malformed, errs, got, want)
			}
			st := s.Stats()
			if st.Records != int64(msgs) || st.Errors != int64(malformed+errs) || st.Malformed != int64(malformed) {
				t.Errorf("stats %+v disagree with the stream (%d, %d, %d)", st, msgs, malformed, errs)
			}
		})
	}
}

// TestGolden pins the decoded output of every fixture: the NDJSON of the
// messages and the errors, in stream order.
func TestGolden(t *testing.T) {
	for _, f := range fixtureFiles(t) {
		rel, _ := filepath.Rel(fixtures, f)
		name := strings.NewReplacer("/", "__", ".", "_").Replace(rel)
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			w := output.NewWriter(output.NDJSON, &buf, output.Options{})
			for m, err := range open(f).All() {
				if err != nil {
					w.Close()
					fmt.Fprintf(&buf, "ERROR %v\n", err)
				}
				if m.Kind != model.KindUnknown {
					if err := w.Write(&m); err != nil {
						t.Fatal(err)
					}
				}
			}
			w.Close()
			golden.Check(t, filepath.Join("testdata", "golden", name+".golden"), buf.Bytes())
		})
	}
}
