// Package supplicant is an EAP peer (RFC 3748): the user's device in an
// 802.1X or VPN sign-in, as replay plays it toward a RADIUS server through
// the emulated NAS. It answers EAP-Request/Identity, proposes its methods
// with a Legacy-Nak when the server offers another one, and runs
// EAP-MSCHAPv2 (draft-kamath-pppext-eap-mschapv2 over RFC 2759) and PEAPv0
// (draft-kamath-pppext-peapv0) with crypto/tls as the TLS client and
// EAP-MSCHAPv2 inside the tunnel, fragmenting its own TLS messages and
// reassembling the server's.
//
// The peer authenticates the server, as Windows does: the TLS server
// certificate is checked by Config.Verify (see Trust), and the MS-CHAPv2
// Success-Request must carry the authenticator response that only a server
// knowing the password can compute; a server that cannot prove it ends the
// conversation with ErrServerNotAuthenticated.
//
// The package has its own small EAP codec and imports nothing of the
// emulated server (package nps/eap), so that package's tests can use it.
//
//	p, err := supplicant.New(supplicant.Config{Identity: `CONTOSO\alice`, Password: pw, Verify: trust.Verify})
//	msg := p.Start(0) // EAP-Response/Identity: the first Access-Request's EAP-Message
//	// then, for the EAP-Message of each Access-Challenge:
//	msg, err = p.Respond(challenge) // the next Access-Request's EAP-Message
//	// and for the EAP-Success of the Access-Accept:
//	_, err = p.Respond(success)
//	res := p.Result()
package supplicant
