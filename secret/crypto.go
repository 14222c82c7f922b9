// Package secret holds radscope's RADIUS cryptography with the shared
// secret — User-Password hiding (RFC 2865 §5.2), the salted scheme of
// Tunnel-Password (RFC 2868 §3.5) and the MS-MPPE keys (RFC 2548 §2.4.2),
// response and accounting authenticators (RFC 2865 §3, RFC 2866 §3,
// RFC 5176 §3) and Message-Authenticator (RFC 3579 §3.2, HMAC-MD5) — and a
// Store that says which secrets to try for a client/server pair.
//
// The functions work on encoded packets and attribute values, never on a
// decoded representation, so they check exactly what was on the wire.
// layeh.com/radius does not compute Message-Authenticator; this package
// does, and is tested against independent computations.
package secret

import (
	"crypto/hmac"
	"crypto/md5"
	"encoding/binary"
	"errors"
	"fmt"
)

// AttrMessageAuthenticator is the RADIUS attribute type of
// Message-Authenticator (RFC 3579 §3.2).
const AttrMessageAuthenticator = 80

// Errors the decryptors return. They are wrapped with detail; test with
// errors.Is.
var (
	// ErrLength reports an encrypted value whose length the scheme does
	// not allow (not a multiple of 16, empty, or over 128 bytes for
	// User-Password).
	ErrLength = errors.New("secret: invalid encrypted length")
	// ErrSalt reports a salted value whose salt lacks the high bit
	// required by RFC 2868 §3.5 and RFC 2548 §2.4.2.
	ErrSalt = errors.New("secret: salt high bit not set")
	// ErrDecrypt reports a decryption whose result is inconsistent — the
	// embedded length of a salted value exceeds the data, or a
	// User-Password has non-zero bytes after its padding — which almost
	// always means the secret is wrong.
	ErrDecrypt = errors.New("secret: decryption inconsistent (wrong secret?)")
	// ErrPacket reports an encoded packet too short or with a bad
	// length field or attribute list.
	ErrPacket = errors.New("secret: malformed packet")
	// ErrNoMessageAuthenticator reports a packet without attribute 80.
	ErrNoMessageAuthenticator = errors.New("secret: packet has no Message-Authenticator")
)

// hideBlocks XORs data (a multiple of 16 bytes) in place with the MD5 chain
// b1 = MD5(S + first), bi = MD5(S + c(i-1)), where c is the ciphertext.
// When decrypting, the ciphertext is the input; when encrypting, the output.
func hideBlocks(secret, first, data []byte, decrypt bool) {
	h := md5.New()
	var sum [md5.Size]byte
	prev := first
	var cbuf [16]byte
	for i := 0; i+16 <= len(data); i += 16 {
		h.Reset()
		h.Write(secret)
		h.Write(prev)
		b := h.Sum(sum[:0])
		blk := data[i : i+16]
		if decrypt {
			copy(cbuf[:], blk)
		}
		for j := range 16 {
			blk[j] ^= b[j]
		}
		if decrypt {
			prev = cbuf[:]
		} else {
			prev = blk
		}
	}
}

// EncryptUserPassword hides plain as a User-Password value (RFC 2865 §5.2):
// the password is padded with NULs to a multiple of 16 bytes (at least 16)
// and XORed with the MD5 chain over the secret and the Request
// Authenticator. Passwords over 128 bytes are encrypted in full; a sender
// must not put those on the wire.
func EncryptUserPassword(secret, reqAuth, plain []byte) []byte {
	n := (len(plain) + 15) / 16 * 16
	if n == 0 {
		n = 16
	}
	out := make([]byte, n)
	copy(out, plain)
	hideBlocks(secret, reqAuth, out, false)
	return out
}

// DecryptUserPassword reverses EncryptUserPassword and strips the NUL
// padding. The result is a new slice. An encrypted length that is not a
// multiple of 16 between 16 and 128 is an ErrLength; a NUL followed by
// non-NUL bytes (which a correct secret never produces from a real
// password) is an ErrDecrypt, with the decrypted bytes still returned up to
// the first NUL.
func DecryptUserPassword(secret, reqAuth, enc []byte) ([]byte, error) {
	if len(enc) == 0 || len(enc)%16 != 0 || len(enc) > 128 {
		return nil, fmt.Errorf("%w: User-Password of %d bytes", ErrLength, len(enc))
	}
	out := append([]byte(nil), enc...)
	hideBlocks(secret, reqAuth, out, true)
	end := len(out)
	for end > 0 && out[end-1] == 0 {
		end--
	}
	for i := range end {
		if out[i] == 0 {
			return out[:i], fmt.Errorf("%w: NUL inside the password", ErrDecrypt)
		}
	}
	return out[:end], nil
}

// EncryptSalted hides plain with the salted scheme of RFC 2868 §3.5
// (Tunnel-Password) and RFC 2548 §2.4.2 (MS-MPPE-Send-Key,
// MS-MPPE-Recv-Key): the result is the two salt bytes (the high bit of the
// first forced on) followed by the encrypted length byte, data and NUL
// padding. For Tunnel-Password the tag byte precedes this on the wire; the
// caller adds it.
func EncryptSalted(secret, reqAuth, plain []byte, salt [2]byte) []byte {
	salt[0] |= 0x80
	n := (1 + len(plain) + 15) / 16 * 16
	out := make([]byte, 2+n)
	out[0], out[1] = salt[0], salt[1]
	out[2] = byte(len(plain))
	copy(out[3:], plain)
	first := make([]byte, 0, len(reqAuth)+2)
	first = append(append(first, reqAuth...), salt[:]...)
	hideBlocks(secret, first, out[2:], false)
	return out
}

// DecryptSalted reverses EncryptSalted: enc starts with the two salt bytes
// (for Tunnel-Password, strip the tag byte first). It returns the data
// without the length byte and padding.
func DecryptSalted(secret, reqAuth, enc []byte) ([]byte, error) {
	if len(enc) < 18 || (len(enc)-2)%16 != 0 {
		return nil, fmt.Errorf("%w: salted value of %d bytes", ErrLength, len(enc))
	}
	if enc[0]&0x80 == 0 {
		return nil, ErrSalt
	}
	body := append([]byte(nil), enc[2:]...)
	first := make([]byte, 0, len(reqAuth)+2)
	first = append(append(first, reqAuth...), enc[0], enc[1])
	hideBlocks(secret, first, body, true)
	n := int(body[0])
	if n > len(body)-1 {
		return nil, fmt.Errorf("%w: embedded length %d exceeds %d bytes", ErrDecrypt, n, len(body)-1)
	}
	return body[1 : 1+n], nil
}

// packetLen returns the length the header of p states, bounded by len(p).
func packetLen(p []byte) (int, bool) {
	if len(p) < 20 {
		return 0, false
	}
	n := int(binary.BigEndian.Uint16(p[2:4]))
	if n < 20 || n > len(p) {
		return 0, false
	}
	return n, true
}

func authWith(secret, packet, auth []byte) [16]byte {
	n, ok := packetLen(packet)
	if !ok {
		n = len(packet)
	}
	// One MD5 over a stack buffer when it fits (every real packet with a
	// secret of sane length): no allocation.
	var buf [4096 + 128]byte
	if need := 4 + len(auth) + max(n-20, 0) + len(secret); n >= 4 && need <= len(buf) {
		b := append(buf[:0], packet[:4]...)
		b = append(b, auth...)
		if n > 20 {
			b = append(b, packet[20:n]...)
		}
		b = append(b, secret...)
		return md5.Sum(b)
	}
	var out [16]byte
	h := md5.New()
	if n >= 4 {
		h.Write(packet[:4])
	}
	h.Write(auth)
	if n > 20 {
		h.Write(packet[20:n])
	}
	h.Write(secret)
	h.Sum(out[:0])
	return out
}

// ResponseAuthenticator computes the Response Authenticator of an encoded
// response (Access-Accept/Reject/Challenge, Accounting-Response, CoA and
// Disconnect ACK/NAK): MD5(Code+Identifier+Length + RequestAuth +
// Attributes + Secret). The packet's own authenticator field is ignored.
func ResponseAuthenticator(secret, packet, reqAuth []byte) [16]byte {
	return authWith(secret, packet, reqAuth)
}

var zero16 [16]byte

// AccountingRequestAuthenticator computes the Request Authenticator of an
// Accounting-Request (RFC 2866 §3), CoA-Request or Disconnect-Request
// (RFC 5176 §3): MD5(Code+Identifier+Length + 16 zero octets + Attributes +
// Secret).
func AccountingRequestAuthenticator(secret, packet []byte) [16]byte {
	return authWith(secret, packet, zero16[:])
}

// VerifyResponse reports whether the authenticator field of an encoded
// response matches ResponseAuthenticator.
func VerifyResponse(secret, packet, reqAuth []byte) bool {
	if _, ok := packetLen(packet); !ok || len(reqAuth) != 16 {
		return false
	}
	a := ResponseAuthenticator(secret, packet, reqAuth)
	return hmac.Equal(a[:], packet[4:20])
}

// VerifyAccountingRequest reports whether the authenticator field of an
// encoded Accounting-Request, CoA-Request or Disconnect-Request matches
// AccountingRequestAuthenticator.
func VerifyAccountingRequest(secret, packet []byte) bool {
	if _, ok := packetLen(packet); !ok {
		return false
	}
	a := AccountingRequestAuthenticator(secret, packet)
	return hmac.Equal(a[:], packet[4:20])
}

// findMA returns the offset of the value of the first Message-Authenticator
// in an encoded packet, or -1. A malformed attribute list, or an attribute
// 80 whose length is not 18, is an error.
func findMA(packet []byte) (int, error) {
	n, ok := packetLen(packet)
	if !ok {
		return -1, ErrPacket
	}
	for i := 20; i < n; {
		if i+2 > n {
			return -1, fmt.Errorf("%w: attribute header cut at offset %d", ErrPacket, i)
		}
		l := int(packet[i+1])
		if l < 2 || i+l > n {
			return -1, fmt.Errorf("%w: attribute at offset %d overruns the packet", ErrPacket, i)
		}
		if packet[i] == AttrMessageAuthenticator {
			if l != 18 {
				return -1, fmt.Errorf("%w: Message-Authenticator of length %d", ErrPacket, l)
			}
			return i + 2, nil
		}
		i += l
	}
	return -1, nil
}

// macOver computes the HMAC-MD5 of packet[:n] with the authenticator field
// replaced by auth (when non-nil) and the 16 bytes at ma zeroed. It is
// RFC 2104 written out over stack buffers, so it does not allocate; the
// tests compare it with crypto/hmac.
func macOver(secret, packet []byte, n, ma int, auth []byte) [16]byte {
	if auth == nil {
		auth = packet[4:20]
	}
	var k [64]byte
	if len(secret) > 64 {
		sum := md5.Sum(secret)
		copy(k[:], sum[:])
	} else {
		copy(k[:], secret)
	}
	var buf [64 + 4096]byte
	if n > 4096 || len(auth) != 16 {
		m := hmac.New(md5.New, secret)
		m.Write(packet[:4])
		m.Write(auth)
		m.Write(packet[20:ma])
		m.Write(zero16[:])
		m.Write(packet[ma+16 : n])
		var out [16]byte
		m.Sum(out[:0])
		return out
	}
	for i := range k {
		buf[i] = k[i] ^ 0x36
	}
	b := append(buf[:64], packet[:4]...)
	b = append(b, auth...)
	b = append(b, packet[20:ma]...)
	b = append(b, zero16[:]...)
	b = append(b, packet[ma+16:n]...)
	inner := md5.Sum(b)
	var ob [64 + 16]byte
	for i := range k {
		ob[i] = k[i] ^ 0x5c
	}
	copy(ob[64:], inner[:])
	return md5.Sum(ob[:])
}

// MessageAuthenticator computes the Message-Authenticator (RFC 3579 §3.2)
// of an encoded packet: HMAC-MD5 keyed with the secret over the packet with
// the value of attribute 80 zeroed. reqAuth replaces the authenticator
// field during the computation: pass nil for Access-Request and
// Status-Server (the packet's own Request Authenticator is used), the
// Request Authenticator of the request for responses, and 16 zero bytes for
// Accounting-Request, CoA-Request and Disconnect-Request (RFC 5176 §3.1).
// It returns false when the packet carries no well-formed attribute 80.
func MessageAuthenticator(secret, packet, reqAuth []byte) ([16]byte, bool) {
	ma, err := findMA(packet)
	if err != nil || ma < 0 {
		return [16]byte{}, false
	}
	n, _ := packetLen(packet)
	return macOver(secret, packet, n, ma, reqAuth), true
}

// HasMessageAuthenticator reports whether an encoded packet carries
// attribute 80.
func HasMessageAuthenticator(packet []byte) bool {
	ma, err := findMA(packet)
	return err == nil && ma >= 0
}

// VerifyMessageAuthenticator reports whether the packet's attribute 80
// equals MessageAuthenticator; false when absent. reqAuth is as for
// MessageAuthenticator.
func VerifyMessageAuthenticator(secret, packet, reqAuth []byte) bool {
	ma, err := findMA(packet)
	if err != nil || ma < 0 {
		return false
	}
	n, _ := packetLen(packet)
	want := macOver(secret, packet, n, ma, reqAuth)
	return hmac.Equal(want[:], packet[ma:ma+16])
}

// SetMessageAuthenticator fills the attribute 80 already present in an
// encoded packet with its Message-Authenticator, in place. reqAuth is as
// for MessageAuthenticator. For a response or an accounting request, call
// it before computing the packet's authenticator (see SignResponse and
// SignRequest), since that covers attribute 80.
func SetMessageAuthenticator(secret, packet, reqAuth []byte) error {
	ma, err := findMA(packet)
	if err != nil {
		return err
	}
	if ma < 0 {
		return ErrNoMessageAuthenticator
	}
	n, _ := packetLen(packet)
	mac := macOver(secret, packet, n, ma, reqAuth)
	copy(packet[ma:ma+16], mac[:])
	return nil
}

// SignResponse finishes an encoded response in place: it fills
// Message-Authenticator when the packet has attribute 80, then writes the
// Response Authenticator.
func SignResponse(secret, packet, reqAuth []byte) error {
	if _, ok := packetLen(packet); !ok {
		return ErrPacket
	}
	if len(reqAuth) != 16 {
		return fmt.Errorf("%w: request authenticator of %d bytes", ErrPacket, len(reqAuth))
	}
	if err := SetMessageAuthenticator(secret, packet, reqAuth); err != nil && !errors.Is(err, ErrNoMessageAuthenticator) {
		return err
	}
	a := ResponseAuthenticator(secret, packet, reqAuth)
	copy(packet[4:20], a[:])
	return nil
}

// SignRequest finishes an encoded request in place. For Access-Request and
// Status-Server (whose Request Authenticator is random and already in the
// packet) it fills Message-Authenticator when attribute 80 is present. For
// Accounting-Request, CoA-Request and Disconnect-Request it fills
// Message-Authenticator over zeroed authenticator bytes, then writes the
// Request Authenticator.
func SignRequest(secret, packet []byte) error {
	if _, ok := packetLen(packet); !ok {
		return ErrPacket
	}
	switch packet[0] {
	case 4, 40, 43: // Accounting-Request, Disconnect-Request, CoA-Request
		if err := SetMessageAuthenticator(secret, packet, zero16[:]); err != nil && !errors.Is(err, ErrNoMessageAuthenticator) {
			return err
		}
		a := AccountingRequestAuthenticator(secret, packet)
		copy(packet[4:20], a[:])
		return nil
	}
	if err := SetMessageAuthenticator(secret, packet, nil); err != nil && !errors.Is(err, ErrNoMessageAuthenticator) {
		return err
	}
	return nil
}
