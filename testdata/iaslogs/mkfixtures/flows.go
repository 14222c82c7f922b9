package main

import (
	"strconv"
	"time"
)

// The NPS server's zone: the records carry local time (CET, UTC+1 in
// March), Event-Timestamp carries UTC.
var cet = time.FixedZone("CET", 3600)

const (
	npsName = "NPS01"
	npsIP   = "10.0.0.10"
	crpName = "Use Windows authentication for all users"
	// Class timestamp: the NPS service start, in UTC.
	classPrefix = "311 1 " + npsIP + " 03/04/2024 21:00:00 "

	npVPN  = "VPN, MFA required"    // a comma inside a quoted ODBC field
	npWiFi = `Wi-Fi "Corp" 802.1X`  // embedded quotes: "" in ODBC
	crpWLC = "Wi-Fi & wired 802.1X" // &amp; in DTS
	npRDG  = "RD Gateway - MFA"
	otpMsg = "Enter your Microsoft validation code"
)

type nas struct {
	ip, id, friendly string
	portType         int
}

var (
	vpnGW = nas{"10.0.0.1", "vpn-gw", "vpn-gw", 5}
	rdgw  = nas{"10.0.0.2", "rdgw", "rdgw", 5}
	wlc   = nas{"10.0.0.3", "wlc", "wlc", 19}
)

type user struct {
	name, fqdn, mac, ip string
}

var users = map[string]user{
	"alice":   {"alice", "contoso.local/Staff/IT/Alice Smith", "aa-bb-cc-00-00-01", "203.0.113.21"},
	"bob":     {"bob", "contoso.local/Staff/Sales, EMEA/Bob Jones", "aa-bb-cc-00-00-02", "198.51.100.77"},
	"carol":   {"carol", "contoso.local/Staff/Finance/Carol Béranger", "aa-bb-cc-00-00-03", "203.0.113.40"},
	"dave":    {"dave", "contoso.local/Staff/Ops/Dave Brown", "aa-bb-cc-00-00-04", "192.0.2.14"},
	"mallory": {"mallory", "contoso.local/Contractors/Mallory Evans", "aa-bb-cc-00-00-66", "185.220.101.9"},
}

func sam(u string) string { return `CONTOSO\` + u }

// log collects the records of one file and hands out Class serials.
type log struct {
	serial int
	prefix string // Class prefix; classPrefix when empty
	recs   []rec
}

func (l *log) class() string {
	l.serial++
	p := l.prefix
	if p == "" {
		p = classPrefix
	}
	return p + strconv.Itoa(l.serial)
}

func (l *log) add(r ...rec) { l.recs = append(l.recs, r...) }

func at(day, clock string) time.Time {
	t, err := time.ParseInLocation("01/02/2006 15:04:05.000", day+" "+clock, cet)
	if err != nil {
		panic(err)
	}
	return t
}

func base(t time.Time, n nas, hdrUser string, a ...kv) rec {
	return rec{t: t, computer: npsName, service: "IAS", hdrNAS: n.ip, hdrUser: hdrUser, attrs: a}
}

func itoa(i int) string { return strconv.Itoa(i) }

func clientAttrs(n nas) []kv {
	return []kv{{"Client-IP-Address", n.ip}, {"Client-Vendor", "0"}, {"Client-Friendly-Name", n.friendly}}
}

// request builds an Access-Request from n for user u. auth is the
// Authentication-Type NPS logs (1 PAP, 4 MS-CHAPv2, 5 EAP).
func request(t time.Time, n nas, u user, auth int, class string, extra ...kv) rec {
	un := sam(u.name)
	var a []kv
	switch n.ip {
	case wlc.ip:
		un = u.name + "@contoso.local"
		a = []kv{
			{"User-Name", un}, {"Calling-Station-Id", u.mac}, {"Called-Station-Id", "00-11-22-33-44-55:CORP"},
			{"NAS-Port", "13"}, {"NAS-IP-Address", n.ip}, {"NAS-Identifier", n.id},
			{"Vendor-Specific", hexPrefix + "\x00\x00\x37\x63\x01\x06\x00\x00\x00\x0f"},
			{"Service-Type", "2"}, {"Framed-MTU", "1300"}, {"NAS-Port-Type", "19"},
			{"Tunnel-Type", "13"}, {"Tunnel-Medium-Type", "6"}, {"Tunnel-Pvt-Group-ID", "20"},
		}
	case rdgw.ip:
		a = []kv{
			{"User-Name", un}, {"NAS-IP-Address", n.ip}, {"NAS-Identifier", n.id}, {"NAS-Port-Type", "5"},
			{"Service-Type", "1"}, {"Calling-Station-Id", "UserAuthType:PW"},
		}
	default:
		a = []kv{
			{"User-Name", un}, {"NAS-IP-Address", n.ip}, {"NAS-Identifier", n.id}, {"NAS-Port", "2" + itoa(100+t.Minute())},
			{"NAS-Port-Type", "5"}, {"Service-Type", "2"}, {"Framed-Protocol", "1"},
			{"Calling-Station-Id", u.ip}, {"Called-Station-Id", "198.51.100.10"},
		}
	}
	a = append(a, extra...)
	a = append(a, clientAttrs(n)...)
	crp := crpName
	if n.ip == wlc.ip {
		crp = crpWLC
	}
	a = append(a,
		kv{"Proxy-Policy-Name", crp}, kv{"Provider-Type", "1"},
		kv{"SAM-Account-Name", sam(u.name)}, kv{"Fully-Qualifed-User-Name", sam(u.name)},
		kv{"Class", class}, kv{"Authentication-Type", itoa(auth)},
		kv{"Packet-Type", "1"}, kv{"Reason-Code", "0"})
	return base(t, n, un, a...)
}

// response builds the Access-Accept/Reject/Challenge NPS logs for req. np
// is the matched network policy ("" when none matched); reply holds the
// reply attributes.
func response(req rec, pkt, reason, auth int, np string, reply ...kv) rec {
	n := nas{ip: req.get("Client-IP-Address"), friendly: req.get("Client-Friendly-Name")}
	a := []kv{{"Class", req.get("Class")}}
	a = append(a, reply...)
	a = append(a, kv{"Authentication-Type", itoa(auth)})
	if np != "" {
		a = append(a, kv{"NP-Policy-Name", np})
	}
	fq := req.get("Fully-Qualifed-User-Name")
	if pkt == 2 {
		fq = users[req.hdrUserName()].fqdn
	}
	a = append(a, clientAttrs(n)...)
	a = append(a,
		kv{"Proxy-Policy-Name", req.get("Proxy-Policy-Name")}, kv{"Provider-Type", "1"},
		kv{"SAM-Account-Name", req.get("SAM-Account-Name")}, kv{"Fully-Qualifed-User-Name", fq},
		kv{"Packet-Type", itoa(pkt)}, kv{"Reason-Code", itoa(reason)})
	return rec{t: req.t, computer: req.computer, service: req.service, hdrNAS: req.hdrNAS, hdrUser: req.hdrUser, attrs: a}
}

// hdrUserName returns the bare user name behind the request's User-Name.
func (r rec) hdrUserName() string {
	s := r.get("SAM-Account-Name")
	if len(s) > len(`CONTOSO\`) {
		return s[len(`CONTOSO\`):]
	}
	return s
}

// mschapError is an MS-CHAP-Error value: ident byte, then the error text.
func mschapError(ident byte, code int, challenge string) string {
	return hexPrefix + string([]byte{ident}) + "E=" + itoa(code) + " R=0 C=" + challenge + " V=3"
}

// acct builds an Accounting-Request from n for a session.
type session struct {
	n       nas
	u       user
	id      string
	class   string // "" when the NAS got no Class (OTP sign-in)
	framed  string
	started time.Time
}

func (s session) acct(t time.Time, status int, in, out, inPkts, outPkts int64, cause int) rec {
	un := sam(s.u.name)
	var a []kv
	if s.n.ip == wlc.ip {
		un = s.u.name + "@contoso.local"
		a = []kv{
			{"User-Name", un}, {"NAS-IP-Address", s.n.ip}, {"NAS-Port", "13"}, {"Framed-IP-Address", s.framed},
			{"Calling-Station-Id", s.u.mac}, {"Called-Station-Id", "00-11-22-33-44-55:CORP"},
			{"NAS-Identifier", s.n.id}, {"NAS-Port-Type", "19"}, {"Service-Type", "2"},
		}
	} else {
		a = []kv{
			{"User-Name", un}, {"NAS-IP-Address", s.n.ip}, {"NAS-Identifier", s.n.id}, {"NAS-Port-Type", "5"},
			{"Service-Type", "2"}, {"Framed-Protocol", "1"}, {"Framed-IP-Address", s.framed},
			{"Calling-Station-Id", s.u.ip}, {"Called-Station-Id", "198.51.100.10"},
		}
	}
	a = append(a, kv{"Acct-Status-Type", itoa(status)}, kv{"Acct-Session-Id", s.id}, kv{"Acct-Authentic", "1"}, kv{"Acct-Delay-Time", "0"})
	if status != 1 {
		a = append(a,
			kv{"Acct-Input-Octets", strconv.FormatInt(in, 10)}, kv{"Acct-Output-Octets", strconv.FormatInt(out, 10)},
			kv{"Acct-Input-Packets", strconv.FormatInt(inPkts, 10)}, kv{"Acct-Output-Packets", strconv.FormatInt(outPkts, 10)},
			kv{"Acct-Session-Time", itoa(int(t.Sub(s.started).Seconds()))})
	}
	if status == 2 {
		a = append(a, kv{"Acct-Terminate-Cause", itoa(cause)})
	}
	if s.class != "" {
		a = append(a, kv{"Class", s.class})
	}
	a = append(a, kv{"Event-Timestamp", t.UTC().Format("01/02/2006 15:04:05")})
	a = append(a, clientAttrs(s.n)...)
	crp := crpName
	if s.n.ip == wlc.ip {
		crp = crpWLC
	}
	a = append(a, kv{"Proxy-Policy-Name", crp}, kv{"Provider-Type", "1"}, kv{"Packet-Type", "4"}, kv{"Reason-Code", "0"})
	return base(t, s.n, un, a...)
}

// Reply attributes.
func vpnReply() []kv {
	return []kv{{"Service-Type", "2"}, {"Framed-Protocol", "1"}, {"Session-Timeout", "28800"}, {"Idle-Timeout", "1800"},
		{"MS-MPPE-Encryption-Types", "14"}, {"MS-MPPE-Encryption-Policy", "1"}}
}

func wifiReply() []kv {
	return []kv{{"Session-Timeout", "28800"}, {"Termination-Action", "1"}, {"Tunnel-Type", "13"}, {"Tunnel-Medium-Type", "6"},
		{"Tunnel-Pvt-Group-ID", "20"}, {"EAP-Friendly-Name", "Microsoft: Protected EAP (PEAP)"}}
}

// stateValue is the RADIUS State the MFA extension sends with its
// challenge: a GUID string.
func stateValue(g string) kv { return kv{"State", hexPrefix + g} }
