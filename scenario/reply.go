package scenario

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/radscope/radscope/dict"
)

// replyAttrs are the attributes network policies commonly return, used
// when the dictionary lacks them.
var replyAttrs = []*dict.Attribute{
	{Name: "Service-Type", Type: 6, DataType: dict.TypeInteger, Values: map[uint64]string{1: "Login", 2: "Framed", 5: "Outbound", 6: "Administrative", 7: "NAS-Prompt", 8: "Authenticate-Only"}},
	{Name: "Framed-Protocol", Type: 7, DataType: dict.TypeInteger, Values: map[uint64]string{1: "PPP", 2: "SLIP"}},
	{Name: "Framed-IP-Address", Type: 8, DataType: dict.TypeIPAddr},
	{Name: "Framed-IP-Netmask", Type: 9, DataType: dict.TypeIPAddr},
	{Name: "Filter-Id", Type: 11, DataType: dict.TypeString},
	{Name: "Framed-MTU", Type: 12, DataType: dict.TypeInteger},
	{Name: "Reply-Message", Type: 18, DataType: dict.TypeString},
	{Name: "Framed-Route", Type: 22, DataType: dict.TypeString},
	{Name: "Class", Type: 25, DataType: dict.TypeOctets},
	{Name: "Session-Timeout", Type: 27, DataType: dict.TypeInteger},
	{Name: "Idle-Timeout", Type: 28, DataType: dict.TypeInteger},
	{Name: "Termination-Action", Type: 29, DataType: dict.TypeInteger, Values: map[uint64]string{0: "Default", 1: "RADIUS-Request"}},
	{Name: "Tunnel-Type", Type: 64, DataType: dict.TypeInteger, Tagged: true, Values: map[uint64]string{1: "PPTP", 3: "L2TP", 13: "VLAN"}},
	{Name: "Tunnel-Medium-Type", Type: 65, DataType: dict.TypeInteger, Tagged: true, Values: map[uint64]string{1: "IPv4", 2: "IPv6", 6: "802"}},
	{Name: "Tunnel-Pvt-Group-ID", Type: 81, DataType: dict.TypeString, Tagged: true},
	{Name: "Acct-Interim-Interval", Type: 85, DataType: dict.TypeInteger},
	{Name: "Framed-Pool", Type: 88, DataType: dict.TypeString},
	{Name: "Cisco-AV-Pair", Vendor: 9, Type: 1, DataType: dict.TypeString},
	{Name: "MS-Primary-DNS-Server", Vendor: 311, Type: 28, DataType: dict.TypeIPAddr},
	{Name: "MS-Secondary-DNS-Server", Vendor: 311, Type: 29, DataType: dict.TypeIPAddr},
	{Name: "Fortinet-Group-Name", Vendor: 12356, Type: 1, DataType: dict.TypeString},
	{Name: "Aruba-User-Role", Vendor: 14823, Type: 1, DataType: dict.TypeString},
	{Name: "Login-Service", Type: 15, DataType: dict.TypeInteger},
}

// lookupReplyAttr finds a reply attribute by name: the built-in table
// first (so its wire types are stable), then the dictionary, then the
// generic forms Attr-N and Vendor-V-Attr-N.
func lookupReplyAttr(name string) *dict.Attribute {
	for _, a := range replyAttrs {
		if strings.EqualFold(a.Name, name) {
			return a
		}
	}
	if a := dict.Default().ByName(name); a != nil && a.Type > 0 && a.Type < 256 {
		return a
	}
	lname := strings.ToLower(name)
	if n, ok := strings.CutPrefix(lname, "attr-"); ok {
		if t, err := strconv.Atoi(n); err == nil && t > 0 && t < 256 && t != 26 {
			return &dict.Attribute{Name: name, Type: int32(t), DataType: dict.TypeOctets}
		}
	}
	if rest, ok := strings.CutPrefix(lname, "vendor-"); ok {
		v, t, ok := strings.Cut(rest, "-attr-")
		vn, err1 := strconv.ParseUint(v, 10, 32)
		tn, err2 := strconv.Atoi(t)
		if ok && err1 == nil && err2 == nil && tn > 0 && tn < 256 {
			return &dict.Attribute{Name: name, Vendor: uint32(vn), Type: int32(tn), DataType: dict.TypeOctets}
		}
	}
	return nil
}

// compileReply encodes one reply attribute's value for the wire.
func compileReply(r ReplyAttr) (CompiledReply, error) {
	a := lookupReplyAttr(r.Name)
	if a == nil {
		return CompiledReply{}, fmt.Errorf("unknown attribute %q (use a dictionary name, Attr-N or Vendor-V-Attr-N)", r.Name)
	}
	if a.Vendor == 0 && (a.Type == 80 || a.Type == 79 || a.Type == 24 || a.Type == 33 || a.Type == 2) {
		return CompiledReply{}, fmt.Errorf("attribute %s is managed by the server and cannot be set in a policy", a.Name)
	}
	v := r.Value
	var tag byte
	hasTag := false
	if a.Tagged {
		if t, rest, ok := strings.Cut(v, ":"); ok {
			if n, err := strconv.ParseUint(t, 10, 8); err == nil && n <= 0x1f {
				tag, hasTag, v = byte(n), true, rest
			}
		}
	}
	var out []byte
	switch a.DataType {
	case dict.TypeInteger, dict.TypeBool, dict.TypeSigned:
		n, err := strconv.ParseUint(v, 0, 32)
		if err != nil {
			nv, ok := a.ValueByName(v)
			if !ok {
				return CompiledReply{}, fmt.Errorf("%s wants an integer or a value name, got %q", a.Name, r.Value)
			}
			n = nv
		}
		out = binary.BigEndian.AppendUint32(nil, uint32(n))
		if a.Tagged {
			out[0] = tag
		}
	case dict.TypeIPAddr:
		ip, err := netip.ParseAddr(v)
		if err != nil || !ip.Is4() {
			return CompiledReply{}, fmt.Errorf("%s wants an IPv4 address, got %q", a.Name, r.Value)
		}
		b := ip.As4()
		out = b[:]
	case dict.TypeIPv6Addr:
		ip, err := netip.ParseAddr(v)
		if err != nil || !ip.Is6() {
			return CompiledReply{}, fmt.Errorf("%s wants an IPv6 address, got %q", a.Name, r.Value)
		}
		b := ip.As16()
		out = b[:]
	default:
		if h, ok := strings.CutPrefix(v, "0x"); ok {
			b, err := hex.DecodeString(h)
			if err != nil {
				return CompiledReply{}, fmt.Errorf("%s: invalid hex %q", a.Name, r.Value)
			}
			out = b
		} else {
			out = []byte(v)
		}
		if a.Tagged && hasTag {
			out = append([]byte{tag}, out...)
		}
	}
	max := 253
	if a.Vendor != 0 {
		max = 247
	}
	if len(out) == 0 || len(out) > max {
		return CompiledReply{}, fmt.Errorf("%s: value of %d bytes (want 1 to %d)", a.Name, len(out), max)
	}
	return CompiledReply{Vendor: a.Vendor, Type: byte(a.Type), Name: a.Name, Value: out, Text: r.Value}, nil
}
