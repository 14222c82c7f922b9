package evtx_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/parse/winevent/evtx"
	"github.com/radscope/radscope/parse/winevent/evtx/evtxtest"
)

const sharedEvtx = "../../../../shared/samples/evtx"

type readResult struct {
	records []evtx.Record
	clean   int
	errs    []*model.ParseError
}

func readAll(t testing.TB, data []byte, opts evtx.Options) readResult {
	t.Helper()
	var res readResult
	r := evtx.NewReader(bytes.NewReader(data), int64(len(data)), opts)
	for rec, err := range r.All() {
		if err != nil {
			var pe *model.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("final error %v", err)
			}
			if pe.Src.Format != model.FormatEVTX || pe.Src.File != opts.File {
				t.Errorf("error without position: %+v", pe.Src)
			}
			res.errs = append(res.errs, pe)
		}
		if rec.Root != nil {
			res.records = append(res.records, rec)
			if err == nil {
				res.clean++
			}
		}
	}
	return res
}

func countErr(errs []*model.ParseError, target error) int {
	n := 0
	for _, e := range errs {
		if errors.Is(e, target) {
			n++
		}
	}
	return n
}

// TestSamples reads every real sample, the corrupt ones included. The
// clean record counts equal evtxexport's (see the cross-check test); the
// error counts pin down how each kind of damage is reported.
func TestSamples(t *testing.T) {
	if _, err := os.Stat(sharedEvtx); err != nil {
		t.Skip("shared samples not present")
	}
	tests := []struct {
		file                          string
		records, clean                int
		checksum, chunkSig, recordErr int
		firstEventID                  int
		channel                       string
	}{
		{"Application_no_crc32.evtx", 17, 17, 3, 0, 0, 1, "Application"},
		{"MSExchange_Management_wec.evtx", 1, 1, 0, 0, 0, 1, "MSExchange Management"},
		{"Security_short_selected.evtx", 7, 7, 0, 0, 0, 5152, "Security"},
		{"issue_201.evtx", 1, 1, 0, 0, 0, 1, "MSExchange Management"},
		{"new-user-security.evtx", 4, 4, 0, 0, 0, 4728, "Security"},
		{"sample-with-irregular-bool-values.evtx", 3028, 3028, 0, 0, 0, 0, ""},
		{"sample-with-zero-data-size-event.evtx", 335, 335, 1, 0, 1, 0, ""},
		{"sample_with_a_bad_chunk_magic.evtx", 270, 267, 3, 0, 3, 0, ""},
		{"security.evtx", 2261, 2261, 0, 0, 0, 4608, "Security"},
		{"security_bad_string_cache.evtx", 2261, 2261, 1, 0, 0, 4608, "Security"},
		{"sysmon.evtx", 358, 358, 0, 8, 0, 0, ""},
		{"system.evtx", 1881, 1881, 0, 0, 0, 0, "System"},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join(sharedEvtx, tc.file)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			res := readAll(t, data, evtx.Options{File: path})
			if len(res.records) != tc.records || res.clean != tc.clean {
				t.Errorf("records %d (clean %d), want %d (clean %d)", len(res.records), res.clean, tc.records, tc.clean)
			}
			if n := countErr(res.errs, evtx.ErrChecksum); n != tc.checksum {
				t.Errorf("checksum errors %d, want %d", n, tc.checksum)
			}
			if n := countErr(res.errs, evtx.ErrChunkSignature); n != tc.chunkSig {
				t.Errorf("chunk signature errors %d, want %d", n, tc.chunkSig)
			}
			if n := countErr(res.errs, evtx.ErrRecord); n != tc.recordErr {
				t.Errorf("record errors %d, want %d: %v", n, tc.recordErr, res.errs)
			}
			if n := countErr(res.errs, evtx.ErrBinXML); n != 0 {
				t.Errorf("binary XML errors %d: %v", n, res.errs)
			}
			if len(res.records) > 0 && tc.firstEventID != 0 {
				ev := res.records[0].Event
				if ev.EventID != tc.firstEventID || ev.Channel != tc.channel {
					t.Errorf("first event %d %q, want %d %q", ev.EventID, ev.Channel, tc.firstEventID, tc.channel)
				}
			}
			for _, rec := range res.records {
				if rec.Event.RecordID == 0 {
					continue // a damaged record, reported with its error
				}
				if rec.Event.TimeCreated.IsZero() || rec.Event.Provider == "" {
					t.Fatalf("record %d: no time or provider: %+v", rec.ID, rec.Event)
				}
			}
		})
	}
}

func TestSampleChunkErrorsNamePositions(t *testing.T) {
	path := filepath.Join(sharedEvtx, "sysmon.evtx")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skip("shared samples not present")
	}
	res := readAll(t, data, evtx.Options{File: "sysmon.evtx"})
	var sig []string
	for _, e := range res.errs {
		if errors.Is(e, evtx.ErrChunkSignature) {
			sig = append(sig, fmt.Sprintf("%s@%d", e.Field, e.Src.Offset))
		}
	}
	want := "[chunk 9@593920 chunk 10@659456 chunk 11@724992 chunk 12@790528 chunk 13@856064 chunk 14@921600 chunk 15@987136 chunk 16@1052672]"
	if got := fmt.Sprint(sig); got != want {
		t.Errorf("bad chunks %s, want %s", got, want)
	}
}

var t0 = time.Date(2026, 3, 2, 8, 15, 30, 123456700, time.UTC)

func sampleEvent(i int) evtxtest.Event {
	return evtxtest.Event{
		Provider: "Microsoft-Windows-Security-Auditing", ProviderGUID: "{54849625-5478-4994-A5BA-3E3B0328C30D}",
		EventID: 6272, Version: 1, Task: 12552, Keywords: 0x8020000000000000,
		Time: t0.Add(time.Duration(i) * time.Second), ProcessID: 616, ThreadID: 3956,
		Channel: "Security", Computer: "NPS01.corp.example",
		Data: []evtxtest.Data{
			{Name: "SubjectUserSid", Value: evtxtest.SID("S-1-5-21-1004336348-1177238915-682003330-1105")},
			{Name: "SubjectUserName", Value: fmt.Sprintf("CORP\\user%d", i)},
			{Name: "NASPort", Value: "7"},
		},
	}
}

func TestWriterRoundTripValues(t *testing.T) {
	ft := time.Date(2024, 11, 4, 13, 55, 34, 657967800, time.UTC)
	tests := []struct {
		name  string
		value any
		want  string
	}{
		{"null", nil, ""},
		{"string", "héllo wörld ✓", "héllo wörld ✓"},
		{"ansi", evtxtest.Ansi("plain"), "plain"},
		{"int8", int8(-5), "-5"},
		{"uint8", uint8(250), "250"},
		{"int16", int16(-300), "-300"},
		{"uint16", uint16(65535), "65535"},
		{"int32", int32(-70000), "-70000"},
		{"uint32", uint32(4000000000), "4000000000"},
		{"int64", int64(-1 << 40), "-1099511627776"},
		{"uint64", uint64(1 << 63), "9223372036854775808"},
		{"float32", float32(1.5), "1.5"},
		{"float64", 2.25, "2.25"},
		{"bool true", true, "true"},
		{"bool false", false, "false"},
		{"binary", []byte{0xde, 0xad, 0x01}, "DEAD01"},
		{"guid", evtxtest.GUID("{5fcf3806-a56a-4a4e-bf50-2bde9124e3bc}"), "{5FCF3806-A56A-4A4E-BF50-2BDE9124E3BC}"},
		{"size_t", evtxtest.SizeT(0x1f), "0x1f"},
		{"filetime", ft, "2024-11-04T13:55:34.6579678Z"},
		{"systemtime", evtxtest.SystemTime(ft), "2024-11-04T13:55:34.657Z"},
		{"sid", evtxtest.SID("S-1-5-18"), "S-1-5-18"},
		{"hex32", evtxtest.Hex32(0x3e7), "0x3e7"},
		{"hex64", evtxtest.Hex64(0x8020000000000000), "0x8020000000000000"},
		{"string array", []string{"a", "", "c"}, "a, , c"},
		{"uint32 array", []uint32{1, 2, 3}, "1, 2, 3"},
	}
	w := evtxtest.New()
	ev := sampleEvent(0)
	ev.Data = nil
	for _, tc := range tests {
		ev.Data = append(ev.Data, evtxtest.Data{Name: tc.name, Value: tc.value})
	}
	ev.Data = append(ev.Data, evtxtest.Data{Value: "unnamed one"}, evtxtest.Data{Value: "unnamed two"})
	ev.Qualifiers = 49152
	ev.ActivityID = "{5fcf3806-a56a-4a4e-bf50-2bde9124e3bc}"
	ev.UserID = "S-1-5-20"
	if err := w.Add(ev); err != nil {
		t.Fatal(err)
	}
	res := readAll(t, w.Bytes(), evtx.Options{File: "w.evtx"})
	if len(res.errs) != 0 || len(res.records) != 1 {
		t.Fatalf("errors %v, records %d", res.errs, len(res.records))
	}
	got := res.records[0].Event
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := got.Data[i]
			if f.Name != tc.name || f.Value != tc.want {
				t.Errorf("got %s=%q, want %q", f.Name, f.Value, tc.want)
			}
		})
	}
	n := len(tests)
	if got.Data[n] != (evtx.Field{Name: "Data1", Value: "unnamed one"}) || got.Data[n+1] != (evtx.Field{Name: "Data2", Value: "unnamed two"}) {
		t.Errorf("unnamed data: %v", got.Data[n:])
	}
	want := evtx.Event{Provider: ev.Provider, ProviderGUID: "{54849625-5478-4994-A5BA-3E3B0328C30D}", EventID: 6272,
		Qualifiers: 49152, Version: 1, Task: 12552, Keywords: "0x8020000000000000", TimeCreated: t0, RecordID: 1,
		ActivityID: "{5FCF3806-A56A-4A4E-BF50-2BDE9124E3BC}", ProcessID: 616, ThreadID: 3956,
		Channel: "Security", Computer: "NPS01.corp.example", UserID: "S-1-5-20"}
	got.Data = nil
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("system fields\n got %+v\nwant %+v", got, want)
	}
}

func TestUserDataFlattened(t *testing.T) {
	w := evtxtest.New()
	ev := sampleEvent(0)
	ev.Channel = "Microsoft-Windows-TerminalServices-Gateway/Operational"
	ev.Data = nil
	ev.UserData = &evtxtest.Element{Name: "EventInfo", Attrs: [][2]string{{"xmlns", "aag"}}, Children: []*evtxtest.Element{
		{Name: "Username", Text: "CORP\\alice"},
		{Name: "IpAddress", Text: "203.0.113.7"},
		{Name: "Details", Children: []*evtxtest.Element{{Name: "ErrorCode", Text: "23003"}}},
	}}
	if err := w.Add(ev); err != nil {
		t.Fatal(err)
	}
	res := readAll(t, w.Bytes(), evtx.Options{})
	if len(res.errs) != 0 || len(res.records) != 1 {
		t.Fatalf("errors %v", res.errs)
	}
	got := fmt.Sprint(res.records[0].Event.UserData)
	want := "[{EventInfo/Username CORP\\alice} {EventInfo/IpAddress 203.0.113.7} {EventInfo/Details/ErrorCode 23003}]"
	if got != want {
		t.Errorf("UserData %s, want %s", got, want)
	}
	if v, ok := res.records[0].Event.Value("ErrorCode"); !ok || v != "23003" {
		t.Errorf("Value(ErrorCode) = %q, %v", v, ok)
	}
}

// manyEvents writes n records; with 3 data fields a chunk holds a few
// hundred, so n=1500 spans several chunks.
func manyEvents(t testing.TB, n int, dirty bool) []byte {
	w := evtxtest.New()
	w.Dirty = dirty
	for i := 0; i < n; i++ {
		if err := w.Add(sampleEvent(i)); err != nil {
			t.Fatal(err)
		}
	}
	return w.Bytes()
}

func TestDirtyFileReadsPastHeaderChunkCount(t *testing.T) {
	data := manyEvents(t, 1500, true)
	r := evtx.NewReader(bytes.NewReader(data), int64(len(data)), evtx.Options{})
	res := readAll(t, data, evtx.Options{})
	if _, err := r.Read(); err != nil {
		t.Fatal(err)
	}
	h := r.Header()
	nChunks := (len(data) - evtx.FileHeaderSize) / evtx.ChunkSize
	if !h.Dirty() || int(h.ChunkCount) != nChunks-1 || nChunks < 3 {
		t.Fatalf("header %+v, %d chunks in file", h, nChunks)
	}
	if len(res.records) != 1500 || len(res.errs) != 0 {
		t.Fatalf("records %d, errors %v", len(res.records), res.errs)
	}
	for i, rec := range res.records {
		if rec.Event.RecordID != uint64(i+1) || rec.ID != uint64(i+1) {
			t.Fatalf("record %d has id %d/%d", i, rec.ID, rec.Event.RecordID)
		}
	}
}

func TestDamage(t *testing.T) {
	clean := manyEvents(t, 1500, false)
	chunk1 := evtx.FileHeaderSize + evtx.ChunkSize
	perChunk := len(readAll(t, clean[:chunk1], evtx.Options{}).records)
	tests := []struct {
		name    string
		damage  func(b []byte) []byte
		records int
		errs    map[error]int
		field   string
	}{
		{"clean", func(b []byte) []byte { return b }, 1500, nil, ""},
		{"bad chunk magic", func(b []byte) []byte { copy(b[chunk1:], "BADMAGIC"); return b }, 1500 - perChunk,
			map[error]int{evtx.ErrChunkSignature: 1}, "chunk 1"},
		{"record data changed", func(b []byte) []byte { b[chunk1+evtx.ChunkHeaderSize+200] ^= 0x20; return b }, 1500,
			map[error]int{evtx.ErrChecksum: 1}, "chunk 1"},
		{"file header checksum", func(b []byte) []byte { b[100] = 1; return b }, 1500,
			map[error]int{evtx.ErrChecksum: 1}, "file header"},
		{"record size", func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[chunk1+evtx.ChunkHeaderSize+4:], 0)
			return b
		}, 1500 - perChunk, map[error]int{evtx.ErrChecksum: 1, evtx.ErrRecord: 1}, "chunk 1"},
		{"trailing garbage", func(b []byte) []byte { return append(b, 1, 2, 3) }, 1500, map[error]int{evtx.ErrTrailing: 1}, ""},
		{"template offset", func(b []byte) []byte {
			// The first record's outer template instance: point the
			// definition offset outside the chunk.
			p := chunk1 + evtx.ChunkHeaderSize + 24 + 4 + 6
			binary.LittleEndian.PutUint32(b[p:], 0xfff0)
			return b
		}, 1499, map[error]int{evtx.ErrChecksum: 1, evtx.ErrBinXML: 1}, "chunk 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.damage(append([]byte(nil), clean...))
			res := readAll(t, b, evtx.Options{File: "d.evtx"})
			if len(res.records) != tc.records {
				t.Errorf("records %d, want %d", len(res.records), tc.records)
			}
			total := 0
			for target, n := range tc.errs {
				total += n
				if got := countErr(res.errs, target); got != n {
					t.Errorf("%v: %d, want %d (%v)", target, got, n, res.errs)
				}
			}
			if len(res.errs) != total {
				t.Errorf("errors %v, want %d", res.errs, total)
			}
			if tc.field != "" && len(res.errs) > 0 && res.errs[0].Field != tc.field {
				t.Errorf("first error field %q, want %q", res.errs[0].Field, tc.field)
			}
		})
	}
}

func TestRecoverSlack(t *testing.T) {
	data := manyEvents(t, 10, false)
	// Move the free-space offset back over the last two records, as if
	// they had been written after the header was last updated.
	res := readAll(t, data, evtx.Options{})
	last := res.records[8].Offset - evtx.FileHeaderSize
	binary.LittleEndian.PutUint32(data[evtx.FileHeaderSize+48:], uint32(last))
	plain := readAll(t, data, evtx.Options{SkipChecksums: true})
	rec := readAll(t, data, evtx.Options{SkipChecksums: true, Recover: true})
	if len(plain.records) != 8 || len(rec.records) != 10 {
		t.Fatalf("without Recover %d records, with %d", len(plain.records), len(rec.records))
	}
	if !rec.records[9].Recovered || rec.records[7].Recovered || rec.records[9].Event.RecordID != 10 {
		t.Errorf("recovered flags wrong: %+v", rec.records[8:])
	}
}

func TestReadAfterEOFAndIOError(t *testing.T) {
	data := manyEvents(t, 3, false)
	r := evtx.NewReader(bytes.NewReader(data), int64(len(data)), evtx.Options{})
	for {
		if _, err := r.Read(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.Read(); err != io.EOF {
		t.Errorf("after EOF: %v", err)
	}
	boom := errors.New("disk on fire")
	r = evtx.NewReader(failingReader{data, boom}, int64(len(data)), evtx.Options{})
	n := 0
	for _, err := range r.All() {
		n++
		if !errors.Is(err, boom) {
			t.Errorf("got %v, want the I/O error", err)
		}
	}
	if n != 1 {
		t.Errorf("iterator yielded %d times", n)
	}
}

type failingReader struct {
	b   []byte
	err error
}

func (f failingReader) ReadAt(p []byte, off int64) (int, error) {
	if off >= evtx.FileHeaderSize {
		return 0, f.err
	}
	return copy(p, f.b[off:]), nil
}

func TestSniff(t *testing.T) {
	for _, tc := range []struct {
		head string
		want bool
	}{{"ElfFile\x00abc", true}, {"ElfChnk\x00", true}, {"<Event", false}, {"", false}} {
		if got := evtx.Sniff([]byte(tc.head)); got != tc.want {
			t.Errorf("Sniff(%q) = %v", tc.head, got)
		}
	}
}

// TestWorkersSameOrder decodes a damaged many-chunk file sequentially and
// on 4 workers: the records and errors come back the same, in file order.
func TestWorkersSameOrder(t *testing.T) {
	data := manyEvents(t, 2500, true)
	chunk2 := evtx.FileHeaderSize + 2*evtx.ChunkSize
	copy(data[chunk2:], "BADMAGIC")
	data[evtx.FileHeaderSize+evtx.ChunkSize+evtx.ChunkHeaderSize+300] ^= 1
	render := func(workers int) string {
		var b strings.Builder
		r := evtx.NewReader(bytes.NewReader(data), int64(len(data)), evtx.Options{Workers: workers})
		for rec, err := range r.All() {
			fmt.Fprintf(&b, "%d %d %v %v\n", rec.ID, rec.Offset, rec.Event.Data, err)
		}
		return b.String()
	}
	seq, par := render(1), render(4)
	if seq != par {
		t.Fatalf("sequential and parallel differ")
	}
	if !strings.Contains(seq, "chunk 2") || strings.Count(seq, "\n") < 2000 {
		t.Fatalf("unexpected output:\n%.500s", seq)
	}
}

// TestWorkersStopOnBreak leaves the loop early: the workers must end.
func TestWorkersStopOnBreak(t *testing.T) {
	data := manyEvents(t, 3000, false)
	before := runtime.NumGoroutine()
	for i := 0; i < 5; i++ {
		r := evtx.NewReader(bytes.NewReader(data), int64(len(data)), evtx.Options{Workers: 3})
		for range r.All() {
			break
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines left running (before: %d)", n, before)
	}
}
