package supplicant

import (
	"net"
	"sync"
	"time"
)

// memConn is the in-memory transport under the PEAP TLS session. Step puts
// the TLS bytes the peer sent with feed and takes what the TLS side wrote
// with take.
//
// During the handshake (block true) crypto/tls runs in its own goroutine and
// Read waits for input; each time it has to wait it signals waiting, which
// tells Step that the server's flight is complete. After the handshake Step
// drives the tls.Conn itself and Read returns errWouldBlock, a temporary
// net.Error that crypto/tls does not treat as fatal, when the input is used
// up.
type memConn struct {
	mu      sync.Mutex
	cond    sync.Cond
	in      []byte
	out     []byte
	block   bool
	closed  bool
	waiting chan struct{}
}

func newMemConn() *memConn {
	c := &memConn{block: true, waiting: make(chan struct{}, 1)}
	c.cond.L = &c.mu
	return c
}

type wouldBlock struct{}

func (wouldBlock) Error() string   { return "supplicant: no more TLS input" }
func (wouldBlock) Timeout() bool   { return false }
func (wouldBlock) Temporary() bool { return true }

var errWouldBlock net.Error = wouldBlock{}

func (c *memConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.in) == 0 {
		if c.closed {
			return 0, net.ErrClosed
		}
		if !c.block {
			return 0, errWouldBlock
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

func (c *memConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return 0, net.ErrClosed
	}
	if len(c.out)+len(p) > 4*MaxMessage {
		return 0, errTooMuchOutput
	}
	c.out = append(c.out, p...)
	return len(p), nil
}

var errTooMuchOutput = &net.OpError{Op: "write", Net: "supplicant", Err: net.ErrClosed}

func (c *memConn) feed(p []byte) {
	if len(p) == 0 {
		return
	}
	c.mu.Lock()
	c.in = append(c.in, p...)
	c.mu.Unlock()
	c.cond.Broadcast()
}

func (c *memConn) take() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.out
	c.out = nil
	return out
}

func (c *memConn) setBlocking(b bool) {
	c.mu.Lock()
	c.block = b
	c.mu.Unlock()
	c.cond.Broadcast()
}

func (c *memConn) Close() error {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.cond.Broadcast()
	return nil
}

type memAddr struct{}

func (memAddr) Network() string { return "supplicant" }
func (memAddr) String() string  { return "supplicant" }

func (c *memConn) LocalAddr() net.Addr                { return memAddr{} }
func (c *memConn) RemoteAddr() net.Addr               { return memAddr{} }
func (c *memConn) SetDeadline(t time.Time) error      { return nil }
func (c *memConn) SetReadDeadline(t time.Time) error  { return nil }
func (c *memConn) SetWriteDeadline(t time.Time) error { return nil }
