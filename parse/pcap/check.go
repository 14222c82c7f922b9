package pcap

import (
	"net/netip"
	"strconv"
	"unicode"
	"unicode/utf8"

	"github.com/radscope/radscope/dict"
	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/secret"
)

var zeroAuth [16]byte

// candidates returns the secrets to try for m's client/server pair.
func (mt *matcher) candidates(m *model.Message) [][]byte {
	st := mt.r.opt.Secrets
	if st.Len() == 0 {
		return nil
	}
	k := [2]netip.Addr{m.Client.Addr(), m.Server.Addr()}
	if c, ok := mt.cands[k]; ok {
		return c
	}
	c := st.Candidates(k[0], k[1])
	mt.cands[k] = c
	return c
}

// preferFirst returns a function that tries s first, then the rest.
func tryEach(prefer []byte, cands [][]byte, f func([]byte) bool) []byte {
	if prefer != nil && f(prefer) {
		return prefer
	}
	for _, c := range cands {
		if prefer != nil && string(c) == string(prefer) {
			continue
		}
		if f(c) {
			return c
		}
	}
	return nil
}

func verdict(ok bool) model.SecretVerdict {
	if ok {
		return model.Verified
	}
	return model.SecretMismatch
}

func newCheck(pkt []byte) *model.SecretCheck {
	c := &model.SecretCheck{}
	if !secret.HasMessageAuthenticator(pkt) {
		c.MessageAuthenticator = model.Absent
	}
	return c
}

// checkUnmatched records what can be known about a response without its
// request: only whether it carries a Message-Authenticator.
func (mt *matcher) checkUnmatched(m *model.Message, pkt []byte) {
	m.Check = newCheck(pkt)
}

// checkRequest verifies a request's authenticator (accounting and dynamic
// authorization requests) and Message-Authenticator, and decrypts its
// User-Password.
func (mt *matcher) checkRequest(m *model.Message, pkt []byte) {
	c := newCheck(pkt)
	m.Check = c
	cands := mt.candidates(m)
	if len(cands) == 0 {
		return
	}
	var good []byte
	maAuth := []byte(nil)
	switch m.Code {
	case model.CodeAccountingRequest, model.CodeCoARequest, model.CodeDisconnectRequest:
		maAuth = zeroAuth[:]
		good = tryEach(nil, cands, func(s []byte) bool { return secret.VerifyAccountingRequest(s, pkt) })
		c.Authenticator = verdict(good != nil)
	}
	if c.MessageAuthenticator != model.Absent {
		s := tryEach(good, cands, func(s []byte) bool { return secret.VerifyMessageAuthenticator(s, pkt, maAuth) })
		c.MessageAuthenticator = verdict(s != nil)
		if good == nil {
			good = s
		}
	}
	for i := range m.Attrs {
		a := &m.Attrs[i]
		if a.Vendor != 0 || a.Type != attrUserPassword {
			continue
		}
		var pw []byte
		s := tryEach(good, cands, func(s []byte) bool {
			p, err := secret.DecryptUserPassword(s, m.Auth, a.Raw)
			if err != nil || !printable(p) {
				return false
			}
			pw = p
			return true
		})
		c.Password = verdict(s != nil)
		if s != nil && mt.r.opt.ShowSecrets {
			a.Value = string(pw)
		}
		break
	}
}

// checkResponse verifies a matched response's authenticator and
// Message-Authenticator with the request's authenticator, and decrypts
// Tunnel-Password and the MS-MPPE keys when secrets are to be shown.
func (mt *matcher) checkResponse(m *model.Message, pkt, reqAuth []byte) {
	c := newCheck(pkt)
	m.Check = c
	cands := mt.candidates(m)
	if len(cands) == 0 {
		return
	}
	good := tryEach(nil, cands, func(s []byte) bool { return secret.VerifyResponse(s, pkt, reqAuth) })
	c.Authenticator = verdict(good != nil)
	if c.MessageAuthenticator != model.Absent {
		zero := zeroVectorMA(m.Code)
		s := tryEach(good, cands, func(s []byte) bool {
			return secret.VerifyMessageAuthenticator(s, pkt, reqAuth) || zero && secret.VerifyMessageAuthenticator(s, pkt, zeroAuth[:])
		})
		c.MessageAuthenticator = verdict(s != nil)
	}
	if good == nil || !mt.r.opt.ShowSecrets {
		return
	}
	for i := range m.Attrs {
		a := &m.Attrs[i]
		switch {
		case a.Vendor == 0 && a.Type == attrTunnelPassword && len(a.Raw) > 1:
			if p, err := secret.DecryptSalted(good, reqAuth, a.Raw[1:]); err == nil {
				a.Value = withTag(a.Raw[0], showBytes(p))
			}
		case a.Vendor == vendorMicrosoft && (a.Type == msMPPESendKey || a.Type == msMPPERecvKey):
			if p, err := secret.DecryptSalted(good, reqAuth, a.Raw); err == nil {
				a.Value = dict.HexString(p)
			}
		}
	}
}

// zeroVectorMA reports whether a response of this code may carry a
// Message-Authenticator computed over a zeroed authenticator field rather
// than the request's: RFC 3579 defines the attribute for Access packets
// only, and FreeRADIUS (like the emulator) signs Accounting-Response and the
// CoA and Disconnect answers that way (an Accounting-Response to
// Status-Server uses the request's). Both are accepted: under a wrong
// secret neither verifies.
func zeroVectorMA(c model.Code) bool {
	switch c {
	case model.CodeAccountingResponse, model.CodeCoAACK, model.CodeCoANAK, model.CodeDisconnectACK, model.CodeDisconnectNAK:
		return true
	}
	return false
}

func withTag(tag byte, v string) string {
	if tag == 0 {
		return v
	}
	return strconv.Itoa(int(tag)) + ":" + v
}

func showBytes(p []byte) string {
	if printable(p) {
		return string(p)
	}
	return dict.HexString(p)
}

// printable reports whether p is UTF-8 text without control characters,
// which a password decrypted with the right secret is.
func printable(p []byte) bool {
	if !utf8.Valid(p) {
		return false
	}
	for _, r := range string(p) {
		if !unicode.IsPrint(r) && r != ' ' {
			return false
		}
	}
	return true
}
