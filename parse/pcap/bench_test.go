package pcap_test

import (
	"bytes"
	"io"
	"os"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/pcapgo"

	"github.com/radscope/radscope/parse/pcap"
	"github.com/radscope/radscope/secret"
)

// benchCapture replicates the frames of testdata/pcaps/radclient.pcap
// (real FreeRADIUS traffic: PAP, CHAP, MS-CHAP, reject, challenge,
// Status-Server, accounting) 400 times, 10 s apart, into one capture of
// 10,000 frames. The bench/pcap generator makes larger, more varied ones
// for the comparison with tshark and radsniff.
func benchCapture(b *testing.B) []byte {
	f, err := os.Open(capDir + "/radclient.pcap")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	r, err := pcapgo.NewReader(f)
	if err != nil {
		b.Fatal(err)
	}
	type fr struct {
		ci   gopacket.CaptureInfo
		data []byte
	}
	var frs []fr
	for {
		d, ci, err := r.ReadPacketData()
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		frs = append(frs, fr{ci, d})
	}
	var buf bytes.Buffer
	w := pcapgo.NewWriter(&buf)
	w.WriteFileHeader(65535, r.LinkType())
	for i := range 400 {
		for _, f := range frs {
			ci := f.ci
			ci.Timestamp = ci.Timestamp.Add(time.Duration(i) * 10 * time.Second)
			w.WritePacket(ci, f.data)
		}
	}
	return buf.Bytes()
}

func benchRead(b *testing.B, o pcap.Options) {
	data := benchCapture(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	var n int
	for b.Loop() {
		r, err := pcap.NewReader(bytes.NewReader(data), o)
		if err != nil {
			b.Fatal(err)
		}
		n = 0
		for _, err := range r.All() {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "packets/s")
}

func BenchmarkRead(b *testing.B) { benchRead(b, pcap.Options{}) }

func BenchmarkReadWithSecret(b *testing.B) {
	s := &secret.Store{}
	s.AddArg("testing123")
	benchRead(b, pcap.Options{Secrets: s})
}
