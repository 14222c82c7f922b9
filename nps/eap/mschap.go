package eap

import (
	"context"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"layeh.com/radius/rfc2759"
	"layeh.com/radius/rfc3079"
)

// MS-CHAPv2 op codes (draft-kamath-pppext-eap-mschapv2 §2).
const (
	msOpChallenge = 1
	msOpResponse  = 2
	msOpSuccess   = 3
	msOpFailure   = 4
)

type msStatus uint8

const (
	msContinue msStatus = iota
	msSuccess
	msFailure
)

type msStage uint8

const (
	msWaitResponse msStage = iota
	msWaitSuccessAck
	msWaitFailureAck
)

// mschap is one EAP-MSCHAPv2 exchange, server side. It works on the bytes
// after the EAP type octet, so PEAP uses it inside the tunnel too.
type mschap struct {
	s         *Server
	challenge [16]byte
	id        byte
	stage     msStage

	user             string
	sendKey, recvKey []byte
	msError          string
	err              error
}

type cryptoRand struct{}

func (cryptoRand) Read(b []byte) (int, error) { return rand.Read(b) }

func newMSCHAP(s *Server) *mschap {
	m := &mschap{s: s}
	var idb [1]byte
	fillRandom(s.cfg.Rand, m.challenge[:])
	fillRandom(s.cfg.Rand, idb[:])
	m.id = idb[0]
	return m
}

// fillRandom reads len(b) random bytes; crypto/rand cannot fail, and a
// failing injected source falls back to it.
func fillRandom(r interface{ Read([]byte) (int, error) }, b []byte) {
	if n, err := r.Read(b); err != nil || n != len(b) {
		_, _ = rand.Read(b)
	}
}

// challengePacket is the MS-CHAPv2 Challenge (after the EAP type octet).
func (m *mschap) challengePacket() []byte {
	name := m.s.cfg.Name
	n := 4 + 1 + 16 + len(name)
	b := make([]byte, 0, n)
	b = append(b, msOpChallenge, m.id, byte(n>>8), byte(n), 16)
	b = append(b, m.challenge[:]...)
	return append(b, name...)
}

func msPacket(op, id byte, msg string) []byte {
	n := 4 + len(msg)
	b := make([]byte, 0, n)
	b = append(b, op, id, byte(n>>8), byte(n))
	return append(b, msg...)
}

// handle processes one MS-CHAPv2 response (the bytes after the EAP type
// octet) and returns the next MS-CHAPv2 request to send, if any.
func (m *mschap) handle(ctx context.Context, d []byte) ([]byte, msStatus) {
	if len(d) < 1 {
		m.err = fmt.Errorf("%w: empty MS-CHAPv2 packet", ErrProtocol)
		return nil, msFailure
	}
	op := d[0]
	switch m.stage {
	case msWaitSuccessAck:
		if op == msOpSuccess {
			return nil, msSuccess
		}
		m.err = fmt.Errorf("%w: MS-CHAPv2 op code %d after Success", ErrProtocol, op)
		return nil, msFailure
	case msWaitFailureAck:
		if op != msOpFailure && m.err == nil {
			m.err = fmt.Errorf("%w: MS-CHAPv2 op code %d after Failure", ErrProtocol, op)
		}
		return nil, msFailure
	}
	if op != msOpResponse {
		m.err = fmt.Errorf("%w: MS-CHAPv2 op code %d, expected Response", ErrProtocol, op)
		return nil, msFailure
	}
	// OpCode, ID, MS-Length(2), Value-Size, Response(49), Name.
	if len(d) < 5+49 || d[4] != 49 {
		m.err = fmt.Errorf("%w: MS-CHAPv2 Response of %d bytes", ErrProtocol, len(d))
		return nil, msFailure
	}
	if d[1] != m.id {
		m.err = fmt.Errorf("%w: MS-CHAPv2 identifier %d, expected %d", ErrProtocol, d[1], m.id)
		return nil, msFailure
	}
	msLen := int(d[2])<<8 | int(d[3])
	if msLen < 5+49 || msLen > len(d) {
		msLen = len(d)
	}
	resp := d[5 : 5+49]
	peerChallenge := resp[:16]
	ntResponse := resp[24:48]
	m.user = string(d[5+49 : msLen])

	hash, err := m.s.cfg.NTHash(ctx, m.user)
	if err != nil {
		if ctx.Err() != nil {
			m.err = err
			return nil, msFailure
		}
		m.err = err
		return m.fail(mschapCode(err)), msContinue
	}
	user := []byte(m.user)
	if i := strings.LastIndexByte(m.user, '\\'); i >= 0 {
		user = user[i+1:]
	}
	ch := rfc2759.ChallengeHash(peerChallenge, m.challenge[:], user)
	want := rfc2759.ChallengeResponse(ch, hash[:])
	if subtle.ConstantTimeCompare(want, ntResponse) != 1 {
		m.err = fmt.Errorf("%w for %q", ErrBadPassword, m.user)
		return m.fail(691), msContinue
	}
	hashHash := rfc2759.NTPasswordHash(hash[:])
	m.sendKey, m.recvKey = mppeKeys(hashHash, ntResponse)
	m.stage = msWaitSuccessAck
	return msPacket(msOpSuccess, m.id, authenticatorResponse(hashHash, ntResponse, ch)+" M=Authentication succeeded"), msContinue
}

// fail builds the MS-CHAPv2 Failure request with a fresh challenge.
func (m *mschap) fail(code int) []byte {
	var c [16]byte
	fillRandom(m.s.cfg.Rand, c[:])
	m.msError = "E=" + strconv.Itoa(code) + " R=0 C=" + strings.ToUpper(hex.EncodeToString(c[:])) + " V=3"
	m.stage = msWaitFailureAck
	return msPacket(msOpFailure, m.id, m.msError+" M=Authentication failed")
}

func mschapCode(err error) int {
	var fc *FailureCode
	if errors.As(err, &fc) && fc.Code > 0 {
		return fc.Code
	}
	return 691
}

var (
	magicServer = []byte("Magic server to client signing constant")
	magicPad    = []byte("Pad to make it do more than one iteration")
)

// authenticatorResponse is RFC 2759 §8.7 from the password hash hash:
// "S=" and 40 upper-case hex digits.
func authenticatorResponse(hashHash, ntResponse, challengeHash []byte) string {
	h := sha1.New()
	h.Write(hashHash)
	h.Write(ntResponse)
	h.Write(magicServer)
	digest := h.Sum(nil)
	h.Reset()
	h.Write(digest)
	h.Write(challengeHash)
	h.Write(magicPad)
	return "S=" + strings.ToUpper(hex.EncodeToString(h.Sum(nil)))
}

// mppeKeys returns the 128-bit MS-MPPE-Send-Key and MS-MPPE-Recv-Key of the
// authenticator (RFC 3079 §3.4, RFC 2548 §2.4.2/§2.4.3).
func mppeKeys(hashHash, ntResponse []byte) (send, recv []byte) {
	master := rfc3079.GetMasterKey(hashHash, ntResponse)
	send, _ = rfc3079.GetAsymmetricStartKey(master, rfc3079.KeyLength128Bit, true)
	recv, _ = rfc3079.GetAsymmetricStartKey(master, rfc3079.KeyLength128Bit, false)
	return send, recv
}
