package replay

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/nps"
	"github.com/radscope/radscope/nps/mfa"
	"github.com/radscope/radscope/parse"
	"github.com/radscope/radscope/scenario"
)

// Session is a whole replay as the command line and fixtures describe it:
// inputs, flow selection, target and NAS behaviour.
type Session struct {
	// Scenario configures the embedded target, gives the NASes' timeout
	// and retries and, with PasswordFromScenario, the passwords.
	Scenario *scenario.Scenario
	// Target is "embedded" (or "") or "udp://host:port".
	Target string
	// Listen serves the embedded target on this loopback address
	// (127.0.0.1:0 picks a port) and replays over UDP, on a clock that runs
	// at real speed from the captured time.
	Listen string
	// TargetSecret is the secret the UDP target holds for us; nil takes
	// the scenario's, then the capture's.
	TargetSecret []byte
	// PasswordFromScenario takes passwords from the scenario's directory
	// when the input has none (logs, events).
	PasswordFromScenario bool
	Parse                parse.Options
	Keep                 func(*model.Flow) bool
	Bad                  func(error)
	// Run holds timing, parallelism, -t and -r; its Target is set here.
	Run Options
	// Logger receives the embedded server's log records and events.
	Logger nps.Logger
	// OnDecision sees the embedded server's decisions.
	OnDecision func(nps.Decision)
}

// Replay reads paths, plans their flows, runs them against the target and
// returns the results and the target's name.
func (s *Session) Replay(ctx context.Context, paths []string) ([]*Result, string, error) {
	flows, err := Flows(ctx, paths, s.Parse, s.Keep, s.Bad)
	if err != nil {
		return nil, "", err
	}
	return s.ReplayFlows(ctx, flows)
}

// ReplayFlows is Replay on flows already built.
func (s *Session) ReplayFlows(ctx context.Context, flows []*model.Flow) ([]*Result, string, error) {
	po := PlanOptions{Secrets: s.Parse.Secrets}
	if s.PasswordFromScenario {
		if s.Scenario == nil {
			return nil, "", errors.New("replay: passwords from the scenario need a scenario")
		}
		po.Password = ScenarioPasswords(s.Scenario)
	}
	plans := Plans(flows, po)
	ro := s.Run
	if s.Scenario != nil && ro.NASFor == nil {
		ro.NASFor = NASForScenario(s.Scenario)
	}
	var start time.Time
	for _, f := range flows {
		if !f.Start.IsZero() && (start.IsZero() || f.Start.Before(start)) {
			start = f.Start
		}
	}
	if start.IsZero() {
		start = time.Now()
	}
	embedded := s.Target == "" || s.Target == "embedded"
	var cert tls.Certificate
	if hasEAP(plans) && ro.Trust == nil {
		var err error
		if ro.Trust, cert, err = EmulatorTrust(s.Scenario, embedded, start); err != nil {
			return nil, "", err
		}
	}
	if s.Scenario != nil && ro.EAPFragmentSize == 0 {
		ro.EAPFragmentSize = s.Scenario.Supplicant.FragmentSize
	}
	switch {
	case s.Target == "" || s.Target == "embedded":
		if s.Scenario == nil {
			return nil, "", errors.New("replay: the embedded target needs a scenario (--scenario FILE)")
		}
		if s.Listen != "" {
			return s.replayListen(ctx, plans, ro, start, cert)
		}
		ro.Target = NewEmbedded(s.Scenario, start.Add(-time.Second), nps.Options{Logger: s.Logger, OnDecision: s.OnDecision, Certificate: cert})
	default:
		addr, err := ParseTarget(s.Target)
		if err != nil {
			return nil, "", err
		}
		ro.Target = NewUDP(addr, s.udpSecret)
	}
	rs, err := Run(ctx, plans, ro)
	return rs, ro.Target.Name(), err
}

func hasEAP(plans []*Plan) bool {
	for _, p := range plans {
		if p.EAP != nil {
			return true
		}
	}
	return false
}

func (s *Session) udpSecret(addr netip.Addr) []byte {
	if s.TargetSecret != nil {
		return s.TargetSecret
	}
	return scenarioSecret(s.Scenario, addr)
}

// replayListen serves the embedded target on a loopback address. Every
// request then comes from 127.0.0.1: the scenario client that covers it
// answers for all NASes (when none does, the first client is moved there).
// The server's decisions go back to the flows by the socket, identifier
// and authenticator of each request, so reason codes and MFA steps are
// reported as in process.
func (s *Session) replayListen(ctx context.Context, plans []*Plan, ro Options, start time.Time, cert tls.Certificate) ([]*Result, string, error) {
	ap, err := netip.ParseAddrPort(s.Listen)
	if err != nil || !ap.Addr().IsLoopback() {
		return nil, "", fmt.Errorf("replay: --listen %q: want a loopback address and port such as 127.0.0.1:0", s.Listen)
	}
	sc := s.Scenario
	if scenarioSecret(sc, ap.Addr()) == nil && len(sc.Clients) > 0 {
		if err := sc.Set("clients.0.address", ap.Addr().String()); err != nil {
			return nil, "", err
		}
		if err := sc.Validate(); err != nil {
			return nil, "", err
		}
	}
	var tg *UDP
	decide := func(d nps.Decision) {
		if s.OnDecision != nil {
			s.OnDecision(d)
		}
		tg.Decide(d)
	}
	srv, err := nps.New(sc, nps.Options{Clock: mfa.Offset(start.Add(-time.Second)), Logger: s.Logger, OnDecision: decide, Certificate: cert})
	if err != nil {
		return nil, "", err
	}
	pc, err := net.ListenPacket("udp", ap.String())
	if err != nil {
		return nil, "", fmt.Errorf("replay: %w", err)
	}
	addr := pc.LocalAddr().(*net.UDPAddr).AddrPort()
	tg = NewUDP(addr, func(netip.Addr) []byte { return scenarioSecret(sc, ap.Addr()) })
	tg.Acct = addr // Serve answers accounting on the same socket
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(sctx, pc) }()
	defer func() {
		cancel()
		shut, c2 := context.WithTimeout(context.Background(), 5*time.Second)
		defer c2()
		srv.Shutdown(shut)
		<-done
	}()
	ro.Target = tg
	if ro.NASFor == nil {
		ro.NASFor = NASForScenario(sc)
	}
	rs, err := Run(ctx, plans, ro)
	return rs, "embedded on " + addr.String(), err
}
