package export

import (
	"encoding/json"
	"hash/fnv"
	"strconv"
	"testing"
	"time"

	"github.com/radscope/radscope/model"
)

// TestIDsStable checks MessageID and FlowID against hash/fnv over the
// bytes they are defined on: ids written by earlier versions must stay
// the same, or a re-export would duplicate rows instead of replacing them.
func TestIDsStable(t *testing.T) {
	messageID := func(m *model.Message) uint64 {
		h := fnv.New64a()
		var b []byte
		b = append(b, m.Src.Format...)
		b = append(b, 0)
		b = append(b, m.Src.File...)
		b = append(b, 0)
		for _, n := range []int64{int64(m.Src.Line), int64(m.Src.Col), m.Src.Offset, m.Src.Frame, m.Src.Record, m.Time.UnixNano(), int64(m.Kind), int64(m.Code)} {
			b = strconv.AppendInt(b, n, 10)
			b = append(b, 0)
		}
		h.Write(b)
		return h.Sum64()
	}
	flowID := func(f *model.Flow, ids []uint64) uint64 {
		h := fnv.New64a()
		b := []byte{'f', byte(f.Kind)}
		for _, id := range ids {
			b = strconv.AppendUint(b, id, 16)
			b = append(b, ',')
		}
		h.Write(b)
		return h.Sum64()
	}
	n := 0
	for _, paths := range fixtures {
		flows, _ := buildFlows(t, paths)
		for i := range flows {
			f := &flows[i]
			ids := make([]uint64, len(f.Messages))
			for j := range f.Messages {
				ids[j] = MessageID(&f.Messages[j])
				if want := messageID(&f.Messages[j]); ids[j] != want {
					t.Fatalf("MessageID of %s = %x, want %x", f.Messages[j].Src, ids[j], want)
				}
				n++
			}
			if got, want := FlowID(f, ids), flowID(f, ids); got != want {
				t.Fatalf("FlowID of flow %d = %x, want %x", f.ID, got, want)
			}
		}
	}
	long := model.Message{Src: model.Source{Format: "odbc", File: string(make([]byte, 1000)) + "/x.log", Line: 7}}
	if got, want := MessageID(&long), messageID(&long); got != want {
		t.Fatalf("MessageID with a long path = %x, want %x", got, want)
	}
	t.Logf("%d message ids", n)
}

// FuzzJSONString checks the eight-bytes-at-a-time quoting against a byte
// by byte one: the same output, which JSON reads back as the input.
func FuzzJSONString(f *testing.F) {
	for _, s := range []string{"", "plain", `a"b\c`, "tab\there\nnew\x00\x1f\x7f", "12345678\"", "ünïcödé \xff\xfe", `CONTOSO\user05403`, "0123456789abcdef\x01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want []byte
		want = append(want, '"')
		for i := 0; i < len(s); i++ {
			switch c := s[i]; {
			case c == '"' || c == '\\':
				want = append(want, '\\', c)
			case c == '\n':
				want = append(want, `\n`...)
			case c == '\r':
				want = append(want, `\r`...)
			case c == '\t':
				want = append(want, `\t`...)
			case c < 0x20:
				want = append(want, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
			default:
				want = append(want, c)
			}
		}
		want = append(want, '"')
		got := appendJSONString([]byte("x"), s)
		if string(got[1:]) != string(want) {
			t.Fatalf("appendJSONString(%q) = %s, want %s", s, got[1:], want)
		}
		u := appendJSONStringUTF8(nil, s)
		var back string
		if err := json.Unmarshal(u, &back); err != nil {
			t.Fatalf("appendJSONStringUTF8(%q) = %s: not JSON: %v", s, u, err)
		}
	})
}

func TestDateTime(t *testing.T) {
	for _, tm := range []time.Time{
		time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC),
		time.Date(1970, 1, 1, 0, 0, 1, 5, time.UTC),
		time.Date(2026, 12, 31, 23, 59, 59, 999999999, time.FixedZone("x", 5*3600+1800)),
		time.Date(2106, 2, 7, 6, 28, 15, 0, time.UTC),
		time.Date(2106, 2, 7, 6, 28, 16, 0, time.UTC), // beyond DateTime: left out
		time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC),
	} {
		r := row{sparse: true}
		r.int("id", 1)
		r.dateTime("t", "t_ns", tm)
		r.end()
		want := `{"id":1,"t":` + strconv.FormatInt(tm.Unix(), 10)
		if tm.Nanosecond() != 0 {
			want += `,"t_ns":` + strconv.Itoa(tm.Nanosecond())
		}
		want += "}\n"
		if u := tm.Unix(); u < 0 || u > 1<<32-1 {
			want = `{"id":1}` + "\n"
		}
		if string(r.b) != want {
			t.Errorf("dateTime(%v) = %s, want %s", tm, r.b, want)
		}
	}
}
