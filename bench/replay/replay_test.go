// Package replaybench measures radscope replay: flows per second with
// --timing fast against the emulated NPS in process (virtual clock) and
// over UDP on 127.0.0.1, compared in the same run with radclient -c N -p P
// against the same server; and the send-time error of --timing captured on
// a 10-minute capture replayed at ×10. Run it with
//
//	RADSCOPE_BENCH=1 go test ./bench/replay -run . -bench . -benchtime 3x -v
//
// Results are recorded in RESULTS.md.
package replaybench

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/nps"
	"github.com/radscope/radscope/replay"
	"github.com/radscope/radscope/scenario"
)

const lab = `
server: {computer_name: NPS01, time_zone: UTC}
clients:
  - {name: lab, address: 127.0.0.1, secret: testing123}
directory:
  domain: CONTOSO
  upn_suffix: contoso.com
  users:
    - {sam: alice, password: Passw0rd!, dial_in: allow}
connection_request_policies:
  - {name: All, action: authenticate}
network_policies:
  - {name: Lab, access: grant, auth_methods: [pap]}
mfa: {installed: false}
`

func loadLab(tb testing.TB) *scenario.Scenario {
	sc, err := scenario.Parse("lab.yaml", []byte(lab))
	if err != nil {
		tb.Fatal(err)
	}
	return sc
}

var base = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// plans are n captured PAP sign-ins of alice, spaced by gap.
func plans(n int, gap time.Duration) []*replay.Plan {
	ps := make([]*replay.Plan, n)
	for i := range ps {
		at := base.Add(time.Duration(i) * gap)
		f := &model.Flow{ID: int64(i + 1), Kind: model.FlowAuth, User: "alice", Outcome: model.OutcomeAccepted, Reason: model.NoReason, Start: at}
		ps[i] = &replay.Plan{Flow: f, Client: netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(20000+i%40000)), Requests: []replay.Request{{
			Code: model.CodeAccessRequest, MessageAuth: true, Password: []byte("Passw0rd!"), At: at,
			Attrs: []replay.WireAttr{{Type: 1, Value: []byte("alice")}, {Type: 4, Value: []byte{127, 0, 0, 1}}, {Type: 61, Value: []byte{0, 0, 0, 5}}},
		}}}
	}
	return ps
}

// serve runs the emulated NPS on 127.0.0.1 (real clock).
func serve(tb testing.TB) netip.AddrPort {
	srv, err := nps.New(loadLab(tb), nps.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, pc) }()
	tb.Cleanup(func() { cancel(); srv.Shutdown(context.Background()); <-done })
	return pc.LocalAddr().(*net.UDPAddr).AddrPort()
}

func run(tb testing.TB, tg replay.Target, ps []*replay.Plan, o replay.Options) {
	o.Target = tg
	o.Retries = 0
	if o.Timeout == 0 {
		o.Timeout = 5 * time.Second
	}
	rs, err := replay.Run(context.Background(), ps, o)
	if err != nil {
		tb.Fatal(err)
	}
	for _, r := range rs {
		if r.Status != replay.Reproduced {
			tb.Fatalf("flow %d: %s %+v", r.ID, r.Status, r.Observed)
		}
	}
}

const flowsPerRun = 5000

// BenchmarkFastEmbedded: --timing fast against the emulated NPS in
// process, on its virtual clock (all flows at one captured instant).
func BenchmarkFastEmbedded(b *testing.B) {
	ps := plans(flowsPerRun, 0)
	for b.Loop() {
		run(b, replay.NewEmbedded(loadLab(b), base, nps.Options{}), ps, replay.Options{Parallel: 64})
	}
	b.ReportMetric(float64(flowsPerRun*b.N)/b.Elapsed().Seconds(), "flows/s")
}

// BenchmarkFastUDP: --timing fast over UDP on 127.0.0.1.
func BenchmarkFastUDP(b *testing.B) {
	addr := serve(b)
	ps := plans(flowsPerRun, 0)
	for b.Loop() {
		run(b, replay.NewUDP(addr, func(netip.Addr) []byte { return []byte("testing123") }), ps, replay.Options{Parallel: 64})
	}
	b.ReportMetric(float64(flowsPerRun*b.N)/b.Elapsed().Seconds(), "flows/s")
}

func benchOn(t *testing.T) {
	if os.Getenv("RADSCOPE_BENCH") == "" {
		t.Skip("SKIPPING: set RADSCOPE_BENCH=1 to run the replay measurements")
	}
}

// TestVersusRadclient measures, in one run against one emulated NPS on
// 127.0.0.1, replay --timing fast --parallel P and radclient -c N -p P
// sending the same Access-Request.
func TestVersusRadclient(t *testing.T) {
	benchOn(t)
	rc, err := exec.LookPath("radclient")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("radclient is required under CI (apt-get install freeradius-utils)")
		}
		t.Skip("SKIPPING: radclient not installed (apt-get install freeradius-utils)")
	}
	addr := serve(t)
	const n, p = 20000, 64
	var rates []string
	for round := range 2 {
		start := time.Now()
		run(t, replay.NewUDP(addr, func(netip.Addr) []byte { return []byte("testing123") }), plans(n, 0), replay.Options{Parallel: p})
		replayRate := float64(n) / time.Since(start).Seconds()

		// radclient: p distinct packets in the file, each sent n/p times.
		dir := t.TempDir()
		var f strings.Builder
		for i := range p {
			fmt.Fprintf(&f, "User-Name = \"alice\", User-Password = \"Passw0rd!\", NAS-IP-Address = 127.0.0.1, NAS-Port-Type = Virtual, NAS-Port = %d, Message-Authenticator = 0x00\n\n", i)
		}
		file := filepath.Join(dir, "req.txt")
		os.WriteFile(file, []byte(f.String()), 0o600)
		start = time.Now()
		out, err := exec.Command(rc, "-q", "-s", "-c", fmt.Sprint(n/p), "-p", fmt.Sprint(p), "-t", "5", "-r", "1", "-f", file, addr.String(), "auth", "testing123").CombinedOutput()
		rcRate := float64(n/p*p) / time.Since(start).Seconds()
		if err != nil && !strings.Contains(string(out), "Accepted") {
			t.Fatalf("radclient: %v\n%s", err, out)
		}
		if !strings.Contains(string(out), fmt.Sprintf("Packets sent\t\t: %d", n/p*p)) && !strings.Contains(string(out), "Accepted") {
			t.Logf("radclient summary:\n%s", out)
		}
		rates = append(rates, fmt.Sprintf("round %d: replay %.0f req/s, radclient %.0f req/s, ratio %.2f", round+1, replayRate, rcRate, replayRate/rcRate))
	}
	for _, r := range rates {
		t.Log(r)
	}
}

// TestCapturedTimingFidelity replays a 10-minute capture (one flow every
// 100 ms) at ×10 over UDP and measures each first send against its
// schedule: p50, p99 and the maximum error.
func TestCapturedTimingFidelity(t *testing.T) {
	benchOn(t)
	addr := serve(t)
	const n = 6000
	ps := plans(n, 100*time.Millisecond)
	sends := make([]time.Time, n)
	seen := make([]bool, n)
	var first time.Time
	tr := func(at time.Time, nas netip.AddrPort, pkt []byte, out bool) {
		if !out {
			return
		}
		i := (int(nas.Port()) - 20000) % 40000
		if !seen[i] {
			seen[i], sends[i] = true, time.Now()
			if i == 0 {
				first = sends[i]
			}
		}
	}
	run(t, replay.NewUDP(addr, func(netip.Addr) []byte { return []byte("testing123") }), ps,
		replay.Options{Parallel: 256, Timing: replay.Timing{Mode: "captured", Speed: 10}, Trace: tr})
	errs := make([]time.Duration, 0, n)
	for i := range n {
		want := first.Add(time.Duration(i) * 10 * time.Millisecond)
		d := sends[i].Sub(want)
		if d < 0 {
			d = -d
		}
		errs = append(errs, d)
	}
	sort.Slice(errs, func(a, b int) bool { return errs[a] < errs[b] })
	p99 := errs[n*99/100]
	t.Logf("%d sends over %v: send-time error p50 %v, p99 %v, max %v", n, sends[n-1].Sub(first).Round(time.Millisecond), errs[n/2], p99, errs[n-1])
	if p99 > 2*time.Millisecond {
		t.Errorf("p99 send-time error %v, target < 2 ms", p99)
	}
}
