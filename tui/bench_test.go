package tui

import (
	"bufio"
	"context"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/radscope/radscope/flow"
	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/parse"
)

const benchN = 1_000_000

// writeBenchLog writes n flows as an NPS DTS log: per flow an Access-Request
// record and its answer (accept, reject with reason 16, or an
// Access-Challenge left unanswered), 50,000 users, four NASes, a flow
// every 2 s, latencies up to 14 s.
func writeBenchLog(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	nas := []string{"vpn-gw", "rdgw", "wlc-1", "wlc-2"}
	ts := func(t time.Time) string { return t.Format("01/02/2006 15:04:05.000") }
	for i := range n {
		user := "CONTOSO\\user" + strconv.Itoa(i%50000)
		station := "10.1." + strconv.Itoa(i%250) + "." + strconv.Itoa(i%200)
		nasIP := "10.0.0." + strconv.Itoa(1+i%4)
		t := base.Add(time.Duration(i) * 2 * time.Second)
		lat := time.Duration(i%97) * 150 * time.Millisecond
		common := `<Computer-Name data_type="1">NPS01</Computer-Name><Event-Source data_type="1">IAS</Event-Source>`
		client := `<Client-IP-Address data_type="3">` + nasIP + `</Client-IP-Address><Client-Friendly-Name data_type="1">` + nas[i%4] + `</Client-Friendly-Name>`
		fmt.Fprintf(w, `<Event><Timestamp data_type="4">%s</Timestamp>%s<User-Name data_type="1">%s</User-Name><NAS-IP-Address data_type="3">%s</NAS-IP-Address><NAS-Identifier data_type="1">%s</NAS-Identifier><Calling-Station-Id data_type="1">%s</Calling-Station-Id>%s<Authentication-Type data_type="0">1</Authentication-Type><Packet-Type data_type="0">1</Packet-Type><Reason-Code data_type="0">0</Reason-Code></Event>`+"\r\n",
			ts(t), common, user, nasIP, nas[i%4], station, client)
		code, reason := 2, 0
		switch i % 5 {
		case 2:
			code, reason = 3, 16
		case 3:
			code = 11
		}
		fmt.Fprintf(w, `<Event><Timestamp data_type="4">%s</Timestamp>%s<Fully-Qualifed-User-Name data_type="1">%s</Fully-Qualifed-User-Name>%s<NP-Policy-Name data_type="1">VPN</NP-Policy-Name><Authentication-Type data_type="0">1</Authentication-Type><Packet-Type data_type="0">%d</Packet-Type><Reason-Code data_type="0">%d</Reason-Code></Event>`+"\r\n",
			ts(t.Add(lat)), common, user, client, code, reason)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

var bench struct {
	once sync.Once
	dir  string
	path string
	err  error
	m    *Model // loaded once for the frame benchmarks
}

// benchLog is the path of the benchmark's log of benchN flows, written once
// per process into a temporary folder (removed by TestMain), or
// $RADSCOPE_TUI_BENCH_LOG when set (written there when missing, and kept).
func benchLog(b *testing.B) string {
	bench.once.Do(func() {
		if p := os.Getenv("RADSCOPE_TUI_BENCH_LOG"); p != "" {
			bench.path = p
			if _, err := os.Stat(p); err != nil {
				bench.err = writeBenchLog(p, benchN)
			}
			return
		}
		bench.dir, bench.err = os.MkdirTemp("", "radscope-tui-bench-")
		if bench.err == nil {
			bench.path = filepath.Join(bench.dir, "IN261101.log")
			bench.err = writeBenchLog(bench.path, benchN)
		}
	})
	if bench.err != nil {
		b.Fatal(bench.err)
	}
	return bench.path
}

// benchSource is the real loader path: parse.Open, flow.Build with the
// explain rules, as radscope tui runs it.
func benchSource(path string) (Source, parse.Options) {
	po := parse.Options{Location: time.UTC}
	return Open([]string{path}, po, flow.Options{}), po
}

func sliceSource(fs []model.Flow) Source {
	return Source{Flows: func(ctx context.Context) iter.Seq2[model.Flow, error] {
		return func(yield func(model.Flow, error) bool) {
			for _, f := range fs {
				if !yield(f, nil) {
					return
				}
			}
		}
	}}
}

// loadAll runs the loader over the benchmark log to the end, with its
// ticks, as the program does (without the 50 ms wait between ticks).
func loadAll(b *testing.B) *Model {
	src, po := benchSource(benchLog(b))
	m, err := New(context.Background(), Options{Source: src, Parse: po, NoColor: true})
	if err != nil {
		b.Fatal(err)
	}
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m.Init()
	for m.Loading() {
		m.Update(loadTick{})
		time.Sleep(time.Millisecond)
	}
	if m.loadErr != nil {
		b.Fatal(m.loadErr)
	}
	return m
}

// loadedModel is the model with the benchmark log loaded, shared by the
// frame benchmarks (loading takes tens of seconds).
func loadedModel(b *testing.B) *Model {
	if bench.m == nil {
		bench.m = loadAll(b)
	}
	m := bench.m
	run(m, m.recompute(nil, Sort{}, ""))
	m.list.SetCursor(0)
	return m
}

// BenchmarkFirstFrame is the time from Init to the first frame with rows:
// the loader starts reading the log, the first tick (50 ms in the program)
// drains what was compacted, and View draws. The tick's wait is not
// included: add 50 ms.
func BenchmarkFirstFrame(b *testing.B) {
	path := benchLog(b)
	b.ReportAllocs()
	for b.Loop() {
		src, po := benchSource(path)
		m, err := New(context.Background(), Options{Source: src, Parse: po, NoColor: true})
		if err != nil {
			b.Fatal(err)
		}
		m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
		m.Init()
		for {
			m.Update(loadTick{})
			if m.store.ViewLen() > 0 {
				break
			}
			runtime.Gosched()
		}
		if m.View() == "" {
			b.Fatal("empty frame")
		}
		m.ld.cancel()
		for m.Loading() {
			m.Update(loadTick{})
		}
	}
}

// BenchmarkLoadAll reads the benchN flows of the log into the store
// through the loader and its ticks, and reports the heap in use after
// loading (everything the process holds: store, interned values, the
// loader's leftovers), the peak resident size of the process so far, and
// how many messages the store dropped and kept.
func BenchmarkLoadAll(b *testing.B) {
	benchLog(b)
	TuneGC()
	var heap uint64
	var m *Model
	var took time.Duration
	for b.Loop() {
		m = nil
		runtime.GC()
		t0 := time.Now()
		m = loadAll(b)
		took = time.Since(t0)
		if m.store.Len() < benchN {
			b.Fatalf("%d flows loaded, want %d", m.store.Len(), benchN)
		}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		heap = ms.HeapAlloc
	}
	b.ReportMetric(float64(heap)/(1<<20), "MiB-heap")
	b.ReportMetric(float64(peakRSS())/(1<<20), "MiB-peakRSS")
	b.ReportMetric(float64(m.store.comp.dropped), "msgs-dropped")
	b.ReportMetric(float64(m.store.comp.kept), "msgs-kept")
	b.ReportMetric(float64(m.store.Len())/took.Seconds(), "flows/s")
	b.ReportMetric(took.Seconds(), "s-load")
	runtime.KeepAlive(m)
}

// peakRSS is the process's peak resident set (VmHWM), 0 where /proc is not.
func peakRSS() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// BenchmarkScrollFrame is one page-down keystroke and the frame after it,
// on benchN flows.
func BenchmarkScrollFrame(b *testing.B) {
	m := loadedModel(b)
	k := keyMsg(m.c.Keys.Key(ActPageDown))
	top := keyMsg(m.c.Keys.Key(ActTop))
	i := 0
	for b.Loop() {
		if i++; i%10000 == 0 {
			m.Update(top)
		}
		m.Update(k)
		_ = m.View()
	}
}

// BenchmarkBottomFrame is G (to the last of benchN flows) and its frame.
func BenchmarkBottomFrame(b *testing.B) {
	m := loadedModel(b)
	keys := []tea.KeyMsg{keyMsg(m.c.Keys.Key(ActBottom)), keyMsg(m.c.Keys.Key(ActTop))}
	i := 0
	for b.Loop() {
		m.Update(keys[i%2])
		i++
		_ = m.View()
	}
}

// BenchmarkFilterFrame is a filter applied to benchN flows: the command's
// recomputation of the view, then the frame.
func BenchmarkFilterFrame(b *testing.B) {
	for _, expr := range []string{"outcome:rejected", "user:user4242 latency:>3s", "nomatch"} {
		b.Run(fmt.Sprint(expr), func(b *testing.B) {
			m := loadedModel(b)
			b.ReportAllocs()
			for b.Loop() {
				run(m, m.run("filter "+expr))
				_ = m.View()
			}
			b.ReportMetric(float64(m.store.ViewLen()), "rows")
		})
	}
}

// BenchmarkSortFrame sorts benchN flows by user and draws.
func BenchmarkSortFrame(b *testing.B) {
	m := loadedModel(b)
	for b.Loop() {
		run(m, m.run("sort user"))
		_ = m.View()
	}
}
