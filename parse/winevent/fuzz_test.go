package winevent_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/parse/winevent"
)

func seed(f *testing.F, names ...string) {
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(fixtures, n))
		if err != nil {
			f.Fatal(err)
		}
		if len(b) > 8<<10 {
			b = b[:8<<10]
		}
		f.Add(b)
	}
}

func fuzzReader(t *testing.T, newReader func() *winevent.Reader) {
	n := 0
	for m, err := range newReader().All() {
		if n++; n > 1<<16 {
			t.Fatal("too many events")
		}
		if err != nil && !model.IsParseError(err) {
			t.Fatalf("not a ParseError: %v", err)
		}
		if err == nil && (m.Event == nil || m.Kind != model.KindEvent) {
			t.Fatalf("message without event: %+v", m)
		}
	}
}

func FuzzXML(f *testing.F) {
	seed(f, "wevtutil-security.xml", "saved-all.xml", "bad.xml")
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzReader(t, func() *winevent.Reader { return winevent.NewXMLReader(bytes.NewReader(b), winevent.Options{File: "f"}) })
	})
}

func FuzzCSV(f *testing.F) {
	seed(f, "viewer-security.csv", "viewer-security-tab.txt", "ps-all.csv", "bad.csv")
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzReader(t, func() *winevent.Reader { return winevent.NewCSVReader(bytes.NewReader(b), winevent.Options{File: "f"}) })
	})
}

func FuzzJSON(f *testing.F) {
	seed(f, "ps-all.json", "winlogbeat.ndjson", "bad.ndjson")
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzReader(t, func() *winevent.Reader {
			return winevent.NewJSONReader(bytes.NewReader(b), winevent.Options{File: "f"})
		})
	})
}

func FuzzText(f *testing.F) {
	seed(f, "wevtutil-security.txt", "formatlist-all.txt", "formatlist-utf16le.txt", "viewer-details.txt", "viewer-details-noxml.txt")
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzReader(t, func() *winevent.Reader {
			return winevent.NewTextReader(bytes.NewReader(b), winevent.Options{File: "f"})
		})
	})
}
