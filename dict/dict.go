// Package dict is radscope's RADIUS dictionary: the standard attributes
// (RFC 2865 and its successors), Microsoft's vendor-specific attributes
// (vendor 311), the NPS/IAS-internal attribute numbers that NPS text logs
// use (4096 and up, and the negative RAS numbers), the value enumerations
// NPS logs and NASes use, and the complete NPS Reason-Code table with a
// likely cause and remedy for each code.
//
// Attributes that carry secrets are flagged Sensitive; every radscope output
// redacts them unless the user asks for secrets.
//
// Two numbering spaces exist. RADIUS attributes are keyed by (vendor, type)
// as they appear on the wire. NPS text logs key attributes by an "IAS ID":
// 1-255 are the RADIUS numbers, 4096 and up are NPS-internal, negative
// numbers are RAS attributes and 5000 / 11000+ are vendor attributes NPS
// flattened. Lookup serves the wire; IAS serves the logs; both return the
// same *Attribute where the two name one datum.
package dict

import (
	"strconv"
	"strings"
	"sync"
)

// DataType is how an attribute's value is encoded and rendered.
type DataType uint8

const (
	TypeOctets  DataType = iota // binary, rendered as 0x-hex
	TypeString                  // UTF-8 text
	TypeInteger                 // 32-bit unsigned, rendered by the enum when it has one
	TypeInteger64
	TypeIPAddr     // IPv4 address
	TypeIPv6Addr   // IPv6 address
	TypeIPv6Prefix // IPv6 prefix (RFC 3162)
	TypeIPv4Prefix
	TypeDate   // seconds since 1970 (wire); MM/DD/YYYY HH:MM:SS (logs)
	TypeIfID   // 8-octet interface id
	TypeByte   // 8-bit integer
	TypeShort  // 16-bit integer
	TypeVSA    // Vendor-Specific container (26)
	TypeTLV    // TLV container
	TypeEther  // 6-octet MAC
	TypeBool   // NPS boolean (0/1)
	TypeSigned // signed 32-bit
)

var dataTypeNames = [...]string{"octets", "string", "integer", "integer64", "ipaddr", "ipv6addr",
	"ipv6prefix", "ipv4prefix", "date", "ifid", "byte", "short", "vsa", "tlv", "ether", "bool", "signed"}

func (t DataType) String() string {
	if int(t) < len(dataTypeNames) {
		return dataTypeNames[t]
	}
	return "type(" + strconv.Itoa(int(t)) + ")"
}

// Encryption is how a RADIUS attribute value is hidden with the shared
// secret on the wire.
type Encryption uint8

const (
	EncryptNone     Encryption = iota
	EncryptPassword            // RFC 2865 §5.2 User-Password
	EncryptTunnel              // RFC 2868 §3.5 salted (Tunnel-Password)
	EncryptMPPE                // RFC 2548 §2.4.2 salted MS-MPPE-*-Key (same scheme as EncryptTunnel)
	EncryptAscend              // Ascend-Send-Secret style
)

// Attribute describes one attribute.
type Attribute struct {
	Name      string
	Vendor    uint32 // 0 for IETF and NPS-internal attributes
	Type      int32  // wire type (vendor type when Vendor != 0)
	IASID     int32  // the number NPS text logs use, 0 when NPS does not log it
	DataType  DataType
	Tagged    bool // RFC 2868 tag byte
	Encrypt   Encryption
	Sensitive bool              // redact in output unless --show-secrets
	Values    map[uint64]string // enumeration, nil when none
}

// ValueName renders an enumerated value: its name, or the number.
func (a *Attribute) ValueName(v uint64) string {
	if a != nil && a.Values != nil {
		if s, ok := a.Values[v]; ok {
			return s
		}
	}
	return strconv.FormatUint(v, 10)
}

// ValueByName finds an enumerated value by name, case-insensitively.
func (a *Attribute) ValueByName(name string) (uint64, bool) {
	if a == nil {
		return 0, false
	}
	for v, s := range a.Values {
		if strings.EqualFold(s, name) {
			return v, true
		}
	}
	return 0, false
}

type key struct {
	vendor uint32
	typ    int32
}

// Dictionary is a set of attributes and vendors. The zero value is empty; use
// Default for the built-in one, or New and Add. A Dictionary is safe for
// concurrent reads once built.
type Dictionary struct {
	wire    map[key]*Attribute
	ias     map[int32]*Attribute
	names   map[string]*Attribute // lower-cased name
	vendors map[uint32]string
	vnames  map[string]uint32
}

// New returns an empty dictionary.
func New() *Dictionary {
	return &Dictionary{
		wire:    map[key]*Attribute{},
		ias:     map[int32]*Attribute{},
		names:   map[string]*Attribute{},
		vendors: map[uint32]string{},
		vnames:  map[string]uint32{},
	}
}

// Add puts a into the dictionary. A later Add of the same name or number
// replaces the earlier one for that key.
func (d *Dictionary) Add(a *Attribute) {
	if a.Type != 0 && (a.Vendor != 0 || (a.Type > 0 && a.Type < 256)) {
		d.wire[key{a.Vendor, a.Type}] = a
	}
	if a.IASID != 0 {
		d.ias[a.IASID] = a
	}
	d.names[strings.ToLower(a.Name)] = a
}

// AddAlias makes name a second name of a (DTS spellings, misspellings).
func (d *Dictionary) AddAlias(name string, a *Attribute) {
	d.names[strings.ToLower(name)] = a
}

// AddVendor names a vendor ID.
func (d *Dictionary) AddVendor(id uint32, name string) {
	d.vendors[id] = name
	d.vnames[strings.ToLower(name)] = id
}

// Lookup finds a wire attribute: vendor 0 for the IETF space.
func (d *Dictionary) Lookup(vendor uint32, typ int32) *Attribute {
	return d.wire[key{vendor, typ}]
}

// IAS finds an attribute by the number NPS text logs use.
func (d *Dictionary) IAS(id int32) *Attribute {
	if a, ok := d.ias[id]; ok {
		return a
	}
	return nil
}

// ByName finds an attribute by name (case-insensitive; DTS spellings work).
func (d *Dictionary) ByName(name string) *Attribute {
	if a, ok := d.names[name]; ok {
		return a
	}
	return d.names[strings.ToLower(name)]
}

// Vendor returns the name of a vendor ID, or "" when unknown.
func (d *Dictionary) Vendor(id uint32) string { return d.vendors[id] }

// VendorID returns the ID of a vendor name.
func (d *Dictionary) VendorID(name string) (uint32, bool) {
	id, ok := d.vnames[strings.ToLower(name)]
	return id, ok
}

// Attributes calls yield for every attribute, in no fixed order.
func (d *Dictionary) Attributes(yield func(*Attribute) bool) {
	seen := map[*Attribute]bool{}
	for _, a := range d.names {
		if seen[a] {
			continue
		}
		seen[a] = true
		if !yield(a) {
			return
		}
	}
}

// Clone returns a copy that can be extended without touching d.
func (d *Dictionary) Clone() *Dictionary {
	c := New()
	for k, v := range d.wire {
		c.wire[k] = v
	}
	for k, v := range d.ias {
		c.ias[k] = v
	}
	for k, v := range d.names {
		c.names[k] = v
	}
	for k, v := range d.vendors {
		c.vendors[k] = v
	}
	for k, v := range d.vnames {
		c.vnames[k] = v
	}
	return c
}

var (
	defaultOnce sync.Once
	defaultDict *Dictionary
)

// Default returns the built-in dictionary. It is shared; Clone it before
// adding to it.
func Default() *Dictionary {
	defaultOnce.Do(func() {
		defaultDict = New()
		populate(defaultDict)
	})
	return defaultDict
}

// UnknownName is the name radscope gives an attribute the dictionary lacks:
// "Attr-26" in the IETF or IAS space, "Vendor-9-Attr-1" for a VSA.
func UnknownName(vendor uint32, typ int32) string {
	if vendor == 0 {
		return "Attr-" + strconv.FormatInt(int64(typ), 10)
	}
	return "Vendor-" + strconv.FormatUint(uint64(vendor), 10) + "-Attr-" + strconv.FormatInt(int64(typ), 10)
}
