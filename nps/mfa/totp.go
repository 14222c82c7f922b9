package mfa

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/binary"
	"fmt"
	"time"
)

// TOTP is an RFC 6238 time-based one-time password generator with
// HMAC-SHA1, the algorithm of Microsoft Authenticator codes and OATH TOTP
// hardware tokens.
type TOTP struct {
	Secret []byte
	Digits int           // 6 when zero
	Period time.Duration // 30 s when zero
}

func (t TOTP) digits() int {
	if t.Digits <= 0 {
		return 6
	}
	return t.Digits
}

func (t TOTP) period() time.Duration {
	if t.Period <= 0 {
		return 30 * time.Second
	}
	return t.Period
}

// Code returns the code for the time step that contains at.
func (t TOTP) Code(at time.Time) string {
	return t.codeAt(uint64(at.Unix()) / uint64(t.period()/time.Second))
}

func (t TOTP) codeAt(step uint64) string {
	m := hmac.New(sha1.New, t.Secret)
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], step)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	mod := uint32(1)
	for range t.digits() {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", t.digits(), bin%mod)
}

// Verify reports whether code is valid at `at`, allowing skew time steps
// either side for clock drift.
func (t TOTP) Verify(code string, at time.Time, skew int) bool {
	if len(code) != t.digits() {
		return false
	}
	step := int64(uint64(at.Unix()) / uint64(t.period()/time.Second))
	ok := 0
	for d := -skew; d <= skew; d++ {
		s := step + int64(d)
		if s < 0 {
			continue
		}
		ok |= subtle.ConstantTimeCompare([]byte(t.codeAt(uint64(s))), []byte(code))
	}
	return ok == 1
}
