package dict_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/radscope/radscope/dict"
)

func TestLoadFreeRADIUSFile(t *testing.T) {
	d := dict.Default().Clone()
	if err := d.LoadFreeRADIUS(filepath.Join("testdata", "freeradius", "dictionary.test")); err != nil {
		t.Fatal(err)
	}
	if id, ok := d.VendorID("Radscope-Test"); !ok || id != 64999 {
		t.Fatalf("VendorID(Radscope-Test) = %d, %v", id, ok)
	}
	if got := d.Vendor(64999); got != "Radscope-Test" {
		t.Errorf("Vendor(64999) = %q", got)
	}

	level := d.Lookup(64999, 2)
	if level == nil || level.Name != "Radscope-Level" || level.DataType != dict.TypeInteger {
		t.Fatalf("Lookup(64999, 2) = %+v", level)
	}
	if got := level.FormatWire([]byte{0, 0, 0, 15}); got != "Admin" {
		t.Errorf("Radscope-Level 15 = %q, want Admin", got)
	}
	if d.ByName("radscope-role") != d.Lookup(64999, 1) {
		t.Error("ByName(radscope-role) is not vendor attribute 1")
	}
	secret := d.Lookup(64999, 3)
	if secret == nil || !secret.Sensitive || secret.Encrypt != dict.EncryptTunnel || !secret.Tagged {
		t.Errorf("Radscope-Secret = %+v, want sensitive, tunnel-encrypted, tagged", secret)
	}
	if gw := d.Lookup(64999, 4); gw == nil || gw.FormatWire([]byte{192, 0, 2, 1}) != "192.0.2.1" {
		t.Errorf("Radscope-Gateway = %+v", gw)
	}

	flag := d.Lookup(0, 240)
	if flag == nil || flag.IASID != 240 || flag.ValueName(1) != "On" {
		t.Errorf("Radscope-Local-Flag = %+v", flag)
	}

	// A known number keeps radscope's definition and gains the alias and
	// the new value; Default is untouched.
	st := d.Lookup(0, 6)
	if st.Name != "Service-Type" || d.ByName("Radscope-Service-Kind") != st {
		t.Errorf("Service-Type after load: %+v, alias -> %+v", st, d.ByName("Radscope-Service-Kind"))
	}
	if st.ValueName(250) != "Radscope-Special" || st.ValueName(2) != "Framed" {
		t.Errorf("Service-Type values: 250=%q 2=%q", st.ValueName(250), st.ValueName(2))
	}
	if d.IAS(6) != st || d.ByName("service-type") != st {
		t.Error("Service-Type not replaced under every key")
	}
	def := dict.Default().Lookup(0, 6)
	if def.ValueName(250) != "250" || dict.Default().ByName("Radscope-Service-Kind") != nil {
		t.Error("loading into a Clone changed Default")
	}
}

func TestLoadFreeRADIUSDir(t *testing.T) {
	d := dict.New()
	if err := d.LoadFreeRADIUS(filepath.Join("testdata", "freeradius-dir")); err != nil {
		t.Fatal(err)
	}
	a := d.Lookup(64998, 1)
	if a == nil || a.Name != "Radscope-Dir-Name" || a.DataType != dict.TypeString {
		t.Fatalf("Lookup(64998, 1) = %+v", a)
	}
}

func TestLoadFreeRADIUSMainFile(t *testing.T) {
	d := dict.New()
	if err := d.LoadFreeRADIUS(filepath.Join("testdata", "freeradius-main")); err != nil {
		t.Fatal(err)
	}
	if a := d.Lookup(64996, 7); a == nil || a.Name != "Radscope-Main-Count" {
		t.Fatalf("Lookup(64996, 7) = %+v", a)
	}
}

func TestLoadFreeRADIUSErrors(t *testing.T) {
	tests := []struct {
		name, path string
		want       []string
	}{
		{"bad type", "testdata/freeradius-bad/dictionary.bad", []string{"dict: ", "dictionary.bad:3:", "notatype"}},
		{"value for unknown attribute", "testdata/freeradius-bad/dictionary.badvalue", []string{"dict: ", "No-Such-Attribute"}},
		{"missing", "testdata/freeradius-bad/nonexistent", []string{"dict: ", "nonexistent"}},
		{"directory with a bad file", "testdata/freeradius-bad", []string{"dict: ", "dictionary.bad:3:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := dict.New()
			err := d.LoadFreeRADIUS(filepath.FromSlash(tt.path))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if d.Vendor(64997) != "" {
				t.Error("a failed load changed the dictionary")
			}
		})
	}
}
