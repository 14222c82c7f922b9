package nps

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// certificate returns the PEAP certificate to use: Options.Certificate,
// else the scenario's files when they exist. generate reports that the
// files are named but absent: the certificate the EAP server generates is
// then written there (the first run), so later runs present the same one.
func (s *Server) certificate() (cert tls.Certificate, generate bool, err error) {
	if len(s.opts.Certificate.Certificate) > 0 {
		return s.opts.Certificate, false, nil
	}
	c := s.sc.Server.Certificate
	if c.CertFile == "" {
		return tls.Certificate{}, false, nil
	}
	_, errC := os.Stat(c.CertFile)
	_, errK := os.Stat(c.KeyFile)
	if errors.Is(errC, fs.ErrNotExist) && errors.Is(errK, fs.ErrNotExist) {
		return tls.Certificate{}, true, nil
	}
	cert, err = tls.LoadX509KeyPair(c.CertFile, c.KeyFile)
	if err != nil {
		return tls.Certificate{}, false, fmt.Errorf("nps: server certificate: %w", err)
	}
	return cert, false, nil
}

// saveCertificate writes a generated certificate and its key as PEM.
func saveCertificate(cert tls.Certificate, certFile, keyFile string) error {
	var certPEM []byte
	for _, der := range cert.Certificate {
		certPEM = append(certPEM, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	key, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		return fmt.Errorf("nps: server certificate key: %w", err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: key}), 0o600); err != nil {
		return fmt.Errorf("nps: server certificate: %w", err)
	}
	if err := os.WriteFile(certFile, certPEM, 0o644); err != nil {
		return fmt.Errorf("nps: server certificate: %w", err)
	}
	return nil
}
