package evtx

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

const hexUpper = "0123456789ABCDEF"

// render turns one substitution value into the text Windows shows in the
// event's XML: decimal integers, 0x-hex for HexInt32/64 and size_t, upper
// case hex for binary, {GUID} in upper case, S-1-... SIDs, RFC 3339 UTC
// times with 7 fractional digits for FILETIME, "true"/"false" for booleans
// (any non-zero value is true). Array elements are joined with ", ".
func (c *chunkDec) render(v valueRef) (string, error) {
	if v.off < 0 || v.size < 0 || v.off+v.size > len(c.b) {
		return "", fmt.Errorf("%w: value of type 0x%02x overruns the chunk", ErrBinXML, v.typ)
	}
	b := c.b[v.off : v.off+v.size]
	if v.typ&typeArray != 0 {
		return c.renderArray(v.typ&^typeArray, b)
	}
	return c.scalar(v.typ, b)
}

func (c *chunkDec) scalar(typ uint8, b []byte) (string, error) {
	bad := func() (string, error) {
		return "", fmt.Errorf("%w: value of type 0x%02x has size %d", ErrBinXML, typ, len(b))
	}
	switch typ {
	case typeNull:
		return "", nil
	case typeString:
		return cleanText(c.utf16(b)), nil
	case typeAnsi:
		return cleanText(latin1(b)), nil
	case typeInt8:
		if len(b) != 1 {
			return bad()
		}
		return itoa(int64(int8(b[0]))), nil
	case typeUint8:
		if len(b) != 1 {
			return bad()
		}
		return itoa(int64(b[0])), nil
	case typeInt16:
		if len(b) != 2 {
			return bad()
		}
		return itoa(int64(int16(binary.LittleEndian.Uint16(b)))), nil
	case typeUint16:
		if len(b) != 2 {
			return bad()
		}
		return itoa(int64(binary.LittleEndian.Uint16(b))), nil
	case typeInt32:
		if len(b) != 4 {
			return bad()
		}
		return itoa(int64(int32(binary.LittleEndian.Uint32(b)))), nil
	case typeUint32:
		if len(b) != 4 {
			return bad()
		}
		return itoa(int64(binary.LittleEndian.Uint32(b))), nil
	case typeInt64:
		if len(b) != 8 {
			return bad()
		}
		return itoa(int64(binary.LittleEndian.Uint64(b))), nil
	case typeUint64:
		if len(b) != 8 {
			return bad()
		}
		return strconv.FormatUint(binary.LittleEndian.Uint64(b), 10), nil
	case typeReal32:
		if len(b) != 4 {
			return bad()
		}
		return strconv.FormatFloat(float64(math.Float32frombits(binary.LittleEndian.Uint32(b))), 'g', -1, 32), nil
	case typeReal64:
		if len(b) != 8 {
			return bad()
		}
		return strconv.FormatFloat(math.Float64frombits(binary.LittleEndian.Uint64(b)), 'g', -1, 64), nil
	case typeBool:
		var n uint64
		switch len(b) {
		case 1:
			n = uint64(b[0])
		case 2:
			n = uint64(binary.LittleEndian.Uint16(b))
		case 4:
			n = uint64(binary.LittleEndian.Uint32(b))
		case 8:
			n = binary.LittleEndian.Uint64(b)
		default:
			return bad()
		}
		if n != 0 {
			return "true", nil
		}
		return "false", nil
	case typeBinary, typeEvtHndl:
		out := make([]byte, 2*len(b))
		for i, x := range b {
			out[2*i] = hexUpper[x>>4]
			out[2*i+1] = hexUpper[x&0x0f]
		}
		return string(out), nil
	case typeGUID:
		if len(b) != 16 {
			return bad()
		}
		return FormatGUID(b), nil
	case typeSizeT, typeHex32, typeHex64:
		switch len(b) {
		case 4:
			return "0x" + strconv.FormatUint(uint64(binary.LittleEndian.Uint32(b)), 16), nil
		case 8:
			return "0x" + strconv.FormatUint(binary.LittleEndian.Uint64(b), 16), nil
		}
		return bad()
	case typeFiletime:
		if len(b) != 8 {
			return bad()
		}
		return FormatTime(Filetime(binary.LittleEndian.Uint64(b))), nil
	case typeSysTime:
		if len(b) != 16 {
			return bad()
		}
		w := func(i int) int { return int(binary.LittleEndian.Uint16(b[2*i:])) }
		t := time.Date(w(0), time.Month(w(1)), w(3), w(4), w(5), w(6), w(7)*1e6, time.UTC)
		return t.Format("2006-01-02T15:04:05.000Z"), nil
	case typeSID:
		s, n, ok := sid(b)
		if !ok || n != len(b) {
			return bad()
		}
		return s, nil
	case typeEvtXML:
		return c.utf16(b), nil
	}
	return "", fmt.Errorf("%w: unknown value type 0x%02x", ErrBinXML, typ)
}

func (c *chunkDec) renderArray(typ uint8, b []byte) (string, error) {
	var parts []string
	switch typ {
	case typeString:
		s := strings.TrimRight(c.utf16(b), "\x00")
		if s == "" {
			return "", nil
		}
		return strings.ReplaceAll(s, "\x00", ", "), nil
	case typeAnsi:
		s := strings.TrimRight(latin1(b), "\x00")
		return strings.ReplaceAll(s, "\x00", ", "), nil
	case typeSID:
		for len(b) > 0 {
			s, n, ok := sid(b)
			if !ok {
				return "", fmt.Errorf("%w: bad SID in array", ErrBinXML)
			}
			parts = append(parts, s)
			b = b[n:]
		}
		return strings.Join(parts, ", "), nil
	}
	size := arrayElemSize[typ]
	if size == 0 || len(b)%size != 0 {
		return "", fmt.Errorf("%w: array of type 0x%02x has size %d", ErrBinXML, typ, len(b))
	}
	for i := 0; i < len(b); i += size {
		s, err := c.scalar(typ, b[i:i+size])
		if err != nil {
			return "", err
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", "), nil
}

// sid decodes a Windows SID and returns it with its size in bytes.
func sid(b []byte) (string, int, bool) {
	if len(b) < 8 {
		return "", 0, false
	}
	n := int(b[1])
	size := 8 + 4*n
	if len(b) < size {
		return "", 0, false
	}
	var auth uint64
	for _, x := range b[2:8] {
		auth = auth<<8 | uint64(x)
	}
	out := make([]byte, 0, 16+11*n)
	out = append(out, "S-"...)
	out = strconv.AppendUint(out, uint64(b[0]), 10)
	out = append(out, '-')
	out = strconv.AppendUint(out, auth, 10)
	for i := 0; i < n; i++ {
		out = append(out, '-')
		out = strconv.AppendUint(out, uint64(binary.LittleEndian.Uint32(b[8+4*i:])), 10)
	}
	return string(out), size, true
}

// FormatGUID renders a 16-byte little-endian GUID as {XXXXXXXX-XXXX-...}.
func FormatGUID(b []byte) string {
	var out [38]byte
	out[0] = '{'
	pos := 1
	put := func(x byte) {
		out[pos] = hexUpper[x>>4]
		out[pos+1] = hexUpper[x&0x0f]
		pos += 2
	}
	for _, i := range []int{3, 2, 1, 0} {
		put(b[i])
	}
	out[pos] = '-'
	pos++
	put(b[5])
	put(b[4])
	out[pos] = '-'
	pos++
	put(b[7])
	put(b[6])
	out[pos] = '-'
	pos++
	put(b[8])
	put(b[9])
	out[pos] = '-'
	pos++
	for i := 10; i < 16; i++ {
		put(b[i])
	}
	out[37] = '}'
	return string(out[:])
}

// filetimeEpoch is 1601-01-01 in seconds before the Unix epoch.
const filetimeEpoch = 11644473600

// Filetime converts a Windows FILETIME (100 ns ticks since 1601) to UTC.
func Filetime(ft uint64) time.Time {
	sec := int64(ft/1e7) - filetimeEpoch
	nsec := int64(ft%1e7) * 100
	return time.Unix(sec, nsec).UTC()
}

// FormatTime renders t the way Windows writes SystemTime attributes:
// 2006-01-02T15:04:05.1234567Z.
func FormatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.0000000Z")
}

var arrayElemSize = [256]int{typeInt8: 1, typeUint8: 1, typeInt16: 2, typeUint16: 2, typeInt32: 4, typeUint32: 4,
	typeInt64: 8, typeUint64: 8, typeReal32: 4, typeReal64: 8, typeBool: 4, typeGUID: 16, typeSizeT: 8,
	typeFiletime: 8, typeSysTime: 16, typeHex32: 4, typeHex64: 8}

// cleanText drops the NUL padding at the end of a string value and the C0
// control characters XML cannot carry (keeping tab, CR and LF), as
// libevtx and python-evtx do.
func cleanText(s string) string {
	s = strings.TrimRight(s, "\x00")
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			return strings.Map(func(r rune) rune {
				if r < 0x20 && r != '\t' && r != '\n' && r != '\r' {
					return -1
				}
				return r
			}, s)
		}
	}
	return s
}
