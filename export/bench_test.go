package export

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"testing"
)

// BenchmarkEncode measures the ClickHouse rows of the fixtures' messages
// and flows, encoded and gzip-framed as the exporter sends them: stored
// (level 0, the default for a server on the same machine) and compressed
// (level 1, for one across a network).
func BenchmarkEncode(b *testing.B) {
	flows, _ := buildFlows(b, fixtures[1])
	for _, level := range []int{gzip.NoCompression, gzip.BestSpeed} {
		b.Run(fmt.Sprintf("gzip%d", level), func(b *testing.B) {
			var buf []byte
			var ids []uint64
			var out bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&out, level)
			rows := 0
			b.ReportAllocs()
			for b.Loop() {
				buf, rows = buf[:0], 0
				out.Reset()
				zw.Reset(&out)
				for i := range flows {
					f := &flows[i]
					ids = ids[:0]
					for j := range f.Messages {
						ids = append(ids, MessageID(&f.Messages[j]))
					}
					id := FlowID(f, ids)
					for j := range f.Messages {
						buf = appendMessage(buf, &f.Messages[j], ids[j], id, j, false)
						rows++
					}
					buf = appendFlow(buf, f, id, uint64(i), 0, 0)
					rows++
				}
				zw.Write(buf)
				zw.Close()
			}
			b.SetBytes(int64(len(buf)))
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(len(buf))/float64(out.Len()), "ratio")
		})
	}
}
