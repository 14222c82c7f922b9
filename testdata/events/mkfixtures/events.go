package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/radscope/radscope/parse/winevent"
)

// Conventions shared with testdata/iaslogs: NPS server NPS01 (10.0.0.10),
// domain CONTOSO / contoso.local, clients vpn-gw 10.0.0.1, rdgw 10.0.0.2,
// wlc 10.0.0.3, the MFA day of 2024-03-05 in CET (UTC+01:00).
var cet = time.FixedZone("CET", 3600)

const (
	npsHost   = "NPS01.contoso.local"
	rdgHost   = "RDGW.contoso.local"
	secGUID   = "{54849625-5478-4994-A5BA-3E3B0328C30D}"
	rdgGUID   = "{4D5AE6A1-C7C8-4E6D-B840-4D8080B42E1B}"
	mfaGUID   = "{7237ED00-E119-430B-AB0F-C63360C8EE81}"
	crp       = "Use Windows authentication for all users"
	crpWiFi   = "Wi-Fi & wired 802.1X"
	npVPN     = "VPN, MFA required"
	npWiFi    = `Wi-Fi "Corp" 802.1X`
	npRDG     = "RD Gateway - MFA"
	logResult = "Accounting information was written to the local log file."
	nullSID   = "S-1-0-0"
)

type user struct {
	sam, canonical, mac, ip, upn, sid string
}

var users = map[string]user{
	"alice":   {"alice", "contoso.local/Staff/IT/Alice Smith", "aa-bb-cc-00-00-01", "203.0.113.21", "alice@contoso.local", "S-1-5-21-3623811015-3361044348-30300820-1101"},
	"bob":     {"bob", "contoso.local/Staff/Sales, EMEA/Bob Jones", "aa-bb-cc-00-00-02", "198.51.100.77", "bob@contoso.local", "S-1-5-21-3623811015-3361044348-30300820-1102"},
	"carol":   {"carol", "contoso.local/Staff/Finance/Carol Béranger", "aa-bb-cc-00-00-03", "203.0.113.40", "carol@contoso.local", "S-1-5-21-3623811015-3361044348-30300820-1103"},
	"dave":    {"dave", "contoso.local/Staff/Ops/Dave Brown", "aa-bb-cc-00-00-04", "192.0.2.14", "dave@contoso.local", "S-1-5-21-3623811015-3361044348-30300820-1104"},
	"mallory": {"mallory", "contoso.local/Contractors/Mallory Evans", "aa-bb-cc-00-00-66", "185.220.101.9", "mallory@contoso.local", "S-1-5-21-3623811015-3361044348-30300820-1166"},
}

type client struct {
	name, addr, portType, called string
}

var (
	vpnGW = client{"vpn-gw", "10.0.0.1", "Virtual", "198.51.100.10"}
	rdgw  = client{"rdgw", "10.0.0.2", "Virtual", "-"}
	wlc   = client{"wlc", "10.0.0.3", "Wireless - IEEE 802.11", "00-11-22-33-44-55:CORP"}
)

// event is one event in a neutral form, rendered to every format.
type event struct {
	t         time.Time // UTC
	id        int
	version   int
	channel   string
	provider  string
	guid      string
	computer  string
	level     int
	task      int
	opcode    int
	keywords  uint64
	qualifier int
	data      []field // EventData, named
	unnamed   []string
	userData  []field // RD Gateway EventInfo
	message   string
	record    uint64
	pid, tid  int
}

type field struct{ name, value string }

func (e *event) levelName() string {
	switch e.level {
	case 1:
		return "Critical"
	case 2:
		return "Error"
	case 3:
		return "Warning"
	}
	return "Information"
}

func (e *event) taskName() string {
	switch {
	case e.id >= 6272 && e.id <= 6280:
		return "Network Policy Server"
	case e.task == 0:
		return "None"
	}
	return fmt.Sprint(e.task)
}

func (e *event) keywordName() string {
	switch e.keywords {
	case 0x8020000000000000:
		return "Audit Success"
	case 0x8010000000000000:
		return "Audit Failure"
	case 0x80000000000000:
		return "Classic"
	}
	return ""
}

func at(day, clock string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04:05.000", day+" "+clock, cet)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// nps builds Security event id (6272-6278) in version ver for u via c.
func nps(t time.Time, id, ver int, u user, c client, authType, eap, np, crpName string, reason int, sessionID string) event {
	vals := map[string]string{
		"SubjectUserSid": u.sid, "SubjectUserName": `CONTOSO\` + u.sam, "SubjectDomainName": "CONTOSO",
		"FullyQualifiedSubjectUserName": `CONTOSO\` + u.sam, "SubjectMachineSID": nullSID, "SubjectMachineName": "-",
		"FullyQualifiedSubjectMachineName": "-", "MachineInventory": "-", "CalledStationID": c.called,
		"CallingStationID": u.ip, "NASIPv4Address": c.addr, "NASIPv6Address": "-", "NASIdentifier": c.name,
		"NASPortType": c.portType, "NASPort": "-", "ClientName": c.name, "ClientIPAddress": c.addr,
		"ProxyPolicyName": crpName, "NetworkPolicyName": np, "AuthenticationProvider": "Windows",
		"AuthenticationServer": npsHost, "AuthenticationType": authType, "EAPType": eap,
		"AccountSessionIdentifier": sessionID, "QuarantineState": "Full Access", "QuarantineSessionIdentifier": "-",
		"LoggingResult": logResult, "ExtendedQuarantineState": "-", "QuarantineSessionID": "-",
		"QuarantineHelpURL": "-", "QuarantineSystemHealthResult": "-", "QuarantineGraceTime": "-",
	}
	if id == 6272 || id >= 6276 {
		vals["FullyQualifiedSubjectUserName"] = u.canonical
	}
	switch c {
	case wlc:
		vals["CallingStationID"] = u.mac
		vals["NASPort"] = "0"
	case rdgw:
		vals["CallingStationID"] = "UserAuthType:PW"
	default:
		vals["NASPort"] = "7"
	}
	if strings.Contains(u.sam, "@") {
		vals["SubjectUserName"] = u.sam
		vals["SubjectDomainName"] = "-"
		vals["FullyQualifiedSubjectUserName"] = "-"
		vals["SubjectUserSid"] = nullSID
	}
	if reason >= 0 {
		vals["ReasonCode"] = fmt.Sprint(reason)
		vals["Reason"] = reasonText[reason]
	}
	if np == "" {
		vals["NetworkPolicyName"] = "-"
	}
	if crpName == "" {
		vals["ProxyPolicyName"] = "-"
	}
	e := event{t: t, id: id, version: ver, channel: "Security", provider: winevent.ProviderSecurity, guid: secGUID,
		computer: npsHost, task: 12552, keywords: 0x8020000000000000, pid: 716, tid: 3120}
	if id == 6273 || id == 6274 || id == 6275 || id == 6279 {
		e.keywords = 0x8010000000000000
	}
	for _, n := range winevent.FieldNames(id, ver) {
		e.data = append(e.data, field{n, vals[n]})
	}
	e.message = securityMessage(&e)
	return e
}

// reasonText holds the Reason strings the fixtures use, as Windows writes
// them in the events.
var reasonText = map[int]string{
	7:  "The specified domain does not exist.",
	9:  "The request was discarded by a third-party extension DLL file.",
	16: "Authentication failed due to a user credentials mismatch. Either the user name provided does not map to an existing user account or the password was incorrect.",
	21: "An NPS extension dynamic link library (DLL) that is installed on the NPS server rejected the connection request.",
	36: "The user account is locked out.",
	48: "The connection request did not match any configured network policy.",
	49: "The connection request did not match any configured connection request policy.",
}

func mfaEvent(t time.Time, channel string, id, level int, text string) event {
	provider := "Microsoft-AzureMfa-AuthZ"
	if strings.Contains(channel, "AuthN") {
		provider = "Microsoft-AzureMfa-AuthN"
	}
	return event{t: t, id: id, channel: channel, provider: provider, guid: mfaGUID, computer: npsHost, level: level,
		keywords: 0x8000000000000000, unnamed: []string{text}, message: text, pid: 716, tid: 2212}
}

func rdg(t time.Time, id int, u user, extra ...field) event {
	ud := []field{{"Username", `CONTOSO\` + u.sam}, {"IpAddress", u.ip}, {"AuthType", "NTLM"},
		{"Resource", "ws-" + u.sam + ".contoso.local"}, {"ConnectionProtocol", "HTTP"}, {"ErrorCode", "0"}}
	if id == 312 {
		ud = []field{{"Username", `CONTOSO\` + u.sam}, {"IpAddress", u.ip + ":51544"}}
	}
	ud = append(ud, extra...)
	for i, f := range ud {
		for _, x := range extra {
			if x.name == f.name {
				ud[i].value = x.value
			}
		}
	}
	ud = dedupe(ud)
	task := map[int]int{200: 2, 201: 2, 300: 5, 302: 3, 303: 3, 312: 3}[id]
	op := 30
	if id == 303 {
		op = 44
	}
	e := event{t: t, id: id, channel: winevent.ChannelRDG, provider: winevent.ProviderRDG, guid: rdgGUID,
		computer: rdgHost, level: 4, task: task, opcode: op, keywords: 0x4000000000000000, userData: ud, pid: 1408, tid: 2384}
	if id == 201 {
		e.level = 3
	}
	e.message = rdgMessage(&e)
	return e
}

func dedupe(fs []field) []field {
	seen := map[string]bool{}
	var out []field
	for _, f := range fs {
		if !seen[f.name] {
			seen[f.name] = true
			out = append(out, f)
		}
	}
	return out
}

func npsSys(t time.Time, id, level int, msg string, data ...string) event {
	return event{t: t, id: id, channel: "System", provider: "NPS", computer: npsHost, level: level,
		keywords: 0x80000000000000, qualifier: map[int]int{2: 49152, 3: 32768}[level], unnamed: data, message: msg}
}

const (
	day = "2024-03-05"
	cid = "4f0c6c2e-8a51-4d1e-9c1a-"
)

func cidN(n int) string   { return fmt.Sprintf("%s%012d", cid, n) }
func stateN(n int) string { return fmt.Sprintf("300c9d6c-7734-4165-83d3-%012d", n) }

const mfaPrefix = "NPS Extension for Azure MFA: "

// mfaDay is 2024-03-05 on NPS01 and rdgw, matching the records of
// testdata/iaslogs/mfa-day (same users, clients, times, outcomes).
func mfaDay() []event {
	u := users
	authz := winevent.ChannelAuthZ
	ignore := func(t time.Time, n int, who, state string) event {
		return mfaEvent(t, authz, 1, 4, fmt.Sprintf("%sCID: %s : "+
			"NPS Extension for Azure MFA only performs Secondary Auth for Radius requests in AccessAccept State. "+
			"Request received for User %s with response state %s, ignoring request.", mfaPrefix, cidN(n), who, state))
	}
	challenge := func(t time.Time, n int, who string) event {
		return mfaEvent(t, authz, 1, 4, fmt.Sprintf("%sCID: %s : Challenge requested in Authentication Ext for User %s with state %s",
			mfaPrefix, cidN(n), who, stateN(n)))
	}
	rejected := func(t time.Time, n int, who, code, msg string) event {
		return mfaEvent(t, authz, 1, 2, fmt.Sprintf("%sCID: %s : Access Rejected for user %s with Azure MFA response: %s and message: %s",
			mfaPrefix, cidN(n), who, code, msg))
	}
	var evs []event
	add := func(e ...event) { evs = append(evs, e...) }

	// The extension's start-up complaint about the optional IP_WHITELIST.
	add(mfaEvent(at(day, "06:00:02.118"), authz, 2, 2, mfaPrefix+"IP Whitelist not intialized::  ErrorCode:: REGISTRY_CONFIG_ERROR Msg:: Neither registry entry not default value found for key: IP_WHITELIST"))
	add(npsSys(at(day, "06:00:03.000"), 4400, 4, "A LDAP connection with domain controller DC01.contoso.local for domain CONTOSO is established.", "DC01.contoso.local", "CONTOSO"))
	// alice, VPN PAP: the OTP challenge, then the Accept.
	add(challenge(at(day, "07:58:12.204"), 1, u["alice"].upn))
	add(nps(at(day, "07:58:31.511"), 6272, 2, u["alice"], vpnGW, "PAP", "-", npVPN, crp, -1, "-"))
	// bob, VPN MS-CHAPv2 push.
	add(nps(at(day, "08:05:40.377"), 6272, 2, u["bob"], vpnGW, "MS-CHAPv2", "-", npVPN, crp, -1, "-"))
	// mallory, three wrong passwords: NPS rejects, the extension ignores.
	for i, clock := range []string{"08:12:03.101", "08:12:09.090", "08:12:15.123"} {
		t := at(day, clock)
		add(ignore(t, 10+i, `CONTOSO\mallory`, "AccessReject"))
		add(nps(t.Add(2*time.Millisecond), 6273, 2, u["mallory"], vpnGW, "MS-CHAPv2", "-", "", crp, 16, "-"))
	}
	// carol, Wi-Fi PEAP: NPS's own EAP challenges are ignored by the extension.
	for i := 0; i < 3; i++ {
		add(ignore(at(day, "08:20:44.050").Add(time.Duration(i)*100*time.Millisecond), 20+i, "carol@contoso.local", "AccessChallenge"))
	}
	add(nps(at(day, "08:20:44.612"), 6272, 2, u["carol"], wlc, "PEAP", "Microsoft: Secured password (EAP-MSCHAP v2)", npWiFi, crpWiFi, -1, "65e6c3a1/aa:bb:cc:00:00:03/1187"))
	// dave, RD Gateway twice: TOTP demanded, the gateway cannot answer a
	// challenge; NPS logs reason 21, the gateway 201 with error 23003.
	for i, clock := range []string{"09:02:17.300", "09:02:50.410"} {
		t := at(day, clock)
		add(rdg(t.Add(-800*time.Millisecond), 312, u["dave"]))
		add(challenge(t, 30+i, u["dave"].upn))
		add(nps(t.Add(3*time.Millisecond), 6273, 2, u["dave"], rdgw, "Extension", "-", npRDG, crp, 21, "-"))
		add(rdg(t.Add(40*time.Millisecond), 201, u["dave"], field{"ErrorCode", "23003"}))
	}
	// dave, RD Gateway with the push (after OVERRIDE_NUMBER_MATCHING_WITH_OTP=FALSE).
	t := at(day, "09:10:05.020")
	add(rdg(t.Add(-900*time.Millisecond), 312, u["dave"]))
	add(nps(t, 6272, 2, u["dave"], rdgw, "Unauthenticated", "-", npRDG, crp, -1, "-"))
	add(rdg(t.Add(50*time.Millisecond), 200, u["dave"]))
	add(rdg(t.Add(90*time.Millisecond), 300, u["dave"]))
	add(rdg(t.Add(400*time.Millisecond), 302, u["dave"]))
	add(rdg(at(day, "09:48:41.000"), 303, u["dave"], field{"BytesReceived", "1948310"}, field{"BytesTransfered", "88213"}, field{"SessionDuration", "2315"}, field{"ErrorCode", "1226"}))
	// carol, VPN, no matching network policy (48).
	t = at(day, "10:41:09.740")
	add(ignore(t, 40, `CONTOSO\carol`, "AccessReject"))
	add(nps(t.Add(time.Millisecond), 6273, 2, u["carol"], vpnGW, "MS-CHAPv2", "-", "", crp, 48, "-"))
	// mallory@fabrikam.example via the WLC, no connection request policy
	// (49), logged by an older NPS in version 1.
	fab := user{sam: "mallory@fabrikam.example", ip: "", mac: "aa-bb-cc-00-00-66", canonical: "-"}
	add(nps(at(day, "11:30:05.004"), 6273, 1, fab, wlc, "PEAP", "-", "", "", 49, "-"))
	// alice, PAP with a wrong OTP: the reason-21 reject and its AuthZ event.
	add(challenge(at(day, "13:45:00.150"), 50, u["alice"].upn))
	t = at(day, "13:45:21.333")
	add(rejected(t, 51, u["alice"].upn, "OathCodeIncorrect", `Wrong code entered\OATH Code Incorrect`))
	add(nps(t.Add(4*time.Millisecond), 6273, 2, u["alice"], vpnGW, "Extension", "-", npVPN, crp, 21, "-"))
	// mallory via RD Gateway, wrong password.
	t = at(day, "14:00:31.870")
	add(ignore(t, 60, `CONTOSO\mallory`, "AccessReject"))
	add(nps(t.Add(time.Millisecond), 6273, 2, u["mallory"], rdgw, "PAP", "-", "", crp, 16, "-"))
	// dave, VPN MS-CHAPv2 push.
	add(nps(at(day, "18:05:10.091"), 6272, 2, u["dave"], vpnGW, "MS-CHAPv2", "-", npVPN, crp, -1, "-"))
	return evs
}

// others covers the events outside the MFA day: every other Security
// event ID, both 6273 versions, the other AzureMfa messages, NPS System
// events and one event radscope knows nothing about.
func others() []event {
	u := users
	d := "2024-03-06"
	var evs []event
	add := func(e ...event) { evs = append(evs, e...) }
	add(nps(at(d, "09:00:00.100"), 6272, 1, u["bob"], wlc, "PEAP", "Microsoft: Secured password (EAP-MSCHAP v2)", npWiFi, crpWiFi, -1, "-"))
	add(nps(at(d, "09:00:10.200"), 6273, 1, u["carol"], wlc, "PEAP", "Microsoft: Secured password (EAP-MSCHAP v2)", "", crpWiFi, 7, "-"))
	add(nps(at(d, "09:00:20.300"), 6274, 1, u["alice"], vpnGW, "PAP", "-", npVPN, crp, 9, "-"))
	add(nps(at(d, "09:00:30.400"), 6275, 1, u["bob"], vpnGW, "MS-CHAPv2", "-", npVPN, crp, 9, "8C1D00B1"))
	add(nps(at(d, "09:00:40.500"), 6276, 0, u["carol"], wlc, "PEAP", "Microsoft: Secured password (EAP-MSCHAP v2)", npWiFi, crpWiFi, -1, "-"))
	add(nps(at(d, "09:00:50.600"), 6277, 0, u["dave"], vpnGW, "MS-CHAPv2", "-", npVPN, crp, -1, "-"))
	add(nps(at(d, "09:01:00.700"), 6278, 0, u["alice"], vpnGW, "MS-CHAPv2", "-", npVPN, crp, -1, "-"))
	add(nps(at(d, "09:01:10.800"), 6279, 0, u["mallory"], vpnGW, "", "", "", "", -1, ""))
	add(nps(at(d, "09:31:10.900"), 6280, 0, u["mallory"], vpnGW, "", "", "", "", -1, ""))
	add(mfaEvent(at(d, "10:00:00.000"), winevent.ChannelAuthZ, 4, 3, mfaPrefix+"Radius request is missing NAS Identifier and Nas IpAddress attribute.Populating atleast one of these fields is recommended.This is not an error."))
	add(mfaEvent(at(d, "10:00:01.000"), winevent.ChannelAuthZ, 4, 3, mfaPrefix+"IP_WHITE_LIST_WARNING::IP Whitelist is being ignored as source IP is missing in RADIUS request in NasIpAddress attribute."))
	add(mfaEvent(at(d, "10:05:00.000"), winevent.ChannelAuthZAdm, 1, 2, mfaPrefix+"CID: "+cidN(70)+" :Exception in Authentication Ext for User bob@contoso.local :: ErrorCode:: CID :"+cidN(70)+" ESTS_TOKEN_ERROR Msg:: Verify the client certificate is properly enrolled in Azure against your tenant and the server can access URL in Registry STS_URL. Error authenticating to eSTS: ErrorCode:: ESTS_TOKEN_ERROR Msg:: Error in retreiving token details from request handle: -895352831"))
	add(mfaEvent(at(d, "10:06:00.000"), winevent.ChannelAuthN, 3, 2, mfaPrefix+"CID: "+cidN(71)+" :Exception in Authentication Ext for User carol@contoso.local :: ErrorCode:: CID :"+cidN(71)+" HTTP_CONNECT_ERROR Msg:: Unable to connect to https://adnotifications.windowsazure.com"))
	add(mfaEvent(at(d, "10:07:00.000"), winevent.ChannelAuthZ, 1, 2, mfaPrefix+"CID: "+cidN(72)+" : Access Rejected for user dave@contoso.local with Azure MFA response: UserNotFound and message: MSODS Graph call returned user not found error."))
	add(npsSys(at(d, "11:00:00.000"), 4402, 2, "There is no domain controller available for domain CONTOSO.", "CONTOSO"))
	add(npsSys(at(d, "11:00:05.000"), 4401, 3, "", "DC02.contoso.local", "CONTOSO"))
	add(npsSys(at(d, "11:00:10.000"), 4403, 3, "", "DC02.contoso.local", "CONTOSO"))
	add(npsSys(at(d, "11:00:15.000"), 4404, 3, "", "CONTOSO"))
	add(npsSys(at(d, "11:00:20.000"), 4405, 3, "", "CONTOSO"))
	add(npsSys(at(d, "11:10:00.000"), 13, 3, "A RADIUS message was received from the invalid RADIUS client IP address 10.0.0.99.", "10.0.0.99"))
	add(npsSys(at(d, "11:10:30.000"), 18, 3, "An Access-Request message was received from RADIUS client 10.0.0.2 with a Message-Authenticator attribute that is not valid.", "10.0.0.2"))
	add(event{t: at(d, "12:00:00.000"), id: 7036, channel: "System", provider: "Service Control Manager",
		guid: "{555908D1-A6D7-4695-8E1E-26931D2012F4}", computer: npsHost, level: 4, keywords: 0x8080000000000000,
		qualifier: 16384, data: []field{{"param1", "Network Policy Server"}, {"param2", "running"}},
		message: "The Network Policy Server service entered the running state."})
	return evs
}

func securityMessage(e *event) string {
	v := map[string]string{}
	for _, f := range e.data {
		v[f.name] = f.value
	}
	sid := func(s string) string {
		if s == nullSID {
			return "NULL SID"
		}
		if s == v["SubjectUserSid"] && v["SubjectUserName"] != "" {
			return v["SubjectUserName"]
		}
		return s
	}
	var b strings.Builder
	heads := map[int]string{
		6272: "Network Policy Server granted access to a user.",
		6273: "Network Policy Server denied access to a user.",
		6274: "Network Policy Server discarded the request for a user.",
		6275: "Network Policy Server discarded the accounting request for a user.",
		6276: "Network Policy Server quarantined a user.",
		6277: "Network Policy Server granted access to a user but put it on probation because the host did not meet the defined health policy.",
		6278: "Network Policy Server granted full access to a user because the host met the defined health policy.",
		6279: "Network Policy Server locked the user account due to repeated failed authentication attempts.",
		6280: "Network Policy Server unlocked the user account.",
	}
	b.WriteString(heads[e.id] + "\n\n")
	if e.id == 6273 || e.id == 6274 || e.id == 6275 {
		b.WriteString("Contact the Network Policy Server administrator for more information.\n\n")
	}
	line := func(label, name string) {
		if val, ok := v[name]; ok {
			if name == "SubjectUserSid" || name == "SubjectMachineSID" {
				val = sid(val)
			}
			fmt.Fprintf(&b, "\t%s:\t\t\t%s\n", label, val)
		}
	}
	b.WriteString("User:\n")
	line("Security ID", "SubjectUserSid")
	line("Account Name", "SubjectUserName")
	line("Account Domain", "SubjectDomainName")
	line("Fully Qualified Account Name", "FullyQualifiedSubjectUserName")
	if e.id == 6279 || e.id == 6280 {
		return strings.TrimRight(b.String(), "\n")
	}
	b.WriteString("\nClient Machine:\n")
	line("Security ID", "SubjectMachineSID")
	line("Account Name", "SubjectMachineName")
	line("Fully Qualified Account Name", "FullyQualifiedSubjectMachineName")
	line("OS-Version", "MachineInventory")
	line("Called Station Identifier", "CalledStationID")
	line("Calling Station Identifier", "CallingStationID")
	b.WriteString("\nNAS:\n")
	line("NAS IPv4 Address", "NASIPv4Address")
	line("NAS IPv6 Address", "NASIPv6Address")
	line("NAS Identifier", "NASIdentifier")
	line("NAS Port-Type", "NASPortType")
	line("NAS Port", "NASPort")
	b.WriteString("\nRADIUS Client:\n")
	line("Client Friendly Name", "ClientName")
	line("Client IP Address", "ClientIPAddress")
	b.WriteString("\nAuthentication Details:\n")
	line("Connection Request Policy Name", "ProxyPolicyName")
	line("Network Policy Name", "NetworkPolicyName")
	line("Authentication Provider", "AuthenticationProvider")
	line("Authentication Server", "AuthenticationServer")
	line("Authentication Type", "AuthenticationType")
	line("EAP Type", "EAPType")
	line("Account Session Identifier", "AccountSessionIdentifier")
	line("Logging Results", "LoggingResult")
	line("Reason Code", "ReasonCode")
	line("Reason", "Reason")
	if _, ok := v["QuarantineState"]; ok {
		b.WriteString("\nQuarantine Information:\n")
		line("Result", "QuarantineState")
		line("Extended Result", "ExtendedQuarantineState")
		line("Session Identifier", "QuarantineSessionIdentifier")
		line("Session Identifier", "QuarantineSessionID")
		line("Help URL", "QuarantineHelpURL")
		line("System Health Validator Result(s)", "QuarantineSystemHealthResult")
		line("Grace Time", "QuarantineGraceTime")
	}
	return strings.TrimRight(b.String(), "\n")
}

var rdgTemplates = map[int]string{
	200: `The user "%Username%", on client computer "%IpAddress%", met connection authorization policy requirements and was therefore authorized to access the RD Gateway server. The authentication method used was: "%AuthType%" and connection protocol used: "%ConnectionProtocol%".`,
	201: `The user "%Username%", on client computer "%IpAddress%", did not meet connection authorization policy requirements and was therefore not authorized to access the RD Gateway server. The authentication method used was: "%AuthType%" and connection protocol used: "%ConnectionProtocol%". The following error occurred: "%ErrorCode%".`,
	300: `The user "%Username%", on client computer "%IpAddress%", met resource authorization policy requirements and was therefore authorized to connect to resource "%Resource%".`,
	302: `The user "%Username%", on client computer "%IpAddress%", connected to resource "%Resource%". Connection protocol used: "%ConnectionProtocol%".`,
	303: `The user "%Username%", on client computer "%IpAddress%", disconnected from the following network resource: "%Resource%". Before the user disconnected, the client transferred %BytesTransfered% bytes and received %BytesReceived% bytes. The client session duration was %SessionDuration% seconds.`,
	312: `The user "%Username%", on client computer "%IpAddress%", has initiated an outbound connection. This connection may not be authenticated yet.`,
}

func rdgMessage(e *event) string {
	t := rdgTemplates[e.id]
	for _, f := range e.userData {
		t = strings.ReplaceAll(t, "%"+f.name+"%", f.value)
	}
	return t
}
