package dict

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
	"unsafe"
)

// ErrInvalidValue is matched (errors.Is) by every *ValueError.
var ErrInvalidValue = errors.New("invalid value")

// ValueError reports a log value that does not fit its attribute's data type.
// Its text is deliberately short and carries no package prefix, because
// readers put it inside a model.ParseError that already names the file,
// format and field: `in.log:3: ias: field 7 (Packet-Type): invalid integer "x"`.
type ValueError struct {
	Kind  string // "integer", "ipaddr", "date", ...
	Value string // the value as read
}

func (e *ValueError) Error() string {
	return "invalid " + e.Kind + " " + strconv.Quote(e.Value)
}

// Is makes errors.Is(err, ErrInvalidValue) true.
func (e *ValueError) Is(target error) bool { return target == ErrInvalidValue }

// HexString renders b as 0x followed by lowercase hex digits; an empty b is
// the empty string.
func HexString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	out := make([]byte, 2+2*len(b))
	out[0], out[1] = '0', 'x'
	hex.Encode(out[2:], b)
	return unsafe.String(&out[0], len(out)) // out is never written again
}

// FormatWire renders an attribute value as it was carried in a RADIUS packet
// (the bytes after the type and length octets, or after the vendor header of
// a VSA) for people:
//
//   - string: the text when it is valid UTF-8 made only of printable
//     characters, otherwise the whole value as 0x-hex (what NPS logs do);
//   - integer, byte, short, integer64, signed, bool: the enumeration name when
//     Values has one, else decimal;
//   - ipaddr, ipv6addr, ipv4prefix, ipv6prefix: the usual address notation;
//   - date: RFC 3339 in UTC;
//   - ether: six colon-separated lowercase hex pairs; ifid: four groups of
//     four hex digits;
//   - octets, vsa, tlv and every encrypted attribute: 0x-hex.
//
// A tagged attribute (RFC 2868) renders as "tag:value", e.g. "1:VLAN"; tag 0
// (no tag) renders the value alone. Only integer, string and tunnel-encrypted
// attributes carry tags; other types marked Tagged render untagged. A value of the wrong length for its type,
// and any value of a nil *Attribute, renders as 0x-hex. FormatWire never
// panics.
func (a *Attribute) FormatWire(raw []byte) string {
	if a == nil {
		return HexString(raw)
	}
	if a.Tagged && len(raw) > 0 {
		switch {
		case a.DataType == TypeInteger:
			if len(raw) != 4 {
				return HexString(raw)
			}
			tag := raw[0]
			v := uint64(raw[1])<<16 | uint64(raw[2])<<8 | uint64(raw[3])
			return withTag(tag, a.ValueName(v))
		case a.Encrypt == EncryptTunnel:
			// Tunnel-Password always carries the tag byte (RFC 2868 §3.5).
			return withTag(raw[0], HexString(raw[1:]))
		case a.DataType == TypeString && raw[0] <= 0x1f:
			// For strings the tag is optional; a first byte above 0x1F is text.
			return withTag(raw[0], a.formatUntagged(raw[1:]))
		}
	}
	return a.formatUntagged(raw)
}

func withTag(tag byte, v string) string {
	if tag == 0 {
		return v
	}
	return strconv.Itoa(int(tag)) + ":" + v
}

func (a *Attribute) formatUntagged(raw []byte) string {
	if a.Encrypt != EncryptNone {
		return HexString(raw)
	}
	switch a.DataType {
	case TypeString:
		if printableText(raw) {
			return string(raw)
		}
	case TypeInteger, TypeBool:
		if len(raw) == 4 {
			return a.intName(uint64(binary.BigEndian.Uint32(raw)))
		}
	case TypeSigned:
		if len(raw) == 4 {
			v := int32(binary.BigEndian.Uint32(raw))
			if a.Values != nil && v >= 0 {
				return a.ValueName(uint64(v))
			}
			return strconv.FormatInt(int64(v), 10)
		}
	case TypeInteger64:
		if len(raw) == 8 {
			return a.ValueName(binary.BigEndian.Uint64(raw))
		}
	case TypeByte:
		if len(raw) == 1 {
			return a.ValueName(uint64(raw[0]))
		}
	case TypeShort:
		if len(raw) == 2 {
			return a.ValueName(uint64(binary.BigEndian.Uint16(raw)))
		}
	case TypeIPAddr:
		if len(raw) == 4 {
			return netip.AddrFrom4([4]byte(raw)).String()
		}
	case TypeIPv6Addr:
		if len(raw) == 16 {
			return netip.AddrFrom16([16]byte(raw)).String()
		}
	case TypeIPv6Prefix:
		// RFC 3162 §2.3: reserved, prefix length, then 0-16 prefix octets.
		if len(raw) >= 2 && len(raw) <= 18 && raw[1] <= 128 && int(raw[1]) <= (len(raw)-2)*8 {
			var b [16]byte
			copy(b[:], raw[2:])
			return netip.PrefixFrom(netip.AddrFrom16(b), int(raw[1])).String()
		}
	case TypeIPv4Prefix:
		// RFC 6572 §3.1: reserved, prefix length (low 6 bits), 4 octets.
		if len(raw) == 6 && raw[1]&0x3f <= 32 {
			return netip.PrefixFrom(netip.AddrFrom4([4]byte(raw[2:])), int(raw[1]&0x3f)).String()
		}
	case TypeDate:
		if len(raw) == 4 {
			return time.Unix(int64(binary.BigEndian.Uint32(raw)), 0).UTC().Format(time.RFC3339)
		}
	case TypeEther:
		if len(raw) == 6 {
			return etherString(raw)
		}
	case TypeIfID:
		if len(raw) == 8 {
			h := hex.EncodeToString(raw)
			return h[0:4] + ":" + h[4:8] + ":" + h[8:12] + ":" + h[12:16]
		}
	}
	return HexString(raw)
}

// intName renders an integer, and a bool without an enumeration as
// "false"/"true".
func (a *Attribute) intName(v uint64) string {
	if a.DataType == TypeBool && a.Values == nil {
		return strconv.FormatBool(v != 0)
	}
	return a.ValueName(v)
}

func etherString(b []byte) string {
	h := hex.EncodeToString(b)
	var s strings.Builder
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			s.WriteByte(':')
		}
		s.WriteString(h[i : i+2])
	}
	return s.String()
}

// printableText reports whether b is valid UTF-8 made only of printable
// characters and spaces (no control characters).
func printableText(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, r := range string(b) {
		if r != ' ' && !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

// ParseLogValue interprets one attribute value as the NPS text logs write it
// (IAS and ODBC formats, and the text of a DTS element). It returns the value
// for display and, when the log wrote it in hex, the raw bytes.
//
//   - Integers are decimal; the display is the enumeration name when there is
//     one (NAS-Port-Type "5" → "Virtual"). A name is accepted too. A value
//     that is not an integer returns a *ValueError: invalid integer "x".
//   - "0x…" is hex: raw gets the bytes; octets display as lowercase 0x-hex,
//     strings as text when printable (else 0x-hex), integers and addresses
//     decoded from the bytes. Octets also accept the bare hex DTS writes.
//   - IPv4 and IPv6 addresses and prefixes display in canonical form.
//   - Dates MM/DD/YYYY HH:MM:SS[.mmm] (and YYYY-MM-DD HH:MM:SS) display as
//     "YYYY-MM-DD HH:MM:SS[.mmm]". The zone is not known here: NPS writes
//     Timestamp in local time and Event-Timestamp in UTC, so the reader that
//     knows the source converts. A decimal is taken as Unix seconds and
//     displays as RFC 3339 UTC.
//   - Strings and everything else display as written.
//
// A nil *Attribute (an attribute the dictionary lacks, which NPS logs as a
// string) decodes hex and otherwise returns the value as written.
func (a *Attribute) ParseLogValue(s string) (display string, raw []byte, err error) {
	if a == nil {
		if b, ok := decodeHex0x(s); ok {
			return HexString(b), b, nil
		}
		return s, nil, nil
	}
	t := strings.TrimSpace(s)
	b, isHex := decodeHex0x(t)
	switch a.DataType {
	case TypeInteger, TypeInteger64, TypeByte, TypeShort, TypeBool, TypeSigned:
		if isHex {
			v, ok := beUint(b, a.DataType)
			if !ok {
				return "", nil, &ValueError{Kind: "integer", Value: s}
			}
			return a.intDisplay(v), b, nil
		}
		if a.DataType == TypeSigned {
			v, err := strconv.ParseInt(t, 10, 32)
			if err != nil {
				return "", nil, &ValueError{Kind: "integer", Value: s}
			}
			if v >= 0 && a.Values != nil {
				return a.ValueName(uint64(v)), nil, nil
			}
			return strconv.FormatInt(v, 10), nil, nil
		}
		v, err := strconv.ParseUint(t, 10, intBits(a.DataType))
		if err != nil {
			if a.DataType == TypeBool {
				if bv, berr := strconv.ParseBool(t); berr == nil {
					return strconv.FormatBool(bv), nil, nil
				}
			}
			if n, ok := a.ValueByName(t); ok && t != "" {
				return a.Values[n], nil, nil
			}
			return "", nil, &ValueError{Kind: "integer", Value: s}
		}
		return a.intDisplay(v), nil, nil
	case TypeIPAddr, TypeIPv6Addr:
		if isHex {
			d := a.formatUntagged(b)
			if strings.HasPrefix(d, "0x") {
				return "", nil, &ValueError{Kind: a.DataType.String(), Value: s}
			}
			return d, b, nil
		}
		ip, err := netip.ParseAddr(t)
		if err != nil || (a.DataType == TypeIPAddr && !ip.Is4()) || ip.Zone() != "" {
			return "", nil, &ValueError{Kind: a.DataType.String(), Value: s}
		}
		return ip.String(), nil, nil
	case TypeIPv4Prefix, TypeIPv6Prefix:
		if isHex {
			d := a.formatUntagged(b)
			if strings.HasPrefix(d, "0x") {
				return "", nil, &ValueError{Kind: a.DataType.String(), Value: s}
			}
			return d, b, nil
		}
		p, err := netip.ParsePrefix(t)
		if err != nil || (a.DataType == TypeIPv4Prefix) != p.Addr().Is4() {
			return "", nil, &ValueError{Kind: a.DataType.String(), Value: s}
		}
		return p.String(), nil, nil
	case TypeDate:
		if isHex {
			if len(b) != 4 {
				return "", nil, &ValueError{Kind: "date", Value: s}
			}
			return a.formatUntagged(b), b, nil
		}
		if d, ok := logDate(t); ok {
			return d, nil, nil
		}
		if v, err := strconv.ParseUint(t, 10, 32); err == nil {
			return time.Unix(int64(v), 0).UTC().Format(time.RFC3339), nil, nil
		}
		return "", nil, &ValueError{Kind: "date", Value: s}
	case TypeEther:
		if isHex {
			return a.formatUntagged(b), b, nil
		}
		if m, ok := parseMAC(t); ok {
			return etherString(m), nil, nil
		}
		return s, nil, nil
	case TypeString:
		if isHex {
			if printableText(b) {
				return string(b), b, nil
			}
			return HexString(b), b, nil
		}
		return s, nil, nil
	case TypeOctets, TypeVSA, TypeTLV, TypeIfID:
		if isHex {
			return HexString(b), b, nil
		}
		if bb, ok := decodeBareHex(t); ok {
			return HexString(bb), bb, nil
		}
		return s, nil, nil
	}
	if isHex {
		return HexString(b), b, nil
	}
	return s, nil, nil
}

func (a *Attribute) intDisplay(v uint64) string {
	if a.DataType == TypeSigned {
		if int32(v) < 0 || a.Values == nil {
			return strconv.FormatInt(int64(int32(v)), 10)
		}
	}
	return a.intName(v)
}

func intBits(t DataType) int {
	switch t {
	case TypeInteger64:
		return 64
	case TypeByte:
		return 8
	case TypeShort:
		return 16
	}
	return 32
}

// beUint reads a big-endian unsigned integer of at most the type's width.
func beUint(b []byte, t DataType) (uint64, bool) {
	if len(b) == 0 || len(b)*8 > intBits(t) {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v, true
}

// decodeHex0x decodes "0x…" (either case of x and of the digits).
func decodeHex0x(s string) ([]byte, bool) {
	if len(s) < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') {
		return nil, false
	}
	return decodeBareHex(s[2:])
}

func decodeBareHex(s string) ([]byte, bool) {
	if len(s) == 0 || len(s)%2 != 0 {
		return nil, false
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, false
	}
	return b, true
}

var logDateLayouts = []string{
	"01/02/2006 15:04:05.000",
	"01/02/2006 15:04:05",
	"1/2/2006 15:04:05",
	"2006-01-02 15:04:05.000",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04:05Z07:00",
}

// logDate reads the date forms NPS logs use and renders them without a zone.
func logDate(s string) (string, bool) {
	for _, l := range logDateLayouts {
		tm, err := time.Parse(l, s)
		if err != nil {
			continue
		}
		if strings.HasSuffix(l, "Z07:00") {
			return tm.UTC().Format(time.RFC3339), true
		}
		if strings.HasSuffix(l, ".000") {
			return tm.Format("2006-01-02 15:04:05.000"), true
		}
		return tm.Format("2006-01-02 15:04:05"), true
	}
	return "", false
}

// parseMAC reads a MAC address written with ':' or '-' separators, dotted
// Cisco groups (0011.2233.4455) or as 12 bare hex digits.
func parseMAC(s string) ([]byte, bool) {
	r := strings.NewReplacer(":", "", "-", "", ".", "")
	h := r.Replace(s)
	if len(h) != 12 {
		return nil, false
	}
	b, err := hex.DecodeString(h)
	if err != nil {
		return nil, false
	}
	return b, true
}
