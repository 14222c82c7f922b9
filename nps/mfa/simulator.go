package mfa

import (
	"context"
	"strings"
	"sync"
	"time"
)

// Outcome is what a simulated user does with a push or a call.
type Outcome string

// The outcomes.
const (
	Approve  Outcome = "approve"
	Deny     Outcome = "deny"
	NoAnswer Outcome = "no_answer"
	Error    Outcome = "error" // answer with the response code in SimUser.Error
)

// SimUser is one user as the Simulator knows them.
type SimUser struct {
	Enrolled   bool
	Method     Method
	TOTPSecret []byte // registered TOTP method; nil when none
	SMSCode    string // the code the simulated text message carries
	Outcome    Outcome
	Error      string        // Entra response code for Outcome Error (also returned by Lookup for UserNotFound-style codes)
	Latency    time.Duration // until the user answers
}

// Simulator is a scripted Backend: each user answers as scripted, after
// their latency, on the simulator's clock. It is safe for concurrent use.
type Simulator struct {
	Clock Clock
	// Failure makes every call fail with this extension error code
	// (ESTS_TOKEN_ERROR ...) after Latency.
	Failure string
	// Latency is added to every call (the round trip to the cloud).
	Latency time.Duration
	// Skew is the number of TOTP steps accepted either side of now.
	Skew int

	mu    sync.RWMutex
	users map[string]*SimUser
	calls map[string]int
}

// NewSimulator returns a simulator on clock c (System when nil).
func NewSimulator(c Clock) *Simulator {
	if c == nil {
		c = System()
	}
	return &Simulator{Clock: c, Skew: 1, users: map[string]*SimUser{}, calls: map[string]int{}}
}

// AddUser registers (or replaces) a user under an identity (UPN or
// alternate login ID), compared without regard to case.
func (s *Simulator) AddUser(identity string, u SimUser) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[strings.ToLower(identity)] = &u
}

func (s *Simulator) user(identity string) (SimUser, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, ok := s.users[strings.ToLower(identity)]
	if !ok {
		return SimUser{}, false
	}
	return *u, true
}

// Calls returns how many times each operation ran ("lookup",
// "authenticate", "challenge", "verify"): the number of prompts a user
// would have seen.
func (s *Simulator) Calls(op string) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.calls[op]
}

func (s *Simulator) count(op string) {
	s.mu.Lock()
	s.calls[op]++
	s.mu.Unlock()
}

func (s *Simulator) failure(ctx context.Context) (Result, bool) {
	if s.Failure == "" {
		return Result{}, false
	}
	sleep(ctx, s.Clock, s.Latency)
	return ExtFailure(s.Failure), true
}

// Lookup implements Backend.
func (s *Simulator) Lookup(ctx context.Context, user string) (Registration, Result) {
	s.count("lookup")
	if r, failed := s.failure(ctx); failed {
		return Registration{}, r
	}
	sleep(ctx, s.Clock, s.Latency)
	u, ok := s.user(user)
	if !ok {
		return Registration{}, Response("UserNotFound", user)
	}
	return Registration{Enrolled: u.Enrolled, Default: u.Method, HasTOTP: len(u.TOTPSecret) > 0}, Result{Code: Success}
}

// Authenticate implements Backend: the push or call is answered after the
// user's latency; NoAnswer waits until ctx ends.
func (s *Simulator) Authenticate(ctx context.Context, req Request) Result {
	s.count("authenticate")
	if r, failed := s.failure(ctx); failed {
		return r
	}
	u, ok := s.user(req.User)
	if !ok {
		return Response("UserNotFound", req.User)
	}
	if u.Outcome == NoAnswer {
		waitEnd(ctx)
		return Response("InvalidSession", req.User)
	}
	if !sleep(ctx, s.Clock, s.Latency+u.Latency) {
		return Response("InvalidSession", req.User)
	}
	switch u.Outcome {
	case Deny:
		if req.Method == MethodPhone {
			return Response("PhoneCallDenied", req.User)
		}
		return Response("PhoneAppDenied", req.User)
	case Error:
		return Response(u.Error, req.User)
	}
	return Result{Code: Success}
}

// Challenge implements Backend: it "sends" the SMS (nothing to do for
// TOTP and OATH). A user scripted with Outcome Error gets that code here.
func (s *Simulator) Challenge(ctx context.Context, req Request) Result {
	s.count("challenge")
	if r, failed := s.failure(ctx); failed {
		return r
	}
	u, ok := s.user(req.User)
	if !ok {
		return Response("UserNotFound", req.User)
	}
	sleep(ctx, s.Clock, s.Latency)
	if u.Outcome == Error {
		return Response(u.Error, req.User)
	}
	return Result{Code: Success}
}

// Verify implements Backend: TOTP and OATH codes are checked against the
// secret at the clock's time, SMS codes against the scripted code.
func (s *Simulator) Verify(ctx context.Context, req Request) Result {
	s.count("verify")
	if r, failed := s.failure(ctx); failed {
		return r
	}
	u, ok := s.user(req.User)
	if !ok {
		return Response("UserNotFound", req.User)
	}
	if !sleep(ctx, s.Clock, s.Latency+u.Latency) {
		return Response("InvalidSession", req.User)
	}
	switch req.Method {
	case MethodSMS:
		if u.SMSCode != "" && req.Code == u.SMSCode {
			return Result{Code: Success}
		}
		return Response("SMSAuthFailedWrongCodeEntered", req.User)
	default:
		if len(u.TOTPSecret) > 0 && (TOTP{Secret: u.TOTPSecret}).Verify(req.Code, s.Clock.Now(), s.Skew) {
			return Result{Code: Success}
		}
		return Response("OathCodeIncorrect", req.User)
	}
}
