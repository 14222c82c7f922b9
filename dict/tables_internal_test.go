package dict

import (
	"slices"
	"strings"
	"testing"
)

// allTables is every built-in attribute, fresh, in table order.
func allTables() []*Attribute {
	var as []*Attribute
	for _, t := range [][]*Attribute{ietfAttributes(), microsoftAttributes(), vendorAttributes(), iasAttributes()} {
		as = append(as, t...)
	}
	return as
}

func TestTablesUniqueKeys(t *testing.T) {
	ias := map[int32]string{}
	wire := map[key]string{}
	names := map[string]string{}
	for _, a := range allTables() {
		if a.Name == "" {
			t.Errorf("attribute %+v has no name", a)
		}
		if a.IASID != 0 {
			if prev, ok := ias[a.IASID]; ok {
				t.Errorf("IAS ID %d: %s and %s", a.IASID, prev, a.Name)
			}
			ias[a.IASID] = a.Name
		}
		if a.Type != 0 {
			k := key{a.Vendor, a.Type}
			if prev, ok := wire[k]; ok {
				t.Errorf("wire %d/%d: %s and %s", a.Vendor, a.Type, prev, a.Name)
			}
			wire[k] = a.Name
		}
		ln := strings.ToLower(a.Name)
		if prev, ok := names[ln]; ok {
			t.Errorf("name %q used twice (%s)", a.Name, prev)
		}
		names[ln] = a.Name
	}
	for _, aliases := range []map[string]string{ietfAliases, microsoftAliases, iasAliases} {
		for alias, target := range aliases {
			if _, ok := names[strings.ToLower(target)]; !ok {
				t.Errorf("alias %q points at unknown %q", alias, target)
			}
			if prev, ok := names[strings.ToLower(alias)]; ok && !strings.EqualFold(prev, target) {
				t.Errorf("alias %q shadows attribute %q", alias, prev)
			}
		}
	}
}

func TestTablesEnumsAreIntegers(t *testing.T) {
	for _, a := range allTables() {
		if a.Values == nil {
			continue
		}
		switch a.DataType {
		case TypeInteger, TypeInteger64, TypeByte, TypeShort, TypeSigned, TypeBool:
		default:
			t.Errorf("%s has an enumeration but is %s", a.Name, a.DataType)
		}
		for v, s := range a.Values {
			if s == "" {
				t.Errorf("%s value %d has no name", a.Name, v)
			}
		}
	}
}

func TestTablesIETFIASIDs(t *testing.T) {
	for _, a := range ietfAttributes() {
		if a.IASID != a.Type || a.Vendor != 0 || a.Type < 1 || a.Type > 255 {
			t.Errorf("%s: vendor %d type %d IAS %d", a.Name, a.Vendor, a.Type, a.IASID)
		}
	}
	// ietfNumberTaken must agree with the IETF table in the Ascend range.
	taken := map[int]bool{}
	for _, a := range ietfAttributes() {
		taken[int(a.Type)] = true
	}
	for n := 107; n <= 255; n++ {
		if got := ietfNumberTaken(n); got != taken[n] {
			t.Errorf("ietfNumberTaken(%d) = %v, IETF table says %v", n, got, taken[n])
		}
	}
}

func TestReasonTable(t *testing.T) {
	if !slices.IsSorted(reasonOrder) {
		t.Error("reasonOrder is not sorted")
	}
	if len(reasonOrder) != len(reasons) {
		t.Errorf("reasonOrder has %d codes, reasons %d", len(reasonOrder), len(reasons))
	}
	for i, c := range reasonOrder {
		if i > 0 && reasonOrder[i-1] == c {
			t.Errorf("code %d twice in reasonOrder", c)
		}
		r, ok := reasons[c]
		if !ok {
			t.Errorf("code %d in reasonOrder but not in reasons", c)
			continue
		}
		if r.Code != c {
			t.Errorf("reasons[%d].Code = %d", c, r.Code)
		}
		if r.Short == "" || r.Cause == "" || r.Remedy == "" {
			t.Errorf("reason %d lacks Short, Cause or Remedy: %+v", c, r)
		}
		if r.Text == "" && c != 19 && c != 71 {
			t.Errorf("reason %d has no Text", c)
		}
		if r.Const != "" && !strings.HasPrefix(r.Const, "IAS_") {
			t.Errorf("reason %d constant %q", c, r.Const)
		}
	}
}

func TestNPSSpellings(t *testing.T) {
	d := Default()
	for name, nps := range npsSpellings {
		a := d.ByName(name)
		if a == nil || a.Name != name {
			t.Errorf("%q is not an attribute name", name)
			continue
		}
		if a.NPSName() != nps || d.ByName(nps) != a {
			t.Errorf("%s: NPSName %q, ByName(%q) = %v", name, a.NPSName(), nps, d.ByName(nps))
		}
	}
	if got := d.IAS(4130).NPSName(); got != "Fully-Qualifed-User-Name" {
		t.Errorf("4130 NPSName = %q", got)
	}
}
