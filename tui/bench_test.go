package tui

import (
	"context"
	"fmt"
	"iter"
	"runtime"
	"strconv"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/radscope/radscope/model"
)

// benchFlows generates n flows shaped like NPS-log flows: an Access-Request
// record and its answer, six attributes each, distinct users and stations.
func benchFlows(n int) []model.Flow {
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	outs := []model.Outcome{model.OutcomeAccepted, model.OutcomeAccepted, model.OutcomeRejected, model.OutcomeChallengeAbandoned, model.OutcomeAccepted}
	nas := []string{"vpn-gw", "rdgw", "wlc-1", "wlc-2"}
	fs := make([]model.Flow, n)
	for i := range fs {
		user := "CONTOSO\\user" + strconv.Itoa(i%50000)
		station := "10.1." + strconv.Itoa(i%250) + "." + strconv.Itoa(i%200)
		t := base.Add(time.Duration(i) * 2 * time.Second)
		lat := time.Duration(i%97) * 150 * time.Millisecond
		msg := func(code model.Code, at time.Time, line int) model.Message {
			return model.Message{Time: at, Kind: model.KindRecord, Code: code, Ident: model.NoIdent, User: user, NASID: nas[i%4], CallingStation: station, Reason: 0,
				Attrs: []model.Attr{
					{Type: 1, Name: "User-Name", Value: user}, {Type: 4, Name: "NAS-IP-Address", Value: "10.0.0.1"},
					{Type: 31, Name: "Calling-Station-Id", Value: station}, {Type: 32, Name: "NAS-Identifier", Value: nas[i%4]},
					{Type: 4136, Name: "Packet-Type", Value: code.String()}, {Type: 4142, Name: "Reason-Code", Value: "0"},
				},
				Src: model.Source{Format: model.FormatDTS, File: "IN261101.log", Line: line}}
		}
		fs[i] = model.Flow{
			ID: int64(i + 1), Kind: model.FlowAuth, Start: t, End: t.Add(lat),
			User: user, NAS: nas[i%4], Client: "10.0.0.1", CallingStation: station, Method: "PAP", Computer: "NPS01",
			Outcome: outs[i%len(outs)], Reason: 0, Latency: lat, Sources: []model.Kind{model.KindRecord},
			Messages: []model.Message{msg(model.CodeAccessRequest, t, 2*i+1), msg(model.CodeAccessAccept, t.Add(lat), 2*i+2)},
			Rounds:   []model.Round{{Request: 0, Response: 1, Code: model.CodeAccessAccept, Latency: lat}},
		}
	}
	return fs
}

const benchN = 1_000_000

var benchSet []model.Flow

func benchInput(b *testing.B) []model.Flow {
	if benchSet == nil {
		benchSet = benchFlows(benchN)
	}
	return benchSet
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

// loadedModel is a sized model with every flow of fs in its store.
func loadedModel(b *testing.B, fs []model.Flow) *Model {
	m, err := New(context.Background(), Options{NoColor: true})
	if err != nil {
		b.Fatal(err)
	}
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	for i := 0; i < len(fs); i += 20000 {
		m.store.Append(fs[i:min(i+20000, len(fs))])
	}
	return m
}

// BenchmarkFirstFrame is the time from Init to the first frame with rows:
// the loader starts, the first tick (50 ms in the program) drains what was
// read, and View draws. The tick's wait is not included: add 50 ms.
func BenchmarkFirstFrame(b *testing.B) {
	fs := benchInput(b)
	b.ReportAllocs()
	for b.Loop() {
		m, err := New(context.Background(), Options{Source: sliceSource(fs), NoColor: true})
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
	}
}

// BenchmarkLoadAll is the time to read benchN flows into the store through
// the loader and its ticks, and the heap the store holds (over the heap of
// the generated input, which it copies).
func BenchmarkLoadAll(b *testing.B) {
	fs := benchInput(b)
	var heap uint64
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	for b.Loop() {
		m, err := New(context.Background(), Options{Source: sliceSource(fs), NoColor: true})
		if err != nil {
			b.Fatal(err)
		}
		m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
		m.Init()
		for m.Loading() {
			m.Update(loadTick{})
			time.Sleep(time.Millisecond)
		}
		if m.store.Len() != len(fs) {
			b.Fatalf("%d flows loaded", m.store.Len())
		}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		heap = ms.HeapAlloc - base.HeapAlloc
		runtime.KeepAlive(m)
	}
	b.ReportMetric(float64(heap)/(1<<20), "MiB-heap")
	b.ReportMetric(float64(base.HeapAlloc)/(1<<20), "MiB-input")
	b.ReportMetric(float64(len(fs))/(b.Elapsed().Seconds()/float64(b.N)), "flows/s")
}

// BenchmarkScrollFrame is one page-down keystroke and the frame after it,
// on benchN flows.
func BenchmarkScrollFrame(b *testing.B) {
	m := loadedModel(b, benchInput(b))
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
	m := loadedModel(b, benchInput(b))
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
			m := loadedModel(b, benchInput(b))
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
	m := loadedModel(b, benchInput(b))
	for b.Loop() {
		run(m, m.run("sort user"))
		_ = m.View()
	}
}
