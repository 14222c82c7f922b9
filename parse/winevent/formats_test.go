package winevent_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/parse/winevent"
)

// ps7Object is Get-WinEvent | ConvertTo-Json from PowerShell 7: one object
// (no array), an ISO time with offset, Properties by position.
func ps7Object() string {
	names := winevent.FieldNames(6273, 2)
	vals := map[string]string{"SubjectUserName": `CONTOSO\alice`, "CallingStationID": "203.0.113.21",
		"NASIPv4Address": "10.0.0.1", "ClientIPAddress": "10.0.0.1", "ClientName": "vpn-gw", "ReasonCode": "21",
		"AuthenticationType": "Extension", "NetworkPolicyName": "VPN, MFA required"}
	var props []map[string]any
	for _, n := range names {
		v, ok := vals[n]
		if !ok {
			v = "-"
		}
		if n == "SubjectUserSid" {
			props = append(props, map[string]any{"Value": map[string]any{"BinaryLength": 12, "AccountDomainSid": nil, "Value": "S-1-0-0"}})
			continue
		}
		props = append(props, map[string]any{"Value": v})
	}
	obj := map[string]any{"Id": 6273, "Version": 2, "ProviderName": winevent.ProviderSecurity, "LogName": "Security",
		"MachineName": "NPS01.contoso.local", "RecordId": 77, "Keywords": -9218868437227405312,
		"TimeCreated": "2024-03-05T14:45:21.337+01:00", "Message": "Network Policy Server denied access to a user.",
		"Properties": props}
	b, _ := json.MarshalIndent(obj, "", "  ")
	return string(b)
}

func TestFormatVariants(t *testing.T) {
	tests := []struct {
		name   string
		f      model.Format
		input  string
		want   string
		errors int
	}{
		{"PowerShell 7 JSON object", model.FormatJSON, ps7Object(),
			`2024-03-05T13:45:21.337Z 6273 Access-Reject CONTOSO\alice 21 10.0.0.1 203.0.113.21 8 VPN, MFA required #77`, 0},
		{"Winlogbeat 7 numbers", model.FormatJSON,
			`{"@timestamp":"2024-03-05T06:58:31.511Z","winlog":{"channel":"Security","event_id":6272,"record_id":12,"provider_name":"Microsoft-Windows-Security-Auditing","event_data":{"SubjectUserName":"CONTOSO\\bob","NASIPv4Address":"10.0.0.1","CallingStationID":"198.51.100.77","AuthenticationType":"MS-CHAPv2","NetworkPolicyName":"VPN, MFA required"}}}` + "\n",
			`2024-03-05T06:58:31.511Z 6272 Access-Accept CONTOSO\bob 0 10.0.0.1 198.51.100.77 4 VPN, MFA required #12`, 0},
		{"XML event over several lines, LF", model.FormatXML,
			"<Events>\n<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\">\n <System>\n  <Provider Name=\"Microsoft-Windows-Security-Auditing\"/>\n  <EventID>6274</EventID>\n  <TimeCreated SystemTime=\"2024-03-06T08:00:20.3Z\"/>\n  <EventRecordID>9</EventRecordID>\n  <Channel>Security</Channel>\n </System>\n <EventData>\n  <Data Name=\"SubjectUserName\">CONTOSO\\alice</Data>\n  <Data Name=\"ReasonCode\">9</Data>\n </EventData>\n</Event>\n</Events>\n",
			`2024-03-06T08:00:20.3Z 6274  CONTOSO\alice 9 invalid IP  0  #9`, 0},
		{"PowerShell 7 CSV, no #TYPE line", model.FormatCSV,
			"\"Message\",\"Id\",\"Version\",\"ProviderName\",\"LogName\",\"TimeCreated\",\"RecordId\"\n\"Network Policy Server granted access to a user.\n\nUser:\n\tSecurity ID:\t\t\tCONTOSO\\carol\n\tAccount Name:\t\t\tCONTOSO\\carol\n\nNAS:\n\tNAS IPv4 Address:\t\t10.0.0.3\",\"6272\",\"2\",\"Microsoft-Windows-Security-Auditing\",\"Security\",\"3/5/2024 8:20:44 AM\",\"3\"\n",
			`2024-03-05T07:20:44Z 6272 Access-Accept CONTOSO\carol 0 10.0.0.3  0  #3`, 0},
		{"wevtutil text with LF", model.FormatText,
			"Event[0]:\n  Log Name: System\n  Source: NPS\n  Date: 2024-03-06T12:10:30.000\n  Event ID: 18\n  Task: N/A\n  Level: Warning\n  Computer: NPS01.contoso.local\n  Description: \nAn Access-Request message was received from RADIUS client 10.0.0.2 with a Message-Authenticator attribute that is not valid.\n",
			`2024-03-06T11:10:30Z 18   -1 invalid IP  0  #0`, 0},
		{"JSON array with a truncated element", model.FormatJSON, "[\n {\"Id\": 1, \"ProviderName\": \"p\", \"TimeCreated\": \"/Date(1709621892000)/\"},\n {\"Id\": 2, \"Prov",
			`2024-03-05T06:58:12Z 1   -1 invalid IP  0  #0`, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, ok := winevent.Sniff([]byte(tc.input))
			if !ok || f != tc.f {
				t.Fatalf("sniffed %q, %v", f, ok)
			}
			r, err := winevent.NewReader(f, strings.NewReader(tc.input), winevent.Options{Location: cet})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			errs := 0
			for m, err := range r.All() {
				if err != nil {
					errs++
					if !model.IsParseError(err) {
						t.Fatalf("final error %v", err)
					}
					continue
				}
				got = append(got, fmt.Sprintf("%s %d %s %s %d %s %s %d %s #%d", m.Time.UTC().Format("2006-01-02T15:04:05.999999999Z"),
					m.Event.ID, m.Code, m.User, m.Reason, m.NASAddr, m.CallingStation, m.AuthType, m.Policy, m.Event.RecordID))
			}
			if len(got) != 1 || got[0] != tc.want || errs != tc.errors {
				t.Errorf("got %q (%d errors)\nwant %q (%d errors)", got, errs, tc.want, tc.errors)
			}
		})
	}
}
