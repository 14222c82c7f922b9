package npslog_test

import (
	"io"
	"testing"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/nps/npslog"
)

func BenchmarkWrite(b *testing.B) {
	msgs := records()
	for _, f := range formats {
		b.Run(string(f), func(b *testing.B) {
			w := npslog.NewWriter(io.Discard, f, zone)
			b.ReportAllocs()
			for b.Loop() {
				for _, m := range msgs {
					if err := w.Write(m); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(b.N*len(msgs))/b.Elapsed().Seconds(), "records/s")
		})
	}
}

func BenchmarkWriteEvents(b *testing.B) {
	msgs := events()
	w := npslog.NewEventWriter(io.Discard)
	b.ReportAllocs()
	for b.Loop() {
		for _, m := range msgs {
			if err := w.Write(m); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N*len(msgs))/b.Elapsed().Seconds(), "events/s")
}

var _ = model.FormatIAS
