package nps

import (
	"context"
	"testing"
)

func benchHandle(b *testing.B, build func() *req) {
	sc := loadScenario(b, policyScenario)
	s, err := New(sc, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Shutdown(context.Background())
	// Distinct requests, so the duplicate cache does not answer them.
	reqs := make([][]byte, 1024)
	for i := range reqs {
		reqs[i] = build().encode(b)
	}
	ctx := context.Background()
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		p := reqs[i%len(reqs)]
		p[4] ^= byte(i >> 10) // a new authenticator once the set wraps
		reply, _ := s.Handle(ctx, local, p)
		if reply == nil && i < len(reqs) {
			b.Fatal("no reply")
		}
		i++
	}
}

func BenchmarkHandlePAP(b *testing.B) {
	benchHandle(b, func() *req { return newReq(testSecret).userName("alice").pap("Passw0rd").virtual() })
}

func BenchmarkHandleMSCHAPv2(b *testing.B) {
	benchHandle(b, func() *req { return newReq(testSecret).userName("alice").mschapv2("alice", "Passw0rd").virtual() })
}

func BenchmarkHandleReject(b *testing.B) {
	benchHandle(b, func() *req { return newReq(testSecret).userName("mallory").pap("x").virtual() })
}
