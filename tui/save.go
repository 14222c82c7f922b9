package tui

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"
	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/output"
	"github.com/radscope/radscope/report"
)

// SaveFormats lists what :save (ctrl+s) writes, chosen by the file's
// extension.
var SaveFormats = []string{".ndjson", ".jsonl", ".json", ".csv", ".pcap"}

// Save writes flows to path in the format its extension names: NDJSON or
// JSON rows, CSV rows (report's columns), or a pcap of the flows' captured
// packets (re-encoded, in raw IP/UDP). It returns what it wrote, in words.
func Save(ctx context.Context, path string, flows []*model.Flow, loc *time.Location) (string, error) {
	return SaveFlows(ctx, path, sliceSeq(flows), len(flows), loc)
}

// SaveFlows is Save over n flows an iterator reads (back from the logs,
// for the compact store); it stops at the iterator's first error.
func SaveFlows(ctx context.Context, path string, flows iter.Seq2[*model.Flow, error], n int, loc *time.Location) (string, error) {
	ext := strings.ToLower(filepath.Ext(path))
	var fm output.Format
	switch ext {
	case ".ndjson", ".jsonl":
		fm = output.NDJSON
	case ".json":
		fm = output.JSON
	case ".csv":
		fm = output.CSV
	case ".pcap":
	default:
		return "", fmt.Errorf("tui: save: %q: the extension picks the format: %s", path, strings.Join(SaveFormats, ", "))
	}
	f, err := os.Create(path)
	if err != nil {
		return "", fmt.Errorf("tui: save: %w", err)
	}
	var what string
	if ext == ".pcap" {
		var np int
		np, err = writePcap(ctx, f, flows)
		what = fmt.Sprintf("%d packets of %d flows", np, n)
	} else {
		err = writeRows(ctx, f, fm, flows, loc)
		what = fmt.Sprintf("%d flows", n)
	}
	if cerr := f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("tui: save: %w", err)
	}
	return fmt.Sprintf("saved %s to %s", what, path), nil
}

func writeRows(ctx context.Context, w io.Writer, fm output.Format, flows iter.Seq2[*model.Flow, error], loc *time.Location) error {
	rw := report.NewRowWriter(fm, w, report.RowOptions{Location: loc})
	i := 0
	for f, err := range flows {
		if err != nil {
			return err
		}
		if i++; i&1023 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if err := rw.Write(f); err != nil {
			return err
		}
	}
	return rw.Close()
}

// sliceSeq iterates flows.
func sliceSeq(flows []*model.Flow) iter.Seq2[*model.Flow, error] {
	return func(yield func(*model.Flow, error) bool) {
		for _, f := range flows {
			if !yield(f, nil) {
				return
			}
		}
	}
}

func isRequest(c model.Code) bool {
	switch c {
	case model.CodeAccessRequest, model.CodeAccountingRequest, model.CodeStatusServer, model.CodeCoARequest, model.CodeDisconnectRequest:
		return true
	}
	return false
}

// writePcap writes the captured packets of flows, in time order, as raw
// IP/UDP frames (link type 101).
func writePcap(ctx context.Context, w io.Writer, flows iter.Seq2[*model.Flow, error]) (int, error) {
	pw := pcapgo.NewWriterNanos(w)
	if err := pw.WriteFileHeader(65535, layers.LinkTypeRaw); err != nil {
		return 0, err
	}
	var pkts []*model.Message
	for f, err := range flows {
		if err != nil {
			return 0, err
		}
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		for i := range f.Messages {
			m := &f.Messages[i]
			if m.Kind == model.KindPacket && m.Client.IsValid() && m.Server.IsValid() {
				pkts = append(pkts, m)
			}
		}
	}
	sort.SliceStable(pkts, func(i, j int) bool { return pkts[i].Time.Before(pkts[j].Time) })
	for n, m := range pkts {
		src, dst := m.Client, m.Server
		if !isRequest(m.Code) {
			src, dst = dst, src
		}
		frame, err := ipUDP(src, dst, EncodePacket(m))
		if err != nil {
			return n, err
		}
		if err := pw.WritePacket(gopacket.CaptureInfo{Timestamp: m.Time, CaptureLength: len(frame), Length: len(frame)}, frame); err != nil {
			return n, err
		}
	}
	return len(pkts), nil
}

// ipUDP wraps payload in IPv4 or IPv6 and UDP headers with checksums.
func ipUDP(src, dst netip.AddrPort, payload []byte) ([]byte, error) {
	udp := &layers.UDP{SrcPort: layers.UDPPort(src.Port()), DstPort: layers.UDPPort(dst.Port())}
	var ip gopacket.SerializableLayer
	if src.Addr().Is4() && dst.Addr().Is4() {
		v4 := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolUDP, SrcIP: src.Addr().AsSlice(), DstIP: dst.Addr().AsSlice()}
		udp.SetNetworkLayerForChecksum(v4)
		ip = v4
	} else {
		v6 := &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: layers.IPProtocolUDP}
		s, d := src.Addr().As16(), dst.Addr().As16()
		v6.SrcIP, v6.DstIP = s[:], d[:]
		udp.SetNetworkLayerForChecksum(v6)
		ip = v6
	}
	buf := gopacket.NewSerializeBuffer()
	err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ip, udp, gopacket.Payload(payload))
	return buf.Bytes(), err
}

// FlowJSON is the flow as Y copies it: the report row (the field names of
// the filter and of radscope flows) in JSON.
func FlowJSON(f *model.Flow, loc *time.Location) (string, error) {
	var b strings.Builder
	if err := writeRows(context.Background(), &b, output.NDJSON, sliceSeq([]*model.Flow{f}), loc); err != nil {
		return "", err
	}
	var v any
	if err := json.Unmarshal([]byte(b.String()), &v); err != nil {
		return "", err
	}
	out, err := json.MarshalIndent(v, "", "  ")
	return string(out), err
}

// OSC52 is the escape sequence that puts s on the terminal's clipboard
// (works over SSH in terminals that allow it).
func OSC52(s string) string {
	return ansi.SetSystemClipboard(s)
}
