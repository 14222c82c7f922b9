package secret_test

import (
	"testing"

	"layeh.com/radius"
	"layeh.com/radius/rfc2865"
	"layeh.com/radius/rfc2869"

	"github.com/radscope/radscope/secret"
)

func benchPacket(b *testing.B) ([]byte, []byte) {
	sec := []byte("testing123")
	p := radius.New(radius.CodeAccessRequest, sec)
	rfc2865.UserName_SetString(p, "user00001@corp.example")
	rfc2865.UserPassword_SetString(p, "Summer2026!")
	rfc2865.NASIdentifier_SetString(p, "ap-001")
	rfc2865.CallingStationID_SetString(p, "02-00-00-01-02-03")
	rfc2869.MessageAuthenticator_Set(p, make([]byte, 16))
	w, err := p.Encode()
	if err != nil {
		b.Fatal(err)
	}
	if err := secret.SignRequest(sec, w); err != nil {
		b.Fatal(err)
	}
	return sec, w
}

func BenchmarkVerifyMessageAuthenticator(b *testing.B) {
	sec, w := benchPacket(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(w)))
	for b.Loop() {
		if !secret.VerifyMessageAuthenticator(sec, w, nil) {
			b.Fatal("does not verify")
		}
	}
}

func BenchmarkVerifyResponse(b *testing.B) {
	sec, w := benchPacket(b)
	resp := append([]byte(nil), w...)
	resp[0] = 2
	if err := secret.SignResponse(sec, resp, w[4:20]); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(resp)))
	for b.Loop() {
		if !secret.VerifyResponse(sec, resp, w[4:20]) {
			b.Fatal("does not verify")
		}
	}
}

func BenchmarkDecryptUserPassword(b *testing.B) {
	sec := []byte("testing123")
	auth := make([]byte, 16)
	enc := secret.EncryptUserPassword(sec, auth, []byte("Summer2026!"))
	b.ReportAllocs()
	b.SetBytes(int64(len(enc)))
	for b.Loop() {
		if _, err := secret.DecryptUserPassword(sec, auth, enc); err != nil {
			b.Fatal(err)
		}
	}
}
