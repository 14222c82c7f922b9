package evtx_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/radscope/radscope/parse/winevent/evtx"
)

func benchRead(b *testing.B, data []byte) {
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	n := 0
	for b.Loop() {
		r := evtx.NewReader(bytes.NewReader(data), int64(len(data)), evtx.Options{})
		for rec, err := range r.All() {
			if err == nil && rec.Root != nil {
				n++
			}
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkReadGenerated reads 3000 NPS events written by evtxtest.
func BenchmarkReadGenerated(b *testing.B) {
	benchRead(b, manyEvents(b, 3000, false))
}

// BenchmarkReadSecuritySample reads the real security.evtx (2.1 MB, 2261
// records) when the shared samples are present.
func BenchmarkReadSecuritySample(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(sharedEvtx, "security.evtx"))
	if err != nil {
		b.Skip("shared samples not present")
	}
	benchRead(b, data)
}
