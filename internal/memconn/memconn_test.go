package memconn

import (
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

func TestBlockingHandshakeThenNonBlocking(t *testing.T) {
	c := New("test", 8)
	got := make(chan []byte)
	go func() {
		b := make([]byte, 3)
		n, _ := io.ReadFull(c, b)
		got <- b[:n]
	}()
	select { // the reader waits for input and says so
	case <-c.Waiting():
	case <-time.After(5 * time.Second):
		t.Fatal("no Waiting signal from a blocked Read")
	}
	c.Feed([]byte("abc"))
	if b := <-got; string(b) != "abc" {
		t.Fatalf("read %q", b)
	}
	c.SetBlocking(false)
	if _, err := c.Read(make([]byte, 1)); !errors.Is(err, ErrWouldBlock) {
		t.Fatalf("non-blocking Read on no input: %v", err)
	}
	if ne, ok := err2net(ErrWouldBlock); !ok || !ne.Temporary() {
		t.Fatal("ErrWouldBlock is not a temporary net.Error")
	}
}

func err2net(err error) (net.Error, bool) {
	var ne net.Error
	ok := errors.As(err, &ne)
	return ne, ok
}

func TestWriteTakeLimitClose(t *testing.T) {
	c := New("test", 8)
	tests := []struct {
		write   string
		wantErr bool
	}{
		{"12345", false},
		{"678", false},
		{"9", true}, // over the 8-byte limit
	}
	for _, tt := range tests {
		_, err := c.Write([]byte(tt.write))
		if (err != nil) != tt.wantErr {
			t.Fatalf("Write(%q): %v", tt.write, err)
		}
	}
	if out := c.Take(); string(out) != "12345678" {
		t.Fatalf("Take = %q", out)
	}
	if out := c.Take(); out != nil {
		t.Fatalf("second Take = %q", out)
	}
	done := make(chan error)
	go func() { _, err := c.Read(make([]byte, 1)); done <- err }()
	<-c.Waiting()
	c.Close()
	if err := <-done; !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Read after Close: %v", err)
	}
	if _, err := c.Write([]byte("x")); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Write after Close: %v", err)
	}
	if c.LocalAddr().String() != "test" || c.RemoteAddr().Network() != "test" {
		t.Fatal("addresses do not carry the name")
	}
}
