// Package nps is radscope's emulation of a Microsoft Network Policy Server
// with the Azure/Entra MFA NPS extension: a real RADIUS server (UDP,
// IPv4 and IPv6) configured by a scenario file, and the embedded target of
// replay through Handle.
//
// A request goes through the steps NPS takes, each failure with its NPS
// reason code:
//
//  1. The RADIUS client is looked up by source address (unknown clients
//     are dropped and logged as System event 13). Message-Authenticator is
//     verified when present and required when the client is configured so,
//     for EAP and for Status-Server; a bad or missing one drops the request
//     (event 18). Accounting-Requests must carry a valid authenticator.
//  2. Duplicates (RFC 5080: source address and port, identifier and
//     Request Authenticator) are dropped while the first copy is being
//     processed and answered from the cache afterwards — except after a
//     successful MFA, when the extension discards them for its duplicate
//     window (10 s).
//  3. Connection request policies in order (none matches: 49).
//  4. The user is resolved from User-Name (DOMAIN\sam, sam@upn-suffix or
//     sam; 7 no such domain, 8 no such user) and authenticated with the
//     method the request uses — PAP, CHAP, MS-CHAP, MS-CHAPv2, EAP
//     (EAP-MSCHAPv2, PEAP) through package nps/eap, or none — then the
//     account is checked: 36 locked out, 16 bad credentials, 34 disabled,
//     35 expired, 37 logon hours, 33 password must change, 19 CHAP without
//     a clear-text password. MS-CHAP and MS-CHAPv2 rejects carry the
//     matching MS-CHAP-Error (E=691, 646, 647, 648, 649 with R=0 C=… V=3).
//  5. Network policies in order (none matches: 48), then constraints (66
//     method not allowed, 68 day and time, 69 called station, 70 port type)
//     and the access permission with the user's dial-in setting (65).
//  6. If NPS would accept and the MFA extension is installed, the
//     extension runs exactly as Microsoft documents it: see ext.go and
//     docs/scenario.md. Its rejects are logged with reason 21 and
//     Authentication-Type Extension.
//
// Every response carries a Message-Authenticator (first, as the
// Blast-RADIUS mitigation asks) and a correct Response Authenticator,
// computed by package secret. Each request and response is handed to a
// Logger as a model.Message record (for the IAS/ODBC/DTS writers of
// nps/npslog) and, for Access-Requests, as Security 6272/6273 and AzureMfa
// events; each decision step is traced on an slog.Logger at debug level.
package nps
