package explain

import "github.com/radscope/radscope/model"

// mfaCode is one error or response code of the NPS extension for
// Microsoft Entra MFA (reference mfa-extension-and-events.md §2).
type mfaCode struct {
	Code     string
	Severity model.Severity
	Message  string // Microsoft's message, where it published one
	Cause    string
	Remedy   string
}

// mfaCodes: extension error codes (§2.1, §2.2), Entra MFA response codes
// (§2.3), codes that are not errors (§2.4) and those that need Microsoft
// support (§2.5).
var mfaCodes = []mfaCode{
	// §2.1 extension errors
	{"CONTACT_SUPPORT", model.SeverityError, "",
		"The extension hit an error it has no specific code for.",
		"Collect the logs with Microsoft's MFA_NPS_Troubleshooter.ps1 (option 4) and open a case with the tenant ID and the user's UPN."},
	{"CLIENT_CERT_INSTALL_ERROR", model.SeverityError, "",
		"The extension's client certificate is missing or not associated with the tenant.",
		"Re-run AzureMfaNpsExtnConfigSetup.ps1, check the certificate in LocalMachine\\My (not expired, NETWORK SERVICE can read its key) and restart NPS."},
	{"ESTS_TOKEN_ERROR", model.SeverityError, "",
		"The extension could not get a token from Entra ID: its client certificate is expired, not enrolled for the tenant, or login.microsoftonline.com is unreachable.",
		"Restart NPS, check that the certificate is installed and associated with service principal 981f26a1-7f43-403b-a875-f8b09b8cd720 (enabled), and that the server reaches the STS_URL in the registry."},
	{"HTTPS_COMMUNICATION_ERROR", model.SeverityError, "",
		"The NPS server cannot receive responses from Entra MFA.",
		"Open outbound TCP 443 to adnotifications.windowsazure.com and login.microsoftonline.com both ways and make sure TLS 1.2 is enabled (SChannel event 36871 means it is not)."},
	{"HTTP_CONNECT_ERROR", model.SeverityError, "",
		"The NPS server cannot connect to https://adnotifications.windowsazure.com or https://login.microsoftonline.com.",
		"Allow outbound HTTPS from the NPS server to the MFA endpoints (proxy, firewall, DNS) and retry."},
	{"REGISTRY_CONFIG_ERROR", model.SeverityWarning, "",
		"A key is missing under HKLM\\SOFTWARE\\Microsoft\\AzureMfa (the message names it); for an absent optional IP_WHITELIST it is harmless.",
		"Re-run the configuration script, or create the named value (an empty IP_WHITELIST silences the start-up error)."},
	{"REQUEST_FORMAT_ERROR", model.SeverityError, "Radius Request missing mandatory Radius userName\\Identifier attribute.Verify that NPS is receiving RADIUS requests",
		"The request had no User-Name, typically because the extension sits on an NPS that only serves RD Gateway or RRAS locally.",
		"Install the extension on an NPS server that receives RADIUS requests, and make the NAS send User-Name."},
	{"REQUEST_MISSING_CODE", model.SeverityError, "",
		"The user's MFA method needs a one-time code, which the extension can only ask for over PAP; the NAS used MS-CHAPv2 or EAP.",
		"Switch the NAS to PAP towards this NPS, or set OVERRIDE_NUMBER_MATCHING_WITH_OTP=FALSE, or have the user make push or phone call the default method."},
	{"USERNAME_CANONICALIZATION_ERROR", model.SeverityError, "",
		"The user is not in on-premises AD, or NPS lacks the directory permissions to resolve the name.",
		"Check that the account exists on-premises and that the NPS server is registered in AD; across forest trusts, open a support case."},
	// §2.2
	{"ALTERNATE_LOGIN_ID_ERROR", model.SeverityError, "",
		"The alternate login ID lookup failed: the user is missing in AD, LDAP_ALTERNATE_LOGINID_ATTRIBUTE names a wrong or empty attribute, or LDAP_LOOKUP_FORESTS is not ;-separated.",
		"Fix LDAP_ALTERNATE_LOGINID_ATTRIBUTE (and the global catalog settings) or fill the attribute on the user."},
	{"IP_WHITE_LIST_WARNING", model.SeverityWarning, "",
		"IP_WHITELIST is ignored for this request because it carries no NAS-IP-Address.",
		"Make the NAS send NAS-IP-Address, or do not rely on IP_WHITELIST for it."},
	// §2.3 response codes
	{"AccessDenied", model.SeverityError, "Caller tenant doesn't have access permissions to do authentication for the user",
		"The user's UPN domain belongs to another tenant than the one the extension is registered with.",
		"Make the user's UPN suffix a verified domain of the extension's tenant, or use LDAP_ALTERNATE_LOGINID_ATTRIBUTE."},
	{"AuthenticationMethodNotConfigured", model.SeverityError, "The specified authentication method was not configured for the user",
		"The user has not registered the MFA method that was asked for.",
		"Have the user register methods at https://aka.ms/mfasetup."},
	{"AuthenticationMethodNotSupported", model.SeverityError, "Specified authentication method isn't supported.",
		"The user's default method is one the extension cannot use.",
		"Change the user's default method to push, phone call or a code, and contact support if it persists."},
	{"BecAccessDenied", model.SeverityError, "MSODS Bec call returned access denied, probably the username isn't defined in the tenant",
		"The user is not defined in the tenant (not synced, or a different UPN).",
		"Sync the user to Entra ID with the UPN the extension sends."},
	{"InvalidFormat", model.SeverityError, "The phone number is in an unrecognizable format",
		"The user's phone number cannot be parsed.",
		"Fix the phone number in the user's authentication methods."},
	{"StrongAuthenticationServiceInvalidParameter", model.SeverityError, "The phone number is in an unrecognizable format",
		"The user's phone number cannot be parsed.",
		"Fix the phone number in the user's authentication methods."},
	{"InvalidSession", model.SeverityError, "The specified session is invalid or may have expired",
		"The MFA session lasted more than 3 minutes: the user answered too late, or the request was delayed.",
		"Have the user answer promptly; check the latency between NPS and Entra ID."},
	{"NoDefaultAuthenticationMethodIsConfigured", model.SeverityError, "No default authentication method was configured for the user",
		"The user has no default MFA method.",
		"Have the user set a default method at https://aka.ms/mfasetup."},
	{"OathCodePinIncorrect", model.SeverityError, "Wrong code and pin entered.",
		"A code and PIN combination was wrong; not expected with the extension.",
		"Retry; if it repeats, open a support case."},
	{"ProofDataNotFound", model.SeverityError, "Proof data was not configured for the specified authentication method.",
		"The method's proof data (phone, app registration) is missing.",
		"Have the user register the method again."},
	{"SMSAuthFailedWrongCodePinEntered", model.SeverityError, "Wrong code and pin entered. (OneWaySMS)",
		"A code and PIN combination sent by SMS was wrong; not expected with the extension.",
		"Retry; if it repeats, open a support case."},
	{"TenantIsBlocked", model.SeverityError, "Tenant is blocked",
		"The tenant is blocked for MFA.",
		"Contact Microsoft support with the tenant ID."},
	{"UserNotFound", model.SeverityError, "The specified user was not found",
		"Entra ID has no user with the name the extension sent (not synced, or a different UPN), or the tenant, service principal or certificate is not set up.",
		"Check that the user is synced and that the on-premises UPN matches the Entra ID UPN (or set LDAP_ALTERNATE_LOGINID_ATTRIBUTE); check the extension's tenant registration."},
	// §2.4 not errors
	{"OathCodeIncorrect", model.SeverityInfo, "Wrong code entered\\OATH Code Incorrect",
		"The user typed a wrong verification code.",
		"Nothing to change unless it repeats; the user retries with a fresh code."},
	{"SMSAuthFailedMaxAllowedCodeRetryReached", model.SeverityWarning, "Maximum allowed code retry reached",
		"The user entered too many wrong SMS codes.",
		"An administrator may need to unblock the user."},
	{"SMSAuthFailedWrongCodeEntered", model.SeverityInfo, "Wrong code entered/Text Message OTP Incorrect",
		"The user typed a wrong SMS code.",
		"Nothing to change unless it repeats."},
	{"AuthenticationThrottled", model.SeverityWarning, "Too many attempts by user in a short period of time. Throttling.",
		"Entra MFA throttled the user after many attempts in a short time (retransmit storms can cause this).",
		"Wait, and raise the NAS timeout so one sign-in does not turn into many MFA requests."},
	{"AuthenticationMethodLimitReached", model.SeverityWarning, "Authentication Method Limit Reached. Throttling.",
		"Too many voice or SMS requests for the user.",
		"Wait, or move the user to the Authenticator app."},
	// §2.5 support
	{"InvalidParameter", model.SeverityError, "",
		"Entra MFA rejected a parameter of the request (null request, bad tenant ID, empty UPN or session ID, unknown proof data).",
		"Open a support case with the tenant ID and the message text."},
	{"InternalError", model.SeverityError, "",
		"Entra MFA reported an internal error.",
		"Retry; if it persists, open a support case."},
	{"VersionNotSupported", model.SeverityError, "",
		"The extension's version is not supported any more.",
		"Update the NPS extension to the current version."},
	{"MFAPinNotSetup", model.SeverityError, "",
		"The user has no MFA PIN set up.",
		"Open a support case; PIN mode is not expected with the extension."},
}
