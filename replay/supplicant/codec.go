package supplicant

import (
	"encoding/binary"
	"fmt"
)

// EAP codes (RFC 3748 §4).
const (
	CodeRequest  = 1
	CodeResponse = 2
	CodeSuccess  = 3
	CodeFailure  = 4
)

// EAP method types (IANA "Method Types").
const (
	TypeIdentity   = 1
	TypeNak        = 3
	TypePEAP       = 25
	TypeMSCHAPv2   = 26
	TypeExtensions = 33 // PEAPv0 result TLV
)

// Method names, as in Config.Methods and Result.Method.
const (
	MethodPEAP     = "PEAP"
	MethodMSCHAPv2 = "EAP-MSCHAPv2"
)

// MaxMessage bounds an EAP packet and a reassembled TLS message.
const MaxMessage = 64 << 10

// Packet is one decoded EAP packet.
type Packet struct {
	Code, ID byte
	Type     byte   // 0 for Success and Failure
	Data     []byte // after the type octet
}

// Parse decodes an EAP packet; bytes past its length field are ignored.
func Parse(b []byte) (Packet, error) {
	if len(b) < 4 {
		return Packet{}, fmt.Errorf("supplicant: EAP packet of %d bytes", len(b))
	}
	n := int(binary.BigEndian.Uint16(b[2:4]))
	if n < 4 || n > len(b) || n > MaxMessage {
		return Packet{}, fmt.Errorf("supplicant: EAP length %d in %d bytes", n, len(b))
	}
	p := Packet{Code: b[0], ID: b[1]}
	switch p.Code {
	case CodeRequest, CodeResponse:
		if n < 5 {
			return Packet{}, fmt.Errorf("supplicant: EAP %s without a type", codeName(p.Code))
		}
		p.Type, p.Data = b[4], b[5:n]
	case CodeSuccess, CodeFailure:
	default:
		return Packet{}, fmt.Errorf("supplicant: EAP code %d", p.Code)
	}
	return p, nil
}

// Encode builds an EAP Request or Response of type typ with data.
func Encode(code, id, typ byte, data ...[]byte) []byte {
	n := 5
	for _, d := range data {
		n += len(d)
	}
	b := make([]byte, 5, n)
	b[0], b[1], b[4] = code, id, typ
	binary.BigEndian.PutUint16(b[2:4], uint16(n))
	for _, d := range data {
		b = append(b, d...)
	}
	return b
}

func codeName(c byte) string {
	switch c {
	case CodeRequest:
		return "Request"
	case CodeResponse:
		return "Response"
	case CodeSuccess:
		return "Success"
	case CodeFailure:
		return "Failure"
	}
	return fmt.Sprintf("code %d", c)
}

// MethodName names an EAP type.
func MethodName(t byte) string {
	switch t {
	case TypePEAP:
		return MethodPEAP
	case TypeMSCHAPv2:
		return MethodMSCHAPv2
	case TypeIdentity:
		return "Identity"
	}
	return fmt.Sprintf("EAP type %d", t)
}

// MethodType is the EAP type of a method name (PEAP, EAP-MSCHAPv2, or a
// number).
func MethodType(name string) (byte, bool) {
	switch name {
	case MethodPEAP, "peap":
		return TypePEAP, true
	case MethodMSCHAPv2, "eap-mschapv2", "MS-CHAP-V2":
		return TypeMSCHAPv2, true
	}
	return 0, false
}
