package replay

import (
	"container/heap"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net/netip"
	"sort"
	"time"

	"github.com/radscope/radscope/explain"
	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/replay/supplicant"
	"github.com/radscope/radscope/scenario"
	"github.com/radscope/radscope/secret"
)

// Timing says when flows are started against a real-time target.
type Timing struct {
	Mode  string  // "fast", "captured" or "rate"
	Speed float64 // captured: replay Speed times faster (default 1)
	Rate  float64 // rate: flows per second
}

// ParseTiming reads fast, captured or rate:N.
func ParseTiming(s string) (Timing, error) {
	switch {
	case s == "" || s == "fast":
		return Timing{Mode: "fast"}, nil
	case s == "captured":
		return Timing{Mode: "captured", Speed: 1}, nil
	}
	var n float64
	if _, err := fmt.Sscanf(s, "rate:%g", &n); err == nil && n > 0 {
		return Timing{Mode: "rate", Rate: n}, nil
	}
	return Timing{}, fmt.Errorf("replay: timing %q: want fast, captured or rate:N", s)
}

// NAS is how the emulated NAS waits and retries.
type NAS struct {
	Timeout time.Duration
	Retries int
}

// Options configure a run.
type Options struct {
	Target   Target
	Timing   Timing
	Parallel int // flows in progress at once (default 64)
	// Timeout and Retries (-t, -r) override every NAS's own; Retries < 0
	// leaves them to NASFor.
	Timeout time.Duration
	Retries int
	// NASFor returns the timeout and retries the scenario sets for the
	// NAS at addr (zero fields when it sets none).
	NASFor func(addr netip.Addr) NAS
	// Linger is how long to keep listening for a late answer after the
	// NAS gave up [30s].
	Linger time.Duration
	// Now is the real clock (tests); nil is time.Now.
	Now func() time.Time
	// Trace, when set, sees every packet sent (toTarget) and every answer
	// received for a flow in progress, with the time on the run's clock
	// (the virtual one for the embedded target): enough to write a
	// capture of the replay.
	Trace func(at time.Time, nas netip.AddrPort, pkt []byte, toTarget bool)
	// Rand is the source of request authenticators; nil is crypto/rand.
	Rand io.Reader
	// Trust is which PEAP server certificates the EAP peer of EAP flows
	// trusts (EmulatorTrust reads it from the scenario); nil trusts none.
	Trust *supplicant.Trust
	// EAPFragmentSize is the most TLS data the peer sends per EAP message
	// (default 1020).
	EAPFragmentSize int
}

// flowRun is the state of one flow being replayed.
type flowRun struct {
	idx      int
	plan     *Plan
	res      *Result
	secret   []byte
	nas      NAS
	from     netip.AddrPort
	round    int
	ident    uint8
	pkt      []byte
	auth     []byte
	attempts int
	sent     time.Time // first send of the round
	last     time.Time // last send
	gaveUp   time.Time // when the NAS gave up on the round, zero while waiting
	state    []byte    // State of the last Access-Challenge
	done     bool
	deadline time.Time  // the pending timer
	gen      int        // invalidates older timers
	obs      model.Flow // the replay as a flow, for the explain rules
	peer     *supplicant.Peer
	eapMsg   []byte     // the peer's EAP-Message for the next round
	mfa      *model.MFA // the target's MFA step for the request in flight
}

type timer struct {
	at  time.Time
	f   *flowRun
	gen int
	seq int
}

type timers []timer

func (t timers) Len() int { return len(t) }
func (t timers) Less(i, j int) bool {
	if t[i].at.Equal(t[j].at) {
		return t[i].seq < t[j].seq
	}
	return t[i].at.Before(t[j].at)
}
func (t timers) Swap(i, j int) { t[i], t[j] = t[j], t[i] }
func (t *timers) Push(x any)   { *t = append(*t, x.(timer)) }
func (t *timers) Pop() any {
	old := *t
	x := old[len(old)-1]
	*t = old[:len(old)-1]
	return x
}

// Run replays the plans against the target and returns one Result per
// plan, in the plans' order. The target is opened and closed by Run. It
// returns early with ctx's error when ctx ends.
func Run(ctx context.Context, plans []*Plan, o Options) ([]*Result, error) {
	if o.Target == nil {
		return nil, fmt.Errorf("replay: no target")
	}
	if o.Parallel <= 0 {
		o.Parallel = 64
	}
	if o.Linger <= 0 {
		o.Linger = 30 * time.Second
	}
	if o.Timing.Mode == "" {
		o.Timing.Mode = "fast"
	}
	if o.Timing.Speed <= 0 {
		o.Timing.Speed = 1
	}
	e := &engine{o: o, replies: make(chan Reply, 1024), idents: map[netip.Addr]uint8{}, rand: o.Rand}
	if e.rand == nil {
		e.rand = rand.Reader
	}
	if v, ok := o.Target.(virtual); ok {
		e.virt = v
	}
	e.now = func() time.Time {
		if e.virt != nil {
			return e.virt.Clock().Now()
		}
		if o.Now != nil {
			return o.Now()
		}
		return time.Now()
	}
	if err := o.Target.Open(ctx, func(r Reply) { e.replies <- r }); err != nil {
		return nil, err
	}
	results := make([]*Result, len(plans))
	var order []*flowRun
	for i, p := range plans {
		results[i] = newResult(p)
		if !p.Replayable() {
			continue
		}
		order = append(order, &flowRun{idx: i, plan: p, res: results[i]})
	}
	sort.SliceStable(order, func(a, b int) bool { return order[a].plan.Requests[0].At.Before(order[b].plan.Requests[0].At) })
	err := e.loop(ctx, order)
	cerr := o.Target.Close()
	// Late answers delivered while closing are not read: the run is over.
	if err == nil {
		err = cerr
	}
	// The explain rules run once the clock no longer matters: in the loop
	// they would hold up the next timed send.
	for _, f := range order {
		if f.done {
			f.res.Observed.Findings = f.findings(f.res.Observed.Outcome)
		}
	}
	for _, r := range results {
		r.compare()
	}
	return results, err
}

// spinWindow is how long before a timed send the event loop stops
// waiting on the runtime's timer and answers, and sleeps the thread (see
// sleepUntil). Answers that arrive meanwhile keep their arrival time.
// sleeping and spins.
const spinWindow = 3 * time.Millisecond

// timer returns the engine's one timer, reset to d.
func (e *engine) timer(d time.Duration) *time.Timer {
	if e.tm == nil {
		e.tm = time.NewTimer(d)
		return e.tm
	}
	e.tm.Reset(d)
	return e.tm
}

type engine struct {
	tm      *time.Timer
	o       Options
	rand    io.Reader
	virt    virtual
	now     func() time.Time
	replies chan Reply
	timers  timers
	seq     int
	flows   map[int]*flowRun
	idents  map[netip.Addr]uint8
	active  int
}

func (e *engine) schedule(f *flowRun, at time.Time) {
	f.gen++
	f.deadline = at
	e.seq++
	heap.Push(&e.timers, timer{at: at, f: f, gen: f.gen, seq: e.seq})
}

// loop is the event loop: it starts flows as their time comes and slots
// free up, sends, retransmits, gives up and moves on to the next round.
func (e *engine) loop(ctx context.Context, order []*flowRun) error {
	e.flows = map[int]*flowRun{}
	next := 0
	var base, first time.Time
	if len(order) > 0 {
		first = order[0].plan.Requests[0].At
	}
	base = e.now()
	startAt := func(i int) time.Time {
		f := order[i]
		switch {
		case e.virt != nil:
			return f.plan.Requests[0].At
		case e.o.Timing.Mode == "captured":
			return base.Add(time.Duration(float64(f.plan.Requests[0].At.Sub(first)) / e.o.Timing.Speed))
		case e.o.Timing.Mode == "rate":
			return base.Add(time.Duration(float64(i) / e.o.Timing.Rate * float64(time.Second)))
		}
		return time.Time{}
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		now := e.now()
		// Start the flows that are due while slots are free.
		for next < len(order) && e.active < e.o.Parallel {
			at := startAt(next)
			if at.After(now) {
				// On the virtual clock too: a flow starts at its own
				// captured time, so time-based codes verify; the clock
				// jumps there once nothing else is going on.
				break
			}
			f := order[next]
			next++
			e.active++
			e.flows[f.idx] = f
			e.startFlow(ctx, f)
			now = e.now()
		}
		if next >= len(order) && e.active == 0 {
			return nil
		}
		// Fire due timers.
		if len(e.timers) > 0 && !e.timers[0].at.After(now) {
			t := heap.Pop(&e.timers).(timer)
			if t.gen == t.f.gen && !t.f.done {
				e.fire(ctx, t.f)
			}
			continue
		}
		// Wait for the next thing: an answer, a timer, a flow start.
		var wake time.Time
		if len(e.timers) > 0 {
			wake = e.timers[0].at
		}
		if next < len(order) && e.active < e.o.Parallel {
			if at := startAt(next); wake.IsZero() || at.Before(wake) {
				wake = at
			}
		}
		if err := e.wait(ctx, wake); err != nil {
			return err
		}
	}
}

// wait handles answers until wake (zero: until one arrives). On the
// virtual clock, time moves only when every request in flight waits on it.
func (e *engine) wait(ctx context.Context, wake time.Time) error {
	if e.virt == nil {
		var tc <-chan time.Time
		if !wake.IsZero() {
			d := time.Until(wake)
			if e.o.Now != nil {
				d = wake.Sub(e.o.Now())
			}
			if d <= 0 {
				return nil
			}
			if d <= spinWindow && e.o.Now == nil {
				// Timer wake-ups lag by up to a millisecond (the netpoller
				// sleeps in whole milliseconds): the last stretch before a
				// send is slept by the thread itself, and answers wait: one
				// could take longer than the stretch.
				sleepUntil(wake)
				return ctx.Err()
			}
			if d > spinWindow && e.o.Now == nil {
				d -= spinWindow
			}
			t := e.timer(d)
			tc = t.C
		}
		select {
		case r := <-e.replies:
			e.answer(ctx, r)
		case <-tc:
		case <-ctx.Done():
			return ctx.Err()
		}
		return nil
	}
	clk := e.virt.Clock()
	busySince := time.Now()
	for {
		select {
		case r := <-e.replies:
			e.answer(ctx, r)
			return nil
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		// A request that neither answers nor waits on the clock for a
		// real second (stuck on something else) must not stop time.
		if e.quiet() || time.Since(busySince) > stuckAfter {
			busySince = time.Now()
			t, ok := clk.Next()
			if !ok || !wake.IsZero() && wake.Before(t) {
				t, ok = wake, !wake.IsZero()
			}
			if !ok {
				// Nothing will ever happen: give the stragglers a moment.
				select {
				case r := <-e.replies:
					e.answer(ctx, r)
				case <-time.After(50 * time.Millisecond):
				case <-ctx.Done():
					return ctx.Err()
				}
				return nil
			}
			clk.Set(t)
			if !t.Before(wake) && !wake.IsZero() {
				return nil
			}
			continue
		}
		t := e.timer(100 * time.Microsecond)
		select {
		case r := <-e.replies:
			e.answer(ctx, r)
			return nil
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// stuckAfter is how long the virtual clock waits for a request that is
// being processed (not held on the clock) before it moves anyway.
const stuckAfter = time.Second

// quiet reports, on the virtual clock, that every request in flight is
// held on the clock and stays so for a moment (a request that was just
// taken on has not yet set its timers).
func (e *engine) quiet() bool {
	if len(e.replies) > 0 || !e.virt.Quiescent() {
		return false
	}
	clk := e.virt.Clock()
	w := clk.Waiters()
	time.Sleep(50 * time.Microsecond)
	return len(e.replies) == 0 && e.virt.Quiescent() && clk.Waiters() == w
}

func (e *engine) startFlow(ctx context.Context, f *flowRun) {
	p := f.plan
	f.from = p.Client
	if !f.from.IsValid() {
		f.from = netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), 1812)
	}
	f.secret = p.Requests[0].secret
	if ts := e.o.Target.Secret(f.from.Addr()); ts != nil && (f.secret == nil || !e.preferCaptured()) {
		f.secret = ts
	}
	if p.Secret != nil {
		f.secret = p.Secret
	}
	f.nas = e.nasFor(f)
	f.res.Observed.Start = e.now()
	if p.EAP != nil {
		peer, err := e.newPeer(f)
		if err != nil {
			e.finish(f, "", "replay: "+err.Error())
			return
		}
		f.peer, f.eapMsg = peer, peer.Start(p.EAP.ID)
	}
	e.sendRound(ctx, f)
}

// preferCaptured says the NAS keeps the secret it used in the capture
// (so a wrong shared secret reproduces): true for the embedded target,
// whose secrets are the scenario's.
func (e *engine) preferCaptured() bool { return e.virt != nil }

// nasFor picks the NAS timeout and retries: -t/-r, else the scenario's
// client, else what the capture shows, else 30 s and 2.
func (e *engine) nasFor(f *flowRun) NAS {
	n := NAS{Timeout: e.o.Timeout, Retries: e.o.Retries}
	var sc NAS
	if e.o.NASFor != nil {
		sc = e.o.NASFor(f.from.Addr())
	}
	r0 := f.plan.Requests[0]
	if n.Timeout <= 0 {
		switch {
		case sc.Timeout > 0:
			n.Timeout = sc.Timeout
		case r0.Interval > 0:
			n.Timeout = r0.Interval
		default:
			n.Timeout = defaultNASTimeout
		}
	}
	if n.Retries < 0 {
		switch {
		case sc.Timeout > 0 || sc.Retries > 0:
			n.Retries = sc.Retries
		case r0.Retransmits > 0:
			n.Retries = r0.Retransmits
		default:
			n.Retries = defaultNASRetries
		}
	}
	return n
}

func (e *engine) tag(f *flowRun) uint64 { return uint64(f.idx)<<16 | uint64(f.ident) }

// sendRound builds and sends the current round's request.
func (e *engine) sendRound(ctx context.Context, f *flowRun) {
	req := &f.plan.Requests[f.round]
	if f.peer != nil {
		// The NAS's attributes, the peer's EAP-Message, the State of the
		// target's last Access-Challenge.
		r := *req
		r.Attrs = append(append([]WireAttr(nil), req.Attrs...), eapAttrs(f.eapMsg)...)
		r.State = f.state != nil
		req = &r
	}
	f.ident = e.idents[f.from.Addr()]
	e.idents[f.from.Addr()]++
	f.auth = make([]byte, 16)
	if _, err := io.ReadFull(e.rand, f.auth); err != nil {
		e.finish(f, "", "replay: authenticator: "+err.Error())
		return
	}
	var state []byte
	if req.State {
		state = f.state
	}
	pkt, err := Encode(req, f.ident, f.auth, f.secret, state)
	if err != nil {
		e.finish(f, "", err.Error())
		return
	}
	f.pkt = pkt
	copy(f.auth, pkt[4:20])
	f.attempts = 0
	f.gaveUp = time.Time{}
	f.res.Observed.Rounds++
	e.transmit(ctx, f)
}

func (e *engine) transmit(ctx context.Context, f *flowRun) {
	now := e.now()
	if f.attempts == 0 {
		f.sent = now
	} else {
		f.res.Observed.Retransmits++
	}
	f.attempts++
	f.last = now
	f.record(now, f.pkt, true)
	if e.o.Trace != nil {
		e.o.Trace(now, f.from, f.pkt, true)
	}
	if err := e.o.Target.Send(ctx, f.idx, f.from, f.pkt, e.tag(f)); err != nil {
		e.finish(f, "", err.Error())
		return
	}
	e.schedule(f, now.Add(f.nas.Timeout))
}

// fire handles a flow's timer: retransmit, give up, linger over, or the
// next round is due.
func (e *engine) fire(ctx context.Context, f *flowRun) {
	switch {
	case f.pkt == nil:
		// The next round: the user has typed the code.
		e.sendRound(ctx, f)
	case f.gaveUp.IsZero() && f.attempts <= f.nas.Retries:
		e.transmit(ctx, f)
	case f.gaveUp.IsZero():
		f.gaveUp = e.now()
		f.res.Observed.GaveUp = true
		e.schedule(f, f.gaveUp.Add(e.o.Linger))
	default:
		e.finish(f, model.OutcomeNoResponse.String(), "")
	}
}

// answer handles one reply.
func (e *engine) answer(ctx context.Context, r Reply) {
	f := e.flows[int(r.Tag>>16)]
	if f == nil || f.done {
		return
	}
	if r.Decision != nil && (uint8(r.Tag) != f.ident || r.Decision.Ident >= 0 && r.Decision.Authenticator != [16]byte(f.auth)) {
		// A decision on an earlier request of the flow (or of the flow that
		// used the socket before).
		r.Decision = nil
	}
	if r.Decision != nil && r.Decision.Request != model.CodeNone && !r.Decision.Duplicate {
		d := *r.Decision
		f.res.Observed.decision(&d)
		f.mfa = d.MFA
	} else if r.Decision != nil && r.Decision.Duplicate {
		f.res.Observed.Duplicates++
	}
	now := e.now()
	if !r.At.IsZero() && e.virt == nil && e.o.Now == nil && r.At.Before(now) {
		now = r.At // it waited while the loop slept before a send
	}
	if r.Packet != nil && e.o.Trace != nil {
		e.o.Trace(now, f.from, r.Packet, false)
	}
	if r.Packet == nil || uint8(r.Tag) != f.ident || f.pkt == nil {
		return
	}
	a, err := decodeAnswer(r.Packet, f.auth, f.secret)
	if err != nil {
		e.finish(f, "", err.Error())
		return
	}
	f.record(now, r.Packet, false)
	o := &f.res.Observed
	o.Latency = now.Sub(f.sent)
	if !a.ok {
		o.BadAuthenticator = true
	}
	late := !f.gaveUp.IsZero() && now.After(f.gaveUp)
	if f.peer != nil && !late && e.eapAnswer(f, a, now) {
		return
	}
	switch a.code {
	case model.CodeAccessChallenge:
		if late {
			e.finish(f, outcomeNASTimeout, "")
			return
		}
		o.Challenges++
		if f.round+1 >= len(f.plan.Requests) {
			e.finish(f, model.OutcomeChallengeAbandoned.String(), "")
			return
		}
		f.state = a.state
		f.round++
		f.pkt = nil
		gap := f.plan.Requests[f.round].Gap
		if e.virt == nil && e.o.Timing.Mode == "fast" {
			gap = 0
		} else if e.virt == nil {
			gap = time.Duration(float64(gap) / e.o.Timing.Speed)
		}
		e.schedule(f, now.Add(gap))
	case model.CodeAccessAccept, model.CodeStatusServer:
		e.finishAnswered(f, late, model.OutcomeAccepted.String())
	case model.CodeAccountingResponse:
		if f.round+1 < len(f.plan.Requests) && !late {
			f.round++
			f.pkt = nil
			gap := f.plan.Requests[f.round].At.Sub(f.plan.Requests[f.round-1].At)
			if e.virt == nil {
				gap = 0
			}
			e.schedule(f, now.Add(max(gap, 0)))
			return
		}
		e.finishAnswered(f, late, model.OutcomeAccounted.String())
	case model.CodeAccessReject:
		e.finishAnswered(f, late, model.OutcomeRejected.String())
	default:
		e.finishAnswered(f, late, a.code.String())
	}
}

func (e *engine) finishAnswered(f *flowRun, late bool, outcome string) {
	if late {
		f.res.Observed.LateAnswer = outcome
		outcome = outcomeNASTimeout
	}
	e.finish(f, outcome, "")
}

func (e *engine) finish(f *flowRun, outcome, errText string) {
	if f.done {
		return
	}
	f.done = true
	f.gen++
	o := &f.res.Observed
	o.Outcome = outcome
	o.Error = errText
	o.End = e.now()
	if f.peer != nil {
		r := f.peer.Result()
		o.EAPMethod, o.MSCHAPError = r.Method, r.MSCHAPError
		f.peer.Close()
	}
	e.o.Target.EndConn(f.idx)
	delete(e.flows, f.idx)
	e.active--
}

// NASForScenario returns the timeout and retries the scenario's clients
// set, by NAS address.
func NASForScenario(sc *scenario.Scenario) func(netip.Addr) NAS {
	return func(addr netip.Addr) NAS {
		if sc == nil {
			return NAS{}
		}
		for i := range sc.Clients {
			c := &sc.Clients[i]
			if c.Prefix().IsValid() && c.Prefix().Contains(addr.Unmap()) {
				return NAS{Timeout: c.Timeout, Retries: c.Retries}
			}
		}
		return NAS{}
	}
}

// record adds a sent request or a received answer to the observed flow.
func (f *flowRun) record(at time.Time, pkt []byte, request bool) {
	if len(pkt) < 20 {
		return
	}
	o := &f.obs
	m := model.Message{Time: at, Kind: model.KindPacket, Code: model.Code(pkt[0]), Ident: int(pkt[1]),
		Client: f.from, User: f.plan.Flow.User, NASID: f.plan.NAS, Reason: model.NoReason}
	m.Check = &model.SecretCheck{MessageAuthenticator: model.Absent}
	if !request && f.mfa != nil {
		// The target's MFA step, as the extension's log shows it next to
		// the answer: the explain rules read it from the messages.
		mf := *f.mfa
		m.MFA = &mf
		m.Reason = f.res.Observed.Reason
	}
	if secret.HasMessageAuthenticator(pkt) {
		m.Check.MessageAuthenticator = model.Verified
	}
	o.Messages = append(o.Messages, m)
	i := len(o.Messages) - 1
	n := len(o.Rounds)
	switch {
	case request && f.attempts <= 1:
		o.Rounds = append(o.Rounds, model.Round{Request: i, Response: -1})
	case request && n > 0:
		o.Rounds[n-1].Retransmits = append(o.Rounds[n-1].Retransmits, i)
	case !request && n > 0 && o.Rounds[n-1].Response < 0:
		r := &o.Rounds[n-1]
		r.Response, r.Code = i, m.Code
		r.Latency = at.Sub(o.Messages[r.Request].Time)
	}
}

// findings runs the explain rules over the replay as the NAS saw it.
func (f *flowRun) findings(outcome string) []string {
	src := f.plan.Flow
	o := &f.obs
	if len(o.Messages) == 0 {
		return nil
	}
	o.ID, o.Kind, o.User, o.NAS = src.ID, src.Kind, src.User, f.plan.NAS
	o.CallingStation, o.CalledStation, o.Method = src.CallingStation, src.CalledStation, src.Method
	o.Start, o.End = o.Messages[0].Time, o.Messages[len(o.Messages)-1].Time
	o.Sources = []model.Kind{model.KindPacket}
	obs := &f.res.Observed
	o.Reason = obs.Reason
	if obs.MFA != "" || obs.MFAMethod != "" {
		o.MFA = &model.MFA{Result: obs.MFA, Method: obs.MFAMethod, Error: obs.MFAError}
	}
	if late := obs.LateAnswer; late != "" {
		outcome = late
	}
	if oc, ok := model.ParseOutcome(outcome); ok {
		o.Outcome = oc
	}
	if n := len(o.Rounds); n > 0 && o.Rounds[n-1].Response >= 0 {
		o.Latency = o.Rounds[n-1].Latency
	}
	var ids []string
	for _, fd := range explain.Evaluate(o) {
		if fd.Rule == "nas-timeout-short" && obs.Retransmits == 0 && !obs.GaveUp {
			// The rule assumes an RD Gateway keeps its 3 s default; here the
			// emulated NAS's timeout is known, and it waited.
			continue
		}
		ids = append(ids, fd.Rule)
	}
	return ids
}
