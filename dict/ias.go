package dict

// NPS-internal ("IAS") attributes: the numbers 4096 and up that NPS keeps
// for its own data (client, policy, provider, result) and the negative RAS
// numbers, as sdoias.h defines them and the IAS-format logs carry them. The
// names are the ones NPS writes (IAS-format dictionary and DTS element
// names), Microsoft's misspelling "Fully-Qualifed-User-Name" included; the
// other spellings are aliases.

// Packet-Type (4136) values: RADIUS codes as NPS logs them.
var packetTypes = map[uint64]string{
	1: "Access-Request", 2: "Access-Accept", 3: "Access-Reject", 4: "Accounting-Request",
	5: "Accounting-Response", 11: "Access-Challenge", 12: "Status-Server", 13: "Status-Client",
	40: "Disconnect-Request", 41: "Disconnect-ACK", 42: "Disconnect-NAK", 43: "CoA-Request",
	44: "CoA-ACK", 45: "CoA-NAK", 255: "Reserved",
}

// authenticationTypes is the AUTHENTICATION_TYPE enumeration of sdoias.h,
// used by Authentication-Type (4127) and NP-Authentication-Type (4105), with
// the display names NPS's tools use. 8 "Extension" is what an extension DLL
// such as the Entra MFA NPS extension reports.
var authenticationTypes = map[uint64]string{
	0: "Invalid", 1: "PAP", 2: "CHAP", 3: "MS-CHAP v1", 4: "MS-CHAP v2", 5: "EAP", 6: "ARAP",
	7: "Unauthenticated", 8: "Extension", 9: "MS-CHAP v1 CPW", 10: "MS-CHAP v2 CPW", 11: "PEAP",
}

// providerTypes is Provider-Type (4155), Auth-Provider-Type (4133) and
// Acct-Provider-Type (4138): who authenticated the request.
var providerTypes = map[uint64]string{0: "None", 1: "Windows", 2: "RADIUS Proxy"}

// rejectReasonCodes is RADIUS_REJECT_REASON_CODE of authif.h, the reason an
// extension DLL gives when it rejects (Reject-Reason-Code, 8103).
var rejectReasonCodes = map[uint64]string{
	0: "Undefined", 1: "Account-Unknown", 2: "Account-Disabled", 3: "Account-Expired",
	4: "Authentication-Failure",
}

func iasAttributes() []*Attribute {
	return []*Attribute{
		{Name: "EAP-Protocol", IASID: -91, DataType: TypeString},
		{Name: "Allowed-Port-Type", IASID: -85, DataType: TypeInteger, Values: nasPortTypes},

		{Name: "Saved-Radius-Framed-IP-Address", IASID: 4096, DataType: TypeIPAddr},
		{Name: "Saved-Radius-Callback-Number", IASID: 4097, DataType: TypeString},
		{Name: "NP-Calling-Station-ID", IASID: 4098, DataType: TypeString},
		{Name: "Saved-NP-Calling-Station-Id", IASID: 4099, DataType: TypeString},
		{Name: "Saved-Radius-Framed-Route", IASID: 4100, DataType: TypeString},
		{Name: "Ignore-User-Dialin-Properties", IASID: 4101, DataType: TypeBool},
		{Name: "Day-And-Time-Restrictions", IASID: 4102, DataType: TypeString},
		{Name: "NP-Called-Station-ID", IASID: 4103, DataType: TypeString},
		{Name: "NP-Allowed-Port-Types", IASID: 4104, DataType: TypeInteger, Values: nasPortTypes},
		{Name: "NP-Authentication-Type", IASID: 4105, DataType: TypeInteger, Values: authenticationTypes},
		{Name: "NP-Allowed-EAP-Type", IASID: 4106, DataType: TypeInteger, Values: msAcctEAPTypes},
		{Name: "Shared-Secret", IASID: 4107, DataType: TypeString, Sensitive: true},
		{Name: "Client-IP-Address", IASID: 4108, DataType: TypeIPAddr},
		{Name: "Client-Packet-Header", IASID: 4109, DataType: TypeOctets},
		{Name: "Token-Groups", IASID: 4110, DataType: TypeOctets},
		{Name: "NP-Allow-Dial-in", IASID: 4111, DataType: TypeBool},
		{Name: "Request-ID", IASID: 4112, DataType: TypeInteger},
		{Name: "Manipulation-Target", IASID: 4113, DataType: TypeInteger, Values: map[uint64]string{
			1: "User-Name", 30: "Called-Station-Id", 31: "Calling-Station-Id"}},
		{Name: "Manipulation-Rule", IASID: 4114, DataType: TypeString},
		{Name: "Original-User-Name", IASID: 4115, DataType: TypeString},
		{Name: "Client-Vendor", IASID: 4116, DataType: TypeInteger, Values: clientVendors},
		{Name: "Client-UDP-Port", IASID: 4117, DataType: TypeInteger},
		{Name: "Authentication-Type", IASID: 4127, DataType: TypeInteger, Values: authenticationTypes},
		{Name: "Client-Friendly-Name", IASID: 4128, DataType: TypeString},
		{Name: "SAM-Account-Name", IASID: 4129, DataType: TypeString},
		{Name: "Fully-Qualifed-User-Name", IASID: 4130, DataType: TypeString},
		{Name: "Windows-Groups", IASID: 4131, DataType: TypeString},
		{Name: "EAP-Friendly-Name", IASID: 4132, DataType: TypeString},
		{Name: "Auth-Provider-Type", IASID: 4133, DataType: TypeInteger, Values: providerTypes},
		{Name: "Packet-Type", IASID: 4136, DataType: TypeInteger, Values: packetTypes},
		{Name: "Auth-Provider-Name", IASID: 4137, DataType: TypeString},
		{Name: "Acct-Provider-Type", IASID: 4138, DataType: TypeInteger, Values: providerTypes},
		{Name: "Acct-Provider-Name", IASID: 4139, DataType: TypeString},
		{Name: "Reason-Code", IASID: 4142, DataType: TypeInteger, Values: reasonShortNames()},
		{Name: "NP-Policy-Name", IASID: 4149, DataType: TypeString},
		{Name: "Proxy-Policy-Name", IASID: 4154, DataType: TypeString},
		{Name: "Provider-Type", IASID: 4155, DataType: TypeInteger, Values: providerTypes},
		{Name: "Provider-Name", IASID: 4156, DataType: TypeString},
		{Name: "Remote-Server-Address", IASID: 4157, DataType: TypeIPAddr},
		{Name: "Generate-Class-Attribute", IASID: 4158, DataType: TypeBool},
		{Name: "Allowed-Certificate-OID", IASID: 4161, DataType: TypeString},
		{Name: "Extension-State", IASID: 4162, DataType: TypeOctets},
		{Name: "Generate-Session-Timeout", IASID: 4163, DataType: TypeBool},
		{Name: "MS-Session-Timeout", IASID: 4164, DataType: TypeInteger},
		{Name: "Remote-RADIUS-to-Windows-User-Mapping", IASID: 4168, DataType: TypeBool},
		{Name: "Passport-User-Mapping-UPN-Suffix", IASID: 4169, DataType: TypeString},
		{Name: "Tunnel-Tag", IASID: 4170, DataType: TypeInteger},
		{Name: "NP-PEAPUpfront-Enabled", IASID: 4171, DataType: TypeBool},

		{Name: "ARAP-Guest-Logon", IASID: 8096, DataType: TypeBool},
		{Name: "Certificate-EKU", IASID: 8097, DataType: TypeString},
		{Name: "EAP-Configuration", IASID: 8098, DataType: TypeOctets},
		{Name: "MS-PEAP-Embedded-EAP-TypeId", IASID: 8099, DataType: TypeInteger, Values: msAcctEAPTypes},
		{Name: "MS-PEAP-Fast-Roamed-Session", IASID: 8100, DataType: TypeBool},
		{Name: "IAS-EAP-TypeId", IASID: 8101, DataType: TypeInteger, Values: msAcctEAPTypes},
		{Name: "MS-EAP-TLV", IASID: 8102, DataType: TypeOctets},
		{Name: "Reject-Reason-Code", IASID: 8103, DataType: TypeInteger, Values: rejectReasonCodes},
		{Name: "Proxy-EAP-Configuration", IASID: 8104, DataType: TypeOctets},
		{Name: "Session", IASID: 8105, DataType: TypeOctets},
		{Name: "Is-Replay", IASID: 8106, DataType: TypeBool},
		{Name: "Clear-Text-Password", IASID: 8107, DataType: TypeString, Sensitive: true},
		{Name: "Override-RAP-Auth", IASID: 8112, DataType: TypeBool},
		{Name: "Windows-Machine-Groups", IASID: 8116, DataType: TypeString},
		{Name: "Windows-User-Groups", IASID: 8117, DataType: TypeString},
		{Name: "Quarantine-URL", IASID: 8121, DataType: TypeString},
		{Name: "System-Health-Result", IASID: 8124, DataType: TypeOctets},
		{Name: "System-Health-Validators", IASID: 8125, DataType: TypeOctets},
		{Name: "Fully-Qualified-Machine-Name", IASID: 8129, DataType: TypeString},
		{Name: "Quarantine-Fixup-Servers-Configuration", IASID: 8130, DataType: TypeOctets},
		{Name: "Quarantine-Session-Id", IASID: 8133, DataType: TypeString},
		{Name: "Quarantine-Update-Non-Compliant", IASID: 8136, DataType: TypeBool},
		{Name: "Client-IPv6-Address", IASID: 8139, DataType: TypeIPv6Addr},
		{Name: "Saved-Radius-Framed-Interface-Id", IASID: 8140, DataType: TypeIfID},
		{Name: "Saved-Radius-Framed-IPv6-Prefix", IASID: 8141, DataType: TypeIPv6Prefix},
		{Name: "Saved-Radius-Framed-IPv6-Route", IASID: 8142, DataType: TypeString},
		{Name: "Quarantine-Grace-Time-Configuration", IASID: 8143, DataType: TypeInteger},
		{Name: "Machine-Inventory", IASID: 8148, DataType: TypeString},
		{Name: "Absolute-Time", IASID: 8149, DataType: TypeString},
		{Name: "EAP-Types-Configured-In-ProxyPolicy", IASID: 8151, DataType: TypeOctets},
		{Name: "Saved-Machine-HealthCheck-Only", IASID: 8156, DataType: TypeBool},
		{Name: "SAM-HCAP-Account-Name", IASID: 8160, DataType: TypeString},
		{Name: "Accept-Reason-Code", IASID: 8167, DataType: TypeInteger},

		// Record fields with no IAS ID: the IAS-format header, the ODBC
		// columns 1-4 and the DTS frame elements.
		{Name: "Timestamp", DataType: TypeDate},
		{Name: "Computer-Name", DataType: TypeString},
		{Name: "Event-Source", DataType: TypeString},
		{Name: "Record-Date", DataType: TypeString},
		{Name: "Record-Time", DataType: TypeString},
	}
}

// iasAliases are the other names of NPS-internal attributes: ODBC column
// names and the corrected spelling of 4130.
var iasAliases = map[string]string{
	"Fully-Qualified-Distinguished-Name": "Fully-Qualifed-User-Name",
	"Fully-Qualified-User-Name":          "Fully-Qualifed-User-Name",
	"Policy-Name":                        "NP-Policy-Name",
	"ComputerName":                       "Computer-Name",
	"ServiceName":                        "Event-Source",
	"Service-Name":                       "Event-Source",
}

// populate fills d with the built-in tables. Later tables win where two
// give the same key; the IETF table comes last so that an RFC attribute owns
// its number in the IAS space over an Ascend one.
func populate(d *Dictionary) {
	for id, name := range vendorNames {
		d.AddVendor(id, name)
	}
	for _, t := range [][]*Attribute{vendorAttributes(), microsoftAttributes(), iasAttributes(), ietfAttributes()} {
		for _, a := range t {
			d.Add(a)
		}
	}
	for _, aliases := range []map[string]string{ietfAliases, microsoftAliases, iasAliases} {
		for alias, name := range aliases {
			if a := d.ByName(name); a != nil {
				d.AddAlias(alias, a)
			}
		}
	}
}

// reasonShortNames is the Reason-Code enumeration: each code's short text.
func reasonShortNames() map[uint64]string {
	m := make(map[uint64]string, len(reasons))
	for c, r := range reasons {
		m[uint64(c)] = r.Short
	}
	return m
}

// npsSpellings are the names NPS writes (DTS element names, the IAS-format
// dictionary) for attributes whose radscope name differs beyond letter case.
var npsSpellings = map[string]string{
	"Tunnel-Client-Endpoint":         "Tunnel-Client-Endpt",
	"Tunnel-Server-Endpoint":         "Tunnel-Server-Endpt",
	"Tunnel-Private-Group-Id":        "Tunnel-Pvt-Group-ID",
	"MS-RNAP-Not-Quarantine-Capable": "Not-Quarantine-Capable",
	"MS-HCAP-User-Groups":            "HCAP-User-Groups",
	"MS-HCAP-Location-Group-Name":    "HCAP-Location-Group-Name",
	"MS-HCAP-User-Name":              "HCAP-User-Name",
	"MS-User-IPv4-Address":           "User-IPv4-Address",
	"MS-User-IPv6-Address":           "User-IPv6-Address",
	"MS-TSG-Device-Redirection":      "TSG-Device-Redirection",
}

// NPSName returns the name NPS itself writes for a in its DTS and IAS-format
// logs ("Tunnel-Pvt-Group-ID" for Tunnel-Private-Group-Id); for most
// attributes that is a.Name. A nil a gives "".
func (a *Attribute) NPSName() string {
	if a == nil {
		return ""
	}
	if s, ok := npsSpellings[a.Name]; ok {
		return s
	}
	return a.Name
}
