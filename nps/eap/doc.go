// Package eap is the server side of EAP (RFC 3748) for radscope's emulated
// NPS: EAP-Identity, Legacy-Nak method negotiation, EAP-MSCHAPv2
// (draft-kamath-pppext-eap-mschapv2 over RFC 2759) and PEAPv0
// (draft-kamath-pppext-peapv0, TLS 1.2 from crypto/tls) with EAP-MSCHAPv2
// inside the tunnel, as Windows NPS offers them.
//
// The RADIUS server owns the transport. For each EAP-Message it receives it
// calls Step with the Conversation it keeps under the State attribute it sent
// in the previous Access-Challenge; Step returns the EAP packet to send back
// and, at the end, whether the peer authenticated, who it was and the
// MS-MPPE keys to put in the Access-Accept:
//
//	srv, err := eap.NewServer(eap.Config{NTHash: dir.NTHash, Methods: []string{"PEAP", "EAP-MSCHAPv2"}})
//	conv := srv.NewConversation()
//	res := srv.Step(ctx, conv, eapMessage) // Access-Challenge while !res.Done
//
// A Conversation that is abandoned before it is done must be closed (Close)
// so that its TLS state is released; one left open releases itself after
// Config.IdleTimeout.
//
// MPPE keys: for EAP-MSCHAPv2 they are the 16-octet MS-CHAPv2 start keys of
// RFC 3079 §3.4 (MS-MPPE-Send-Key from the server "send" magic); for PEAP
// they are the two halves of the 64-octet MSK exported from the TLS master
// secret with the label "client EAP encryption" (RFC 5216 §2.3).
package eap
