// Package model is the vocabulary every radscope package shares: one decoded
// RADIUS message or logged record (Message) with its attributes (Attr) and
// its provenance (Source), the typed ParseError that readers yield for bad
// input, and the enumerations those carry.
//
// A Message owns all of its bytes: readers copy whatever they keep from
// reused buffers, so a Message stays valid after the next Read.
package model

import (
	"net/netip"
	"strconv"
	"time"
)

// Kind says what a Message was read from.
type Kind uint8

const (
	KindUnknown Kind = iota
	KindPacket       // a RADIUS packet from a capture
	KindRecord       // a record from an NPS text log (IAS, ODBC, DTS)
	KindEvent        // a Windows event (Security 6272-6280, AzureMfa)
)

var kindNames = [...]string{"unknown", "packet", "record", "event"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Code is a RADIUS packet code (RFC 2865 §3), also used for the NPS
// Packet-Type attribute (4136), which carries the same numbers.
type Code uint8

// RADIUS packet codes (IANA "RADIUS Packet Type Codes").
const (
	CodeNone               Code = 0
	CodeAccessRequest      Code = 1
	CodeAccessAccept       Code = 2
	CodeAccessReject       Code = 3
	CodeAccountingRequest  Code = 4
	CodeAccountingResponse Code = 5
	CodeAccessChallenge    Code = 11
	CodeStatusServer       Code = 12
	CodeStatusClient       Code = 13
	CodeDisconnectRequest  Code = 40
	CodeDisconnectACK      Code = 41
	CodeDisconnectNAK      Code = 42
	CodeCoARequest         Code = 43
	CodeCoAACK             Code = 44
	CodeCoANAK             Code = 45
	CodeReserved           Code = 255
)

var codeNames = map[Code]string{
	CodeAccessRequest:      "Access-Request",
	CodeAccessAccept:       "Access-Accept",
	CodeAccessReject:       "Access-Reject",
	CodeAccountingRequest:  "Accounting-Request",
	CodeAccountingResponse: "Accounting-Response",
	6:                      "Accounting-Status",
	7:                      "Password-Request",
	8:                      "Password-Ack",
	9:                      "Password-Reject",
	10:                     "Accounting-Message",
	CodeAccessChallenge:    "Access-Challenge",
	CodeStatusServer:       "Status-Server",
	CodeStatusClient:       "Status-Client",
	CodeDisconnectRequest:  "Disconnect-Request",
	CodeDisconnectACK:      "Disconnect-ACK",
	CodeDisconnectNAK:      "Disconnect-NAK",
	CodeCoARequest:         "CoA-Request",
	CodeCoAACK:             "CoA-ACK",
	CodeCoANAK:             "CoA-NAK",
	CodeReserved:           "Reserved",
}

// String returns the IANA name of the code, or "Code-N" when it has none.
func (c Code) String() string {
	if c == CodeNone {
		return ""
	}
	if s, ok := codeNames[c]; ok {
		return s
	}
	return "Code-" + strconv.Itoa(int(c))
}

// Known reports whether c is a code with an IANA name.
func (c Code) Known() bool { _, ok := codeNames[c]; return ok }

// IsRequest reports whether c is sent by a RADIUS client (NAS) rather than
// by a server.
func (c Code) IsRequest() bool {
	switch c {
	case CodeAccessRequest, CodeAccountingRequest, CodeStatusServer, CodeStatusClient,
		CodeDisconnectRequest, CodeCoARequest, 7:
		return true
	}
	return false
}

// ParseCode maps an IANA name (case-insensitive), a decimal number or
// "Code-N" to a Code.
func ParseCode(s string) (Code, bool) {
	if len(s) > 5 && equalFold(s[:5], "Code-") {
		s = s[5:]
	}
	if n, err := strconv.Atoi(s); err == nil && n >= 0 && n <= 255 {
		return Code(n), true
	}
	for c, name := range codeNames {
		if equalFold(name, s) {
			return c, true
		}
	}
	return 0, false
}

// Mark is a set of packet-level observations made while reading a stream
// (the radsniff vocabulary) plus the malformed flag.
type Mark uint16

const (
	MarkRetransmit        Mark = 1 << iota // "rtx": same identifier and authenticator as an earlier request
	MarkNoResponse                         // "norsp": a request that was never answered
	MarkNoRequest                          // "noreq": a response with no request seen
	MarkReused                             // "reused": identifier reused with a new authenticator while outstanding
	MarkMalformed                          // the message could only be read in part
	MarkTruncated                          // the record was cut short (last line of a file still being written)
	MarkDuplicateResponse                  // a response repeated for a retransmitted request
)

var markNames = []struct {
	m    Mark
	name string
}{
	{MarkRetransmit, "rtx"}, {MarkNoResponse, "norsp"}, {MarkNoRequest, "noreq"},
	{MarkReused, "reused"}, {MarkMalformed, "malformed"}, {MarkTruncated, "truncated"},
	{MarkDuplicateResponse, "dup"},
}

// Names returns the names of the marks set, in a fixed order.
func (m Mark) Names() []string {
	var out []string
	for _, n := range markNames {
		if m&n.m != 0 {
			out = append(out, n.name)
		}
	}
	return out
}

func (m Mark) String() string {
	s := ""
	for i, n := range m.Names() {
		if i > 0 {
			s += ","
		}
		s += n
	}
	return s
}

// ParseMark maps a mark name such as "rtx" to its Mark.
func ParseMark(s string) (Mark, bool) {
	for _, n := range markNames {
		if n.name == s {
			return n.m, true
		}
	}
	return 0, false
}

// NoReason is the Reason value of a message that carries no NPS Reason-Code.
const NoReason = -1

// NoIdent is the Ident value of a message whose RADIUS identifier is unknown
// (every logged record).
const NoIdent = -1

// Message is one RADIUS packet from a capture, one record from an NPS log,
// or one Windows event, decoded.
//
// The fields above Attrs are the keys the later stages join and filter on;
// readers fill those they know and leave the rest zero (or NoReason /
// NoIdent). Attrs hold everything the source carried, in source order,
// repeated attributes included, named by the dictionary.
type Message struct {
	Time time.Time // when it was seen or logged; for logs, in the zone assumed for the NPS server
	Kind Kind
	Code Code // packet code or logged Packet-Type; CodeNone for events that carry none

	Ident int    // RADIUS identifier 0-255, or NoIdent
	Auth  []byte // request or response authenticator (16 bytes), nil when unknown

	Client netip.AddrPort // the RADIUS client (NAS) end of the exchange (pcap)
	Server netip.AddrPort // the RADIUS server end (pcap)

	Computer       string     // NPS server that logged it (Computer-Name)
	Service        string     // Service-Name / Event-Source (IAS, RAS)
	User           string     // User-Name as sent; for responses, the name NPS resolved
	NASAddr        netip.Addr // NAS-IP-Address
	NASID          string     // NAS-Identifier
	ClientAddr     netip.Addr // Client-IP-Address: the RADIUS client as NPS saw it
	ClientName     string     // Client-Friendly-Name
	CallingStation string     // Calling-Station-Id
	CalledStation  string     // Called-Station-Id
	Class          string     // Class (NPS: "311 1 <ip> <date> <time> <serial>")
	AcctSessionID  string     // Acct-Session-Id
	AcctStatus     int        // Acct-Status-Type, 0 when absent
	AuthType       int        // NPS Authentication-Type (4127), 0 when absent
	Policy         string     // network policy (NP-Policy-Name)
	ProxyPolicy    string     // connection request policy (Proxy-Policy-Name)
	Reason         int        // NPS Reason-Code, or NoReason

	Attrs []Attr
	Marks Mark

	// Check holds what the secret told about a captured packet (every
	// captured packet has one, so Message-Authenticator presence is
	// recorded even without a secret); nil for records and events.
	Check *SecretCheck
	// Event holds the Windows-event fields; nil for packets and records.
	Event *Event
	// MFA holds what the MFA extension said; nil when nothing did.
	MFA *MFA
	// Peer links a captured request and its response: the other message's
	// Src.Frame, or 0.
	Peer int64
	// RTT is the time from request to response for a matched response.
	RTT time.Duration

	Src Source
}

// SecretVerdict is the result of one check made with a shared secret.
type SecretVerdict uint8

const (
	Unverified     SecretVerdict = iota // no secret was known, or nothing to check
	Verified                            // the check passed
	SecretMismatch                      // the check failed under every secret tried
	Absent                              // the attribute to check was not in the packet
)

var verdictNames = [...]string{"unverified", "ok", "secret mismatch", "absent"}

func (v SecretVerdict) String() string {
	if int(v) < len(verdictNames) {
		return verdictNames[v]
	}
	return "verdict(" + strconv.Itoa(int(v)) + ")"
}

// SecretCheck records the checks made on a captured packet with the
// configured shared secrets.
type SecretCheck struct {
	Authenticator        SecretVerdict // response (or accounting request) authenticator
	MessageAuthenticator SecretVerdict // attribute 80, RFC 3579 §3.2
	Password             SecretVerdict // User-Password decoded to valid text
}

// Event carries the fields of a Windows event.
type Event struct {
	ID       int    // event ID (6272, 1 ...)
	Provider string // provider name
	Channel  string // channel (Security, AzureMfa/AuthN/AuthN ...)
	RecordID uint64
	Level    string
	Message  string            // rendered text where the export had it
	Data     map[string]string // named EventData values
}

// MFA is what the Azure/Entra MFA NPS extension reported for an attempt.
type MFA struct {
	CID     string // correlation ID
	Result  string // response code, such as Success, UserNotFound, AccessDenied
	Error   string // extension error code, such as ESTS_TOKEN_ERROR
	Method  string // authentication method, when stated
	Message string // the text the extension wrote
	// Outcome is what the extension did: accepted, rejected, challenge,
	// ignored (NPS had not accepted), error or warning; "" when unknown.
	Outcome string
	// State is the challenge state GUID ("Challenge requested … with state
	// …"), which ties the two RADIUS legs of an OTP sign-in together.
	State string
}

// Attr is one attribute of a message.
//
// Type is the RADIUS attribute number (1-255), the NPS-internal number
// (4096 and up, or negative for the RAS attributes), or the vendor type when
// Vendor is not zero. Value is the value rendered for people (an enum name, a
// dotted address, a date); Raw keeps the bytes where the source had them.
type Attr struct {
	Vendor    uint32
	Type      int32
	Name      string
	Value     string
	Raw       []byte
	Sensitive bool // redact unless the user asked for secrets
}

// AttrByName returns the first attribute named name, compared without regard
// to case.
func (m *Message) AttrByName(name string) (Attr, bool) {
	for _, a := range m.Attrs {
		if equalFold(a.Name, name) {
			return a, true
		}
	}
	return Attr{}, false
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
