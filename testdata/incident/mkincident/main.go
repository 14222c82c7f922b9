// mkincident writes the end-to-end incident fixture: one morning of NPS01
// (10.0.0.10, clock in UTC) with the Entra MFA extension, seen three ways —
// a capture taken on a host whose clock runs 2.4 s ahead (capture.pcap), the
// NPS DTS log (IN261102.log) and the Security and AzureMfa events
// (NPS01-Security.xml, NPS01-AuthZOptCh.xml, as wevtutil /f:xml prints
// them). See ../README.md for the attempts and what radscope must find.
//
//	go run ./testdata/incident/mkincident      # from the repository root
//
// The output is deterministic: running it again rewrites the same bytes.
package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"log"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"
	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/nps/npslog"
	"github.com/radscope/radscope/secret"
)

const (
	captureSkew = 2400 * time.Millisecond // the capture host's clock minus NPS01's
	computer    = "NPS01"
	eventHost   = "NPS01.contoso.local"
	crp         = "Use Windows authentication for all users"
	npVPN       = "VPN, MFA required"
	npRDG       = "RD Gateway - MFA"
	classBase   = "311 1 10.0.0.10 11/02/2026 06:00:00 "
	otpPrompt   = "Enter your Microsoft validation code"
)

var (
	server = netip.MustParseAddr("10.0.0.10")
	day    = time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
)

// nas is a RADIUS client.
type nas struct {
	name    string
	addr    netip.Addr
	port    uint16
	secret  string // what the NAS uses
	station string // Calling-Station-Id
	called  string
	msgAuth bool // sends Message-Authenticator in Access-Requests
	ident   uint8
	mac     net.HardwareAddr
}

var (
	vpn  = &nas{name: "vpn-gw", addr: netip.MustParseAddr("10.0.0.1"), port: 50412, secret: "vpn-secret", called: "198.51.100.10", msgAuth: true, ident: 40, mac: net.HardwareAddr{2, 0, 0, 0, 0, 1}}
	rdgw = &nas{name: "rdgw", addr: netip.MustParseAddr("10.0.0.2"), port: 61001, secret: "rdgw-secret", station: "UserAuthType:PW", called: "UserAuthType:PW", ident: 7, mac: net.HardwareAddr{2, 0, 0, 0, 0, 2}}
	// The WLC still holds the secret from before the rotation.
	wlc = &nas{name: "wlc", addr: netip.MustParseAddr("10.0.0.3"), port: 1645, secret: "wlc-secret-2024", station: "AA-BB-CC-00-00-09", called: "00-11-22-33-44-55:CORP", msgAuth: true, ident: 200, mac: net.HardwareAddr{2, 0, 0, 0, 0, 3}}
)

var serverMAC = net.HardwareAddr{2, 0, 0, 0, 0, 0x10}

// npsSecret is what NPS01 holds for each client.
var npsSecret = map[string]string{"vpn-gw": "vpn-secret", "rdgw": "rdgw-secret", "wlc": "wlc-secret"}

type frame struct {
	t    time.Time
	data []byte
}

type out struct {
	frames []frame
	logs   []model.Message
	events []model.Message
	serial int
	cid    int
	auth   byte
}

func at(h, m, s, ms int) time.Time {
	return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second + time.Duration(ms)*time.Millisecond)
}

// attr is one RADIUS attribute.
type attr struct {
	t byte
	v []byte
}

func str(t byte, s string) attr { return attr{t, []byte(s)} }
func u32(t byte, n uint32) attr {
	b := make([]byte, 4)
	binary.BigEndian.PutUint32(b, n)
	return attr{t, b}
}
func ip(t byte, a netip.Addr) attr { b := a.As4(); return attr{t, b[:]} }

func encode(code, ident byte, auth []byte, attrs []attr, withMA bool) []byte {
	b := []byte{code, ident, 0, 0}
	b = append(b, auth...)
	for _, a := range attrs {
		b = append(b, a.t, byte(len(a.v)+2))
		b = append(b, a.v...)
	}
	if withMA {
		b = append(b, 80, 18)
		b = append(b, make([]byte, 16)...)
	}
	binary.BigEndian.PutUint16(b[2:], uint16(len(b)))
	return b
}

// udp wraps a RADIUS packet in Ethernet, IPv4 and UDP.
func udp(src, dst netip.Addr, sport, dport uint16, smac, dmac net.HardwareAddr, payload []byte) []byte {
	eth := &layers.Ethernet{SrcMAC: smac, DstMAC: dmac, EthernetType: layers.EthernetTypeIPv4}
	ip4 := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolUDP, SrcIP: src.AsSlice(), DstIP: dst.AsSlice(), Id: uint16(len(payload))}
	u := &layers.UDP{SrcPort: layers.UDPPort(sport), DstPort: layers.UDPPort(dport)}
	if err := u.SetNetworkLayerForChecksum(ip4); err != nil {
		log.Fatal(err)
	}
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, eth, ip4, u, gopacket.Payload(payload)); err != nil {
		log.Fatal(err)
	}
	return bytes.Clone(buf.Bytes())
}

// request is one Access-Request as the NAS sends it (and re-sends it).
type request struct {
	n     *nas
	ident byte
	auth  []byte
	pkt   []byte
}

func (o *out) nextAuth() []byte {
	o.auth++
	a := make([]byte, 16)
	for i := range a {
		a[i] = o.auth*31 + byte(i)*7 + 1
	}
	return a
}

// accessRequest builds a PAP Access-Request of user from n.
func (o *out) accessRequest(n *nas, user, password string, state []byte) request {
	n.ident++
	auth := o.nextAuth()
	attrs := []attr{
		str(1, user),
		{2, secret.EncryptUserPassword([]byte(n.secret), auth, []byte(password))},
		ip(4, n.addr),
		u32(5, 7),
		u32(6, 2), // Framed
		u32(7, 1), // PPP
		str(30, n.called),
		str(31, n.stationFor(user)),
		str(32, n.name),
		u32(61, 5), // Virtual
	}
	if state != nil {
		attrs = append(attrs, attr{24, state})
	}
	p := encode(1, n.ident, auth, attrs, n.msgAuth)
	if n.msgAuth {
		if err := secret.SignRequest([]byte(n.secret), p); err != nil {
			log.Fatal(err)
		}
	}
	return request{n: n, ident: n.ident, auth: auth, pkt: p}
}

// stations of the VPN users (their public addresses).
var stations = map[string]string{
	`CONTOSO\alice`: "203.0.113.21", `CONTOSO\bob`: "198.51.100.77", `CONTOSO\dave`: "192.0.2.14",
	`CONTOSO\mallory`: "185.220.101.9", `CONTOSO\frank`: "198.51.100.90",
}

func (n *nas) stationFor(user string) string {
	if n.station != "" {
		return n.station
	}
	return stations[user]
}

// send captures a packet from the NAS to NPS (true time t).
func (o *out) send(t time.Time, n *nas, dport uint16, p []byte) {
	o.frames = append(o.frames, frame{t.Add(captureSkew), udp(n.addr, server, n.port, dport, n.mac, serverMAC, p)})
}

// answer captures NPS's response to r.
func (o *out) answer(t time.Time, r request, code byte, attrs []attr) {
	p := encode(code, r.ident, make([]byte, 16), attrs, true)
	if err := secret.SignResponse([]byte(npsSecret[r.n.name]), p, r.auth); err != nil {
		log.Fatal(err)
	}
	o.frames = append(o.frames, frame{t.Add(captureSkew), udp(server, r.n.addr, 1812, r.n.port, serverMAC, r.n.mac, p)})
}

// record adds an NPS log record.
func (o *out) record(t time.Time, n *nas, code model.Code, user, class, policy string, authType, reason int, extra ...model.Attr) {
	m := model.Message{
		Time: t, Kind: model.KindRecord, Code: code, Computer: computer, Service: "IAS", User: user,
		NASAddr: n.addr, NASID: n.name, ClientAddr: n.addr, ClientName: n.name, Class: class,
		AuthType: authType, ProxyPolicy: crp, Policy: policy, Reason: reason, Ident: model.NoIdent, Attrs: extra,
	}
	if code.IsRequest() {
		m.CallingStation = n.stationFor(user)
		m.CalledStation = n.called
		m.Attrs = append([]model.Attr{{Name: "NAS-Port-Type", Value: "Virtual"}, {Name: "Service-Type", Value: "Framed"}}, m.Attrs...)
		m.Policy = ""
		if reason == model.NoReason {
			m.Reason = 0
		}
	}
	o.logs = append(o.logs, m)
}

func (o *out) class() string {
	o.serial++
	return fmt.Sprintf("%s%d", classBase, 100+o.serial)
}

func (o *out) nextCID() string {
	o.cid++
	return fmt.Sprintf("7b0c6c2e-8a51-4d1e-9c1a-%012d", 500+o.cid)
}

// security adds a Security 6272/6273 event.
func (o *out) security(t time.Time, id int, n *nas, user, policy string, authType, reason int) {
	code := model.CodeAccessAccept
	if id == 6273 {
		code = model.CodeAccessReject
	}
	o.events = append(o.events, model.Message{
		Time: t, Kind: model.KindEvent, Code: code, Computer: eventHost, User: user, NASAddr: n.addr, NASID: n.name,
		ClientAddr: n.addr, ClientName: n.name, CallingStation: n.stationFor(user), CalledStation: n.called,
		ProxyPolicy: crp, Policy: policy, AuthType: authType, Reason: reason, Ident: model.NoIdent,
		Attrs: []model.Attr{{Name: "NAS-Port-Type", Value: "Virtual"}, {Name: "NAS-Port", Value: "7"}},
		Event: &model.Event{ID: id},
	})
}

// mfa adds an AzureMfa AuthZ event.
func (o *out) mfa(t time.Time, upn string, x model.MFA) {
	o.events = append(o.events, model.Message{Time: t, Kind: model.KindEvent, Computer: eventHost, User: upn,
		Reason: model.NoReason, Ident: model.NoIdent, MFA: &x, Event: &model.Event{Channel: npslog.AuthZChannel}})
}

func main() {
	dir := "testdata/incident"
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	o := &out{}

	// 1. bob, VPN, push approved after 12 s; the VPN gateway's 5 s timeout
	// makes it retransmit twice, NPS discards the duplicates.
	t := at(9, 2, 5, 120)
	c := o.class()
	r := o.accessRequest(vpn, `CONTOSO\bob`, "Summer2026!", nil)
	o.send(t, vpn, 1812, r.pkt)
	o.record(t.Add(3*time.Millisecond), vpn, model.CodeAccessRequest, `CONTOSO\bob`, c, "", 1, model.NoReason)
	o.send(t.Add(5*time.Second), vpn, 1812, r.pkt)
	o.send(t.Add(10*time.Second), vpn, 1812, r.pkt)
	done := t.Add(12*time.Second + 40*time.Millisecond)
	o.mfa(done.Add(-5*time.Millisecond), "bob@contoso.com", model.MFA{CID: o.nextCID(), Outcome: "accepted", Result: "Success"})
	o.answer(done, r, 2, []attr{str(25, c), u32(6, 2), u32(7, 1)})
	o.record(done, vpn, model.CodeAccessAccept, `CONTOSO\bob`, c, npVPN, 1, 0)
	o.security(done.Add(2*time.Millisecond), 6272, vpn, `CONTOSO\bob`, npVPN, 1, 0)
	// bob's accounting Start carries the Accept's Class.
	acct := func(t time.Time, n *nas, user, session string, status uint32, class string) {
		n.ident++
		attrs := []attr{str(1, user), ip(4, n.addr), u32(40, status), str(44, session), str(31, n.stationFor(user)), str(32, n.name), u32(61, 5)}
		if class != "" {
			attrs = append(attrs, str(25, class))
		}
		p := encode(4, n.ident, make([]byte, 16), attrs, false)
		if err := secret.SignRequest([]byte(n.secret), p); err != nil {
			log.Fatal(err)
		}
		auth := bytes.Clone(p[4:20])
		o.frames = append(o.frames, frame{t.Add(captureSkew), udp(n.addr, server, n.port+1, 1813, n.mac, serverMAC, p)})
		m := model.Message{Time: t.Add(4 * time.Millisecond), Kind: model.KindRecord, Code: model.CodeAccountingRequest, Computer: computer,
			Service: "IAS", User: user, NASAddr: n.addr, NASID: n.name, ClientAddr: n.addr, ClientName: n.name,
			CallingStation: n.stationFor(user), Class: class, AcctSessionID: session, AcctStatus: int(status), Reason: 0, Ident: model.NoIdent,
			Attrs: []model.Attr{{Name: "NAS-Port-Type", Value: "Virtual"}}}
		o.logs = append(o.logs, m)
		resp := encode(5, n.ident, make([]byte, 16), nil, false)
		if err := secret.SignResponse([]byte(npsSecret[n.name]), resp, auth); err != nil {
			log.Fatal(err)
		}
		o.frames = append(o.frames, frame{t.Add(captureSkew + 6*time.Millisecond), udp(server, n.addr, 1813, n.port+1, serverMAC, n.mac, resp)})
	}
	acct(at(9, 2, 18, 300), vpn, `CONTOSO\bob`, "8C1D0E01", 1, c)

	// 2. alice, VPN, 09:14: her on-premises UPN alice@contoso.local is not
	// a cloud sign-in name; the MFA lookup takes 16 s and ends in
	// UserNotFound, while the VPN gateway retransmits three times.
	t = at(9, 14, 3, 210)
	c = o.class()
	r = o.accessRequest(vpn, `CONTOSO\alice`, "Autumn#2026", nil)
	o.send(t, vpn, 1812, r.pkt)
	o.record(t.Add(2*time.Millisecond), vpn, model.CodeAccessRequest, `CONTOSO\alice`, c, "", 1, model.NoReason)
	for i := 1; i <= 3; i++ {
		o.send(t.Add(time.Duration(i)*5*time.Second), vpn, 1812, r.pkt)
	}
	done = t.Add(16*time.Second + 190*time.Millisecond)
	o.mfa(done.Add(-8*time.Millisecond), "alice@contoso.local", model.MFA{CID: o.nextCID(), Outcome: "rejected", Result: "UserNotFound",
		Method: "MSODS Graph call returned user not found error."})
	o.answer(done, r, 3, nil)
	o.record(done, vpn, model.CodeAccessReject, `CONTOSO\alice`, c, npVPN, 8, 21)
	o.security(done.Add(3*time.Millisecond), 6273, vpn, `CONTOSO\alice`, npVPN, 8, 21)

	// 3. carol, RD Gateway (no Message-Authenticator), push approved after
	// 9.5 s: the gateway's 3 s default timeout fires twice and it gives up.
	t = at(9, 20, 40, 0)
	c = o.class()
	r = o.accessRequest(rdgw, `CONTOSO\carol`, "", nil)
	o.send(t, rdgw, 1812, r.pkt)
	o.record(t.Add(2*time.Millisecond), rdgw, model.CodeAccessRequest, `CONTOSO\carol`, c, "", 1, model.NoReason)
	o.send(t.Add(3*time.Second), rdgw, 1812, r.pkt)
	o.send(t.Add(6*time.Second), rdgw, 1812, r.pkt)
	done = t.Add(9*time.Second + 500*time.Millisecond)
	o.mfa(done.Add(-4*time.Millisecond), "carol@contoso.com", model.MFA{CID: o.nextCID(), Outcome: "accepted", Result: "Success"})
	o.answer(done, r, 2, []attr{str(25, c)})
	o.record(done, rdgw, model.CodeAccessAccept, `CONTOSO\carol`, c, npRDG, 1, 0)
	o.security(done.Add(2*time.Millisecond), 6272, rdgw, `CONTOSO\carol`, npRDG, 1, 0)

	// 4. dave, VPN, PAP: the extension asks for a one-time code and nothing
	// comes back.
	t = at(9, 31, 10, 500)
	c = o.class()
	r = o.accessRequest(vpn, `CONTOSO\dave`, "Winter.2026", nil)
	o.send(t, vpn, 1812, r.pkt)
	o.record(t.Add(2*time.Millisecond), vpn, model.CodeAccessRequest, `CONTOSO\dave`, c, "", 1, model.NoReason)
	state := "5b1f6c2e-8d0a-4c43-9a1e-00000000d4fe"
	done = t.Add(640 * time.Millisecond)
	o.mfa(done.Add(-3*time.Millisecond), "dave@contoso.com", model.MFA{CID: o.nextCID(), Outcome: "challenge", Result: "Challenge", State: state})
	o.answer(done, r, 11, []attr{str(24, state), str(18, otpPrompt)})
	o.record(done, vpn, model.CodeAccessChallenge, `CONTOSO\dave`, c, npVPN, 1, 0,
		model.Attr{Name: "State", Value: state}, model.Attr{Name: "Reply-Message", Value: otpPrompt})

	// 5. mallory, VPN, wrong password: NPS rejects before MFA.
	t = at(9, 38, 2, 0)
	c = o.class()
	r = o.accessRequest(vpn, `CONTOSO\mallory`, "password1", nil)
	o.send(t, vpn, 1812, r.pkt)
	o.record(t.Add(2*time.Millisecond), vpn, model.CodeAccessRequest, `CONTOSO\mallory`, c, "", 1, model.NoReason)
	done = t.Add(35 * time.Millisecond)
	o.mfa(done.Add(-2*time.Millisecond), `CONTOSO\mallory`, model.MFA{Outcome: "ignored", Result: "AccessReject"})
	o.answer(done, r, 3, nil)
	o.record(done, vpn, model.CodeAccessReject, `CONTOSO\mallory`, c, "", 1, 16)
	o.security(done.Add(2*time.Millisecond), 6273, vpn, `CONTOSO\mallory`, "", 1, 16)

	// 6. erin through the WLC, whose shared secret is stale: NPS drops
	// every try without an answer or a log record.
	t = at(9, 45, 0, 0)
	r = o.accessRequest(wlc, "erin@contoso.com", "Spring-2026", nil)
	for i := 0; i < 3; i++ {
		o.send(t.Add(time.Duration(i)*5*time.Second), wlc, 1812, r.pkt)
	}

	// 7. frank's VPN session starts with no authentication in sight.
	acct(at(10, 5, 0, 0), vpn, `CONTOSO\frank`, "8C1D0E07", 1, "")

	write(dir, o)
}

func write(dir string, o *out) {
	var pc bytes.Buffer
	w := pcapgo.NewWriterNanos(&pc)
	if err := w.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
		log.Fatal(err)
	}
	for _, f := range o.frames {
		ci := gopacket.CaptureInfo{Timestamp: f.t, CaptureLength: len(f.data), Length: len(f.data)}
		if err := w.WritePacket(ci, f.data); err != nil {
			log.Fatal(err)
		}
	}
	save(filepath.Join(dir, "capture.pcap"), pc.Bytes())

	var lb bytes.Buffer
	lw := npslog.NewWriter(&lb, model.FormatDTS, time.UTC)
	for _, m := range o.logs {
		if err := lw.Write(m); err != nil {
			log.Fatal(err)
		}
	}
	save(filepath.Join(dir, "IN261102.log"), lb.Bytes())

	var sec, authz bytes.Buffer
	sw, aw := npslog.NewEventWriter(&sec), npslog.NewEventWriter(&authz)
	var rec uint64 = 81000
	for _, m := range o.events {
		rec++
		m.Event.RecordID = rec
		wr := sw
		if m.MFA != nil {
			wr = aw
		}
		if err := wr.Write(m); err != nil {
			log.Fatal(err)
		}
	}
	save(filepath.Join(dir, "NPS01-Security.xml"), sec.Bytes())
	save(filepath.Join(dir, "NPS01-AuthZOptCh.xml"), authz.Bytes())
	save(filepath.Join(dir, "secrets.txt"), []byte("# What NPS01 holds for its RADIUS clients (test secrets only).\n10.0.0.1 vpn-secret\n10.0.0.2 rdgw-secret\n10.0.0.3 wlc-secret\n"))
}

func save(path string, b []byte) {
	if err := os.WriteFile(path, b, 0o644); err != nil {
		log.Fatal(err)
	}
}
