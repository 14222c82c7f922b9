package nps

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"layeh.com/radius"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/scenario"
)

func TestConditions(t *testing.T) {
	base := func(cond string) *scenario.Scenario {
		t.Helper()
		return loadScenario(t, fmt.Sprintf(`
clients: [{name: rdgw-01, address: 127.0.0.0/8, secret: s3cret}]
directory: {domain: C, users: [{sam: u, password: p, groups: [G1, G2]}]}
network_policies: [{name: P, conditions: %s}]
`, cond))
	}
	monday := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	request := func(mod func(*req)) *request {
		q := newReq(testSecret).userName("u")
		mod(q)
		b := q.encode(t)
		p, err := parsePacket(b, []byte(testSecret))
		if err != nil {
			t.Fatal(err)
		}
		return &request{pkt: p, from: local, arrived: monday, log: slog.New(slog.DiscardHandler)}
	}
	none := func(*req) {}
	tests := []struct {
		cond string
		mod  func(*req)
		want bool
	}{
		{`{windows_groups: [G2, G9]}`, none, true},
		{`{windows_groups: ["C\\G1"]}`, none, true},
		{`{windows_groups: [G9]}`, none, false},
		{`{nas_port_type: [Virtual, Ethernet]}`, func(q *req) { q.u32(attrNASPortType, 15) }, true},
		{`{nas_port_type: [Virtual]}`, func(q *req) { q.u32(attrNASPortType, 19) }, false},
		{`{nas_port_type: [Virtual]}`, none, false},
		{`{client_friendly_name: "^rdgw"}`, none, true},
		{`{client_friendly_name: "^vpn"}`, none, false},
		{`{client_ipv4: 127.0.0.0/8}`, none, true},
		{`{client_ipv4: 10.0.0.0/8}`, none, false},
		{`{client_ipv4: "^127\\.0\\.0\\.1$"}`, none, true},
		{`{nas_ipv4: 10.1.2.3}`, func(q *req) { q.nasIP("10.1.2.3") }, true},
		{`{nas_ipv4: 10.1.2.0/24}`, func(q *req) { q.nasIP("10.1.3.3") }, false},
		{`{nas_ipv4: 10.1.2.3}`, none, false},
		{`{nas_identifier: "^VPN-"}`, func(q *req) { q.str(attrNASIdentifier, "vpn-7") }, true},
		{`{nas_identifier: "^VPN-"}`, func(q *req) { q.str(attrNASIdentifier, "wlc") }, false},
		{`{called_station_id: ":corp$"}`, func(q *req) { q.str(attrCalledStation, "00-11-22-33-44-55:CORP") }, true},
		{`{calling_station_id: "^192\\.0\\.2\\."}`, func(q *req) { q.str(attrCallingStation, "198.51.100.4") }, false},
		{`{user_name: "^u$"}`, none, true},
		{`{day_and_time: "Mon 11:00-13:00"}`, none, true},
		{`{day_and_time: "Sat-Sun"}`, none, false},
		{`{windows_groups: [G1], nas_port_type: [Virtual]}`, func(q *req) { q.virtual() }, true},
		{`{windows_groups: [G1], nas_port_type: [Virtual]}`, func(q *req) { q.u32(attrNASPortType, 15) }, false},
	}
	for i, tt := range tests {
		t.Run(fmt.Sprint(i, " ", tt.cond), func(t *testing.T) {
			sc := base(tt.cond)
			s, _ := newServer(t, sc, Options{})
			r := request(tt.mod)
			r.client = &sc.Clients[0]
			r.decodeCommon()
			s.resolveUser(r)
			got, why := s.matches(sc.NetworkPolicies[0].Conditions.Matcher(), r)
			if got != tt.want {
				t.Fatalf("matches = %v (%s), want %v", got, why, tt.want)
			}
		})
	}
}

// TestDecisionTrace checks the debug trace names each step.
func TestDecisionTrace(t *testing.T) {
	var buf strings.Builder
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	sc := loadScenario(t, mfaScenario)
	s, _ := newServer(t, sc, Options{Log: log, Clock: fakeClock()})
	b := newReq(testSecret).userName("denier").pap("pw").nasIP("10.0.1.1").encode(t)
	ch := make(chan []byte, 1)
	go func() { reply, _ := s.Handle(t.Context(), local, b); ch <- reply }()
	for s.clockWaiters() < 2 {
		time.Sleep(time.Millisecond)
	}
	s.clock.(interface{ Advance(time.Duration) }).Advance(2 * time.Second)
	if reply := <-ch; reply == nil || reply[0] != byte(radius.CodeAccessReject) {
		t.Fatal("not rejected")
	}
	for _, want := range []string{
		`msg="connection request policy matched" client=vpn`, "policy=All", "user=denier",
		`msg="authentication method" `, "method=pap",
		`msg="credentials verified"`, `msg="network policy matched"`, "policy=VPN",
		`msg="NPS grants access"`, `msg="MFA extension: method chosen"`, `msg="MFA extension: holding the request until the user answers"`,
		`msg="MFA extension: rejected" `, "response=PhoneCallDenied", `msg=Access-Reject`, "reason=21",
	} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("trace lacks %q:\n%s", want, buf.String())
		}
	}
}

func (s *Server) clockWaiters() int {
	if f, ok := s.clock.(interface{ Waiters() int }); ok {
		return f.Waiters()
	}
	return 0
}

func TestDecisionLine(t *testing.T) {
	at := time.Date(2026, 11, 23, 12, 0, 1, 250e6, time.UTC)
	tests := []struct {
		d    Decision
		want []string
	}{
		{Decision{Time: at, Client: "rdgw", Account: `CONTOSO\alice`, Method: "pap", Code: 2, Reason: 0, Latency: 8 * time.Second, MFA: &model.MFA{Method: "push", Result: "Success"}},
			[]string{"12:00:01.250", "rdgw", `CONTOSO\alice`, "pap", "Access-Accept", "0 Success", "8s", "mfa=push:Success"}},
		{Decision{Time: at, Client: "vpn", User: "mallory", Method: "mschapv2", Code: 3, Reason: 8},
			[]string{"mallory", "Access-Reject", "8 No such user"}},
		{Decision{Time: at, From: local, Dropped: true, DropReason: "unknown RADIUS client 127.0.0.1", Reason: model.NoReason},
			[]string{"127.0.0.1", "dropped", "unknown RADIUS client"}},
		{Decision{Time: at, Client: "vpn", User: "bob", Code: 3, Reason: 21, Duplicate: true, MFA: &model.MFA{Method: "totp", Error: "REQUEST_MISSING_CODE"}},
			[]string{"21 ", "mfa=totp:REQUEST_MISSING_CODE", "(duplicate)"}},
	}
	for _, tt := range tests {
		line := tt.d.Line()
		if strings.Contains(line, "\n") {
			t.Errorf("line has a newline: %q", line)
		}
		for _, w := range tt.want {
			if !strings.Contains(line, w) {
				t.Errorf("%q lacks %q", line, w)
			}
		}
	}
}
