package export

import (
	"bytes"
	"compress/gzip"
	"testing"
)

// BenchmarkEncode measures the ClickHouse rows of the fixtures' messages
// and flows, encoded and gzip-compressed as the exporter sends them.
func BenchmarkEncode(b *testing.B) {
	flows, _ := buildFlows(b, fixtures[1])
	var buf []byte
	var out bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&out, gzip.BestSpeed)
	rows := 0
	for b.Loop() {
		buf, rows = buf[:0], 0
		out.Reset()
		zw.Reset(&out)
		for i := range flows {
			f := &flows[i]
			ids := make([]uint64, len(f.Messages))
			for j := range f.Messages {
				ids[j] = MessageID(&f.Messages[j])
			}
			id := FlowID(f, ids)
			for j := range f.Messages {
				buf = appendMessage(buf, &f.Messages[j], ids[j], id, j, false)
				rows++
			}
			buf = appendFlow(buf, f, id, uint64(i), 0)
			rows++
		}
		zw.Write(buf)
		zw.Close()
	}
	b.SetBytes(int64(len(buf)))
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(len(buf))/float64(out.Len()), "ratio")
}
