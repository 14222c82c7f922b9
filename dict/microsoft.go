package dict

// Microsoft's vendor-specific attributes (vendor 311): RFC 2548 (MS-CHAP,
// MPPE, BAP, ARAP), the later NAP/RNAP ones documented in [MS-RNAP], and the
// RAS attributes NPS logs with negative IAS IDs. Where NPS logs the datum,
// IASID is the number it logs it under, so the wire attribute and the log
// attribute are one *Attribute.
//
// Secrecy: MS-CHAP-Response, MS-CHAP2-Response (the password-derived
// responses, open to offline cracking), MS-CHAP-LM-Enc-PW, MS-CHAP-NT-Enc-PW,
// MS-CHAP-CPW-1/-2, MS-CHAP2-CPW (encrypted new passwords), MS-CHAP-MPPE-Keys,
// MS-MPPE-Send-Key and MS-MPPE-Recv-Key (session keys) and the ARAP passwords
// are Sensitive. MS-CHAP-Challenge is random data sent in the clear and is
// not; MS-CHAP2-Success (the authenticator response) is not either.

// VendorMicrosoft is Microsoft's SMI private enterprise number.
const VendorMicrosoft = 311

// msAcctAuthTypes is MS-Acct-Auth-Type (RFC 2548 §2.2.3).
var msAcctAuthTypes = map[uint64]string{1: "PAP", 2: "CHAP", 3: "MS-CHAP-1", 4: "MS-CHAP-2", 5: "EAP"}

// msAcctEAPTypes is MS-Acct-EAP-Type: the EAP method numbers (RFC 2548
// §2.2.4 lists 4, 5, 6 and 13; 25 and 26 are the IANA numbers of PEAP and
// EAP-MSCHAPv2, which NPS reports for its own methods).
var msAcctEAPTypes = map[uint64]string{
	4: "MD5", 5: "OTP", 6: "Generic-Token-Card", 13: "TLS", 21: "TTLS", 25: "PEAP", 26: "MS-CHAP-V2",
}

func microsoftAttributes() []*Attribute {
	as := []*Attribute{
		{Name: "MS-CHAP-Response", Type: 1, IASID: 4119, DataType: TypeOctets, Sensitive: true},
		{Name: "MS-CHAP-Error", Type: 2, IASID: 4121, DataType: TypeString},
		{Name: "MS-CHAP-CPW-1", Type: 3, IASID: 4122, DataType: TypeOctets, Sensitive: true},
		{Name: "MS-CHAP-CPW-2", Type: 4, IASID: 4123, DataType: TypeOctets, Sensitive: true},
		{Name: "MS-CHAP-LM-Enc-PW", Type: 5, IASID: 4124, DataType: TypeOctets, Sensitive: true},
		{Name: "MS-CHAP-NT-Enc-PW", Type: 6, IASID: 4125, DataType: TypeOctets, Sensitive: true},
		{Name: "MS-MPPE-Encryption-Policy", Type: 7, IASID: -89, DataType: TypeInteger, Values: map[uint64]string{
			1: "Encryption-Allowed", 2: "Encryption-Required"}},
		{Name: "MS-MPPE-Encryption-Types", Type: 8, IASID: -90, DataType: TypeInteger, Values: map[uint64]string{
			2: "RC4-40bit-Allowed", 4: "RC4-128bit-Allowed", 6: "RC4-40or128-bit-Allowed"}},
		{Name: "MS-RAS-Vendor", Type: 9, IASID: 4147, DataType: TypeInteger, Values: clientVendors},
		{Name: "MS-CHAP-Domain", Type: 10, IASID: 4120, DataType: TypeString},
		{Name: "MS-CHAP-Challenge", Type: 11, IASID: 4118, DataType: TypeOctets},
		{Name: "MS-CHAP-MPPE-Keys", Type: 12, IASID: 4126, DataType: TypeOctets, Encrypt: EncryptPassword, Sensitive: true},
		{Name: "MS-BAP-Usage", Type: 13, IASID: -88, DataType: TypeInteger, Values: map[uint64]string{
			0: "Not-Allowed", 1: "Allowed", 2: "Required"}},
		{Name: "MS-Link-Utilization-Threshold", Type: 14, IASID: -86, DataType: TypeInteger},
		{Name: "MS-Link-Drop-Time-Limit", Type: 15, IASID: -87, DataType: TypeInteger},
		{Name: "MS-MPPE-Send-Key", Type: 16, IASID: 4140, DataType: TypeOctets, Encrypt: EncryptMPPE, Sensitive: true},
		{Name: "MS-MPPE-Recv-Key", Type: 17, IASID: 4141, DataType: TypeOctets, Encrypt: EncryptMPPE, Sensitive: true},
		{Name: "MS-RAS-Version", Type: 18, IASID: 4148, DataType: TypeString},
		{Name: "MS-Old-ARAP-Password", Type: 19, DataType: TypeOctets, Sensitive: true},
		{Name: "MS-New-ARAP-Password", Type: 20, DataType: TypeOctets, Sensitive: true},
		{Name: "MS-ARAP-PW-Change-Reason", Type: 21, DataType: TypeInteger, Values: map[uint64]string{
			1: "Just-Change-Password", 2: "Expired-Password", 3: "Admin-Requires-Password-Change",
			4: "Password-Too-Short"}},
		{Name: "MS-Filter", Type: 22, IASID: 4143, DataType: TypeOctets},
		{Name: "MS-Acct-Auth-Type", Type: 23, IASID: 4134, DataType: TypeInteger, Values: msAcctAuthTypes},
		{Name: "MS-Acct-EAP-Type", Type: 24, IASID: 4135, DataType: TypeInteger, Values: msAcctEAPTypes},
		{Name: "MS-CHAP2-Response", Type: 25, IASID: 4144, DataType: TypeOctets, Sensitive: true},
		{Name: "MS-CHAP2-Success", Type: 26, IASID: 4145, DataType: TypeOctets},
		{Name: "MS-CHAP2-CPW", Type: 27, IASID: 4146, DataType: TypeOctets, Sensitive: true},
		{Name: "MS-Primary-DNS-Server", Type: 28, IASID: 4150, DataType: TypeIPAddr},
		{Name: "MS-Secondary-DNS-Server", Type: 29, IASID: 4151, DataType: TypeIPAddr},
		{Name: "MS-Primary-NBNS-Server", Type: 30, IASID: 4152, DataType: TypeIPAddr},
		{Name: "MS-Secondary-NBNS-Server", Type: 31, IASID: 4153, DataType: TypeIPAddr},
		{Name: "MS-ARAP-Challenge", Type: 33, DataType: TypeOctets},
		{Name: "MS-RAS-Client-Name", Type: 34, IASID: 4159, DataType: TypeString},
		{Name: "MS-RAS-Client-Version", Type: 35, IASID: 4160, DataType: TypeString},
		{Name: "MS-Quarantine-IPFilter", Type: 36, IASID: 4165, DataType: TypeOctets},
		{Name: "MS-Quarantine-Session-Timeout", Type: 37, IASID: 4166, DataType: TypeInteger},
		{Name: "MS-User-Security-Identity", Type: 40, IASID: 4167, DataType: TypeString},
		{Name: "MS-Identity-Type", Type: 41, IASID: 8108, DataType: TypeInteger, Values: map[uint64]string{
			1: "Machine-Health-Check"}},
		{Name: "MS-Service-Class", Type: 42, IASID: 8109, DataType: TypeString},
		{Name: "MS-Quarantine-User-Class", Type: 44, IASID: 8110, DataType: TypeString},
		{Name: "MS-Quarantine-State", Type: 45, IASID: 8111, DataType: TypeInteger, Values: map[uint64]string{
			0: "Full-Access", 1: "Quarantine", 2: "Probation"}},
		{Name: "MS-Quarantine-Grace-Time", Type: 46, IASID: 8120, DataType: TypeInteger},
		{Name: "MS-Network-Access-Server-Type", Type: 47, IASID: 8132, DataType: TypeInteger, Values: map[uint64]string{
			0: "Unspecified", 1: "Terminal-Server-Gateway", 2: "Remote-Access-Server", 3: "DHCP-Server",
			5: "Health-Registration-Authority", 6: "HCAP-Server"}},
		{Name: "MS-AFW-Zone", Type: 48, IASID: 8134, DataType: TypeInteger},
		{Name: "MS-AFW-Protection-Level", Type: 49, IASID: 8135, DataType: TypeInteger},
		{Name: "MS-Machine-Name", Type: 50, IASID: 8138, DataType: TypeString},
		{Name: "MS-IPv6-Filter", Type: 51, IASID: 8144, DataType: TypeOctets},
		{Name: "MS-IPv4-Remediation-Servers", Type: 52, IASID: 8145, DataType: TypeOctets},
		{Name: "MS-IPv6-Remediation-Servers", Type: 53, IASID: 8146, DataType: TypeOctets},
		{Name: "MS-RNAP-Not-Quarantine-Capable", Type: 54, IASID: 8123, DataType: TypeInteger},
		{Name: "MS-Quarantine-SoH", Type: 55, IASID: 8150, DataType: TypeOctets},
		{Name: "MS-RAS-Correlation-ID", Type: 56, IASID: 8158, DataType: TypeOctets},
		{Name: "MS-Extended-Quarantine-State", Type: 57, IASID: 8153, DataType: TypeInteger, Values: map[uint64]string{
			0: "No-Data", 1: "Transition", 2: "Infected", 3: "Unknown"}},
		{Name: "MS-HCAP-User-Groups", Type: 58, IASID: 8155, DataType: TypeString},
		{Name: "MS-HCAP-Location-Group-Name", Type: 59, IASID: 8152, DataType: TypeString},
		{Name: "MS-HCAP-User-Name", Type: 60, IASID: 8159, DataType: TypeString},
		{Name: "MS-User-IPv4-Address", Type: 61, IASID: 8164, DataType: TypeIPAddr},
		{Name: "MS-User-IPv6-Address", Type: 62, IASID: 8165, DataType: TypeIPv6Addr},
		{Name: "MS-TSG-Device-Redirection", Type: 63, IASID: 8166, DataType: TypeInteger},
	}
	for _, a := range as {
		a.Vendor = VendorMicrosoft
	}
	return as
}

// microsoftAliases maps the names NPS logs (IAS-format dictionary, DTS
// elements) and FreeRADIUS' spellings to the names above.
var microsoftAliases = map[string]string{
	"MS-RAS-Correlation":        "MS-RAS-Correlation-ID",
	"MS-Quarantine-SOH":         "MS-Quarantine-SoH",
	"Not-Quarantine-Capable":    "MS-RNAP-Not-Quarantine-Capable",
	"HCAP-User-Groups":          "MS-HCAP-User-Groups",
	"HCAP-Location-Group-Name":  "MS-HCAP-Location-Group-Name",
	"HCAP-User-Name":            "MS-HCAP-User-Name",
	"User-IPv4-Address":         "MS-User-IPv4-Address",
	"User-IPv6-Address":         "MS-User-IPv6-Address",
	"TSG-Device-Redirection":    "MS-TSG-Device-Redirection",
	"MS-RDG-Device-Redirection": "MS-TSG-Device-Redirection",
	"MS-MPPE-Encryption-Type":   "MS-MPPE-Encryption-Types",
}
