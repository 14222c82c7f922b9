package npslog

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/radscope/radscope/dict"
	"github.com/radscope/radscope/model"
)

// Writer writes NPS log records in one format. It is safe for concurrent
// use; each record goes to the underlying writer in one Write call.
type Writer struct {
	mu     sync.Mutex
	w      io.Writer
	format model.Format
	loc    *time.Location
	dict   *dict.Dictionary
	buf    bytes.Buffer
}

// NewWriter returns a Writer of format (model.FormatIAS, model.FormatODBC
// or model.FormatDTS) to w. Record times are written in loc, the NPS
// server's zone (nil means time.Local).
func NewWriter(w io.Writer, format model.Format, loc *time.Location) *Writer {
	if loc == nil {
		loc = time.Local
	}
	return &Writer{w: w, format: format, loc: loc, dict: dict.Default()}
}

// Write writes m as one record.
func (w *Writer) Write(m model.Message) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Reset()
	fs := collect(w.dict, &m)
	switch w.format {
	case model.FormatIAS:
		w.ias(&m, fs)
	case model.FormatODBC:
		w.odbc(&m, fs)
	case model.FormatDTS:
		w.dts(&m, fs)
	default:
		return fmt.Errorf("%w %q", ErrFormat, w.format)
	}
	w.buf.WriteString("\r\n")
	if _, err := w.w.Write(w.buf.Bytes()); err != nil {
		return fmt.Errorf("npslog: %w", err)
	}
	return nil
}

// kind is how a value is written.
type kind uint8

const (
	kInt  kind = iota // decimal
	kText             // text
	kHex              // binary: the bytes in val
	kAddr             // IP address
	kDate             // MM/DD/YYYY HH:MM:SS
)

// field is one attribute ready to be written.
type field struct {
	a    *dict.Attribute // nil when the dictionary does not know it
	id   int32           // IAS attribute number, 0 when none
	name string
	kind kind
	val  string // the text, or the raw bytes for kHex
}

// Attribute numbers of the key fields.
const (
	idUserName      = 1
	idNASIP         = 4
	idClass         = 25
	idCalled        = 30
	idCalling       = 31
	idNASID         = 32
	idAcctStatus    = 40
	idAcctSession   = 44
	idClientIP      = 4108
	idAuthType      = 4127
	idClientName    = 4128
	idSAMAccount    = 4129
	idFQUserName    = 4130
	idPacketType    = 4136
	idReasonCode    = 4142
	idPolicyName    = 4149
	idProxyPolicy   = 4154
	dateTimeLayout  = "01/02/2006 15:04:05"
	dtsTimeLayout   = "01/02/2006 15:04:05.000"
	frameTimestamp  = "Timestamp"
	frameComputer   = "Computer-Name"
	frameEventSrc   = "Event-Source"
	defaultService  = "IAS"
	hexPrefixLength = 2
)

// collect turns the message into the fields to write, in NPS's order: the
// attributes as given, then the key fields Attrs lacked, Packet-Type and
// Reason-Code last.
func collect(d *dict.Dictionary, m *model.Message) []field {
	attrs := make([]field, 0, len(m.Attrs))
	have := map[int32]bool{}
	var packetType, reason *field
	for _, at := range m.Attrs {
		a := lookup(d, at)
		if at.Sensitive || (a != nil && a.Sensitive) {
			continue
		}
		switch at.Name {
		case frameTimestamp, frameComputer, frameEventSrc:
			continue
		}
		f, ok := makeField(d, a, at)
		if !ok {
			continue
		}
		switch f.id {
		case idPacketType:
			if packetType == nil {
				packetType = &f
			}
			continue
		case idReasonCode:
			if reason == nil {
				reason = &f
			}
			continue
		}
		if f.id != 0 {
			have[f.id] = true
		}
		attrs = append(attrs, f)
	}
	fs := make([]field, 0, len(attrs)+14)
	add := func(id int32, k kind, v string) {
		if v == "" || have[id] {
			return
		}
		a := d.IAS(id)
		name := dict.UnknownName(0, id)
		if a != nil {
			name = a.Name
		}
		have[id] = true
		fs = append(fs, field{a: a, id: id, name: name, kind: k, val: v})
	}
	// What the NAS sent comes first, in packet order ...
	if m.User != "" && (m.Code == model.CodeNone || m.Code.IsRequest()) {
		add(idUserName, kText, m.User)
	}
	if m.NASAddr.IsValid() {
		add(idNASIP, kAddr, m.NASAddr.String())
	}
	add(idNASID, kText, m.NASID)
	add(idCalling, kText, m.CallingStation)
	add(idCalled, kText, m.CalledStation)
	add(idAcctSession, kText, m.AcctSessionID)
	if m.AcctStatus != 0 {
		add(idAcctStatus, kInt, strconv.Itoa(m.AcctStatus))
	}
	fs = append(fs, attrs...)
	// ... then what NPS adds.
	if m.User != "" && !(m.Code == model.CodeNone || m.Code.IsRequest()) && !have[idSAMAccount] {
		add(idFQUserName, kText, m.User)
	}
	if m.ClientAddr.IsValid() {
		add(idClientIP, kAddr, m.ClientAddr.String())
	}
	add(idClientName, kText, m.ClientName)
	add(idProxyPolicy, kText, m.ProxyPolicy)
	add(idClass, kText, m.Class)
	if m.AuthType != 0 {
		add(idAuthType, kInt, strconv.Itoa(m.AuthType))
	}
	add(idPolicyName, kText, m.Policy)
	last := func(id int32, f *field, set bool, v int) {
		if set {
			a := d.IAS(id)
			name := dict.UnknownName(0, id)
			if a != nil {
				name = a.Name
			}
			fs = append(fs, field{a: a, id: id, name: name, kind: kInt, val: strconv.Itoa(v)})
		} else if f != nil {
			fs = append(fs, *f)
		}
	}
	last(idPacketType, packetType, m.Code != model.CodeNone, int(m.Code))
	last(idReasonCode, reason, m.Reason != model.NoReason, m.Reason)
	return fs
}

func lookup(d *dict.Dictionary, at model.Attr) *dict.Attribute {
	if at.Name != "" {
		if a := d.ByName(at.Name); a != nil {
			return a
		}
	}
	if at.Vendor == 0 && at.Type != 0 {
		if a := d.IAS(at.Type); a != nil {
			return a
		}
	}
	if at.Vendor != 0 && at.Type > 0 {
		return d.Lookup(at.Vendor, at.Type)
	}
	return nil
}

// makeField renders one attribute; ok is false when its value cannot be
// logged (an integer that is neither a number nor an enumeration name, an
// address that is not one).
func makeField(d *dict.Dictionary, a *dict.Attribute, at model.Attr) (field, bool) {
	f := field{a: a, name: at.Name}
	if a != nil {
		f.id, f.name = a.IASID, a.Name
	} else if at.Vendor == 0 {
		f.id = at.Type
	}
	if f.name == "" {
		f.name = dict.UnknownName(at.Vendor, at.Type)
	}
	if f.id == 0 && a != nil && a.Vendor == 0 && a.Type > 0 && a.Type < 256 {
		f.id = a.Type
	}
	raw, isHex := hexValue(at)
	if a == nil {
		if isHex {
			f.kind, f.val = kHex, string(raw)
		} else {
			f.kind, f.val = kText, at.Value
		}
		return f, true
	}
	switch a.DataType {
	case dict.TypeInteger, dict.TypeByte, dict.TypeShort, dict.TypeInteger64, dict.TypeSigned, dict.TypeBool:
		v := strings.TrimSpace(at.Value)
		if _, err := strconv.ParseInt(v, 10, 64); err == nil {
			f.kind, f.val = kInt, v
			return f, true
		}
		if n, ok := a.ValueByName(v); ok {
			f.kind, f.val = kInt, strconv.FormatUint(n, 10)
			return f, true
		}
		if len(at.Raw) == 4 {
			f.kind, f.val = kInt, strconv.FormatUint(uint64(at.Raw[0])<<24|uint64(at.Raw[1])<<16|uint64(at.Raw[2])<<8|uint64(at.Raw[3]), 10)
			return f, true
		}
		return f, false
	case dict.TypeIPAddr, dict.TypeIPv6Addr:
		if ip, err := netip.ParseAddr(strings.TrimSpace(at.Value)); err == nil {
			f.kind, f.val = kAddr, ip.String()
			return f, true
		}
		if ip, ok := netip.AddrFromSlice(at.Raw); ok {
			f.kind, f.val = kAddr, ip.Unmap().String()
			return f, true
		}
		return f, false
	case dict.TypeDate:
		if _, err := time.Parse(dateTimeLayout, at.Value); err == nil {
			f.kind, f.val = kDate, at.Value
			return f, true
		}
		return f, false
	case dict.TypeString:
		if isHex {
			f.kind, f.val = kHex, string(raw)
		} else {
			f.kind, f.val = kText, at.Value
		}
		return f, true
	}
	// octets, vsa, tlv, and the rest: binary.
	if isHex {
		f.kind, f.val = kHex, string(raw)
	} else {
		f.kind, f.val = kHex, at.Value
	}
	return f, true
}

// hexValue returns the bytes of a binary value: Raw, or the 0x-hex text.
func hexValue(at model.Attr) ([]byte, bool) {
	if at.Raw != nil && (at.Value == "" || isHexText(at.Value)) {
		return at.Raw, true
	}
	if isHexText(at.Value) {
		b, err := hex.DecodeString(at.Value[hexPrefixLength:])
		if err == nil {
			return b, true
		}
	}
	return nil, false
}

func isHexText(s string) bool {
	if len(s) < 4 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || len(s)%2 != 0 {
		return false
	}
	for i := 2; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// printable reports whether s can be written as text in a log line: valid
// UTF-8 without control characters and not looking like 0x-hex.
func printable(s string) bool {
	if !utf8.ValidString(s) || isHexText(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0x2028 || r == 0x2029 || r == 0xfeff || r == utf8.RuneError {
			return false
		}
	}
	return true
}

func upperHex(b string) string { return strings.ToUpper(hex.EncodeToString([]byte(b))) }

// findField returns the first field with IAS number id.
func findField(fs []field, id int32) (field, bool) {
	for _, f := range fs {
		if f.id == id {
			return f, true
		}
	}
	return field{}, false
}
