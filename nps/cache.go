package nps

import (
	"net/netip"
	"sync"
	"time"

	"github.com/radscope/radscope/model"
)

// dupKey identifies a request for duplicate detection (RFC 5080 §2.2.2):
// the client's address and port, the Identifier and the Request
// Authenticator.
type dupKey struct {
	from  netip.AddrPort
	ident byte
	auth  [16]byte
}

type dupEntry struct {
	pending bool
	reply   []byte
	code    model.Code
	discard bool      // the MFA extension discards duplicates until expires
	expires time.Time // wall-clock expiry of a completed entry
}

// dupCache holds requests being processed and the replies of completed
// ones. Completed entries expire in completion order (a FIFO), so expiry
// costs O(1) per request. It is bounded: when full, new requests are
// processed without an entry (as if the cache had expired).
type dupCache struct {
	mu   sync.Mutex
	m    map[dupKey]dupEntry
	fifo []dupKey // completed keys, oldest first
	head int
	max  int
}

func newDupCache(max int) *dupCache {
	return &dupCache{m: map[dupKey]dupEntry{}, max: max}
}

// expire drops completed entries whose time has passed.
func (c *dupCache) expire(now time.Time) {
	for c.head < len(c.fifo) {
		k := c.fifo[c.head]
		e, ok := c.m[k]
		if ok && (e.pending || now.Before(e.expires)) {
			if e.pending {
				// Re-queued when it completes again; skip the stale slot.
				c.head++
				continue
			}
			break
		}
		if ok {
			delete(c.m, k)
		}
		c.head++
	}
	if c.head > 4096 && c.head*2 > len(c.fifo) {
		c.fifo = append(c.fifo[:0], c.fifo[c.head:]...)
		c.head = 0
	}
}

// begin looks k up. It returns the existing entry (a duplicate) or, for a
// new request, registers it as pending and returns nil. tracked is false
// when the cache was full and the request is not tracked.
func (c *dupCache) begin(k dupKey, now time.Time) (dup *dupEntry, tracked bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.expire(now)
	if e, ok := c.m[k]; ok {
		if e.pending || now.Before(e.expires) {
			return &e, true
		}
		delete(c.m, k)
	}
	if len(c.m) >= c.max {
		return nil, false
	}
	c.m[k] = dupEntry{pending: true}
	return nil, true
}

// finish records the outcome of a tracked request for window (zero
// forgets it at once).
func (c *dupCache) finish(k dupKey, reply []byte, code model.Code, discard bool, now time.Time, window time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if window <= 0 {
		delete(c.m, k)
		return
	}
	c.m[k] = dupEntry{reply: reply, code: code, discard: discard, expires: now.Add(window)}
	c.fifo = append(c.fifo, k)
}

func (c *dupCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}

// sessionTable keeps challenge sessions (MFA OTP, EAP) by State, bounded
// in size, each expiring after its own deadline.
type sessionTable[T any] struct {
	mu  sync.Mutex
	m   map[string]sessionItem[T]
	max int
}

type sessionItem[T any] struct {
	v       T
	expires time.Time
}

func newSessionTable[T any](max int) *sessionTable[T] {
	return &sessionTable[T]{m: map[string]sessionItem[T]{}, max: max}
}

// put stores v under key until expires; it evicts expired entries when
// full and reports false when still full (the caller rejects).
func (t *sessionTable[T]) put(key string, v T, now, expires time.Time, release func(T)) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.m) >= t.max {
		for k, it := range t.m {
			if !now.Before(it.expires) {
				delete(t.m, k)
				if release != nil {
					release(it.v)
				}
			}
		}
		if len(t.m) >= t.max {
			return false
		}
	}
	t.m[key] = sessionItem[T]{v, expires}
	return true
}

// get returns the live entry under key.
func (t *sessionTable[T]) get(key string, now time.Time) (T, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	it, ok := t.m[key]
	if !ok || !now.Before(it.expires) {
		var zero T
		return zero, false
	}
	return it.v, true
}

// take removes and returns the entry under key, live or expired; expired
// reports whether it had expired.
func (t *sessionTable[T]) take(key string, now time.Time) (v T, ok, expired bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	it, ok := t.m[key]
	if !ok {
		return v, false, false
	}
	delete(t.m, key)
	return it.v, true, !now.Before(it.expires)
}

func (t *sessionTable[T]) del(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.m, key)
}

func (t *sessionTable[T]) clear(release func(T)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for k, it := range t.m {
		delete(t.m, k)
		if release != nil {
			release(it.v)
		}
	}
}

func (t *sessionTable[T]) len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.m)
}
