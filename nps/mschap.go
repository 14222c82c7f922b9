package nps

import (
	"crypto/des"
	"crypto/sha1"
	"encoding/hex"
	"strings"
	"unicode/utf16"

	//lint:ignore SA1019 MD4 is what MS-CHAP is made of.
	"golang.org/x/crypto/md4"
)

// NTHash returns the NT password hash: MD4 of the UTF-16LE password
// (RFC 2759 §8.3 NtPasswordHash).
func NTHash(password []byte) [16]byte {
	u := utf16.Encode([]rune(string(password)))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		b[2*i], b[2*i+1] = byte(c), byte(c>>8)
	}
	return md4Sum(b)
}

func md4Sum(b []byte) [16]byte {
	h := md4.New()
	h.Write(b)
	var out [16]byte
	h.Sum(out[:0])
	return out
}

// desKey expands 7 key bytes to an 8-byte DES key (parity bits unused).
func desKey(k []byte) []byte {
	return []byte{
		k[0] & 0xfe,
		(k[0]<<7 | k[1]>>1) & 0xfe,
		(k[1]<<6 | k[2]>>2) & 0xfe,
		(k[2]<<5 | k[3]>>3) & 0xfe,
		(k[3]<<4 | k[4]>>4) & 0xfe,
		(k[4]<<3 | k[5]>>5) & 0xfe,
		(k[5]<<2 | k[6]>>6) & 0xfe,
		k[6] << 1,
	}
}

// challengeResponse is RFC 2759 §8.5 ChallengeResponse: the 8-byte
// challenge DES-encrypted under the three 7-byte thirds of the zero-padded
// hash.
func challengeResponse(challenge []byte, hash [16]byte) []byte {
	var z [21]byte
	copy(z[:], hash[:])
	out := make([]byte, 24)
	for i := range 3 {
		c, _ := des.NewCipher(desKey(z[7*i : 7*i+7]))
		c.Encrypt(out[8*i:8*i+8], challenge[:8])
	}
	return out
}

// challengeHash is RFC 2759 §8.2 ChallengeHash.
func challengeHash(peer, auth []byte, user string) []byte {
	var buf [128]byte
	b := append(append(append(buf[:0], peer...), auth...), user...)
	sum := sha1.Sum(b)
	return sum[:8]
}

// mschapUserName strips a leading DOMAIN\ as Windows does before
// computing the MS-CHAPv2 challenge hash (RFC 2759 §4).
func mschapUserName(user string) string {
	if i := strings.LastIndexByte(user, '\\'); i >= 0 {
		return user[i+1:]
	}
	return user
}

// ntResponseV2 is RFC 2759 §8.1 GenerateNTResponse from an NT hash.
func ntResponseV2(auth, peer []byte, user string, hash [16]byte) []byte {
	return challengeResponse(challengeHash(peer, auth, user), hash)
}

var (
	magic1 = []byte("Magic server to client signing constant")
	magic2 = []byte("Pad to make it do more than one iteration")
)

// authenticatorResponse is RFC 2759 §8.7 GenerateAuthenticatorResponse
// from the hash of the NT hash: "S=" and 40 upper-case hex digits.
func authenticatorResponse(hh [16]byte, ntResp, peer, auth []byte, user string) string {
	var buf [128]byte
	b := append(append(append(buf[:0], hh[:]...), ntResp...), magic1...)
	digest := sha1.Sum(b)
	b = append(append(append(buf[:0], digest[:]...), challengeHash(peer, auth, user)...), magic2...)
	sum := sha1.Sum(b)
	const hexUpper = "0123456789ABCDEF"
	out := make([]byte, 2+40)
	out[0], out[1] = 'S', '='
	for i, c := range sum {
		out[2+2*i], out[3+2*i] = hexUpper[c>>4], hexUpper[c&0xf]
	}
	return string(out)
}

// RFC 3079 §3.4 magic constants and pads.
var (
	mppeMagic1 = []byte("This is the MPPE Master Key")
	mppeMagic2 = []byte("On the client side, this is the send key; on the server side, it is the receive key.")
	mppeMagic3 = []byte("On the client side, this is the receive key; on the server side, it is the send key.")
	shsPad1    = make([]byte, 40)
	shsPad2    = func() []byte {
		b := make([]byte, 40)
		for i := range b {
			b[i] = 0xf2
		}
		return b
	}()
)

// mppeKeysV2 returns the server's 16-byte MPPE send and receive start keys
// for MS-CHAPv2 (RFC 3079 §3.4; MS-MPPE-Send-Key carries send) from the
// hash of the NT hash.
func mppeKeysV2(hh [16]byte, ntResp []byte) (send, recv []byte) {
	var buf [192]byte
	b := append(append(append(buf[:0], hh[:]...), ntResp...), mppeMagic1...)
	master := sha1.Sum(b)
	keys := make([]byte, 32)
	key := func(out, magic []byte) {
		b := append(append(append(append(buf[:0], master[:16]...), shsPad1...), magic...), shsPad2...)
		sum := sha1.Sum(b)
		copy(out, sum[:16])
	}
	key(keys[:16], mppeMagic3)
	key(keys[16:], mppeMagic2)
	return keys[:16:16], keys[16:]
}

func decodeHash(s string) ([16]byte, error) {
	var h [16]byte
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 16 {
		return h, hex.ErrLength
	}
	copy(h[:], b)
	return h, nil
}
