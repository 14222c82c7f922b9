package dict

// populate fills d with the built-in tables.
func populate(d *Dictionary) {
	d.AddVendor(311, "Microsoft")
	for _, a := range []*Attribute{
		{Name: "User-Name", Type: 1, IASID: 1, DataType: TypeString},
		{Name: "User-Password", Type: 2, IASID: 2, DataType: TypeString, Encrypt: EncryptPassword, Sensitive: true},
		{Name: "NAS-IP-Address", Type: 4, IASID: 4, DataType: TypeIPAddr},
		{Name: "Service-Type", Type: 6, IASID: 6, DataType: TypeInteger, Values: map[uint64]string{1: "Login", 2: "Framed", 8: "Authenticate-Only"}},
		{Name: "Class", Type: 25, IASID: 25, DataType: TypeString},
		{Name: "Calling-Station-Id", Type: 31, IASID: 31, DataType: TypeString},
		{Name: "Packet-Type", IASID: 4136, DataType: TypeInteger, Values: map[uint64]string{1: "Access-Request", 2: "Access-Accept", 3: "Access-Reject", 4: "Accounting-Request", 11: "Access-Challenge"}},
		{Name: "Reason-Code", IASID: 4142, DataType: TypeInteger},
	} {
		d.Add(a)
	}
}

var reasons = map[int]Reason{
	0:  {Code: 0, Const: "IAS_SUCCESS", Short: "Success"},
	16: {Code: 16, Const: "IAS_AUTH_FAILURE", Short: "Authentication failure"},
}

var reasonOrder = []int{0, 16}
