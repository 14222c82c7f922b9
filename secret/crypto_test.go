package secret_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"layeh.com/radius"
	"layeh.com/radius/rfc2865"
	"layeh.com/radius/rfc2869"

	"github.com/radscope/radscope/secret"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// RFC 2865 §7.1: the Access-Request and Access-Accept of the example.
const (
	rfcSecret  = "xyzzy5461"
	rfcRequest = `01 00 00 38 0f 40 3f 94 73 97 80 57 bd 83 d5 cb
		98 f4 22 7a 01 06 6e 65 6d 6f 02 12 0d be 70 8d
		93 d4 13 ce 31 96 e4 3f 78 2a 0a ee 04 06 c0 a8
		01 10 05 06 00 00 00 03`
	rfcAccept = `02 00 00 26 86 fe 22 0e 76 24 ba 2a 10 05 f6 bf
		9b 55 e0 b2 06 06 00 00 00 01 0f 06 00 00 00 00
		0e 06 c0 a8 01 03`
)

func TestRFC2865Example(t *testing.T) {
	req, acc := unhex(t, rfcRequest), unhex(t, rfcAccept)
	pw, err := secret.DecryptUserPassword([]byte(rfcSecret), req[4:20], req[28:44])
	if err != nil || string(pw) != "arctangent" {
		t.Fatalf("DecryptUserPassword = %q, %v; want arctangent", pw, err)
	}
	if !secret.VerifyResponse([]byte(rfcSecret), acc, req[4:20]) {
		t.Errorf("RFC 2865 §7.1 Access-Accept does not verify")
	}
	if secret.VerifyResponse([]byte("xyzzy5462"), acc, req[4:20]) {
		t.Errorf("Access-Accept verifies under a wrong secret")
	}
	enc := secret.EncryptUserPassword([]byte(rfcSecret), req[4:20], []byte("arctangent"))
	if !bytes.Equal(enc, req[28:44]) {
		t.Errorf("EncryptUserPassword = %x, want %x", enc, req[28:44])
	}
}

func TestUserPasswordRoundTrip(t *testing.T) {
	auth := unhex(t, "00112233445566778899aabbccddeeff")
	for _, tc := range []struct {
		name   string
		pw     string
		encLen int
	}{
		{"empty", "", 16},
		{"short", "x", 16},
		{"one block", "0123456789abcdef", 16},
		{"two blocks", "0123456789abcdefg", 32},
		{"max", strings.Repeat("p", 128), 128},
		{"utf8", "pässwört-ü-€", 32},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sec := []byte("s3cret")
			enc := secret.EncryptUserPassword(sec, auth, []byte(tc.pw))
			if len(enc) != tc.encLen {
				t.Fatalf("encrypted length %d, want %d", len(enc), tc.encLen)
			}
			// Independent implementation: layeh.com/radius.
			want, err := radius.NewUserPassword([]byte(tc.pw), sec, auth)
			if err == nil && !bytes.Equal(enc, want) {
				t.Errorf("differs from layeh: %x vs %x", enc, want)
			}
			got, err := secret.DecryptUserPassword(sec, auth, enc)
			if err != nil || string(got) != tc.pw {
				t.Errorf("decrypt = %q, %v; want %q", got, err, tc.pw)
			}
		})
	}
}

func TestDecryptUserPasswordErrors(t *testing.T) {
	auth := make([]byte, 16)
	for _, n := range []int{0, 15, 17, 144} {
		if _, err := secret.DecryptUserPassword([]byte("k"), auth, make([]byte, n)); !errors.Is(err, secret.ErrLength) {
			t.Errorf("length %d: err = %v, want ErrLength", n, err)
		}
	}
	// A NUL followed by text cannot come from a real password.
	enc := secret.EncryptUserPassword([]byte("k"), auth, []byte("ab\x00cd"))
	if got, err := secret.DecryptUserPassword([]byte("k"), auth, enc); !errors.Is(err, secret.ErrDecrypt) || string(got) != "ab" {
		t.Errorf("embedded NUL: %q, %v", got, err)
	}
}

func TestSaltedRoundTrip(t *testing.T) {
	auth := unhex(t, "0f403f9473978057bd83d5cb98f4227a")
	sec := []byte("testing123")
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"15 bytes (one block with the length byte)", bytes.Repeat([]byte{7}, 15)},
		{"16 bytes", bytes.Repeat([]byte{8}, 16)},
		{"MPPE key 32", bytes.Repeat([]byte{0xa5}, 32)},
		{"tunnel password", []byte("tunnel-pass")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			salt := [2]byte{0x12, 0x34}
			enc := secret.EncryptSalted(sec, auth, tc.data, salt)
			if enc[0]&0x80 == 0 || enc[0] != 0x92 || enc[1] != 0x34 {
				t.Fatalf("salt = %x, want 9234", enc[:2])
			}
			if (len(enc)-2)%16 != 0 {
				t.Fatalf("length %d not 2+16n", len(enc))
			}
			// Independent implementation: layeh's Tunnel-Password (tag-less).
			want, err := radius.NewTunnelPassword(tc.data, enc[:2], sec, auth)
			if err == nil && !bytes.Equal(enc, want) {
				t.Errorf("differs from layeh: %x vs %x", enc, want)
			}
			got, err := secret.DecryptSalted(sec, auth, enc)
			if err != nil || !bytes.Equal(got, tc.data) {
				t.Errorf("decrypt = %x, %v; want %x", got, err, tc.data)
			}
		})
	}
}

func TestDecryptSaltedErrors(t *testing.T) {
	auth := make([]byte, 16)
	sec := []byte("k")
	if _, err := secret.DecryptSalted(sec, auth, make([]byte, 17)); !errors.Is(err, secret.ErrLength) {
		t.Errorf("short: %v", err)
	}
	if _, err := secret.DecryptSalted(sec, auth, make([]byte, 20)); !errors.Is(err, secret.ErrLength) {
		t.Errorf("not 2+16n: %v", err)
	}
	enc := secret.EncryptSalted(sec, auth, []byte("x"), [2]byte{1, 2})
	enc[0] &^= 0x80
	if _, err := secret.DecryptSalted(sec, auth, enc); !errors.Is(err, secret.ErrSalt) {
		t.Errorf("salt without high bit: %v", err)
	}
	// Under a wrong secret the embedded length is random; find a salt
	// where it exceeds the data and check the error.
	for s := range 256 {
		enc := secret.EncryptSalted(sec, auth, []byte("x"), [2]byte{0x80, byte(s)})
		if _, err := secret.DecryptSalted([]byte("wrong"), auth, enc); err != nil {
			if !errors.Is(err, secret.ErrDecrypt) {
				t.Fatalf("wrong secret: %v", err)
			}
			return
		}
	}
	t.Error("no salt gave an inconsistent length under a wrong secret")
}

// hmacRef computes RFC 3579 §3.2 from scratch: copy, overwrite, zero, HMAC.
func hmacRef(sec, pkt, auth []byte, maOff int) []byte {
	c := append([]byte(nil), pkt...)
	if auth != nil {
		copy(c[4:20], auth)
	}
	clear(c[maOff : maOff+16])
	m := hmac.New(md5.New, sec)
	m.Write(c)
	return m.Sum(nil)
}

func maOffset(t *testing.T, pkt []byte) int {
	t.Helper()
	for i := 20; i < len(pkt); i += int(pkt[i+1]) {
		if pkt[i] == 80 {
			return i + 2
		}
	}
	t.Fatal("no attribute 80")
	return 0
}

func TestMessageAuthenticator(t *testing.T) {
	sec := []byte("testing123")
	req := radius.New(radius.CodeAccessRequest, sec)
	rfc2865.UserName_SetString(req, "alice")
	rfc2865.NASIdentifier_SetString(req, "nas1")
	rfc2869.MessageAuthenticator_Set(req, make([]byte, 16))
	rfc2865.CallingStationID_SetString(req, "00-11-22-33-44-55")
	wire, err := req.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if err := secret.SignRequest(sec, wire); err != nil {
		t.Fatal(err)
	}
	off := maOffset(t, wire)
	if want := hmacRef(sec, wire, nil, off); !bytes.Equal(wire[off:off+16], want) {
		t.Fatalf("Access-Request MA %x, want %x", wire[off:off+16], want)
	}
	if !secret.VerifyMessageAuthenticator(sec, wire, nil) {
		t.Error("Access-Request MA does not verify")
	}
	if secret.VerifyMessageAuthenticator([]byte("other"), wire, nil) {
		t.Error("Access-Request MA verifies under a wrong secret")
	}
	got, ok := secret.MessageAuthenticator(sec, wire, nil)
	if !ok || !bytes.Equal(got[:], wire[off:off+16]) {
		t.Errorf("MessageAuthenticator = %x, %v", got, ok)
	}
	// Flip one bit of the attributes: the MA must fail.
	bad := append([]byte(nil), wire...)
	bad[22] ^= 1
	if secret.VerifyMessageAuthenticator(sec, bad, nil) {
		t.Error("tampered Access-Request verifies")
	}

	// Response: MA over the Request Authenticator, then the Response
	// Authenticator over the packet with the MA in it.
	resp := req.Response(radius.CodeAccessAccept)
	rfc2865.ReplyMessage_SetString(resp, "welcome")
	rfc2869.MessageAuthenticator_Set(resp, make([]byte, 16))
	rw, err := resp.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if err := secret.SignResponse(sec, rw, wire[4:20]); err != nil {
		t.Fatal(err)
	}
	roff := maOffset(t, rw)
	if want := hmacRef(sec, rw, wire[4:20], roff); !bytes.Equal(rw[roff:roff+16], want) {
		t.Errorf("response MA %x, want %x", rw[roff:roff+16], want)
	}
	if !radius.IsAuthenticResponse(rw, wire, sec) {
		t.Error("layeh does not accept our Response Authenticator")
	}
	if !secret.VerifyResponse(sec, rw, wire[4:20]) || !secret.VerifyMessageAuthenticator(sec, rw, wire[4:20]) {
		t.Error("signed response does not verify")
	}

	// Accounting-Request: MA over 16 zero octets, then the authenticator.
	acct := radius.New(radius.CodeAccountingRequest, sec)
	rfc2865.UserName_SetString(acct, "alice")
	rfc2869.MessageAuthenticator_Set(acct, make([]byte, 16))
	aw, err := acct.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if err := secret.SignRequest(sec, aw); err != nil {
		t.Fatal(err)
	}
	aoff := maOffset(t, aw)
	if want := hmacRef(sec, aw, make([]byte, 16), aoff); !bytes.Equal(aw[aoff:aoff+16], want) {
		t.Errorf("accounting MA %x, want %x", aw[aoff:aoff+16], want)
	}
	if !radius.IsAuthenticRequest(aw, sec) || !secret.VerifyAccountingRequest(sec, aw) {
		t.Error("accounting request authenticator does not verify")
	}
}

func TestMessageAuthenticatorAbsentOrMalformed(t *testing.T) {
	sec := []byte("k")
	req := radius.New(radius.CodeAccessRequest, sec)
	rfc2865.UserName_SetString(req, "bob")
	wire, _ := req.Encode()
	if _, ok := secret.MessageAuthenticator(sec, wire, nil); ok {
		t.Error("MA reported on a packet without attribute 80")
	}
	if secret.HasMessageAuthenticator(wire) || secret.VerifyMessageAuthenticator(sec, wire, nil) {
		t.Error("absent MA reported present or valid")
	}
	if err := secret.SetMessageAuthenticator(sec, wire, nil); !errors.Is(err, secret.ErrNoMessageAuthenticator) {
		t.Errorf("Set on a packet without 80: %v", err)
	}
	for _, tc := range []struct {
		name string
		pkt  []byte
	}{
		{"short", []byte{1, 2, 0, 19}},
		{"length beyond data", append([]byte{1, 2, 0, 40}, make([]byte, 20)...)},
		{"attribute overrun", append(append([]byte{1, 2, 0, 24}, make([]byte, 16)...), 1, 9, 'a', 'b')},
		{"attribute length 0", append(append([]byte{1, 2, 0, 24}, make([]byte, 16)...), 80, 0, 0, 0)},
		{"MA of length 4", append(append([]byte{1, 2, 0, 24}, make([]byte, 16)...), 80, 4, 0, 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := secret.SetMessageAuthenticator(sec, tc.pkt, nil); !errors.Is(err, secret.ErrPacket) {
				t.Errorf("Set: %v, want ErrPacket", err)
			}
			if secret.VerifyMessageAuthenticator(sec, tc.pkt, nil) {
				t.Error("verifies")
			}
		})
	}
}

func FuzzDecrypt(f *testing.F) {
	f.Add([]byte("xyzzy5461"), unhex(f, rfcRequest)[4:20], unhex(f, rfcRequest)[28:44])
	f.Add([]byte("testing123"), make([]byte, 16), secret.EncryptSalted([]byte("testing123"), make([]byte, 16), []byte("key"), [2]byte{0x80, 1}))
	f.Add([]byte{}, []byte{}, []byte{})
	f.Fuzz(func(t *testing.T, sec, auth, enc []byte) {
		if pw, err := secret.DecryptUserPassword(sec, auth, enc); err == nil {
			if len(pw) > len(enc) || bytes.IndexByte(pw, 0) >= 0 {
				t.Fatalf("password %x from %x", pw, enc)
			}
			// Encrypting again yields the input up to trailing padding.
			re := secret.EncryptUserPassword(sec, auth, pw)
			if len(re) <= len(enc) && !bytes.Equal(re, enc[:len(re)]) {
				t.Fatalf("re-encrypt %x, want prefix of %x", re, enc)
			}
		}
		if d, err := secret.DecryptSalted(sec, auth, enc); err == nil {
			if len(d) > len(enc)-3 {
				t.Fatalf("salted data %d bytes from %d", len(d), len(enc))
			}
			if len(enc) == 2+(1+len(d)+15)/16*16 {
				re := secret.EncryptSalted(sec, auth, d, [2]byte{enc[0], enc[1]})
				got, err := secret.DecryptSalted(sec, auth, re)
				if err != nil || !bytes.Equal(got, d) {
					t.Fatalf("salted round trip: %x, %v", got, err)
				}
			}
		}
		pkt := append(append([]byte(nil), auth...), enc...)
		_, _ = secret.MessageAuthenticator(sec, pkt, nil)
		_ = secret.SetMessageAuthenticator(sec, pkt, nil)
		_ = secret.VerifyResponse(sec, pkt, auth)
	})
}

// TestSecretLengths checks the allocation-free paths against crypto/hmac
// and layeh for secrets around the HMAC block size and beyond the stack
// buffer.
func TestSecretLengths(t *testing.T) {
	for _, n := range []int{1, 16, 63, 64, 65, 127, 200, 5000} {
		sec := bytes.Repeat([]byte{'k'}, n)
		req := radius.New(radius.CodeAccessRequest, sec)
		rfc2865.UserName_SetString(req, "u")
		rfc2869.MessageAuthenticator_Set(req, make([]byte, 16))
		wire, err := req.Encode()
		if err != nil {
			t.Fatal(err)
		}
		if err := secret.SignRequest(sec, wire); err != nil {
			t.Fatal(err)
		}
		off := maOffset(t, wire)
		if want := hmacRef(sec, wire, nil, off); !bytes.Equal(wire[off:off+16], want) {
			t.Errorf("secret of %d bytes: MA %x, want %x", n, wire[off:off+16], want)
		}
		resp := req.Response(radius.CodeAccessReject)
		rw, _ := resp.Encode()
		if !secret.VerifyResponse(sec, rw, wire[4:20]) {
			t.Errorf("secret of %d bytes: layeh's response does not verify", n)
		}
	}
}
