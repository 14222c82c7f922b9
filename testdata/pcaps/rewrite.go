//go:build ignore

// rewrite derives the link-layer and fragmentation variants in
// testdata/pcaps from the captures make.sh takes with real software. The
// RADIUS payloads are untouched; only the encapsulation changes:
//
//   - frag-vlan.pcap: peap.pcapng's packets behind 802.1Q and QinQ tags,
//     IPv4-fragmented at an MTU of 576 (one datagram's fragments in reverse
//     order), plus one datagram whose middle fragment is missing;
//   - ipv6-frag.pcap: ipv6-sll2.pcap as raw IPv6 (link type 101), every
//     datagram split into 64-byte IPv6 fragments;
//   - loopback-be.pcap: radclient.pcap as BSD loopback (link type 0) in a
//     big-endian, nanosecond-resolution file.
//
// Usage: go run ./testdata/pcaps/rewrite.go testdata/pcaps
package main

import (
	"encoding/binary"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/pcapgo"
)

type frame struct {
	t    time.Time
	data []byte
}

func readAll(name string) ([]frame, int) {
	f, err := os.Open(name)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	var src interface {
		ReadPacketData() ([]byte, gopacket.CaptureInfo, error)
	}
	link := 0
	var magic [4]byte
	if _, err := io.ReadFull(f, magic[:]); err != nil {
		log.Fatal(err)
	}
	f.Seek(0, 0)
	if binary.LittleEndian.Uint32(magic[:]) == 0x0a0d0d0a {
		r, err := pcapgo.NewNgReader(f, pcapgo.DefaultNgReaderOptions)
		if err != nil {
			log.Fatal(err)
		}
		src, link = r, int(r.LinkType())
	} else {
		r, err := pcapgo.NewReader(f)
		if err != nil {
			log.Fatal(err)
		}
		src, link = r, int(r.LinkType())
	}
	var out []frame
	for {
		d, ci, err := src.ReadPacketData()
		if err == io.EOF {
			return out, link
		}
		if err != nil {
			log.Fatal(err)
		}
		out = append(out, frame{ci.Timestamp, d})
	}
}

// writer writes a classic pcap file in either byte order and resolution.
type writer struct {
	f     *os.File
	bo    binary.ByteOrder
	nanos bool
}

func create(name string, link uint32, bo binary.ByteOrder, nanos bool) *writer {
	f, err := os.Create(name)
	if err != nil {
		log.Fatal(err)
	}
	h := make([]byte, 24)
	magic := uint32(0xa1b2c3d4)
	if nanos {
		magic = 0xa1b23c4d
	}
	bo.PutUint32(h[0:], magic)
	bo.PutUint16(h[4:], 2)
	bo.PutUint16(h[6:], 4)
	bo.PutUint32(h[16:], 65535)
	bo.PutUint32(h[20:], link)
	f.Write(h)
	return &writer{f, bo, nanos}
}

func (w *writer) write(t time.Time, data []byte) {
	h := make([]byte, 16)
	w.bo.PutUint32(h[0:], uint32(t.Unix()))
	if w.nanos {
		w.bo.PutUint32(h[4:], uint32(t.Nanosecond()))
	} else {
		w.bo.PutUint32(h[4:], uint32(t.Nanosecond()/1000))
	}
	w.bo.PutUint32(h[8:], uint32(len(data)))
	w.bo.PutUint32(h[12:], uint32(len(data)))
	w.f.Write(h)
	w.f.Write(data)
}

func (w *writer) close() {
	if err := w.f.Close(); err != nil {
		log.Fatal(err)
	}
}

func csum(h []byte) uint16 {
	var s uint32
	for i := 0; i+1 < len(h); i += 2 {
		s += uint32(binary.BigEndian.Uint16(h[i:]))
	}
	for s > 0xffff {
		s = s>>16 + s&0xffff
	}
	return ^uint16(s)
}

// fragment4 splits an IPv4 packet (header without options) at mtu.
func fragment4(ip []byte, mtu int, id uint16) [][]byte {
	ihl := int(ip[0]&0xf) * 4
	payload := ip[ihl:]
	step := (mtu - ihl) / 8 * 8
	var out [][]byte
	for off := 0; off < len(payload); off += step {
		end := min(off+step, len(payload))
		p := make([]byte, ihl+end-off)
		copy(p, ip[:ihl])
		copy(p[ihl:], payload[off:end])
		binary.BigEndian.PutUint16(p[2:], uint16(len(p)))
		binary.BigEndian.PutUint16(p[4:], id)
		ff := uint16(off / 8)
		if end < len(payload) {
			ff |= 0x2000
		}
		binary.BigEndian.PutUint16(p[6:], ff)
		p[10], p[11] = 0, 0
		binary.BigEndian.PutUint16(p[10:], csum(p[:ihl]))
		out = append(out, p)
	}
	return out
}

// fragment6 splits an IPv6 packet without extension headers into
// fragments carrying size bytes of payload each.
func fragment6(ip []byte, size int, id uint32) [][]byte {
	next := ip[6]
	payload := ip[40:]
	var out [][]byte
	for off := 0; off < len(payload); off += size {
		end := min(off+size, len(payload))
		p := make([]byte, 48+end-off)
		copy(p, ip[:40])
		p[6] = 44
		binary.BigEndian.PutUint16(p[4:], uint16(8+end-off))
		p[40] = next
		fo := uint16(off/8) << 3
		if end < len(payload) {
			fo |= 1
		}
		binary.BigEndian.PutUint16(p[42:], fo)
		binary.BigEndian.PutUint32(p[44:], id)
		copy(p[48:], payload[off:end])
		out = append(out, p)
	}
	return out
}

func ether(tags []uint16, vlan []uint16, ethertype uint16, ip []byte) []byte {
	b := make([]byte, 12, 14+4*len(tags)+len(ip))
	copy(b, []byte{0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1})
	for i, t := range tags {
		b = binary.BigEndian.AppendUint16(b, t)
		b = binary.BigEndian.AppendUint16(b, vlan[i])
	}
	b = binary.BigEndian.AppendUint16(b, ethertype)
	return append(b, ip...)
}

func main() {
	dir := os.Args[1]
	// frag-vlan.pcap
	peap, link := readAll(filepath.Join(dir, "peap.pcapng"))
	if link != 1 {
		log.Fatalf("peap.pcapng: link type %d, want Ethernet", link)
	}
	w := create(filepath.Join(dir, "frag-vlan.pcap"), 1, binary.LittleEndian, false)
	id := uint16(0x4000)
	reversed := false
	var lastBig []byte
	var lastT time.Time
	for i, fr := range peap {
		if binary.BigEndian.Uint16(fr.data[12:14]) != 0x0800 {
			continue
		}
		ip := fr.data[14:]
		ip = ip[:binary.BigEndian.Uint16(ip[2:4])]
		tags, vlan := []uint16{0x8100}, []uint16{100}
		if i%2 == 1 {
			tags, vlan = []uint16{0x88a8, 0x8100}, []uint16{10, 100}
		}
		id++
		frags := fragment4(ip, 576, id)
		if len(frags) > 1 && !reversed {
			for a, b := 0, len(frags)-1; a < b; a, b = a+1, b-1 {
				frags[a], frags[b] = frags[b], frags[a]
			}
			reversed = true
		}
		if len(frags) > 2 || lastBig == nil && len(frags) > 1 {
			lastBig, lastT = ip, fr.t
		}
		for k, f := range frags {
			w.write(fr.t.Add(time.Duration(k)*time.Microsecond), ether(tags, vlan, 0x0800, f))
		}
	}
	if lastBig == nil {
		log.Fatal("peap.pcapng has no packet large enough to fragment")
	}
	frags := fragment4(lastBig, 576, 0x7777)
	for k, f := range frags {
		if k == 1 {
			continue // the missing fragment
		}
		w.write(lastT.Add(time.Second+time.Duration(k)*time.Microsecond), ether([]uint16{0x8100}, []uint16{100}, 0x0800, f))
	}
	w.close()

	// ipv6-frag.pcap
	v6, link := readAll(filepath.Join(dir, "ipv6-sll2.pcap"))
	if link != 276 && link != 276&0xff { // pcapgo truncates link types to 8 bits
		log.Fatalf("ipv6-sll2.pcap: link type %d, want 276", link)
	}
	w = create(filepath.Join(dir, "ipv6-frag.pcap"), 101, binary.LittleEndian, true)
	for i, fr := range v6 {
		ip := fr.data[20:]
		if ip[0]>>4 != 6 {
			continue
		}
		for k, f := range fragment6(ip, 64, uint32(0x10000+i)) {
			w.write(fr.t.Add(time.Duration(k)*time.Microsecond), f)
		}
	}
	w.close()

	// loopback-be.pcap
	rc, link := readAll(filepath.Join(dir, "radclient.pcap"))
	if link != 1 {
		log.Fatalf("radclient.pcap: link type %d, want Ethernet", link)
	}
	w = create(filepath.Join(dir, "loopback-be.pcap"), 0, binary.BigEndian, true)
	for _, fr := range rc {
		var fam uint32
		switch binary.BigEndian.Uint16(fr.data[12:14]) {
		case 0x0800:
			fam = 2
		case 0x86dd:
			fam = 24
		default:
			continue
		}
		b := binary.BigEndian.AppendUint32(nil, fam)
		w.write(fr.t, append(b, fr.data[14:]...))
	}
	w.close()
	fmt.Println("rewrote frag-vlan.pcap, ipv6-frag.pcap, loopback-be.pcap")
}
