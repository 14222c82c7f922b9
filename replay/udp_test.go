package replay

import (
	"context"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/nps"
	"github.com/radscope/radscope/scenario"
)

// pushScenario: one client on 127.0.0.1, alice answers a push after 1.2 s.
const pushScenario = `
server: {computer_name: NPS01, time_zone: UTC}
clients:
  - {name: lab, address: 127.0.0.1, secret: testing123, timeout: 400ms, retries: 1}
directory:
  domain: CONTOSO
  upn_suffix: contoso.com
  users:
    - {sam: alice, password: Passw0rd!, mfa: {method: push, outcome: approve, latency: 1200ms}}
connection_request_policies:
  - {name: All, action: authenticate}
network_policies:
  - {name: Lab, access: grant, auth_methods: [pap], ignore_user_dialin: true}
mfa: {installed: true}
`

// serveUDP runs the emulated NPS on 127.0.0.1 on the real clock.
func serveUDP(t *testing.T, yaml string, sets ...string) netip.AddrPort {
	t.Helper()
	sc, err := scenario.Parse("push.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(sets); i += 2 {
		if err := sc.Set(sets[i], sets[i+1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := sc.Validate(); err != nil {
		t.Fatal(err)
	}
	return serveScenario(t, sc)
}

// serveScenario runs the emulated NPS of sc on 127.0.0.1 on the real
// clock.
func serveScenario(t *testing.T, sc *scenario.Scenario) netip.AddrPort {
	t.Helper()
	srv, err := nps.New(sc, nps.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, pc) }()
	t.Cleanup(func() {
		cancel()
		sctx, c2 := context.WithTimeout(context.Background(), 5*time.Second)
		defer c2()
		srv.Shutdown(sctx)
		<-done
	})
	return pc.LocalAddr().(*net.UDPAddr).AddrPort()
}

func netipMust(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }

// pushPlan is a captured PAP sign-in of alice that NPS accepted.
func pushPlan(id int64, at time.Time) *Plan {
	f := &model.Flow{ID: id, Kind: model.FlowAuth, User: "alice", NAS: "lab", Outcome: model.OutcomeAccepted, Reason: model.NoReason, Start: at}
	return &Plan{Flow: f, Client: netip.MustParseAddrPort("127.0.0.1:40000"), NAS: "lab", Requests: []Request{{
		Code: model.CodeAccessRequest, MessageAuth: true, Password: []byte("Passw0rd!"), At: at,
		Attrs: []WireAttr{{Type: attrUserName, Value: []byte("alice")}, {Type: 4, Value: []byte{127, 0, 0, 1}}},
	}}}
}

func TestReplayUDPTimeouts(t *testing.T) {
	cases := []struct {
		name        string
		timeout     time.Duration
		retries     int
		outcome     string
		status      Status
		retransmits int
	}{
		// 400 ms and one retry: the NAS gives up at 800 ms, the push is
		// approved at 1.2 s: the retransmit/duplicate failure of an RD
		// Gateway against a phone call, scaled down.
		{"short", 400 * time.Millisecond, 1, outcomeNASTimeout, Regressed, 1},
		{"long", 3 * time.Second, 0, model.OutcomeAccepted.String(), Reproduced, 0},
	}
	addr := serveUDP(t, pushScenario)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			tg := NewUDP(addr, func(netip.Addr) []byte { return []byte("testing123") })
			rs, err := Run(ctx, []*Plan{pushPlan(1, time.Now())}, Options{Target: tg, Timeout: c.timeout, Retries: c.retries, Linger: 2 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			r := rs[0]
			if r.Observed.Outcome != c.outcome || r.Status != c.status || r.Observed.Retransmits != c.retransmits {
				t.Errorf("got %s/%s with %d retransmits, want %s/%s with %d (%+v)", r.Observed.Outcome, r.Status, r.Observed.Retransmits, c.outcome, c.status, c.retransmits, r.Observed)
			}
		})
	}
}

func TestReplayUDPTiming(t *testing.T) {
	addr := serveUDP(t, pushScenario, "directory.users.alice.mfa.latency", "0s")
	base := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	var plans []*Plan
	for i := range 4 {
		plans = append(plans, pushPlan(int64(i+1), base.Add(time.Duration(i)*2*time.Second)))
	}
	cases := []struct {
		timing   string
		speed    float64
		min, max time.Duration
	}{
		{"fast", 1, 0, 1500 * time.Millisecond},
		{"captured", 10, 550 * time.Millisecond, 2 * time.Second}, // 6 s of capture at ×10
		{"rate:5", 1, 550 * time.Millisecond, 2 * time.Second},    // 4 flows at 5/s
	}
	for _, c := range cases {
		t.Run(c.timing, func(t *testing.T) {
			tm, err := ParseTiming(c.timing)
			if err != nil {
				t.Fatal(err)
			}
			if c.speed != 1 {
				tm.Speed = c.speed
			}
			tg := NewUDP(addr, func(netip.Addr) []byte { return []byte("testing123") })
			start := time.Now()
			rs, err := Run(context.Background(), plans, Options{Target: tg, Timing: tm, Retries: -1})
			if err != nil {
				t.Fatal(err)
			}
			d := time.Since(start)
			if d < c.min || d > c.max {
				t.Errorf("%s took %v, want %v-%v", c.timing, d, c.min, c.max)
			}
			for _, r := range rs {
				if r.Status != Reproduced {
					t.Errorf("flow %d: %s %+v", r.ID, r.Status, r.Observed)
				}
			}
		})
	}
	if _, err := ParseTiming("slow"); err == nil {
		t.Error("ParseTiming(slow) did not fail")
	}
}
