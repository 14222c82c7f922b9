package mfa

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

func TestTOTPRFC6238(t *testing.T) {
	// RFC 6238 Appendix B, SHA-1, 8 digits.
	tot := TOTP{Secret: []byte("12345678901234567890"), Digits: 8}
	for _, tt := range []struct {
		unix int64
		want string
	}{
		{59, "94287082"}, {1111111109, "07081804"}, {1111111111, "14050471"},
		{1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"},
	} {
		if got := tot.Code(time.Unix(tt.unix, 0)); got != tt.want {
			t.Errorf("T=%d: %s, want %s", tt.unix, got, tt.want)
		}
	}
	six := TOTP{Secret: []byte("12345678901234567890")}
	at := time.Unix(59, 0)
	if got := six.Code(at); got != "287082" {
		t.Errorf("6 digits: %s", got)
	}
	tests := []struct {
		name string
		code string
		at   time.Time
		skew int
		want bool
	}{
		{"exact", "287082", at, 0, true},
		{"next step with skew", "287082", at.Add(30 * time.Second), 1, true},
		{"next step without skew", "287082", at.Add(30 * time.Second), 0, false},
		{"two steps late", "287082", at.Add(61 * time.Second), 1, false},
		{"wrong code", "287083", at, 1, false},
		{"wrong length", "28708", at, 1, false},
	}
	for _, tt := range tests {
		if got := six.Verify(tt.code, tt.at, tt.skew); got != tt.want {
			t.Errorf("%s: Verify = %v", tt.name, got)
		}
	}
}

func TestFakeClock(t *testing.T) {
	start := time.Date(2026, 11, 21, 22, 0, 0, 0, time.UTC)
	c := NewFake(start)
	a := c.After(10 * time.Second)
	b := c.After(5 * time.Second)
	if c.Waiters() != 2 {
		t.Fatalf("waiters = %d", c.Waiters())
	}
	c.Advance(5 * time.Second)
	select {
	case got := <-b:
		if !got.Equal(start.Add(5 * time.Second)) {
			t.Errorf("b fired at %v", got)
		}
	default:
		t.Fatal("b did not fire")
	}
	select {
	case <-a:
		t.Fatal("a fired early")
	default:
	}
	c.Set(start) // never backwards
	if !c.Now().Equal(start.Add(5 * time.Second)) {
		t.Fatalf("clock moved back to %v", c.Now())
	}
	c.Advance(time.Hour)
	<-a
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	go c.After(time.Minute)
	if err := c.WaitForWaiters(ctx, 1); err != nil {
		t.Fatal(err)
	}
}

func TestSimulator(t *testing.T) {
	secret := []byte("12345678901234567890")
	start := time.Unix(59, 0)
	tests := []struct {
		name     string
		user     SimUser
		failure  string
		op       string
		req      Request
		advance  time.Duration
		wantCode string
		wantExt  string
	}{
		{"push approve", SimUser{Enrolled: true, Method: MethodPush, Outcome: Approve, Latency: 8 * time.Second}, "", "authenticate", Request{Method: MethodPush}, 8 * time.Second, Success, ""},
		{"push deny", SimUser{Enrolled: true, Method: MethodPush, Outcome: Deny}, "", "authenticate", Request{Method: MethodPush}, 0, "PhoneAppDenied", ""},
		{"call deny", SimUser{Enrolled: true, Method: MethodPhone, Outcome: Deny}, "", "authenticate", Request{Method: MethodPhone}, 0, "PhoneCallDenied", ""},
		{"scripted error", SimUser{Enrolled: true, Outcome: Error, Error: "AuthenticationThrottled"}, "", "authenticate", Request{Method: MethodPush}, 0, "AuthenticationThrottled", ""},
		{"backend failure", SimUser{Enrolled: true}, "ESTS_TOKEN_ERROR", "authenticate", Request{}, 0, "", "ESTS_TOKEN_ERROR"},
		{"totp right", SimUser{TOTPSecret: secret}, "", "verify", Request{Method: MethodTOTP, Code: "287082"}, 0, Success, ""},
		{"totp wrong", SimUser{TOTPSecret: secret}, "", "verify", Request{Method: MethodTOTP, Code: "000000"}, 0, "OathCodeIncorrect", ""},
		{"sms right", SimUser{SMSCode: "424242"}, "", "verify", Request{Method: MethodSMS, Code: "424242"}, 0, Success, ""},
		{"sms wrong", SimUser{SMSCode: "424242"}, "", "verify", Request{Method: MethodSMS, Code: "424243"}, 0, "SMSAuthFailedWrongCodeEntered", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewFake(start)
			s := NewSimulator(c)
			s.Failure = tt.failure
			s.AddUser("Alice@Contoso.com", tt.user)
			tt.req.User = "alice@contoso.com"
			done := make(chan Result, 1)
			go func() {
				ctx := context.Background()
				if tt.op == "verify" {
					done <- s.Verify(ctx, tt.req)
				} else {
					done <- s.Authenticate(ctx, tt.req)
				}
			}()
			if tt.advance > 0 {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				if err := c.WaitForWaiters(ctx, 1); err != nil {
					t.Fatal(err)
				}
				select {
				case r := <-done:
					t.Fatalf("answered before the latency passed: %+v", r)
				default:
				}
				c.Advance(tt.advance)
			}
			r := <-done
			if r.Code != tt.wantCode || r.ExtError != tt.wantExt {
				t.Fatalf("got %+v, want code %q ext %q", r, tt.wantCode, tt.wantExt)
			}
			if (r.Code == Success) != r.OK() {
				t.Fatal("OK disagrees with Code")
			}
		})
	}
}

func TestSimulatorNoAnswerWaitsForContext(t *testing.T) {
	s := NewSimulator(NewFake(time.Unix(0, 0)))
	s.AddUser("u", SimUser{Enrolled: true, Outcome: NoAnswer})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan Result, 1)
	go func() { done <- s.Authenticate(ctx, Request{User: "u", Method: MethodPush}) }()
	select {
	case r := <-done:
		t.Fatalf("no_answer answered: %+v", r)
	case <-time.After(50 * time.Millisecond):
	}
	cancel()
	if r := <-done; r.Code != "InvalidSession" {
		t.Fatalf("got %+v", r)
	}
}

func TestLookup(t *testing.T) {
	s := NewSimulator(nil)
	s.AddUser("bob@contoso.com", SimUser{Enrolled: true, Method: MethodPush, TOTPSecret: []byte("x")})
	reg, r := s.Lookup(context.Background(), "BOB@contoso.com")
	if !r.OK() || !reg.Enrolled || !reg.HasTOTP || reg.Default != MethodPush {
		t.Fatalf("lookup bob: %+v %+v", reg, r)
	}
	_, r = s.Lookup(context.Background(), "eve@contoso.com")
	if r.Code != "UserNotFound" || r.OK() {
		t.Fatalf("lookup eve: %+v", r)
	}
	if want := "[Message:Resource 'eve@contoso.com' does not exist"; !contains(r.Message, want) {
		t.Fatalf("message %q lacks %q", r.Message, want)
	}
	if s.Calls("lookup") != 2 {
		t.Fatalf("calls = %d", s.Calls("lookup"))
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func TestFakeAfterFunc(t *testing.T) {
	c := NewFake(time.Unix(0, 0))
	fired := make(chan string, 2)
	c.AfterFunc(time.Second, func() { fired <- "a" })
	stop := c.AfterFunc(2*time.Second, func() { fired <- "b" })
	if c.Waiters() != 2 {
		t.Fatalf("waiters %d", c.Waiters())
	}
	if !stop() || stop() {
		t.Fatal("stop did not report once")
	}
	c.Advance(5 * time.Second)
	if got := <-fired; got != "a" {
		t.Fatalf("fired %s", got)
	}
	select {
	case got := <-fired:
		t.Fatalf("stopped timer fired: %s", got)
	case <-time.After(20 * time.Millisecond):
	}
}

// slowClock sets its timers late, as a loaded machine might.
type slowClock struct{ *Fake }

func (c slowClock) After(d time.Duration) <-chan time.Time {
	time.Sleep(20 * time.Millisecond)
	return c.Fake.After(d)
}

// TestHoldAfterTimerSet: a back end's wait counts as held only once its
// timer is set, and stops counting when it ends, for every kind of wait.
func TestHoldAfterTimerSet(t *testing.T) {
	tests := []struct {
		name string
		user SimUser
		run  func(ctx context.Context, s *Simulator) Result
	}{
		{"push answered after the user's latency", SimUser{Enrolled: true, Method: MethodPush, Outcome: Approve, Latency: 8 * time.Second},
			func(ctx context.Context, s *Simulator) Result {
				return s.Authenticate(ctx, Request{User: "u", Method: MethodPush})
			}},
		{"push never answered", SimUser{Enrolled: true, Method: MethodPush, Outcome: NoAnswer},
			func(ctx context.Context, s *Simulator) Result {
				return s.Authenticate(ctx, Request{User: "u", Method: MethodPush})
			}},
		{"OTP verified after the back end's latency", SimUser{SMSCode: "1"},
			func(ctx context.Context, s *Simulator) Result {
				return s.Verify(ctx, Request{User: "u", Method: MethodSMS, Code: "1"})
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := NewFake(time.Unix(0, 0))
			s := NewSimulator(slowClock{fake})
			s.Latency = time.Second
			s.AddUser("u", tt.user)
			var held atomic.Int32
			ctx, cancel := context.WithCancel(WithHold(context.Background(), func(d int) {
				if d > 0 && fake.Waiters() == 0 && tt.user.Outcome != NoAnswer {
					t.Error("counted as held before its timer was set")
				}
				held.Add(int32(d))
			}))
			defer cancel()
			done := make(chan Result, 1)
			go func() { done <- tt.run(ctx, s) }()
			deadline := time.Now().Add(5 * time.Second)
			for held.Load() == 0 && time.Now().Before(deadline) {
				time.Sleep(time.Millisecond)
			}
			if held.Load() != 1 {
				t.Fatalf("held %d while waiting, want 1", held.Load())
			}
			if tt.user.Outcome == NoAnswer {
				cancel()
			} else {
				fake.Advance(time.Minute)
			}
			<-done
			if held.Load() != 0 {
				t.Fatalf("held %d after the wait ended", held.Load())
			}
		})
	}
}
