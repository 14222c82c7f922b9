package model

import (
	"strconv"
	"time"
)

// FlowKind says what a Flow is.
type FlowKind uint8

const (
	FlowAuth       FlowKind = iota // one authentication attempt (Access-Request ... final answer)
	FlowAccounting                 // one accounting session (Start, Interim, Stop by Acct-Session-Id)
	FlowStatus                     // one Status-Server probe
	FlowCoA                        // one CoA or Disconnect exchange
	FlowUnmatched                  // a message that belongs to no attempt (service start-up events, strays)
)

var flowKindNames = [...]string{"auth", "accounting", "status", "coa", "unmatched"}

func (k FlowKind) String() string {
	if int(k) < len(flowKindNames) {
		return flowKindNames[k]
	}
	return "flowkind(" + strconv.Itoa(int(k)) + ")"
}

// ParseFlowKind maps a name printed by String back to the FlowKind.
func ParseFlowKind(s string) (FlowKind, bool) {
	for i, n := range flowKindNames {
		if equalFold(n, s) {
			return FlowKind(i), true
		}
	}
	return 0, false
}

// Outcome is how a flow ended.
type Outcome uint8

const (
	OutcomeUnknown            Outcome = iota // nothing says (an unmatched message, a lone event)
	OutcomeAccepted                          // Access-Accept, CoA-ACK, Disconnect-ACK, answered Status-Server
	OutcomeRejected                          // Access-Reject, CoA-NAK, Disconnect-NAK
	OutcomeChallengeAbandoned                // the last answer was an Access-Challenge nobody replied to
	OutcomeNoResponse                        // requests were sent and never answered
	OutcomeDiscarded                         // NPS discarded the request (event 6274/6275, reason 9)
	OutcomeAccounted                         // an accounting session or record that was answered
)

var outcomeNames = [...]string{"unknown", "accepted", "rejected", "challenge-abandoned", "no-response", "discarded", "accounted"}

func (o Outcome) String() string {
	if int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return "outcome(" + strconv.Itoa(int(o)) + ")"
}

// ParseOutcome maps a name printed by String back to the Outcome.
func ParseOutcome(s string) (Outcome, bool) {
	for i, n := range outcomeNames {
		if equalFold(n, s) {
			return Outcome(i), true
		}
	}
	return 0, false
}

// Severity ranks a Finding.
type Severity uint8

const (
	SeverityInfo    Severity = iota // worth knowing, nothing is broken
	SeverityWarning                 // works now, or fails sometimes, and should be changed
	SeverityError                   // makes sign-ins fail
)

var severityNames = [...]string{"info", "warning", "error"}

func (s Severity) String() string {
	if int(s) < len(severityNames) {
		return severityNames[s]
	}
	return "severity(" + strconv.Itoa(int(s)) + ")"
}

// ParseSeverity maps a name printed by String back to the Severity.
func ParseSeverity(s string) (Severity, bool) {
	for i, n := range severityNames {
		if equalFold(n, s) {
			return Severity(i), true
		}
	}
	return 0, false
}

// Finding is one explanation attached to a flow by a rule.
type Finding struct {
	Rule     string   // rule ID, such as "nps-reason-21" or "nas-timeout-short"
	Severity Severity // how bad
	Text     string   // one sentence: what went wrong, with the names involved
	Remedy   string   // what to change
	Evidence []int    // indexes into Flow.Messages of the messages that show it
}

// Round is one request and its answer within a flow: the first Access-Request
// and the Access-Challenge it drew, then the next Access-Request with the
// State, and so on. Indexes point into Flow.Messages; -1 means none.
type Round struct {
	Request     int           // the first request of the round (from the primary source)
	Retransmits []int         // repeats of that request (same identifier and authenticator)
	Response    int           // the answer, or -1
	Code        Code          // the answer's code, or CodeNone
	Latency     time.Duration // from Request to Response, 0 when either is missing
}

// Flow is one authentication attempt (or accounting session, Status-Server
// probe, CoA/Disconnect exchange) with every message from every source that
// speaks of it. Messages are in time order, corrected by the clock offsets
// the builder estimated; each message's own Time is left as read.
type Flow struct {
	ID   int64 // 1, 2, ... in the order flows were opened
	Kind FlowKind

	Start, End time.Time // first and last message (source time of the reference clock)

	User           string // user name as the NAS sent it
	Computer       string // NPS server
	NAS            string // the RADIUS client's name (Client-Friendly-Name or NAS-Identifier), else its address
	Client         string // the RADIUS client's address
	CallingStation string
	CalledStation  string
	Method         string // authentication method (PAP, MS-CHAPv2, EAP, PEAP ...)
	Policy         string // network policy
	ProxyPolicy    string // connection request policy
	AcctSessionID  string
	Class          string

	Outcome Outcome
	Reason  int  // NPS Reason-Code of the final answer, or NoReason
	MFA     *MFA // what the MFA extension said last (merged over its events), nil when nothing
	Latency time.Duration

	// Sources lists the kinds of input present (packet, record, event), in
	// that order.
	Sources []Kind
	// Skew is the largest clock offset the builder applied between two of
	// the flow's sources (0 when it had one source).
	Skew time.Duration
	// Linked is the ID of the authentication flow an accounting session
	// belongs to (by Class or by user, NAS and calling station), or 0.
	Linked int64
	// AuthSeen reports, for an accounting flow, that authentication traffic
	// of the same inputs was seen early enough that the session's own
	// authentication should have been present.
	AuthSeen bool
	// Part numbers the pieces of a long accounting session that the
	// builder yielded in parts (1, 2, ...) so that it need not hold the
	// session's messages for hours; 0 for a flow yielded whole.
	Part int
	// Continues is the ID of the previous part of the same session, or 0.
	Continues int64

	Rounds   []Round
	Messages []Message
	Findings []Finding
}

// HasSource reports whether messages of kind k are in the flow.
func (f *Flow) HasSource(k Kind) bool {
	for _, s := range f.Sources {
		if s == k {
			return true
		}
	}
	return false
}

// Top returns the most severe finding (the first of equal severity), or
// nil when there is none.
func (f *Flow) Top() *Finding {
	var top *Finding
	for i := range f.Findings {
		if top == nil || f.Findings[i].Severity > top.Severity {
			top = &f.Findings[i]
		}
	}
	return top
}

// Retransmits counts the retransmitted requests over all rounds.
func (f *Flow) Retransmits() int {
	n := 0
	for _, r := range f.Rounds {
		n += len(r.Retransmits)
	}
	return n
}
