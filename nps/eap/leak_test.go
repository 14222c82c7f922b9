package eap

import (
	"context"
	"runtime"
	"testing"
	"time"
)

// TestNoGoroutineLeak abandons PEAP conversations in the middle of the TLS
// handshake (closed, or ended by a protocol error) and finishes others: the
// handshake goroutines must all end.
func TestNoGoroutineLeak(t *testing.T) {
	srv := newServer(t, 0, MethodPEAP)
	before := runtime.NumGoroutine()
	ctx := context.Background()
	for i := range 30 {
		p := testPeer{identity: "x", user: "alice", password: "Passw0rd!"}
		c := srv.NewConversation()
		r := srv.Step(ctx, c, encode(CodeResponse, 1, TypeIdentity, []byte("x")))
		req, _ := parsePacket(r.Reply)
		msg, err := p.answer(req) // ClientHello
		if err != nil {
			t.Fatal(err)
		}
		r = srv.Step(ctx, c, msg) // the server is now waiting for the client's second flight
		if r.Done {
			t.Fatalf("handshake ended: %v", r.Err)
		}
		switch i % 3 {
		case 0:
			c.Close()
		case 1:
			r = srv.Step(ctx, c, encode(CodeResponse, r.Reply[1], TypePEAP, []byte{0, 21, 3, 3, 0, 2, 2, 40}))
			if !r.Done {
				t.Fatal("alert did not end the conversation")
			}
		default:
			p2 := testPeer{identity: "x", user: "alice", password: "Passw0rd!"}
			if res := p2.run(t, srv).last; !res.Success {
				t.Fatal(res.Err)
			}
			c.Close()
		}
		p.conn.Close()
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before+2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before+2 {
		buf := make([]byte, 1<<16)
		t.Fatalf("%d goroutines, %d before\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
}
