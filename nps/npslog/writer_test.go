package npslog_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"flag"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/radscope/radscope/dict"
	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/nps/npslog"
	"github.com/radscope/radscope/parse/dts"
	"github.com/radscope/radscope/parse/ias"
	"github.com/radscope/radscope/parse/odbc"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// zone is the NPS server's zone in the tests (UTC-5 all year, no DST).
var zone = time.FixedZone("EST", -5*3600)

var t0 = time.Date(2024, 5, 2, 15, 23, 13, 729_000_000, time.UTC)

// records is a deterministic authentication and accounting exchange as the
// emulated NPS would log it.
func records() []model.Message {
	nas := netip.MustParseAddr("10.1.2.3")
	client := netip.MustParseAddr("10.1.2.3")
	class := "311 1 10.0.0.5 05/02/2024 15:23:13 42"
	req := model.Message{
		Time: t0, Kind: model.KindRecord, Code: model.CodeAccessRequest,
		Computer: "NPS01", Service: "IAS", User: `CONTOSO\alice`, NASAddr: nas, NASID: "vpn-gw, east",
		ClientAddr: client, ClientName: "VPN \"east\" <gw>", CallingStation: "198.51.100.7", CalledStation: "10.1.2.3",
		Class: class, ProxyPolicy: "Use Windows authentication for all users", AuthType: 4, Reason: 0,
		Attrs: []model.Attr{
			{Name: "Service-Type", Value: "Framed"},
			{Name: "Framed-Protocol", Value: "PPP"},
			{Name: "NAS-Port", Value: "12"},
			{Name: "NAS-Port-Type", Value: "Virtual"},
			{Name: "User-Password", Value: "hunter2", Sensitive: true},
			{Name: "Tunnel-Type", Value: "L2TP"},
			{Name: "Client-Vendor", Value: "0"},
			{Name: "Provider-Type", Value: "Windows"},
			{Name: "SAM-Account-Name", Value: `CONTOSO\alice`},
			{Name: "Fully-Qualifed-User-Name", Value: "contoso.com/Users/Alice & Bob's"},
		},
	}
	accept := model.Message{
		Time: t0.Add(120 * time.Millisecond), Kind: model.KindRecord, Code: model.CodeAccessAccept,
		Computer: "NPS01", Service: "IAS", User: `CONTOSO\alice`, ClientAddr: client, ClientName: "VPN \"east\" <gw>",
		Class: class, ProxyPolicy: "Use Windows authentication for all users", Policy: "VPN, MFA users", AuthType: 4, Reason: 0,
		Attrs: []model.Attr{
			{Name: "Fully-Qualifed-User-Name", Value: `CONTOSO\alice`},
			{Name: "Session-Timeout", Value: "28800"},
			{Name: "MS-MPPE-Send-Key", Raw: []byte{1, 2, 3}, Value: "0x010203", Sensitive: true},
			{Name: "EAP-Friendly-Name", Value: "Microsoft: Secured password (EAP-MSCHAP v2)"},
		},
	}
	reject := model.Message{
		Time: t0.Add(2 * time.Second), Kind: model.KindRecord, Code: model.CodeAccessReject,
		Computer: "NPS01", Service: "IAS", User: `CONTOSO\bob`, ClientAddr: client, ClientName: "vpn",
		Class: "311 1 10.0.0.5 05/02/2024 15:23:15 43", ProxyPolicy: "Use Windows authentication for all users",
		AuthType: 4, Reason: 16,
		Attrs: []model.Attr{
			{Name: "MS-CHAP-Error", Raw: []byte("\x00E=691 R=0 V=3"), Value: "0x00453d36393120523d3020563d33"},
		},
	}
	challenge := model.Message{
		Time: t0.Add(3 * time.Second), Kind: model.KindRecord, Code: model.CodeAccessChallenge,
		Computer: "NPS01", Service: "IAS", User: "carol@contoso.com", ClientAddr: client, ClientName: "vpn",
		Class: "311 1 10.0.0.5 05/02/2024 15:23:16 44", ProxyPolicy: "Use Windows authentication for all users",
		Policy: "VPN, MFA users", AuthType: 1, Reason: 0,
	}
	acct := model.Message{
		Time: t0.Add(5 * time.Second), Kind: model.KindRecord, Code: model.CodeAccountingRequest,
		Computer: "NPS01", Service: "IAS", User: `CONTOSO\alice`, NASAddr: nas, ClientAddr: client, ClientName: "vpn",
		CallingStation: "198.51.100.7", Class: class, AcctSessionID: "8D3A0F21", AcctStatus: 1, Reason: 0,
		ProxyPolicy: "Use Windows authentication for all users",
		Attrs: []model.Attr{
			{Name: "Acct-Authentic", Value: "RADIUS"},
			{Name: "Event-Timestamp", Value: "05/02/2024 15:23:18"},
			{Name: "Acct-Delay-Time", Value: "0"},
			{Name: "Framed-IP-Address", Value: "172.16.0.9"},
			{Name: "Acct-Multi-Session-Id", Value: "multi\nline"},
		},
	}
	return []model.Message{req, accept, reject, challenge, acct}
}

var formats = []model.Format{model.FormatIAS, model.FormatODBC, model.FormatDTS}

func write(t testing.TB, f model.Format, msgs []model.Message) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := npslog.NewWriter(&buf, f, zone)
	for _, m := range msgs {
		if err := w.Write(m); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", t.Name(), name+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := range max(len(gl), len(wl)) {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Fatalf("%s differs at line %d:\n-%q\n+%q", path, i+1, w, g)
			}
		}
	}
}

func TestGolden(t *testing.T) {
	for _, f := range formats {
		got := write(t, f, records())
		golden(t, string(f), got)
	}
}

func lines(t *testing.T, out []byte, n int) []string {
	t.Helper()
	s := string(out)
	if !strings.HasSuffix(s, "\r\n") {
		t.Fatalf("output does not end with CRLF")
	}
	ls := strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n")
	if len(ls) != n {
		t.Fatalf("%d lines, want %d", len(ls), n)
	}
	for i, l := range ls {
		if strings.ContainsAny(l, "\r\n") {
			t.Fatalf("line %d holds a line break: %q", i+1, l)
		}
	}
	return ls
}

// TestODBCShape checks the ODBC lines against the reference: 66 columns,
// numbers bare, text quoted, and the column order of parse/odbc.
func TestODBCShape(t *testing.T) {
	msgs := records()
	out := write(t, model.FormatODBC, msgs)
	for i, l := range lines(t, out, len(msgs)) {
		r := csv.NewReader(strings.NewReader(l))
		rec, err := r.Read()
		if err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if len(rec) != 66 {
			t.Fatalf("line %d: %d columns", i+1, len(rec))
		}
		if !regexp.MustCompile(`^"[^"]*","IAS",\d\d/\d\d/\d{4},\d\d:\d\d:\d\d,\d+,`).MatchString(l) {
			t.Errorf("line %d: header %q", i+1, l[:min(len(l), 60)])
		}
		if rec[4] != []string{"1", "2", "3", "11", "4"}[i] {
			t.Errorf("line %d: Packet-Type %q", i+1, rec[4])
		}
	}
	// A reject as the OSSEC/NXLog sample shows it: MS-CHAP-Error in column
	// 57 as quoted upper-case hex, Reason-Code 16 bare in column 26.
	rej := strings.Split(string(out), "\r\n")[2]
	if !strings.Contains(rej, `,"0x00453D36393120523D3020563D33",`) || !strings.Contains(rej, `,16,"311 1 10.0.0.5`) {
		t.Errorf("reject line %q", rej)
	}
}

var dtsElem = regexp.MustCompile(`<([A-Za-z][A-Za-z0-9-]*) data_type="(\d)">([^<]*)</([A-Za-z][A-Za-z0-9-]*)>`)

// TestDTSShape checks data_type codes against the reference table and the
// element frame of the real samples.
func TestDTSShape(t *testing.T) {
	wantType := map[string]string{
		"Timestamp": "4", "Computer-Name": "1", "Event-Source": "1", "Packet-Type": "0", "Reason-Code": "0",
		"Client-IP-Address": "3", "NAS-IP-Address": "3", "Class": "1", "Authentication-Type": "0",
		"Fully-Qualifed-User-Name": "1", "SAM-Account-Name": "1", "Client-Vendor": "0", "Provider-Type": "0",
		"NAS-Port-Type": "0", "Service-Type": "0", "Event-Timestamp": "4", "Acct-Status-Type": "0",
		"Proxy-Policy-Name": "1", "NP-Policy-Name": "1", "Client-Friendly-Name": "1", "User-Name": "1",
		"Acct-Session-Id": "1", "Calling-Station-Id": "1", "MS-CHAP-Error": "2",
	}
	msgs := records()
	out := write(t, model.FormatDTS, msgs)
	for i, l := range lines(t, out, len(msgs)) {
		if !strings.HasPrefix(l, `<Event><Timestamp data_type="4">`) || !strings.HasSuffix(l, "</Reason-Code></Event>") {
			t.Errorf("line %d frame: %q", i+1, l)
		}
		els := dtsElem.FindAllStringSubmatch(l, -1)
		if len(els) < 5 || els[1][1] != "Computer-Name" || els[2][1] != "Event-Source" || els[len(els)-2][1] != "Packet-Type" {
			t.Errorf("line %d: element order %v", i+1, els)
		}
		var joined strings.Builder
		joined.WriteString("<Event>")
		for _, e := range els {
			if e[1] != e[4] {
				t.Errorf("line %d: <%s> closed by </%s>", i+1, e[1], e[4])
			}
			if e[2] > "4" {
				t.Errorf("line %d: %s data_type %s", i+1, e[1], e[2])
			}
			if w, ok := wantType[e[1]]; ok && w != e[2] {
				t.Errorf("line %d: %s data_type %s, want %s", i+1, e[1], e[2], w)
			}
			if e[1] == "User-Name" && i > 0 && i < 4 {
				t.Errorf("line %d: a response carries User-Name", i+1)
			}
			joined.WriteString(e[0])
		}
		joined.WriteString("</Event>")
		if joined.String() != l {
			t.Errorf("line %d has content outside elements:\n%s\n%s", i+1, l, joined.String())
		}
	}
	if !strings.Contains(string(out), `<Timestamp data_type="4">05/02/2024 10:23:13.729</Timestamp>`) {
		t.Error("Timestamp not local with milliseconds")
	}
	if !strings.Contains(string(out), `<Client-Friendly-Name data_type="1">VPN "east" &lt;gw&gt;</Client-Friendly-Name>`) {
		t.Error("text not XML-escaped")
	}
}

// TestIASShape checks the IAS header and pairs.
func TestIASShape(t *testing.T) {
	msgs := records()
	out := write(t, model.FormatIAS, msgs)
	for i, l := range lines(t, out, len(msgs)) {
		f := strings.Split(l, ",")
		if len(f) < 10 || len(f)%2 != 0 {
			t.Fatalf("line %d: %d fields", i+1, len(f))
		}
		if f[2] != "05/02/2024" || f[4] != "IAS" || f[5] != "NPS01" {
			t.Errorf("line %d header %v", i+1, f[:6])
		}
		if f[len(f)-4] != "4136" || f[len(f)-2] != "4142" {
			t.Errorf("line %d does not end with Packet-Type, Reason-Code: %v", i+1, f[len(f)-4:])
		}
		for j := 6; j < len(f); j += 2 {
			if f[j] == "1" || f[j] == "4" {
				t.Errorf("line %d repeats header attribute %s in the pairs", i+1, f[j])
			}
		}
	}
	if !strings.HasPrefix(string(out), `10.1.2.3,CONTOSO\alice,05/02/2024,10:23:13,IAS,NPS01,32,0x76706E2D67772C2065617374,31,198.51.100.7,30,10.1.2.3,6,2,7,1,5,12,61,5,`) {
		t.Errorf("request line %q", strings.SplitN(string(out), "\r\n", 2)[0])
	}
	if !strings.Contains(string(out), ",32,0x76706E2D67772C2065617374,") {
		t.Error("a value with a comma is not hex")
	}
}

func TestNoSecrets(t *testing.T) {
	for _, f := range formats {
		out := write(t, f, records())
		for _, secret := range []string{"hunter2", "68756E74657232", "010203", "User-Password", "MS-MPPE"} {
			if bytes.Contains(bytes.ToUpper(out), bytes.ToUpper([]byte(secret))) {
				t.Errorf("%s output contains %q", f, secret)
			}
		}
	}
}

func TestUnsupportedFormat(t *testing.T) {
	w := npslog.NewWriter(io.Discard, model.FormatPcap, nil)
	if err := w.Write(records()[0]); !errors.Is(err, npslog.ErrFormat) {
		t.Fatalf("err %v", err)
	}
	w = npslog.NewWriter(failWriter{}, model.FormatIAS, nil)
	if err := w.Write(records()[0]); err == nil || !strings.HasPrefix(err.Error(), "npslog: ") {
		t.Fatalf("err %v", err)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

type reader interface {
	Read() (model.Message, error)
}

func newReader(f model.Format, r io.Reader) reader {
	switch f {
	case model.FormatIAS:
		return ias.NewReader(r, ias.Options{Location: zone})
	case model.FormatODBC:
		return odbc.NewReader(r, odbc.Options{Location: zone})
	}
	return dts.NewReader(r, dts.Options{Location: zone})
}

func readAll(t testing.TB, f model.Format, data []byte) []model.Message {
	t.Helper()
	r := newReader(f, bytes.NewReader(data))
	var out []model.Message
	for {
		m, err := r.Read()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out = append(out, m)
	}
}

// odbcCarries reports whether an attribute has an ODBC column.
func odbcCarries(name string) bool {
	a := dict.Default().ByName(name)
	if a == nil {
		return false
	}
	for _, c := range odbc.Columns {
		if b := dict.Default().ByName(c); b == a {
			return true
		}
	}
	return false
}

// TestRoundTrip writes every record and reads it back with radscope's own
// readers: the key fields and every non-secret attribute the format
// carries come back the same.
func TestRoundTrip(t *testing.T) {
	for _, f := range formats {
		t.Run(string(f), func(t *testing.T) {
			in := records()
			out := readAll(t, f, write(t, f, in))
			if len(out) != len(in) {
				t.Fatalf("%d records read, %d written", len(out), len(in))
			}
			for i := range in {
				w, g := in[i], out[i]
				prec := time.Second
				if f == model.FormatDTS {
					prec = time.Millisecond
				}
				if !g.Time.Equal(w.Time.Truncate(prec)) {
					t.Errorf("record %d: Time %v, want %v", i, g.Time, w.Time.Truncate(prec))
				}
				type kv struct {
					name string
					got  any
					want any
				}
				for _, c := range []kv{
					{"Code", g.Code, w.Code}, {"Computer", g.Computer, w.Computer}, {"Service", g.Service, w.Service},
					{"User", g.User, w.User}, {"NASAddr", g.NASAddr, w.NASAddr}, {"ClientAddr", g.ClientAddr, w.ClientAddr},
					{"ClientName", g.ClientName, w.ClientName}, {"CallingStation", g.CallingStation, w.CallingStation},
					{"CalledStation", g.CalledStation, w.CalledStation}, {"Class", g.Class, w.Class},
					{"Policy", g.Policy, w.Policy}, {"ProxyPolicy", g.ProxyPolicy, w.ProxyPolicy}, {"Reason", g.Reason, w.Reason},
					{"AuthType", g.AuthType, w.AuthType}, {"AcctSessionID", g.AcctSessionID, w.AcctSessionID},
					{"AcctStatus", g.AcctStatus, w.AcctStatus},
				} {
					// IAS and DTS carry text with a comma or line break as hex.
					if s, ok := c.want.(string); ok && f == model.FormatIAS && strings.Contains(s, ",") {
						continue
					}
					if c.got != c.want {
						t.Errorf("record %d: %s = %v, want %v", i, c.name, c.got, c.want)
					}
				}
				for _, a := range w.Attrs {
					if a.Sensitive || (f == model.FormatODBC && !odbcCarries(a.Name)) {
						continue
					}
					ga, ok := g.AttrByName(a.Name)
					if !ok {
						t.Errorf("record %d: attribute %s lost", i, a.Name)
						continue
					}
					want := a.Value
					if strings.ContainsAny(want, "\n") {
						want = "0x" + strings.ToUpper(strings.TrimPrefix(hexOf(want), "0x"))
					}
					if !strings.EqualFold(norm(a.Name, ga.Value), norm(a.Name, want)) {
						t.Errorf("record %d: %s = %q, want %q", i, a.Name, ga.Value, want)
					}
				}
				for _, a := range g.Attrs {
					if a.Sensitive {
						t.Errorf("record %d: sensitive attribute %s read back", i, a.Name)
					}
				}
			}
		})
	}
}

// norm turns an enumeration name into its number.
func norm(name, v string) string {
	if a := dict.Default().ByName(name); a != nil {
		if n, ok := a.ValueByName(v); ok {
			return strconv.FormatUint(n, 10)
		}
	}
	return v
}

func hexOf(s string) string {
	const digits = "0123456789ABCDEF"
	b := []byte("0x")
	for i := 0; i < len(s); i++ {
		b = append(b, digits[s[i]>>4], digits[s[i]&15])
	}
	return string(b)
}

// TestColumnsMatchReader pins the writer's column order to the reader's.
func TestColumnsMatchReader(t *testing.T) {
	m := model.Message{Time: t0, Code: model.CodeAccessRequest, Reason: model.NoReason}
	var attrs []model.Attr
	for i, c := range odbc.Columns[4:] {
		a := dict.Default().ByName(c)
		if a == nil || a.Sensitive {
			continue
		}
		v := "v" + c
		switch a.DataType {
		case dict.TypeInteger, dict.TypeInteger64, dict.TypeSigned, dict.TypeShort, dict.TypeByte, dict.TypeBool:
			v = "1" + strings.Repeat("0", i%3)
		case dict.TypeIPAddr:
			v = "192.0.2.1"
		case dict.TypeDate:
			v = "05/02/2024 15:23:18"
		case dict.TypeOctets:
			v = "0xABCD"
		}
		attrs = append(attrs, model.Attr{Name: a.Name, Value: v})
	}
	m.Attrs = attrs
	out := write(t, model.FormatODBC, []model.Message{m})
	rec, err := csv.NewReader(bytes.NewReader(bytes.TrimSpace(out))).Read()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range attrs {
		col := -1
		for i, c := range odbc.Columns {
			if dict.Default().ByName(c) == dict.Default().ByName(a.Name) {
				col = i
				break
			}
		}
		if col < 0 {
			continue
		}
		if rec[col] != a.Value {
			t.Errorf("column %d (%s) = %q, want %q", col+1, odbc.Columns[col], rec[col], a.Value)
		}
	}
}
