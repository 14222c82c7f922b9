package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func generate(t testing.TB, f Format, size int64, seed uint64) ([]byte, int64) {
	t.Helper()
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	n, err := Generate(w, f, size, seed)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), n
}

var iasHeader = regexp.MustCompile(`^\d+\.\d+\.\d+\.\d+,[^,]+,\d\d/\d\d/\d{4},\d\d:\d\d:\d\d,IAS,NPS01$`)

// sniff is a structural check of one line: it is a record of format f.
func sniff(f Format, line string) string {
	switch f {
	case ODBC:
		if !strings.HasPrefix(line, `"NPS01","IAS",`) {
			return "no ODBC prefix"
		}
		rec, err := csv.NewReader(strings.NewReader(line)).Read()
		if err != nil {
			return err.Error()
		}
		if len(rec) != 66 {
			return "fields: " + strconv.Itoa(len(rec))
		}
		if _, err := time.Parse("01/02/2006 15:04:05", rec[2]+" "+rec[3]); err != nil {
			return err.Error()
		}
		for _, c := range []int{5, 26} {
			if _, err := strconv.Atoi(rec[c-1]); err != nil {
				return "column " + strconv.Itoa(c) + ": " + err.Error()
			}
		}
	case IAS:
		f := strings.Split(line, ",")
		if len(f) < 10 || !iasHeader.MatchString(strings.Join(f[:6], ",")) {
			return "bad IAS header"
		}
		p := f[6:]
		if len(p)%2 != 0 {
			return "odd number of pair fields"
		}
		for i := 0; i < len(p); i += 2 {
			if _, err := strconv.Atoi(p[i]); err != nil {
				return "attribute id: " + err.Error()
			}
		}
		if p[len(p)-4] != "4136" || p[len(p)-2] != "4142" {
			return "Packet-Type and Reason-Code are not last"
		}
	case DTS:
		if !strings.HasPrefix(line, "<Event><Timestamp") || !strings.HasSuffix(line, "</Event>") {
			return "not one <Event> line"
		}
		var ev struct {
			XMLName xml.Name
			Items   []struct {
				XMLName  xml.Name
				DataType string `xml:"data_type,attr"`
				Value    string `xml:",chardata"`
			} `xml:",any"`
		}
		if err := xml.Unmarshal([]byte(line), &ev); err != nil {
			return err.Error()
		}
		if ev.XMLName.Local != "Event" || len(ev.Items) < 5 {
			return "not an Event"
		}
		for _, it := range ev.Items {
			if len(it.DataType) != 1 || it.DataType[0] < '0' || it.DataType[0] > '4' {
				return "data_type " + it.DataType
			}
		}
		if _, err := time.Parse("01/02/2006 15:04:05.000", ev.Items[0].Value); err != nil {
			return err.Error()
		}
	}
	return ""
}

func TestGenerate(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    Format
	}{{"odbc", ODBC}, {"ias", IAS}, {"dts", DTS}} {
		t.Run(tc.name, func(t *testing.T) {
			const size = 3 << 20
			data, n := generate(t, tc.f, size, 7)
			if int64(len(data)) < size {
				t.Fatalf("wrote %d bytes, want at least %d", len(data), size)
			}
			if got := int64(bytes.Count(data, []byte("\r\n"))); got != n || int64(bytes.Count(data, []byte("\n"))) != n {
				t.Fatalf("Generate returned %d lines, the output has %d CRLF", n, got)
			}
			if !bytes.HasSuffix(data, []byte("\r\n")) {
				t.Fatal("last line has no CRLF")
			}
			kinds := map[string]int{}
			var last string
			for i, line := range strings.Split(strings.TrimSuffix(string(data), "\r\n"), "\r\n") {
				if msg := sniff(tc.f, line); msg != "" {
					t.Fatalf("line %d: %s\n%s", i+1, msg, line)
				}
				ts := timestampOf(tc.f, line)
				if ts < last {
					t.Fatalf("line %d: time %s before %s", i+1, ts, last)
				}
				last = ts
				for _, k := range []string{"Access-Challenge", "reason 16", "reason 21", "reason 48", "reason 49", "Acct-Stop"} {
					if hasKind(tc.f, line, k) {
						kinds[k]++
					}
				}
			}
			for _, k := range []string{"Access-Challenge", "reason 16", "reason 21", "reason 48", "reason 49", "Acct-Stop"} {
				if kinds[k] == 0 {
					t.Errorf("no %s in %d lines", k, n)
				}
			}
		})
	}
}

// timestampOf returns a sortable "YYYY MM/DD HH:MM:SS" of the record.
func timestampOf(f Format, line string) string {
	var d, c string
	switch f {
	case ODBC:
		p := strings.SplitN(line, ",", 5)
		d, c = p[2], p[3]
	case IAS:
		p := strings.SplitN(line, ",", 5)
		d, c = p[2], p[3]
	case DTS:
		s := line[len(`<Event><Timestamp data_type="4">`):]
		d, c = s[:10], s[11:23]
	}
	return d[6:10] + " " + d[:5] + " " + c
}

func hasKind(f Format, line, k string) bool {
	pkt, reason, status := "", "", ""
	switch f {
	case ODBC:
		rec, _ := csv.NewReader(strings.NewReader(line)).Read()
		pkt, reason, status = rec[4], rec[25], rec[31]
	case IAS:
		p := strings.Split(line, ",")
		for i := 6; i+1 < len(p); i += 2 {
			switch p[i] {
			case "4136":
				pkt = p[i+1]
			case "4142":
				reason = p[i+1]
			case "40":
				status = p[i+1]
			}
		}
	case DTS:
		get := func(name string) string {
			i := strings.Index(line, "<"+name+" ")
			if i < 0 {
				return ""
			}
			s := line[i:]
			s = s[strings.IndexByte(s, '>')+1:]
			return s[:strings.IndexByte(s, '<')]
		}
		pkt, reason, status = get("Packet-Type"), get("Reason-Code"), get("Acct-Status-Type")
	}
	switch k {
	case "Access-Challenge":
		return pkt == "11"
	case "Acct-Stop":
		return pkt == "4" && status == "2"
	}
	return pkt == "3" && "reason "+reason == k
}

func TestDeterministic(t *testing.T) {
	a, _ := generate(t, ODBC, 64<<10, 42)
	b, _ := generate(t, ODBC, 64<<10, 42)
	c, _ := generate(t, ODBC, 64<<10, 43)
	if !bytes.Equal(a, b) {
		t.Fatal("same seed, different output")
	}
	if bytes.Equal(a, c) {
		t.Fatal("different seeds, same output")
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"1GB": 1 << 30, "256MB": 256 << 20, "10k": 10 << 10, "4096": 4096, "1.5M": 3 << 19} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	if _, err := parseSize("lots"); err == nil {
		t.Error("parseSize(lots): no error")
	}
}

func BenchmarkGenerate(b *testing.B) {
	for _, tc := range []struct {
		name string
		f    Format
	}{{"odbc", ODBC}, {"ias", IAS}, {"dts", DTS}} {
		b.Run(tc.name, func(b *testing.B) {
			const size = 16 << 20
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				w := bufio.NewWriterSize(io.Discard, 1<<20)
				if _, err := Generate(w, tc.f, size, 1); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
