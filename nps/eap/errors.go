package eap

import (
	"errors"
	"strconv"
)

// Errors carried (wrapped) in Result.Err. Test with errors.Is.
var (
	// ErrNoSuchUser: the directory does not know the user. An NTHash
	// function reports an unknown user by returning an error that wraps it.
	ErrNoSuchUser = errors.New("eap: no such user")
	// ErrBadPassword: the MS-CHAPv2 response does not match the user's
	// NT hash.
	ErrBadPassword = errors.New("eap: wrong password")
	// ErrMethodNotAllowed: the peer refused every allowed method (Legacy
	// Nak) or asked for one that is not allowed.
	ErrMethodNotAllowed = errors.New("eap: no allowed EAP method acceptable to the peer")
	// ErrProtocol: the peer sent something the method does not allow at
	// this point (bad framing, wrong identifier, bad TLS, ...).
	ErrProtocol = errors.New("eap: protocol error")
	// ErrDone: Step was called on a conversation that has already ended.
	ErrDone = errors.New("eap: conversation already ended")
	// ErrIdle: the conversation was released after Config.IdleTimeout
	// without a message, or closed.
	ErrIdle = errors.New("eap: conversation closed")
)

// FailureCode lets an NTHash function choose the MS-CHAP error code sent to
// the peer (RFC 2759 §6: 646 restricted logon hours, 647 account disabled,
// 648 password expired, 649 no dial-in permission, 691 authentication
// failure). Return it (or wrap it) from NTHash:
//
//	return [16]byte{}, &eap.FailureCode{Code: 647, Err: errDisabled}
//
// Without one, every failure is reported as 691.
type FailureCode struct {
	Code int
	Err  error
}

func (e *FailureCode) Error() string {
	if e.Err == nil {
		return "eap: MS-CHAP error " + strconv.Itoa(e.Code)
	}
	return "eap: MS-CHAP error " + strconv.Itoa(e.Code) + ": " + e.Err.Error()
}

func (e *FailureCode) Unwrap() error { return e.Err }
