package nps

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net"
	"net/netip"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/nps/eap"
	"github.com/radscope/radscope/nps/mfa"
	"github.com/radscope/radscope/scenario"
)

// Logger receives what a real NPS would write: one record per request and
// per response (model.KindRecord, for the IAS/ODBC/DTS log writers) and
// the Windows events (model.KindEvent: Security 6272/6273/6274, System
// 13/18, AzureMfa AuthN/AuthZ). Calls come from many goroutines.
type Logger interface {
	LogRecord(m model.Message)
	LogEvent(m model.Message)
}

// Options are the server's collaborators; all are optional.
type Options struct {
	// Logger receives log records and events.
	Logger Logger
	// Log receives the decision trace (policy matched, method, MFA step,
	// reason) at debug level and problems at warn level.
	Log *slog.Logger
	// Clock is the time of the server and of the MFA simulator: log
	// timestamps, day-and-time conditions, TOTP, the MFA session limit and
	// scripted latencies. Replay sets a Fake or Offset clock.
	Clock mfa.Clock
	// MFA is the Entra MFA back end; nil builds a Simulator from the
	// scenario's users.
	MFA mfa.Backend
	// OnDecision is called once per request that got a decision (answered
	// or deliberately dropped), for live views.
	OnDecision func(Decision)
	// Rand is the randomness for State values, GUIDs and MS-MPPE salts
	// (a ChaCha8 generator seeded from crypto/rand when nil).
	Rand io.Reader
	// Certificate is the PEAP server certificate; when zero, the
	// scenario's certificate files are read, else one is generated.
	Certificate tls.Certificate
}

// Decision is what the server decided for one request: enough for
// replay's comparison and for a one-line live view.
type Decision struct {
	Time time.Time // when the request arrived (server clock)
	From netip.AddrPort
	// Ident and Authenticator are the request's identifier and Request
	// Authenticator (Ident -1 when the datagram is shorter than a header):
	// with From they tell which request a decision is for.
	Ident         int
	Authenticator [16]byte
	Client        string     // Client-Friendly-Name, "" for unknown clients
	Code          model.Code // the response code; CodeNone when not answered
	Request       model.Code
	Dropped       bool   // no answer was sent
	DropReason    string // why, when Dropped
	Duplicate     bool   // answered from (or dropped by) the duplicate cache
	User          string // User-Name as sent
	Account       string // DOMAIN\sam NPS resolved, when it did
	Method        string // pap, chap, mschap, mschapv2, eap-mschapv2, peap, none
	AuthType      int    // NPS Authentication-Type (1 PAP ... 8 Extension ... 11 PEAP)
	ProxyPolicy   string
	Policy        string
	Reason        int // NPS Reason-Code, or model.NoReason
	MFA           *model.MFA
	Latency       time.Duration // on the server clock, from arrival to answer
}

// Server is an emulated NPS with the MFA extension. Create it with New.
type Server struct {
	sc      *scenario.Scenario
	opts    Options
	log     *slog.Logger
	clock   mfa.Clock
	backend mfa.Backend
	rnd     io.Reader
	loc     *time.Location

	secrets map[*scenario.Client][]byte
	users   map[string]*userEntry // lower-case sam
	byUPN   map[string]*userEntry // lower-case UPN
	eapSrv  *eap.Server

	dup     *dupCache
	otp     *sessionTable[*otpSession]
	eapSess *sessionTable[*eapSession]
	sem     chan struct{}
	serial  atomic.Uint64
	held    atomic.Int64
	inline  bool
	boot    time.Time

	baseCtx context.Context
	cancel  context.CancelFunc
	mu      sync.Mutex
	conns   []net.PacketConn
	lnAddrs []net.Addr
	closed  bool
	wg      sync.WaitGroup
}

type userEntry struct {
	u        *scenario.User
	password []byte // nil when only the NT hash is known
	hash     [16]byte
	hashHash [16]byte // MD4 of hash, for MS-CHAP keys and MS-CHAPv2 Success
}

// New validates sc and builds a server from it. The scenario must not be
// changed afterwards.
func New(sc *scenario.Scenario, opts Options) (*Server, error) {
	if sc == nil {
		return nil, errors.New("nps: nil scenario")
	}
	if err := sc.Validate(); err != nil {
		return nil, fmt.Errorf("nps: %w", err)
	}
	s := &Server{sc: sc, opts: opts, log: opts.Log, clock: opts.Clock, rnd: opts.Rand, loc: sc.Location()}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.clock == nil {
		s.clock = mfa.System()
	}
	if s.rnd == nil {
		s.rnd = newFastRand()
	}
	s.boot = s.clock.Now()
	s.secrets = map[*scenario.Client][]byte{}
	for i := range sc.Clients {
		c := &sc.Clients[i]
		b, err := c.SecretBytes()
		if err != nil {
			return nil, fmt.Errorf("nps: client %s: %w", c.Name, err)
		}
		s.secrets[c] = b
	}
	s.users = map[string]*userEntry{}
	s.byUPN = map[string]*userEntry{}
	for i := range sc.Directory.Users {
		u := &sc.Directory.Users[i]
		e := &userEntry{u: u}
		if u.Password != "" {
			p, err := u.PasswordBytes()
			if err != nil {
				return nil, fmt.Errorf("nps: user %s: %w", u.SAM, err)
			}
			e.password = p
			e.hash = NTHash(p)
		} else if h, err := decodeHash(u.NTHash); err == nil {
			e.hash = h
		}
		e.hashHash = md4Sum(e.hash[:])
		s.users[strings.ToLower(u.SAM)] = e
		if u.UPN != "" {
			s.byUPN[strings.ToLower(u.UPN)] = e
		}
	}
	s.backend = opts.MFA
	if s.backend == nil {
		s.backend = s.buildSimulator()
	}
	cert, generate, err := s.certificate()
	if err != nil {
		return nil, err
	}
	methods := s.eapMethods()
	if len(methods) > 0 {
		es, err := eap.NewServer(eap.Config{
			Certificate: cert,
			NTHash:      s.eapNTHash,
			Methods:     methods,
			Name:        sc.Server.ComputerName,
			Rand:        s.rnd,
			Time:        s.clock.Now,
		})
		if err != nil {
			return nil, fmt.Errorf("nps: %w", err)
		}
		s.eapSrv = es
		if generate && slices.Contains(methods, eap.MethodPEAP) {
			c, err := es.Certificate()
			if err != nil {
				return nil, fmt.Errorf("nps: %w", err)
			}
			if err := saveCertificate(c, sc.Server.Certificate.CertFile, sc.Server.Certificate.KeyFile); err != nil {
				return nil, err
			}
			s.log.Info("nps: generated the PEAP server certificate", "cert_file", sc.Server.Certificate.CertFile, "key_file", sc.Server.Certificate.KeyFile)
		}
	}
	s.dup = newDupCache(max(4*sc.Server.MaxPending, 100000))
	s.otp = newSessionTable[*otpSession](sc.Server.MaxPending)
	s.eapSess = newSessionTable[*eapSession](sc.Server.MaxPending)
	s.sem = make(chan struct{}, sc.Server.MaxPending)
	// Without the MFA extension nothing waits: readers answer inline.
	s.inline = !sc.MFA.Installed && opts.OnDecision == nil
	s.baseCtx, s.cancel = context.WithCancel(context.Background())
	return s, nil
}

// Held returns how many requests are waiting right now on the MFA back
// end's clock (a push or call the user has not answered, the back end's
// latency), counted only once the wait's timer is set. Replay on a Fake
// clock uses it to know when to move time.
func (s *Server) Held() int { return int(s.held.Load()) }

// Scenario returns the scenario the server runs.
func (s *Server) Scenario() *scenario.Scenario { return s.sc }

// Backend returns the MFA back end (the Simulator unless Options.MFA was
// set).
func (s *Server) Backend() mfa.Backend { return s.backend }

func (s *Server) buildSimulator() *mfa.Simulator {
	sim := mfa.NewSimulator(s.clock)
	sim.Failure = s.sc.MFA.BackendError
	sim.Latency = s.sc.MFA.BackendLatency
	sim.Skew = s.sc.MFA.TOTPSkew
	for i := range s.sc.Directory.Users {
		u := &s.sc.Directory.Users[i]
		id := s.mfaIdentity(u)
		if id == "" {
			continue
		}
		su := mfa.SimUser{
			Enrolled: u.MFA.Enrolled,
			Method:   mfa.Method(u.MFA.Method),
			SMSCode:  u.MFA.SMSCode,
			Outcome:  mfa.Outcome(u.MFA.Outcome),
			Error:    u.MFA.Error,
			Latency:  u.MFA.Latency,
		}
		if u.MFA.TOTPSecret != "" {
			su.TOTPSecret, _ = scenario.DecodeTOTPSecret(u.MFA.TOTPSecret)
		}
		if u.MFA.Outcome == "error" && u.MFA.Error == "UserNotFound" {
			// A user missing from Entra ID: not registered at all.
			continue
		}
		sim.AddUser(id, su)
	}
	return sim
}

// mfaIdentity is the name the extension sends to Entra for u: the UPN, or
// the value of LDAP_ALTERNATE_LOGINID_ATTRIBUTE.
func (s *Server) mfaIdentity(u *scenario.User) string {
	attr := s.sc.MFA.LDAPAlternateLoginIDAttribute
	if attr == "" {
		return u.UPN
	}
	for k, v := range u.Attributes {
		if strings.EqualFold(k, attr) {
			return v
		}
	}
	return ""
}

func (s *Server) eapMethods() []string {
	var peap, ms bool
	for _, p := range s.sc.NetworkPolicies {
		for _, m := range p.AuthMethods {
			peap = peap || m == scenario.MethodPEAP
			ms = ms || m == scenario.MethodEAPMSCHAPv2
		}
	}
	for _, p := range s.sc.ConnectionRequestPolicies {
		for _, m := range p.AuthMethods {
			peap = peap || m == scenario.MethodPEAP
			ms = ms || m == scenario.MethodEAPMSCHAPv2
		}
	}
	var out []string
	if peap {
		out = append(out, eap.MethodPEAP)
	}
	if ms {
		out = append(out, eap.MethodMSCHAPv2)
	}
	return out
}

// ListenAndServe listens on the scenario's auth_listen and acct_listen
// addresses and serves until ctx ends or Shutdown is called. It returns
// ErrServerClosed after Shutdown, ctx.Err() when ctx ended, or the first
// listen error.
func (s *Server) ListenAndServe(ctx context.Context) error {
	type l struct {
		addr string
		kind portKind
	}
	var ls []l
	for _, a := range s.sc.Server.AuthListen {
		ls = append(ls, l{a, portAuth})
	}
	for _, a := range s.sc.Server.AcctListen {
		ls = append(ls, l{a, portAcct})
	}
	if len(ls) == 0 {
		return errors.New("nps: no listen addresses")
	}
	var conns []net.PacketConn
	var kinds []portKind
	lc := net.ListenConfig{}
	for _, x := range ls {
		network := "udp4"
		if ap, err := netip.ParseAddrPort(x.addr); err == nil && ap.Addr().Is6() && !ap.Addr().Is4In6() {
			network = "udp6"
		}
		c, err := lc.ListenPacket(ctx, network, x.addr)
		if err != nil {
			for _, c := range conns {
				c.Close()
			}
			return fmt.Errorf("nps: listen %s: %w", x.addr, err)
		}
		conns = append(conns, c)
		kinds = append(kinds, x.kind)
	}
	s.mu.Lock()
	s.lnAddrs = s.lnAddrs[:0]
	for _, c := range conns {
		s.lnAddrs = append(s.lnAddrs, c.LocalAddr())
	}
	s.mu.Unlock()
	errc := make(chan error, len(conns))
	for i, c := range conns {
		go func() { errc <- s.serve(ctx, c, kinds[i]) }()
	}
	var first error
	for range conns {
		if err := <-errc; first == nil {
			first = err
			// One listener ending ends them all.
			for _, c := range conns {
				c.Close()
			}
		}
	}
	return first
}

// Addrs returns the local addresses being served: for ListenAndServe,
// those of auth_listen then acct_listen in the scenario's order; else those
// of the connections given to Serve.
func (s *Server) Addrs() []net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.lnAddrs) > 0 {
		return append([]net.Addr(nil), s.lnAddrs...)
	}
	out := make([]net.Addr, len(s.conns))
	for i, c := range s.conns {
		out[i] = c.LocalAddr()
	}
	return out
}

type portKind uint8

const (
	portAny portKind = iota
	portAuth
	portAcct
)

// Serve answers RADIUS requests arriving on conn — Access-Request,
// Status-Server and Accounting-Request alike — until ctx ends or Shutdown
// is called; it closes conn when it returns.
func (s *Server) Serve(ctx context.Context, conn net.PacketConn) error {
	return s.serve(ctx, conn, portAny)
}

func (s *Server) serve(ctx context.Context, conn net.PacketConn, kind portKind) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		conn.Close()
		return ErrServerClosed
	}
	s.conns = append(s.conns, conn)
	s.mu.Unlock()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	defer conn.Close()
	// Several readers, so that receiving is not serialised behind one
	// system call at a time.
	readers := max(2, min(2*runtime.GOMAXPROCS(0), 8))
	errc := make(chan error, readers)
	for range readers {
		go func() { errc <- s.readLoop(ctx, conn, kind) }()
	}
	err := <-errc
	conn.Close()
	for range readers - 1 {
		<-errc
	}
	return err
}

// readLoop receives datagrams and hands each to a goroutine.
func (s *Server) readLoop(ctx context.Context, conn net.PacketConn, kind portKind) error {
	udp, _ := conn.(*net.UDPConn)
	buf := make([]byte, 4096)
	for {
		var n int
		var from netip.AddrPort
		var addr net.Addr
		var err error
		if udp != nil {
			n, from, err = udp.ReadFromUDPAddrPort(buf)
			from = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
		} else {
			n, addr, err = conn.ReadFrom(buf)
			if err == nil {
				from = addrPort(addr)
			}
		}
		if err != nil {
			s.mu.Lock()
			closed := s.closed
			s.mu.Unlock()
			if closed {
				return ErrServerClosed
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return fmt.Errorf("nps: read: %w", err)
		}
		if !from.IsValid() {
			continue
		}
		select {
		case s.sem <- struct{}{}:
		default:
			s.log.Warn("nps: request dropped: too many requests pending", "from", from, "max_pending", cap(s.sem))
			continue
		}
		pkt := make([]byte, n)
		copy(pkt, buf[:n])
		s.wg.Add(1)
		work := func() {
			defer s.wg.Done()
			defer func() { <-s.sem }()
			reply, _ := s.handle(s.baseCtx, from, pkt, kind)
			if reply == nil {
				return
			}
			var err error
			if udp != nil {
				_, err = udp.WriteToUDPAddrPort(reply, from)
			} else {
				_, err = conn.WriteTo(reply, addr)
			}
			if err != nil {
				s.log.Warn("nps: write failed", "to", from, "err", err)
			}
		}
		if s.inline {
			// Nothing can block (no MFA extension): answer on this
			// reader, sparing a goroutine hand-off per request.
			work()
		} else {
			go work()
		}
	}
}

func addrPort(a net.Addr) netip.AddrPort {
	if u, ok := a.(*net.UDPAddr); ok {
		ap := u.AddrPort()
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	}
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		return netip.AddrPort{}
	}
	return ap
}

// Shutdown stops the listeners, abandons held requests (they get no
// answer, as when NPS stops) and waits for the goroutines to finish or ctx
// to end.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	conns := s.conns
	s.conns = nil
	s.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
	s.cancel()
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		return ctx.Err()
	}
	s.otp.clear(nil)
	s.eapSess.clear(func(e *eapSession) { e.conv.Close() })
	return nil
}

// Handle processes one request in process, exactly as if it had arrived
// over UDP from `from` on the matching port, and returns the reply — nil
// when NPS would not answer (unknown client, bad authenticator, a
// duplicate, a request the MFA extension holds until ctx ends...). It
// blocks while the extension holds the request. err is non-nil only for
// a server that was shut down.
func (s *Server) Handle(ctx context.Context, from netip.AddrPort, packet []byte) ([]byte, error) {
	reply, _, err := s.HandleDecision(ctx, from, packet)
	return reply, err
}

// HandleDecision is Handle that also returns the Decision.
func (s *Server) HandleDecision(ctx context.Context, from netip.AddrPort, packet []byte) ([]byte, Decision, error) {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return nil, Decision{}, ErrServerClosed
	}
	s.wg.Add(1)
	defer s.wg.Done()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(s.baseCtx, cancel)
	defer stop()
	reply, d := s.handle(ctx, netip.AddrPortFrom(from.Addr().Unmap(), from.Port()), packet, portAny)
	return reply, d, nil
}

func (s *Server) newGUID() string {
	var b [16]byte
	io.ReadFull(s.rnd, b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// nextClass returns the Class NPS attaches to a request in its wire form
// (vendor 311, version 1, NPS IPv4, boot time as FILETIME, serial) and the
// serial.
func (s *Server) nextClass() ([]byte, uint64) {
	n := s.serial.Add(1)
	ip := s.sc.Server.Address.As4()
	b := make([]byte, 0, 26)
	b = binary.BigEndian.AppendUint32(b, 311)
	b = binary.BigEndian.AppendUint16(b, 1)
	b = append(b, ip[:]...)
	ft := uint64(s.boot.UnixNano()/100) + 116444736000000000
	b = binary.BigEndian.AppendUint64(b, ft)
	b = binary.BigEndian.AppendUint64(b, n)
	return b, n
}

// classText is the log form of the Class with serial n:
// "311 1 <ip> <MM/DD/YYYY HH:MM:SS> <serial>" (boot time in UTC).
func (s *Server) classText(n uint64) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("311 1 %s %s %d", s.sc.Server.Address, s.boot.UTC().Format("01/02/2006 15:04:05"), n)
}

// served returns how many connections are being served.
func (s *Server) served() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// Line renders the decision as one line for a live view: time, client,
// user, method, outcome, reason and latency.
//
//	22:04:17.120  rdgw      CONTOSO\alice  pap       Access-Accept     0 Success  8.002s  mfa=push:Success
func (d Decision) Line() string {
	outcome := d.Code.String()
	if d.Dropped {
		outcome = "dropped"
	}
	user := d.Account
	if user == "" {
		user = d.User
	}
	if user == "" {
		user = "-"
	}
	client := d.Client
	if client == "" {
		client = d.From.Addr().String()
	}
	method := d.Method
	if method == "" {
		method = "-"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s  %-10s %-22s %-12s %-17s", d.Time.Format("15:04:05.000"), client, user, method, outcome)
	switch {
	case d.Dropped:
		b.WriteString(" " + d.DropReason)
	case d.Reason >= 0:
		fmt.Fprintf(&b, " %3d %s", d.Reason, reasonText(d.Reason))
	}
	fmt.Fprintf(&b, "  %s", d.Latency.Round(time.Millisecond))
	if d.MFA != nil {
		fmt.Fprintf(&b, "  mfa=%s", d.MFA.Method)
		if d.MFA.Result != "" {
			b.WriteString(":" + d.MFA.Result)
		}
		if d.MFA.Error != "" {
			b.WriteString(":" + d.MFA.Error)
		}
	}
	if d.Duplicate {
		b.WriteString("  (duplicate)")
	}
	return b.String()
}

// fastRand is a ChaCha8 stream seeded from crypto/rand: a CSPRNG without a
// system call per read.
type fastRand struct {
	mu sync.Mutex
	c  *mrand.ChaCha8
}

func newFastRand() *fastRand {
	var seed [32]byte
	if _, err := rand.Read(seed[:]); err != nil {
		panic("nps: crypto/rand: " + err.Error())
	}
	return &fastRand{c: mrand.NewChaCha8(seed)}
}

func (f *fastRand) Read(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.c.Read(p)
}
