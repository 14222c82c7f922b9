package dict_test

import (
	"bufio"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/radscope/radscope/dict"
)

func TestDefaultKeysAgree(t *testing.T) {
	d := dict.Default()
	n := 0
	d.Attributes(func(a *dict.Attribute) bool {
		n++
		if a.IASID != 0 && d.IAS(a.IASID) != a {
			t.Errorf("%s: IAS(%d) = %v", a.Name, a.IASID, d.IAS(a.IASID))
		}
		if a.Type != 0 && d.Lookup(a.Vendor, a.Type) != a {
			t.Errorf("%s: Lookup(%d, %d) = %v", a.Name, a.Vendor, a.Type, d.Lookup(a.Vendor, a.Type))
		}
		if d.ByName(a.Name) != a {
			t.Errorf("ByName(%q) = %v", a.Name, d.ByName(a.Name))
		}
		if a.Vendor != 0 && d.Vendor(a.Vendor) == "" {
			t.Errorf("%s: vendor %d has no name", a.Name, a.Vendor)
		}
		return true
	})
	if n < 600 {
		t.Errorf("Default has %d attributes, want the full tables (600+)", n)
	}
}

func TestNames(t *testing.T) {
	d := dict.Default()
	tests := []struct {
		name   string
		vendor uint32
		typ    int32
		ias    int32
	}{
		{"Fully-Qualifed-User-Name", 0, 0, 4130},
		{"Fully-Qualified-Distinguished-Name", 0, 0, 4130},
		{"fully-qualified-user-name", 0, 0, 4130},
		{"Policy-Name", 0, 0, 4149},
		{"NP-Policy-Name", 0, 0, 4149},
		{"Acct-Multi-Ssn-ID", 0, 50, 50},
		{"Acct-Tunnel-Conn", 0, 68, 68},
		{"Tunnel-Pvt-Group-ID", 0, 81, 81},
		{"Tunnel-Pvt-Group-Id", 0, 81, 81},
		{"Tunnel-Client-Endpt", 0, 66, 66},
		{"Called-Station-ID", 0, 30, 30},
		{"Calling-Station-Id", 0, 31, 31},
		{"Packet-Type", 0, 0, 4136},
		{"Reason-Code", 0, 0, 4142},
		{"Client-Vendor", 0, 0, 4116},
		{"SAM-Account-Name", 0, 0, 4129},
		{"Proxy-Policy-Name", 0, 0, 4154},
		{"MS-RAS-Correlation-ID", dict.VendorMicrosoft, 56, 8158},
		{"MS-RAS-Correlation", dict.VendorMicrosoft, 56, 8158},
		{"MS-Quarantine-State", dict.VendorMicrosoft, 45, 8111},
		{"MS-Extended-Quarantine-State", dict.VendorMicrosoft, 57, 8153},
		{"MS-Network-Access-Server-Type", dict.VendorMicrosoft, 47, 8132},
		{"MS-MPPE-Encryption-Types", dict.VendorMicrosoft, 8, -90},
		{"MS-MPPE-Encryption-Policy", dict.VendorMicrosoft, 7, -89},
		{"MS-Link-Drop-Time-Limit", dict.VendorMicrosoft, 15, -87},
		{"MS-CHAP-Error", dict.VendorMicrosoft, 2, 4121},
		{"MS-CHAP2-Response", dict.VendorMicrosoft, 25, 4144},
		{"Cisco-AV-Pair", dict.VendorCisco, 1, 5000},
		{"Nortel-Port-QOS", dict.VendorNortel, 0, 6000},
		{"Ascend-Data-Rate", dict.VendorAscend, 197, 197},
		{"Ascend-Xmit-Rate", dict.VendorAscend, 255, 255},
		{"USR-Request-Type", dict.VendorUSR, 0, 11255},
		{"Timestamp", 0, 0, 0},
		{"Computer-Name", 0, 0, 0},
		{"Event-Source", 0, 0, 0},
		{"ComputerName", 0, 0, 0},
		{"EAP-Protocol", 0, 0, -91},
		{"Accept-Reason-Code", 0, 0, 8167},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := d.ByName(tt.name)
			if a == nil {
				t.Fatal("unknown")
			}
			if a.Vendor != tt.vendor || a.Type != tt.typ || a.IASID != tt.ias {
				t.Errorf("got vendor %d type %d IAS %d, want %d %d %d", a.Vendor, a.Type, a.IASID, tt.vendor, tt.typ, tt.ias)
			}
		})
	}
}

// TestAscendCollisions checks that an RFC attribute owns an IAS number that
// Ascend also used, and that the Ascend attribute stays reachable.
func TestAscendCollisions(t *testing.T) {
	d := dict.Default()
	for _, c := range []struct {
		id          int32
		rfc, ascend string
	}{
		{123, "Delegated-IPv6-Prefix", "Ascend-CallAttempt-Limit"},
		{168, "Framed-IPv6-Address", "Ascend-Bridge-Address"},
		{181, "WLAN-HESSID", "Ascend-Ara-PW"},
	} {
		if got := d.IAS(c.id); got == nil || got.Name != c.rfc {
			t.Errorf("IAS(%d) = %v, want %s", c.id, got, c.rfc)
		}
		a := d.ByName(c.ascend)
		if a == nil || a.IASID != 0 || d.Lookup(dict.VendorAscend, c.id) != a {
			t.Errorf("%s = %+v", c.ascend, a)
		}
	}
	if got := d.IAS(200); got == nil || got.Name != "Ascend-Token-Immediate" {
		t.Errorf("IAS(200) = %v", got)
	}
}

func TestSensitive(t *testing.T) {
	d := dict.Default()
	for name, want := range map[string]bool{
		"User-Password": true, "CHAP-Password": true, "Tunnel-Password": true, "ARAP-Password": true,
		"MS-CHAP-Response": true, "MS-CHAP2-Response": true, "MS-CHAP-NT-Enc-PW": true,
		"MS-CHAP-LM-Enc-PW": true, "MS-CHAP-MPPE-Keys": true, "MS-MPPE-Send-Key": true,
		"MS-MPPE-Recv-Key": true, "Clear-Text-Password": true, "Shared-Secret": true,
		"Ascend-Send-Secret": true,
		"CHAP-Challenge":     false, "MS-CHAP-Challenge": false, "EAP-Message": false,
		"Message-Authenticator": false, "State": false, "User-Name": false, "MS-CHAP2-Success": false,
	} {
		a := d.ByName(name)
		if a == nil {
			t.Errorf("%s unknown", name)
			continue
		}
		if a.Sensitive != want {
			t.Errorf("%s Sensitive = %v, want %v", name, a.Sensitive, want)
		}
	}
	for name, want := range map[string]dict.Encryption{
		"User-Password": dict.EncryptPassword, "Tunnel-Password": dict.EncryptTunnel,
		"MS-MPPE-Send-Key": dict.EncryptMPPE, "MS-MPPE-Recv-Key": dict.EncryptMPPE,
		"MS-CHAP-MPPE-Keys": dict.EncryptPassword, "User-Name": dict.EncryptNone,
	} {
		if got := d.ByName(name).Encrypt; got != want {
			t.Errorf("%s Encrypt = %d, want %d", name, got, want)
		}
	}
}

func TestTagged(t *testing.T) {
	want := map[int32]bool{64: true, 65: true, 66: true, 67: true, 69: true, 81: true, 82: true, 83: true, 90: true, 91: true}
	d := dict.Default()
	for typ := int32(1); typ < 256; typ++ {
		a := d.Lookup(0, typ)
		if a == nil {
			continue
		}
		if a.Tagged != want[typ] {
			t.Errorf("%s Tagged = %v", a.Name, a.Tagged)
		}
	}
}

func TestReasons(t *testing.T) {
	tests := []struct {
		code     int
		short    string
		contains []string // in Text, Cause or Remedy
	}{
		{0, "Success", nil},
		{8, "No such user", nil},
		{16, "Authentication failure", []string{"credentials mismatch"}},
		{21, "Extension DLL rejected the request", []string{"IAS extension", "NPS extension", "AzureMfa", "AuthZ"}},
		{48, "Did not match any network policy", []string{"did not match a configured network policy"}},
		{49, "Did not match connection request policy", []string{"connection request policy"}},
		{65, "Dial-in disabled", []string{"Network Access Permission"}},
		{66, "Invalid authentication type", []string{"Authentication Methods"}},
		{19, "No reversibly encrypted password is stored for the user account", nil},
		{71, "Invalid restriction", nil},
		{117, "Remote RADIUS server did not respond", []string{"timeout"}},
		{301, "Invalid cryptobinding TLV", []string{"cryptobinding"}},
		{303, "unknown (documented range ends at 303)", []string{"303"}},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.code), func(t *testing.T) {
			r, ok := dict.LookupReason(tt.code)
			if !ok {
				t.Fatal("unknown")
			}
			if r.Short != tt.short || dict.ReasonText(tt.code) != tt.short {
				t.Errorf("Short = %q, want %q", r.Short, tt.short)
			}
			all := r.Text + "\n" + r.Cause + "\n" + r.Remedy
			for _, c := range tt.contains {
				if !strings.Contains(all, c) {
					t.Errorf("reason %d lacks %q", tt.code, c)
				}
			}
		})
	}
	if r, ok := dict.LookupReason(11); ok || !strings.Contains(r.Short, "11") {
		t.Errorf("LookupReason(11) = %+v, %v; 11 is a documented gap", r, ok)
	}
	prev, n := -1, 0
	dict.Reasons(func(r dict.Reason) bool {
		if r.Code <= prev {
			t.Errorf("Reasons: %d after %d", r.Code, prev)
		}
		prev = r.Code
		n++
		return true
	})
	if n != 95 {
		t.Errorf("Reasons yielded %d codes, want 95 (94 published plus 303)", n)
	}
}

// samples finds the shared read-only samples folder, or skips.
func samples(t *testing.T, parts ...string) string {
	t.Helper()
	for _, up := range []string{"..", "../..", "../../.."} {
		p := filepath.Join(append([]string{up, "shared", "samples"}, parts...)...)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Skipf("shared samples not present (looked for shared/samples/%s above the package)", filepath.Join(parts...))
	return ""
}

// TestParseIASLogIDs checks that every attribute ID Parse::IASLog knows is
// in the dictionary, by a name that matches apart from case and the
// documented renamings.
func TestParseIASLogIDs(t *testing.T) {
	p := samples(t, "npslogs", "lookup-tables", "DERIVED__bingos__parse-iaslog__attribute-ids.tsv")
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d := dict.Default()
	s := bufio.NewScanner(f)
	n := 0
	for s.Scan() {
		id, name, ok := strings.Cut(s.Text(), "\t")
		if !ok {
			continue
		}
		n++
		name, _, _ = strings.Cut(name, " [enum")
		v, err := strconv.Atoi(id)
		if err != nil {
			t.Fatalf("bad ID %q", id)
		}
		a := d.IAS(int32(v))
		if a == nil {
			t.Errorf("IAS ID %d (%s) unknown", v, name)
			continue
		}
		if b := d.ByName(name); b == nil {
			t.Errorf("IAS ID %d: name %q unknown", v, name)
		} else if b != a && !(v >= 107 && v <= 255) {
			t.Errorf("IAS ID %d: %q names %s, IAS gives %s", v, name, b.Name, a.Name)
		}
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	if n < 600 {
		t.Errorf("read %d IDs, want the whole table", n)
	}
}

func TestBakerdsReasonCodes(t *testing.T) {
	p := samples(t, "npslogs", "lookup-tables", "bakerds__NPS-Log-Parsing__Reason-Code.csv")
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs {
		code, err := strconv.Atoi(strings.TrimPrefix(rec[0], "\ufeff"))
		if err != nil {
			t.Fatalf("bad code %q", rec[0])
		}
		if _, ok := dict.LookupReason(code); !ok {
			t.Errorf("reason code %d missing", code)
		}
	}
	if len(recs) < 90 {
		t.Errorf("read %d codes", len(recs))
	}
}

func TestBakerdsEnums(t *testing.T) {
	d := dict.Default()
	for file, attr := range map[string]string{
		"bakerds__NPS-Log-Parsing__Packet-Type.csv":         "Packet-Type",
		"bakerds__NPS-Log-Parsing__NAS-Port-Type.csv":       "NAS-Port-Type",
		"bakerds__NPS-Log-Parsing__Service-Type.csv":        "Service-Type",
		"bakerds__NPS-Log-Parsing__Authentication-Type.csv": "Authentication-Type",
		"bakerds__NPS-Log-Parsing__Provider-Type.csv":       "Provider-Type",
		"bakerds__NPS-Log-Parsing__Vendor.csv":              "Client-Vendor",
	} {
		p := samples(t, "npslogs", "lookup-tables", file)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		r := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(b), "\ufeff")))
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		a := d.ByName(attr)
		for _, rec := range recs {
			v, err := strconv.ParseUint(rec[0], 10, 64)
			if err != nil {
				t.Fatalf("%s: bad value %q", file, rec[0])
			}
			if _, ok := a.Values[v]; !ok {
				t.Errorf("%s value %d (%s) has no name", attr, v, rec[1])
			}
		}
	}
}
