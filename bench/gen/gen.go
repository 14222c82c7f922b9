package main

import (
	"bufio"
	"strconv"
	"time"
)

// rng is xorshift64*: deterministic, fast, good enough for test data.
type rng struct{ s uint64 }

func newRNG(seed uint64) *rng {
	// splitmix64 of the seed, so that 0 and nearby seeds work.
	z := seed + 0x9E3779B97F4A7C15
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	z ^= z >> 31
	if z == 0 {
		z = 1
	}
	return &rng{z}
}

func (r *rng) next() uint64 {
	r.s ^= r.s >> 12
	r.s ^= r.s << 25
	r.s ^= r.s >> 27
	return r.s * 2685821657736338717
}

// intn returns a number in [0, n).
func (r *rng) intn(n int) int { return int((r.next() >> 33) % uint64(n)) }

// between returns a number in [lo, hi].
func (r *rng) between(lo, hi int64) int64 { return lo + int64((r.next()>>1)%uint64(hi-lo+1)) }

const (
	nUsers     = 20000
	classStart = "311 1 10.0.0.10 03/04/2024 21:00:00 "
	npsName    = "NPS01"
)

type nasKind uint8

const (
	kindVPN nasKind = iota
	kindRDG
	kindWLC
)

type nas struct {
	kind     nasKind
	ip, name string
}

var nases = func() []nas {
	var n []nas
	for i := 1; i <= 4; i++ {
		n = append(n, nas{kindVPN, "10.0.1." + strconv.Itoa(i), "vpn-gw" + strconv.Itoa(i)})
	}
	for i := 1; i <= 2; i++ {
		n = append(n, nas{kindRDG, "10.0.2." + strconv.Itoa(i), "rdgw" + strconv.Itoa(i)})
	}
	for i := 1; i <= 16; i++ {
		n = append(n, nas{kindWLC, "10.0.3." + strconv.Itoa(i), "wlc" + strconv.Itoa(100 + i)[1:]})
	}
	return n
}()

var (
	crps = []string{"Use Windows authentication for all users", "Wi-Fi & wired 802.1X"}
	nps  = []string{"VPN, MFA required", `Wi-Fi "Corp" 802.1X`, "RD Gateway - MFA"}
)

// MS-CHAP-Error values as NPS logs them: ident byte + "E=691 R=0 C=… V=3", hex.
var mschapErrors = func() []string {
	var out []string
	for i, c := range []string{"8A3F0C6E21D94B7A5E10C2F3A4B5C6D7", "1F2E3D4C5B6A79880716253443526170", "00112233445566778899AABBCCDDEEFF"} {
		s := string([]byte{byte(i + 1)}) + "E=691 R=0 C=" + c + " V=3"
		const hexd = "0123456789ABCDEF"
		b := []byte("0x")
		for j := 0; j < len(s); j++ {
			b = append(b, hexd[s[j]>>4], hexd[s[j]&15])
		}
		out = append(out, string(b))
	}
	return out
}()

// Packet types.
const (
	accessRequest   = 1
	accessAccept    = 2
	accessReject    = 3
	acctRequest     = 4
	accessChallenge = 11
)

// rec is one log record, or — for accounting — one session whose next
// record is due at t.
type rec struct {
	t       int64 // local time, ms since the Unix epoch read as local
	seq     uint64
	pkt     uint8
	reason  uint16
	auth    uint8
	nas     uint8
	np      int8 // index in nps, -1 none
	crp     int8 // index in crps, -1 none
	user    int32
	class   uint64 // serial, 0 = no Class
	state   uint64 // OTP/EAP State, 0 = none
	canon   bool   // Fully-Qualifed-User-Name in canonical form (Accepts)
	errIdx  int8   // MS-CHAP-Error index, -1 none
	foreign bool   // User-Name from an unknown realm (reason 49)

	// accounting
	status             uint8
	sessID             uint64
	start, end         int64
	interval           int64
	framed             uint32
	in, out, inP, outP int64
	rateIn, rateOut    int64 // bytes per second
	cause              uint8
}

// queue is a binary min-heap of pending records ordered by (t, seq); the
// keys live in the heap slice so that comparisons do not chase pointers.
type queue struct {
	slab []rec
	free []int32
	h    []entry
}

type entry struct {
	t   int64
	seq uint64
	i   int32
}

func (e entry) less(f entry) bool { return e.t < f.t || e.t == f.t && e.seq < f.seq }

func (q *queue) Len() int { return len(q.h) }

func (q *queue) push(e entry) {
	q.h = append(q.h, e)
	j := len(q.h) - 1
	for j > 0 {
		p := (j - 1) / 2
		if !q.h[j].less(q.h[p]) {
			break
		}
		q.h[j], q.h[p] = q.h[p], q.h[j]
		j = p
	}
}

func (q *queue) pop() entry {
	top := q.h[0]
	n := len(q.h) - 1
	q.h[0] = q.h[n]
	q.h = q.h[:n]
	j := 0
	for {
		l := 2*j + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && q.h[r].less(q.h[l]) {
			m = r
		}
		if !q.h[m].less(q.h[j]) {
			break
		}
		q.h[j], q.h[m] = q.h[m], q.h[j]
		j = m
	}
	return top
}

type generator struct {
	w      *bufio.Writer
	format Format
	r      *rng
	now    int64
	seq    uint64
	serial uint64
	sessN  uint64
	q      queue
	buf    []byte

	// date cache
	day     int64
	dayText []byte // "MM/DD/YYYY"

	lines, bytes int64
}

// Generate writes records in format f to w until at least size bytes are
// written, and returns the number of lines.
func Generate(w *bufio.Writer, f Format, size int64, seed uint64) (int64, error) {
	// Each seed is another NPS instance: its Class serials start elsewhere.
	g := &generator{w: w, format: f, r: newRNG(seed), day: -1, serial: seed % 1000 * 10000000}
	g.now = time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC).UnixMilli()
	for g.bytes < size {
		g.now += g.r.between(5, 250)
		for g.q.Len() > 0 && g.q.h[0].t < g.now && g.bytes < size {
			if err := g.emitNext(); err != nil {
				return g.lines, err
			}
		}
		g.flow()
	}
	return g.lines, nil
}

func (g *generator) alloc() int32 {
	if n := len(g.q.free); n > 0 {
		i := g.q.free[n-1]
		g.q.free = g.q.free[:n-1]
		return i
	}
	g.q.slab = append(g.q.slab, rec{})
	return int32(len(g.q.slab) - 1)
}

func (g *generator) push(r rec) {
	g.seq++
	r.seq = g.seq
	i := g.alloc()
	g.q.slab[i] = r
	g.q.push(entry{r.t, r.seq, i})
}

func (g *generator) emitNext() error {
	i := g.q.pop().i
	r := &g.q.slab[i]
	if err := g.write(r); err != nil {
		return err
	}
	if r.pkt != acctRequest {
		g.q.free = append(g.q.free, i)
		return nil
	}
	// Accounting: schedule the session's next record.
	switch {
	case r.status == 2:
		g.q.free = append(g.q.free, i)
		return nil
	case r.t+r.interval >= r.end:
		r.status = 2
		r.t = r.end
	default:
		r.status = 3
		r.t += r.interval
	}
	el := (r.t - r.start) / 1000
	r.in = el * r.rateIn
	r.out = el * r.rateOut
	r.inP = r.in/600 + el
	r.outP = r.out/1100 + el
	g.seq++
	r.seq = g.seq
	g.q.push(entry{r.t, r.seq, i})
	return nil
}

func (g *generator) nextClass() uint64 { g.serial++; return g.serial }

// flow starts one authentication at g.now and queues its records.
func (g *generator) flow() {
	r := g.r
	user := int32(r.intn(nUsers))
	var n uint8
	switch p := r.intn(100); {
	case p < 45:
		n = uint8(r.intn(4)) // VPN
	case p < 60:
		n = uint8(4 + r.intn(2)) // RD Gateway
	default:
		n = uint8(6 + r.intn(16)) // WLC
	}
	kind := nases[n].kind
	t := g.now
	base := rec{nas: n, user: user, np: -1, crp: 0, errIdx: -1}
	if kind == kindWLC {
		base.crp = 1
	}
	req := func(t int64, auth uint8, class, state uint64) rec {
		x := base
		x.t, x.pkt, x.auth, x.class, x.state = t, accessRequest, auth, class, state
		return x
	}
	resp := func(q rec, pkt uint8, reason uint16, auth uint8, np int8) rec {
		x := q
		x.pkt, x.reason, x.auth, x.np, x.state = pkt, reason, auth, np, 0
		x.canon = pkt == accessAccept
		return x
	}
	outcome := r.intn(100)
	switch kind {
	case kindVPN:
		switch {
		case outcome < 12: // wrong password
			c := g.nextClass()
			q := req(t, 4, c, 0)
			g.push(q)
			x := resp(q, accessReject, 16, 4, -1)
			x.errIdx = int8(r.intn(len(mschapErrors)))
			g.push(x)
		case outcome < 16: // MFA extension reject (push denied / timed out)
			c := g.nextClass()
			q := req(t, 4, c, 0)
			g.push(q)
			g.push(resp(q, accessReject, 21, 8, 0))
		case outcome < 18: // not in the VPN group
			c := g.nextClass()
			q := req(t, 4, c, 0)
			g.push(q)
			g.push(resp(q, accessReject, 48, 4, -1))
		case outcome < 19: // locked out
			c := g.nextClass()
			q := req(t, 4, c, 0)
			g.push(q)
			x := resp(q, accessReject, 36, 4, -1)
			x.errIdx = 0
			g.push(x)
		case outcome < 55: // PAP with OTP: challenge, then the code
			c := g.nextClass()
			st := r.next() | 1
			q := req(t, 1, c, 0)
			g.push(q)
			ch := resp(q, accessChallenge, 0, 1, 0)
			ch.state = st
			g.push(ch)
			t2 := t + r.between(8000, 45000)
			c2 := g.nextClass()
			q2 := req(t2, 1, c2, st)
			g.push(q2)
			if r.intn(10) == 0 {
				g.push(resp(q2, accessReject, 21, 8, 0))
				return
			}
			g.push(resp(q2, accessAccept, 0, 1, 0))
			g.session(q2, t2, false)
		default: // MS-CHAPv2 with push
			c := g.nextClass()
			q := req(t, 4, c, 0)
			g.push(q)
			g.push(resp(q, accessAccept, 0, 4, 0))
			g.session(q, t, true)
		}
	case kindRDG:
		c := g.nextClass()
		q := req(t, 1, c, 0)
		g.push(q)
		switch {
		case outcome < 10:
			g.push(resp(q, accessReject, 16, 1, -1))
		case outcome < 25:
			g.push(resp(q, accessReject, 21, 8, 2))
		default:
			g.push(resp(q, accessAccept, 0, 1, 2))
		}
	case kindWLC:
		if outcome < 2 { // foreign realm: no connection request policy
			q := req(t, 5, g.nextClass(), 0)
			q.foreign, q.crp = true, -1
			g.push(q)
			g.push(resp(q, accessReject, 49, 5, -1))
			return
		}
		if outcome < 4 { // unknown machine account
			q := req(t, 5, g.nextClass(), 0)
			g.push(q)
			g.push(resp(q, accessReject, 8, 5, -1))
			return
		}
		rounds := 2 + r.intn(5)
		for i := 0; i < rounds; i++ {
			q := req(t, 5, g.nextClass(), 0)
			g.push(q)
			g.push(resp(q, accessChallenge, 0, 5, 1))
			t += r.between(20, 120)
		}
		q := req(t, 5, g.nextClass(), 0)
		g.push(q)
		if outcome < 10 {
			g.push(resp(q, accessReject, 16, 5, -1))
			return
		}
		g.push(resp(q, accessAccept, 0, 5, 1))
		g.session(q, t, true)
	}
}

// session queues the accounting Start of the session an Accept opened.
func (g *generator) session(q rec, t int64, withClass bool) {
	r := g.r
	s := q
	s.pkt, s.reason, s.state, s.canon, s.np = acctRequest, 0, 0, false, -1
	if !withClass {
		s.class = 0
	}
	g.sessN++
	s.sessID = g.sessN
	s.status = 1
	s.start = t + r.between(300, 20000)
	s.t = s.start
	if r.intn(4) == 0 { // roaming, a dropped tunnel, a quick check of mail
		s.end = s.start + r.between(10, 300)*1000
	} else {
		s.end = s.start + r.between(300, 8*3600)*1000
	}
	s.interval = 3600 * 1000
	if nases[q.nas].kind == kindWLC {
		s.interval = 600 * 1000
	}
	s.framed = 0x0A640000 | uint32(r.intn(65536))
	s.rateIn = r.between(200, 60000)
	s.rateOut = r.between(1000, 400000)
	s.in, s.out, s.inP, s.outP = 0, 0, 0, 0
	s.cause = [...]uint8{1, 1, 1, 4, 5, 2, 1, 6}[r.intn(8)]
	g.push(s)
}
