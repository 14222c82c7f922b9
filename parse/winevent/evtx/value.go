package evtx

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"time"
)

const hexUpper = "0123456789ABCDEF"

// render turns one substitution value into the text Windows shows in the
// event's XML: decimal integers, 0x-hex for HexInt32/64 and size_t, upper
// case hex for binary, {GUID} in upper case, S-1-... SIDs, RFC 3339 UTC
// times with 7 fractional digits for FILETIME, "true"/"false" for booleans
// (any non-zero value is true). Array elements are joined with ", ". The
// text is built in the record's arena.
func (c *chunkDec) render(v valueRef) (string, error) {
	if v.off < 0 || v.size < 0 || v.off+v.size > len(c.b) {
		return "", fmt.Errorf("%w: value of type 0x%02x overruns the chunk", ErrBinXML, v.typ)
	}
	b := c.b[v.off : v.off+v.size]
	start := len(c.arena)
	var err error
	if v.typ&typeArray != 0 {
		err = c.appendArray(v.typ&^typeArray, b)
	} else {
		err = c.appendScalar(v.typ, b)
	}
	if err != nil {
		c.arena = c.arena[:start]
		return "", err
	}
	return c.tail(start), nil
}

func (c *chunkDec) appendScalar(typ uint8, b []byte) error {
	bad := func() error {
		return fmt.Errorf("%w: value of type 0x%02x has size %d", ErrBinXML, typ, len(b))
	}
	le := binary.LittleEndian
	a := c.arena
	switch typ {
	case typeNull:
	case typeString:
		start := len(a)
		c.appendUTF16(b)
		c.cleanText(start)
		return nil
	case typeAnsi:
		start := len(a)
		c.appendLatin1(b)
		c.cleanText(start)
		return nil
	case typeInt8, typeUint8:
		if len(b) != 1 {
			return bad()
		}
		if typ == typeInt8 {
			a = strconv.AppendInt(a, int64(int8(b[0])), 10)
		} else {
			a = strconv.AppendUint(a, uint64(b[0]), 10)
		}
	case typeInt16, typeUint16:
		if len(b) != 2 {
			return bad()
		}
		if typ == typeInt16 {
			a = strconv.AppendInt(a, int64(int16(le.Uint16(b))), 10)
		} else {
			a = strconv.AppendUint(a, uint64(le.Uint16(b)), 10)
		}
	case typeInt32, typeUint32:
		if len(b) != 4 {
			return bad()
		}
		if typ == typeInt32 {
			a = strconv.AppendInt(a, int64(int32(le.Uint32(b))), 10)
		} else {
			a = strconv.AppendUint(a, uint64(le.Uint32(b)), 10)
		}
	case typeInt64, typeUint64:
		if len(b) != 8 {
			return bad()
		}
		if typ == typeInt64 {
			a = strconv.AppendInt(a, int64(le.Uint64(b)), 10)
		} else {
			a = strconv.AppendUint(a, le.Uint64(b), 10)
		}
	case typeReal32:
		if len(b) != 4 {
			return bad()
		}
		a = strconv.AppendFloat(a, float64(math.Float32frombits(le.Uint32(b))), 'g', -1, 32)
	case typeReal64:
		if len(b) != 8 {
			return bad()
		}
		a = strconv.AppendFloat(a, math.Float64frombits(le.Uint64(b)), 'g', -1, 64)
	case typeBool:
		var n uint64
		switch len(b) {
		case 1:
			n = uint64(b[0])
		case 2:
			n = uint64(le.Uint16(b))
		case 4:
			n = uint64(le.Uint32(b))
		case 8:
			n = le.Uint64(b)
		default:
			return bad()
		}
		if n != 0 {
			a = append(a, "true"...)
		} else {
			a = append(a, "false"...)
		}
	case typeBinary, typeEvtHndl:
		for _, x := range b {
			a = append(a, hexUpper[x>>4], hexUpper[x&0x0f])
		}
	case typeGUID:
		if len(b) != 16 {
			return bad()
		}
		a = appendGUID(a, b)
	case typeSizeT, typeHex32, typeHex64:
		switch len(b) {
		case 4:
			a = strconv.AppendUint(append(a, "0x"...), uint64(le.Uint32(b)), 16)
		case 8:
			a = strconv.AppendUint(append(a, "0x"...), le.Uint64(b), 16)
		default:
			return bad()
		}
	case typeFiletime:
		if len(b) != 8 {
			return bad()
		}
		a = Filetime(le.Uint64(b)).AppendFormat(a, "2006-01-02T15:04:05.0000000Z")
	case typeSysTime:
		if len(b) != 16 {
			return bad()
		}
		w := func(i int) int { return int(le.Uint16(b[2*i:])) }
		t := time.Date(w(0), time.Month(w(1)), w(3), w(4), w(5), w(6), w(7)*1e6, time.UTC)
		a = t.AppendFormat(a, "2006-01-02T15:04:05.000Z")
	case typeSID:
		var n int
		var ok bool
		a, n, ok = appendSID(a, b)
		if !ok || n != len(b) {
			return bad()
		}
	case typeEvtXML:
		c.appendUTF16(b)
		return nil
	default:
		return fmt.Errorf("%w: unknown value type 0x%02x", ErrBinXML, typ)
	}
	c.arena = a
	return nil
}

func (c *chunkDec) appendArray(typ uint8, b []byte) error {
	sep := func(i int) {
		if i > 0 {
			c.arena = append(c.arena, ", "...)
		}
	}
	switch typ {
	case typeString, typeAnsi:
		start := len(c.arena)
		if typ == typeString {
			c.appendUTF16(b)
		} else {
			c.appendLatin1(b)
		}
		// Trim the terminating NULs, then turn the separators into ", ".
		end := len(c.arena)
		for end > start && c.arena[end-1] == 0 {
			end--
		}
		parts := bytes.Split(c.arena[start:end], []byte{0})
		joined := bytes.Join(parts, []byte(", "))
		c.arena = append(c.arena[:start], joined...)
		return nil
	case typeSID:
		for i := 0; len(b) > 0; i++ {
			sep(i)
			var n int
			var ok bool
			c.arena, n, ok = appendSID(c.arena, b)
			if !ok {
				return fmt.Errorf("%w: bad SID in array", ErrBinXML)
			}
			b = b[n:]
		}
		return nil
	}
	size := arrayElemSize[typ]
	if size == 0 || len(b)%size != 0 {
		return fmt.Errorf("%w: array of type 0x%02x has size %d", ErrBinXML, typ, len(b))
	}
	for i := 0; i < len(b); i += size {
		sep(i)
		if err := c.appendScalar(typ, b[i:i+size]); err != nil {
			return err
		}
	}
	return nil
}

// cleanText drops the NUL padding at the end of the text appended since
// start and the C0 control characters XML cannot carry (keeping tab, CR and
// LF), as libevtx and python-evtx do.
func (c *chunkDec) cleanText(start int) {
	a := c.arena
	end := len(a)
	for end > start && a[end-1] == 0 {
		end--
	}
	w := start
	for r := start; r < end; r++ {
		x := a[r]
		if x < 0x20 && x != '\t' && x != '\n' && x != '\r' {
			continue
		}
		a[w] = x
		w++
	}
	c.arena = a[:w]
}

// appendSID renders a Windows SID and returns its size in bytes.
func appendSID(out, b []byte) ([]byte, int, bool) {
	if len(b) < 8 {
		return out, 0, false
	}
	n := int(b[1])
	size := 8 + 4*n
	if len(b) < size {
		return out, 0, false
	}
	var auth uint64
	for _, x := range b[2:8] {
		auth = auth<<8 | uint64(x)
	}
	out = append(out, "S-"...)
	out = strconv.AppendUint(out, uint64(b[0]), 10)
	out = append(out, '-')
	out = strconv.AppendUint(out, auth, 10)
	for i := 0; i < n; i++ {
		out = append(out, '-')
		out = strconv.AppendUint(out, uint64(binary.LittleEndian.Uint32(b[8+4*i:])), 10)
	}
	return out, size, true
}

// FormatGUID renders a 16-byte little-endian GUID as {hhhhhhhh-hhhh-...}.
func FormatGUID(b []byte) string { return string(appendGUID(nil, b)) }

func appendGUID(out, b []byte) []byte {
	put := func(x byte) { out = append(out, hexUpper[x>>4], hexUpper[x&0x0f]) }
	out = append(out, '{')
	put(b[3])
	put(b[2])
	put(b[1])
	put(b[0])
	out = append(out, '-')
	put(b[5])
	put(b[4])
	out = append(out, '-')
	put(b[7])
	put(b[6])
	out = append(out, '-')
	put(b[8])
	put(b[9])
	out = append(out, '-')
	for i := 10; i < 16; i++ {
		put(b[i])
	}
	return append(out, '}')
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
