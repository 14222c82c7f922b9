package pcap

import (
	"fmt"
	"net/netip"
	"slices"
	"time"
)

// Limits of the fragment reassembler. A RADIUS packet is at most 4096
// bytes, so a datagram over 64 KiB is never one; sets older than
// fragTimeout (capture time, as Linux's ipfrag_time) or beyond
// maxFragSets are given up and reported incomplete.
const (
	maxDatagram = 65535
	fragTimeout = 30 * time.Second
	maxFragSets = 4096
)

type fragKey struct {
	src, dst netip.Addr
	id       uint32
	proto    uint8
	v6       bool
}

type fragPart struct {
	off  int
	data []byte
}

// fragSet collects the fragments of one datagram.
type fragSet struct {
	key        fragKey
	firstFrame int64
	firstTime  time.Time
	parts      []fragPart
	total      int // datagram payload length once the last fragment is seen, else -1
	bytes      int
}

// incomplete describes a fragment set given up before it was complete.
type incomplete struct {
	key        fragKey
	firstFrame int64
	have       int
	total      int
	first      []byte // data of the offset-0 fragment, nil when missing
}

func (in incomplete) String() string {
	v := "IPv4"
	if in.key.v6 {
		v = "IPv6"
	}
	tot := "?"
	if in.total >= 0 {
		tot = fmt.Sprint(in.total)
	}
	return fmt.Sprintf("incomplete %s fragment set (id %#x, %s -> %s): have %d of %s bytes",
		v, in.key.id, in.key.src, in.key.dst, in.have, tot)
}

// reassembler puts IPv4 and IPv6 fragments back together. It copies what
// it keeps, so callers may reuse frame buffers.
type reassembler struct {
	sets  map[fragKey]*fragSet
	order []*fragSet // by creation, for expiry
	buf   []byte
}

func newReassembler() *reassembler {
	return &reassembler{sets: map[fragKey]*fragSet{}}
}

func (r *reassembler) pending() int { return len(r.sets) }

// add files one fragment. When it completes its datagram, add returns the
// datagram's transport payload (valid until the next add) and the frame
// number of its first fragment. err reports a fragment that cannot belong
// to a valid datagram; the set is dropped.
func (r *reassembler) add(p ipPacket, frame int64, t time.Time) (data []byte, first int64, err error) {
	k := fragKey{src: p.src, dst: p.dst, id: p.fragID, proto: p.proto, v6: p.v6}
	end := p.fragOff + len(p.payload)
	if end > maxDatagram {
		return nil, 0, fmt.Errorf("%w: fragment ends at byte %d, beyond %d", errIPHeader, end, maxDatagram)
	}
	s := r.sets[k]
	if s == nil {
		s = &fragSet{key: k, firstFrame: frame, firstTime: t, total: -1}
		r.sets[k] = s
		r.order = append(r.order, s)
	}
	if !p.moreFrag {
		if s.total >= 0 && s.total != end {
			delete(r.sets, k)
			return nil, 0, fmt.Errorf("%w: two last fragments (length %d and %d)", errIPHeader, s.total, end)
		}
		s.total = end
	}
	s.parts = append(s.parts, fragPart{off: p.fragOff, data: append([]byte(nil), p.payload...)})
	s.bytes += len(p.payload)
	if s.total < 0 {
		return nil, 0, nil
	}
	slices.SortFunc(s.parts, func(a, b fragPart) int { return a.off - b.off })
	covered := 0
	for _, fp := range s.parts {
		if fp.off > covered {
			return nil, 0, nil // a hole
		}
		covered = max(covered, fp.off+len(fp.data))
	}
	if covered < s.total {
		return nil, 0, nil
	}
	if covered > s.total {
		delete(r.sets, k)
		return nil, 0, fmt.Errorf("%w: fragments extend to %d past the last fragment's end %d", errIPHeader, covered, s.total)
	}
	if cap(r.buf) < s.total {
		r.buf = make([]byte, s.total)
	}
	r.buf = r.buf[:s.total]
	for _, fp := range s.parts {
		copy(r.buf[fp.off:], fp.data)
	}
	delete(r.sets, k)
	return r.buf, s.firstFrame, nil
}

// expire gives up sets started before now-fragTimeout, and the oldest sets
// beyond maxFragSets; all sets when flush is true.
func (r *reassembler) expire(now time.Time, flush bool) []incomplete {
	var out []incomplete
	i := 0
	for ; i < len(r.order); i++ {
		s := r.order[i]
		if r.sets[s.key] != s { // completed or dropped
			continue
		}
		if !flush && len(r.sets) <= maxFragSets && !now.After(s.firstTime.Add(fragTimeout)) {
			break
		}
		delete(r.sets, s.key)
		in := incomplete{key: s.key, firstFrame: s.firstFrame, have: s.bytes, total: s.total}
		for _, fp := range s.parts {
			if fp.off == 0 {
				in.first = fp.data
			}
		}
		out = append(out, in)
	}
	if i > 0 {
		r.order = append(r.order[:0], r.order[i:]...)
	}
	return out
}
