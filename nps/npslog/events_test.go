package npslog_test

import (
	"bytes"
	"errors"
	"io"
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/nps/npslog"
)

func events() []model.Message {
	base := model.Message{
		Time: t0, Kind: model.KindEvent, Computer: "NPS01.contoso.com", User: `CONTOSO\alice`,
		NASAddr: netip.MustParseAddr("10.1.2.3"), NASID: "vpn-gw", ClientAddr: netip.MustParseAddr("10.1.2.3"),
		ClientName: "VPN <east>", CallingStation: "198.51.100.7", CalledStation: "10.1.2.3",
		ProxyPolicy: "Use Windows authentication for all users", AuthType: 5, AcctSessionID: "547abc55",
		Attrs: []model.Attr{
			{Name: "NAS-Port-Type", Value: "Virtual"},
			{Name: "NAS-Port", Value: "12"},
			{Name: "EAP-Friendly-Name", Value: "Microsoft: Secured password (EAP-MSCHAP v2)"},
		},
	}
	granted := base
	granted.Event = &model.Event{ID: 6272, RecordID: 1001}
	granted.Policy = "VPN & MFA"
	granted.Reason = 0
	denied := base
	denied.Time = t0.Add(time.Second)
	denied.Event = &model.Event{ID: 6273}
	denied.Reason = 16
	ext := base
	ext.Time = t0.Add(2 * time.Second)
	ext.Event = &model.Event{ID: 6273}
	ext.Reason = 21
	ext.AuthType = 8
	discarded := base
	discarded.Time = t0.Add(3 * time.Second)
	discarded.Event = &model.Event{ID: 6274, Data: map[string]string{"AuthenticationServer": "DC01"}}
	discarded.Reason = 3
	mfa := func(d time.Duration, mf model.MFA) model.Message {
		return model.Message{Time: t0.Add(d), Kind: model.KindEvent, Computer: "NPS01.contoso.com", User: "alice@contoso.com",
			Event: &model.Event{}, MFA: &mf}
	}
	return []model.Message{granted, denied, ext, discarded,
		mfa(4*time.Second, model.MFA{Outcome: "challenge", CID: "32e83cbf-484d-49aa-9adb-71528f5eb94d", State: "0c9a1b52-2d6e-4c1f-9d0a-5e7f3a2b1c4d"}),
		mfa(5*time.Second, model.MFA{Outcome: "rejected", CID: "5d1b9a2c-0b7e-4f8a-9a55-2c1e3f4a5b6c", Result: "UserNotFound"}),
		mfa(6*time.Second, model.MFA{Outcome: "error", CID: "341b704d-03f1-4ba6-ae92-eb19ae2f2bf3", Error: "ESTS_TOKEN_ERROR"}),
		mfa(7*time.Second, model.MFA{Outcome: "accepted", CID: "6da75e38-6bbf-4616-84df-fa65b4c7905c"}),
	}
}

func writeEvents(t testing.TB, msgs []model.Message) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := npslog.NewEventWriter(&buf)
	for _, m := range msgs {
		if err := w.Write(m); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

func TestEventsGolden(t *testing.T) {
	golden(t, "events", writeEvents(t, events()))
}

// sample6273 is the EventData field order of the real 6273 version 2
// sample (samples/events/ipban_6273_v2_reason21_nps_extension_dll_reject.xml).
var sample6273 = "SubjectUserSid SubjectUserName SubjectDomainName FullyQualifiedSubjectUserName SubjectMachineSID " +
	"SubjectMachineName FullyQualifiedSubjectMachineName CalledStationID CallingStationID NASIPv4Address " +
	"NASIPv6Address NASIdentifier NASPortType NASPort ClientName ClientIPAddress ProxyPolicyName NetworkPolicyName " +
	"AuthenticationProvider AuthenticationServer AuthenticationType EAPType AccountSessionIdentifier ReasonCode " +
	"Reason LoggingResult"

var dataName = regexp.MustCompile(`<Data Name='([A-Za-z0-9]+)'>`)

func TestEventShape(t *testing.T) {
	out := writeEvents(t, events())
	ls := lines(t, out, len(events()))
	for i, l := range ls {
		if !strings.HasPrefix(l, "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='") ||
			!strings.HasSuffix(l, "</EventData></Event>") {
			t.Errorf("event %d frame %q", i+1, l)
		}
	}
	names := func(l string) string {
		var n []string
		for _, m := range dataName.FindAllStringSubmatch(l, -1) {
			n = append(n, m[1])
		}
		return strings.Join(n, " ")
	}
	if got := names(ls[2]); got != sample6273 {
		t.Errorf("6273 fields\n got %s\nwant %s", got, sample6273)
	}
	want6272 := strings.Replace(sample6273, " ReasonCode Reason", "", 1)
	if got := names(ls[0]); got != want6272 {
		t.Errorf("6272 fields\n got %s\nwant %s", got, want6272)
	}
	want6274 := strings.TrimSuffix(sample6273, " LoggingResult")
	if got := names(ls[3]); got != want6274 {
		t.Errorf("6274 fields\n got %s\nwant %s", got, want6274)
	}
	for _, want := range []string{
		"<Keywords>0x8020000000000000</Keywords>",
		"<Data Name='ReasonCode'>21</Data><Data Name='Reason'>An NPS extension dynamic link library (DLL) that is installed on the NPS server rejected the connection request.</Data>",
		"<Data Name='AuthenticationType'>Extension</Data>",
		"<Data Name='AccountSessionIdentifier'>3534376162633535</Data>",
		"<Data Name='NASPortType'>Virtual</Data>",
		"<Data Name='ClientName'>VPN &lt;east&gt;</Data>",
		"<Data Name='AuthenticationServer'>DC01</Data>",
		"<TimeCreated SystemTime='2024-05-02T15:23:13.7290000Z'/>",
		"<EventRecordID>1001</EventRecordID>",
		"<Channel>Microsoft-AzureMfa-AuthZ/AuthZAdminCh</Channel>",
		"NPS Extension for Azure MFA: CID: 32e83cbf-484d-49aa-9adb-71528f5eb94d : Challenge requested in Authentication Ext for User alice@contoso.com with state 0c9a1b52-2d6e-4c1f-9d0a-5e7f3a2b1c4d",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

func TestEventErrors(t *testing.T) {
	w := npslog.NewEventWriter(io.Discard)
	if err := w.Write(model.Message{Event: &model.Event{ID: 4625, Provider: "Microsoft-Windows-Security-Auditing"}}); !errors.Is(err, npslog.ErrEvent) {
		t.Fatalf("err %v", err)
	}
	w = npslog.NewEventWriter(failWriter{})
	if err := w.Write(events()[0]); err == nil || !strings.HasPrefix(err.Error(), "npslog: ") {
		t.Fatalf("err %v", err)
	}
}
