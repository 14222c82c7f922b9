package nps

import (
	"context"
	"net/netip"
	"strings"
	"testing"

	"layeh.com/radius"

	"github.com/radscope/radscope/model"
)

const policyScenario = `
server: {computer_name: NPSTEST, address: 10.0.0.10, auth_listen: ["127.0.0.1:0"], acct_listen: ["127.0.0.1:0"]}
clients:
  - {name: vpn, address: 127.0.0.1, secret: s3cret}
  - {name: strict, address: 127.0.0.2, secret: s3cret, require_message_authenticator: true}
  - {name: other, address: 127.0.0.3, secret: s3cret}
directory:
  domain: CONTOSO
  upn_suffix: contoso.com
  users:
    - {sam: alice, password: Passw0rd, groups: [VPN Users]}
    - {sam: bob, nt_hash: 8846f7eaee8fb117ad06bdd830b7586c, groups: [VPN Users]}
    - {sam: dis, password: pw, groups: [VPN Users], enabled: false}
    - {sam: locked, password: pw, groups: [VPN Users], locked: true}
    - {sam: expired, password: pw, groups: [VPN Users], expired: true}
    - {sam: mustchange, password: pw, groups: [VPN Users], password_must_change: true}
    - {sam: night, password: pw, groups: [VPN Users], logon_hours: never}
    - {sam: denied, password: pw, groups: [VPN Users], dial_in: deny}
    - {sam: contractor, password: pw, groups: [Contractors]}
    - {sam: vip, password: pw, groups: [Contractors], dial_in: allow}
    - {sam: outsider, password: pw, groups: [Other]}
    - {sam: wifi, password: pw, groups: [WiFi]}
    - {sam: lab, password: pw, groups: [Lab]}
    - {sam: rdg, password: pw, groups: [RDG]}
connection_request_policies:
  - {name: Disabled, enabled: false}
  - {name: Windows auth, conditions: {client_friendly_name: "^(vpn|strict)$"}}
network_policies:
  - name: Contractors
    conditions: {windows_groups: [Contractors]}
    access: deny
    auth_methods: [pap]
  - name: WiFi
    conditions: {windows_groups: [WiFi]}
    auth_methods: [pap]
    constraints: {nas_port_type: [Wireless - IEEE 802.11]}
  - name: Lab
    conditions: {windows_groups: [Lab]}
    auth_methods: [pap]
    constraints: {day_and_time: never}
  - name: RDG
    conditions: {windows_groups: [RDG]}
    auth_methods: [mschapv2]
    allow_unauthenticated: true
  - name: VPN
    conditions: {windows_groups: ["CONTOSO\\VPN Users"], nas_port_type: [Virtual]}
    auth_methods: [pap, chap, mschap, mschapv2]
    reply: [{name: Filter-Id, value: vpn}]
`

func TestPolicyReasons(t *testing.T) {
	sc := loadScenario(t, policyScenario)
	s, rec := newServer(t, sc, Options{Clock: fakeClock()})
	tests := []struct {
		name     string
		from     string
		build    func() *req
		code     model.Code
		reason   int
		policy   string
		msError  string // MS-CHAP-Error prefix expected, "" for none
		authType int
	}{
		{"pap accept", "", func() *req { return newReq(testSecret).userName("alice").pap("Passw0rd").virtual() }, model.CodeAccessAccept, 0, "VPN", "", authPAP},
		{"pap accept upn", "", func() *req { return newReq(testSecret).userName("alice@contoso.com").pap("Passw0rd").virtual() }, model.CodeAccessAccept, 0, "VPN", "", authPAP},
		{"pap accept nt hash only", "", func() *req { return newReq(testSecret).userName(`CONTOSO\bob`).pap("password").virtual() }, model.CodeAccessAccept, 0, "VPN", "", authPAP},
		{"16 bad password", "", func() *req { return newReq(testSecret).userName("alice").pap("wrong").virtual() }, model.CodeAccessReject, ReasonAuthFailure, "", "", authPAP},
		{"16 bad password mschapv2", "", func() *req { return newReq(testSecret).userName("alice").mschapv2("alice", "wrong").virtual() }, model.CodeAccessReject, ReasonAuthFailure, "", "E=691 R=0 C=", authMSCHAPv2},
		{"8 no such user", "", func() *req { return newReq(testSecret).userName("mallory").pap("x").virtual() }, model.CodeAccessReject, ReasonNoSuchUser, "", "", authPAP},
		{"7 no such domain", "", func() *req { return newReq(testSecret).userName(`FABRIKAM\alice`).pap("Passw0rd").virtual() }, model.CodeAccessReject, ReasonNoSuchDomain, "", "", authPAP},
		{"34 disabled", "", func() *req { return newReq(testSecret).userName("dis").mschapv2("dis", "pw").virtual() }, model.CodeAccessReject, ReasonAccountDisabled, "", "E=647 R=0", authMSCHAPv2},
		{"36 locked out", "", func() *req { return newReq(testSecret).userName("locked").mschapv2("locked", "wrong").virtual() }, model.CodeAccessReject, ReasonAccountLockedOut, "", "E=647", authMSCHAPv2},
		{"35 expired", "", func() *req { return newReq(testSecret).userName("expired").pap("pw").virtual() }, model.CodeAccessReject, ReasonAccountExpired, "", "", authPAP},
		{"33 must change", "", func() *req { return newReq(testSecret).userName("mustchange").mschapv2("mustchange", "pw").virtual() }, model.CodeAccessReject, ReasonPasswordMustChange, "", "E=648", authMSCHAPv2},
		{"37 logon hours", "", func() *req { return newReq(testSecret).userName("night").mschapv2("night", "pw").virtual() }, model.CodeAccessReject, ReasonLogonHours, "", "E=646", authMSCHAPv2},
		{"65 dial-in deny", "", func() *req { return newReq(testSecret).userName("denied").mschapv2("denied", "pw").virtual() }, model.CodeAccessReject, ReasonDialinDisabled, "VPN", "E=649", authMSCHAPv2},
		{"65 policy deny", "", func() *req { return newReq(testSecret).userName("contractor").pap("pw") }, model.CodeAccessReject, ReasonDialinDisabled, "Contractors", "", authPAP},
		{"dial-in allow overrides policy deny", "", func() *req { return newReq(testSecret).userName("vip").pap("pw") }, model.CodeAccessAccept, 0, "Contractors", "", authPAP},
		{"48 no network policy", "", func() *req { return newReq(testSecret).userName("outsider").pap("pw").virtual() }, model.CodeAccessReject, ReasonNoNetworkPolicy, "", "", authPAP},
		{"48 condition nas-port-type", "", func() *req { return newReq(testSecret).userName("alice").pap("Passw0rd") }, model.CodeAccessReject, ReasonNoNetworkPolicy, "", "", authPAP},
		{"49 no connection request policy", "127.0.0.3", func() *req { return newReq(testSecret).userName("alice").pap("Passw0rd").virtual() }, model.CodeAccessReject, ReasonNoConnectionPolicy, "", "", 0},
		{"66 method not allowed", "", func() *req { return newReq(testSecret).userName("wifi").mschapv2("wifi", "pw") }, model.CodeAccessReject, ReasonInvalidAuthType, "WiFi", "E=691", authMSCHAPv2},
		{"66 unauthenticated not allowed", "", func() *req { return newReq(testSecret).userName("alice").virtual() }, model.CodeAccessReject, ReasonInvalidAuthType, "VPN", "", authUnauthenticated},
		{"unauthenticated allowed", "", func() *req { return newReq(testSecret).userName("rdg") }, model.CodeAccessAccept, 0, "RDG", "", authUnauthenticated},
		{"70 port type constraint", "", func() *req { return newReq(testSecret).userName("wifi").pap("pw").virtual() }, model.CodeAccessReject, ReasonInvalidPortType, "WiFi", "", authPAP},
		{"68 day and time constraint", "", func() *req { return newReq(testSecret).userName("lab").pap("pw") }, model.CodeAccessReject, ReasonInvalidDialinHours, "Lab", "", authPAP},
		{"19 chap without clear password", "", func() *req { return newReq(testSecret).userName("bob").chap("password").virtual() }, model.CodeAccessReject, ReasonNoReversible, "", "", authCHAP},
		{"chap accept", "", func() *req { return newReq(testSecret).userName("alice").chap("Passw0rd").virtual() }, model.CodeAccessAccept, 0, "VPN", "", authCHAP},
		{"chap reject", "", func() *req { return newReq(testSecret).userName("alice").chap("nope").virtual() }, model.CodeAccessReject, ReasonAuthFailure, "", "", authCHAP},
		{"mschapv1 accept", "", func() *req { return newReq(testSecret).userName("bob").mschapv1("password").virtual() }, model.CodeAccessAccept, 0, "VPN", "", authMSCHAP},
		{"mschapv1 reject", "", func() *req { return newReq(testSecret).userName("bob").mschapv1("nope").virtual() }, model.CodeAccessReject, ReasonAuthFailure, "", "E=691", authMSCHAP},
		{"mschapv2 accept domain user", "", func() *req {
			return newReq(testSecret).userName(`CONTOSO\bob`).mschapv2(`CONTOSO\bob`, "password").virtual()
		}, model.CodeAccessAccept, 0, "VPN", "", authMSCHAPv2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.build()
			b := r.encode(t)
			from := local
			if tt.from != "" {
				from = netip.MustParseAddrPort(tt.from + ":1812")
			}
			reply, d, err := s.HandleDecision(context.Background(), from, b)
			if err != nil {
				t.Fatal(err)
			}
			p := parseReply(t, reply, b, testSecret)
			if model.Code(p.Code) != tt.code || d.Code != tt.code {
				t.Fatalf("code %v (decision %v), want %v; decision %+v", p.Code, d.Code, tt.code, d)
			}
			if d.Reason != tt.reason {
				t.Fatalf("reason %d (%s), want %d", d.Reason, reasonText(d.Reason), tt.reason)
			}
			if tt.policy != "" && d.Policy != tt.policy {
				t.Errorf("policy %q, want %q", d.Policy, tt.policy)
			}
			if d.AuthType != tt.authType {
				t.Errorf("auth type %d, want %d", d.AuthType, tt.authType)
			}
			msErr := msAttr(p, msCHAPError)
			switch {
			case tt.msError == "" && msErr != nil:
				t.Errorf("unexpected MS-CHAP-Error %q", msErr)
			case tt.msError != "":
				if len(msErr) < 2 || !strings.HasPrefix(string(msErr[1:]), tt.msError) || !strings.HasSuffix(string(msErr), " V=3") {
					t.Errorf("MS-CHAP-Error %q, want prefix %q", msErr, tt.msError)
				}
			}
			if tt.code == model.CodeAccessAccept {
				if p.Attributes.Get(attrClass) == nil {
					t.Error("Accept without Class")
				}
				if tt.policy == "VPN" && string(p.Attributes.Get(11)) != "vpn" {
					t.Errorf("Filter-Id %q", p.Attributes.Get(11))
				}
			}
		})
	}
	// Every reject was logged with its reason: a 6273 per reject.
	n6273 := 0
	for _, e := range rec.events {
		if e.Event.ID == 6273 {
			n6273++
		}
	}
	want := 0
	for _, tt := range tests {
		if tt.code == model.CodeAccessReject {
			want++
		}
	}
	if n6273 != want {
		t.Errorf("%d events 6273, want %d", n6273, want)
	}
}

func TestMSCHAPv2SuccessAndKeys(t *testing.T) {
	sc := loadScenario(t, policyScenario)
	s, _ := newServer(t, sc, Options{})
	r := newReq(testSecret).userName("alice").mschapv2("alice", "Passw0rd").virtual()
	b := r.encode(t)
	reply, _ := handle(t, s, b)
	p := parseReply(t, reply, b, testSecret)
	if p.Code != radius.CodeAccessAccept {
		t.Fatalf("code %v", p.Code)
	}
	checkMSCHAPv2Accept(t, p, r, b)
}
