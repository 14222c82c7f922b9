package nps

import (
	"context"
	"encoding/binary"
	"net"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"layeh.com/radius"

	"github.com/radscope/radscope/secret"
)

func fuzzSeeds(t testing.TB) [][]byte {
	acct := radius.New(radius.CodeAccountingRequest, []byte(testSecret))
	acct.Attributes.Add(attrAcctStatusType, u32(1))
	ab, _ := acct.Encode()
	status := (&req{p: radius.New(radius.CodeStatusServer, []byte(testSecret)), secret: []byte(testSecret)}).withMA().encode(t)
	eapStart := newReq(testSecret).userName("alice").attr(attrEAPMessage, []byte{2, 1, 0, 10, 1, 'a', 'l', 'i', 'c', 'e'}).withMA().encode(t)
	return [][]byte{
		newReq(testSecret).userName("alice").pap("Passw0rd").virtual().encode(t),
		newReq(testSecret).userName("alice").pap("Passw0rd").virtual().withMA().encode(t),
		newReq(testSecret).userName("bob").chap("password").encode(t),
		newReq(testSecret).userName("bob").mschapv1("password").virtual().encode(t),
		newReq(testSecret).userName(`CONTOSO\alice`).mschapv2("alice", "Passw0rd").virtual().encode(t),
		newReq(testSecret).userName("rdg").attr(attrState, []byte("not-a-state")).encode(t),
		ab, status, eapStart,
		{1, 0, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
	}
}

// FuzzHandle feeds arbitrary datagrams to the packet handler: it must
// never panic, and every reply must be a well-formed, correctly signed
// response of at most 4096 bytes.
func FuzzHandle(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	sc := loadScenario(f, policyScenario)
	s, _ := newServer(f, sc, Options{Clock: fakeClock()})
	f.Fuzz(func(t *testing.T, data []byte) {
		reply, err := s.Handle(context.Background(), local, data)
		if err != nil {
			t.Fatal(err)
		}
		if reply == nil {
			return
		}
		if len(reply) > radius.MaxPacketLength || len(reply) < 20 || int(binary.BigEndian.Uint16(reply[2:4])) != len(reply) {
			t.Fatalf("malformed reply of %d bytes", len(reply))
		}
		if !secret.VerifyResponse([]byte(testSecret), reply, data[4:20]) {
			t.Fatal("reply with a bad Response Authenticator")
		}
		if _, err := radius.Parse(reply, nil); err != nil {
			t.Fatalf("reply does not parse: %v", err)
		}
	})
}

// TestFlood sends a bounded burst of junk, bad-Message-Authenticator and
// valid datagrams and checks that goroutines and memory stay bounded and
// that a legitimate request is still answered: without the MFA extension
// (requests answered on the readers) and with it (a goroutine per request,
// at most max_pending).
func TestFlood(t *testing.T) {
	if testing.Short() {
		t.Skip("flood test skipped in -short mode")
	}
	t.Run("without MFA", func(t *testing.T) {
		flood(t, policyScenario, "alice", "Passw0rd", nil)
	})
	t.Run("with MFA", func(t *testing.T) {
		flood(t, mfaScenario, "alice", "pw", []string{"directory.users.alice.mfa.latency=0s"})
	})
}

func flood(t *testing.T, yaml, user, pw string, sets []string) {
	const (
		packets    = 20000
		maxPending = 64
		limit      = 10 * time.Second
	)
	sc := loadScenario(t, yaml)
	for _, kv := range append(sets, "server.max_pending=64") {
		k, v, _ := strings.Cut(kv, "=")
		if err := sc.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := sc.Validate(); err != nil {
		t.Fatal(err)
	}
	s, err := New(sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(context.Background())
	addr := listen(t, s)
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	baseG := runtime.NumGoroutine()

	valid := newReq(testSecret).userName(user).pap(pw).virtual().encode(t)
	badMA := newReq(testSecret).userName(user).pap(pw).withMA().encode(t)
	badMA[len(badMA)-1] ^= 0xff
	junk := make([]byte, 300)
	for i := range junk {
		junk[i] = byte(i * 7)
	}
	conn, err := net.Dial("udp4", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var maxG atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
				if g := int64(runtime.NumGoroutine()); g > maxG.Load() {
					maxG.Store(g)
				}
			}
		}
	}()
	// Drain replies so the socket buffer never blocks the sender.
	var answered atomic.Int64
	go func() {
		buf := make([]byte, 4096)
		for {
			if _, err := conn.Read(buf); err != nil {
				return
			}
			answered.Add(1)
		}
	}()
	deadline := time.Now().Add(limit)
	sent := 0
	for i := 0; i < packets && time.Now().Before(deadline); i++ {
		var b []byte
		switch i % 4 {
		case 0:
			b = junk
		case 1:
			b = badMA
		case 2:
			// A fresh valid request (new identifier and authenticator).
			b = newReq(testSecret).userName(user).pap(pw).virtual().encode(t)
		default:
			b = valid // retransmissions: answered from the duplicate cache
		}
		if _, err := conn.Write(b); err != nil {
			t.Fatal(err)
		}
		sent++
	}
	close(stop)
	wg.Wait()
	// A legitimate request from another socket is still answered.
	probe := newReq(testSecret).userName(user).pap(pw).virtual().encode(t)
	var reply []byte
	for try := 0; try < 5 && reply == nil; try++ {
		reply = exchangeRaw(t, addr, probe, time.Second)
	}
	if reply == nil {
		t.Fatal("legitimate request not answered after the flood")
	}
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	growth := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("sent %d datagrams, %d answered; max goroutines %d (base %d, max_pending %d); heap growth %d KiB; duplicate cache %d entries",
		sent, answered.Load(), maxG.Load(), baseG, maxPending, growth/1024, s.dup.len())
	if maxG.Load() > int64(baseG+maxPending+16) {
		t.Errorf("goroutines reached %d: not bounded by max_pending %d", maxG.Load(), maxPending)
	}
	if growth > 64<<20 {
		t.Errorf("heap grew by %d MiB", growth>>20)
	}
	if s.dup.len() > s.dup.max {
		t.Errorf("duplicate cache holds %d entries, bound %d", s.dup.len(), s.dup.max)
	}
}
