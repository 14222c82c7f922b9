package dict

// Vendor numbers (SMI private enterprise numbers) of the NAS makers whose
// attributes radscope knows.
const (
	VendorCisco    = 9
	VendorCitrix   = 66
	VendorUSR      = 429
	VendorAscend   = 529
	VendorNortel   = 562
	VendorJuniper  = 2636
	VendorFortinet = 12356
	VendorAruba    = 14823
	VendorPaloAlto = 25461

	// VendorCitrixSystems is Citrix's own enterprise number. NetScaler
	// (Citrix ADC) gateways take the vendor of their group-extraction VSA
	// from configuration; 3845 is a common choice, FreeRADIUS' "Citrix"
	// dictionary uses 66 instead.
	VendorCitrixSystems = 3845
)

// clientVendors is the enumeration NPS uses for Client-Vendor (4116) and
// MS-RAS-Vendor (4147): the vendor chosen for the RADIUS client in the NPS
// console, and the vendor of the remote access server.
var clientVendors = map[uint64]string{
	0: "RADIUS Standard", 1: "Proteon", 5: "ACC", 9: "Cisco", 14: "BBN", 15: "Xylogics",
	43: "3Com", 52: "Cabletron", 64: "Gandalf", 117: "Telebit", 166: "Shiva", 181: "ADC Kentrox",
	244: "Lantronix", 272: "BinTec", 307: "Livingston", 311: "Microsoft", 332: "Digi",
	343: "Intel", 429: "U.S. Robotics", 434: "EICON", 529: "Ascend", 562: "Nortel", 2352: "RedBack",
}

// vendorNames names vendor IDs for display and for dictionary files. The
// names are FreeRADIUS' VENDOR names where it has one, so that a FreeRADIUS
// dictionary loaded on top refers to the same vendors.
var vendorNames = map[uint32]string{
	1: "Proteon", 5: "ACC", 9: "Cisco", 14: "BBN", 15: "Xylogics", 43: "3Com", 52: "Cabletron",
	64: "Gandalf", 66: "Citrix", 117: "Telebit", 166: "Shiva", 181: "ADC-Kentrox", 244: "Lantronix",
	272: "BinTec", 307: "Livingston", 311: "Microsoft", 332: "Digi", 343: "Intel", 429: "USR",
	434: "EICON", 529: "Ascend", 562: "Nortel", 2352: "Redback", 2636: "Juniper",
	3845: "Citrix-Systems", 12356: "Fortinet", 14823: "Aruba", 25461: "PaloAlto",
}

// vendorAttributes returns the most used attributes of the common NAS and
// firewall vendors met in front of NPS.
func vendorAttributes() []*Attribute {
	as := []*Attribute{
		// Cisco. NPS logs Cisco-AV-Pair under the pseudo IAS ID 5000, one
		// entry per occurrence.
		{Name: "Cisco-AV-Pair", Vendor: VendorCisco, Type: 1, IASID: 5000, DataType: TypeString},
		{Name: "Cisco-NAS-Port", Vendor: VendorCisco, Type: 2, DataType: TypeString},
		{Name: "Cisco-Disconnect-Cause", Vendor: VendorCisco, Type: 195, DataType: TypeInteger},
		{Name: "Cisco-Account-Info", Vendor: VendorCisco, Type: 250, DataType: TypeString},
		{Name: "Cisco-Service-Info", Vendor: VendorCisco, Type: 251, DataType: TypeString},
		{Name: "Cisco-Command-Code", Vendor: VendorCisco, Type: 252, DataType: TypeString},
		{Name: "Cisco-Control-Info", Vendor: VendorCisco, Type: 253, DataType: TypeString},

		// Citrix (FreeRADIUS numbers them under vendor 66).
		{Name: "Citrix-UID", Vendor: VendorCitrix, Type: 10, DataType: TypeInteger},
		{Name: "Citrix-GID", Vendor: VendorCitrix, Type: 11, DataType: TypeInteger},
		{Name: "Citrix-Home", Vendor: VendorCitrix, Type: 12, DataType: TypeString},
		{Name: "Citrix-Shell", Vendor: VendorCitrix, Type: 13, DataType: TypeString},
		{Name: "Citrix-Group-Names", Vendor: VendorCitrix, Type: 14, DataType: TypeString},
		{Name: "Citrix-Group-Ids", Vendor: VendorCitrix, Type: 15, DataType: TypeString},
		{Name: "Citrix-User-Groups", Vendor: VendorCitrix, Type: 16, DataType: TypeString},

		// Juniper
		{Name: "Juniper-Local-User-Name", Vendor: VendorJuniper, Type: 1, DataType: TypeString},
		{Name: "Juniper-Allow-Commands", Vendor: VendorJuniper, Type: 2, DataType: TypeString},
		{Name: "Juniper-Deny-Commands", Vendor: VendorJuniper, Type: 3, DataType: TypeString},
		{Name: "Juniper-Allow-Configuration", Vendor: VendorJuniper, Type: 4, DataType: TypeString},
		{Name: "Juniper-Deny-Configuration", Vendor: VendorJuniper, Type: 5, DataType: TypeString},
		{Name: "Juniper-Interactive-Command", Vendor: VendorJuniper, Type: 8, DataType: TypeString},
		{Name: "Juniper-Configuration-Change", Vendor: VendorJuniper, Type: 9, DataType: TypeString},
		{Name: "Juniper-User-Permissions", Vendor: VendorJuniper, Type: 10, DataType: TypeString},

		// Fortinet
		{Name: "Fortinet-Group-Name", Vendor: VendorFortinet, Type: 1, DataType: TypeString},
		{Name: "Fortinet-Client-IP-Address", Vendor: VendorFortinet, Type: 2, DataType: TypeIPAddr},
		{Name: "Fortinet-Vdom-Name", Vendor: VendorFortinet, Type: 3, DataType: TypeString},
		{Name: "Fortinet-Client-IPv6-Address", Vendor: VendorFortinet, Type: 4, DataType: TypeOctets},
		{Name: "Fortinet-Interface-Name", Vendor: VendorFortinet, Type: 5, DataType: TypeString},
		{Name: "Fortinet-Access-Profile", Vendor: VendorFortinet, Type: 6, DataType: TypeString},

		// Aruba
		{Name: "Aruba-User-Role", Vendor: VendorAruba, Type: 1, DataType: TypeString},
		{Name: "Aruba-User-Vlan", Vendor: VendorAruba, Type: 2, DataType: TypeInteger},
		{Name: "Aruba-Priv-Admin-User", Vendor: VendorAruba, Type: 3, DataType: TypeInteger},
		{Name: "Aruba-Admin-Role", Vendor: VendorAruba, Type: 4, DataType: TypeString},
		{Name: "Aruba-Essid-Name", Vendor: VendorAruba, Type: 5, DataType: TypeString},
		{Name: "Aruba-Location-Id", Vendor: VendorAruba, Type: 6, DataType: TypeString},
		{Name: "Aruba-Port-Identifier", Vendor: VendorAruba, Type: 7, DataType: TypeString},
		{Name: "Aruba-Named-User-Vlan", Vendor: VendorAruba, Type: 9, DataType: TypeString},
		{Name: "Aruba-AP-Group", Vendor: VendorAruba, Type: 10, DataType: TypeString},
		{Name: "Aruba-Device-Type", Vendor: VendorAruba, Type: 12, DataType: TypeString},

		// Palo Alto Networks (GlobalProtect and admin logins)
		{Name: "PaloAlto-Admin-Role", Vendor: VendorPaloAlto, Type: 1, DataType: TypeString},
		{Name: "PaloAlto-Admin-Access-Domain", Vendor: VendorPaloAlto, Type: 2, DataType: TypeString},
		{Name: "PaloAlto-Panorama-Admin-Role", Vendor: VendorPaloAlto, Type: 3, DataType: TypeString},
		{Name: "PaloAlto-Panorama-Admin-Access-Domain", Vendor: VendorPaloAlto, Type: 4, DataType: TypeString},
		{Name: "PaloAlto-User-Group", Vendor: VendorPaloAlto, Type: 5, DataType: TypeString},
		{Name: "PaloAlto-User-Domain", Vendor: VendorPaloAlto, Type: 6, DataType: TypeString},
		{Name: "PaloAlto-Client-Source-IP", Vendor: VendorPaloAlto, Type: 7, DataType: TypeString},
		{Name: "PaloAlto-Client-OS", Vendor: VendorPaloAlto, Type: 8, DataType: TypeString},
		{Name: "PaloAlto-Client-Hostname", Vendor: VendorPaloAlto, Type: 9, DataType: TypeString},
		{Name: "PaloAlto-GlobalProtect-Client-Version", Vendor: VendorPaloAlto, Type: 10, DataType: TypeString},

		// Nortel: NPS maps two Nortel VSAs to the pseudo IAS IDs 6000 and
		// 6001; their wire numbers are not known here, so they have no Type.
		{Name: "Nortel-Port-QOS", Vendor: VendorNortel, IASID: 6000, DataType: TypeInteger},
		{Name: "Nortel-Port-Priority", Vendor: VendorNortel, IASID: 6001, DataType: TypeInteger},
	}
	as = append(as, ascendAttributes()...)
	return append(as, usrAttributes()...)
}

// ascendAttributes builds the Ascend table. The IAS ID equals the number,
// except where an RFC has since given that number to an IETF attribute
// (Delegated-IPv6-Prefix 123, RFC 6911 168-172, RFC 7268 174-190): there the
// RFC attribute owns the IAS ID and the Ascend one is reachable by name and
// as a vendor-529 VSA only.
func ascendAttributes() []*Attribute {
	var as []*Attribute
	for n, e := range ascendNames {
		if e == "" {
			continue
		}
		dt, secret, name := typedName(e)
		a := &Attribute{Name: name, Vendor: VendorAscend, Type: int32(n), IASID: int32(n), DataType: dt, Sensitive: secret}
		if ietfNumberTaken(n) {
			a.IASID = 0
		}
		if secret && (name == "Ascend-Send-Secret" || name == "Ascend-Receive-Secret") {
			a.Encrypt = EncryptAscend
		}
		as = append(as, a)
	}
	return as
}

// ietfNumberTaken reports whether an RFC defines IETF attribute n.
func ietfNumberTaken(n int) bool {
	switch {
	case n == 123, n >= 168 && n <= 172, n >= 174 && n <= 190:
		return true
	}
	return false
}

// usrAttributes builds the U.S. Robotics table (IAS IDs 11000-11255, no
// wire numbers: NPS's mapping of them to USR VSAs is not documented).
func usrAttributes() []*Attribute {
	as := make([]*Attribute, 0, len(usrNames))
	for i, e := range usrNames {
		dt, secret, name := typedName(e)
		as = append(as, &Attribute{Name: name, Vendor: VendorUSR, IASID: int32(11000 + i), DataType: dt, Sensitive: secret})
	}
	return as
}
