package nps

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// rssBytes reads the resident set size of this process (Linux).
func rssBytes() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for l := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n << 10
		}
	}
	return -1
}

// TestTenThousandPendingPushes holds 10,000 push requests at once (users
// who never answer) and checks the memory they take, then lets the session
// limit expire them all.
func TestTenThousandPendingPushes(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short mode")
	}
	const n = 10000
	sc := loadScenario(t, mfaScenario)
	clock := fakeClock()
	s, err := New(sc, Options{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(context.Background())
	reqs := make([][]byte, n)
	for i := range reqs {
		reqs[i] = newReq(testSecret).userName("sleeper").pap("pw").nasIP("10.0.1.1").encode(t)
	}
	runtime.GC()
	rss0 := rssBytes()
	var ms0 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	var wg sync.WaitGroup
	var mu sync.Mutex
	rejects := 0
	for i, b := range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			from := local
			from = netipAddrPortWithPort(from, uint16(20000+i%40000))
			reply, d, _ := s.HandleDecision(context.Background(), from, b)
			if reply != nil && d.Reason == ReasonExtensionRejected {
				mu.Lock()
				rejects++
				mu.Unlock()
			}
		}()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := clock.WaitForWaiters(ctx, n); err != nil {
		t.Fatalf("requests not all held: %v (%d timers)", err, clock.Waiters())
	}
	for s.Held() < n {
		time.Sleep(5 * time.Millisecond)
	}
	runtime.GC()
	rss1 := rssBytes()
	var ms1 runtime.MemStats
	runtime.ReadMemStats(&ms1)
	heap := int64(ms1.HeapInuse+ms1.StackInuse) - int64(ms0.HeapInuse+ms0.StackInuse)
	t.Logf("%d pending pushes: RSS %d MiB (+%d MiB), heap+stacks +%d MiB, %d goroutines",
		n, rss1>>20, (rss1-rss0)>>20, heap>>20, runtime.NumGoroutine())
	if rss1 > 200<<20 {
		t.Errorf("RSS %d MiB with %d pending pushes, want under 200 MiB", rss1>>20, n)
	}
	clock.Advance(3 * time.Minute)
	wg.Wait()
	if s.Held() != 0 {
		t.Fatalf("%d still held", s.Held())
	}
	if rejects != n {
		t.Fatalf("%d of %d held requests were rejected at the session limit", rejects, n)
	}
}
