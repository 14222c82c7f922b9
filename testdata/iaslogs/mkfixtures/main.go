// Command mkfixtures writes the NPS log fixtures in testdata/iaslogs.
//
// Run it from the repository root: go run ./testdata/iaslogs/mkfixtures
// The output is deterministic; running it again rewrites the same bytes.
// The data is invented (CONTOSO, NPS01, users alice, bob, carol, dave,
// mallory), modelled on the public samples in ../shared/samples/npslogs.
package main

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf16"
)

var dir = flag.String("dir", "testdata/iaslogs", "output folder")

func main() {
	flag.Parse()
	for _, f := range files() {
		p := filepath.Join(*dir, f.name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			fail(err)
		}
		if err := os.WriteFile(p, f.data, 0o644); err != nil {
			fail(err)
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "mkfixtures:", err)
	os.Exit(1)
}

type file struct {
	name string
	data []byte
}

// join ends every line with eol, the last one too.
func join(lines []string, eol string) string {
	return strings.Join(lines, eol) + eol
}

func utf16Bytes(s string, bigEndian bool) []byte {
	var b bytes.Buffer
	for _, u := range append([]uint16{0xFEFF}, utf16.Encode([]rune(s))...) {
		if bigEndian {
			b.WriteByte(byte(u >> 8))
			b.WriteByte(byte(u))
		} else {
			b.WriteByte(byte(u))
			b.WriteByte(byte(u >> 8))
		}
	}
	return b.Bytes()
}

// cp1252 encodes s in Windows-1252; it knows the few letters the fixtures use.
func cp1252(s string) []byte {
	var b []byte
	for _, r := range s {
		switch {
		case r < 0x80:
			b = append(b, byte(r))
		case r == '€':
			b = append(b, 0x80)
		case r >= 0xA0 && r <= 0xFF:
			b = append(b, byte(r))
		default:
			panic(fmt.Sprintf("no cp1252 byte for %q", r))
		}
	}
	return b
}

func odbcLines(rs []rec, ncols int) []string {
	var out []string
	for _, r := range rs {
		out = append(out, odbc(r, ncols))
	}
	return out
}

func dtsLines(rs []rec) []string {
	var out []string
	for _, r := range rs {
		out = append(out, dts(r))
	}
	return out
}

func iasLines(rs []rec) []string {
	var out []string
	for _, r := range rs {
		out = append(out, ias(r))
	}
	return out
}

func gz(name string, data []byte) []byte {
	var b bytes.Buffer
	w, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	w.Name = name
	if _, err := w.Write(data); err != nil {
		panic(err)
	}
	if err := w.Close(); err != nil {
		panic(err)
	}
	return b.Bytes()
}

func files() []file {
	var fs []file
	add := func(name string, data []byte) { fs = append(fs, file{name, data}) }
	crlf := func(lines []string) []byte { return []byte(join(lines, "\r\n")) }

	add("odbc66.log", crlf(odbcLines(odbc66Recs(), 66)))
	add("odbc60.log", crlf(odbcLines(odbc60Recs(), 60)))
	add("ias.log", crlf(iasFile()))
	add("dts.log", crlf(dtsLines(dtsRecs())))

	m := mixedRecs()
	mixed := append(odbcLines(m[0:4], 66), dtsLines(m[4:8])...)
	mixed = append(mixed, iasLines(m[8:12])...)
	add("mixed.log", crlf(mixed))

	e := encodingRecs("03/08/2024")
	add("utf16le-bom.log", utf16Bytes(join(odbcLines(e, 66), "\r\n"), false))
	add("utf16be-bom.log", utf16Bytes(join(iasLines(encodingRecs("03/09/2024")), "\r\n"), true))
	add("utf8-bom.log", append([]byte("\uFEFF"), join(dtsLines(encodingRecs("03/10/2024")), "\r\n")...))
	add("cp1252.log", cp1252(join(odbcLines(cp1252Recs(), 66), "\r\n")))
	add("lf-only.log", []byte(join(odbcLines(encodingRecs("03/11/2024"), 66), "\n")))
	add("gzipped.log.gz", gz("IN240313.log", crlf(odbcLines(gzRecs(), 66))))

	add("bad.log", badFile())

	for _, f := range logFiles() {
		add(filepath.Join("LogFiles", f.name), f.data)
	}

	day := mfaDay()
	add("mfa-day/IN240305.log", crlf(odbcLines(day, 66)))
	add("mfa-day/dts/IN240305.log", crlf(dtsLines(day)))
	return fs
}
