package replay

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/secret"
)

// ErrTooLong is returned when a request does not fit in a RADIUS packet.
var ErrTooLong = errors.New("replay: request longer than 4096 bytes")

// Encode builds the packet of req for a target: identifier ident, the
// captured authenticator where CHAP needs it (else auth, or a random one
// when auth is nil), User-Password encrypted under the target's secret,
// the target's State (nil drops State), Message-Authenticator computed
// last. Accounting-Requests get their authenticator from the secret.
func Encode(req *Request, ident uint8, auth []byte, sec, state []byte) ([]byte, error) {
	b := make([]byte, 20, 256)
	b[0] = byte(req.Code)
	b[1] = ident
	acct := req.Code == model.CodeAccountingRequest || req.Code == model.CodeCoARequest || req.Code == model.CodeDisconnectRequest
	switch {
	case acct:
	case req.Auth != nil:
		copy(b[4:20], req.Auth)
	case auth != nil:
		copy(b[4:20], auth)
	default:
		if _, err := rand.Read(b[4:20]); err != nil {
			return nil, fmt.Errorf("replay: authenticator: %w", err)
		}
	}
	if req.MessageAuth || req.Code == model.CodeStatusServer {
		// First, as the Blast-RADIUS mitigation asks.
		b = append(b, attrMessageAuth, 18)
		b = append(b, make([]byte, 16)...)
	}
	for i := range req.Attrs {
		var err error
		if b, err = appendAttr(b, req.Attrs[i]); err != nil {
			return nil, err
		}
		if i == 0 && req.Password != nil && !acct {
			// User-Password right after User-Name, where NASes put it.
			enc := secret.EncryptUserPassword(sec, b[4:20], req.Password)
			if b, err = appendAttr(b, WireAttr{Type: attrUserPassword, Value: enc}); err != nil {
				return nil, err
			}
		}
	}
	if len(req.Attrs) == 0 && req.Password != nil && !acct {
		enc := secret.EncryptUserPassword(sec, b[4:20], req.Password)
		var err error
		if b, err = appendAttr(b, WireAttr{Type: attrUserPassword, Value: enc}); err != nil {
			return nil, err
		}
	}
	if req.State && state != nil {
		var err error
		if b, err = appendAttr(b, WireAttr{Type: attrState, Value: state}); err != nil {
			return nil, err
		}
	}
	if len(b) > maxPacket {
		return nil, ErrTooLong
	}
	binary.BigEndian.PutUint16(b[2:4], uint16(len(b)))
	if acct {
		a := secret.AccountingRequestAuthenticator(sec, b)
		copy(b[4:20], a[:])
		return b, nil
	}
	if secret.HasMessageAuthenticator(b) {
		if err := secret.SetMessageAuthenticator(sec, b, b[4:20]); err != nil {
			return nil, fmt.Errorf("replay: Message-Authenticator: %w", err)
		}
	}
	return b, nil
}

func appendAttr(b []byte, a WireAttr) ([]byte, error) {
	if a.Vendor == 0 {
		if len(a.Value) > 253 {
			return nil, fmt.Errorf("replay: attribute %d: value of %d bytes", a.Type, len(a.Value))
		}
		b = append(b, a.Type, byte(len(a.Value)+2))
		return append(b, a.Value...), nil
	}
	if len(a.Value) > 247 {
		return nil, fmt.Errorf("replay: vendor %d attribute %d: value of %d bytes", a.Vendor, a.Type, len(a.Value))
	}
	b = append(b, attrVendorSpecific, byte(len(a.Value)+8))
	b = binary.BigEndian.AppendUint32(b, a.Vendor)
	b = append(b, a.Type, byte(len(a.Value)+2))
	return append(b, a.Value...), nil
}

// answer is what a response says, decoded enough for the NAS side.
type answer struct {
	code  model.Code
	ident uint8
	state []byte
	reply string // Reply-Message
	eap   []byte // EAP-Message, joined
	// mppeRecv and mppeSend are the salted MS-MPPE-Recv-Key and
	// MS-MPPE-Send-Key, nil when absent.
	mppeRecv, mppeSend []byte
	ok                 bool // the response authenticator verified
}

// decodeAnswer reads a response to a request with authenticator reqAuth.
func decodeAnswer(pkt, reqAuth, sec []byte) (answer, error) {
	if len(pkt) < 20 {
		return answer{}, fmt.Errorf("replay: response of %d bytes", len(pkt))
	}
	n := int(binary.BigEndian.Uint16(pkt[2:4]))
	if n < 20 || n > len(pkt) {
		return answer{}, fmt.Errorf("replay: response length %d, datagram %d bytes", n, len(pkt))
	}
	pkt = pkt[:n]
	a := answer{code: model.Code(pkt[0]), ident: pkt[1], ok: secret.VerifyResponse(sec, pkt, reqAuth)}
	for i := 20; i+2 <= len(pkt); {
		t, l := pkt[i], int(pkt[i+1])
		if l < 2 || i+l > len(pkt) {
			return a, fmt.Errorf("replay: response attribute %d at offset %d has length %d", t, i, l)
		}
		v := pkt[i+2 : i+l]
		switch t {
		case attrState:
			a.state = clone(v)
		case 18:
			a.reply += string(v)
		case attrEAPMessage:
			a.eap = append(a.eap, v...)
		case attrVendorSpecific:
			if len(v) >= 6 && binary.BigEndian.Uint32(v) == vendorMicrosoft && int(v[5]) == len(v)-4 && v[5] >= 2 {
				switch v[4] {
				case msMPPESendKey:
					a.mppeSend = clone(v[6:])
				case msMPPERecvKey:
					a.mppeRecv = clone(v[6:])
				}
			}
		}
		i += l
	}
	return a, nil
}
