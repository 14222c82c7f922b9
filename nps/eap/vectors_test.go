package eap

import (
	"bytes"
	"encoding/hex"
	"testing"

	"layeh.com/radius/rfc2759"
)

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestKnownAnswers checks the hash-based MS-CHAPv2 computations (the
// server only has the NT hash, never the password) against RFC 2759 §9.2
// and RFC 3079 §3.5.3.
func TestKnownAnswers(t *testing.T) {
	hash := ntHash("clientPass")
	if want := unhex(t, "44EBBA8D5312B8D611474411F56989AE"); !bytes.Equal(hash[:], want) {
		t.Fatalf("NT hash %X", hash)
	}
	authCh := unhex(t, "5B5D7C7D7B3F2F3E3C2C602132262628")
	peerCh := unhex(t, "21402324255E262A28295F2B3A337C7E")
	ntResp := unhex(t, "82309ECD8D708B5EA08FAA3981CD83544233114A3D85D6DF")
	ch := rfc2759.ChallengeHash(peerCh, authCh, []byte("User"))
	if got := rfc2759.ChallengeResponse(ch, hash[:]); !bytes.Equal(got, ntResp) {
		t.Fatalf("NT-Response %X", got)
	}
	hashHash := rfc2759.NTPasswordHash(hash[:])
	if got, want := authenticatorResponse(hashHash, ntResp, ch), "S=407A5589115FD0D6209F510FE9C04566932CDA56"; got != want {
		t.Fatalf("authenticator response %s, want %s", got, want)
	}
	send, recv := mppeKeys(hashHash, ntResp)
	// RFC 3079 §3.5.3: SendStartKey128 (server send = peer receive).
	if want := unhex(t, "8B7CDC149B993A1BA118CB153F56DCCB"); !bytes.Equal(send, want) {
		t.Fatalf("send key %X, want %X", send, want)
	}
	if len(recv) != 16 || bytes.Equal(recv, send) {
		t.Fatalf("recv key %X", recv)
	}
}
