package main

import (
	"strconv"
	"time"
)

var depts = []string{"IT", "Sales, EMEA", "Finance", "Ops", "HR"}

const hexDigits = "0123456789ABCDEF"

func appendPad5(b []byte, v int32) []byte {
	return append(b, byte('0'+v/10000%10), byte('0'+v/1000%10), byte('0'+v/100%10), byte('0'+v/10%10), byte('0'+v%10))
}

func append2(b []byte, v int64) []byte { return append(b, byte('0'+v/10), byte('0'+v%10)) }

func appendInt(b []byte, v int64) []byte {
	switch {
	case v >= 0 && v < 10:
		return append(b, byte('0'+v))
	case v >= 10 && v < 100:
		return append(b, byte('0'+v/10), byte('0'+v%10))
	}
	return strconv.AppendInt(b, v, 10)
}

const commas = ",,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,"

// userName is the RADIUS User-Name the NAS sends.
func (g *generator) userName(b []byte, r *rec) []byte {
	switch {
	case r.foreign:
		b = append(b, "guest"...)
		b = appendPad5(b, r.user)
		return append(b, "@fabrikam.example"...)
	case nases[r.nas].kind == kindWLC:
		b = append(b, "user"...)
		b = appendPad5(b, r.user)
		return append(b, "@contoso.local"...)
	}
	b = append(b, `CONTOSO\user`...)
	return appendPad5(b, r.user)
}

func sam(b []byte, r *rec) []byte {
	b = append(b, `CONTOSO\user`...)
	return appendPad5(b, r.user)
}

// fqdn is Fully-Qualifed-User-Name: the canonical name on Accepts.
func fqdn(b []byte, r *rec) []byte {
	if !r.canon {
		return sam(b, r)
	}
	b = append(b, "contoso.local/Staff/"...)
	b = append(b, depts[r.user%int32(len(depts))]...)
	b = append(b, "/User "...)
	return appendPad5(b, r.user)
}

func mac(b []byte, u int32, sep byte) []byte {
	b = append(b, 'a', 'a', sep, 'b', 'b', sep, 'c', 'c', sep)
	b = append(b, hexDigits[(u>>20)&15], hexDigits[(u>>16)&15], sep, hexDigits[(u>>12)&15], hexDigits[(u>>8)&15], sep, hexDigits[(u>>4)&15], hexDigits[u&15])
	return b
}

func callingStation(b []byte, r *rec) []byte {
	switch nases[r.nas].kind {
	case kindWLC:
		return mac(b, r.user, '-')
	case kindRDG:
		return append(b, "UserAuthType:PW"...)
	}
	b = append(b, "203.0."...)
	b = appendInt(b, int64(113+r.user%3))
	b = append(b, '.')
	return appendInt(b, int64(1+r.user%250))
}

func calledStation(b []byte, r *rec) []byte {
	if nases[r.nas].kind == kindWLC {
		b = append(b, "00-11-22-33-44-"...)
		return append(b, hexDigits[r.nas>>4], hexDigits[r.nas&15], ':', 'C', 'O', 'R', 'P')
	}
	return append(b, "198.51.100.10"...)
}

func sessionID(b []byte, r *rec) []byte {
	if nases[r.nas].kind == kindWLC {
		b = append(b, "65e6c3a1/"...)
		b = mac(b, r.user, ':')
		b = append(b, '/')
		return appendInt(b, int64(r.sessID))
	}
	for s := 28; s >= 0; s -= 4 {
		b = append(b, hexDigits[(r.sessID>>uint(s))&15])
	}
	return b
}

func ipv4(b []byte, v uint32) []byte {
	b = appendInt(b, int64(v>>24))
	b = append(b, '.')
	b = appendInt(b, int64(v>>16&255))
	b = append(b, '.')
	b = appendInt(b, int64(v>>8&255))
	b = append(b, '.')
	return appendInt(b, int64(v&255))
}

func (r *rec) isReq() bool  { return r.pkt == accessRequest }
func (r *rec) isAcct() bool { return r.pkt == acctRequest }
func (r *rec) fromNAS() bool {
	return r.pkt == accessRequest || r.pkt == acctRequest
}

func portType(k nasKind) int64 {
	if k == kindWLC {
		return 19 // Wireless - IEEE 802.11
	}
	return 5 // Virtual
}

func serviceType(r *rec) int64 {
	if nases[r.nas].kind == kindRDG {
		return 1
	}
	return 2
}

// date appends MM/DD/YYYY for the local time t (ms).
func (g *generator) date(b []byte, t int64) []byte {
	d := t / 86400000
	if d != g.day {
		g.day = d
		g.dayText = time.UnixMilli(t).UTC().AppendFormat(g.dayText[:0], "01/02/2006")
	}
	return append(b, g.dayText...)
}

func clock(b []byte, t int64) []byte {
	s := t / 1000 % 86400
	b = append2(b, s/3600)
	b = append(b, ':')
	b = append2(b, s/60%60)
	b = append(b, ':')
	return append2(b, s%60)
}

func (g *generator) eventTimestamp(b []byte, t int64) []byte {
	t -= 3600 * 1000 // the NAS's clock in UTC; NPS01 is on CET
	b = time.UnixMilli(t).UTC().AppendFormat(b, "01/02/2006 ")
	return clock(b, t)
}

func (g *generator) write(r *rec) error {
	b := g.w.AvailableBuffer()
	switch g.format {
	case ODBC:
		b = g.odbc(b, r)
	case IAS:
		b = g.ias(b, r)
	default:
		b = g.dts(b, r)
	}
	b = append(b, '\r', '\n')
	n, err := g.w.Write(b)
	g.bytes += int64(n)
	g.lines++
	return err
}

// odbcLine appends ODBC fields; col is the 1-based column being written.
type odbcLine struct {
	b   []byte
	col int
}

func (w *odbcLine) to(c int) {
	if c > w.col {
		w.b = append(w.b, commas[:c-w.col]...)
		w.col = c
	}
}

func (w *odbcLine) q(c int, s string) {
	w.to(c)
	w.b = append(w.b, '"')
	w.b = append(w.b, s...)
	w.b = append(w.b, '"')
}

func (w *odbcLine) num(c int, v int64) {
	w.to(c)
	w.b = appendInt(w.b, v)
}

// odbc writes the 66-column ODBC (Legacy) line.
func (g *generator) odbc(b []byte, r *rec) []byte {
	n := &nases[r.nas]
	w := &odbcLine{b: append(b, `"NPS01","IAS",`...), col: 3}
	w.b = g.date(w.b, r.t)
	w.to(4)
	w.b = clock(w.b, r.t)
	w.num(5, int64(r.pkt))
	if r.fromNAS() {
		w.to(6)
		w.b = append(w.b, '"')
		w.b = g.userName(w.b, r)
		w.b = append(w.b, '"')
	}
	if !r.isAcct() && !r.foreign {
		w.to(7)
		w.b = append(w.b, '"')
		w.b = fqdn(w.b, r)
		w.b = append(w.b, '"')
	}
	if r.fromNAS() {
		w.to(8)
		w.b = append(w.b, '"')
		w.b = calledStation(w.b, r)
		w.b = append(w.b, '"')
		w.to(9)
		w.b = append(w.b, '"')
		w.b = callingStation(w.b, r)
		w.b = append(w.b, '"')
		if r.isAcct() {
			w.to(11)
			w.b = append(w.b, '"')
			w.b = ipv4(w.b, r.framed)
			w.b = append(w.b, '"')
		}
		w.q(12, n.name)
		w.q(13, n.ip)
		if n.kind != kindRDG {
			w.num(14, 13+int64(r.user%2000))
		}
	}
	w.num(15, 0)
	w.q(16, n.ip)
	w.q(17, n.name)
	if r.fromNAS() {
		w.num(20, portType(n.kind))
		if n.kind == kindVPN {
			w.num(22, 1)
		}
		w.num(23, serviceType(r))
	}
	if !r.isAcct() {
		w.num(24, int64(r.auth))
	}
	if r.np >= 0 {
		w.to(25)
		w.b = append(w.b, '"')
		s := nps[r.np]
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c == '"' {
				w.b = append(w.b, '"')
			}
			w.b = append(w.b, c)
		}
		w.b = append(w.b, '"')
	}
	w.num(26, int64(r.reason))
	if r.class != 0 {
		w.to(27)
		w.b = append(w.b, '"')
		w.b = append(w.b, classStart...)
		w.b = strconv.AppendUint(w.b, r.class, 10)
		w.b = append(w.b, '"')
	}
	switch {
	case r.pkt == accessAccept:
		w.num(28, 28800)
	case r.pkt == accessChallenge && n.kind == kindWLC:
		w.num(28, 30)
	}
	if r.pkt == accessAccept && n.kind == kindWLC {
		w.q(31, "Microsoft: Protected EAP (PEAP)")
	}
	if r.isAcct() {
		w.num(32, int64(r.status))
		w.num(33, 0)
		if r.status != 1 {
			w.num(34, r.in)
			w.num(35, r.out)
		}
		w.to(36)
		w.b = append(w.b, '"')
		w.b = sessionID(w.b, r)
		w.b = append(w.b, '"')
		w.num(37, 1)
		if r.status != 1 {
			w.num(38, (r.t-r.start)/1000)
			w.num(39, r.inP)
			w.num(40, r.outP)
		}
		if r.status == 2 {
			w.num(41, int64(r.cause))
		}
	}
	if n.kind == kindWLC && (r.isReq() || r.pkt == accessAccept) {
		w.num(45, 13)
		w.num(46, 6)
		w.q(50, "20")
	}
	if r.errIdx >= 0 {
		w.q(57, mschapErrors[r.errIdx])
	}
	if r.pkt == accessAccept && n.kind == kindVPN {
		w.num(59, 14)
		w.num(60, 1)
	}
	if r.crp >= 0 {
		w.q(61, crps[r.crp])
		w.num(62, 1)
	}
	w.to(66)
	return w.b
}

// iasValue appends v, hex-encoded when it holds a comma.
func iasValue[T string | []byte](b []byte, v T) []byte {
	for i := 0; i < len(v); i++ {
		if v[i] == ',' {
			b = append(b, '0', 'x')
			for j := 0; j < len(v); j++ {
				b = append(b, hexDigits[v[j]>>4], hexDigits[v[j]&15])
			}
			return b
		}
	}
	return append(b, v...)
}

// ias writes the IAS (Legacy) line.
func (g *generator) ias(b []byte, r *rec) []byte {
	n := &nases[r.nas]
	id := func(a string) { b = append(b, ','); b = append(b, a...); b = append(b, ',') }
	num := func(a string, v int64) { id(a); b = appendInt(b, v) }
	str := func(a string, s string) { id(a); b = iasValue(b, s) }
	b = append(b, n.ip...)
	b = append(b, ',')
	b = g.userName(b, r)
	b = append(b, ',')
	b = g.date(b, r.t)
	b = append(b, ',')
	b = clock(b, r.t)
	b = append(b, ",IAS,NPS01"...)
	if r.fromNAS() {
		str("32", n.name)
		if n.kind != kindRDG {
			num("5", 13+int64(r.user%2000))
		}
		num("61", portType(n.kind))
		num("6", serviceType(r))
		if n.kind == kindVPN {
			num("7", 1)
		}
		id("31")
		b = callingStation(b, r)
		id("30")
		b = calledStation(b, r)
		if n.kind == kindWLC {
			id("26")
			b = append(b, "0x000037630106000000"...)
			b = append(b, hexDigits[r.nas>>4], hexDigits[r.nas&15])
			if r.isReq() {
				num("64", 13)
				num("65", 6)
				str("81", "20")
			}
			id("5000")
			b = append(b, "audit-session-id=0A000003"...)
			b = appendPad5(b, r.user)
		}
		if r.isAcct() {
			id("8")
			b = ipv4(b, r.framed)
			num("40", int64(r.status))
			id("44")
			b = sessionID(b, r)
			num("45", 1)
			num("41", 0)
			if r.status != 1 {
				num("42", r.in)
				num("43", r.out)
				num("46", (r.t-r.start)/1000)
				num("47", r.inP)
				num("48", r.outP)
			}
			if r.status == 2 {
				num("49", int64(r.cause))
			}
			id("55")
			b = g.eventTimestamp(b, r.t)
		}
	} else {
		if r.class != 0 {
			id("25")
			b = append(b, classStart...)
			b = strconv.AppendUint(b, r.class, 10)
		}
		switch {
		case r.pkt == accessAccept:
			num("6", serviceType(r))
			num("27", 28800)
			if n.kind == kindVPN {
				num("7", 1)
				num("-90", 14)
				num("-89", 1)
			}
			if n.kind == kindWLC {
				num("64", 13)
				num("65", 6)
				str("81", "20")
				str("4132", "Microsoft: Protected EAP (PEAP)")
			}
		case r.pkt == accessChallenge && r.state != 0:
			str("18", "Enter your Microsoft validation code")
			id("24")
			b = append(b, '0', 'x')
			for s := 60; s >= 0; s -= 4 {
				b = append(b, hexDigits[(r.state>>uint(s))&15])
			}
		case r.pkt == accessChallenge:
			num("27", 30)
		}
		if r.errIdx >= 0 {
			str("4121", mschapErrors[r.errIdx])
		}
		num("4127", int64(r.auth))
		if r.np >= 0 {
			str("4149", nps[r.np])
		}
	}
	id("4108")
	b = append(b, n.ip...)
	num("4116", 0)
	str("4128", n.name)
	if r.crp >= 0 {
		str("4154", crps[r.crp])
		num("4155", 1)
	}
	if !r.isAcct() && !r.foreign {
		id("4129")
		b = sam(b, r)
		id("4130")
		if r.canon {
			var tmp [64]byte
			b = iasValue(b, fqdn(tmp[:0], r))
		} else {
			b = sam(b, r)
		}
	}
	if r.isReq() {
		if r.class != 0 {
			id("25")
			b = append(b, classStart...)
			b = strconv.AppendUint(b, r.class, 10)
		}
		num("4127", int64(r.auth))
	}
	if r.isAcct() && r.class != 0 {
		id("25")
		b = append(b, classStart...)
		b = strconv.AppendUint(b, r.class, 10)
	}
	num("4136", int64(r.pkt))
	num("4142", int64(r.reason))
	return b
}

// Pre-built DTS tags.
type tag struct{ open, close string }

func mk(name string, dt int) tag {
	return tag{"<" + name + ` data_type="` + strconv.Itoa(dt) + `">`, "</" + name + ">"}
}

var (
	tTimestamp  = mk("Timestamp", 4)
	tUser       = mk("User-Name", 1)
	tNASIP      = mk("NAS-IP-Address", 3)
	tNASID      = mk("NAS-Identifier", 1)
	tNASPort    = mk("NAS-Port", 0)
	tPortType   = mk("NAS-Port-Type", 0)
	tService    = mk("Service-Type", 0)
	tProto      = mk("Framed-Protocol", 0)
	tCalling    = mk("Calling-Station-Id", 1)
	tCalled     = mk("Called-Station-Id", 1)
	tVSA        = mk("Vendor-Specific", 2)
	tMTU        = mk("Framed-MTU", 0)
	tTunType    = mk("Tunnel-Type", 0)
	tTunMedium  = mk("Tunnel-Medium-Type", 0)
	tTunGroup   = mk("Tunnel-Pvt-Group-ID", 1)
	tAVPair     = mk("Cisco-AV-Pair", 1)
	tFramedIP   = mk("Framed-IP-Address", 3)
	tStatus     = mk("Acct-Status-Type", 0)
	tSessID     = mk("Acct-Session-Id", 1)
	tAuthentic  = mk("Acct-Authentic", 0)
	tDelay      = mk("Acct-Delay-Time", 0)
	tInOct      = mk("Acct-Input-Octets", 0)
	tOutOct     = mk("Acct-Output-Octets", 0)
	tSessTime   = mk("Acct-Session-Time", 0)
	tInPkt      = mk("Acct-Input-Packets", 0)
	tOutPkt     = mk("Acct-Output-Packets", 0)
	tCause      = mk("Acct-Terminate-Cause", 0)
	tEventTS    = mk("Event-Timestamp", 4)
	tClientIP   = mk("Client-IP-Address", 3)
	tVendor     = mk("Client-Vendor", 0)
	tFriendly   = mk("Client-Friendly-Name", 1)
	tCRP        = mk("Proxy-Policy-Name", 1)
	tProvider   = mk("Provider-Type", 0)
	tSAM        = mk("SAM-Account-Name", 1)
	tFQUN       = mk("Fully-Qualifed-User-Name", 1)
	tClass      = mk("Class", 1)
	tAuthType   = mk("Authentication-Type", 0)
	tNP         = mk("NP-Policy-Name", 1)
	tSessTO     = mk("Session-Timeout", 0)
	tReply      = mk("Reply-Message", 1)
	tState      = mk("State", 2)
	tEAP        = mk("EAP-Friendly-Name", 1)
	tMPPETypes  = mk("MS-MPPE-Encryption-Types", 0)
	tMPPEPolicy = mk("MS-MPPE-Encryption-Policy", 0)
	tCHAPErr    = mk("MS-CHAP-Error", 1)
	tPacket     = mk("Packet-Type", 0)
	tReason     = mk("Reason-Code", 0)
)

func xmlText(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '&':
			b = append(b, "&amp;"...)
		case '<':
			b = append(b, "&lt;"...)
		case '>':
			b = append(b, "&gt;"...)
		default:
			b = append(b, s[i])
		}
	}
	return b
}

// dts writes the DTS Compliant <Event> line.
func (g *generator) dts(b []byte, r *rec) []byte {
	n := &nases[r.nas]
	num := func(t tag, v int64) {
		b = append(b, t.open...)
		b = appendInt(b, v)
		b = append(b, t.close...)
	}
	str := func(t tag, s string) {
		b = append(b, t.open...)
		b = xmlText(b, s)
		b = append(b, t.close...)
	}
	b = append(b, "<Event>"...)
	b = append(b, tTimestamp.open...)
	b = g.date(b, r.t)
	b = append(b, ' ')
	b = clock(b, r.t)
	b = append(b, '.', byte('0'+r.t/100%10), byte('0'+r.t/10%10), byte('0'+r.t%10))
	b = append(b, tTimestamp.close...)
	b = append(b, `<Computer-Name data_type="1">NPS01</Computer-Name><Event-Source data_type="1">IAS</Event-Source>`...)
	class := func() {
		if r.class != 0 {
			b = append(b, tClass.open...)
			b = append(b, classStart...)
			b = strconv.AppendUint(b, r.class, 10)
			b = append(b, tClass.close...)
		}
	}
	if r.fromNAS() {
		b = append(b, tUser.open...)
		b = g.userName(b, r)
		b = append(b, tUser.close...)
		b = append(b, tCalling.open...)
		b = callingStation(b, r)
		b = append(b, tCalling.close...)
		b = append(b, tCalled.open...)
		b = calledStation(b, r)
		b = append(b, tCalled.close...)
		if n.kind != kindRDG {
			num(tNASPort, 13+int64(r.user%2000))
		}
		str(tNASIP, n.ip)
		str(tNASID, n.name)
		if n.kind == kindWLC {
			b = append(b, tVSA.open...)
			b = append(b, "000037630106000000"...)
			b = append(b, hexDigits[r.nas>>4], hexDigits[r.nas&15])
			b = append(b, tVSA.close...)
		}
		num(tService, serviceType(r))
		if n.kind == kindVPN {
			num(tProto, 1)
		}
		if n.kind == kindWLC {
			num(tMTU, 1300)
		}
		num(tPortType, portType(n.kind))
		if n.kind == kindWLC && r.isReq() {
			num(tTunType, 13)
			num(tTunMedium, 6)
			str(tTunGroup, "20")
		}
		if r.isAcct() {
			b = append(b, tFramedIP.open...)
			b = ipv4(b, r.framed)
			b = append(b, tFramedIP.close...)
			num(tStatus, int64(r.status))
			b = append(b, tSessID.open...)
			b = sessionID(b, r)
			b = append(b, tSessID.close...)
			num(tAuthentic, 1)
			num(tDelay, 0)
			if r.status != 1 {
				num(tInOct, r.in)
				num(tOutOct, r.out)
				num(tSessTime, (r.t-r.start)/1000)
				num(tInPkt, r.inP)
				num(tOutPkt, r.outP)
			}
			if r.status == 2 {
				num(tCause, int64(r.cause))
			}
			class()
			b = append(b, tEventTS.open...)
			b = g.eventTimestamp(b, r.t)
			b = append(b, tEventTS.close...)
		}
		if r.isReq() && r.state != 0 {
			b = append(b, tState.open...)
			for s := 60; s >= 0; s -= 4 {
				b = append(b, hexDigits[(r.state>>uint(s))&15])
			}
			b = append(b, tState.close...)
		}
		str(tClientIP, n.ip)
		num(tVendor, 0)
		str(tFriendly, n.name)
		if n.kind == kindWLC {
			b = append(b, tAVPair.open...)
			b = append(b, "audit-session-id=0A000003"...)
			b = appendPad5(b, r.user)
			b = append(b, tAVPair.close...)
		}
		if r.crp >= 0 {
			str(tCRP, crps[r.crp])
			num(tProvider, 1)
		}
		if r.isReq() {
			if !r.foreign {
				b = append(b, tSAM.open...)
				b = sam(b, r)
				b = append(b, tSAM.close...)
				b = append(b, tFQUN.open...)
				b = sam(b, r)
				b = append(b, tFQUN.close...)
			}
			class()
			num(tAuthType, int64(r.auth))
		}
	} else {
		class()
		switch {
		case r.pkt == accessAccept:
			num(tService, serviceType(r))
			num(tSessTO, 28800)
			if n.kind == kindVPN {
				num(tProto, 1)
				num(tMPPETypes, 14)
				num(tMPPEPolicy, 1)
			}
			if n.kind == kindWLC {
				num(tTunType, 13)
				num(tTunMedium, 6)
				str(tTunGroup, "20")
				str(tEAP, "Microsoft: Protected EAP (PEAP)")
			}
		case r.pkt == accessChallenge && r.state != 0:
			str(tReply, "Enter your Microsoft validation code")
			b = append(b, tState.open...)
			for s := 60; s >= 0; s -= 4 {
				b = append(b, hexDigits[(r.state>>uint(s))&15])
			}
			b = append(b, tState.close...)
		case r.pkt == accessChallenge:
			num(tSessTO, 30)
		}
		if r.errIdx >= 0 {
			str(tCHAPErr, mschapErrors[r.errIdx])
		}
		num(tAuthType, int64(r.auth))
		if r.np >= 0 {
			str(tNP, nps[r.np])
		}
		str(tClientIP, n.ip)
		num(tVendor, 0)
		str(tFriendly, n.name)
		if r.crp >= 0 {
			str(tCRP, crps[r.crp])
			num(tProvider, 1)
		}
		if !r.foreign {
			b = append(b, tSAM.open...)
			b = sam(b, r)
			b = append(b, tSAM.close...)
			b = append(b, tFQUN.open...)
			b = fqdn(b, r)
			b = append(b, tFQUN.close...)
		}
	}
	num(tPacket, int64(r.pkt))
	num(tReason, int64(r.reason))
	b = append(b, "</Event>"...)
	return b
}
