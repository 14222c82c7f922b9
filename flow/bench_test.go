package flow_test

import (
	"bytes"
	"context"
	"fmt"
	"iter"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/radscope/radscope/dict"
	"github.com/radscope/radscope/explain"
	"github.com/radscope/radscope/flow"
	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/nps/npslog"
	"github.com/radscope/radscope/parse"
)

// cycle is one round of the template: five attempts of different shapes,
// 19 messages, spread over cycleLen of stream time.
const (
	cycleMsgs = 19
	cycleLen  = 2 * time.Second
	users     = 500
)

var (
	benchNAS    = netip.MustParseAddrPort("10.0.0.1:50000")
	benchServer = netip.MustParseAddrPort("10.0.0.10:1812")
	benchAttrs  = []model.Attr{{Name: "NAS-Port-Type", Value: "Virtual"}, {Name: "Service-Type", Value: "Framed"}}
)

// generate yields n messages built from the template: attempt k of cycle c
// is user (c*5+k) % users, times move on by cycleLen per cycle, Class and
// Acct-Session-Id are unique.
func generate(n int, withPackets bool) iter.Seq2[model.Message, error] {
	return func(yield func(model.Message, error) bool) {
		sent := 0
		frame := int64(0)
		emit := func(m model.Message) bool {
			if sent >= n {
				return false
			}
			sent++
			return yield(m, nil)
		}
		for c := 0; sent < n; c++ {
			base := t0.Add(time.Duration(c) * cycleLen)
			rec := func(at time.Duration, code model.Code, user, class string, reason int) model.Message {
				return model.Message{Time: base.Add(at), Kind: model.KindRecord, Code: code, Ident: model.NoIdent, Computer: "NPS01",
					User: user, ClientAddr: benchNAS.Addr(), NASAddr: benchNAS.Addr(), ClientName: "vpn-gw", Class: class, Reason: reason,
					CallingStation: "203.0.113.9", AuthType: 1, Attrs: benchAttrs, Src: model.Source{Format: model.FormatODBC, File: "IN.log", Line: sent}}
			}
			pk := func(at time.Duration, code model.Code, ident int, user string, peer int64) model.Message {
				frame++
				return model.Message{Time: base.Add(at), Kind: model.KindPacket, Code: code, Ident: ident, Auth: []byte{byte(c), byte(c >> 8), byte(ident), 4},
					Client: benchNAS, Server: benchServer, User: user, Reason: model.NoReason, Peer: peer,
					Src: model.Source{Format: model.FormatPcap, File: "c.pcap", Frame: frame}}
			}
			ev := func(at time.Duration, id int, code model.Code, user string, reason int) model.Message {
				return model.Message{Time: base.Add(at), Kind: model.KindEvent, Code: code, User: user, ClientAddr: benchNAS.Addr(),
					CallingStation: "203.0.113.9", Reason: reason, Ident: model.NoIdent, Event: &model.Event{ID: id, Channel: "Security"},
					Src: model.Source{Format: model.FormatEVTX, File: "Security.evtx", Record: int64(sent)}}
			}
			u := func(k int) string { return fmt.Sprintf(`CONTOSO\u%d`, (c*5+k)%users) }
			cl := func(k int) string { return fmt.Sprintf("311 1 10.0.0.10 11/02/2026 06:00:00 %d", c*5+k) }
			id := c % 200
			// 1: accepted, request/answer in log and capture, 6272 (6 msgs)
			var req model.Message
			ms := []model.Message{rec(0, model.CodeAccessRequest, u(0), cl(0), 0)}
			if withPackets {
				req = pk(10*time.Millisecond, model.CodeAccessRequest, id, u(0), 0)
				ms = append(ms, req)
			}
			ms = append(ms, rec(50*time.Millisecond, model.CodeAccessAccept, u(0), cl(0), 0))
			if withPackets {
				ms = append(ms, pk(60*time.Millisecond, model.CodeAccessAccept, id, "", req.Src.Frame))
			}
			ms = append(ms, ev(52*time.Millisecond, 6272, model.CodeAccessAccept, u(0), 0))
			// 2: rejected 16 (3)
			ms = append(ms, rec(300*time.Millisecond, model.CodeAccessRequest, u(1), cl(1), 0),
				rec(320*time.Millisecond, model.CodeAccessReject, u(1), cl(1), 16),
				ev(322*time.Millisecond, 6273, model.CodeAccessReject, u(1), 16))
			// 3: challenge and OTP accept (4)
			ms = append(ms, rec(600*time.Millisecond, model.CodeAccessRequest, u(2), cl(2), 0),
				rec(610*time.Millisecond, model.CodeAccessChallenge, u(2), cl(2), 0),
				rec(1500*time.Millisecond, model.CodeAccessRequest, u(2), cl(2)+"b", 0),
				rec(1510*time.Millisecond, model.CodeAccessAccept, u(2), cl(2)+"b", 0))
			// 4: accounting start and stop (2)
			start := rec(700*time.Millisecond, model.CodeAccountingRequest, u(0), cl(0), 0)
			start.AcctSessionID, start.AcctStatus = fmt.Sprintf("S%d", c), 1
			stop := start
			stop.Time, stop.AcctStatus = base.Add(1900*time.Millisecond), 2
			ms = append(ms, start, stop)
			// 5: rejected 21 with an MFA event (4)
			ms = append(ms, rec(800*time.Millisecond, model.CodeAccessRequest, u(4), cl(4), 0),
				model.Message{Time: base.Add(1700 * time.Millisecond), Kind: model.KindEvent, User: fmt.Sprintf("u%d@contoso.com", (c*5+4)%users),
					Reason: model.NoReason, Ident: model.NoIdent, MFA: &model.MFA{CID: fmt.Sprint(c), Result: "AccessDenied", Outcome: "rejected"},
					Event: &model.Event{ID: 1, Channel: "Microsoft-AzureMfa-AuthZ/AuthZOptCh"}, Src: model.Source{Format: model.FormatEVTX, File: "AuthZ.evtx", Record: int64(sent)}},
				rec(1710*time.Millisecond, model.CodeAccessReject, u(4), cl(4), 21),
				ev(1712*time.Millisecond, 6273, model.CodeAccessReject, u(4), 21))
			sortByTime(ms)
			for _, m := range ms {
				if !emit(m) {
					return
				}
			}
		}
	}
}

// BenchmarkBuild builds flows from one million generated messages (capture,
// log and events) and reports messages per second, the most flows open at
// once and the largest live heap seen.
func BenchmarkBuild(b *testing.B) {
	const n = 1_000_000
	var st flow.Stats
	var peak uint64
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		st = flow.Stats{}
		flows := 0
		i := 0
		for _, err := range flow.Build(context.Background(), generate(n, true), flow.Options{Stats: &st, Annotate: explain.Annotate}) {
			if err != nil {
				b.Fatal(err)
			}
			flows++
			if i++; i%50_000 == 0 {
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapAlloc)
			}
		}
		if st.Messages != n || flows == 0 {
			b.Fatalf("%d messages, %d flows", st.Messages, flows)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(n*b.N), "cpu-ns/msg")
	b.ReportMetric(float64(st.MaxOpen), "open-max")
	b.ReportMetric(float64(peak)/(1<<20), "heap-MB")
}

// odbcLog renders n log records of the template as an ODBC log file in a
// temporary directory and returns its path and size.
func odbcLog(b *testing.B, n int) (string, int64) {
	b.Helper()
	var buf bytes.Buffer
	w := npslog.NewWriter(&buf, model.FormatODBC, time.UTC)
	for m, err := range generate(n*2, false) {
		if err != nil {
			b.Fatal(err)
		}
		if m.Kind != model.KindRecord {
			continue
		}
		if err := w.Write(m); err != nil {
			b.Fatal(err)
		}
		if n--; n == 0 {
			break
		}
	}
	path := filepath.Join(b.TempDir(), "IN261102.log")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
	return path, int64(buf.Len())
}

func benchStream(path string) *parse.Stream {
	return parse.Open(context.Background(), []string{path}, parse.Options{Location: time.UTC, Dict: dict.Default()})
}

const logRecords = 200_000

// BenchmarkParseODBC is the raw parse throughput the flow benchmarks are
// compared with: reading the template's records from an ODBC log file as
// radscope parse does (parse.Open).
func BenchmarkParseODBC(b *testing.B) {
	path, size := odbcLog(b, logRecords)
	b.SetBytes(size)
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		n := 0
		for _, err := range benchStream(path).All() {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != logRecords {
			b.Fatalf("%d records", n)
		}
	}
	b.ReportMetric(float64(logRecords)*float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(logRecords*b.N), "cpu-ns/msg")
}

// BenchmarkParseODBCFlows reads the same log and builds its flows: the
// ratio of its msgs/s to BenchmarkParseODBC's is what flow building costs.
func BenchmarkParseODBCFlows(b *testing.B) {
	path, size := odbcLog(b, logRecords)
	b.SetBytes(size)
	b.ReportAllocs()
	var st flow.Stats
	cpu0 := cpuTime()
	for b.Loop() {
		st = flow.Stats{}
		for _, err := range flow.Build(context.Background(), benchStream(path).All(), flow.Options{Stats: &st, Annotate: explain.Annotate}) {
			if err != nil {
				b.Fatal(err)
			}
		}
		if st.Messages != logRecords {
			b.Fatalf("%d messages", st.Messages)
		}
	}
	b.ReportMetric(float64(logRecords)*float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(logRecords*b.N), "cpu-ns/msg")
	b.ReportMetric(float64(st.MaxOpen), "open-max")
}
