// Package pcap reads RADIUS from packet captures — libpcap files in either
// byte order and time resolution, and pcapng files with any number of
// interfaces, gzip-compressed or not — into the model.Message stream every
// radscope reader produces.
//
// Captures are read with gopacket's pcapgo (pure Go, no libpcap); the link,
// IP and UDP layers are decoded here: Ethernet with 802.1Q/QinQ tags, Linux
// cooked captures v1 and v2 (tcpdump -i any), BSD loopback, raw IPv4/IPv6,
// IPv4 and IPv6 fragment reassembly. RADIUS is read from UDP ports 1812,
// 1813, 1645, 1646, 3799 and Options.Ports; RADIUS over TLS or DTLS (port
// 2083) is counted, not decoded.
//
// With shared secrets (Options.Secrets) the reader decrypts User-Password,
// Tunnel-Password and the MS-MPPE keys, and verifies response and
// accounting authenticators and every Message-Authenticator, recording the
// verdicts in Message.Check.
//
// The reader also does what radsniff does: it matches requests with
// responses (by client, server and identifier), and marks retransmissions,
// reused identifiers, unanswered requests, responses without a request and
// duplicate responses. To know that a request went unanswered it holds it
// until Options.Window of capture time has passed; messages still come out
// in frame order, delayed by at most the window.
//
// On the messages: Client is the end that sent the request (the NAS for
// access and accounting, the dynamic-authorization client for CoA and
// Disconnect), Server the other; Src.Frame is the 1-based frame number
// (for a fragmented datagram, the frame that completed it, as in
// Wireshark) and Src.Offset the byte offset of the frame's record in the
// decompressed file for libpcap captures (0 for pcapng, whose block offsets
// pcapgo does not expose). Peer on a request is the frame of its response;
// on a response, the frame of the latest transmission of its request; on a
// retransmission still unanswered, the frame of the first transmission.
// RTT on a response is measured from the first transmission, which is what
// the NAS waited. Check is set on every packet: without secrets it only
// records whether Message-Authenticator is present (Absent) so later stages
// can count Blast-RADIUS exposure; with them, every verdict.
//
// Errors follow the stream contract of package parse.
package pcap

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/netip"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/pcapgo"

	"github.com/radscope/radscope/dict"
	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/secret"
)

// DefaultWindow is the matching window when Options.Window is zero.
const DefaultWindow = 30 * time.Second

// DefaultPorts are the UDP ports read as RADIUS: authentication 1812 and
// 1645, accounting 1813 and 1646, dynamic authorization 3799.
var DefaultPorts = []uint16{1812, 1813, 1645, 1646, 3799}

// RadSecPort is the port of RADIUS over TLS (RFC 6614) and DTLS (RFC 7360).
const RadSecPort = 2083

// maxSnaplen bounds the per-frame buffer whatever the file header claims.
const maxSnaplen = 1 << 18

// Options configure a Reader.
type Options struct {
	File        string           // name for Source.File; "-" for stdin
	Dict        *dict.Dictionary // nil means dict.Default()
	Secrets     *secret.Store    // shared secrets; nil or empty: nothing is verified
	Ports       []uint16         // UDP ports read as RADIUS besides DefaultPorts
	ShowSecrets bool             // put decrypted passwords and keys in Attr.Value (the Attr stays Sensitive)
	Window      time.Duration    // matching window in capture time; 0 means DefaultWindow
}

// Stats counts what a Reader has seen so far.
type Stats struct {
	Frames              int64 // frames (packet records) read
	RADIUS              int64 // RADIUS packets decoded (malformed ones included)
	Skipped             int64 // frames that were not RADIUS (other traffic, non-IP, non-first fragments)
	RadSec              int64 // TCP/UDP frames to or from port 2083, not decoded
	FragmentsPending    int   // fragment sets waiting for more fragments now
	FragmentsIncomplete int64 // fragment sets given up incomplete
	Malformed           int64 // RADIUS packets that could be read only in part
	FrameErrors         int64 // frames whose link, IP or UDP headers were bad
	Retransmits         int64 // requests marked rtx
	NoResponse          int64 // requests marked norsp
	NoRequest           int64 // responses marked noreq
	Reused              int64 // requests marked reused
	Duplicates          int64 // responses marked dup
}

type source interface {
	ZeroCopyReadPacketData() ([]byte, gopacket.CaptureInfo, error)
}

// Reader reads RADIUS messages from a capture.
type Reader struct {
	opt    Options
	dict   *attrDict
	format model.Format
	src    source
	ng     *pcapgo.NgReader
	link   int // classic pcap link type

	ports  [65536 / 64]uint64 // bitset of RADIUS ports
	frame  int64
	offset int64 // classic pcap: offset of the next record
	now    time.Time

	frag  *reassembler
	match matcher
	stats Stats

	eof   bool
	final error
}

// Sniff reports whether head, the first bytes of an input, starts a
// libpcap or pcapng capture, gzip-compressed or not.
func Sniff(head []byte) bool {
	if len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(head))
		if err != nil {
			return false
		}
		var b [4]byte
		n, _ := io.ReadFull(zr, b[:])
		return sniffMagic(b[:n]) != model.FormatUnknown
	}
	return sniffMagic(head) != model.FormatUnknown
}

func sniffMagic(h []byte) model.Format {
	if len(h) < 4 {
		return model.FormatUnknown
	}
	switch binary.LittleEndian.Uint32(h) {
	case 0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1:
		return model.FormatPcap
	case 0x0a0d0d0a:
		return model.FormatPcapNG
	}
	return model.FormatUnknown
}

// NewReader reads the capture's file header from r and returns a Reader.
// A gzip-compressed capture is decompressed. An error here means r is not
// a capture radscope can read.
func NewReader(r io.Reader, o Options) (*Reader, error) {
	br := bufio.NewReaderSize(r, 1<<18)
	head, err := br.Peek(4)
	if err != nil {
		return nil, fmt.Errorf("pcap: reading the file header: %w", noEOF(err))
	}
	if head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("pcap: %w", err)
		}
		br = bufio.NewReaderSize(zr, 1<<18)
		if head, err = br.Peek(4); err != nil {
			return nil, fmt.Errorf("pcap: reading the file header: %w", noEOF(err))
		}
	}
	d := o.Dict
	if d == nil {
		d = dict.Default()
	}
	rd := &Reader{opt: o, dict: newAttrDict(d), frag: newReassembler()}
	if rd.opt.Window <= 0 {
		rd.opt.Window = DefaultWindow
	}
	for _, p := range DefaultPorts {
		rd.setPort(p)
	}
	for _, p := range o.Ports {
		rd.setPort(p)
	}
	rd.match.init(rd)
	switch rd.format = sniffMagic(head); rd.format {
	case model.FormatPcap:
		// pcapgo keeps the link type in 8 bits (276, SLL2, would read as
		// 20): take it from the file header.
		hdr, err := br.Peek(24)
		if err != nil {
			return nil, fmt.Errorf("pcap: reading the file header: %w", noEOF(err))
		}
		var bo binary.ByteOrder = binary.LittleEndian
		if m := binary.LittleEndian.Uint32(hdr); m == 0xd4c3b2a1 || m == 0x4d3cb2a1 {
			bo = binary.BigEndian
		}
		link := int(bo.Uint32(hdr[20:24]) & 0x0fffffff) // upper bits: FCS length flags
		pr, err := pcapgo.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("pcap: %w", err)
		}
		// Writers disagree on what snaplen means (0, or less than the
		// frames they wrote); pcapgo rejects frames longer than it, so
		// bound frames by maxSnaplen instead.
		pr.SetSnaplen(maxSnaplen)
		rd.src, rd.link, rd.offset = pr, link, 24
	case model.FormatPcapNG:
		g := &ngGuard{r: br}
		ng, err := pcapgo.NewNgReader(bufio.NewReaderSize(g, 1<<18), pcapgo.NgReaderOptions{WantMixedLinkType: true, SkipUnknownVersion: true})
		if err != nil {
			return nil, fmt.Errorf("pcap: %w", err)
		}
		rd.src, rd.ng = ng, ng
	default:
		return nil, fmt.Errorf("pcap: not a pcap or pcapng capture (magic %x)", head)
	}
	return rd, nil
}

func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

func (r *Reader) setPort(p uint16)     { r.ports[p/64] |= 1 << (p % 64) }
func (r *Reader) isPort(p uint16) bool { return r.ports[p/64]&(1<<(p%64)) != 0 }

// Format returns model.FormatPcap or model.FormatPcapNG.
func (r *Reader) Format() model.Format { return r.format }

// Stats returns the counts so far.
func (r *Reader) Stats() Stats {
	s := r.stats
	s.FragmentsPending = r.frag.pending()
	return s
}

// Read returns the next message, in frame order. See package parse for
// what its errors mean; at the end it returns io.EOF.
func (r *Reader) Read() (model.Message, error) {
	for {
		if it, ok := r.match.pop(r.now, r.eof); ok {
			if it.pkt == nil {
				return model.Message{}, it.err
			}
			return r.materialize(it)
		}
		if r.final != nil {
			return model.Message{}, r.final
		}
		if r.eof {
			return model.Message{}, io.EOF
		}
		r.readFrame()
	}
}

// All iterates over the messages; see package parse for the meaning of the
// errors it yields.
func (r *Reader) All() iter.Seq2[model.Message, error] {
	return func(yield func(model.Message, error) bool) {
		for {
			m, err := r.Read()
			if err == io.EOF {
				return
			}
			if !yield(m, err) {
				return
			}
			if err != nil && !model.IsParseError(err) {
				return
			}
		}
	}
}

func (r *Reader) src0() model.Source {
	s := model.Source{Format: r.format, File: r.opt.File, Frame: r.frame}
	if r.format == model.FormatPcap {
		s.Offset = r.offset
	}
	return s
}

// readFrame reads one frame and queues what it yields.
func (r *Reader) readFrame() {
	data, ci, err := r.src.ZeroCopyReadPacketData()
	if err != nil {
		r.endOfInput(err)
		return
	}
	r.frame++
	r.stats.Frames++
	src := r.src0()
	if r.format == model.FormatPcap {
		r.offset += 16 + int64(ci.CaptureLength)
	}
	link := r.link
	if r.ng != nil {
		link = ngLink(r.ng, ci)
	}
	if ci.Timestamp.After(r.now) {
		r.now = ci.Timestamp
	}
	for _, in := range r.frag.expire(r.now, false) {
		r.reportIncomplete(in)
	}
	r.decodeFrame(link, data, ci.Timestamp, src)
}

func ngLink(ng *pcapgo.NgReader, ci gopacket.CaptureInfo) int {
	iface, err := ng.Interface(ci.InterfaceIndex)
	if err != nil {
		return -1
	}
	// pcapgo keeps the 16-bit pcapng link type in 8 bits; 20 is no
	// assigned link type, so it can only be 276 (Linux cooked v2) cut short.
	if iface.LinkType == linkSLL2&0xff {
		return linkSLL2
	}
	return int(iface.LinkType)
}

// endOfInput handles the error that ended reading frames.
func (r *Reader) endOfInput(err error) {
	r.eof = true
	for _, in := range r.frag.expire(r.now, true) {
		r.reportIncomplete(in)
	}
	switch {
	case err == io.EOF:
	case errors.Is(err, io.ErrUnexpectedEOF):
		// A capture cut short, typically by stopping tcpdump: report the
		// partial last record and end normally.
		src := r.src0()
		src.Frame = r.frame + 1
		r.match.queueErr(&model.ParseError{Src: src, Err: errors.New("capture truncated inside a record")})
	default:
		r.final = fmt.Errorf("pcap: %s: frame %d: %w", fileName(r.opt.File), r.frame+1, err)
	}
}

func fileName(f string) string {
	if f == "" {
		return "-"
	}
	return f
}

func (r *Reader) frameErr(src model.Source, err error) {
	r.stats.FrameErrors++
	r.match.queueErr(&model.ParseError{Src: src, Err: err})
}

func (r *Reader) decodeFrame(link int, data []byte, ts time.Time, src model.Source) {
	ip, err := decodeLink(link, data)
	if err != nil {
		if err == notIP {
			r.stats.Skipped++
			return
		}
		r.frameErr(src, err)
		return
	}
	payload := ip.payload
	if ip.frag {
		if ip.proto != 17 {
			r.stats.Skipped++
			return
		}
		d, _, err := r.frag.add(ip, src.Frame, ts)
		if err != nil {
			r.frameErr(src, err)
			return
		}
		if d == nil {
			return // waiting for more fragments
		}
		payload = d
	}
	switch ip.proto {
	case 17:
	case 6:
		if len(payload) >= 4 && (binary.BigEndian.Uint16(payload[0:2]) == RadSecPort || binary.BigEndian.Uint16(payload[2:4]) == RadSecPort) {
			r.stats.RadSec++
			return
		}
		r.stats.Skipped++
		return
	default:
		r.stats.Skipped++
		return
	}
	udp, err := decodeUDP(payload)
	if err != nil {
		if len(payload) >= 4 && (r.isPort(binary.BigEndian.Uint16(payload[0:2])) || r.isPort(binary.BigEndian.Uint16(payload[2:4]))) {
			r.frameErr(src, err)
		} else {
			r.stats.Skipped++
		}
		return
	}
	if udp.srcPort == RadSecPort || udp.dstPort == RadSecPort {
		r.stats.RadSec++
		return
	}
	srcRad, dstRad := r.isPort(udp.srcPort), r.isPort(udp.dstPort)
	if !srcRad && !dstRad {
		r.stats.Skipped++
		return
	}
	r.stats.RADIUS++
	// Only the header is read now; the message is decoded when it leaves
	// the reorder buffer, so what the buffer holds is a byte slice and a
	// few numbers, not a Message full of pointers for the GC to scan.
	code := model.CodeNone
	if len(udp.payload) > 0 {
		code = model.Code(udp.payload[0])
	}
	request := code.IsRequest()
	if !code.Known() {
		// Unknown code: take the direction from the ports.
		request = dstRad && !srcRad || dstRad && udp.dstPort < udp.srcPort
	}
	it := &item{src: src, t: ts, request: true, pkt: append([]byte(nil), udp.payload...)}
	from := netip.AddrPortFrom(ip.src, udp.srcPort)
	to := netip.AddrPortFrom(ip.dst, udp.dstPort)
	if request {
		it.client, it.server = from, to
	} else {
		it.client, it.server, it.request = to, from, false
	}
	r.match.add(it)
}

// materialize decodes a held item into its message, with the marks and
// links matching gave it and the secret checks.
func (r *Reader) materialize(it *item) (model.Message, error) {
	m := model.Message{Time: it.t, Src: it.src, Reason: model.NoReason, Client: it.client, Server: it.server}
	pkt, derr := decodeRADIUS(r.dict, it.pkt, &m)
	m.Marks |= it.marks
	m.Peer, m.RTT = it.peer, it.rtt
	var perr error
	if derr != nil {
		r.stats.Malformed++
		m.Marks |= model.MarkMalformed
		perr = &model.ParseError{Src: it.src, Err: derr}
	}
	if pkt != nil {
		switch {
		case it.request:
			r.match.checkRequest(&m, pkt)
		case it.matched:
			r.match.checkResponse(&m, pkt, it.reqAuth[:])
		default:
			r.match.checkUnmatched(&m, pkt)
		}
	}
	return m, perr
}

func (r *Reader) reportIncomplete(in incomplete) {
	r.stats.FragmentsIncomplete++
	if in.first != nil && in.key.proto == 17 && len(in.first) >= 4 &&
		!r.isPort(binary.BigEndian.Uint16(in.first[0:2])) && !r.isPort(binary.BigEndian.Uint16(in.first[2:4])) {
		return // not RADIUS: counted, not reported
	}
	if in.key.proto != 17 {
		return
	}
	src := model.Source{Format: r.format, File: r.opt.File, Frame: in.firstFrame}
	r.match.queueErr(&model.ParseError{Src: src, Err: errors.New(in.String())})
}
