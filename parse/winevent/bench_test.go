package winevent_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/parse/winevent"
)

func benchFormat(b *testing.B, f model.Format, data []byte) {
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	n := 0
	for b.Loop() {
		r, err := winevent.NewReader(f, bytes.NewReader(data), winevent.Options{Location: cet, Size: int64(len(data))})
		if err != nil {
			b.Fatal(err)
		}
		for _, err := range r.All() {
			if err == nil {
				n++
			}
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}

func fixture(b *testing.B, name string) []byte {
	data, err := os.ReadFile(filepath.Join(fixtures, name))
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// BenchmarkEVTXMessages reads the real security.evtx sample (when present)
// into messages: the EVTX reader plus the mapping.
func BenchmarkEVTXMessages(b *testing.B) {
	data, err := os.ReadFile("../../../shared/samples/evtx/security.evtx")
	if err != nil {
		data = fixture(b, "NPS01_Security.evtx")
	}
	benchFormat(b, model.FormatEVTX, data)
}

func BenchmarkXML(b *testing.B)    { benchFormat(b, model.FormatXML, fixture(b, "saved-all.xml")) }
func BenchmarkCSV(b *testing.B)    { benchFormat(b, model.FormatCSV, fixture(b, "ps-all.csv")) }
func BenchmarkJSON(b *testing.B)   { benchFormat(b, model.FormatJSON, fixture(b, "ps-all.json")) }
func BenchmarkNDJSON(b *testing.B) { benchFormat(b, model.FormatJSON, fixture(b, "winlogbeat.ndjson")) }
func BenchmarkText(b *testing.B)   { benchFormat(b, model.FormatText, fixture(b, "formatlist-all.txt")) }
