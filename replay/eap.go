package replay

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"math/big"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/replay/supplicant"
	"github.com/radscope/radscope/scenario"
	"github.com/radscope/radscope/secret"
)

// outcomePeerAbandoned is the outcome of an EAP flow the emulated device
// gave up on: it did not trust the server's certificate, or the server
// could not prove it knows the password.
const outcomePeerAbandoned = "peer-abandoned"

// maxEAPRounds bounds an EAP conversation (PEAP takes about ten).
const maxEAPRounds = 50

// EAPPlan is an EAP conversation replay runs as the peer (supplicant): the
// EAP-Message of each Access-Request is the peer's answer to the target's
// last Access-Challenge, so nothing of the captured conversation is re-sent
// but the identity and the NAS's attributes.
type EAPPlan struct {
	Identity string // outer identity, from the captured EAP-Response/Identity or User-Name
	User     string // MS-CHAPv2 (PEAP inner) identity
	// Method is PEAP or EAP-MSCHAPv2 as captured or logged; "" takes what
	// the target offers.
	Method   string
	ID       byte   // identifier of the first EAP-Response/Identity
	Password []byte // from the scenario: a capture holds only proofs bound to the original server's challenges
}

// eapRequest reports whether the request m of f is part of an EAP
// conversation: it carries EAP-Message, or the log says EAP or PEAP.
func eapRequest(f *model.Flow, m *model.Message) bool {
	if m.Kind == model.KindPacket {
		for _, a := range m.Attrs {
			if a.Vendor == 0 && a.Type == attrEAPMessage {
				return true
			}
		}
		return false
	}
	return logEAPMethod(f, m) != ""
}

// logEAPMethod is the EAP method a logged request used: PEAP,
// EAP-MSCHAPv2, EAP (not known which), or "" for none.
func logEAPMethod(f *model.Flow, m *model.Message) string {
	method := strings.ToUpper(authMethod(f, m))
	switch {
	case strings.Contains(method, "PEAP"):
		return supplicant.MethodPEAP
	case strings.Contains(method, "EAP"):
		if a, ok := m.AttrByName("EAP-Friendly-Name"); ok {
			switch v := strings.ToUpper(a.Value); {
			case strings.Contains(v, "PEAP"):
				return supplicant.MethodPEAP
			case strings.Contains(v, "MSCHAP"):
				return supplicant.MethodMSCHAPv2
			}
		}
		return "EAP"
	}
	return ""
}

// eapMessage joins the EAP-Message attributes of a captured message.
func eapMessage(m *model.Message) []byte {
	var b []byte
	for _, a := range m.Attrs {
		if a.Vendor == 0 && a.Type == attrEAPMessage {
			b = append(b, a.Raw...)
		}
	}
	return b
}

// planEAP plans the EAP conversation of f, whose first request is m.
func planEAP(p *Plan, f *model.Flow, m *model.Message, o PlanOptions) {
	x := &EAPPlan{Identity: m.User}
	var req Request
	var why string
	if m.Kind == model.KindPacket {
		req = Request{Code: model.CodeAccessRequest}
		if !m.Client.IsValid() {
			p.Why = "the captured request has no client address"
			return
		}
		for _, a := range m.Attrs {
			if a.Type < 0 || a.Type > 255 || a.Raw == nil && a.Value != "" {
				continue
			}
			if a.Vendor == 0 {
				switch a.Type {
				case attrUserPassword, attrMessageAuth, attrState, attrEAPMessage:
					continue
				}
			}
			req.Attrs = append(req.Attrs, WireAttr{Vendor: a.Vendor, Type: uint8(a.Type), Value: clone(a.Raw)})
		}
		if pk, err := supplicant.Parse(eapMessage(m)); err == nil && pk.Code == supplicant.CodeResponse && pk.Type == supplicant.TypeIdentity {
			x.Identity, x.ID = string(pk.Data), pk.ID
		}
		x.Method = capturedEAPMethod(f)
		req.secret = capturedSecret(m, o)
	} else {
		if req, why = fromRecord(f, m, o); why != "" {
			p.Why = why
			return
		}
		if lm := logEAPMethod(f, m); lm != "EAP" {
			x.Method = lm
		}
		req.Password = nil
	}
	req.MessageAuth = true // RFC 3579: every request with EAP-Message
	if x.Identity == "" {
		x.Identity = f.User
	}
	x.User = f.User
	if x.User == "" {
		x.User = x.Identity
	}
	if x.Identity == "" {
		p.Why = "the EAP conversation names no identity"
		return
	}
	if o.Password == nil {
		p.Why = "an EAP conversation is re-run as the peer and needs the user's password: give it with --password-from scenario (a capture holds only proofs bound to the original server's challenges)"
		return
	}
	pw, ok := o.Password(x.User)
	if !ok {
		p.Why = fmt.Sprintf("the scenario has no password for %q, the EAP peer's identity", x.User)
		return
	}
	x.Password = []byte(pw)
	p.EAP = x
	p.Requests = []Request{req}
}

// capturedSecret is the capture's secret for m, when one verifies its
// Message-Authenticator (so that a wrong shared secret reproduces).
func capturedSecret(m *model.Message, o PlanOptions) []byte {
	if o.Secrets == nil || m.Check == nil || m.Check.MessageAuthenticator != model.Verified {
		return nil
	}
	if c := o.Secrets.Candidates(m.Client.Addr(), m.Server.Addr()); len(c) > 0 {
		return c[0]
	}
	return nil
}

// capturedEAPMethod is the method the captured peer ran: the type of its
// first EAP-Response that is neither Identity nor Nak.
func capturedEAPMethod(f *model.Flow) string {
	for _, r := range f.Rounds {
		if r.Request < 0 || r.Request >= len(f.Messages) {
			continue
		}
		pk, err := supplicant.Parse(eapMessage(&f.Messages[r.Request]))
		if err != nil || pk.Code != supplicant.CodeResponse {
			continue
		}
		switch pk.Type {
		case supplicant.TypePEAP, supplicant.TypeMSCHAPv2:
			return supplicant.MethodName(pk.Type)
		}
	}
	return ""
}

// newPeer starts the EAP peer of a flow.
func (e *engine) newPeer(f *flowRun) (*supplicant.Peer, error) {
	x := f.plan.EAP
	cfg := supplicant.Config{Identity: x.Identity, User: x.User, Password: string(x.Password),
		FragmentSize: e.o.EAPFragmentSize, Time: e.now}
	if t, ok := supplicant.MethodType(x.Method); ok {
		cfg.Methods = []byte{t}
	}
	if e.o.Trust != nil {
		tr := *e.o.Trust
		if tr.Time == nil {
			tr.Time = e.now
		}
		cfg.Verify = tr.Verify
	}
	if e.o.Rand != nil {
		// A generator of the flow's own, seeded from the run's: the TLS
		// handshake runs in a goroutine of its own.
		var seed [32]byte
		if _, err := io.ReadFull(e.rand, seed[:]); err != nil {
			return nil, err
		}
		cfg.Rand = mrand.NewChaCha8(seed)
	}
	return supplicant.New(cfg)
}

// eapAttrs splits an EAP packet into EAP-Message attributes.
func eapAttrs(msg []byte) []WireAttr {
	var out []WireAttr
	for len(msg) > 0 {
		n := min(len(msg), 253)
		out = append(out, WireAttr{Type: attrEAPMessage, Value: msg[:n]})
		msg = msg[n:]
	}
	return out
}

// eapAnswer handles the target's answer to an EAP round; it reports false
// when the generic handling applies.
func (e *engine) eapAnswer(f *flowRun, a answer, now time.Time) bool {
	o := &f.res.Observed
	switch a.code {
	case model.CodeAccessChallenge:
		o.Challenges++
		next, err := f.peer.Respond(a.eap)
		switch {
		case err != nil:
			e.peerAbandoned(f, err)
		case next == nil:
			e.peerAbandoned(f, errors.New("supplicant: Access-Challenge without an EAP-Request"))
		case o.Rounds >= maxEAPRounds:
			e.finish(f, "", fmt.Sprintf("replay: the EAP conversation did not end after %d rounds", maxEAPRounds))
		default:
			f.eapMsg, f.state, f.pkt = next, a.state, nil
			e.schedule(f, now)
		}
		return true
	case model.CodeAccessAccept:
		if len(a.eap) == 0 {
			e.peerAbandoned(f, errors.New("supplicant: Access-Accept without EAP-Success"))
			return true
		}
		if _, err := f.peer.Respond(a.eap); err != nil {
			e.peerAbandoned(f, err)
			return true
		}
		if !f.peer.Result().Success {
			e.peerAbandoned(f, errors.New("supplicant: Access-Accept carrying EAP-Failure"))
			return true
		}
		if err := e.checkKeys(f, a); err != nil {
			e.peerAbandoned(f, err)
			return true
		}
		e.finishAnswered(f, false, model.OutcomeAccepted.String())
		return true
	case model.CodeAccessReject:
		if len(a.eap) > 0 {
			f.peer.Respond(a.eap) // EAP-Failure: nothing to answer
		}
		e.finishAnswered(f, false, model.OutcomeRejected.String())
		return true
	}
	return false
}

// checkKeys compares the MS-MPPE keys of an Access-Accept, when it carries
// them, with the peer's: keys the device does not share leave the NAS
// unable to talk to it (a Wi-Fi 4-way handshake fails).
func (e *engine) checkKeys(f *flowRun, a answer) error {
	recv, send := f.peer.Keys()
	for _, k := range []struct {
		name      string
		enc, want []byte
	}{{"MS-MPPE-Recv-Key", a.mppeRecv, recv}, {"MS-MPPE-Send-Key", a.mppeSend, send}} {
		if k.enc == nil {
			continue
		}
		got, err := secret.DecryptSalted(f.secret, f.auth, k.enc)
		if err != nil {
			return fmt.Errorf("replay: the Access-Accept's %s does not decrypt: %v", k.name, err)
		}
		if len(k.want) == 0 || !bytes.Equal(got, k.want) {
			return fmt.Errorf("replay: the Access-Accept's %s is not the key the device derived: the NAS and the device would not share link keys", k.name)
		}
	}
	return nil
}

func (e *engine) peerAbandoned(f *flowRun, err error) {
	f.res.Observed.Peer = err.Error()
	if errors.Is(err, supplicant.ErrUntrusted) && e.o.Trust == nil {
		f.res.Observed.Peer += " (the scenario's supplicant section sets which certificates the device trusts: trust_emulator (the embedded target only), ca_file or insecure_skip_verify)"
	}
	e.finish(f, outcomePeerAbandoned, "")
}

// EmulatorTrust is the trust of the EAP peer in sc's supplicant section,
// and the certificate the embedded emulator must present (zero: its own)
// when the peer trusts the emulator. embedded says the target is the
// emulator; start is the capture's time (the generated certificate is
// valid from a day before). nil trust means none is configured.
func EmulatorTrust(sc *scenario.Scenario, embedded bool, start time.Time) (*supplicant.Trust, tls.Certificate, error) {
	if sc == nil {
		return nil, tls.Certificate{}, nil
	}
	sp := sc.Supplicant
	t := &supplicant.Trust{Insecure: sp.InsecureSkipVerify, ServerName: sp.ServerName}
	if sp.CAFile != "" {
		path := sp.CAFile
		if !filepath.IsAbs(path) && sc.File() != "" {
			path = filepath.Join(filepath.Dir(sc.File()), path)
		}
		roots, err := supplicant.LoadRoots(path)
		if err != nil {
			return nil, tls.Certificate{}, fmt.Errorf("replay: supplicant.ca_file: %w", err)
		}
		t.Roots = roots
	}
	var cert tls.Certificate
	if sp.TrustEmulator && embedded {
		if cf := sc.Server.Certificate.CertFile; cf != "" {
			if b, err := os.ReadFile(cf); err == nil {
				certs, err := supplicant.ParsePEM(b)
				if err != nil {
					return nil, tls.Certificate{}, fmt.Errorf("replay: server.certificate.cert_file: %s: %w", cf, err)
				}
				t.Pinned = append(t.Pinned, certs[0].Raw)
				return t, cert, nil
			}
		}
		var err error
		if cert, err = emulatorCert(start); err != nil {
			return nil, tls.Certificate{}, err
		}
		t.Pinned = append(t.Pinned, cert.Certificate[0])
	}
	if !t.Configured() {
		return nil, cert, nil
	}
	return t, cert, nil
}

// emulatorCert makes the self-signed certificate the emulator presents
// when the peer pins it.
func emulatorCert(start time.Time) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("replay: PEAP certificate: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("replay: PEAP certificate: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "radscope NPS (replay)"},
		NotBefore:             start.Add(-24 * time.Hour),
		NotAfter:              start.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		DNSNames:              []string{"radscope-nps"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("replay: PEAP certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("replay: PEAP certificate: %w", err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, nil
}
