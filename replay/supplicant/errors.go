package supplicant

import "errors"

// Errors the conversation ends with; callers branch on them.
var (
	// ErrServerNotAuthenticated: the server did not prove it knows the
	// password (a wrong or missing MS-CHAPv2 authenticator response, or
	// EAP-Success before the method finished).
	ErrServerNotAuthenticated = errors.New("supplicant: the server did not prove it knows the password (MS-CHAPv2 authenticator response)")
	// ErrUntrusted: the peer does not trust the PEAP server certificate.
	ErrUntrusted = errors.New("supplicant: the server certificate is not trusted")
	// ErrMethod: the server insists on a method the peer does not run.
	ErrMethod = errors.New("supplicant: EAP method not supported")
	// ErrProtocol: the server sent something the protocol does not allow.
	ErrProtocol = errors.New("supplicant: EAP protocol error")
)
