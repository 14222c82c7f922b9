package output_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/radscope/radscope/dict"
	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/output"
)

func sample() model.Message {
	return model.Message{
		Time: time.Date(2024, 3, 5, 8, 15, 2, 123e6, time.UTC), Kind: model.KindRecord, Code: model.CodeAccessReject,
		Ident: model.NoIdent, Reason: 16, Computer: "NPS01", User: "CONTOSO\\alice \"A\"\t\u2028",
		Attrs: []model.Attr{
			{Name: "Calling-Station-Id", Value: "aa"},
			{Name: "Calling-Station-Id", Value: "bb"},
			{Name: "User-Password", Value: "hunter2", Sensitive: true},
			{Name: "Reason-Code", Value: "16"},
			{Name: "Class", Value: "bad \xff utf8"},
		},
		Marks: model.MarkMalformed | model.MarkRetransmit,
		Src:   model.Source{Format: model.FormatODBC, File: "IN240305.log", Line: 3},
	}
}

func write(t *testing.T, f output.Format, o output.Options, ms ...model.Message) string {
	t.Helper()
	var buf bytes.Buffer
	w := output.NewWriter(f, &buf, o)
	for i := range ms {
		if err := w.Write(&ms[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestNDJSONIsValidJSON(t *testing.T) {
	out := write(t, output.NDJSON, output.Options{}, sample(), sample())
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines", len(lines))
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &v); err != nil {
		t.Fatalf("invalid JSON %v: %s", err, lines[0])
	}
	if v["Reason-Code"] != float64(16) || v["Reason"] != "Authentication failure" || v["Packet-Type"] != "Access-Reject" {
		t.Errorf("fixed fields: %v", v)
	}
	if cs, ok := v["Calling-Station-Id"].([]any); !ok || len(cs) != 2 || cs[1] != "bb" {
		t.Errorf("repeated attribute: %#v", v["Calling-Station-Id"])
	}
	if v["User-Password"] != output.Redacted {
		t.Errorf("secret not redacted: %v", v["User-Password"])
	}
	if v["User"] != "CONTOSO\\alice \"A\"\t\u2028" {
		t.Errorf("escaping lost data: %q", v["User"])
	}
	if v["Class"] != "bad \ufffd utf8" {
		t.Errorf("invalid UTF-8: %q", v["Class"])
	}
	if strings.Contains(out, "hunter2") {
		t.Error("password printed")
	}
	if m, ok := v["Marks"].([]any); !ok || len(m) != 2 {
		t.Errorf("marks %v", v["Marks"])
	}
}

func TestShowSecrets(t *testing.T) {
	if out := write(t, output.NDJSON, output.Options{ShowSecrets: true}, sample()); !strings.Contains(out, "hunter2") {
		t.Error("--show-secrets did not show the password")
	}
}

func TestJSONDocument(t *testing.T) {
	for _, n := range []int{0, 1, 3} {
		ms := make([]model.Message, n)
		for i := range ms {
			ms[i] = sample()
		}
		var v []map[string]any
		out := write(t, output.JSON, output.Options{Fields: []string{"Time", "User"}}, ms...)
		if err := json.Unmarshal([]byte(out), &v); err != nil || len(v) != n {
			t.Fatalf("n=%d: %v %q", n, err, out)
		}
		if n > 0 && len(v[0]) != 2 {
			t.Errorf("--fields not applied: %v", v[0])
		}
	}
}

func TestCSV(t *testing.T) {
	out := write(t, output.CSV, output.Options{Fields: []string{"Time", "Calling-Station-Id", "User-Password", "Missing"}}, sample())
	want := "Time,Calling-Station-Id,User-Password,Missing\n2024-03-05T08:15:02.123Z,aa;bb,<redacted>,\n"
	if out != want {
		t.Errorf("csv\n got %q\nwant %q", out, want)
	}
}

func TestTable(t *testing.T) {
	piped := write(t, output.Table, output.Options{Fields: []string{"Packet-Type", "User"}}, sample())
	if piped != "PACKET-TYPE\tUSER\nAccess-Reject\tCONTOSO\\alice \"A\" \u2028\n" {
		t.Errorf("piped table %q", piped)
	}
	m := sample()
	m.User += " with a long tail \x1b[2J"
	tty := write(t, output.Table, output.Options{TTY: true, Color: true, Fields: []string{"Packet-Type", "User", "Reason"}}, m)
	if strings.Contains(tty, "\x1b[2J") {
		t.Errorf("escape sequence from data reached the terminal: %q", tty)
	}
	if !strings.Contains(tty, "\x1b[31mAccess-Reject\x1b[0m") {
		t.Errorf("reject not red: %q", tty)
	}
	if strings.Contains(tty, "\t") {
		t.Errorf("tabs in terminal table: %q", tty)
	}
	if !strings.Contains(tty, "…") {
		t.Errorf("long user not cut to the column: %q", tty)
	}
}

func TestFieldNames(t *testing.T) {
	names := output.FieldNames(dict.Default())
	seen := map[string]bool{}
	for _, n := range names {
		if seen[strings.ToLower(n)] {
			t.Errorf("%s listed twice", n)
		}
		seen[strings.ToLower(n)] = true
	}
	for _, want := range []string{"Time", "Reason", "User-Name", "NP-Policy-Name", "MS-CHAP-Error"} {
		if !seen[strings.ToLower(want)] {
			t.Errorf("%s missing", want)
		}
	}
}

func BenchmarkNDJSON(b *testing.B) {
	m := sample()
	var buf bytes.Buffer
	w := output.NewWriter(output.NDJSON, &buf, output.Options{})
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		w.Write(&m)
	}
}

func TestTimeFormat(t *testing.T) {
	zones := []*time.Location{time.UTC, time.FixedZone("x", -4*3600-30*60), time.FixedZone("y", 5*3600+45*60)}
	for _, z := range zones {
		for _, tm := range []time.Time{
			time.Date(2024, 3, 5, 8, 15, 2, 123456789, z),
			time.Date(1999, 12, 31, 23, 59, 59, 0, z),
			time.Date(12, 1, 2, 3, 4, 5, 6e6, z),
		} {
			m := model.Message{Time: tm, Ident: model.NoIdent, Reason: model.NoReason}
			out := write(t, output.NDJSON, output.Options{Fields: []string{"Time"}}, m)
			want := `{"Time":"` + tm.Format("2006-01-02T15:04:05.000Z07:00") + "\"}\n"
			if out != want {
				t.Errorf("%v: %q, want %q", tm, out, want)
			}
		}
	}
}

func TestOTPStateRedacted(t *testing.T) {
	m := model.Message{Ident: model.NoIdent, Reason: model.NoReason, Attrs: []model.Attr{
		{Type: 24, Name: "State", Value: "1b4e28ba-2fa1-11d2-883f-0016d3cca427"},
	}}
	if out := write(t, output.NDJSON, output.Options{}, m); strings.Contains(out, "1b4e28ba") {
		t.Errorf("OTP session State printed: %s", out)
	}
	if out := write(t, output.NDJSON, output.Options{ShowSecrets: true}, m); !strings.Contains(out, "1b4e28ba") {
		t.Errorf("--show-secrets hid the State: %s", out)
	}
	m.Attrs[0].Value = "0x0a0b0c"
	if out := write(t, output.NDJSON, output.Options{}, m); !strings.Contains(out, "0x0a0b0c") {
		t.Errorf("an EAP State was redacted: %s", out)
	}
}
