// Package mfa holds the cloud side of radscope's emulated Azure/Entra MFA
// NPS extension: one Backend interface for what the extension asks Entra
// MFA (who is this user, push or call them and wait, send or check a
// one-time code), a scripted Simulator that answers per user (approve,
// deny, no answer, an Entra response code, after a latency), RFC 6238 TOTP,
// and the Clock every wait runs on (System, Offset, Fake).
//
// The extension's own logic — when MFA runs, the number-matching
// predicate, REQUIRE_USER_MATCH, IP_WHITELIST, the session limit and the
// RADIUS side — lives in package nps.
package mfa

import (
	"context"
	"time"
)

// Method is an MFA method as Entra MFA names the user's default.
type Method string

// The methods.
const (
	MethodPush  Method = "push"  // Microsoft Authenticator notification (Approve/Deny)
	MethodPhone Method = "phone" // phone call
	MethodSMS   Method = "sms"   // one-way text message with a code
	MethodTOTP  Method = "totp"  // Authenticator verification code (TOTP)
	MethodOATH  Method = "oath"  // OATH hardware token (TOTP)
)

// OTP reports whether the method needs the user to type a code, which the
// extension can only collect with an Access-Challenge over PAP.
func (m Method) OTP() bool { return m == MethodSMS || m == MethodTOTP || m == MethodOATH }

// Registration is what Entra ID knows about a user.
type Registration struct {
	Enrolled bool   // registered for MFA
	Default  Method // default method
	HasTOTP  bool   // a TOTP method (Authenticator code or OATH token) is registered
}

// Request is one call from the extension to Entra MFA.
type Request struct {
	CID    string // correlation ID
	User   string // the identity sent to Entra: the UPN or the alternate login ID
	Method Method
	Code   string // the one-time code the user typed (Verify)
}

// Result is Entra MFA's answer, or the extension's failure to get one.
type Result struct {
	// Code is the Entra MFA response code: Success, UserNotFound,
	// InvalidSession, OathCodeIncorrect ...
	Code string
	// Message is the text the extension logs with the code.
	Message string
	// ExtError is set when the extension itself failed (ESTS_TOKEN_ERROR,
	// HTTP_CONNECT_ERROR ...): Message is then the exception text and Code
	// is empty.
	ExtError string
}

// Success is the response code of a passed MFA.
const Success = "Success"

// OK reports whether the result lets the user in.
func (r Result) OK() bool { return r.ExtError == "" && r.Code == Success }

// Backend is Entra MFA as the extension sees it. Every method may block;
// each returns when it has an answer or ctx ends (then with the best
// answer it has, which the caller ignores).
type Backend interface {
	// Lookup finds the user's registration. A result that is not OK
	// (UserNotFound, a back-end failure) ends the attempt.
	Lookup(ctx context.Context, user string) (Registration, Result)
	// Authenticate runs an out-of-band method (push, phone) and waits
	// for the user.
	Authenticate(ctx context.Context, req Request) Result
	// Challenge starts a one-time-code method (sends the SMS).
	Challenge(ctx context.Context, req Request) Result
	// Verify checks the code the user typed.
	Verify(ctx context.Context, req Request) Result
}

// ResponseMessages are the messages the extension logs with each Entra MFA
// response code (Microsoft's NPS extension error reference).
var ResponseMessages = map[string]string{
	"AccessDenied":                                "Caller tenant doesn't have access permissions to do authentication for the user",
	"AuthenticationMethodNotConfigured":           "The specified authentication method was not configured for the user",
	"AuthenticationMethodNotSupported":            "Specified authentication method isn't supported.",
	"BecAccessDenied":                             "MSODS Bec call returned access denied, probably the username isn't defined in the tenant",
	"InvalidFormat":                               "The phone number is in an unrecognizable format",
	"StrongAuthenticationServiceInvalidParameter": "The phone number is in an unrecognizable format",
	"InvalidSession":                              "The specified session is invalid or may have expired",
	"NoDefaultAuthenticationMethodIsConfigured":   "No default authentication method was configured for the user",
	"OathCodePinIncorrect":                        "Wrong code and pin entered.",
	"ProofDataNotFound":                           "Proof data was not configured for the specified authentication method.",
	"SMSAuthFailedWrongCodePinEntered":            "Wrong code and pin entered.",
	"TenantIsBlocked":                             "Tenant is blocked",
	"UserNotFound":                                "MSODS Graph call returned user not found error. GraphError,SAS.Shared.GraphProvider.Exceptions.GraphUserNotFoundException: [Code:Request_ResourceNotFound] [Message:Resource '%s' does not exist or one of its queried reference-property objects are not present.]",
	"OathCodeIncorrect":                           `Wrong code entered\OATH Code Incorrect`,
	"SMSAuthFailedMaxAllowedCodeRetryReached":     "Maximum allowed code retry reached",
	"SMSAuthFailedWrongCodeEntered":               "Wrong code entered/Text Message OTP Incorrect",
	"AuthenticationThrottled":                     "Too many attempts by user in a short period of time. Throttling.",
	"AuthenticationMethodLimitReached":            "Authentication Method Limit Reached. Throttling.",
	// Not in Microsoft's table; the codes the simulator uses for a denied
	// push or call.
	"PhoneAppDenied":  "The user denied the sign-in request in the Microsoft Authenticator app",
	"PhoneCallDenied": "The user denied the sign-in request on the phone call",
}

// ExtErrorMessages are the exception texts the extension logs for its own
// failures. ESTS_TOKEN_ERROR is verbatim from a real event; the others are
// built from Microsoft's descriptions of the codes.
var ExtErrorMessages = map[string]string{
	"ESTS_TOKEN_ERROR":                "Verify the client certificate is properly enrolled in Azure against your tenant and the server can access URL in Registry STS_URL. Error authenticating to eSTS: ErrorCode:: ESTS_TOKEN_ERROR Msg:: Error in retreiving token details from request handle: -895352831 AADSTS7000112: Application '981f26a1-7f43-403b-a875-f8b09b8cd720'(Azure Multi-Factor Auth Client) is disabled.",
	"HTTP_CONNECT_ERROR":              "Unable to connect to https://adnotifications.windowsazure.com or https://login.microsoftonline.com/. Verify the server can reach them.",
	"HTTPS_COMMUNICATION_ERROR":       "The NPS server is unable to receive responses from Azure MFA. Verify that your firewalls are open bidirectionally for traffic to and from https://adnotifications.windowsazure.com and that TLS 1.2 is enabled.",
	"CLIENT_CERT_INSTALL_ERROR":       "There might be a problem with how the client certificate was installed or associated with your tenant.",
	"CONTACT_SUPPORT":                 "Contact support, and mention the list of steps for collecting logs.",
	"REGISTRY_CONFIG_ERROR":           "A key is missing in the registry for the application: HKLM\\SOFTWARE\\Microsoft\\AzureMfa.",
	"USERNAME_CANONICALIZATION_ERROR": "Verify that the user is present in your on-premises Active Directory instance, and that the NPS service has permissions to access the directory.",
}

// Response builds a Result for an Entra MFA response code with its message
// (user fills a %s in the message).
func Response(code, user string) Result {
	msg, ok := ResponseMessages[code]
	if !ok {
		msg = code
	}
	if code == "UserNotFound" {
		msg = sprintfUser(msg, user)
	}
	return Result{Code: code, Message: msg}
}

func sprintfUser(format, user string) string {
	out := make([]byte, 0, len(format)+len(user))
	for i := 0; i < len(format); i++ {
		if format[i] == '%' && i+1 < len(format) && format[i+1] == 's' {
			out = append(out, user...)
			i++
			continue
		}
		out = append(out, format[i])
	}
	return string(out)
}

// ExtFailure builds the Result of an extension failure.
func ExtFailure(code string) Result {
	msg, ok := ExtErrorMessages[code]
	if !ok {
		msg = code
	}
	return Result{ExtError: code, Message: msg}
}

// holdKey is the context key of the hook WithHold sets.
type holdKey struct{}

// WithHold returns a context under which every wait of a back end on its
// clock calls hold(1) once the wait's timer is set and hold(-1) when it
// ends. The emulator counts held requests with it, and replay moves a Fake
// clock only while every request in flight is held: the timer must exist
// before the request counts as held, or the clock could jump past a wait
// that was about to be set.
func WithHold(ctx context.Context, hold func(delta int)) context.Context {
	return context.WithValue(ctx, holdKey{}, hold)
}

// waitEnd waits until ctx ends (the MFA session limit, whose timer the
// caller set), counted as held.
func waitEnd(ctx context.Context) {
	if hold, ok := ctx.Value(holdKey{}).(func(int)); ok {
		hold(1)
		defer hold(-1)
	}
	<-ctx.Done()
}

// sleep waits d on clock c, or until ctx ends; it reports whether the
// full time passed.
func sleep(ctx context.Context, c Clock, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	done := c.After(d)
	if hold, ok := ctx.Value(holdKey{}).(func(int)); ok {
		hold(1)
		defer hold(-1)
	}
	select {
	case <-done:
		return true
	case <-ctx.Done():
		return false
	}
}

// Interface guards.
var (
	_ Backend = (*Simulator)(nil)
	_ Clock   = (*Fake)(nil)
	_ Clock   = systemClock{}
	_ Clock   = offsetClock{}
)
