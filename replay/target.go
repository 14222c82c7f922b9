package replay

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/radscope/radscope/nps"
	"github.com/radscope/radscope/nps/mfa"
	"github.com/radscope/radscope/scenario"
)

// Reply is what came back for one sent packet.
type Reply struct {
	Tag      uint64
	Packet   []byte        // nil when the target did not answer (embedded target only)
	Decision *nps.Decision // the embedded target's decision, nil for remote targets
	Err      error
	// At is when a real-time target's answer arrived (zero: when it is
	// handled).
	At time.Time
}

// Target is where requests are re-sent.
type Target interface {
	// Name describes the target for reports ("embedded", "udp://...").
	Name() string
	// Open starts the target; answers are handed to deliver, from any
	// goroutine.
	Open(ctx context.Context, deliver func(Reply)) error
	// Send sends one request as coming from the NAS at from. tag comes
	// back in the Reply. conn identifies the emulated NAS socket (one per
	// flow) for targets that need one.
	Send(ctx context.Context, conn int, from netip.AddrPort, pkt []byte, tag uint64) error
	// EndConn releases what Send kept for conn.
	EndConn(conn int)
	// Secret is the shared secret the target holds for the NAS at addr,
	// nil when unknown.
	Secret(addr netip.Addr) []byte
	// Close stops the target.
	Close() error
}

// virtual is implemented by targets that run on a clock the engine moves.
type virtual interface {
	Clock() *mfa.Fake
	// Quiescent reports whether every request in flight waits on the
	// clock (held by the MFA extension) rather than on the processor.
	Quiescent() bool
}

// Embedded is the nps server in process, on a virtual clock the engine
// moves: captured TOTP codes verify and log timestamps are the captured
// ones, and an MFA wait of minutes takes no real time.
type Embedded struct {
	sc      *scenario.Scenario
	opts    nps.Options
	clock   *mfa.Fake
	srv     *nps.Server
	deliver func(Reply)
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	flight  atomic.Int64
}

// NewEmbedded prepares an in-process target for sc starting at start.
// opts.Clock is replaced by the virtual clock; the other options (loggers)
// are passed on.
func NewEmbedded(sc *scenario.Scenario, start time.Time, opts nps.Options) *Embedded {
	return &Embedded{sc: sc, opts: opts, clock: mfa.NewFake(start)}
}

// Name implements Target.
func (e *Embedded) Name() string { return "embedded" }

// Server returns the server once open.
func (e *Embedded) Server() *nps.Server { return e.srv }

// Clock returns the virtual clock.
func (e *Embedded) Clock() *mfa.Fake { return e.clock }

// Open implements Target.
func (e *Embedded) Open(ctx context.Context, deliver func(Reply)) error {
	o := e.opts
	o.Clock = e.clock
	srv, err := nps.New(e.sc, o)
	if err != nil {
		return err
	}
	e.srv, e.deliver = srv, deliver
	e.ctx, e.cancel = context.WithCancel(ctx)
	return nil
}

// Send implements Target: the request is handled in its own goroutine.
func (e *Embedded) Send(ctx context.Context, _ int, from netip.AddrPort, pkt []byte, tag uint64) error {
	e.flight.Add(1)
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		reply, d, err := e.srv.HandleDecision(e.ctx, from, pkt)
		// Deliver before leaving the flight count, so that Quiescent never
		// sees an answer that is neither in flight nor delivered.
		e.deliver(Reply{Tag: tag, Packet: reply, Decision: &d, Err: err})
		e.flight.Add(-1)
	}()
	return nil
}

// EndConn implements Target.
func (e *Embedded) EndConn(int) {}

// Quiescent implements virtual.
func (e *Embedded) Quiescent() bool {
	return e.flight.Load() <= int64(e.srv.Held())
}

// Secret implements Target: the secret of the scenario client that covers
// addr.
func (e *Embedded) Secret(addr netip.Addr) []byte { return scenarioSecret(e.sc, addr) }

func scenarioSecret(sc *scenario.Scenario, addr netip.Addr) []byte {
	if sc == nil {
		return nil
	}
	for i := range sc.Clients {
		c := &sc.Clients[i]
		if c.Prefix().IsValid() && c.Prefix().Contains(addr.Unmap()) {
			if s, err := c.SecretBytes(); err == nil {
				return s
			}
		}
	}
	return nil
}

// Close implements Target: held requests are abandoned.
func (e *Embedded) Close() error {
	if e.srv == nil {
		return nil
	}
	e.cancel()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := e.srv.Shutdown(ctx)
	e.wg.Wait()
	if errors.Is(err, nps.ErrServerClosed) {
		err = nil
	}
	return err
}

// UDP is a RADIUS server reached over UDP: a lab NPS, FreeRADIUS, or the
// embedded server listening on 127.0.0.1. Each flow in progress has a
// socket of its own (an emulated NAS port); sockets are reused by later
// flows, so a long replay holds as many as it runs flows at once.
type UDP struct {
	Addr netip.AddrPort
	// Acct is where Accounting-Requests go; zero is Addr's port + 1
	// (1812 → 1813).
	Acct    netip.AddrPort
	secrets func(netip.Addr) []byte

	mu      sync.Mutex
	conns   map[int]*udpSock
	free    []*udpSock
	all     []*udpSock
	byAddr  map[netip.AddrPort]*udpSock
	deliver func(Reply)
	ctx     context.Context
	wg      sync.WaitGroup
}

// udpSock is one socket and the flow (tag base) that uses it now.
type udpSock struct {
	c     *net.UDPConn
	owner atomic.Uint64
	local netip.AddrPort
}

// NewUDP returns a target at addr; secret gives the shared secret the
// server holds for a NAS (nil when unknown).
func NewUDP(addr netip.AddrPort, secret func(netip.Addr) []byte) *UDP {
	return &UDP{Addr: addr, secrets: secret, conns: map[int]*udpSock{}}
}

// ParseTarget reads "udp://host:port" (host must be an IP address).
func ParseTarget(s string) (netip.AddrPort, error) {
	rest, ok := strings.CutPrefix(s, "udp://")
	if !ok {
		return netip.AddrPort{}, fmt.Errorf("replay: target %q: want embedded or udp://host:port", s)
	}
	ap, err := netip.ParseAddrPort(rest)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("replay: target %q: %v", s, err)
	}
	return ap, nil
}

// Name implements Target.
func (u *UDP) Name() string { return "udp://" + u.Addr.String() }

// Open implements Target.
func (u *UDP) Open(ctx context.Context, deliver func(Reply)) error {
	u.ctx, u.deliver = ctx, deliver
	return nil
}

// Send implements Target. The first packet of conn takes a free socket
// (or opens one, with a reader for its answers).
func (u *UDP) Send(ctx context.Context, conn int, _ netip.AddrPort, pkt []byte, tag uint64) error {
	u.mu.Lock()
	s := u.conns[conn]
	if s == nil {
		if n := len(u.free); n > 0 {
			s = u.free[n-1]
			u.free = u.free[:n-1]
		} else {
			var local *net.UDPAddr
			if u.Addr.Addr().IsLoopback() {
				local = &net.UDPAddr{IP: u.Addr.Addr().AsSlice()}
			}
			c, err := net.ListenUDP("udp", local)
			if err != nil {
				u.mu.Unlock()
				return fmt.Errorf("replay: %w", err)
			}
			s = &udpSock{c: c, local: c.LocalAddr().(*net.UDPAddr).AddrPort()}
			u.all = append(u.all, s)
			if u.byAddr == nil {
				u.byAddr = map[netip.AddrPort]*udpSock{}
			}
			u.byAddr[netip.AddrPortFrom(s.local.Addr().Unmap(), s.local.Port())] = s
			u.wg.Add(1)
			go u.read(s)
		}
		s.owner.Store(tag >> 16 << 16)
		u.conns[conn] = s
	}
	u.mu.Unlock()
	to := u.Addr
	if len(pkt) > 0 && pkt[0] == 4 {
		to = u.Acct
		if !to.IsValid() {
			to = netip.AddrPortFrom(u.Addr.Addr(), u.Addr.Port()+1)
		}
	}
	if _, err := s.c.WriteToUDPAddrPort(pkt, to); err != nil {
		return fmt.Errorf("replay: send to %s: %w", u.Addr, err)
	}
	return nil
}

// read delivers every datagram from the target on s, tagged by the flow
// that owns s and the identifier (the engine matches identifier to round).
func (u *UDP) read(s *udpSock) {
	defer u.wg.Done()
	buf := make([]byte, maxPacket+1)
	for {
		n, from, err := s.c.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		if n < 20 || from.Addr().Unmap() != u.Addr.Addr().Unmap() {
			continue // only the target answers
		}
		u.deliver(Reply{Tag: s.owner.Load() | uint64(buf[1]), Packet: clone(buf[:n]), At: time.Now()})
	}
}

// Decide hands a decision of the server at the target to the flow that
// sent the request: the flow that owns the socket it came from. It is
// nps.Options.OnDecision of a server replay runs itself (--listen), whose
// decisions are then reported as in process; the engine checks the
// identifier and authenticator against the flow's request.
func (u *UDP) Decide(d nps.Decision) {
	if d.Ident < 0 {
		return
	}
	u.mu.Lock()
	s := u.byAddr[netip.AddrPortFrom(d.From.Addr().Unmap(), d.From.Port())]
	u.mu.Unlock()
	if s == nil {
		return
	}
	u.deliver(Reply{Tag: s.owner.Load() | uint64(d.Ident), Decision: &d})
}

// EndConn implements Target: the flow's socket goes back to the pool.
func (u *UDP) EndConn(conn int) {
	u.mu.Lock()
	if s := u.conns[conn]; s != nil {
		delete(u.conns, conn)
		s.owner.Store(^uint64(0) >> 16 << 16)
		u.free = append(u.free, s)
	}
	u.mu.Unlock()
}

// Secret implements Target.
func (u *UDP) Secret(addr netip.Addr) []byte {
	if u.secrets == nil {
		return nil
	}
	return u.secrets(addr)
}

// Close implements Target.
func (u *UDP) Close() error {
	u.mu.Lock()
	for _, s := range u.all {
		s.c.Close()
	}
	u.all, u.free = nil, nil
	clear(u.conns)
	clear(u.byAddr)
	u.mu.Unlock()
	u.wg.Wait()
	return nil
}
