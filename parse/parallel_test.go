package parse

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/radscope/radscope/model"
)

// TestParallelEqualsSequential cuts logs into many small chunks and checks
// that the parallel reader yields exactly what the sequential one does:
// same messages, same errors, same positions, same order.
func TestParallelEqualsSequential(t *testing.T) {
	saved := chunkSize
	defer func() { chunkSize = saved }()
	var all []byte
	for _, f := range []string{"odbc66.log", "ias.log", "dts.log", "mixed.log", "bad.log", "lf-only.log", "cp1252.log"} {
		b, err := os.ReadFile(filepath.Join("../testdata/iaslogs", f))
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, b...)
		if len(b) > 0 && b[len(b)-1] != '\n' {
			all = append(all, '\r', '\n')
		}
	}
	all = append(all, "10.0.0.1,bob,03/05/2024,08:00:00,IAS,NPS01,4136,1,41"...) // truncated last line
	o := Options{Location: time.UTC}
	render := func(r reader) string {
		var b bytes.Buffer
		for {
			m, err := r.Read()
			if err == io.EOF {
				return b.String()
			}
			fmt.Fprintf(&b, "%v %v %v %d %q %v\n", m.Src, m.Time, m.Code, m.Reason, m.User, err)
			if err != nil && !model.IsParseError(err) {
				return b.String()
			}
		}
	}
	want := render(openNPS(bytes.NewReader(all), model.FormatODBC, "f", o))
	for _, size := range []int{64, 700, 4096, 1 << 20} {
		chunkSize = size
		for _, workers := range []int{1, 2, 3} {
			p := newParallelNPS(context.Background(), bytes.NewReader(all), model.FormatODBC, "f", o, workers)
			got := render(p)
			p.Close()
			if got != want {
				t.Errorf("chunk %d, %d workers: output differs\n--- sequential\n%.800s\n--- parallel\n%.800s", size, workers, want, got)
			}
		}
	}
}

func TestParallelStopsEarly(t *testing.T) {
	saved := chunkSize
	defer func() { chunkSize = saved }()
	chunkSize = 256
	b, err := os.ReadFile("../testdata/iaslogs/odbc66.log")
	if err != nil {
		t.Fatal(err)
	}
	data := bytes.Repeat(b, 50)
	p := newParallelNPS(context.Background(), bytes.NewReader(data), model.FormatODBC, "f", Options{Location: time.UTC}, 2)
	if _, err := p.Read(); err != nil {
		t.Fatal(err)
	}
	p.Close() // must not hang or leak a blocked goroutine
}
