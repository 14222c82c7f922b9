package dict

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"layeh.com/radius/dictionary"
)

// LoadFreeRADIUS adds the VENDOR, ATTRIBUTE and VALUE definitions of a
// FreeRADIUS-format dictionary to d. path is a file, or a directory: then
// its file named "dictionary" is read when there is one (it $INCLUDEs the
// rest, as in FreeRADIUS' share/ folder), and otherwise every file whose
// name starts with "dictionary", in name order, as if one file included
// them all.
//
// Definitions are added, never subtracted:
//   - an attribute whose number is new is added with its vendor;
//   - an attribute whose (vendor, number) radscope already knows keeps
//     radscope's definition (its IAS ID, secrecy and data type) and gains
//     the file's name as an alias;
//   - VALUE lines merge into the attribute's enumeration, the file winning
//     for a number both define.
//
// Attributes the file marks encrypt=1/2/3 are flagged Sensitive. TLV members
// (dotted numbers such as 26.1) are not supported by radscope's flat
// dictionary and are skipped. Errors name the file and line:
// "dict: /etc/raddb/dictionary.local:12: ...". d is changed only when the
// whole file parses; attributes shared with another Dictionary (Default,
// or the one d was cloned from) are copied before their enumeration grows,
// so loading into a Clone never changes Default.
func (d *Dictionary) LoadFreeRADIUS(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("dict: %w", err)
	}
	var fd *dictionary.Dictionary
	if fi.IsDir() {
		fd, err = parseFreeRADIUSDir(path)
	} else {
		p := dictionary.Parser{
			Opener:                    &dictionary.FileSystemOpener{Root: filepath.Dir(path)},
			IgnoreIdenticalAttributes: true,
		}
		fd, err = p.ParseFile(filepath.Base(path))
	}
	if err != nil {
		return dictFileError(err)
	}
	return d.merge(fd, path)
}

func parseFreeRADIUSDir(dir string) (*dictionary.Dictionary, error) {
	p := dictionary.Parser{
		Opener:                    &dictionary.FileSystemOpener{Root: dir},
		IgnoreIdenticalAttributes: true,
	}
	main := filepath.Join(dir, "dictionary")
	if st, err := os.Stat(main); err == nil && !st.IsDir() {
		return p.ParseFile("dictionary")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasPrefix(e.Name(), "dictionary") {
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%s: no dictionary* files", dir)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		b.WriteString("$INCLUDE " + n + "\n")
	}
	return p.Parse(&includeFile{Reader: strings.NewReader(b.String()), name: filepath.Join(dir, "(dictionary*)")})
}

// includeFile is the synthetic file that includes every dictionary* file of
// a directory.
type includeFile struct {
	io.Reader
	name string
}

func (f *includeFile) Close() error { return nil }
func (f *includeFile) Name() string { return f.name }

// dictFileError rewrites layeh's ParseError as "dict: file:line: cause".
func dictFileError(err error) error {
	var pe *dictionary.ParseError
	if errors.As(err, &pe) && pe.File != nil {
		inner := pe.Inner
		if inner == nil {
			inner = errors.New("parse error")
		}
		return fmt.Errorf("dict: %s:%d: %w", pe.File.Name(), pe.Line, inner)
	}
	return fmt.Errorf("dict: %w", err)
}

func (d *Dictionary) merge(fd *dictionary.Dictionary, path string) error {
	// Resolve every VALUE before changing d, so a bad file changes nothing.
	var adds []*Attribute
	var aliases [][2]string // alias name, existing attribute name
	byName := map[string]*Attribute{}
	consider := func(vendor uint32, attrs []*dictionary.Attribute) {
		for _, fa := range attrs {
			if len(fa.OID) != 1 {
				continue
			}
			typ := int32(fa.OID[0])
			if existing := d.Lookup(vendor, typ); existing != nil {
				aliases = append(aliases, [2]string{fa.Name, existing.Name})
				byName[strings.ToLower(fa.Name)] = existing
				continue
			}
			a := &Attribute{Name: fa.Name, Vendor: vendor, Type: typ, DataType: fromLayehType(fa.Type), Tagged: fa.HasTag()}
			if vendor == 0 && typ > 0 && typ < 256 {
				a.IASID = typ
			}
			if fa.FlagEncrypt.Valid && fa.FlagEncrypt.Int != 0 {
				a.Sensitive = true
				switch fa.FlagEncrypt.Int {
				case dictionary.EncryptUserPassword:
					a.Encrypt = EncryptPassword
				case dictionary.EncryptTunnelPassword:
					a.Encrypt = EncryptTunnel
				case 3:
					a.Encrypt = EncryptAscend
				}
			}
			adds = append(adds, a)
			byName[strings.ToLower(fa.Name)] = a
		}
	}
	consider(0, fd.Attributes)
	for _, v := range fd.Vendors {
		consider(uint32(v.Number), v.Attributes)
	}
	lookup := func(name string) *Attribute {
		if a := byName[strings.ToLower(name)]; a != nil {
			return a
		}
		return d.ByName(name)
	}
	newValues := map[*Attribute]map[uint64]string{}
	var all []*dictionary.Value
	all = append(all, fd.Values...)
	for _, v := range fd.Vendors {
		all = append(all, v.Values...)
	}
	for _, v := range all {
		a := lookup(v.Attribute)
		if a == nil {
			return fmt.Errorf("dict: %s: VALUE %s %s for unknown attribute %q", path, v.Attribute, v.Name, v.Attribute)
		}
		m := newValues[a]
		if m == nil {
			m = map[uint64]string{}
			newValues[a] = m
		}
		m[v.Number] = v.Name
	}

	for _, v := range fd.Vendors {
		if d.Vendor(uint32(v.Number)) == "" {
			d.AddVendor(uint32(v.Number), v.Name)
		} else if _, ok := d.VendorID(v.Name); !ok {
			d.vnames[strings.ToLower(v.Name)] = uint32(v.Number)
		}
	}
	for _, a := range adds {
		if vs := newValues[a]; vs != nil {
			a.Values = vs
			delete(newValues, a)
		}
		d.Add(a)
	}
	for _, al := range aliases {
		if a := d.ByName(al[1]); a != nil {
			d.AddAlias(al[0], a)
		}
	}
	for old, vs := range newValues {
		d.replace(old, withValues(old, vs))
	}
	return nil
}

// withValues returns a copy of a whose enumeration is a's plus vs.
func withValues(a *Attribute, vs map[uint64]string) *Attribute {
	c := *a
	c.Values = make(map[uint64]string, len(a.Values)+len(vs))
	for k, v := range a.Values {
		c.Values[k] = v
	}
	for k, v := range vs {
		c.Values[k] = v
	}
	return &c
}

// replace puts n wherever d holds old: its wire number, IAS ID and every
// name and alias.
func (d *Dictionary) replace(old, n *Attribute) {
	for k, v := range d.wire {
		if v == old {
			d.wire[k] = n
		}
	}
	for k, v := range d.ias {
		if v == old {
			d.ias[k] = n
		}
	}
	for k, v := range d.names {
		if v == old {
			d.names[k] = n
		}
	}
}

func fromLayehType(t dictionary.AttributeType) DataType {
	switch t {
	case dictionary.AttributeString:
		return TypeString
	case dictionary.AttributeIPAddr:
		return TypeIPAddr
	case dictionary.AttributeDate:
		return TypeDate
	case dictionary.AttributeInteger:
		return TypeInteger
	case dictionary.AttributeIPv6Addr:
		return TypeIPv6Addr
	case dictionary.AttributeIPv6Prefix:
		return TypeIPv6Prefix
	case dictionary.AttributeIFID:
		return TypeIfID
	case dictionary.AttributeInteger64:
		return TypeInteger64
	case dictionary.AttributeVSA:
		return TypeVSA
	case dictionary.AttributeEther:
		return TypeEther
	case dictionary.AttributeByte:
		return TypeByte
	case dictionary.AttributeShort:
		return TypeShort
	case dictionary.AttributeSigned:
		return TypeSigned
	case dictionary.AttributeTLV:
		return TypeTLV
	case dictionary.AttributeIPv4Prefix:
		return TypeIPv4Prefix
	}
	return TypeOctets
}
