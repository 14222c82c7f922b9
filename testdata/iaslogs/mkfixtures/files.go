package main

import (
	"strings"
	"time"
)

// odbc66Recs: NPS 2008+ layout, 03/06/2024.
func odbc66Recs() []rec {
	const d = "03/06/2024"
	l := &log{serial: 200}
	u := users
	var rs []rec

	// alice, VPN MS-CHAPv2, accepted under a policy with a comma in its name.
	r := request(at(d, "08:01:15.000"), vpnGW, u["alice"], 4, l.class())
	rs = append(rs, r, response(r, 2, 0, 4, npVPN, vpnReply()...))

	// bob, accepted: his canonical name has a comma ("Sales, EMEA").
	r = request(at(d, "08:03:40.000"), vpnGW, u["bob"], 4, l.class())
	ab := response(r, 2, 0, 4, npVPN, vpnReply()...)
	rs = append(rs, r, ab)

	// mallory, wrong password: MS-CHAP-Error as "0x…" hex.
	r = request(at(d, "08:10:02.000"), vpnGW, u["mallory"], 4, l.class())
	rs = append(rs, r, response(r, 3, 16, 4, "", kv{"MS-CHAP-Error", mschapError(1, 691, "1F2E3D4C5B6A79880716253443526170")}))

	// carol, Wi-Fi PEAP: one challenge round, then the Accept under a
	// policy with embedded quotes.
	r = request(at(d, "08:15:20.000"), wlc, u["carol"], 5, l.class())
	rs = append(rs, r, response(r, 11, 0, 5, npWiFi, kv{"Session-Timeout", "30"}))
	r = request(at(d, "08:15:21.000"), wlc, u["carol"], 5, l.class())
	rs = append(rs, r, response(r, 2, 0, 5, npWiFi, wifiReply()...))

	// dave, RD Gateway, no network policy (48); his request has "" for
	// Framed-IP-Address and Connect-Info.
	r = request(at(d, "09:00:00.000"), rdgw, u["dave"], 1, l.class(), kv{"Framed-IP-Address", emptyQuoted}, kv{"Connect-Info", emptyQuoted})
	rs = append(rs, r, response(r, 3, 48, 1, ""))

	// bob's accounting Start and Stop carry his Accept's Class.
	s := session{n: vpnGW, u: u["bob"], id: "8C1D01B7", class: ab.get("Class"), framed: "10.0.100.31", started: at(d, "08:03:58.000")}
	rs = append(rs, s.acct(s.started, 1, 0, 0, 0, 0, 0), s.acct(at(d, "10:30:12.000"), 2, 12000331, 88123004, 30411, 70012, 1))
	sortByTime(rs)
	return rs
}

// rras turns r into what Windows Server 2003 RRAS with Windows accounting
// logs on the VPN server itself: ServiceName RAS, its own Class.
func rras(r rec, classSerial string) rec {
	r.computer = "VPN-GW"
	r.service = "RAS"
	r = drop(r, "Proxy-Policy-Name", "Provider-Type", "SAM-Account-Name", "Client-Friendly-Name")
	r = set(r, "Class", "311 1 10.0.0.1 03/01/2024 06:12:40 "+classSerial)
	r = set(r, "Client-Vendor", "311")
	if r.get("Packet-Type") == "1" {
		r = set(r, "Connect-Info", "CONNECT 0Mbps")
		r = set(r, "MS-RAS-Version", "MSRASV5.20")
		r = set(r, "MS-RAS-Vendor", "311")
	}
	return r
}

// odbc60Recs: the 60-column layout of IAS 2003 / RRAS, 03/02/2024.
func odbc60Recs() []rec {
	const d = "03/02/2024"
	u := users
	var rs []rec
	pair := func(serial string, req rec, resp rec) {
		rs = append(rs, rras(req, serial), rras(resp, serial))
	}
	const staff = "Staff, contractors (VPN)"
	r := request(at(d, "07:45:10.000"), vpnGW, u["alice"], 4, "")
	pair("41", r, response(r, 2, 0, 4, "Connections to Microsoft Routing and Remote Access server", vpnReply()...))
	r = request(at(d, "07:50:33.000"), vpnGW, u["bob"], 4, "")
	pair("42", r, response(r, 3, 16, 4, "", kv{"MS-CHAP-Error", mschapError(1, 691, "00112233445566778899AABBCCDDEEFF")}))
	r = request(at(d, "07:50:40.000"), vpnGW, u["bob"], 4, "")
	pair("43", r, response(r, 2, 0, 4, staff, vpnReply()...))
	r = request(at(d, "08:30:01.000"), vpnGW, u["mallory"], 4, "")
	pair("44", r, response(r, 3, 36, 4, "", kv{"MS-CHAP-Error", mschapError(1, 691, "0F1E2D3C4B5A69788796A5B4C3D2E1F0")}))
	r = request(at(d, "09:12:55.000"), vpnGW, u["carol"], 4, "", kv{"Framed-IP-Address", emptyQuoted}, kv{"Tunnel-Client-Endpt", emptyQuoted})
	pair("45", r, response(r, 2, 0, 4, staff, vpnReply()...))
	return rs
}

// iasFile: IAS (Legacy) lines, 03/06/2024, with repeated attributes,
// an unknown attribute number, negative RAS IDs, a challenge and
// accounting Start/Interim/Stop.
func iasFile() []string {
	const d = "03/06/2024"
	l := &log{serial: 260}
	u := users
	var out []string

	// alice, VPN: request and Accept (MPPE attributes -90 and -89).
	r := request(at(d, "08:01:15.000"), vpnGW, u["alice"], 4, l.class())
	out = append(out, ias(r), ias(response(r, 2, 0, 4, npVPN, vpnReply()...)))

	// bob: Accept whose Fully-Qualifed-User-Name holds a comma, so it is
	// written as 0x hex; the request carries an attribute NPS does not
	// know (9999), logged by number.
	r = request(at(d, "08:03:40.000"), vpnGW, u["bob"], 4, l.class())
	out = append(out, ias(r, iasExtra{9999, "x-vendor-probe"}), ias(response(r, 2, 0, 4, npVPN, vpnReply()...)))

	// mallory: reject 16.
	r = request(at(d, "08:10:00.000"), vpnGW, u["mallory"], 4, l.class())
	out = append(out, ias(r), ias(response(r, 3, 16, 4, "", kv{"MS-CHAP-Error", mschapError(1, 691, "1F2E3D4C5B6A79880716253443526170")})))

	// carol, Wi-Fi: the WLC repeats 31, 30, 5000 and 26.
	wifi := func(t time.Time, cls string) rec {
		r := request(t, wlc, u["carol"], 5, cls,
			kv{"Calling-Station-Id", "AA:BB:CC:00:00:03"},
			kv{"Called-Station-Id", "00:11:22:33:44:55"},
			kv{"Cisco-AV-Pair", "service-type=Framed"},
			kv{"Cisco-AV-Pair", "audit-session-id=0A0000030000004B65E6D2F0"},
			kv{"Cisco-AV-Pair", "method=dot1x"},
			kv{"Vendor-Specific", hexPrefix + "\x00\x00\x37\x63\x02\x06\x00\x00\x00\x01"})
		return r
	}
	r = wifi(at(d, "08:15:20.000"), l.class())
	out = append(out, ias(r), ias(response(r, 11, 0, 5, npWiFi, kv{"Session-Timeout", "30"})))
	r = wifi(at(d, "08:15:21.000"), l.class())
	ac := response(r, 2, 0, 5, npWiFi, wifiReply()...)
	out = append(out, ias(r), ias(ac))

	// carol's accounting: Start, Interim, Stop, with the Accept's Class
	// and repeated Cisco-AV-Pair.
	s := session{n: wlc, u: u["carol"], id: "0000004B", class: ac.get("Class"), framed: "10.20.0.61", started: at(d, "08:15:22.000")}
	avp := []iasExtra{{5000, "audit-session-id=0A0000030000004B65E6D2F0"}, {5000, "vlan-id=20"}, {5000, "method=dot1x"}}
	out = append(out,
		ias(s.acct(s.started, 1, 0, 0, 0, 0, 0), avp...),
		ias(s.acct(at(d, "09:15:22.000"), 3, 1200332, 30021100, 5011, 24020, 0), avp...),
		ias(s.acct(at(d, "11:40:05.000"), 2, 4400120, 98020211, 15230, 77001, 1), avp...))
	return out
}

// dtsRecs: DTS lines, 03/06/2024: data_type 0–4, an OTP challenge with
// State (data_type 2), a Cyrillic Client-Friendly-Name, &amp;, and one
// Acct-Session-Id written as data_type 2.
func dtsRecs() []rec {
	const d = "03/06/2024"
	l := &log{serial: 300}
	u := users
	var rs []rec

	r1 := request(at(d, "07:58:12.341"), vpnGW, u["alice"], 1, l.class())
	c1 := response(r1, 11, 0, 1, npVPN, kv{"Reply-Message", otpMsg}, stateValue("9e2d4b71-0c3a-4f5e-b6d7-18a29c3e4f50"))
	r2 := request(at(d, "07:58:30.005"), vpnGW, u["alice"], 1, l.class(), stateValue("9e2d4b71-0c3a-4f5e-b6d7-18a29c3e4f50"))
	rs = append(rs, r1, c1, r2, response(r2, 2, 0, 1, npVPN, vpnReply()...))

	// The branch WLC is registered in NPS under a Cyrillic name.
	branch := wlc
	branch.friendly = "Склад Wi-Fi"
	r := request(at(d, "08:30:00.512"), branch, u["carol"], 5, l.class(), kv{"Cisco-AV-Pair", "audit-session-id=0A00000300000051"})
	rs = append(rs, r, response(r, 11, 0, 5, npWiFi, kv{"Session-Timeout", "30"}))
	r = request(at(d, "08:30:00.590"), branch, u["carol"], 5, l.class(), kv{"Cisco-AV-Pair", "audit-session-id=0A00000300000051"})
	ac := response(r, 2, 0, 5, npWiFi, wifiReply()...)
	rs = append(rs, r, ac)

	// Accounting Start: Acct-Session-Id as data_type 2 (hex of its bytes).
	s := session{n: branch, u: u["carol"], id: hexPrefix + "0000005165E6D2F0", class: ac.get("Class"), framed: "10.20.0.77", started: at(d, "08:30:01.204")}
	rs = append(rs, s.acct(s.started, 1, 0, 0, 0, 0, 0))

	// dave, RD Gateway, rejected by the MFA extension.
	r = request(at(d, "09:02:17.450"), rdgw, u["dave"], 1, l.class())
	rs = append(rs, r, response(r, 3, 21, 8, npRDG))
	sortByTime(rs)
	return rs
}

// item is one authentication in a simple day: a request and its Accept
// (reason 0) or Reject (reason 16) from n.
type item struct {
	clock, user string
	n           nas
	reason      int
}

// simpleDay builds request/response pairs on day d with Class serials
// from l.
func simpleDay(d string, l *log, items []item) []rec {
	var rs []rec
	for i, c := range items {
		auth, np, reply := 4, npVPN, vpnReply()
		switch c.n {
		case wlc:
			auth, np, reply = 5, npWiFi, wifiReply()
		case rdgw:
			auth, np, reply = 1, npRDG, []kv{{"Service-Type", "1"}, {"Session-Timeout", "36000"}}
		}
		r := request(at(d, c.clock), c.n, users[c.user], auth, l.class())
		switch {
		case c.reason == 0:
			rs = append(rs, r, response(r, 2, 0, auth, np, reply...))
		case auth == 4:
			rs = append(rs, r, response(r, 3, c.reason, auth, "", kv{"MS-CHAP-Error", mschapError(byte(i), 691, "A1B2C3D4E5F60718293A4B5C6D7E8F90")}))
		default:
			rs = append(rs, r, response(r, 3, c.reason, auth, ""))
		}
	}
	return rs
}

// mixedRecs: 12 records of 03/07/2024; the file writes the first four as
// ODBC, the next four as DTS and the last four as IAS.
func mixedRecs() []rec {
	return simpleDay("03/07/2024", &log{serial: 400}, []item{
		{"08:00:05.100", "alice", vpnGW, 0}, {"08:02:11.430", "bob", vpnGW, 16},
		{"10:15:40.002", "carol", wlc, 0}, {"10:16:02.871", "mallory", vpnGW, 16},
		{"13:30:00.250", "dave", rdgw, 0}, {"13:31:45.919", "bob", vpnGW, 0},
	})
}

// encodingRecs: four records (carol request/Accept on the VPN, dave
// request/Reject 16) on day d; carol's canonical name has an é.
func encodingRecs(d string) []rec {
	l := &log{serial: 500 + 10*(10*int(d[3]-'0')+int(d[4]-'0'))}
	u := users
	r := request(at(d, "09:00:00.000"), vpnGW, u["carol"], 4, l.class())
	r2 := request(at(d, "09:05:00.000"), vpnGW, u["dave"], 4, l.class())
	return []rec{r, response(r, 2, 0, 4, npVPN, vpnReply()...), r2, response(r2, 3, 16, 4, "")}
}

// cp1252Recs: ODBC with Windows-1252 text: é (0xE9) in carol's name and
// € (0x80) in dave's.
func cp1252Recs() []rec {
	const d = "03/12/2024"
	l := &log{serial: 620}
	u := users
	r := request(at(d, "09:00:00.000"), vpnGW, u["carol"], 4, l.class())
	r2 := request(at(d, "09:05:00.000"), vpnGW, u["dave"], 4, l.class())
	a2 := response(r2, 2, 0, 4, npVPN, vpnReply()...)
	a2 = set(a2, "Fully-Qualifed-User-Name", "contoso.local/Staff/Finance/Dave Brown €")
	return []rec{r, response(r, 2, 0, 4, npVPN, vpnReply()...), r2, a2}
}

// gzRecs: six ODBC records of 03/13/2024.
func gzRecs() []rec {
	const d = "03/13/2024"
	rs := encodingRecs(d)
	l := &log{serial: 635}
	r := request(at(d, "09:10:00.000"), vpnGW, users["bob"], 4, l.class())
	return append(rs, r, response(r, 2, 0, 4, npVPN, vpnReply()...))
}

// badFile: good and bad lines; see README.md for the list.
func badFile() []byte {
	const d = "03/14/2024"
	l := &log{serial: 700}
	u := users
	r := request(at(d, "10:00:00.000"), vpnGW, u["alice"], 4, l.class())
	a := response(r, 2, 0, 4, npVPN, vpnReply()...)
	rb := request(at(d, "10:00:03.000"), vpnGW, u["bob"], 4, l.class())
	ab := response(rb, 2, 0, 4, npVPN, vpnReply()...)
	rc := request(at(d, "10:00:04.000"), wlc, u["carol"], 5, l.class())
	rd := request(at(d, "10:00:06.000"), vpnGW, u["dave"], 4, l.class())
	re := request(at(d, "10:00:07.000"), vpnGW, u["mallory"], 4, l.class())
	rf := request(at(d, "10:00:09.000"), vpnGW, u["carol"], 4, l.class())

	good1 := odbc(r, 66)
	good2 := odbc(a, 66)
	dtsGood := dts(rb)
	// An unterminated quote: the quote that opens Proxy-Policy-Name (column
	// 61) never closes, so a CSV reader that lets quoted fields span lines
	// would swallow the next line.
	unterminated := strings.Replace(odbc(rc, 66), `"`+crpWLC+`"`, `"`+crpWLC, 1)
	odbcGood := odbc(ab, 66)
	// IAS with an odd number of pair fields: the last attribute has no value.
	iasOdd := ias(rd)
	iasOdd = iasOdd[:strings.LastIndex(iasOdd, ",")]
	// Reason-Code (column 26) is "x".
	reasonX := fieldSet(odbc(re, 66), 26, "x")
	// Record-Date is 13/45/2024.
	badDate := fieldSet(odbc(rf, 66), 3, "13/45/2024")
	iasGood := ias(response(rd, 3, 16, 4, ""))
	halfXML := dts(re)[:160]
	// Cut inside the quoted NAS-IP-Address: NPS was still writing the line.
	truncated := odbc(request(at(d, "10:00:12.000"), vpnGW, u["alice"], 4, l.class()), 66)
	truncated = truncated[:strings.Index(truncated, `"10.0.0.1",2`)+len(`"10.0.`)]

	lines := []string{
		good1, // 1
		good2, // 2
		"",    // 3
		"\x00\x01\x02\xfe\xff\x8d\x9a PK\x03\x04\x14\x00\x06\x00\xc3\x28 \x1b[31m\xe2\x82 \x07\x7f", // 4
		halfXML,      // 5
		dtsGood,      // 6
		unterminated, // 7
		odbcGood,     // 8
		iasOdd,       // 9
		reasonX,      // 10
		badDate,      // 11
		"",           // 12
		iasGood,      // 13
		"",           // 14
	}
	// 15: a record still being written: no line ending.
	return []byte(strings.Join(lines, "\r\n") + "\r\n" + truncated)
}

// fieldSet replaces the n-th (1-based) comma-separated field of an ODBC
// line whose fields before n contain no quoted commas.
func fieldSet(line string, n int, v string) string {
	f := strings.SplitN(line, ",", n+1)
	f[n-1] = v
	return strings.Join(f, ",")
}
