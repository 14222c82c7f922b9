package pcap

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
)

// Link types (tcpdump.org/linktypes.html) the reader decodes.
const (
	linkNull     = 0   // BSD loopback, host-order address family
	linkEthernet = 1   // Ethernet II, 802.1Q/QinQ
	linkRaw      = 101 // raw IPv4 or IPv6
	linkRawAlt12 = 12  // raw IP on OpenBSD
	linkRawAlt14 = 14  // raw IP on some BSDs
	linkLoop     = 108 // OpenBSD loopback, network-order address family
	linkSLL      = 113 // Linux cooked capture v1
	linkIPv4     = 228
	linkIPv6     = 229
	linkSLL2     = 276 // Linux cooked capture v2 (tcpdump -i any)
)

// Errors of frame decoding. They describe one frame; the reader wraps them
// in a *model.ParseError naming it, which adds the "pcap: " prefix.
var (
	errLinkType  = errors.New("unsupported link type")
	errTruncated = errors.New("frame truncated")
	errIPHeader  = errors.New("bad IP header")
	errUDPHeader = errors.New("bad UDP header")
)

// notIP marks frames that carry something other than IPv4/IPv6 (ARP, LLDP,
// ...). They are skipped, not reported.
var notIP = errors.New("not IP")

// ipPacket is what link decoding yields: one IP packet or fragment.
type ipPacket struct {
	src, dst netip.Addr
	proto    uint8
	payload  []byte // the transport header and data (or the fragment's data)

	// Fragment information; frag is false for an unfragmented packet.
	frag     bool
	v6       bool
	fragID   uint32
	fragOff  int // byte offset of payload in the original datagram
	moreFrag bool
}

// decodeLink strips the link layer and decodes the IP header.
func decodeLink(link int, b []byte) (ipPacket, error) {
	switch link {
	case linkEthernet:
		if len(b) < 14 {
			return ipPacket{}, fmt.Errorf("%w: Ethernet header", errTruncated)
		}
		et := binary.BigEndian.Uint16(b[12:14])
		b = b[14:]
		for et == 0x8100 || et == 0x88a8 || et == 0x9100 { // 802.1Q, 802.1ad, old QinQ
			if len(b) < 4 {
				return ipPacket{}, fmt.Errorf("%w: VLAN tag", errTruncated)
			}
			et = binary.BigEndian.Uint16(b[2:4])
			b = b[4:]
		}
		return decodeEtherType(et, b)
	case linkSLL:
		if len(b) < 16 {
			return ipPacket{}, fmt.Errorf("%w: Linux cooked header", errTruncated)
		}
		return decodeEtherType(binary.BigEndian.Uint16(b[14:16]), b[16:])
	case linkSLL2:
		// protocol(2) reserved(2) ifindex(4) hatype(2) pkttype(1)
		// addrlen(1) addr(8): 20 bytes.
		if len(b) < 20 {
			return ipPacket{}, fmt.Errorf("%w: Linux cooked v2 header", errTruncated)
		}
		return decodeEtherType(binary.BigEndian.Uint16(b[0:2]), b[20:])
	case linkNull, linkLoop:
		if len(b) < 4 {
			return ipPacket{}, fmt.Errorf("%w: loopback header", errTruncated)
		}
		fam := binary.LittleEndian.Uint32(b[:4])
		if link == linkLoop || fam > 0xffff {
			fam = binary.BigEndian.Uint32(b[:4])
		}
		switch fam {
		case 2:
			return decodeIPv4(b[4:])
		case 24, 28, 30: // AF_INET6 on NetBSD/OpenBSD, FreeBSD, Darwin
			return decodeIPv6(b[4:])
		}
		return ipPacket{}, notIP
	case linkRaw, linkRawAlt12, linkRawAlt14:
		if len(b) == 0 {
			return ipPacket{}, fmt.Errorf("%w: empty raw IP frame", errTruncated)
		}
		switch b[0] >> 4 {
		case 4:
			return decodeIPv4(b)
		case 6:
			return decodeIPv6(b)
		}
		return ipPacket{}, fmt.Errorf("%w: IP version %d", errIPHeader, b[0]>>4)
	case linkIPv4:
		return decodeIPv4(b)
	case linkIPv6:
		return decodeIPv6(b)
	}
	return ipPacket{}, fmt.Errorf("%w %d", errLinkType, link)
}

func decodeEtherType(et uint16, b []byte) (ipPacket, error) {
	switch et {
	case 0x0800:
		return decodeIPv4(b)
	case 0x86dd:
		return decodeIPv6(b)
	}
	return ipPacket{}, notIP
}

func decodeIPv4(b []byte) (ipPacket, error) {
	if len(b) < 20 {
		return ipPacket{}, fmt.Errorf("%w: IPv4 header", errTruncated)
	}
	if b[0]>>4 != 4 {
		return ipPacket{}, fmt.Errorf("%w: IPv4 version %d", errIPHeader, b[0]>>4)
	}
	ihl := int(b[0]&0x0f) * 4
	total := int(binary.BigEndian.Uint16(b[2:4]))
	if ihl < 20 || total < ihl {
		return ipPacket{}, fmt.Errorf("%w: IPv4 header length %d, total length %d", errIPHeader, ihl, total)
	}
	if len(b) < total {
		return ipPacket{}, fmt.Errorf("%w: IPv4 total length %d, captured %d", errTruncated, total, len(b))
	}
	p := ipPacket{
		src:     netip.AddrFrom4([4]byte(b[12:16])),
		dst:     netip.AddrFrom4([4]byte(b[16:20])),
		proto:   b[9],
		payload: b[ihl:total], // Ethernet padding dropped
	}
	ff := binary.BigEndian.Uint16(b[6:8])
	p.moreFrag = ff&0x2000 != 0
	p.fragOff = int(ff&0x1fff) * 8
	if p.moreFrag || p.fragOff != 0 {
		p.frag = true
		p.fragID = uint32(binary.BigEndian.Uint16(b[4:6]))
	}
	return p, nil
}

func decodeIPv6(b []byte) (ipPacket, error) {
	if len(b) < 40 {
		return ipPacket{}, fmt.Errorf("%w: IPv6 header", errTruncated)
	}
	if b[0]>>4 != 6 {
		return ipPacket{}, fmt.Errorf("%w: IPv6 version %d", errIPHeader, b[0]>>4)
	}
	plen := int(binary.BigEndian.Uint16(b[4:6]))
	if plen == 0 { // jumbogram: not RADIUS
		return ipPacket{}, notIP
	}
	if len(b) < 40+plen {
		return ipPacket{}, fmt.Errorf("%w: IPv6 payload length %d, captured %d", errTruncated, plen, len(b)-40)
	}
	p := ipPacket{
		src: netip.AddrFrom16([16]byte(b[8:24])),
		dst: netip.AddrFrom16([16]byte(b[24:40])),
		v6:  true,
	}
	next := b[6]
	rest := b[40 : 40+plen]
	for {
		switch next {
		case 0, 43, 60: // hop-by-hop, routing, destination options
			if len(rest) < 8 {
				return ipPacket{}, fmt.Errorf("%w: IPv6 extension header", errTruncated)
			}
			n := (int(rest[1]) + 1) * 8
			if len(rest) < n {
				return ipPacket{}, fmt.Errorf("%w: IPv6 extension header", errTruncated)
			}
			next, rest = rest[0], rest[n:]
		case 44: // fragment
			if len(rest) < 8 {
				return ipPacket{}, fmt.Errorf("%w: IPv6 fragment header", errTruncated)
			}
			if p.frag {
				return ipPacket{}, fmt.Errorf("%w: two IPv6 fragment headers", errIPHeader)
			}
			fo := binary.BigEndian.Uint16(rest[2:4])
			p.fragOff = int(fo>>3) * 8
			p.moreFrag = fo&1 != 0
			p.fragID = binary.BigEndian.Uint32(rest[4:8])
			// An atomic fragment (offset 0, no more) is a whole packet.
			p.frag = p.moreFrag || p.fragOff != 0
			next, rest = rest[0], rest[8:]
		default:
			p.proto = next
			p.payload = rest
			return p, nil
		}
	}
}

// udpDatagram is a decoded UDP header and its payload.
type udpDatagram struct {
	srcPort, dstPort uint16
	payload          []byte
}

func decodeUDP(b []byte) (udpDatagram, error) {
	if len(b) < 8 {
		return udpDatagram{}, fmt.Errorf("%w: %d bytes", errUDPHeader, len(b))
	}
	l := int(binary.BigEndian.Uint16(b[4:6]))
	if l < 8 || l > len(b) {
		// Length 0 happens for IPv6 jumbograms only; anything else
		// disagreeing with the IP length is broken.
		return udpDatagram{}, fmt.Errorf("%w: length %d, datagram %d", errUDPHeader, l, len(b))
	}
	return udpDatagram{
		srcPort: binary.BigEndian.Uint16(b[0:2]),
		dstPort: binary.BigEndian.Uint16(b[2:4]),
		payload: b[8:l],
	}, nil
}
