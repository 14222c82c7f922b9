package mfa

import (
	"context"
	"sort"
	"sync"
	"time"
)

// Clock is the time source of the emulated server and its MFA back end.
// Replay runs both on a Fake (or Offset) clock set to the capture's time so
// that captured TOTP codes verify and timeouts happen when they did.
type Clock interface {
	Now() time.Time
	// After returns a channel that receives the clock's time once d has
	// passed on this clock.
	After(d time.Duration) <-chan time.Time
	// AfterFunc calls f in its own goroutine once d has passed on this
	// clock, unless stop is called first (stop reports whether it
	// prevented the call).
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

// System is the real clock.
func System() Clock { return systemClock{} }

type systemClock struct{}

func (systemClock) Now() time.Time                         { return time.Now() }
func (systemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }
func (systemClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}

// Offset returns a clock that runs at real speed but starts at start: its
// Now is start plus the real time elapsed since Offset was called.
func Offset(start time.Time) Clock {
	return offsetClock{d: time.Until(start)}
}

type offsetClock struct{ d time.Duration }

func (c offsetClock) Now() time.Time                         { return time.Now().Add(c.d) }
func (c offsetClock) After(d time.Duration) <-chan time.Time { return afterShifted(d, c.d) }
func (c offsetClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}

func afterShifted(d, shift time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	time.AfterFunc(d, func() { ch <- time.Now().Add(shift) })
	return ch
}

// Fake is a manual clock for tests and replay: time moves only when Set or
// Advance is called, and timers fire then.
type Fake struct {
	mu      sync.Mutex
	nextID  uint64
	now     time.Time
	waiters []fakeWaiter
	changed chan struct{} // closed and replaced whenever waiters change
}

type fakeWaiter struct {
	at time.Time
	ch chan time.Time // for After
	fn func()         // for AfterFunc
	id uint64
}

// NewFake returns a Fake clock reading t.
func NewFake(t time.Time) *Fake {
	return &Fake{now: t, changed: make(chan struct{})}
}

// Now returns the clock's time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// After returns a channel that receives the time once the clock has been
// moved d past now. A d of zero or less fires at once.
func (f *Fake) After(d time.Duration) <-chan time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- f.now
		return ch
	}
	f.waiters = append(f.waiters, fakeWaiter{at: f.now.Add(d), ch: ch})
	f.notify()
	return ch
}

func (f *Fake) notify() {
	close(f.changed)
	f.changed = make(chan struct{})
}

// AfterFunc calls f in its own goroutine once the clock has been moved d
// past now (at once for d <= 0).
func (f *Fake) AfterFunc(d time.Duration, fn func()) func() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if d <= 0 {
		go fn()
		return func() bool { return false }
	}
	f.nextID++
	id := f.nextID
	f.waiters = append(f.waiters, fakeWaiter{at: f.now.Add(d), fn: fn, id: id})
	f.notify()
	return func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		for i, w := range f.waiters {
			if w.id == id {
				f.waiters = append(f.waiters[:i], f.waiters[i+1:]...)
				f.notify()
				return true
			}
		}
		return false
	}
}

// Advance moves the clock forward by d, firing the timers that are due.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	t := f.now.Add(d)
	f.mu.Unlock()
	f.Set(t)
}

// Set moves the clock to t (never backwards), firing the timers that are
// due, earliest first.
func (f *Fake) Set(t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if t.Before(f.now) {
		return
	}
	f.now = t
	sort.SliceStable(f.waiters, func(i, j int) bool { return f.waiters[i].at.Before(f.waiters[j].at) })
	keep := f.waiters[:0]
	fired := false
	for _, w := range f.waiters {
		if !w.at.After(t) {
			if w.fn != nil {
				go w.fn()
			} else {
				w.ch <- w.at
			}
			fired = true
			continue
		}
		keep = append(keep, w)
	}
	clear(f.waiters[len(keep):])
	f.waiters = keep
	if fired {
		f.notify()
	}
}

// Waiters returns how many timers are pending.
func (f *Fake) Waiters() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.waiters)
}

// WaitForWaiters blocks until at least n timers are pending or ctx ends.
// Tests use it to move the clock only once the code under test waits.
func (f *Fake) WaitForWaiters(ctx context.Context, n int) error {
	for {
		f.mu.Lock()
		got, ch := len(f.waiters), f.changed
		f.mu.Unlock()
		if got >= n {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Next returns when the earliest pending timer is due, and false when no
// timer is pending. Replay uses it to move a virtual clock straight to the
// next thing that will happen.
func (f *Fake) Next() (time.Time, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var next time.Time
	for i, w := range f.waiters {
		if i == 0 || w.at.Before(next) {
			next = w.at
		}
	}
	return next, len(f.waiters) > 0
}
