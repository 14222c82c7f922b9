package winevent_test

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/parse/winevent"
	"github.com/radscope/radscope/parse/winevent/evtx"
)

func TestParseMFAText(t *testing.T) {
	tests := []struct {
		name, text                          string
		ok                                  bool
		outcome, result, errCode, user, cid string
		state                               string
	}{
		{"challenge with state", "NPS Extension for Azure MFA: CID: 0B1A6C52-1C38-4A0D-9C1E-7E6F7D8C9B0A : Challenge requested in Authentication Ext for User jdoe@example.org with state 9D3F7C1A-2B4E-4F6A-8C0D-1E2F3A4B5C6D",
			true, winevent.MFAChallenge, "Challenge", "", "jdoe@example.org", "0b1a6c52-1c38-4a0d-9c1e-7e6f7d8c9b0a", "9d3f7c1a-2b4e-4f6a-8c0d-1e2f3a4b5c6d"},
		{"challenge without CID or state", "NPS Extension for Azure MFA: Challenge requested in Authentication Ext for User npstest.",
			true, winevent.MFAChallenge, "Challenge", "", "npstest", "", ""},
		{"rejected", "NPS Extension for Azure MFA: CID: 11111111-2222-3333-4444-555555555555 : Access Rejected for user Jane Doe with Azure MFA response: UserNotFound and message: MSODS Graph call returned user not found error.",
			true, winevent.MFARejected, "UserNotFound", "", "Jane Doe", "11111111-2222-3333-4444-555555555555", ""},
		{"rejected, long product name", "NPS Extension for Azure MFA: CID: 11111111-2222-3333-4444-555555555555 : Access Rejected for user x@y.z with Azure Multi-Factor Authentication response: AccessDenied and message: Caller tenant doesn't have access permissions",
			true, winevent.MFARejected, "AccessDenied", "", "x@y.z", "11111111-2222-3333-4444-555555555555", ""},
		{"accepted", "NPS Extension for Azure MFA: CID: 11111111-2222-3333-4444-555555555555 : Access Accepted for user x@y.z",
			true, winevent.MFAAccepted, "Success", "", "x@y.z", "11111111-2222-3333-4444-555555555555", ""},
		{"exception, two spaces, garbled second CID", "NPS Extension for Azure MFA:  CID: 22222222-3333-4444-5555-666666666666 :Exception in Authentication Ext for User EXAMPLE\\jd :: ErrorCode:: CID :2222x-garbled ESTS_TOKEN_ERROR Msg:: Verify the client certificate\nTrace ID: abc\nTimestamp: 2019-10-17 20:48:29Z",
			true, winevent.MFAError, "", "ESTS_TOKEN_ERROR", "EXAMPLE\\jd", "22222222-3333-4444-5555-666666666666", ""},
		{"registry config error", "NPS Extension for Azure MFA: IP Whitelist not intialized::  ErrorCode:: REGISTRY_CONFIG_ERROR Msg:: Neither registry entry not default value found for key: IP_WHITELIST",
			true, winevent.MFAError, "", "REGISTRY_CONFIG_ERROR", "", "", ""},
		{"http connect error without ErrorCode::", "NPS Extension for Azure MFA: CID: 33333333-4444-5555-6666-777777777777 : HTTP_CONNECT_ERROR: cannot reach the service",
			true, winevent.MFAError, "", "HTTP_CONNECT_ERROR", "", "33333333-4444-5555-6666-777777777777", ""},
		{"ip whitelist warning", `"NPS Extension for Azure MFA: IP_WHITE_LIST_WARNING::IP Whitelist is being ignored as source IP is missing."`,
			true, winevent.MFAWarning, "", "IP_WHITE_LIST_WARNING", "", "", ""},
		{"NAS attributes missing", "NPS Extension for Azure MFA: Radius request is missing NAS Identifier and Nas IpAddress attribute.Populating atleast one of these fields is recommended.This is not an error.",
			true, winevent.MFAWarning, "", "", "", "", ""},
		{"ignored, reject", "NPS Extension for Azure MFA only performs Secondary Auth for Radius requests in AccessAccept State. Request received for User someone with response state AccessReject, ignoring request.",
			true, winevent.MFAIgnored, "AccessReject", "", "someone", "", ""},
		{"ignored after an empty prefixed line", "NPS Extension for Azure MFA: \nNPS Extension for Azure MFA only performs Secondary Auth for Radius requests in AccessAccept State. Request received for User a b with response state AccessChallenge, ignoring request.",
			true, winevent.MFAIgnored, "AccessChallenge", "", "a b", "", ""},
		{"Entra wording", "NPS Extension for Microsoft Entra multifactor authentication (AccessReject): NPS Extension for Microsoft Entra multifactor authentication only performs Secondary Auth for Radius requests in AccessAccept State. Request received for User u with response state AccessReject, ignoring request.",
			true, winevent.MFAIgnored, "AccessReject", "", "u", "", ""},
		{"not the extension", "The Network Policy Server service entered the running state.", false, "", "", "", "", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := winevent.ParseMFAText(tc.text)
			if ok != tc.ok {
				t.Fatalf("ok = %v", ok)
			}
			if !ok {
				return
			}
			m := got.MFA
			if m.Outcome != tc.outcome || m.Result != tc.result || m.Error != tc.errCode || got.User != tc.user || m.CID != tc.cid || m.State != tc.state {
				t.Errorf("got outcome=%q result=%q error=%q user=%q cid=%q state=%q", m.Outcome, m.Result, m.Error, got.User, m.CID, m.State)
			}
			if m.Message == "" {
				t.Error("message not kept")
			}
		})
	}
}

// TestRealMFASamples runs the verbatim message texts of the shared samples
// (read in place, never copied) through the parser.
func TestRealMFASamples(t *testing.T) {
	f, err := os.Open("../../../shared/samples/events/azuremfa_nps_extension_messages_real.txt")
	if err != nil {
		t.Skip("shared samples not present")
	}
	defer f.Close()
	want := map[string]string{"A": "error ESTS_TOKEN_ERROR", "B": "error ESTS_TOKEN_ERROR", "C": "error ESTS_TOKEN_ERROR",
		"D": "challenge ", "E": "rejected UserNotFound", "G": "warning ", "H": "warning IP_WHITE_LIST_WARNING", "I": "ignored AccessChallenge"}
	got := map[string]string{}
	block := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := sc.Text()
		if strings.HasPrefix(l, "# --- ") {
			block = strings.TrimSuffix(strings.Fields(l)[2], ".")
			continue
		}
		if _, seen := got[block]; seen || !strings.Contains(l, "NPS Extension for Azure MFA") {
			continue
		}
		if block == "I" && strings.TrimSpace(l) == "NPS Extension for Azure MFA:" {
			continue // the empty first line of that quote
		}
		m, ok := winevent.ParseMFAText(l)
		if !ok {
			got[block] = "not recognised"
			continue
		}
		got[block] = m.MFA.Outcome + " " + m.MFA.Result + m.MFA.Error
	}
	for b, w := range want {
		if !strings.HasPrefix(got[b], w) {
			t.Errorf("sample %s: %q, want %q", b, got[b], w)
		}
	}
}

func TestFieldNames(t *testing.T) {
	tests := []struct{ id, ver, n int }{
		{6272, 0, 26}, {6272, 1, 27}, {6272, 2, 24}, {6273, 0, 26}, {6273, 1, 27}, {6273, 2, 26},
		{6274, 0, 26}, {6274, 1, 25}, {6275, 0, 26}, {6275, 1, 25}, {6276, 0, 29}, {6277, 0, 30}, {6278, 0, 29},
		{6279, 0, 4}, {6280, 0, 4}, {4624, 0, 0},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%d_v%d", tc.id, tc.ver), func(t *testing.T) {
			names := winevent.FieldNames(tc.id, tc.ver)
			if len(names) != tc.n {
				t.Errorf("%d names, want %d: %v", len(names), tc.n, names)
			}
			seen := map[string]bool{}
			for _, n := range names {
				if seen[n] {
					t.Errorf("%s twice", n)
				}
				seen[n] = true
			}
		})
	}
	// The real 6273 v2 sample's order (reference §3.6).
	v2 := strings.Join(winevent.FieldNames(6273, 2), ",")
	if !strings.HasSuffix(v2, "AccountSessionIdentifier,ReasonCode,Reason,LoggingResult") || strings.Contains(v2, "MachineInventory") {
		t.Errorf("6273 v2: %s", v2)
	}
}

// TestSecurityMessageRealSample parses the Event Viewer text of the real
// 6273 (values on the line after their label) in place.
func TestSecurityMessageRealSample(t *testing.T) {
	b, err := os.ReadFile("../../../shared/samples/events/msqa_2617618_nps_4402_and_6273_reason7.txt")
	if err != nil {
		t.Skip("shared samples not present")
	}
	s := string(b)
	i := strings.Index(s, "Network Policy Server denied access")
	j := strings.Index(s[i:], "Event Xml:")
	fields := winevent.ParseSecurityMessage(s[i : i+j])
	got := map[string]string{}
	for _, f := range fields {
		got[f.Name] = f.Value
	}
	want := map[string]string{"SubjectUserSid": "NULL SID", "SubjectUserName": "abusby", "SubjectDomainName": "K12.TX.US",
		"FullyQualifiedSubjectUserName": `K12.TX.US\abusby`, "SubjectMachineSID": "NULL SID", "SubjectMachineName": "",
		"CalledStationID": "00-19-92-0C-E4-E9:NISD_Testing", "CallingStationID": "B8-E8-56-A8-D4-D9",
		"NASIPv4Address": "10.250.1.15", "NASIdentifier": "", "NASPortType": "Wireless - IEEE 802.11", "NASPort": "0",
		"ClientName": "Testing Access Point", "ProxyPolicyName": "BlueSocket Wireless Connections", "NetworkPolicyName": "",
		"AuthenticationType": "PEAP", "EAPType": "Microsoft: Secured password (EAP-MSCHAP v2)", "ReasonCode": "7",
		"Reason": "The specified domain does not exist.", "LoggingResult": "Accounting information was written to the local log file."}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

func TestMapping(t *testing.T) {
	base := func(id int, provider, channel string, data ...string) *winevent.Event {
		e := &winevent.Event{}
		e.EventID, e.Provider, e.Channel = id, provider, channel
		e.TimeCreated = time.Date(2024, 3, 5, 7, 0, 0, 0, time.UTC)
		for i := 0; i+1 < len(data); i += 2 {
			e.Data = append(e.Data, evtx.Field{Name: data[i], Value: data[i+1]})
		}
		return e
	}
	sec := winevent.ProviderSecurity
	tests := []struct {
		name  string
		ev    *winevent.Event
		check func(m model.Message) string
	}{
		{"6274 discarded", base(6274, sec, "Security", "SubjectUserName", "u", "ReasonCode", "9"), func(m model.Message) string {
			o, _ := m.AttrByName("Outcome")
			return fmt.Sprintf("%d %d %s %q", m.Code, m.Reason, o.Value, m.User)
		}},
		{"6272 user from FQ name, IPv6 NAS", base(6272, sec, "Security", "SubjectUserName", "-", "FullyQualifiedSubjectUserName", `C\u`, "NASIPv4Address", "-", "NASIPv6Address", "2001:db8::1", "AuthenticationType", "PEAP"), func(m model.Message) string {
			return fmt.Sprintf("%s %d %q %s %d", m.Code, m.Reason, m.User, m.NASAddr, m.AuthType)
		}},
		{"6273 reason text filled", base(6273, sec, "Security", "ReasonCode", "48"), func(m model.Message) string {
			r, _ := m.AttrByName("Reason")
			return fmt.Sprintf("%s %d %s", m.Code, m.Reason, r.Value)
		}},
		{"NPS 18 names the client", base(18, "NPS", "System", "Data1", "10.0.0.2"), func(m model.Message) string {
			return fmt.Sprintf("%s %s %s", m.ClientAddr, m.Event.Data["ClientIPAddress"], m.Event.Message)
		}},
		{"RDG 201", func() *winevent.Event {
			e := base(201, winevent.ProviderRDG, winevent.ChannelRDG)
			e.UserData = []evtx.Field{{Name: "EventInfo/Username", Value: `C\u`}, {Name: "EventInfo/IpAddress", Value: "192.0.2.1:50000"}, {Name: "EventInfo/ErrorCode", Value: "23003"}}
			return e
		}(), func(m model.Message) string {
			e, _ := m.AttrByName("ErrorCode")
			o, _ := m.AttrByName("Outcome")
			return fmt.Sprintf("%q %s %s %s", m.User, m.CallingStation, e.Value, o.Value)
		}},
		{"generic event kept", base(7036, "Service Control Manager", "System", "param1", "x"), func(m model.Message) string {
			return fmt.Sprintf("%s %d %v %v %d", m.Kind, m.Event.ID, m.MFA == nil, m.Attrs, m.Code)
		}},
		{"unknown AzureMfa text kept", base(9, "Microsoft-AzureMfa-AuthN", winevent.ChannelAuthN, "Data1", "something new"), func(m model.Message) string {
			return fmt.Sprintf("%v %q", m.MFA != nil, m.MFA.Message)
		}},
	}
	want := []string{
		`0 9 discarded "u"`,
		`Access-Accept 0 "C\\u" 2001:db8::1 11`,
		`Access-Reject 48 ` + "No matching network policy",
		`10.0.0.2 10.0.0.2 An Access-Request message was received from RADIUS client 10.0.0.2 with a Message-Authenticator attribute that is not valid.`,
		`"C\\u" 192.0.2.1 23003 denied (CAP)`,
		`event 7036 true [{0 0 param1 x [] false}] 0`,
		`true "something new"`,
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.check(winevent.ToMessage(tc.ev, model.Source{}))
			if i == 2 {
				// The reason text comes from the dictionary another helper
				// fills; check its presence, not its wording.
				if !strings.HasPrefix(got, "Access-Reject 48 ") || len(got) <= len("Access-Reject 48 ") {
					t.Errorf("got %s", got)
				}
				return
			}
			if got != want[i] {
				t.Errorf("got  %s\nwant %s", got, want[i])
			}
		})
	}
}

func TestSniff(t *testing.T) {
	tests := []struct {
		head string
		want model.Format
	}{
		{"ElfFile\x00", model.FormatEVTX},
		{"<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>", model.FormatXML},
		{"<?xml version=\"1.0\"?>\r\n<Events><Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>", model.FormatXML},
		{"<Event><Timestamp data_type=\"4\">03/05/2024 07:58:12.204</Timestamp>", model.FormatUnknown}, // NPS DTS log
		{"Level,Date and Time,Source,Event ID,Task Category\r\n", model.FormatCSV},
		{"#TYPE System.Diagnostics.Eventing.Reader.EventLogRecord\r\n\"Message\",\"Id\",\"Version\",\"ProviderName\",\"TimeCreated\"", model.FormatCSV},
		{"[\r\n    {\r\n        \"Message\":  \"x\",\r\n        \"Id\":  6272,\r\n        \"ProviderName\": \"p\"", model.FormatJSON},
		{`{"@timestamp":"2024-03-05T06:58:12Z","winlog":{"event_id":"6272"}}`, model.FormatJSON},
		{"Event[0]:\r\n  Log Name: Security\r\n", model.FormatText},
		{"Log Name:      System\r\nSource:        NPS\r\n", model.FormatText},
		{"\r\n\r\nTimeCreated  : 3/5/2024 7:58:12 AM\r\nProviderName : NPS\r\nId           : 4400\r\n", model.FormatText},
		{"\"NPS01\",\"IAS\",03/05/2024,07:58:12,1,\"CONTOSO\\alice\"", model.FormatUnknown}, // NPS ODBC log
		{string([]byte{0xFF, 0xFE, 'E', 0, 'v', 0, 'e', 0, 'n', 0, 't', 0, '[', 0, '0', 0, ']', 0, ':', 0, '\r', 0, '\n', 0}), model.FormatText},
	}
	for _, tc := range tests {
		got, ok := winevent.Sniff([]byte(tc.head))
		if got != tc.want || ok != (tc.want != model.FormatUnknown) {
			t.Errorf("Sniff(%.40q) = %q, %v; want %q", tc.head, got, ok, tc.want)
		}
	}
}
