package eap

import (
	"context"
	"testing"
)

// FuzzStep feeds arbitrary EAP messages to a conversation after a valid
// start: no panic, every reply a well-formed EAP packet no larger than a
// fragment, and the conversation ends or asks for more.
func FuzzStep(f *testing.F) {
	for _, m := range [][]string{{MethodMSCHAPv2}, {MethodPEAP}} {
		for _, pw := range []string{"Passw0rd!", "bad"} {
			p := testPeer{identity: "alice", user: "alice", password: pw}
			srv := newServer(f, 0, m...)
			p.run(f, srv)
			sel := byte(0)
			if m[0] == MethodPEAP {
				sel = 1
			}
			f.Add(sel, frame(p.sent))
		}
	}
	f.Add(byte(1), frame([][]byte{{2, 1, 0, 6, 1, 'a'}, {2, 2, 0, 11, 25, 0xc0, 0, 0, 0, 10, 22}}))
	srvs := [2]*Server{newServer(f, 0, MethodMSCHAPv2, MethodPEAP), newServer(f, 200, MethodPEAP, MethodMSCHAPv2)}
	f.Fuzz(func(t *testing.T, sel byte, data []byte) {
		srv := srvs[sel&1]
		c := srv.NewConversation()
		defer c.Close()
		ctx := context.Background()
		for _, msg := range unframe(data) {
			r := srv.Step(ctx, c, msg)
			if r.Done {
				if len(r.Reply) != 4 || (r.Reply[0] != CodeSuccess && r.Reply[0] != CodeFailure) {
					t.Fatalf("final reply %x", r.Reply)
				}
				if r.Success != (r.Reply[0] == CodeSuccess) || (r.Success && r.Err != nil) {
					t.Fatalf("Success %v with reply %x, Err %v", r.Success, r.Reply, r.Err)
				}
				return
			}
			p, err := parsePacket(r.Reply)
			if err != nil || p.code != CodeRequest || len(r.Reply) > srv.cfg.FragmentSize+64 {
				t.Fatalf("reply %x: %v", r.Reply, err)
			}
		}
	})
}

// frame joins messages with a two-byte length before each.
func frame(msgs [][]byte) []byte {
	var b []byte
	for _, m := range msgs {
		b = append(b, byte(len(m)>>8), byte(len(m)))
		b = append(b, m...)
	}
	return b
}

func unframe(b []byte) [][]byte {
	var out [][]byte
	for len(b) >= 2 {
		n := int(b[0])<<8 | int(b[1])
		b = b[2:]
		n = min(n, len(b))
		out = append(out, b[:n])
		b = b[n:]
	}
	return out
}
