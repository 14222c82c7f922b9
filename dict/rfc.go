package dict

// The IETF attributes: RFC 2865 (RADIUS), 2866 (accounting), 2867 and 2868
// (tunnels), 2869 (extensions), 3162 (IPv6), 3576/5176 (dynamic
// authorization), 3580 (IEEE 802.1X), 4372 (Chargeable-User-Identity), 4675
// (VLANs and priority), 4818 (delegated prefix), 6911 (IPv6 access) and
// 7268 (additional attributes). NPS logs an IETF attribute under its own
// number, so each gets IASID = Type.
//
// Notes on secrecy (the Sensitive flag):
//   - User-Password, Tunnel-Password and ARAP-Password carry passwords.
//   - CHAP-Password is an MD5 over the password and the challenge; with the
//     challenge, a captured one allows an offline dictionary attack, so it
//     is redacted.
//   - CHAP-Challenge is random data sent in the clear and proves nothing on
//     its own: not redacted.
//   - EAP-Message is not redacted. It carries the EAP conversation (identity,
//     TLS handshakes, and inside PEAP only ciphertext); the rare inner
//     methods that would expose a secret (EAP-MD5, EAP-GTC in the clear)
//     are a property of the conversation, not of the attribute.
//   - Message-Authenticator is an HMAC-MD5 over the packet: not a secret.
//   - State is an opaque cookie of the server. It is not secret in general,
//     but while a challenge is outstanding it is what binds the next request
//     to the session (the MFA extension keeps its pending state behind it),
//     so radscope displays it and callers that publish captures may choose
//     to hide it; it is not flagged Sensitive.

// Service-Type values (RFC 2865 §5.6, IANA radius-types). NPS's own
// dictionary names 12 "Authorize Only", after a draft of RFC 3576; the RFC
// and IANA give Authorize-Only the number 17 and 12 is Voice, which is what
// is used here.
var serviceTypes = map[uint64]string{
	1: "Login", 2: "Framed", 3: "Callback-Login", 4: "Callback-Framed", 5: "Outbound",
	6: "Administrative", 7: "NAS-Prompt", 8: "Authenticate-Only", 9: "Callback-NAS-Prompt",
	10: "Call-Check", 11: "Callback-Administrative", 12: "Voice", 13: "Fax", 14: "Modem-Relay",
	15: "IAPP-Register", 16: "IAPP-AP-Check", 17: "Authorize-Only", 18: "Framed-Management",
	19: "Additional-Authorization",
}

// NAS-Port-Type values: RFC 2865 §5.41 and the whole IANA registry.
var nasPortTypes = map[uint64]string{
	0: "Async", 1: "Sync", 2: "ISDN", 3: "ISDN-V120", 4: "ISDN-V110", 5: "Virtual", 6: "PIAFS",
	7: "HDLC-Clear-Channel", 8: "X.25", 9: "X.75", 10: "G.3-Fax", 11: "SDSL", 12: "ADSL-CAP",
	13: "ADSL-DMT", 14: "IDSL", 15: "Ethernet", 16: "xDSL", 17: "Cable", 18: "Wireless-Other",
	19: "Wireless-802.11", 20: "Token-Ring", 21: "FDDI", 22: "Wireless-CDMA2000", 23: "Wireless-UMTS",
	24: "Wireless-1X-EV", 25: "IAPP", 26: "FTTP", 27: "Wireless-802.16", 28: "Wireless-802.20",
	29: "Wireless-802.22", 30: "PPPoA", 31: "PPPoEoA", 32: "PPPoEoE", 33: "PPPoEoVLAN",
	34: "PPPoEoQinQ", 35: "xPON", 36: "Wireless-XGP", 37: "WiMAX-Pre-Release-8-IWK",
	38: "WIMAX-WIFI-IWK", 39: "WIMAX-SFF", 40: "WIMAX-HA-LMA", 41: "WIMAX-DHCP", 42: "WIMAX-LBS",
	43: "WIMAX-WVS",
}

// Tunnel-Type values (RFC 2868 §3.1, RFC 3580 for VLAN; 79617 is Microsoft's
// SSTP value as NPS logs it).
var tunnelTypes = map[uint64]string{
	1: "PPTP", 2: "L2F", 3: "L2TP", 4: "ATMP", 5: "VTP", 6: "AH", 7: "IP-IP", 8: "MIN-IP-IP",
	9: "ESP", 10: "GRE", 11: "DVS", 12: "IP-in-IP", 13: "VLAN", 79617: "SSTP",
}

// Tunnel-Medium-Type values (RFC 2868 §3.2, from the IANA address families).
var tunnelMediumTypes = map[uint64]string{
	1: "IPv4", 2: "IPv6", 3: "NSAP", 4: "HDLC", 5: "BBN-1822", 6: "IEEE-802", 7: "E.163",
	8: "E.164", 9: "F.69", 10: "X.121", 11: "IPX", 12: "AppleTalk", 13: "DecNet-IV",
	14: "Banyan-Vines", 15: "E.164-NSAP",
}

// Acct-Terminate-Cause values (RFC 2866 §5.10, RFC 3580 §3.32, IANA).
var terminateCauses = map[uint64]string{
	1: "User-Request", 2: "Lost-Carrier", 3: "Lost-Service", 4: "Idle-Timeout", 5: "Session-Timeout",
	6: "Admin-Reset", 7: "Admin-Reboot", 8: "Port-Error", 9: "NAS-Error", 10: "NAS-Request",
	11: "NAS-Reboot", 12: "Port-Unneeded", 13: "Port-Preempted", 14: "Port-Suspended",
	15: "Service-Unavailable", 16: "Callback", 17: "User-Error", 18: "Host-Request",
	19: "Supplicant-Restart", 20: "Reauthentication-Failure", 21: "Port-Reinitialized",
	22: "Port-Administratively-Disabled", 23: "Lost-Power",
}

// Error-Cause values (RFC 5176 §3.6, which replaced RFC 3576).
var errorCauses = map[uint64]string{
	201: "Residual-Session-Context-Removed", 202: "Invalid-EAP-Packet",
	401: "Unsupported-Attribute", 402: "Missing-Attribute", 403: "NAS-Identification-Mismatch",
	404: "Invalid-Request", 405: "Unsupported-Service", 406: "Unsupported-Extension",
	407: "Invalid-Attribute-Value", 501: "Administratively-Prohibited", 502: "Request-Not-Routable",
	503: "Session-Context-Not-Found", 504: "Session-Context-Not-Removable",
	505: "Other-Proxy-Processing-Error", 506: "Resources-Unavailable", 507: "Request-Initiated",
	508: "Multiple-Session-Selection-Unsupported",
}

// ietfAttributes returns fresh copies of the IETF attribute table.
func ietfAttributes() []*Attribute {
	as := []*Attribute{
		// RFC 2865
		{Name: "User-Name", Type: 1, DataType: TypeString},
		{Name: "User-Password", Type: 2, DataType: TypeString, Encrypt: EncryptPassword, Sensitive: true},
		{Name: "CHAP-Password", Type: 3, DataType: TypeOctets, Sensitive: true},
		{Name: "NAS-IP-Address", Type: 4, DataType: TypeIPAddr},
		{Name: "NAS-Port", Type: 5, DataType: TypeInteger},
		{Name: "Service-Type", Type: 6, DataType: TypeInteger, Values: serviceTypes},
		{Name: "Framed-Protocol", Type: 7, DataType: TypeInteger, Values: map[uint64]string{
			1: "PPP", 2: "SLIP", 3: "ARAP", 4: "Gandalf-SLML", 5: "Xylogics-IPX-SLIP", 6: "X.75-Synchronous",
			7: "GPRS-PDP-Context", 256: "MPP", 257: "EURAW", 258: "EUUI", 259: "X25", 260: "COMB", 261: "FR"}},
		{Name: "Framed-IP-Address", Type: 8, DataType: TypeIPAddr},
		{Name: "Framed-IP-Netmask", Type: 9, DataType: TypeIPAddr},
		{Name: "Framed-Routing", Type: 10, DataType: TypeInteger, Values: map[uint64]string{
			0: "None", 1: "Broadcast", 2: "Listen", 3: "Broadcast-Listen"}},
		{Name: "Filter-Id", Type: 11, DataType: TypeString},
		{Name: "Framed-MTU", Type: 12, DataType: TypeInteger},
		{Name: "Framed-Compression", Type: 13, DataType: TypeInteger, Values: map[uint64]string{
			0: "None", 1: "Van-Jacobson-TCP-IP", 2: "IPX-Header-Compression", 3: "Stac-LZS"}},
		{Name: "Login-IP-Host", Type: 14, DataType: TypeIPAddr},
		{Name: "Login-Service", Type: 15, DataType: TypeInteger, Values: map[uint64]string{
			0: "Telnet", 1: "Rlogin", 2: "TCP-Clear", 3: "PortMaster", 4: "LAT", 5: "X25-PAD",
			6: "X25-T3POS", 8: "TCP-Clear-Quiet"}},
		{Name: "Login-TCP-Port", Type: 16, DataType: TypeInteger},
		{Name: "Reply-Message", Type: 18, DataType: TypeString},
		{Name: "Callback-Number", Type: 19, DataType: TypeString},
		{Name: "Callback-Id", Type: 20, DataType: TypeString},
		{Name: "Framed-Route", Type: 22, DataType: TypeString},
		{Name: "Framed-IPX-Network", Type: 23, DataType: TypeInteger},
		{Name: "State", Type: 24, DataType: TypeOctets},
		// Class is octets in RFC 2865. It is typed string here because NPS
		// logs it as text ("311 1 10.0.0.1 05/16/2014 02:17:48 1307") and many
		// NASes' Class values are text; binary ones still render as 0x-hex.
		{Name: "Class", Type: 25, DataType: TypeString},
		{Name: "Vendor-Specific", Type: 26, DataType: TypeVSA},
		{Name: "Session-Timeout", Type: 27, DataType: TypeInteger},
		{Name: "Idle-Timeout", Type: 28, DataType: TypeInteger},
		{Name: "Termination-Action", Type: 29, DataType: TypeInteger, Values: map[uint64]string{
			0: "Default", 1: "RADIUS-Request"}},
		{Name: "Called-Station-Id", Type: 30, DataType: TypeString},
		{Name: "Calling-Station-Id", Type: 31, DataType: TypeString},
		{Name: "NAS-Identifier", Type: 32, DataType: TypeString},
		{Name: "Proxy-State", Type: 33, DataType: TypeOctets},
		{Name: "Login-LAT-Service", Type: 34, DataType: TypeString},
		{Name: "Login-LAT-Node", Type: 35, DataType: TypeString},
		{Name: "Login-LAT-Group", Type: 36, DataType: TypeOctets},
		{Name: "Framed-AppleTalk-Link", Type: 37, DataType: TypeInteger},
		{Name: "Framed-AppleTalk-Network", Type: 38, DataType: TypeInteger},
		{Name: "Framed-AppleTalk-Zone", Type: 39, DataType: TypeString},
		{Name: "CHAP-Challenge", Type: 60, DataType: TypeOctets},
		{Name: "NAS-Port-Type", Type: 61, DataType: TypeInteger, Values: nasPortTypes},
		{Name: "Port-Limit", Type: 62, DataType: TypeInteger},
		{Name: "Login-LAT-Port", Type: 63, DataType: TypeString},

		// RFC 2866
		{Name: "Acct-Status-Type", Type: 40, DataType: TypeInteger, Values: map[uint64]string{
			1: "Start", 2: "Stop", 3: "Interim-Update", 7: "Accounting-On", 8: "Accounting-Off",
			9: "Tunnel-Start", 10: "Tunnel-Stop", 11: "Tunnel-Reject", 12: "Tunnel-Link-Start",
			13: "Tunnel-Link-Stop", 14: "Tunnel-Link-Reject", 15: "Failed"}},
		{Name: "Acct-Delay-Time", Type: 41, DataType: TypeInteger},
		{Name: "Acct-Input-Octets", Type: 42, DataType: TypeInteger},
		{Name: "Acct-Output-Octets", Type: 43, DataType: TypeInteger},
		{Name: "Acct-Session-Id", Type: 44, DataType: TypeString},
		{Name: "Acct-Authentic", Type: 45, DataType: TypeInteger, Values: map[uint64]string{
			0: "None", 1: "RADIUS", 2: "Local", 3: "Remote", 4: "Diameter"}},
		{Name: "Acct-Session-Time", Type: 46, DataType: TypeInteger},
		{Name: "Acct-Input-Packets", Type: 47, DataType: TypeInteger},
		{Name: "Acct-Output-Packets", Type: 48, DataType: TypeInteger},
		{Name: "Acct-Terminate-Cause", Type: 49, DataType: TypeInteger, Values: terminateCauses},
		{Name: "Acct-Multi-Session-Id", Type: 50, DataType: TypeString},
		{Name: "Acct-Link-Count", Type: 51, DataType: TypeInteger},

		// RFC 2869
		{Name: "Acct-Input-Gigawords", Type: 52, DataType: TypeInteger},
		{Name: "Acct-Output-Gigawords", Type: 53, DataType: TypeInteger},
		{Name: "Event-Timestamp", Type: 55, DataType: TypeDate},
		{Name: "ARAP-Password", Type: 70, DataType: TypeOctets, Sensitive: true},
		{Name: "ARAP-Features", Type: 71, DataType: TypeOctets},
		{Name: "ARAP-Zone-Access", Type: 72, DataType: TypeInteger, Values: map[uint64]string{
			1: "Default-Zone-Only", 2: "Zone-Filter-Inclusive", 4: "Zone-Filter-Exclusive"}},
		{Name: "ARAP-Security", Type: 73, DataType: TypeInteger},
		{Name: "ARAP-Security-Data", Type: 74, DataType: TypeString},
		{Name: "Password-Retry", Type: 75, DataType: TypeInteger},
		{Name: "Prompt", Type: 76, DataType: TypeInteger, Values: map[uint64]string{0: "No-Echo", 1: "Echo"}},
		{Name: "Connect-Info", Type: 77, DataType: TypeString},
		{Name: "Configuration-Token", Type: 78, DataType: TypeString},
		{Name: "EAP-Message", Type: 79, DataType: TypeOctets},
		{Name: "Message-Authenticator", Type: 80, DataType: TypeOctets},
		{Name: "ARAP-Challenge-Response", Type: 84, DataType: TypeOctets},
		{Name: "Acct-Interim-Interval", Type: 85, DataType: TypeInteger},
		{Name: "NAS-Port-Id", Type: 87, DataType: TypeString},
		{Name: "Framed-Pool", Type: 88, DataType: TypeString},

		// RFC 2868 (tagged) and RFC 2867
		{Name: "Tunnel-Type", Type: 64, DataType: TypeInteger, Tagged: true, Values: tunnelTypes},
		{Name: "Tunnel-Medium-Type", Type: 65, DataType: TypeInteger, Tagged: true, Values: tunnelMediumTypes},
		{Name: "Tunnel-Client-Endpoint", Type: 66, DataType: TypeString, Tagged: true},
		{Name: "Tunnel-Server-Endpoint", Type: 67, DataType: TypeString, Tagged: true},
		{Name: "Acct-Tunnel-Connection", Type: 68, DataType: TypeString},
		{Name: "Tunnel-Password", Type: 69, DataType: TypeString, Tagged: true, Encrypt: EncryptTunnel, Sensitive: true},
		{Name: "Tunnel-Private-Group-Id", Type: 81, DataType: TypeString, Tagged: true},
		{Name: "Tunnel-Assignment-Id", Type: 82, DataType: TypeString, Tagged: true},
		{Name: "Tunnel-Preference", Type: 83, DataType: TypeInteger, Tagged: true},
		{Name: "Acct-Tunnel-Packets-Lost", Type: 86, DataType: TypeInteger},
		{Name: "Tunnel-Client-Auth-Id", Type: 90, DataType: TypeString, Tagged: true},
		{Name: "Tunnel-Server-Auth-Id", Type: 91, DataType: TypeString, Tagged: true},

		// RFC 4675
		{Name: "Egress-VLANID", Type: 56, DataType: TypeInteger},
		{Name: "Ingress-Filters", Type: 57, DataType: TypeInteger, Values: map[uint64]string{1: "Enabled", 2: "Disabled"}},
		{Name: "Egress-VLAN-Name", Type: 58, DataType: TypeString},
		{Name: "User-Priority-Table", Type: 59, DataType: TypeOctets},

		// RFC 4372
		{Name: "Chargeable-User-Identity", Type: 89, DataType: TypeString},

		// RFC 3162
		{Name: "NAS-IPv6-Address", Type: 95, DataType: TypeIPv6Addr},
		{Name: "Framed-Interface-Id", Type: 96, DataType: TypeIfID},
		{Name: "Framed-IPv6-Prefix", Type: 97, DataType: TypeIPv6Prefix},
		{Name: "Login-IPv6-Host", Type: 98, DataType: TypeIPv6Addr},
		{Name: "Framed-IPv6-Route", Type: 99, DataType: TypeString},
		{Name: "Framed-IPv6-Pool", Type: 100, DataType: TypeString},

		// RFC 3576 / RFC 5176
		{Name: "Error-Cause", Type: 101, DataType: TypeInteger, Values: errorCauses},

		// RFC 4818
		{Name: "Delegated-IPv6-Prefix", Type: 123, DataType: TypeIPv6Prefix},

		// RFC 6911
		{Name: "Framed-IPv6-Address", Type: 168, DataType: TypeIPv6Addr},
		{Name: "DNS-Server-IPv6-Address", Type: 169, DataType: TypeIPv6Addr},
		{Name: "Route-IPv6-Information", Type: 170, DataType: TypeIPv6Prefix},
		{Name: "Delegated-IPv6-Prefix-Pool", Type: 171, DataType: TypeString},
		{Name: "Stateful-IPv6-Address-Pool", Type: 172, DataType: TypeString},

		// RFC 7268
		{Name: "Allowed-Called-Station-Id", Type: 174, DataType: TypeString},
		{Name: "EAP-Peer-Id", Type: 175, DataType: TypeOctets},
		{Name: "EAP-Server-Id", Type: 176, DataType: TypeOctets},
		{Name: "Mobility-Domain-Id", Type: 177, DataType: TypeInteger},
		{Name: "Preauth-Timeout", Type: 178, DataType: TypeInteger},
		{Name: "Network-Id-Name", Type: 179, DataType: TypeOctets},
		{Name: "EAPoL-Announcement", Type: 180, DataType: TypeOctets},
		{Name: "WLAN-HESSID", Type: 181, DataType: TypeString},
		{Name: "WLAN-Venue-Info", Type: 182, DataType: TypeInteger},
		{Name: "WLAN-Venue-Language", Type: 183, DataType: TypeOctets},
		{Name: "WLAN-Venue-Name", Type: 184, DataType: TypeString},
		{Name: "WLAN-Reason-Code", Type: 185, DataType: TypeInteger},
		{Name: "WLAN-Pairwise-Cipher", Type: 186, DataType: TypeInteger},
		{Name: "WLAN-Group-Cipher", Type: 187, DataType: TypeInteger},
		{Name: "WLAN-AKM-Suite", Type: 188, DataType: TypeInteger},
		{Name: "WLAN-Group-Mgmt-Cipher", Type: 189, DataType: TypeInteger},
		{Name: "WLAN-RF-Band", Type: 190, DataType: TypeInteger},
	}
	for _, a := range as {
		a.IASID = a.Type
	}
	return as
}

// ietfAliases are the other spellings of IETF attributes: the names NPS
// writes in its logs (DTS element names, the IAS-format dictionary, ODBC
// column names) where they differ from the RFC beyond letter case.
var ietfAliases = map[string]string{
	"Tunnel-Client-Endpt":     "Tunnel-Client-Endpoint",
	"Tunnel-Server-Endpt":     "Tunnel-Server-Endpoint",
	"Tunnel-Pvt-Group-ID":     "Tunnel-Private-Group-Id",
	"Acct-Tunnel-Conn":        "Acct-Tunnel-Connection",
	"Acct-Multi-Ssn-ID":       "Acct-Multi-Session-Id",
	"Callback-ID":             "Callback-Id",
	"Tunnel-Private-Group-ID": "Tunnel-Private-Group-Id",
	"Egress-VLAN-ID":          "Egress-VLANID",
	"NAS-Port-ID":             "NAS-Port-Id",
	"Filter-ID":               "Filter-Id",
}
