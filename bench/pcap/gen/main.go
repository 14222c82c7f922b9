// Command gen writes a large, realistic RADIUS capture for benchmarking
// parse/pcap against tshark and radsniff: NASes talking to two NPS servers
// with PAP accepts and rejects, MFA challenge rounds (Access-Challenge with
// State, then the answer), NAS retransmissions while MFA is pending (with
// duplicate responses), unanswered requests, and accounting
// start/interim/stop. Every packet is correctly signed with the secret, so
// radscope, tshark and radsniff can verify them.
//
//	go run ./bench/pcap/gen -n 1000000 -o /tmp/bench.pcap
package main

import (
	"bufio"
	"container/heap"
	"crypto/md5"
	"encoding/binary"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"net/netip"
	"os"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/pcapgo"

	"github.com/radscope/radscope/secret"
)

func main() {
	n := flag.Int("n", 1_000_000, "number of RADIUS packets to write")
	out := flag.String("o", "", "output capture file (pcap)")
	sec := flag.String("secret", "bench-secret", "shared secret the packets are signed with")
	nases := flag.Int("nas", 200, "number of NASes")
	rate := flag.Float64("rate", 2000, "packets per second of capture time")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	if *out == "" || *n <= 0 || *nases <= 0 || *nases > 60000 {
		flag.Usage()
		os.Exit(2)
	}
	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	g := newGen(bw, []byte(*sec), *nases, *rate, *seed)
	g.run(*n)
	if err := bw.Flush(); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "gen: wrote %d RADIUS packets (%d conversations) to %s\n", g.written, g.convs, *out)
}

type nas struct {
	addr     netip.Addr
	authPort uint16
	acctPort uint16
	server   netip.Addr
	nextID   [2]uint8
	withMA   bool
	name     string
}

// event is one packet to write at a time.
type event struct {
	at  time.Time
	seq int
	pkt []byte
	src netip.AddrPort
	dst netip.AddrPort
}

type events []*event

func (e events) Len() int { return len(e) }
func (e events) Less(i, j int) bool {
	if e[i].at.Equal(e[j].at) {
		return e[i].seq < e[j].seq
	}
	return e[i].at.Before(e[j].at)
}
func (e events) Swap(i, j int) { e[i], e[j] = e[j], e[i] }
func (e *events) Push(x any)   { *e = append(*e, x.(*event)) }
func (e *events) Pop() any {
	o := *e
	x := o[len(o)-1]
	*e = o[:len(o)-1]
	return x
}

type gen struct {
	w       *pcapgo.Writer
	secret  []byte
	nases   []*nas
	rnd     *rand.Rand
	now     time.Time
	gap     time.Duration
	q       events
	seq     int
	written int
	convs   int
	frame   []byte
}

func newGen(w *bufio.Writer, sec []byte, n int, rate float64, seed uint64) *gen {
	g := &gen{secret: sec, rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		now: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC), gap: time.Duration(float64(time.Second) / rate)}
	g.w = pcapgo.NewWriter(w)
	if err := g.w.WriteFileHeader(65535, 1); err != nil {
		log.Fatal(err)
	}
	servers := []netip.Addr{netip.MustParseAddr("10.0.0.10"), netip.MustParseAddr("10.0.0.11")}
	for i := range n {
		g.nases = append(g.nases, &nas{
			addr:     netip.AddrFrom4([4]byte{10, 20, byte(i / 250), byte(1 + i%250)}),
			authPort: uint16(20000 + i), acctPort: uint16(30000 + i),
			server: servers[i%2], withMA: i%5 != 0, name: fmt.Sprintf("ap-%03d", i),
		})
	}
	return g
}

func (g *gen) schedule(at time.Time, pkt []byte, src, dst netip.AddrPort) {
	g.seq++
	heap.Push(&g.q, &event{at: at, seq: g.seq, pkt: pkt, src: src, dst: dst})
}

// run writes n packets: new conversations start every gap on average;
// their packets are written in time order.
func (g *gen) run(n int) {
	for g.written < n {
		if len(g.q) == 0 || g.q[0].at.After(g.now) {
			g.conversation(g.now)
			g.now = g.now.Add(time.Duration(g.rnd.ExpFloat64() * float64(g.gap) * 3.2))
			continue
		}
		e := heap.Pop(&g.q).(*event)
		g.write(e)
	}
}

func (g *gen) write(e *event) {
	f := g.frame[:0]
	f = append(f, 0, 0x50, 0x56, 1, 2, 3, 0, 0x50, 0x56, 4, 5, 6, 8, 0)
	ipStart := len(f)
	total := 20 + 8 + len(e.pkt)
	f = append(f, 0x45, 0, byte(total>>8), byte(total), 0, 0, 0x40, 0, 64, 17, 0, 0)
	s, d := e.src.Addr().As4(), e.dst.Addr().As4()
	f = append(f, s[:]...)
	f = append(f, d[:]...)
	var sum uint32
	for i := ipStart; i < ipStart+20; i += 2 {
		sum += uint32(f[i])<<8 | uint32(f[i+1])
	}
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	binary.BigEndian.PutUint16(f[ipStart+10:], ^uint16(sum))
	f = binary.BigEndian.AppendUint16(f, e.src.Port())
	f = binary.BigEndian.AppendUint16(f, e.dst.Port())
	f = binary.BigEndian.AppendUint16(f, uint16(8+len(e.pkt)))
	f = append(f, 0, 0)
	f = append(f, e.pkt...)
	g.frame = f
	if err := g.w.WritePacket(gopacket.CaptureInfo{Timestamp: e.at, CaptureLength: len(f), Length: len(f)}, f); err != nil {
		log.Fatal(err)
	}
	g.written++
}

// attrs builds attribute bytes.
type attrs []byte

func (a attrs) str(t byte, v string) attrs { return append(append(a, t, byte(2+len(v))), v...) }
func (a attrs) raw(t byte, v []byte) attrs { return append(append(a, t, byte(2+len(v))), v...) }
func (a attrs) u32(t byte, v uint32) attrs {
	return binary.BigEndian.AppendUint32(append(a, t, 6), v)
}
func (a attrs) vsa(vendor uint32, t byte, v []byte) attrs {
	a = append(a, 26, byte(8+len(v)))
	a = binary.BigEndian.AppendUint32(a, vendor)
	return append(append(a, t, byte(2+len(v))), v...)
}
func (a attrs) ma() attrs { return append(a, 80, 18, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) }

func packet(code, id byte, auth []byte, a attrs) []byte {
	p := make([]byte, 20, 20+len(a))
	p[0], p[1] = code, id
	binary.BigEndian.PutUint16(p[2:], uint16(20+len(a)))
	copy(p[4:], auth)
	return append(p, a...)
}

func (g *gen) randAuth() []byte {
	b := make([]byte, 16)
	for i := 0; i < 16; i += 8 {
		binary.LittleEndian.PutUint64(b[i:], g.rnd.Uint64())
	}
	return b
}

func (g *gen) request(n *nas, user, pw string, state []byte) (pkt []byte, id byte) {
	id = n.nextID[0]
	n.nextID[0]++
	auth := g.randAuth()
	a := attrs(nil).str(1, user)
	a = a.raw(2, secret.EncryptUserPassword(g.secret, auth, []byte(pw)))
	a = a.raw(4, n.addr.AsSlice()).str(32, n.name).u32(61, 19).u32(6, 2)
	a = a.str(30, "00-1A-1E-00-00-01:corp-wifi").str(31, fmt.Sprintf("02-00-00-%02X-%02X-%02X", g.rnd.IntN(256), g.rnd.IntN(256), g.rnd.IntN(256)))
	if state != nil {
		a = a.raw(24, state)
	}
	if n.withMA {
		a = a.ma()
	}
	pkt = packet(1, id, auth, a)
	if n.withMA {
		if err := secret.SignRequest(g.secret, pkt); err != nil {
			log.Fatal(err)
		}
	}
	return pkt, id
}

func (g *gen) response(code byte, req []byte, a attrs) []byte {
	a = a.ma()
	p := packet(code, req[1], nil, a)
	if err := secret.SignResponse(g.secret, p, req[4:20]); err != nil {
		log.Fatal(err)
	}
	return p
}

func (g *gen) class() []byte {
	c := []byte("311 1 10.0.0.10 03/02/2026 08:00:00 ")
	return binary.BigEndian.AppendUint64(c, g.rnd.Uint64())
}

func (g *gen) accept(req []byte) []byte {
	a := attrs(nil).raw(25, g.class()).u32(27, 28800).u32(64, 13).u32(65, 6).str(81, "120")
	return g.response(2, req, a)
}

func (g *gen) ms(lo, hi int) time.Duration {
	return time.Duration(lo+g.rnd.IntN(hi-lo+1)) * time.Millisecond
}

// conversation schedules one authentication (and maybe its accounting).
func (g *gen) conversation(t time.Time) {
	g.convs++
	n := g.nases[g.rnd.IntN(len(g.nases))]
	cli := netip.AddrPortFrom(n.addr, n.authPort)
	srv := netip.AddrPortFrom(n.server, 1812)
	user := fmt.Sprintf("user%05d@corp.example", g.rnd.IntN(50000))
	r := g.rnd.IntN(100)
	req, _ := g.request(n, user, "Summer2026!", nil)
	g.schedule(t, req, cli, srv)
	var done time.Time
	switch {
	case r < 50: // PAP accept
		done = t.Add(g.ms(2, 40))
		g.schedule(done, g.accept(req), srv, cli)
	case r < 62: // reject
		done = t.Add(g.ms(2, 40))
		g.schedule(done, g.response(3, req, attrs(nil).str(18, "Access denied")), srv, cli)
		return
	case r < 85: // MFA: challenge, then the answer; the NAS retransmits while the push is pending
		state := []byte(fmt.Sprintf("mfa-%016x", g.rnd.Uint64()))
		ch := t.Add(g.ms(100, 400))
		g.schedule(ch, g.response(11, req, attrs(nil).str(18, "Enter the code from your authenticator app").raw(24, state)), srv, cli)
		at := ch.Add(g.ms(3000, 15000))
		req2, _ := g.request(n, user, fmt.Sprintf("%06d", g.rnd.IntN(1000000)), state)
		g.schedule(at, req2, cli, srv)
		wait := g.ms(1000, 12000)
		rtx := 0
		for d := 5 * time.Second; d < wait && rtx < 2; d += 5 * time.Second {
			g.schedule(at.Add(d), req2, cli, srv)
			rtx++
		}
		done = at.Add(wait)
		acc := g.accept(req2)
		g.schedule(done, acc, srv, cli)
		if rtx > 0 && g.rnd.IntN(2) == 0 {
			g.schedule(done.Add(g.ms(1, 5)), acc, srv, cli) // answer to the retransmission too
		}
	case r < 87: // never answered, retransmitted twice
		g.schedule(t.Add(5*time.Second), req, cli, srv)
		g.schedule(t.Add(10*time.Second), req, cli, srv)
		return
	default: // accept after a retransmission
		g.schedule(t.Add(5*time.Second), req, cli, srv)
		done = t.Add(5*time.Second + g.ms(2, 40))
		g.schedule(done, g.accept(req), srv, cli)
	}
	if g.rnd.IntN(10) < 7 {
		g.accounting(n, user, done)
	}
}

func (g *gen) accounting(n *nas, user string, t time.Time) {
	cli := netip.AddrPortFrom(n.addr, n.acctPort)
	srv := netip.AddrPortFrom(n.server, 1813)
	sess := fmt.Sprintf("%08X", g.rnd.Uint32())
	at := t.Add(g.ms(50, 500))
	for i, st := range []uint32{1, 3, 2} {
		id := n.nextID[1]
		n.nextID[1]++
		a := attrs(nil).str(1, user).u32(40, st).str(44, sess).raw(4, n.addr.AsSlice()).str(32, n.name).u32(46, uint32(i*600))
		if st == 2 {
			a = a.u32(42, uint32(g.rnd.IntN(1<<24))).u32(43, uint32(g.rnd.IntN(1<<24))).u32(49, 1)
		}
		p := packet(4, id, make([]byte, 16), a)
		h := md5.New()
		h.Write(p)
		h.Write(g.secret)
		copy(p[4:20], h.Sum(nil))
		g.schedule(at, p, cli, srv)
		resp := packet(5, id, nil, nil)
		h.Reset()
		h.Write(resp[:4])
		h.Write(p[4:20])
		h.Write(g.secret)
		copy(resp[4:20], h.Sum(nil))
		g.schedule(at.Add(g.ms(1, 20)), resp, srv, cli)
		at = at.Add(g.ms(60000, 600000))
	}
}
