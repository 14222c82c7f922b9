package evtx_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"os"
	"path/filepath"
	"testing"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/parse/winevent/evtx"
	"github.com/radscope/radscope/parse/winevent/evtx/evtxtest"
)

// fileWithChunk puts chunk (cut or padded to 64 KiB, signature forced)
// behind a valid file header.
func fileWithChunk(chunk []byte) []byte {
	w := evtxtest.New()
	hdr := w.Bytes()[:evtx.FileHeaderSize]
	c := make([]byte, evtx.ChunkSize)
	copy(c, chunk)
	copy(c, "ElfChnk\x00")
	return append(append([]byte(nil), hdr...), c...)
}

func checkAll(t *testing.T, data []byte) {
	r := evtx.NewReader(bytes.NewReader(data), int64(len(data)), evtx.Options{File: "f", Recover: true})
	n := 0
	for rec, err := range r.All() {
		if n++; n > 100000 {
			t.Fatal("too many records")
		}
		if err != nil && !model.IsParseError(err) {
			t.Fatalf("not a ParseError: %v", err)
		}
		if rec.Root != nil && rec.Offset < evtx.FileHeaderSize {
			t.Fatalf("record at offset %d", rec.Offset)
		}
	}
}

func seedChunks(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(sharedEvtx, "*.evtx"))
	files = append(files, "../../../testdata/events/NPS01_Security.evtx", "../../../testdata/events/RDGW_Gateway.evtx")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil || len(b) < evtx.FileHeaderSize+evtx.ChunkSize {
			continue
		}
		// The first records only: the fuzzer is slow with 64 KiB inputs,
		// and the rest of the chunk reads as zeros.
		f.Add(b[evtx.FileHeaderSize : evtx.FileHeaderSize+6<<10])
	}
}

// FuzzChunk feeds whole chunks to the reader: headers, the record walk,
// CRC checks, templates and binary XML.
func FuzzChunk(f *testing.F) {
	seedChunks(f)
	f.Fuzz(func(t *testing.T, chunk []byte) {
		if len(chunk) > 16<<10 {
			return
		}
		checkAll(t, fileWithChunk(chunk))
	})
}

// FuzzBinXML puts the input as the binary XML of one record in an
// otherwise valid chunk, so that mutations reach the token decoder.
func FuzzBinXML(f *testing.F) {
	w := evtxtest.New()
	for i := 0; i < 3; i++ {
		if err := w.Add(sampleEvent(i)); err != nil {
			f.Fatal(err)
		}
	}
	b := w.Bytes()
	c := b[evtx.FileHeaderSize:]
	first := int(binary.LittleEndian.Uint32(c[evtx.ChunkHeaderSize+4:]))
	f.Add(c[evtx.ChunkHeaderSize+24 : evtx.ChunkHeaderSize+first-4])
	f.Add([]byte{0x0f, 0x01, 0x01, 0x00, 0x01, 0xff, 0xff, 0, 0, 0, 0, 0x44, 0x02, 0, 0, 0x03, 0x00})
	f.Fuzz(func(t *testing.T, bx []byte) {
		if len(bx) > 16<<10 {
			return
		}
		chunk := make([]byte, evtx.ChunkSize)
		copy(chunk, "ElfChnk\x00")
		p := evtx.ChunkHeaderSize
		size := (24 + len(bx) + 4 + 7) &^ 7
		copy(chunk[p:], "**\x00\x00")
		binary.LittleEndian.PutUint32(chunk[p+4:], uint32(size))
		binary.LittleEndian.PutUint64(chunk[p+8:], 1)
		copy(chunk[p+24:], bx)
		binary.LittleEndian.PutUint32(chunk[p+size-4:], uint32(size))
		binary.LittleEndian.PutUint32(chunk[48:], uint32(p+size))
		binary.LittleEndian.PutUint32(chunk[52:], crc32.ChecksumIEEE(chunk[p:p+size]))
		checkAll(t, fileWithChunk(chunk))
	})
}
