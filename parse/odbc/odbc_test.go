package odbc_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/radscope/radscope/parse/internal/readertest"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/parse/odbc"
)

// line66 builds an ODBC line of n columns from 1-based column values.
func line66(n int, cols map[int]string) string {
	f := make([]string, n)
	for c, v := range cols {
		f[c-1] = v
	}
	return strings.Join(f, ",")
}

var reject66 = line66(66, map[int]string{
	1: `"NPS01"`, 2: `"IAS"`, 3: "03/05/2024", 4: "08:15:02", 5: "3", 7: `"contoso.local/Staff/Alice, Smith"`,
	15: "0", 16: `"10.0.0.1"`, 17: `"vpn-gw"`, 24: "4", 25: `"VPN ""MFA"" policy"`, 26: "16",
	27: `"311 1 10.0.0.10 03/04/2024 21:00:00 7"`, 57: `"0x00453D36393120523D3020563D33"`,
	61: `"Use Windows authentication for all users"`, 62: "1",
})

func TestParse(t *testing.T) {
	p := odbc.NewParser(odbc.Options{Location: time.UTC})
	tests := []struct {
		name    string
		line    string
		errCol  int
		errIs   error
		code    model.Code
		reason  int
		attrs   map[string]string
		nomsg   bool
		partial bool
	}{
		{name: "66 columns, quoted comma and doubled quotes", line: reject66, code: model.CodeAccessReject, reason: 16,
			attrs: map[string]string{"Fully-Qualifed-User-Name": "contoso.local/Staff/Alice, Smith", "NP-Policy-Name": `VPN "MFA" policy`,
				"Authentication-Type": "MS-CHAP v2", "Provider-Type": "Windows", "Client-IP-Address": "10.0.0.1"}},
		{name: "60 columns", line: `"RasBox","RAS",10/22/2006,09:13:09,1,"ACME\slimjim","ACME\slimjim",,,,,,"192.168.132.45",12,,"192.168.132.45",,,,0,"CONNECT 24000",1,2,4,,0,"311 1 192.168.132.45 07/31/2006 21:35:14 749",,,,,,,,,,,,,,,,,,,,,,,,,,,,"MSRASV5.00",311,,,,`,
			code: model.CodeAccessRequest, reason: 0, attrs: map[string]string{"User-Name": `ACME\slimjim`, "NAS-Port": "12", "Connect-Info": "CONNECT 24000"}},
		{name: "empty quoted fields", line: `"NPS01","IAS",03/05/2024,08:15:02,1,"bob","",,,"",,,"",,,"10.0.0.1",,,,,,,,,,0`, code: model.CodeAccessRequest, reason: 0,
			attrs: map[string]string{"User-Name": "bob"}},
		{name: "bad reason code", line: `"NPS01","IAS",03/05/2024,08:15:02,3,,,,,,,,,,,"10.0.0.1",,,,,,,,,,x`, errCol: 67, partial: true, code: model.CodeAccessReject},
		{name: "bad date", line: `"NPS01","IAS",13/45/2024,08:15:02,3`, errCol: 15, nomsg: true},
		{name: "unterminated quote", line: `"NPS01","IAS",03/05/2024,08:15:02,3,"bob`, errCol: 37, errIs: odbc.ErrQuote, nomsg: true},
		{name: "bare quote", line: `"NPS01","IAS",03/05/2024,08:15:02,3,bo"b`, errIs: odbc.ErrBareQuote, nomsg: true, errCol: 37},
		{name: "too few fields", line: `"NPS01","IAS",03/05/2024`, errIs: odbc.ErrFieldCount, nomsg: true},
		{name: "too many fields", line: reject66 + `,extra`, errIs: odbc.ErrFieldCount, partial: true, code: model.CodeAccessReject, reason: 16},
		{name: "hex kept as raw bytes", line: reject66, code: model.CodeAccessReject, reason: 16, attrs: map[string]string{"MS-CHAP-Error": "0x00453D36393120523D3020563D33"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := p.Parse(tt.line, model.Source{File: "f.log", Line: 7})
			wantErr := tt.nomsg || tt.partial
			if (err != nil) != wantErr {
				t.Fatalf("err = %v, want error %v", err, wantErr)
			}
			if err != nil {
				var pe *model.ParseError
				if !errors.As(err, &pe) {
					t.Fatalf("%T is not a ParseError", err)
				}
				if pe.Src.Line != 7 || pe.Src.File != "f.log" || pe.Src.Format != model.FormatODBC {
					t.Errorf("position %+v", pe.Src)
				}
				if tt.errCol != 0 && pe.Src.Col != tt.errCol {
					t.Errorf("column %d, want %d (%v)", pe.Src.Col, tt.errCol, err)
				}
				if tt.errIs != nil && !errors.Is(err, tt.errIs) {
					t.Errorf("error %v is not %v", err, tt.errIs)
				}
			}
			if tt.nomsg {
				if m.Kind != model.KindUnknown {
					t.Errorf("got a message for an unreadable record")
				}
				return
			}
			if tt.partial && m.Marks&model.MarkMalformed == 0 {
				t.Error("partial message not marked malformed")
			}
			if m.Code != tt.code || m.Reason != tt.reason && !tt.partial {
				t.Errorf("code %v reason %d, want %v %d", m.Code, m.Reason, tt.code, tt.reason)
			}
			for k, v := range tt.attrs {
				if a, _ := m.AttrByName(k); a.Value != v {
					t.Errorf("%s = %q, want %q", k, a.Value, v)
				}
			}
		})
	}
}

func TestErrorText(t *testing.T) {
	p := odbc.NewParser(odbc.Options{Location: time.UTC})
	_, err := p.Parse(`"NPS01","IAS",03/05/2024,08:15:02,3,,,,,,,,,,,"10.0.0.1",,,,,,,,,,x`, model.Source{File: "IN240305.log", Line: 12})
	want := `IN240305.log:12:67: odbc: field 26 (Reason-Code): invalid integer "x"`
	if err == nil || err.Error() != want {
		t.Errorf("error text\n got %v\nwant %s", err, want)
	}
}

func TestSniff(t *testing.T) {
	if !odbc.Sniff([]byte(reject66 + "\r\n")) {
		t.Error("66-column line not recognised")
	}
	for _, s := range []string{`<Event><Timestamp`, `10.0.0.1,bob,03/05/2024,08:15:02,IAS,NPS01,4136,1`, `"quoted","text"`, ``} {
		if odbc.Sniff([]byte(s)) {
			t.Errorf("%q taken for ODBC", s)
		}
	}
}

func FuzzReader(f *testing.F) {
	readertest.Seeds(f, "../../testdata/iaslogs")
	f.Fuzz(func(t *testing.T, in []byte) {
		readertest.CheckStream(t, in, odbc.NewReader(bytes.NewReader(in), odbc.Options{File: "fuzz", Location: time.UTC}).All())
	})
}

func BenchmarkRead(b *testing.B) {
	req := line66(66, map[int]string{
		1: `"NPS01"`, 2: `"IAS"`, 3: "03/05/2024", 4: "08:15:02", 5: "1", 6: `"CONTOSO\alice"`, 7: `"CONTOSO\alice"`,
		8: `"198.51.100.10"`, 9: `"203.0.113.21"`, 12: `"vpn-gw"`, 13: `"10.0.0.1"`, 14: "2100", 15: "0", 16: `"10.0.0.1"`,
		17: `"vpn-gw"`, 20: "5", 22: "1", 23: "2", 24: "4", 26: "0", 27: `"311 1 10.0.0.10 03/04/2024 21:00:00 7"`,
		61: `"Use Windows authentication for all users"`, 62: "1",
	}) + "\r\n"
	rej := line66(66, map[int]string{
		1: `"NPS01"`, 2: `"IAS"`, 3: "03/05/2024", 4: "08:15:02", 5: "3", 7: `"contoso.local/Staff/Alice Smith"`,
		15: "0", 16: `"10.0.0.1"`, 17: `"vpn-gw"`, 24: "4", 25: `"VPN, MFA required"`, 26: "16",
		27: `"311 1 10.0.0.10 03/04/2024 21:00:00 7"`, 57: `"0x00453D36393120523D3020563D33"`,
		61: `"Use Windows authentication for all users"`, 62: "1",
	}) + "\r\n"
	var data []byte
	for len(data) < 8<<20 {
		data = append(data, req...)
		data = append(data, rej...)
	}
	// the benchmark measures good records: check they are
	if _, err := odbc.NewParser(odbc.Options{}).Parse(strings.TrimSpace(req), model.Source{}); err != nil {
		b.Fatal(err)
	}
	if _, err := odbc.NewParser(odbc.Options{}).Parse(strings.TrimSpace(rej), model.Source{}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	var n int
	for b.Loop() {
		n = 0
		for _, err := range odbc.NewReader(bytes.NewReader(data), odbc.Options{Location: time.UTC}).All() {
			if err == nil {
				n++
			}
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
