package pcap

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/pcapgo"

	"github.com/radscope/radscope/dict"
	"github.com/radscope/radscope/model"
)

func ipv4(src, dst string, proto byte, payload []byte) []byte {
	b := make([]byte, 20, 20+len(payload))
	b[0] = 0x45
	binary.BigEndian.PutUint16(b[2:], uint16(20+len(payload)))
	b[8], b[9] = 64, proto
	s, d := netip.MustParseAddr(src).As4(), netip.MustParseAddr(dst).As4()
	copy(b[12:], s[:])
	copy(b[16:], d[:])
	return append(b, payload...)
}

func ipv6(src, dst string, next byte, payload []byte) []byte {
	b := make([]byte, 40, 40+len(payload))
	b[0] = 0x60
	binary.BigEndian.PutUint16(b[4:], uint16(len(payload)))
	b[6], b[7] = next, 64
	s, d := netip.MustParseAddr(src).As16(), netip.MustParseAddr(dst).As16()
	copy(b[8:], s[:])
	copy(b[24:], d[:])
	return append(b, payload...)
}

func udp(sp, dp uint16, payload []byte) []byte {
	b := make([]byte, 8, 8+len(payload))
	binary.BigEndian.PutUint16(b[0:], sp)
	binary.BigEndian.PutUint16(b[2:], dp)
	binary.BigEndian.PutUint16(b[4:], uint16(8+len(payload)))
	return append(b, payload...)
}

func cat(bs ...[]byte) []byte { return bytes.Join(bs, nil) }

func u16(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }
func u32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

var macs = make([]byte, 12)

func TestDecodeLink(t *testing.T) {
	v4 := ipv4("10.0.0.1", "10.0.0.2", 17, udp(1000, 1812, []byte("x")))
	v6 := ipv6("2001:db8::1", "2001:db8::2", 17, udp(1000, 1812, []byte("x")))
	// IPv6 with hop-by-hop and destination options before UDP.
	v6ext := ipv6("2001:db8::1", "2001:db8::2", 0, cat([]byte{60, 0, 1, 4, 0, 0, 0, 0}, []byte{17, 0, 1, 4, 0, 0, 0, 0}, udp(1000, 1812, []byte("x"))))
	for _, tc := range []struct {
		name  string
		link  int
		frame []byte
		src   string
		err   error
	}{
		{"ethernet", linkEthernet, cat(macs, u16(0x0800), v4), "10.0.0.1", nil},
		{"ethernet padding", linkEthernet, cat(macs, u16(0x0800), v4, make([]byte, 20)), "10.0.0.1", nil},
		{"802.1Q", linkEthernet, cat(macs, u16(0x8100), u16(5), u16(0x86dd), v6), "2001:db8::1", nil},
		{"QinQ", linkEthernet, cat(macs, u16(0x88a8), u16(5), u16(0x8100), u16(7), u16(0x0800), v4), "10.0.0.1", nil},
		{"linux cooked", linkSLL, cat(make([]byte, 14), u16(0x0800), v4), "10.0.0.1", nil},
		{"linux cooked v2", linkSLL2, cat(u16(0x86dd), make([]byte, 18), v6), "2001:db8::1", nil},
		{"null little-endian", linkNull, cat([]byte{2, 0, 0, 0}, v4), "10.0.0.1", nil},
		{"null big-endian v6", linkNull, cat(u32(30), v6), "2001:db8::1", nil},
		{"loop", linkLoop, cat(u32(2), v4), "10.0.0.1", nil},
		{"raw v4", linkRaw, v4, "10.0.0.1", nil},
		{"raw v6 ext headers", linkRaw, v6ext, "2001:db8::1", nil},
		{"ipv4 link", linkIPv4, v4, "10.0.0.1", nil},
		{"ipv6 link", linkIPv6, v6, "2001:db8::1", nil},
		{"arp", linkEthernet, cat(macs, u16(0x0806), make([]byte, 28)), "", notIP},
		{"unknown link", 147, v4, "", errLinkType},
		{"short ethernet", linkEthernet, macs, "", errTruncated},
		{"short vlan", linkEthernet, cat(macs, u16(0x8100), u16(1)), "", errTruncated},
		{"short sll2", linkSLL2, make([]byte, 19), "", errTruncated},
		{"ipv4 truncated", linkRaw, v4[:len(v4)-1], "", errTruncated},
		{"ipv4 bad ihl", linkRaw, append([]byte{0x41}, v4[1:]...), "", errIPHeader},
		{"raw version 5", linkRaw, append([]byte{0x50}, v4[1:]...), "", errIPHeader},
		{"ipv6 short ext", linkRaw, ipv6("::1", "::1", 0, []byte{17, 9, 0, 0, 0, 0, 0, 0}), "", errTruncated},
		{"empty raw", linkRaw, nil, "", errTruncated},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := decodeLink(tc.link, tc.frame)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.src.String() != tc.src || p.proto != 17 {
				t.Fatalf("src %v proto %d", p.src, p.proto)
			}
			u, err := decodeUDP(p.payload)
			if err != nil || u.dstPort != 1812 || string(u.payload) != "x" {
				t.Fatalf("udp %+v, %v", u, err)
			}
		})
	}
}

func TestDecodeUDPErrors(t *testing.T) {
	for _, b := range [][]byte{nil, make([]byte, 7), {0, 1, 0, 2, 0, 7, 0, 0}, {0, 1, 0, 2, 0, 20, 0, 0}} {
		if _, err := decodeUDP(b); !errors.Is(err, errUDPHeader) {
			t.Errorf("%x: %v", b, err)
		}
	}
}

// fragment4 splits an IPv4 packet into fragments with step bytes of
// payload each.
func fragment4(ip []byte, step int, id uint16) [][]byte {
	payload := ip[20:]
	var out [][]byte
	for off := 0; off < len(payload); off += step {
		end := min(off+step, len(payload))
		p := cat(ip[:20], payload[off:end])
		binary.BigEndian.PutUint16(p[2:], uint16(len(p)))
		binary.BigEndian.PutUint16(p[4:], id)
		ff := uint16(off / 8)
		if end < len(payload) {
			ff |= 0x2000
		}
		binary.BigEndian.PutUint16(p[6:], ff)
		out = append(out, p)
	}
	return out
}

func TestReassembly(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 100)
	whole := ipv4("10.0.0.1", "10.0.0.2", 17, udp(1000, 1812, data))
	frags := fragment4(whole, 256, 7)
	order := []int{3, 0, 6, 1, 5, 2, 4} // out of order, last one in the middle
	if len(frags) != len(order) {
		t.Fatalf("%d fragments", len(frags))
	}
	r := newReassembler()
	t0 := time.Unix(1000, 0)
	for i, k := range order {
		p, err := decodeLink(linkRaw, frags[k])
		if err != nil || !p.frag {
			t.Fatalf("fragment %d: %v frag=%v", k, err, p.frag)
		}
		got, first, err := r.add(p, int64(i+1), t0)
		if err != nil {
			t.Fatal(err)
		}
		if i < len(order)-1 {
			if got != nil {
				t.Fatalf("complete after %d fragments", i+1)
			}
			continue
		}
		if !bytes.Equal(got, udp(1000, 1812, data)) || first != 1 {
			t.Fatalf("reassembled %d bytes, first frame %d", len(got), first)
		}
	}
	if r.pending() != 0 {
		t.Errorf("%d sets pending", r.pending())
	}
	// A missing fragment: given up after the timeout.
	for i, f := range frags {
		if i == 2 {
			continue
		}
		p, _ := decodeLink(linkRaw, f)
		p.fragID = 8
		if got, _, err := r.add(p, 100, t0); got != nil || err != nil {
			t.Fatalf("incomplete set completed: %v", err)
		}
	}
	if in := r.expire(t0.Add(fragTimeout), false); len(in) != 0 {
		t.Fatalf("expired before the timeout: %v", in)
	}
	in := r.expire(t0.Add(fragTimeout+time.Second), false)
	if len(in) != 1 || in[0].total != len(data)+8 || in[0].first == nil {
		t.Fatalf("incomplete = %+v", in)
	}
	// Beyond 64 KiB.
	p := ipPacket{src: netip.MustParseAddr("10.0.0.1"), dst: netip.MustParseAddr("10.0.0.2"), proto: 17, frag: true, fragOff: 65528, payload: make([]byte, 16)}
	if _, _, err := r.add(p, 1, t0); !errors.Is(err, errIPHeader) {
		t.Errorf("oversized: %v", err)
	}
}

// TestMemoryBounded feeds a long stream of unanswered requests and checks
// that what the reader holds stays within one window of traffic.
func TestMemoryBounded(t *testing.T) {
	var buf bytes.Buffer
	w := pcapgo.NewWriter(&buf)
	w.WriteFileHeader(65535, 101)
	t0 := time.Unix(1_700_000_000, 0)
	const n = 20000
	for i := range n {
		pkt := make([]byte, 20)
		pkt[0], pkt[1] = 4, byte(i)
		binary.BigEndian.PutUint16(pkt[2:], 20)
		binary.BigEndian.PutUint32(pkt[4:], uint32(i))
		frame := ipv4("10.0.0.1", "10.0.0.2", 17, udp(uint16(3000+i%500), 1813, pkt))
		ts := t0.Add(time.Duration(i) * 10 * time.Millisecond) // 100 packets/s
		w.WritePacket(ciFor(ts, len(frame)), frame)
	}
	r, err := NewReader(&buf, Options{Window: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	maxQ, maxP, count := 0, 0, 0
	for {
		m, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if m.Marks&model.MarkNoResponse == 0 {
			t.Fatalf("frame %d not marked norsp", m.Src.Frame)
		}
		if m.Src.Frame != int64(count+1) {
			t.Fatalf("message %d is frame %d", count+1, m.Src.Frame)
		}
		count++
		maxQ = max(maxQ, len(r.match.q)-r.match.head)
		maxP = max(maxP, len(r.match.pend))
	}
	if count != n {
		t.Fatalf("%d messages, want %d", count, n)
	}
	// 2 s at 100/s is 200 messages; allow the sweep interval on pend.
	if maxQ > 250 || maxP > 4096+250 {
		t.Errorf("held %d queued messages and %d identifiers", maxQ, maxP)
	}
}

// frames reads the raw frames of a capture in testdata, for fuzz seeds.
func frames(t testing.TB, name string) (link int, out [][]byte) {
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := NewReader(f, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for {
		d, ci, err := r.src.ZeroCopyReadPacketData()
		if err != nil {
			break
		}
		link = r.link
		if r.ng != nil {
			link = ngLink(r.ng, ci)
		}
		out = append(out, append([]byte(nil), d...))
	}
	return link, out
}

// FuzzLinkDecode decodes one frame through the link, IP, UDP and RADIUS
// layers, directly and through a Reader: nothing may panic, and every error
// the Reader yields is a ParseError naming frame 1.
func FuzzLinkDecode(f *testing.F) {
	names, _ := filepath.Glob("../../testdata/pcaps/*.pcap*")
	for _, n := range names {
		link, fr := frames(f, n)
		for i, d := range fr {
			if i < 6 {
				f.Add(link, d)
			}
		}
	}
	f.Add(linkSLL2, cat(u16(0x0800), make([]byte, 18), ipv4("1.1.1.1", "2.2.2.2", 17, udp(1, 1812, []byte{1, 2, 0, 30}))))
	d := newAttrDict(dict.Default())
	f.Fuzz(func(t *testing.T, link int, frame []byte) {
		link &= 0x1ff
		if p, err := decodeLink(link, frame); err == nil {
			if u, err := decodeUDP(p.payload); err == nil {
				var m model.Message
				decodeRADIUS(d, u.payload, &m)
			}
		}
		var buf bytes.Buffer
		w := pcapgo.NewWriter(&buf)
		w.WriteFileHeader(65535, 1)
		w.WritePacket(ciFor(time.Unix(1, 0), len(frame)), frame)
		b := buf.Bytes()
		binary.LittleEndian.PutUint32(b[20:], uint32(link))
		r, err := NewReader(bytes.NewReader(b), Options{Ports: []uint16{53}})
		if err != nil {
			t.Fatal(err)
		}
		for _, err := range r.All() {
			var pe *model.ParseError
			if err != nil && (!errors.As(err, &pe) || pe.Src.Frame != 1) {
				t.Fatalf("error %v is not a ParseError at frame 1", err)
			}
		}
	})
}

// FuzzReassembly files fragments cut from the input at fuzzer-chosen
// places and orders: nothing may panic, and a completed datagram always
// has the length its last fragment implies.
func FuzzReassembly(f *testing.F) {
	f.Add(bytes.Repeat([]byte("radius"), 60), []byte{3, 0, 2, 1}, uint8(64))
	f.Add([]byte("short"), []byte{0}, uint8(8))
	f.Add(bytes.Repeat([]byte{0xff}, 1500), []byte{1, 1, 0, 2}, uint8(200))
	f.Fuzz(func(t *testing.T, data []byte, order []byte, step uint8) {
		s := int(step)/8*8 + 8
		whole := ipv4("10.0.0.1", "10.0.0.2", 17, data)
		if len(whole) > 65535 {
			return
		}
		frags := fragment4(whole, s, 9)
		if len(frags) == 0 {
			return
		}
		r := newReassembler()
		t0 := time.Unix(1, 0)
		for i, o := range order {
			fr := frags[int(o)%len(frags)]
			p, err := decodeLink(linkRaw, fr)
			if err != nil {
				t.Fatal(err)
			}
			if !p.frag {
				continue
			}
			got, _, err := r.add(p, int64(i+1), t0)
			if err == nil && got != nil && !bytes.Equal(got, data) {
				t.Fatalf("reassembled %d bytes, want %d", len(got), len(data))
			}
		}
		r.expire(t0, true)
		if r.pending() != 0 {
			t.Fatal("sets left after flush")
		}
	})
}

func ciFor(ts time.Time, n int) gopacket.CaptureInfo {
	return gopacket.CaptureInfo{Timestamp: ts, CaptureLength: n, Length: n}
}
