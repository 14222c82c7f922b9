package npslog

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/radscope/radscope/dict"
	"github.com/radscope/radscope/model"
)

// The event sources NPS and the MFA extension write to.
const (
	SecurityProvider     = "Microsoft-Windows-Security-Auditing"
	SecurityProviderGUID = "{54849625-5478-4994-A5BA-3E3B0328C30D}"
	SecurityChannel      = "Security"
	AuthNProvider        = "Microsoft-AzureMfa-AuthN"
	AuthZProvider        = "Microsoft-AzureMfa-AuthZ"
	AuthNChannel         = "Microsoft-AzureMfa-AuthN/AuthNOptCh"
	AuthZChannel         = "Microsoft-AzureMfa-AuthZ/AuthZOptCh"
	AuthZAdminChannel    = "Microsoft-AzureMfa-AuthZ/AuthZAdminCh"
	eventNamespace       = "http://schemas.microsoft.com/win/2004/08/events/event"
	loggingResult        = "Accounting information was written to the local log file."
	mfaPrefix            = "NPS Extension for Azure MFA: "
)

// EventWriter writes Windows events as `wevtutil qe /f:xml` prints them:
// one <Event xmlns='…'> element per line (CRLF), System then EventData.
// It is safe for concurrent use.
type EventWriter struct {
	mu     sync.Mutex
	w      io.Writer
	buf    bytes.Buffer
	record uint64
}

// NewEventWriter returns an EventWriter to w.
func NewEventWriter(w io.Writer) *EventWriter { return &EventWriter{w: w} }

// Write writes m, a message of Kind event, as one event line:
//
//   - Security 6272 (granted), 6273 (denied) and 6274 (discarded), when
//     m.Event.ID is one of them (Provider and Channel default to the
//     Security-Auditing ones). 6272 and 6273 use the version 2 field set,
//     6274 version 1. A field comes from m.Event.Data when it has it, else
//     from the message (User, NASAddr, ClientName, Policy, Reason ...), else
//     "-". ReasonCode and Reason come from m.Reason and dict.LookupReason.
//   - AzureMfa events, when the provider or channel is an AzureMfa one or
//     m.MFA is set (default channel AuthZOptCh, event ID 1): the message is
//     m.MFA.Message, or the extension's text built from m.MFA (Outcome,
//     CID, State, Result, Error) and m.User.
//
// EventRecordID is m.Event.RecordID, or one more than the previous
// event's when that is 0.
func (w *EventWriter) Write(m model.Message) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	ev := model.Event{}
	if m.Event != nil {
		ev = *m.Event
	}
	if ev.RecordID == 0 {
		ev.RecordID = w.record + 1
	}
	w.record = ev.RecordID
	w.buf.Reset()
	switch {
	case ev.ID >= 6272 && ev.ID <= 6274 && (ev.Provider == "" || ev.Provider == SecurityProvider):
		w.security(&m, &ev)
	case m.MFA != nil || strings.Contains(ev.Provider, "AzureMfa") || strings.Contains(ev.Channel, "AzureMfa"):
		w.mfa(&m, &ev)
	default:
		return fmt.Errorf("%w: event %d from %q", ErrEvent, ev.ID, ev.Provider)
	}
	w.buf.WriteString("\r\n")
	if _, err := w.w.Write(w.buf.Bytes()); err != nil {
		return fmt.Errorf("npslog: %w", err)
	}
	return nil
}

// security6272 is the version 2 field set of 6272; 6273 v2 adds ReasonCode
// and Reason before LoggingResult; 6274 v1 is 6273 v2 without
// LoggingResult (mfa-extension-and-events.md §3.2).
var security6272 = []string{
	"SubjectUserSid", "SubjectUserName", "SubjectDomainName", "FullyQualifiedSubjectUserName",
	"SubjectMachineSID", "SubjectMachineName", "FullyQualifiedSubjectMachineName",
	"CalledStationID", "CallingStationID", "NASIPv4Address", "NASIPv6Address", "NASIdentifier",
	"NASPortType", "NASPort", "ClientName", "ClientIPAddress", "ProxyPolicyName", "NetworkPolicyName",
	"AuthenticationProvider", "AuthenticationServer", "AuthenticationType", "EAPType",
	"AccountSessionIdentifier",
}

func securityFields(id int) (fields []string, version int, keywords string) {
	fields = append([]string(nil), security6272...)
	switch id {
	case 6272:
		return append(fields, "LoggingResult"), 2, "0x8020000000000000"
	case 6273:
		return append(fields, "ReasonCode", "Reason", "LoggingResult"), 2, "0x8010000000000000"
	}
	return append(fields, "ReasonCode", "Reason"), 1, "0x8010000000000000"
}

func (w *EventWriter) security(m *model.Message, ev *model.Event) {
	names, version, keywords := securityFields(ev.ID)
	w.system(m, ev, SecurityProvider, SecurityProviderGUID, SecurityChannel, version, 0, 12552, keywords)
	b := &w.buf
	b.WriteString("<EventData>")
	for _, n := range names {
		v, ok := ev.Data[n]
		if !ok {
			v = securityValue(m, n)
		}
		if v == "" {
			v = "-"
		}
		b.WriteString("<Data Name='")
		b.WriteString(n)
		b.WriteString("'>")
		xmlEscape(b, cleanText(v))
		b.WriteString("</Data>")
	}
	b.WriteString("</EventData></Event>")
}

// securityValue derives a Security event field from the message.
func securityValue(m *model.Message, name string) string {
	d := dict.Default()
	attr := func(n string) string {
		if a, ok := m.AttrByName(n); ok {
			return a.Value
		}
		return ""
	}
	domain, user := "", m.User
	if i := strings.IndexByte(m.User, '\\'); i >= 0 {
		domain, user = m.User[:i], m.User[i+1:]
	}
	switch name {
	case "SubjectUserSid", "SubjectMachineSID":
		return "S-1-0-0"
	case "SubjectUserName":
		return user
	case "SubjectDomainName":
		return domain
	case "FullyQualifiedSubjectUserName":
		if v := attr("Fully-Qualifed-User-Name"); v != "" {
			return v
		}
		return m.User
	case "CalledStationID":
		return m.CalledStation
	case "CallingStationID":
		return m.CallingStation
	case "NASIPv4Address":
		if m.NASAddr.Is4() {
			return m.NASAddr.String()
		}
	case "NASIPv6Address":
		if m.NASAddr.Is6() {
			return m.NASAddr.String()
		}
	case "NASIdentifier":
		if m.NASID != "" {
			return m.NASID
		}
		return attr("NAS-Identifier")
	case "NASPortType":
		return nasPortType(d, attr("NAS-Port-Type"))
	case "NASPort":
		return attr("NAS-Port")
	case "ClientName":
		return m.ClientName
	case "ClientIPAddress":
		if m.ClientAddr.IsValid() {
			return m.ClientAddr.String()
		}
	case "ProxyPolicyName":
		return m.ProxyPolicy
	case "NetworkPolicyName":
		return m.Policy
	case "AuthenticationProvider":
		if p := attr("Provider-Type"); p != "" && p != "1" {
			return p
		}
		return "Windows"
	case "AuthenticationServer":
		return m.Computer
	case "AuthenticationType":
		return authType(d, m.AuthType)
	case "EAPType":
		return attr("EAP-Friendly-Name")
	case "AccountSessionIdentifier":
		if m.AcctSessionID != "" {
			return strings.ToUpper(hex.EncodeToString([]byte(m.AcctSessionID)))
		}
	case "ReasonCode":
		if m.Reason != model.NoReason {
			return strconv.Itoa(m.Reason)
		}
		return "0"
	case "Reason":
		code := m.Reason
		if code == model.NoReason {
			code = 0
		}
		return reasonText(code)
	case "LoggingResult":
		return loggingResult
	}
	return ""
}

// reasonText is the Reason text of an event: Microsoft's description, in
// its newer wording when the table gives both.
func reasonText(code int) string {
	r, _ := dict.LookupReason(code)
	t := r.Text
	const newer = "(Newer Windows versions word it: "
	if i := strings.Index(t, newer); i >= 0 {
		if rest := t[i+len(newer):]; strings.HasSuffix(rest, ")") {
			return strings.TrimSpace(rest[:len(rest)-1])
		}
		t = strings.TrimSpace(t[:i])
	}
	if t == "" {
		t = r.Short
	}
	return t
}

// Authentication types and NAS port types as the Security events spell
// them (the real samples); the rest as the dictionary names them.
var (
	eventAuthTypes = map[int]string{3: "MS-CHAPv1", 4: "MS-CHAPv2", 9: "MS-CHAPv1 CPW", 10: "MS-CHAPv2 CPW"}
	eventPortTypes = map[string]string{
		"Wireless-802.11": "Wireless - IEEE 802.11", "Wireless-Other": "Wireless - Other",
	}
)

func authType(d *dict.Dictionary, t int) string {
	if t == 0 {
		return ""
	}
	if s, ok := eventAuthTypes[t]; ok {
		return s
	}
	return d.ByName("Authentication-Type").ValueName(uint64(t))
}

func nasPortType(d *dict.Dictionary, v string) string {
	if v == "" {
		return ""
	}
	if n, err := strconv.ParseUint(v, 10, 32); err == nil {
		v = d.ByName("NAS-Port-Type").ValueName(n)
	}
	if s, ok := eventPortTypes[v]; ok {
		return s
	}
	return v
}

// system writes <Event xmlns=…><System>…</System>.
func (w *EventWriter) system(m *model.Message, ev *model.Event, provider, guid, channel string, version, level, task int, keywords string) {
	b := &w.buf
	if ev.Provider != "" {
		provider = ev.Provider
	}
	if ev.Channel != "" {
		channel = ev.Channel
	}
	b.WriteString("<Event xmlns='" + eventNamespace + "'><System><Provider Name='")
	xmlEscape(b, cleanText(provider))
	b.WriteByte('\'')
	if guid != "" {
		b.WriteString(" Guid='" + guid + "'")
	}
	b.WriteString("/><EventID>")
	b.WriteString(strconv.Itoa(ev.ID))
	b.WriteString("</EventID><Version>")
	b.WriteString(strconv.Itoa(version))
	b.WriteString("</Version><Level>")
	b.WriteString(strconv.Itoa(level))
	b.WriteString("</Level><Task>")
	b.WriteString(strconv.Itoa(task))
	b.WriteString("</Task><Opcode>0</Opcode><Keywords>")
	b.WriteString(keywords)
	b.WriteString("</Keywords><TimeCreated SystemTime='")
	b.WriteString(m.Time.UTC().Format("2006-01-02T15:04:05.0000000Z"))
	b.WriteString("'/><EventRecordID>")
	b.WriteString(strconv.FormatUint(ev.RecordID, 10))
	b.WriteString("</EventRecordID><Correlation/><Execution ProcessID='")
	b.WriteString(strconv.Itoa(processID(ev)))
	b.WriteString("' ThreadID='")
	b.WriteString(strconv.Itoa(threadID(ev)))
	b.WriteString("'/><Channel>")
	xmlEscape(b, cleanText(channel))
	b.WriteString("</Channel><Computer>")
	xmlEscape(b, cleanText(m.Computer))
	b.WriteString("</Computer><Security/></System>")
}

// The emulated NPS (IAS service, svchost) and the extension run in one
// process; real values vary per machine.
func processID(ev *model.Event) int { return intData(ev, "ProcessID", 680) }
func threadID(ev *model.Event) int  { return intData(ev, "ThreadID", 5044) }

func intData(ev *model.Event, k string, def int) int {
	if v, ok := ev.Data["System."+k]; ok {
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
	}
	return def
}

// MFA outcomes, as model.MFA.Outcome spells them.
const (
	outcomeAccepted  = "accepted"
	outcomeRejected  = "rejected"
	outcomeChallenge = "challenge"
	outcomeIgnored   = "ignored"
	outcomeError     = "error"
	outcomeWarning   = "warning"
)

func (w *EventWriter) mfa(m *model.Message, ev *model.Event) {
	mf := model.MFA{}
	if m.MFA != nil {
		mf = *m.MFA
	}
	text := mf.Message
	if text == "" {
		text = mfaText(m, &mf)
	}
	provider, channel := AuthZProvider, AuthZChannel
	if mf.Outcome == outcomeError && mf.Error == "ESTS_TOKEN_ERROR" {
		channel = AuthZAdminChannel
	}
	if strings.Contains(ev.Channel, "AuthN") || strings.Contains(ev.Provider, "AuthN") {
		provider, channel = AuthNProvider, AuthNChannel
	}
	if ev.ID == 0 {
		ev.ID = 1
	}
	level := 4 // Information
	switch mf.Outcome {
	case outcomeError:
		level = 2
	case outcomeWarning, outcomeRejected:
		level = 3
	}
	w.system(m, ev, provider, "", channel, 0, level, 0, "0x8000000000000000")
	b := &w.buf
	b.WriteString("<EventData><Data>")
	xmlEscape(b, cleanText(text))
	b.WriteString("</Data></EventData></Event>")
}

// mfaText builds the extension's message from its parts, in the grammar of
// the real samples (mfa-extension-and-events.md §3.1), typos kept.
func mfaText(m *model.Message, mf *model.MFA) string {
	user := m.User
	cid := mf.CID
	head := mfaPrefix + "CID: " + cid + " : "
	switch mf.Outcome {
	case outcomeChallenge:
		return head + "Challenge requested in Authentication Ext for User " + user + " with state " + mf.State
	case outcomeRejected:
		s := head + "Access Rejected for user " + user + " with Azure MFA response: " + orDefault(mf.Result, "AccessDenied")
		if mf.Method != "" {
			s += " and message: " + mf.Method
		}
		return s
	case outcomeIgnored:
		return "NPS Extension for Azure MFA only performs Secondary Auth for Radius requests in AccessAccept State. Request received for User " +
			user + " with response state " + orDefault(mf.Result, "AccessReject") + ", ignoring request."
	case outcomeError:
		code := orDefault(mf.Error, "UNKNOWN_ERROR")
		return mfaPrefix + "CID: " + cid + " :Exception in Authentication Ext for User " + user + " :: ErrorCode:: CID :" + cid + " " + code + " Msg:: " + errorText(code)
	case outcomeWarning:
		return mfaPrefix + orDefault(mf.Error, "WARNING") + "::"
	}
	return head + "Access Accepted for user " + user + " with Azure MFA response: " + orDefault(mf.Result, "Success")
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// errorText is the Msg:: text the extension writes for its error codes
// (from the real samples; a generic text for the others).
func errorText(code string) string {
	switch code {
	case "ESTS_TOKEN_ERROR":
		return "Verify the client certificate is properly enrolled in Azure against your tenant and the server can access URL in Registry STS_URL."
	case "REQUEST_MISSING_CODE":
		return "Challenge requested in Authentication Ext"
	}
	return "Enter ERROR_CODE @ https://go.microsoft.com/fwlink/?linkid=846827 for detailed troubleshooting steps."
}
