package pcap

import (
	"net/netip"
	"time"

	"github.com/radscope/radscope/model"
)

// item is one queued output: a message, an error, or both.
type item struct {
	msg      model.Message
	err      error
	waiting  bool // a request not yet answered and not yet expired
	deadline time.Time
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
	adds  int
	cands map[[2]netip.Addr][][]byte
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
		it.msg.Marks |= model.MarkNoResponse
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
		it.msg.Marks |= model.MarkNoResponse
		mt.r.stats.NoResponse++
	}
}

// add queues a decoded message. pkt is the packet (nil when too short to
// match); request says which side sent it.
func (mt *matcher) add(m *model.Message, pkt []byte, request bool, perr error) {
	it := &item{msg: *m, err: perr}
	mt.q = append(mt.q, it)
	m = &it.msg
	if pkt == nil {
		return
	}
	win := mt.r.opt.Window
	now := m.Time
	mt.adds++
	if mt.adds%4096 == 0 {
		mt.sweep()
	}
	k := pairKey{client: m.Client, server: m.Server, id: uint8(m.Ident)}
	p := mt.pend[k]
	alive := p != nil && m.Time.Sub(p.last) <= win
	if request {
		var auth [16]byte
		copy(auth[:], pkt[4:20])
		switch {
		case alive && p.auth == auth:
			m.Marks |= model.MarkRetransmit
			m.Peer = p.firstFrame
			mt.r.stats.Retransmits++
			p.last, p.lastFrame = now, m.Src.Frame
		case alive && !p.answered:
			m.Marks |= model.MarkReused
			mt.r.stats.Reused++
			for _, w := range p.waiting {
				mt.resolveNoResponse(w)
			}
			p = nil
		default:
			p = nil
		}
		if p == nil {
			p = &pending{auth: auth, first: now, firstFrame: m.Src.Frame, last: now, lastFrame: m.Src.Frame}
			mt.pend[k] = p
		}
		it.waiting = true
		it.deadline = now.Add(win)
		p.waiting = append(p.waiting, it)
		mt.checkRequest(m, pkt)
		return
	}
	if !alive {
		m.Marks |= model.MarkNoRequest
		mt.r.stats.NoRequest++
		mt.checkUnmatched(m, pkt)
		return
	}
	m.Peer = p.lastFrame
	m.RTT = now.Sub(p.first)
	if p.answered {
		m.Marks |= model.MarkDuplicateResponse
		mt.r.stats.Duplicates++
	}
	p.answered = true
	for _, w := range p.waiting {
		if w.waiting {
			w.waiting = false
			w.msg.Peer = m.Src.Frame
		}
	}
	p.waiting = p.waiting[:0]
	mt.checkResponse(m, pkt, p.auth[:])
}

// sweep forgets identifiers idle for longer than the window, bounding
// memory by the traffic within one window.
func (mt *matcher) sweep() {
	now := mt.r.now
	for k, p := range mt.pend {
		if now.Sub(p.last) > mt.r.opt.Window {
			delete(mt.pend, k)
		}
	}
	if len(mt.cands) > 65536 {
		clear(mt.cands)
	}
}
