// Package memconn is the in-memory net.Conn under a PEAP TLS session, for
// both of its ends: the emulated server (package nps/eap) and replay's EAP
// peer (package replay/supplicant). Each side puts the TLS bytes that came
// in EAP messages with Feed and takes what crypto/tls wrote with Take.
//
// During the handshake (blocking) crypto/tls runs in its own goroutine and
// Read waits for input; each time it has to wait it signals Waiting, which
// tells the caller that the TLS side's flight is complete. After the
// handshake the caller drives the tls.Conn itself (SetBlocking(false)) and
// Read returns ErrWouldBlock, a temporary net.Error that crypto/tls does not
// treat as fatal, when the input is used up.
package memconn

import (
	"net"
	"sync"
	"time"
)

// Conn is an in-memory connection; see the package documentation.
type Conn struct {
	name    string
	limit   int
	mu      sync.Mutex
	cond    sync.Cond
	in      []byte
	out     []byte
	block   bool
	closed  bool
	waiting chan struct{}
}

// New returns a blocking Conn that refuses to buffer more than limit bytes
// of output; name appears in its errors and addresses.
func New(name string, limit int) *Conn {
	c := &Conn{name: name, limit: limit, block: true, waiting: make(chan struct{}, 1)}
	c.cond.L = &c.mu
	return c
}

type wouldBlock struct{}

func (wouldBlock) Error() string   { return "memconn: no more TLS input" }
func (wouldBlock) Timeout() bool   { return false }
func (wouldBlock) Temporary() bool { return true }

// ErrWouldBlock is what Read returns, when not blocking, once the input is
// used up.
var ErrWouldBlock net.Error = wouldBlock{}

// Waiting receives a value each time a blocking Read has to wait for input.
func (c *Conn) Waiting() <-chan struct{} { return c.waiting }

// Read reads fed input.
func (c *Conn) Read(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.in) == 0 {
		if c.closed {
			return 0, net.ErrClosed
		}
		if !c.block {
			return 0, ErrWouldBlock
		}
		select {
		case c.waiting <- struct{}{}:
		default:
		}
		c.cond.Wait()
	}
	n := copy(p, c.in)
	c.in = c.in[n:]
	if len(c.in) == 0 {
		c.in = nil
	}
	return n, nil
}

// Write buffers output for Take.
func (c *Conn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return 0, net.ErrClosed
	}
	if len(c.out)+len(p) > c.limit {
		return 0, &net.OpError{Op: "write", Net: c.name, Err: net.ErrClosed}
	}
	c.out = append(c.out, p...)
	return len(p), nil
}

// Feed adds input for Read.
func (c *Conn) Feed(p []byte) {
	if len(p) == 0 {
		return
	}
	c.mu.Lock()
	c.in = append(c.in, p...)
	c.mu.Unlock()
	c.cond.Broadcast()
}

// Take returns and clears the output written so far.
func (c *Conn) Take() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.out
	c.out = nil
	return out
}

// SetBlocking sets whether Read waits for input.
func (c *Conn) SetBlocking(b bool) {
	c.mu.Lock()
	c.block = b
	c.mu.Unlock()
	c.cond.Broadcast()
}

// Close wakes a waiting Read and makes Read and Write fail.
func (c *Conn) Close() error {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.cond.Broadcast()
	return nil
}

type addr string

func (a addr) Network() string { return string(a) }
func (a addr) String() string  { return string(a) }

func (c *Conn) LocalAddr() net.Addr                { return addr(c.name) }
func (c *Conn) RemoteAddr() net.Addr               { return addr(c.name) }
func (c *Conn) SetDeadline(t time.Time) error      { return nil }
func (c *Conn) SetReadDeadline(t time.Time) error  { return nil }
func (c *Conn) SetWriteDeadline(t time.Time) error { return nil }
