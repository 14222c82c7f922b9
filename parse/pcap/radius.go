package pcap

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"

	"github.com/radscope/radscope/dict"
	"github.com/radscope/radscope/model"
)

// Errors of RADIUS decoding; the reader wraps them in a *model.ParseError
// naming the frame, and emits the message with what could be read.
var (
	errShort       = errors.New("RADIUS packet shorter than its 20-byte header")
	errLength      = errors.New("RADIUS length field disagrees with the datagram")
	errUnknownCode = errors.New("unknown RADIUS code")
	errAttr        = errors.New("RADIUS attribute overruns the packet")
)

// RADIUS attribute numbers the reader treats specially.
const (
	attrUserName       = 1
	attrUserPassword   = 2
	attrNASIPAddress   = 4
	attrClass          = 25
	attrVendorSpecific = 26
	attrCalledStation  = 30
	attrCallingStation = 31
	attrNASIdentifier  = 32
	attrAcctStatusType = 40
	attrAcctSessionID  = 44
	attrTunnelPassword = 69
	attrMessageAuth    = 80

	vendorMicrosoft = 311
	msMPPESendKey   = 16
	msMPPERecvKey   = 17
)

// decodeRADIUS fills m from the RADIUS packet b (the UDP payload), which
// it takes over: m's Auth and attribute Raw values point into b. It
// returns the packet bytes within the length field (for the secret checks,
// nil when shorter than the header) and the first problem found; m holds
// whatever could be read either way.
func decodeRADIUS(d *attrDict, b []byte, m *model.Message) (pkt []byte, err error) {
	m.Kind = model.KindPacket
	m.Ident = model.NoIdent
	if len(b) >= 1 {
		m.Code = model.Code(b[0])
	}
	if len(b) >= 2 {
		m.Ident = int(b[1])
	}
	if len(b) < 20 {
		return nil, fmt.Errorf("%w: %d bytes", errShort, len(b))
	}
	n := int(binary.BigEndian.Uint16(b[2:4]))
	switch {
	case n < 20:
		err = fmt.Errorf("%w: length %d", errLength, n)
		n = len(b)
	case n > 4096:
		err = fmt.Errorf("%w: length %d exceeds 4096", errLength, n)
		n = min(n, len(b))
	case n > len(b):
		err = fmt.Errorf("%w: length %d, datagram %d bytes", errLength, n, len(b))
		n = len(b)
	}
	// Octets beyond the length field are padding (RFC 2865 §3) and dropped.
	own := b[:n:n]
	m.Auth = own[4:20:20]
	if err == nil && !m.Code.Known() {
		err = fmt.Errorf("%w %d", errUnknownCode, b[0])
	}
	if aerr := decodeAttrs(d, own[20:], m); aerr != nil && err == nil {
		err = aerr
	}
	return own, err
}

// decodeAttrs appends the attributes in b to m.Attrs, splitting
// Vendor-Specific attributes into their sub-attributes, and fills m's key
// fields.
func decodeAttrs(d *attrDict, b []byte, m *model.Message) error {
	n := 0
	for i := 0; i < len(b); {
		if i+2 > len(b) || b[i+1] < 2 || i+int(b[i+1]) > len(b) {
			break
		}
		n++
		i += int(b[i+1])
	}
	if m.Attrs == nil {
		m.Attrs = make([]model.Attr, 0, n+2)
	}
	for i := 0; i < len(b); {
		if i+2 > len(b) {
			return fmt.Errorf("%w: 1 byte left at offset %d", errAttr, 20+i)
		}
		t, l := b[i], int(b[i+1])
		if l < 2 {
			return fmt.Errorf("%w: attribute %d at offset %d has length %d", errAttr, t, 20+i, l)
		}
		if i+l > len(b) {
			return fmt.Errorf("%w: attribute %d at offset %d has length %d, %d bytes left", errAttr, t, 20+i, l, len(b)-i)
		}
		v := b[i+2 : i+l : i+l]
		i += l
		if t == attrVendorSpecific && splitVSA(d, v, m) {
			continue
		}
		m.Attrs = append(m.Attrs, makeAttr(d, 0, int32(t), v))
		keyField(m, t, &m.Attrs[len(m.Attrs)-1])
	}
	return nil
}

// splitVSA appends the sub-attributes of a Vendor-Specific value in the
// RFC 2865 §5.26 suggested format. It appends nothing and returns false
// when the value does not follow that format, so the caller keeps the
// whole attribute.
func splitVSA(d *attrDict, v []byte, m *model.Message) bool {
	if len(v) < 4+2 {
		return false
	}
	vendor := binary.BigEndian.Uint32(v[:4])
	sub := v[4:]
	for i := 0; i < len(sub); {
		if i+2 > len(sub) || sub[i+1] < 2 || i+int(sub[i+1]) > len(sub) {
			return false
		}
		i += int(sub[i+1])
	}
	for i := 0; i < len(sub); {
		t, l := sub[i], int(sub[i+1])
		m.Attrs = append(m.Attrs, makeAttr(d, vendor, int32(t), sub[i+2:i+l:i+l]))
		i += l
	}
	return true
}

// attrDict is the dictionary with the IETF and Microsoft attributes in
// arrays, so the attributes of most packets are found without hashing.
type attrDict struct {
	d    *dict.Dictionary
	ietf [256]*dict.Attribute
	ms   [256]*dict.Attribute
}

func newAttrDict(d *dict.Dictionary) *attrDict {
	a := &attrDict{d: d}
	for t := range 256 {
		a.ietf[t] = d.Lookup(0, int32(t))
		a.ms[t] = d.Lookup(vendorMicrosoft, int32(t))
	}
	return a
}

func (a *attrDict) lookup(vendor uint32, typ int32) *dict.Attribute {
	if typ >= 0 && typ < 256 {
		switch vendor {
		case 0:
			return a.ietf[typ]
		case vendorMicrosoft:
			return a.ms[typ]
		}
	}
	return a.d.Lookup(vendor, typ)
}

func makeAttr(d *attrDict, vendor uint32, typ int32, raw []byte) model.Attr {
	a := d.lookup(vendor, typ)
	at := model.Attr{Vendor: vendor, Type: typ, Raw: raw}
	if a == nil {
		at.Name = dict.UnknownName(vendor, typ)
		at.Value = dict.HexString(raw)
		return at
	}
	at.Name = a.Name
	at.Value = a.FormatWire(raw)
	at.Sensitive = a.Sensitive
	return at
}

func keyField(m *model.Message, t byte, a *model.Attr) {
	switch t {
	case attrUserName:
		if m.User == "" {
			m.User = a.Value
		}
	case attrNASIPAddress:
		if len(a.Raw) == 4 {
			m.NASAddr = netip.AddrFrom4([4]byte(a.Raw))
		}
	case attrNASIdentifier:
		m.NASID = a.Value
	case attrCallingStation:
		m.CallingStation = a.Value
	case attrCalledStation:
		m.CalledStation = a.Value
	case attrClass:
		if m.Class == "" {
			m.Class = a.Value
		}
	case attrAcctSessionID:
		m.AcctSessionID = a.Value
	case attrAcctStatusType:
		if len(a.Raw) == 4 {
			m.AcctStatus = int(binary.BigEndian.Uint32(a.Raw))
		}
	}
}
