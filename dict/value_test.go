package dict_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/radscope/radscope/dict"
)

func TestFormatWire(t *testing.T) {
	d := dict.Default()
	by := func(name string) *dict.Attribute {
		a := d.ByName(name)
		if a == nil {
			t.Fatalf("no attribute %q", name)
		}
		return a
	}
	tests := []struct {
		name string
		a    *dict.Attribute
		raw  []byte
		want string
	}{
		{"string", by("User-Name"), []byte("alice@example.com"), "alice@example.com"},
		{"string utf-8", by("User-Name"), []byte("Общий"), "Общий"},
		{"string with control char", by("User-Name"), []byte("bob\x00"), "0x626f6200"},
		{"string invalid utf-8", by("User-Name"), []byte{0xff, 0x41}, "0xff41"},
		{"string empty", by("User-Name"), nil, ""},
		{"integer enum", by("Service-Type"), []byte{0, 0, 0, 2}, "Framed"},
		{"integer no enum name", by("Service-Type"), []byte{0, 0, 1, 0}, "256"},
		{"integer plain", by("Session-Timeout"), []byte{0, 0, 0x0e, 0x10}, "3600"},
		{"integer short", by("Session-Timeout"), []byte{0, 1}, "0x0001"},
		{"integer long", by("Session-Timeout"), []byte{0, 0, 0, 0, 1}, "0x0000000001"},
		{"nas-port-type", by("NAS-Port-Type"), []byte{0, 0, 0, 19}, "Wireless-802.11"},
		{"ipaddr", by("NAS-IP-Address"), []byte{10, 0, 0, 1}, "10.0.0.1"},
		{"ipaddr short", by("NAS-IP-Address"), []byte{10, 0, 0}, "0x0a0000"},
		{"ipv6addr", by("NAS-IPv6-Address"), []byte{0x20, 0x01, 0x0d, 0xb8, 15: 1}, "2001:db8::1"},
		{"ipv6addr wrong", by("NAS-IPv6-Address"), []byte{1, 2}, "0x0102"},
		{"ipv6prefix", by("Framed-IPv6-Prefix"), []byte{0, 32, 0x20, 0x01, 0x0d, 0xb8}, "2001:db8::/32"},
		{"ipv6prefix too long for bytes", by("Framed-IPv6-Prefix"), []byte{0, 64, 0x20, 0x01}, "0x00402001"},
		{"ipv6prefix length over 128", by("Framed-IPv6-Prefix"), []byte{0, 200, 0x20, 0x01}, "0x00c82001"},
		{"ifid", by("Framed-Interface-Id"), []byte{0, 1, 2, 3, 4, 5, 6, 7}, "0001:0203:0405:0607"},
		{"date", by("Event-Timestamp"), []byte{0x66, 0x33, 0xaf, 0xe1}, "2024-05-02T15:23:13Z"},
		{"date wrong length", by("Event-Timestamp"), []byte{1, 2, 3}, "0x010203"},
		{"octets", by("State"), []byte{0xAB, 0xcd, 0x01}, "0xabcd01"},
		{"class text", by("Class"), []byte("311 1 10.0.0.1 05/16/2014 02:17:48 1307"), "311 1 10.0.0.1 05/16/2014 02:17:48 1307"},
		{"tagged integer", by("Tunnel-Type"), []byte{1, 0, 0, 13}, "1:VLAN"},
		{"tagged integer tag 0", by("Tunnel-Medium-Type"), []byte{0, 0, 0, 6}, "IEEE-802"},
		{"tagged integer wrong length", by("Tunnel-Type"), []byte{1, 13}, "0x010d"},
		{"tagged string with tag", by("Tunnel-Private-Group-Id"), []byte("\x01100"), "1:100"},
		{"tagged string without tag", by("Tunnel-Private-Group-Id"), []byte("100"), "100"},
		{"tagged string tag 0", by("Tunnel-Private-Group-Id"), []byte("\x00guests"), "guests"},
		{"tunnel password", by("Tunnel-Password"), []byte{2, 0x80, 0x01, 0xaa}, "2:0x8001aa"},
		{"user password is hex", by("User-Password"), []byte("abc"), "0x616263"},
		{"mppe key is hex", by("MS-MPPE-Send-Key"), []byte{0x81, 0x02}, "0x8102"},
		{"ms vendor enum", by("MS-RAS-Vendor"), []byte{0, 0, 1, 0x37}, "Microsoft"},
		{"bool without enum", &dict.Attribute{DataType: dict.TypeBool}, []byte{0, 0, 0, 1}, "true"},
		{"signed negative", &dict.Attribute{DataType: dict.TypeSigned}, []byte{0xff, 0xff, 0xff, 0xfe}, "-2"},
		{"byte", &dict.Attribute{DataType: dict.TypeByte}, []byte{7}, "7"},
		{"short", &dict.Attribute{DataType: dict.TypeShort}, []byte{1, 0}, "256"},
		{"short wrong", &dict.Attribute{DataType: dict.TypeShort}, []byte{1}, "0x01"},
		{"integer64", &dict.Attribute{DataType: dict.TypeInteger64}, []byte{0, 0, 0, 1, 0, 0, 0, 0}, "4294967296"},
		{"ether", &dict.Attribute{DataType: dict.TypeEther}, []byte{0, 0x1b, 0x21, 0xAA, 0xbb, 0xcc}, "00:1b:21:aa:bb:cc"},
		{"ether wrong", &dict.Attribute{DataType: dict.TypeEther}, []byte{0, 0x1b}, "0x001b"},
		{"ipv4prefix", &dict.Attribute{DataType: dict.TypeIPv4Prefix}, []byte{0, 24, 192, 0, 2, 0}, "192.0.2.0/24"},
		{"ipv4prefix length over 32", &dict.Attribute{DataType: dict.TypeIPv4Prefix}, []byte{0, 40, 192, 0, 2, 0}, "0x0028c0000200"},
		{"vsa", by("Vendor-Specific"), []byte{0, 0, 1, 0x37, 1, 3, 0}, "0x00000137010300"},
		{"nil attribute", nil, []byte{1, 2, 3}, "0x010203"},
		{"nil attribute empty", nil, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.a.FormatWire(tt.raw); got != tt.want {
				t.Errorf("FormatWire(% x) = %q, want %q", tt.raw, got, tt.want)
			}
		})
	}
}

func TestParseLogValue(t *testing.T) {
	d := dict.Default()
	tests := []struct {
		attr        string // name, or "" for an unknown attribute
		in          string
		wantDisplay string
		wantRaw     string // hex of raw, "" for none
	}{
		{"NAS-Port-Type", "5", "Virtual", ""},
		{"Packet-Type", "11", "Access-Challenge", ""},
		{"Packet-Type", "1", "Access-Request", ""},
		{"Packet-Type", "Access-Reject", "Access-Reject", ""},
		{"Reason-Code", "16", "Authentication failure", ""},
		{"Reason-Code", "9999", "9999", ""},
		{"Authentication-Type", "8", "Extension", ""},
		{"Provider-Type", "2", "RADIUS Proxy", ""},
		{"Client-Vendor", "9", "Cisco", ""},
		{"MS-Quarantine-State", "0", "Full-Access", ""},
		{"MS-Extended-Quarantine-State", "2", "Infected", ""},
		{"MS-Network-Access-Server-Type", "1", "Terminal-Server-Gateway", ""},
		{"Manipulation-Target", "31", "Calling-Station-Id", ""},
		{"Tunnel-Type", "13", "VLAN", ""},
		{"Tunnel-Medium-Type", "6", "IEEE-802", ""},
		{"Acct-Status-Type", "3", "Interim-Update", ""},
		{"Session-Timeout", " 3600 ", "3600", ""},
		{"Quarantine-Update-Non-Compliant", "1", "true", ""},
		{"Quarantine-Update-Non-Compliant", "0", "false", ""},
		{"NAS-IP-Address", "10.10.10.10", "10.10.10.10", ""},
		{"NAS-IP-Address", "0x0a0a0a0a", "10.10.10.10", "0a0a0a0a"},
		{"NAS-IPv6-Address", "2001:DB8::1", "2001:db8::1", ""},
		{"Framed-IPv6-Prefix", "2001:db8::/32", "2001:db8::/32", ""},
		{"Event-Timestamp", "05/02/2024 15:23:13", "2024-05-02 15:23:13", ""},
		{"Timestamp", "05/19/2014 15:21:44.008", "2014-05-19 15:21:44.008", ""},
		{"Event-Timestamp", "1714663393", "2024-05-02T15:23:13Z", ""},
		{"MS-CHAP-Error", "0x00453D36393120523D3020563D33", "0x00453d36393120523d3020563d33", "00453d36393120523d3020563d33"},
		{"User-Name", "0x616c696365", "alice", "616c696365"},
		{"User-Name", "DOMAIN\\alice", "DOMAIN\\alice", ""},
		{"Class", "311 1 10.1.2.42 05/16/2014 02:17:48 1307", "311 1 10.1.2.42 05/16/2014 02:17:48 1307", ""},
		{"Vendor-Specific", "0000376301060000000F", "0x0000376301060000000f", "0000376301060000000f"},
		{"Vendor-Specific", "0x0000000000", "0x0000000000", "0000000000"},
		{"State", "not hex", "not hex", ""},
		{"", "0x0102", "0x0102", "0102"},
		{"", "anything, really", "anything, really", ""},
	}
	for _, tt := range tests {
		t.Run(tt.attr+"="+tt.in, func(t *testing.T) {
			var a *dict.Attribute
			if tt.attr != "" {
				if a = d.ByName(tt.attr); a == nil {
					t.Fatalf("no attribute %q", tt.attr)
				}
			}
			disp, raw, err := a.ParseLogValue(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if disp != tt.wantDisplay {
				t.Errorf("display = %q, want %q", disp, tt.wantDisplay)
			}
			if got := strings.TrimPrefix(dict.HexString(raw), "0x"); got != tt.wantRaw {
				t.Errorf("raw = %q, want %q", got, tt.wantRaw)
			}
		})
	}
}

func TestParseLogValueErrors(t *testing.T) {
	d := dict.Default()
	tests := []struct{ attr, in, want string }{
		{"Packet-Type", "x", `invalid integer "x"`},
		{"Packet-Type", "", `invalid integer ""`},
		{"Packet-Type", "-1", `invalid integer "-1"`},
		{"NAS-Port", "4294967296", `invalid integer "4294967296"`},
		{"NAS-Port", "0x0102030405", `invalid integer "0x0102030405"`},
		{"NAS-IP-Address", "10.0.0", `invalid ipaddr "10.0.0"`},
		{"NAS-IP-Address", "2001:db8::1", `invalid ipaddr "2001:db8::1"`},
		{"NAS-IP-Address", "0x0a00", `invalid ipaddr "0x0a00"`},
		{"NAS-IPv6-Address", "fe80::1%eth0", `invalid ipv6addr "fe80::1%eth0"`},
		{"Framed-IPv6-Prefix", "10.0.0.0/8", `invalid ipv6prefix "10.0.0.0/8"`},
		{"Event-Timestamp", "13/45/2024 99:00:00", `invalid date "13/45/2024 99:00:00"`},
		{"Event-Timestamp", "0x0102", `invalid date "0x0102"`},
	}
	for _, tt := range tests {
		t.Run(tt.attr+"="+tt.in, func(t *testing.T) {
			_, _, err := d.ByName(tt.attr).ParseLogValue(tt.in)
			if err == nil {
				t.Fatal("no error")
			}
			if err.Error() != tt.want {
				t.Errorf("error %q, want %q", err, tt.want)
			}
			if !errors.Is(err, dict.ErrInvalidValue) {
				t.Error("error does not match ErrInvalidValue")
			}
			var ve *dict.ValueError
			if !errors.As(err, &ve) || ve.Value != tt.in {
				t.Errorf("error is not a *ValueError for %q: %#v", tt.in, err)
			}
		})
	}
}

// TestIASExample decodes Microsoft's IAS-format example record (dd197432):
// 10.10.10.10,client,06/04/1999,14:42:19,NPS,CLIENTCOMP,6,2,7,1,5,9,61,5,64,1,65,1,31,1
func TestIASExample(t *testing.T) {
	d := dict.Default()
	pairs := strings.Split("6,2,7,1,5,9,61,5,64,1,65,1,31,1", ",")
	want := []string{
		"Service-Type=Framed", "Framed-Protocol=PPP", "NAS-Port=9", "NAS-Port-Type=Virtual",
		"Tunnel-Type=PPTP", "Tunnel-Medium-Type=IPv4", "Calling-Station-Id=1",
	}
	var got []string
	for i := 0; i+1 < len(pairs); i += 2 {
		var id int32
		for _, c := range pairs[i] {
			id = id*10 + int32(c-'0')
		}
		a := d.IAS(id)
		if a == nil {
			t.Fatalf("IAS(%d) unknown", id)
		}
		disp, _, err := a.ParseLogValue(pairs[i+1])
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, a.Name+"="+disp)
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("decoded\n%v\nwant\n%v", got, want)
	}
}

func FuzzFormatWire(f *testing.F) {
	d := dict.Default()
	attrs := []*dict.Attribute{nil}
	for _, n := range []string{"User-Name", "Service-Type", "NAS-IP-Address", "NAS-IPv6-Address",
		"Framed-IPv6-Prefix", "Framed-Interface-Id", "Event-Timestamp", "State", "Tunnel-Type",
		"Tunnel-Private-Group-Id", "Tunnel-Password", "User-Password", "Vendor-Specific", "MS-RAS-Vendor",
		"Reason-Code", "Quarantine-Update-Non-Compliant"} {
		attrs = append(attrs, d.ByName(n))
	}
	for _, dt := range []dict.DataType{dict.TypeInteger64, dict.TypeIPv4Prefix, dict.TypeByte,
		dict.TypeShort, dict.TypeEther, dict.TypeSigned, dict.TypeTLV, dict.DataType(200)} {
		attrs = append(attrs, &dict.Attribute{DataType: dt}, &dict.Attribute{DataType: dt, Tagged: true})
	}
	for _, seed := range [][]byte{nil, {0}, {1, 0, 0, 13}, {0, 64, 0x20, 1, 0xd, 0xb8}, []byte("hello"),
		{0xff, 0xfe, 0xfd}, {0, 0, 0, 0, 0, 0, 0, 1}, {1, 2, 3, 4, 5, 6}, {0, 200, 1}, {0, 0x3f, 1, 2, 3, 4}} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		for _, a := range attrs {
			s := a.FormatWire(raw)
			if len(raw) > 0 && s == "" && (a == nil || a.DataType != dict.TypeString) {
				t.Errorf("%v: empty rendering of % x", a, raw)
			}
			if a == nil || a.DataType == dict.TypeOctets && !a.Tagged {
				if s != dict.HexString(raw) {
					t.Errorf("%v: %q is not the hex of % x", a, s, raw)
				}
			}
			// What FormatWire shows for an untagged integer, ParseLogValue
			// must read back to the same display.
			if a != nil && !a.Tagged && a.DataType == dict.TypeInteger && len(raw) == 4 {
				disp, _, err := a.ParseLogValue(s)
				if err != nil || disp != s {
					t.Errorf("%s: ParseLogValue(%q) = %q, %v", a.Name, s, disp, err)
				}
			}
		}
	})
}

func FuzzParseLogValue(f *testing.F) {
	d := dict.Default()
	var attrs []*dict.Attribute
	for _, n := range []string{"User-Name", "Packet-Type", "NAS-IP-Address", "NAS-IPv6-Address",
		"Framed-IPv6-Prefix", "Framed-Interface-Id", "Event-Timestamp", "Vendor-Specific", "Tunnel-Type",
		"Quarantine-Update-Non-Compliant", "Reason-Code"} {
		attrs = append(attrs, d.ByName(n))
	}
	for _, dt := range []dict.DataType{dict.TypeInteger64, dict.TypeIPv4Prefix, dict.TypeByte,
		dict.TypeShort, dict.TypeEther, dict.TypeSigned} {
		attrs = append(attrs, &dict.Attribute{DataType: dt})
	}
	attrs = append(attrs, nil)
	for _, s := range []string{"", "5", "11", "0x", "0x0a0a0a0a", "10.0.0.1", "05/02/2024 15:23:13",
		"2001:db8::/32", "00-1B-21-AA-BB-CC", "-7", "true", "Access-Request", "0000376301060000000F"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, a := range attrs {
			_, raw, err := a.ParseLogValue(s)
			if err != nil {
				var ve *dict.ValueError
				if !errors.As(err, &ve) || ve.Value != s {
					t.Errorf("%v: %q: error %v is not a *ValueError for the input", a, s, err)
				}
				continue
			}
			if raw != nil && len(raw) == 0 {
				t.Errorf("%v: %q: empty non-nil raw", a, s)
			}
		}
	})
}
