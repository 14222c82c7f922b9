package main

import (
	"math"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

func TestMemoryLimitFor(t *testing.T) {
	const mb = 1 << 20
	tests := []struct {
		live uint64
		want int64
	}{
		{0, 80 * mb},
		{20 * mb, 80 * mb}, // NPS logs: a few batches live, the limit holds RSS under 100 MB
		{40 * mb, 80 * mb},
		{60 * mb, 120 * mb}, // a dense capture's matching window: room to allocate between cycles
		{1 << 62, math.MaxInt64},
	}
	for _, tt := range tests {
		if got := memoryLimitFor(tt.live); got != tt.want {
			t.Errorf("memoryLimitFor(%d) = %d, want %d", tt.live, got, tt.want)
		}
	}
}

func TestAfterEachGC(t *testing.T) {
	var n atomic.Int32
	afterEachGC(func() { n.Add(1) })
	deadline := time.Now().Add(10 * time.Second)
	for n.Load() < 3 && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if n.Load() < 3 {
		t.Fatalf("called after %d collections, want every one", n.Load())
	}
}
