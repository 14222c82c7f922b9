package flow

import (
	"context"
	"iter"
	"net/netip"
	"time"

	"github.com/radscope/radscope/model"
)

// Options tune the builder. Zero values take the defaults in brackets.
type Options struct {
	// Tolerance is how far apart (after clock offsets) two sources may put
	// the same step of an attempt [2s].
	Tolerance time.Duration
	// MaxSkew is the widest clock offset looked for while no offset has been
	// estimated yet; a pair is then taken only when it is the only
	// candidate [30s].
	MaxSkew time.Duration
	// Grace keeps an answered attempt open for late messages of slower
	// sources [30s, at least MaxSkew].
	Grace time.Duration
	// Window closes an attempt with no answer (or waiting on a challenge)
	// after this much quiet stream time [4m: the MFA session lasts 3].
	Window time.Duration
	// Hold is how long an answer may follow its request (an MFA push holds
	// the Access-Request until the user acts) [3m].
	Hold time.Duration
	// EventSlack is how far an event may precede or follow the RADIUS
	// exchange it belongs to [5s].
	EventSlack time.Duration
	// LinkWindow is how long after an Access-Accept its accounting Start
	// may come and still be linked without a Class [10m].
	LinkWindow time.Duration
	// AcctIdle closes an accounting session that saw no Stop [24h].
	AcctIdle time.Duration
	// SessionBudget caps the messages the open accounting sessions hold
	// between them; beyond it the sessions quiet the longest are yielded
	// in parts (Flow.Part, Flow.Continues) so that memory does not grow
	// with session length [20000, about 50 MB of NPS log records;
	// negative keeps every session whole].
	SessionBudget int
	// MaxOpen caps the open flows; the least recently active are closed
	// first when it is exceeded [200000].
	MaxOpen int
	// Annotate is called on every flow before it is yielded (the explain
	// rules attach their findings here); nil for none.
	Annotate func(*model.Flow)
	// Stats, when not nil, is filled while building.
	Stats *Stats
}

func (o *Options) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.Tolerance, 2*time.Second)
	def(&o.MaxSkew, 30*time.Second)
	if o.MaxSkew < o.Tolerance {
		o.MaxSkew = o.Tolerance
	}
	def(&o.Grace, 30*time.Second)
	if o.Grace < o.MaxSkew {
		o.Grace = o.MaxSkew
	}
	def(&o.Window, 4*time.Minute)
	def(&o.Hold, 3*time.Minute)
	def(&o.EventSlack, 5*time.Second)
	def(&o.LinkWindow, 10*time.Minute)
	def(&o.AcctIdle, 24*time.Hour)
	if o.SessionBudget == 0 {
		o.SessionBudget = 20000
	}
	if o.MaxOpen <= 0 {
		o.MaxOpen = 200000
	}
}

// Stats describes a build.
type Stats struct {
	Messages  int64            // messages read
	Flows     int64            // flows yielded, unmatched ones included
	ByKind    [5]int64         // flows yielded per model.FlowKind
	Unmatched int64            // messages yielded as FlowUnmatched
	Errors    int64            // errors passed through
	MaxOpen   int              // the most flows open at once
	Forced    int64            // flows closed early because MaxOpen was reached
	Parts     int64            // accounting session parts cut (Options.SessionBudget)
	Offsets   []Offset         // clock offsets per source kind, relative to Reference
	ZoneHints []ZoneHint       // kinds that look shifted by whole zone steps (a wrong --tz)
	Reference model.Kind       // the clock the offsets are relative to
	pairs     [3][3]*sampler   // [kind][ref kind] deltas
	offsets   [3]time.Duration // offset applied per kind
	estimated [3]time.Duration // current estimate per kind
	known     [3]bool          // offset estimated from enough pairs
	seen      [3]bool          // kind present in the input
}

// Offset is the estimated clock offset of one kind of source: its clock
// minus the reference clock, the median over Pairs unambiguous pairs.
// Applied is false when the offset was too small (under a second) to be
// taken off the times.
type Offset struct {
	Kind    model.Kind
	Offset  time.Duration
	Pairs   int
	Applied bool
}

// Build joins msgs into flows. See the package documentation.
func Build(ctx context.Context, msgs iter.Seq2[model.Message, error], opts Options) iter.Seq2[model.Flow, error] {
	return func(yield func(model.Flow, error) bool) {
		b := newBuilder(opts)
		b.run(ctx, msgs, yield)
	}
}

// kind indexes: the three input kinds that have clocks.
const (
	kPacket = 0
	kRecord = 1
	kEvent  = 2
)

func kindIndex(k model.Kind) int {
	switch k {
	case model.KindPacket:
		return kPacket
	case model.KindRecord:
		return kRecord
	}
	return kEvent
}

// roundState is a round as the builder tracks it, per source kind.
type roundState struct {
	t       time.Time // adjusted time of the first request seen
	tResp   time.Time // adjusted time of the first answer seen
	req     [2]int    // message index of the request per kind (packet, record), -1
	resp    [2]int
	rtx     [2][]int
	code    model.Code // the answer's code
	hasResp bool
}

func newRound(t time.Time) roundState {
	return roundState{t: t, req: [2]int{-1, -1}, resp: [2]int{-1, -1}}
}

// open is a flow being built.
type open struct {
	f       model.Flow
	adj     []time.Time // adjusted time per message, for the final ordering
	user    string      // normalised user
	client  netip.Addr
	station string
	rounds  []roundState
	first   time.Time // adjusted
	last    time.Time // adjusted time of the latest message
	decided bool      // a Security decision event joined
	stopped bool      // accounting Stop seen
	final   bool      // a final answer was seen
	prev    *open     // in the list of its state
	next    *open
	lst     *olist
	keys    []indexKey // index entries to drop on close
	kinds   [3]bool
	hasAuth bool // an accounting flow saw a Start while auth traffic was known
	part    int  // part number of a session yielded in parts, 0 while whole
	listed  int  // messages counted in lst.msgs
}

type indexKind uint8

const (
	ixUser indexKind = iota
	ixExch
	ixFrame
	ixState
	ixClass
	ixCID
	ixAcct
)

type indexKey struct {
	kind indexKind
	key  string
	acct acctKey
}

// acctKey identifies an accounting session.
type acctKey struct {
	session string
	client  netip.Addr
}

// sigKey identifies the attempts of one user from one NAS and station.
type sigKey struct {
	user    string
	client  netip.Addr
	station string
}

type roundRef struct {
	o     *open
	round int
}

type classLink struct {
	id int64
	t  time.Time
}

type builder struct {
	o       Options
	st      *Stats
	nextID  int64
	now     time.Time // adjusted stream time
	started time.Time
	// indexes
	users  map[string][]*open  // normalised user -> open auth flows
	exch   map[string]roundRef // packet exchange key -> round (retransmits)
	frames map[string]roundRef // file+frame of a captured request -> round (answers by Peer)
	states map[string]*open    // State of an Access-Challenge -> flow
	class  map[string]roundRef // Class of a logged request -> round
	cids   map[string]*open    // MFA CID -> flow
	acct   map[acctKey]*open   // Acct-Session-Id and client -> accounting flow
	// accounting links
	accepts     map[string]classLink // Class of an Access-Accept -> auth flow
	acceptsQ    []acceptEntry        // in time order; entries before acceptsHead are spent
	acceptsHead int
	recent      map[sigKey]classLink // user, client and station of an accepted attempt -> flow
	firstAuth   time.Time
	// accounting sessions yielded in parts
	carry     map[acctKey]carry
	carryQ    []carryDue // in cut order; entries before carryHead are spent
	carryHead int
	// open flows by state, each ordered by last activity
	answered, waiting, sessions *olist
	nopen                       int
	pending                     []model.Message // events waiting for EventSlack; those before pendingHead are placed
	pendingHead                 int
	pendingAdj                  []time.Time
	out                         []*open
	lastSweep                   time.Time
	uniqueEvent                 bool // the last findEvent had one candidate
	zone                        zoneGuess
}

type acceptEntry struct {
	class string
	sig   sigKey
	t     time.Time
}

func newBuilder(o Options) *builder {
	o.defaults()
	st := o.Stats
	if st == nil {
		st = &Stats{}
	}
	for i := range st.pairs {
		for j := range st.pairs[i] {
			st.pairs[i][j] = &sampler{}
		}
	}
	return &builder{
		o: o, st: st,
		users: map[string][]*open{}, exch: map[string]roundRef{}, frames: map[string]roundRef{},
		states: map[string]*open{}, class: map[string]roundRef{}, cids: map[string]*open{}, acct: map[acctKey]*open{},
		carry:   map[acctKey]carry{},
		accepts: map[string]classLink{}, recent: map[sigKey]classLink{},
		answered: &olist{}, waiting: &olist{}, sessions: &olist{},
	}
}

func (b *builder) run(ctx context.Context, msgs iter.Seq2[model.Message, error], yield func(model.Flow, error) bool) {
	n := 0
	for m, err := range msgs {
		if err != nil {
			b.st.Errors++
			if !model.IsParseError(err) {
				if ctx.Err() == nil && !b.flushAll(yield) {
					return
				}
				yield(model.Flow{}, err)
				return
			}
			if !yield(model.Flow{}, err) {
				return
			}
			if m.Kind == model.KindUnknown {
				continue
			}
		}
		n++
		if n&1023 == 0 {
			if cerr := ctx.Err(); cerr != nil {
				yield(model.Flow{}, cerr)
				return
			}
		}
		b.st.Messages++
		b.add(m)
		if !b.emit(yield) {
			return
		}
	}
	if cerr := ctx.Err(); cerr != nil {
		yield(model.Flow{}, cerr)
		return
	}
	b.flushAll(yield)
}

// adjust maps a message time onto the reference clock.
func (b *builder) adjust(m *model.Message) time.Time {
	k := kindIndex(m.Kind)
	return m.Time.Add(-b.st.offsets[k])
}

func (b *builder) add(m model.Message) {
	k := kindIndex(m.Kind)
	b.st.seen[k] = true
	t := b.adjust(&m)
	if b.started.IsZero() || t.Before(b.started) {
		b.started = t
	}
	if t.After(b.now) {
		b.now = t
	}
	if b.o.SessionBudget >= 0 && b.sessions.msgs > b.o.SessionBudget {
		// Before this message is placed, so that a session's own next
		// message does not keep its quiet part open.
		b.trimSessions()
	}
	if m.Kind == model.KindEvent || m.Kind == model.KindUnknown {
		b.pending = append(b.pending, m)
		b.pendingAdj = append(b.pendingAdj, t)
	} else {
		b.place(m, t)
	}
	if b.now.Sub(b.lastSweep) >= time.Second || b.nopen > b.o.MaxOpen {
		b.sweep(false)
		b.lastSweep = b.now
	}
}

// emit yields the flows closed so far, in order of start.
func (b *builder) emit(yield func(model.Flow, error) bool) bool {
	if len(b.out) == 0 {
		return true
	}
	out := b.out
	b.out = b.out[:0]
	sortOpens(out)
	for i, o := range out {
		f := b.finish(o)
		out[i] = nil
		if !yield(f, nil) {
			return false
		}
	}
	return true
}

func (b *builder) flushAll(yield func(model.Flow, error) bool) bool {
	b.sweep(true)
	return b.emit(yield)
}

// sweep places the events whose slack has passed and closes the flows
// whose time is up; all of them when final.
func (b *builder) sweep(final bool) {
	i := b.pendingHead
	for ; i < len(b.pending); i++ {
		if !final && b.now.Sub(b.pendingAdj[i]) < b.o.EventSlack {
			break
		}
		b.placeEvent(b.pending[i], b.pendingAdj[i])
		b.pending[i] = model.Message{}
	}
	b.pendingHead = i
	if b.pendingHead == len(b.pending) {
		b.pending, b.pendingAdj, b.pendingHead = b.pending[:0], b.pendingAdj[:0], 0
	} else if head := b.pendingHead; compactable(head, len(b.pending)) {
		b.pending, _ = compactHead(b.pending, head)
		b.pendingAdj, b.pendingHead = compactHead(b.pendingAdj, head)
	}
	b.expire(b.answered, b.o.Grace, final)
	b.expire(b.waiting, b.o.Window, final)
	b.expire(b.sessions, b.o.AcctIdle, final)
	b.forgetCarries(final)
	for b.nopen > b.o.MaxOpen {
		lst := b.sessions
		if lst.head == nil {
			lst = b.waiting
		}
		if lst.head == nil {
			lst = b.answered
		}
		b.st.Forced++
		b.close(lst.head)
	}
	b.pruneLinks(final)
}

func (b *builder) expire(l *olist, after time.Duration, final bool) {
	for o := l.head; o != nil; {
		if !final && b.now.Sub(o.last) < after {
			return
		}
		next := o.next
		b.close(o)
		o = next
	}
}

func (b *builder) pruneLinks(final bool) {
	q := b.acceptsQ[b.acceptsHead:]
	i := 0
	for ; i < len(q); i++ {
		a := q[i]
		if !final && b.now.Sub(a.t) < b.o.LinkWindow {
			break
		}
		if l, ok := b.accepts[a.class]; ok && !l.t.After(a.t) {
			delete(b.accepts, a.class)
		}
		if l, ok := b.recent[a.sig]; ok && !l.t.After(a.t) {
			delete(b.recent, a.sig)
		}
		q[i] = acceptEntry{}
	}
	b.acceptsHead += i
	if compactable(b.acceptsHead, len(b.acceptsQ)) {
		b.acceptsQ, b.acceptsHead = compactHead(b.acceptsQ, b.acceptsHead)
	}
}

// compactable reports whether a queue whose entries before head are spent
// should be compacted: once the dead head is the larger part, so that the
// work per entry stays constant.
func compactable(head, n int) bool { return head > 64 && head*2 > n }

// compactHead moves q's live entries (from head on) to its front and
// returns the shortened queue and its new head, 0.
func compactHead[T any](q []T, head int) ([]T, int) {
	n := copy(q, q[head:])
	clear(q[n:])
	return q[:n], 0
}

// newOpen starts a flow.
func (b *builder) newOpen(kind model.FlowKind, m *model.Message, t time.Time) *open {
	b.nextID++
	o := &open{first: t, last: t, adj: make([]time.Time, 0, 2), keys: make([]indexKey, 0, 4)}
	o.f.Messages = make([]model.Message, 0, 2) // a request and its answer
	o.f.ID = b.nextID
	o.f.Kind = kind
	o.f.Reason = model.NoReason
	b.nopen++
	if b.nopen > b.st.MaxOpen {
		b.st.MaxOpen = b.nopen
	}
	b.learn(o, m)
	if kind == model.FlowAuth && o.user != "" {
		b.users[o.user] = append(b.users[o.user], o)
		o.keys = append(o.keys, indexKey{kind: ixUser, key: o.user})
	}
	b.relist(o)
	return o
}

// learn takes the join keys a message offers that the flow lacks.
func (b *builder) learn(o *open, m *model.Message) {
	if o.user == "" && m.User != "" && m.Kind != model.KindEvent {
		o.user = normUser(m.User)
	}
	if !o.client.IsValid() {
		o.client = clientAddr(m)
	}
	if o.station == "" && m.Kind != model.KindEvent {
		o.station = normStation(m.CallingStation)
	}
}

// attach appends m to o and returns its index.
func (b *builder) attach(o *open, m model.Message, t time.Time) int {
	o.f.Messages = append(o.f.Messages, m)
	o.adj = append(o.adj, t)
	o.kinds[kindIndex(m.Kind)] = true
	if t.After(o.last) {
		o.last = t
	}
	if t.Before(o.first) {
		o.first = t
	}
	b.relist(o)
	return len(o.f.Messages) - 1
}

// relist moves o to the back of the list its state belongs in.
func (b *builder) relist(o *open) {
	var want *olist
	switch {
	case o.f.Kind == model.FlowAccounting && !o.stopped:
		want = b.sessions
	case o.final || o.f.Kind == model.FlowUnmatched:
		want = b.answered
	default:
		want = b.waiting
	}
	if o.lst != nil {
		o.lst.remove(o)
	}
	want.pushBack(o)
}

// olist is a doubly linked list of open flows, threaded through them, with
// the number of messages they hold.
type olist struct {
	head, tail *open
	msgs       int
}

func (l *olist) pushBack(o *open) {
	o.listed = len(o.f.Messages)
	l.msgs += o.listed
	o.lst, o.prev, o.next = l, l.tail, nil
	if l.tail != nil {
		l.tail.next = o
	} else {
		l.head = o
	}
	l.tail = o
}

func (l *olist) remove(o *open) {
	l.msgs -= o.listed
	if o.prev != nil {
		o.prev.next = o.next
	} else {
		l.head = o.next
	}
	if o.next != nil {
		o.next.prev = o.prev
	} else {
		l.tail = o.prev
	}
	o.lst, o.prev, o.next = nil, nil, nil
}

func (b *builder) index(o *open, kind indexKind, key string) {
	if key == "" {
		return
	}
	o.keys = append(o.keys, indexKey{kind: kind, key: key})
}

// close takes o out of every index and queues it for yielding.
func (b *builder) close(o *open) {
	if o.lst == nil {
		return
	}
	o.lst.remove(o)
	b.nopen--
	for _, k := range o.keys {
		switch k.kind {
		case ixUser:
			l := b.users[k.key]
			for i, x := range l {
				if x == o {
					l = append(l[:i], l[i+1:]...)
					break
				}
			}
			if len(l) == 0 {
				delete(b.users, k.key)
			} else {
				b.users[k.key] = l
			}
		case ixExch:
			if r, ok := b.exch[k.key]; ok && r.o == o {
				delete(b.exch, k.key)
			}
		case ixFrame:
			if r, ok := b.frames[k.key]; ok && r.o == o {
				delete(b.frames, k.key)
			}
		case ixState:
			if b.states[k.key] == o {
				delete(b.states, k.key)
			}
		case ixClass:
			if r, ok := b.class[k.key]; ok && r.o == o {
				delete(b.class, k.key)
			}
		case ixCID:
			if b.cids[k.key] == o {
				delete(b.cids, k.key)
			}
		case ixAcct:
			if b.acct[k.acct] == o {
				delete(b.acct, k.acct)
			}
		}
	}
	o.keys = nil
	b.out = append(b.out, o)
}
