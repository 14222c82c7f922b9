package pcap

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// maxBlock bounds one pcapng block; no real capture has larger ones.
const maxBlock = 1 << 24

// ngGuard sits between the input and pcapgo's pcapng reader, one block at
// a time. pcapgo allocates a packet buffer as large as an interface's
// snaplen or a packet's captured length before it checks either against
// the block, so a corrupt header could make it allocate gigabytes. The
// guard clamps interface snaplens to maxSnaplen and rejects packet blocks
// whose captured length exceeds the block or maxSnaplen, and blocks with
// impossible lengths.
type ngGuard struct {
	r   io.Reader
	bo  binary.ByteOrder
	buf []byte
	off int
	err error
}

var errNgBlock = errors.New("corrupt pcapng block")

func (g *ngGuard) Read(p []byte) (int, error) {
	for g.off >= len(g.buf) {
		if g.err != nil {
			return 0, g.err
		}
		g.err = g.next()
	}
	n := copy(p, g.buf[g.off:])
	g.off += n
	return n, nil
}

// next reads one block into buf, checked and patched. It returns the error
// to report after buf has been served.
func (g *ngGuard) next() error {
	var hdr [12]byte
	if _, err := io.ReadFull(g.r, hdr[:8]); err != nil {
		return err
	}
	typ := binary.LittleEndian.Uint32(hdr[:4])
	if typ == 0x0a0d0d0a { // section header: learn the byte order
		if _, err := io.ReadFull(g.r, hdr[8:12]); err != nil {
			return noEOF(err)
		}
		switch binary.LittleEndian.Uint32(hdr[8:12]) {
		case 0x1a2b3c4d:
			g.bo = binary.LittleEndian
		case 0x4d3c2b1a:
			g.bo = binary.BigEndian
		default:
			return fmt.Errorf("%w: bad byte-order magic", errNgBlock)
		}
	} else if g.bo == nil {
		return fmt.Errorf("%w: no section header", errNgBlock)
	}
	typ = g.bo.Uint32(hdr[:4])
	n := int(g.bo.Uint32(hdr[4:8]))
	if n < 12 || n%4 != 0 || n > maxBlock {
		return fmt.Errorf("%w: type %#x, length %d", errNgBlock, typ, n)
	}
	if cap(g.buf) < n {
		g.buf = make([]byte, n)
	}
	b := g.buf[:n]
	head := 8
	if typ == 0x0a0d0d0a {
		head = 12
	}
	copy(b, hdr[:head])
	if _, err := io.ReadFull(g.r, b[head:]); err != nil {
		return noEOF(err)
	}
	switch typ {
	case 1: // interface description: linktype(2) reserved(2) snaplen(4)
		if n < 20 {
			return fmt.Errorf("%w: interface block of %d bytes", errNgBlock, n)
		}
		if s := g.bo.Uint32(b[12:16]); s == 0 || s > maxSnaplen {
			g.bo.PutUint32(b[12:16], maxSnaplen)
		}
	case 2, 6: // packet, enhanced packet: captured length at 20
		if n < 32 {
			return fmt.Errorf("%w: packet block of %d bytes", errNgBlock, n)
		}
		if c := g.bo.Uint32(b[20:24]); int64(c) > int64(n-32) || c > maxSnaplen {
			return fmt.Errorf("%w: captured length %d in a block of %d bytes", errNgBlock, c, n)
		}
	}
	g.buf, g.off = b, 0
	return nil
}
