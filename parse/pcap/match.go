package pcap

import (
	"net/netip"
	"time"

	"github.com/radscope/radscope/model"
)

// item is one queued output: a RADIUS packet not yet decoded (pkt) with
// what matching found out about it, or a frame error alone (pkt nil).
type item struct {
	err            error
	pkt            []byte // the UDP payload, owned
	src            model.Source
	t              time.Time
	client, server netip.AddrPort
	request        bool
	marks          model.Mark
	peer           int64
	rtt            time.Duration
	matched        bool // a response whose request was seen: reqAuth is set
	reqAuth        [16]byte
	waiting        bool // a request not yet answered and not yet expired
	deadline       time.Time
}

// pairKey identifies an outstanding request: RADIUS identifiers are
// scoped to the client socket and the server socket.
type pairKey struct {
	client, server netip.AddrPort
	id             uint8
}

// pending is the state of one identifier in use.
type pending struct {
	auth       [16]byte
	first      time.Time // first transmission
	firstFrame int64
	last       time.Time // latest transmission
	lastFrame  int64
	answered   bool
	waiting    []*item // transmissions not yet resolved
}

// matcher pairs requests and responses and holds messages until their
// fate is known, releasing them in frame order.
type matcher struct {
	r     *Reader
	q     []*item
	head  int
	pend  map[pairKey]*pending
	cands map[[2]netip.Addr][][]byte
	// touched lists identifiers in the order they were last used, for
	// expiry without scanning pend.
	touched []touch
	thead   int
}

type touch struct {
	k pairKey
	t time.Time
}

func (mt *matcher) init(r *Reader) {
	mt.r = r
	mt.pend = map[pairKey]*pending{}
	mt.cands = map[[2]netip.Addr][][]byte{}
}

func (mt *matcher) queueErr(err error) {
	mt.q = append(mt.q, &item{err: err})
}

// pop returns the head of the queue when it is ready: not a request
// still waiting for its response within the window. At EOF everything is
// ready.
func (mt *matcher) pop(now time.Time, eof bool) (*item, bool) {
	if mt.head >= len(mt.q) {
		return nil, false
	}
	it := mt.q[mt.head]
	if it.waiting {
		if !eof && !now.After(it.deadline) {
			return nil, false
		}
		it.waiting = false
		it.marks |= model.MarkNoResponse
		mt.r.stats.NoResponse++
	}
	mt.q[mt.head] = nil
	mt.head++
	if mt.head == len(mt.q) {
		mt.q, mt.head = mt.q[:0], 0
	} else if mt.head >= 1024 && mt.head*2 >= len(mt.q) {
		n := copy(mt.q, mt.q[mt.head:])
		clear(mt.q[n:])
		mt.q, mt.head = mt.q[:n], 0
	}
	return it, true
}

// resolveNoResponse marks a transmission that can no longer be answered.
func (mt *matcher) resolveNoResponse(it *item) {
	if it.waiting {
		it.waiting = false
		it.marks |= model.MarkNoResponse
		mt.r.stats.NoResponse++
	}
}

// add queues a RADIUS packet and matches it with what came before.
func (mt *matcher) add(it *item) {
	mt.q = append(mt.q, it)
	if len(it.pkt) < 20 {
		return // too short to match; decoding will report it
	}
	win := mt.r.opt.Window
	now := it.t
	mt.sweep(now)
	k := pairKey{client: it.client, server: it.server, id: it.pkt[1]}
	p := mt.pend[k]
	alive := p != nil && now.Sub(p.last) <= win
	frame := it.src.Frame
	if it.request {
		auth := [16]byte(it.pkt[4:20])
		switch {
		case alive && p.auth == auth:
			it.marks |= model.MarkRetransmit
			it.peer = p.firstFrame
			mt.r.stats.Retransmits++
			p.last, p.lastFrame = now, frame
		case alive && !p.answered:
			it.marks |= model.MarkReused
			mt.r.stats.Reused++
			for _, w := range p.waiting {
				mt.resolveNoResponse(w)
			}
			p = nil
		default:
			p = nil
		}
		if p == nil {
			p = &pending{auth: auth, first: now, firstFrame: frame, last: now, lastFrame: frame}
			mt.pend[k] = p
		}
		mt.touched = append(mt.touched, touch{k, now})
		it.waiting = true
		it.deadline = now.Add(win)
		p.waiting = append(p.waiting, it)
		return
	}
	if !alive {
		it.marks |= model.MarkNoRequest
		mt.r.stats.NoRequest++
		return
	}
	it.peer = p.lastFrame
	it.rtt = now.Sub(p.first)
	it.matched, it.reqAuth = true, p.auth
	if p.answered {
		it.marks |= model.MarkDuplicateResponse
		mt.r.stats.Duplicates++
	}
	p.answered = true
	for _, w := range p.waiting {
		if w.waiting {
			w.waiting = false
			w.peer = frame
		}
	}
	clear(p.waiting)
	p.waiting = p.waiting[:0]
}

// sweep forgets identifiers idle for longer than the window, bounding
// memory by the traffic within one window. It walks touched from the
// oldest use; an identifier used again since is kept.
func (mt *matcher) sweep(now time.Time) {
	win := mt.r.opt.Window
	for mt.thead < len(mt.touched) {
		tc := mt.touched[mt.thead]
		if now.Sub(tc.t) <= win {
			break
		}
		if p := mt.pend[tc.k]; p != nil && now.Sub(p.last) > win {
			delete(mt.pend, tc.k)
		}
		mt.thead++
	}
	if mt.thead >= 1024 && mt.thead*2 >= len(mt.touched) {
		n := copy(mt.touched, mt.touched[mt.thead:])
		mt.touched, mt.thead = mt.touched[:n], 0
	}
	if len(mt.cands) > 65536 {
		clear(mt.cands)
	}
}
