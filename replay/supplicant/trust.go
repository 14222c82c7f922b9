package supplicant

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"time"
)

// Trust is how the peer decides whether to trust a PEAP server
// certificate, after Windows's "Verify the server's identity" settings:
// certificates pinned by their exact bytes (the emulator's own), CA roots
// with an optional server name, or, for a lab, anything.
type Trust struct {
	// Pinned are DER certificates trusted as the leaf, whatever signed them.
	Pinned [][]byte
	// Roots are the CAs a chain must lead to; nil trusts no CA.
	Roots *x509.CertPool
	// ServerName, when set, must be a DNS name of the leaf ("Connect to
	// these servers").
	ServerName string
	// Insecure accepts any certificate (lab use only).
	Insecure bool
	// Time is when validity is checked (default time.Now): the capture's
	// clock in a replay.
	Time func() time.Time
}

// Configured reports whether the trust accepts anything at all.
func (t *Trust) Configured() bool {
	return t != nil && (t.Insecure || len(t.Pinned) > 0 || t.Roots != nil)
}

// Verify checks a chain, leaf first. It is Config.Verify.
func (t *Trust) Verify(chain []*x509.Certificate) error {
	if len(chain) == 0 {
		return fmt.Errorf("%w: the server sent no certificate", ErrUntrusted)
	}
	if t.Insecure {
		return nil
	}
	leaf := chain[0]
	for _, der := range t.Pinned {
		if bytes.Equal(der, leaf.Raw) {
			return nil
		}
	}
	if t.Roots == nil {
		return fmt.Errorf("%w: %q is not the pinned certificate and no CA is trusted", ErrUntrusted, leaf.Subject.CommonName)
	}
	now := time.Now
	if t.Time != nil {
		now = t.Time
	}
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	_, err := leaf.Verify(x509.VerifyOptions{Roots: t.Roots, Intermediates: inter, DNSName: t.ServerName,
		CurrentTime: now(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUntrusted, err)
	}
	return nil
}

// LoadRoots reads PEM CA certificates from a file.
func LoadRoots(path string) (*x509.CertPool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("supplicant: %w", err)
	}
	certs, err := ParsePEM(b)
	if err != nil {
		return nil, fmt.Errorf("supplicant: %s: %w", path, err)
	}
	pool := x509.NewCertPool()
	for _, c := range certs {
		pool.AddCert(c)
	}
	return pool, nil
}

// ParsePEM reads the CERTIFICATE blocks of a PEM file.
func ParsePEM(b []byte) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			break
		}
		if blk.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, errors.New("no PEM certificate")
	}
	return out, nil
}
