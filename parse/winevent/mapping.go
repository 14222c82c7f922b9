package winevent

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/radscope/radscope/dict"
	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/parse/winevent/evtx"
)

// Providers and channels the mapping recognises.
const (
	ProviderSecurity = "Microsoft-Windows-Security-Auditing"
	ProviderRDG      = "Microsoft-Windows-TerminalServices-Gateway"
	ChannelRDG       = "Microsoft-Windows-TerminalServices-Gateway/Operational"
	ChannelAuthN     = "Microsoft-AzureMfa-AuthN/AuthNOptCh"
	ChannelAuthZ     = "Microsoft-AzureMfa-AuthZ/AuthZOptCh"
	ChannelAuthZAdm  = "Microsoft-AzureMfa-AuthZ/AuthZAdminCh"
)

// Event is one event as an export gave it, before mapping: the fields of
// the event plus what a rendering added (message text, level name).
type Event struct {
	evtx.Event
	Message   string // rendered message text, "" when the export had none
	LevelName string // rendered level ("Information"), "" when none
}

// npsOutcome is what a Security event 6272-6280 implies.
var npsOutcome = map[int]struct {
	code    model.Code
	outcome string
	text    string
}{
	6272: {model.CodeAccessAccept, "granted", "Network Policy Server granted access to a user."},
	6273: {model.CodeAccessReject, "denied", "Network Policy Server denied access to a user."},
	6274: {model.CodeNone, "discarded", "Network Policy Server discarded the request for a user."},
	6275: {model.CodeNone, "discarded accounting", "Network Policy Server discarded the accounting request for a user."},
	6276: {model.CodeAccessAccept, "quarantined", "Network Policy Server quarantined a user."},
	6277: {model.CodeAccessAccept, "probation", "Network Policy Server granted access to a user but put it on probation because the host did not meet the defined health policy."},
	6278: {model.CodeAccessAccept, "full access", "Network Policy Server granted full access to a user because the host met the defined health policy."},
	6279: {model.CodeNone, "locked out", "Network Policy Server locked the user account due to repeated failed authentication attempts."},
	6280: {model.CodeNone, "unlocked", "Network Policy Server unlocked the user account."},
}

// authTypes maps the AuthenticationType strings of the Security events to
// the NPS Authentication-Type numbers (IAS attribute 4127).
var authTypes = map[string]int{
	"pap": 1, "chap": 2, "ms-chap": 3, "ms-chap v1": 3, "ms-chapv1": 3, "ms-chap v2": 4, "ms-chapv2": 4,
	"eap": 5, "arap": 6, "unauthenticated": 7, "extension": 8, "ms-chap v1 cpw": 9, "ms-chap v2 cpw": 10, "peap": 11,
}

// levelNames are the standard level names (winmeta.xml).
var levelNames = [...]string{"Information", "Critical", "Error", "Warning", "Information", "Verbose"}

// NPS System events: message skeletons with %n for the unnamed Data
// values, and the names the values get (reference §3.4).
var npsSystem = map[int]struct {
	text  string
	names []string
}{
	4400: {"A LDAP connection with domain controller %1 for domain %2 is established.", []string{"DomainController", "Domain"}},
	4402: {"There is no domain controller available for domain %1.", []string{"Domain"}},
	13:   {"A RADIUS message was received from the invalid RADIUS client IP address %1.", []string{"ClientIPAddress"}},
	18:   {"An Access-Request message was received from RADIUS client %1 with a Message-Authenticator attribute that is not valid.", []string{"ClientIPAddress"}},
}

// rdgText renders the RD Gateway events radscope explains (§3.5).
var rdgText = map[int]string{
	200: `The user "%Username%", on client computer "%IpAddress%", met connection authorization policy requirements and was therefore authorized to access the RD Gateway server. The authentication method used was: "%AuthType%" and connection protocol used: "%ConnectionProtocol%".`,
	201: `The user "%Username%", on client computer "%IpAddress%", did not meet connection authorization policy requirements and was therefore not authorized to access the RD Gateway server. The authentication method used was: "%AuthType%" and connection protocol used: "%ConnectionProtocol%". The following error occurred: "%ErrorCode%".`,
	300: `The user "%Username%", on client computer "%IpAddress%", met resource authorization policy requirements and was therefore authorized to connect to resource "%Resource%".`,
	302: `The user "%Username%", on client computer "%IpAddress%", connected to resource "%Resource%". Connection protocol used: "%ConnectionProtocol%".`,
	303: `The user "%Username%", on client computer "%IpAddress%", disconnected from the following network resource: "%Resource%". Before the user disconnected, the client transferred %BytesTransfered% bytes and received %BytesReceived% bytes. The client session duration was %SessionDuration% seconds.`,
	312: `The user "%Username%", on client computer "%IpAddress%", has initiated an outbound connection. This connection may not be authenticated yet.`,
}

var rdgOutcome = map[int]string{200: "authorized (CAP)", 201: "denied (CAP)", 300: "authorized (RAP)", 302: "connected", 303: "disconnected", 312: "connection initiated"}

// ToMessage maps one event to a model.Message (Kind event). Security
// events 6272-6280 fill the RADIUS key fields, AzureMfa messages fill MFA,
// NPS System and RD Gateway events their fields; every event, known or
// not, carries its EventData/UserData values as Attrs.
func ToMessage(e *Event, src model.Source) model.Message {
	ev := &e.Event
	m := model.Message{
		Time:     ev.TimeCreated,
		Kind:     model.KindEvent,
		Ident:    model.NoIdent,
		Reason:   model.NoReason,
		Computer: ev.Computer,
		Src:      src,
	}
	data := make(map[string]string, len(ev.Data)+len(ev.UserData))
	m.Attrs = make([]model.Attr, 0, len(ev.Data)+len(ev.UserData)+2)
	for _, f := range ev.Data {
		data[f.Name] = f.Value
		m.Attrs = append(m.Attrs, model.Attr{Name: f.Name, Value: f.Value})
	}
	for _, f := range ev.UserData {
		name := f.Name
		if i := strings.LastIndexByte(name, '/'); i >= 0 {
			name = name[i+1:]
		}
		if _, dup := data[name]; !dup {
			data[name] = f.Value
		}
		m.Attrs = append(m.Attrs, model.Attr{Name: name, Value: f.Value})
	}
	level := e.LevelName
	if level == "" && ev.Level >= 0 && ev.Level < len(levelNames) {
		level = levelNames[ev.Level]
	}
	m.Event = &model.Event{
		ID:       ev.EventID,
		Provider: ev.Provider,
		Channel:  ev.Channel,
		RecordID: ev.RecordID,
		Level:    level,
		Message:  e.Message,
		Data:     data,
	}
	switch {
	case isSecurityNPS(ev):
		mapSecurity(&m, ev.EventID, data)
	case isNPSSystem(ev):
		mapNPSSystem(&m, ev, data)
	case isRDG(ev):
		mapRDG(&m, ev.EventID, data)
	}
	mapMFA(&m, e)
	return m
}

func isSecurityNPS(ev *evtx.Event) bool {
	if _, ok := npsOutcome[ev.EventID]; !ok {
		return false
	}
	return ev.Provider == ProviderSecurity || strings.EqualFold(ev.Channel, "Security") ||
		strings.Contains(ev.Provider, "Security-Auditing")
}

func isNPSSystem(ev *evtx.Event) bool {
	p := strings.ToUpper(ev.Provider)
	if p != "NPS" && p != "IAS" && ev.EventSourceName != "NPS" && ev.EventSourceName != "IAS" {
		return false
	}
	return (ev.EventID >= 4400 && ev.EventID <= 4405) || ev.EventID == 13 || ev.EventID == 18 || npsSystem[ev.EventID].text != ""
}

func isRDG(ev *evtx.Event) bool {
	return ev.Provider == ProviderRDG || strings.EqualFold(ev.Channel, ChannelRDG) ||
		strings.Contains(ev.Provider, "TerminalServices-Gateway")
}

// clean turns the "-" Windows writes for an empty value into "".
func clean(s string) string {
	s = strings.TrimSpace(s)
	if s == "-" {
		return ""
	}
	return s
}

func addr(s string) netip.Addr {
	a, err := netip.ParseAddr(clean(s))
	if err != nil {
		return netip.Addr{}
	}
	return a
}

func mapSecurity(m *model.Message, id int, d map[string]string) {
	o := npsOutcome[id]
	m.Code = o.code
	m.Service = "IAS"
	m.Attrs = append(m.Attrs, model.Attr{Name: "Outcome", Value: o.outcome})
	if m.Event.Message == "" {
		m.Event.Message = o.text
	}
	m.User = clean(d["SubjectUserName"])
	if m.User == "" {
		m.User = clean(d["FullyQualifiedSubjectUserName"])
	}
	m.CallingStation = clean(d["CallingStationID"])
	m.CalledStation = clean(d["CalledStationID"])
	m.NASAddr = addr(d["NASIPv4Address"])
	if !m.NASAddr.IsValid() {
		m.NASAddr = addr(d["NASIPv6Address"])
	}
	m.NASID = clean(d["NASIdentifier"])
	m.ClientName = clean(d["ClientName"])
	m.ClientAddr = addr(d["ClientIPAddress"])
	m.ProxyPolicy = clean(d["ProxyPolicyName"])
	m.Policy = clean(d["NetworkPolicyName"])
	m.AcctSessionID = clean(d["AccountSessionIdentifier"])
	if at := clean(d["AuthenticationType"]); at != "" {
		m.AuthType = authTypes[strings.ToLower(at)]
	}
	if rc := clean(d["ReasonCode"]); rc != "" {
		if n, err := strconv.Atoi(rc); err == nil {
			m.Reason = n
		}
	} else if o.code == model.CodeAccessAccept {
		m.Reason = 0
	}
	if m.Reason > 0 && clean(d["Reason"]) == "" {
		m.Attrs = append(m.Attrs, model.Attr{Name: "Reason", Value: dict.ReasonText(m.Reason)})
	}
}

func mapNPSSystem(m *model.Message, ev *evtx.Event, d map[string]string) {
	m.Service = "IAS"
	spec := npsSystem[ev.EventID]
	for i, name := range spec.names {
		v, ok := d["Data"+strconv.Itoa(i+1)]
		if !ok {
			continue
		}
		m.Attrs = append(m.Attrs, model.Attr{Name: name, Value: v})
		m.Event.Data[name] = v
		if name == "ClientIPAddress" {
			m.ClientAddr = addr(v)
		}
	}
	if m.Event.Message == "" && spec.text != "" {
		text := spec.text
		for i := len(spec.names); i >= 1; i-- {
			text = strings.ReplaceAll(text, "%"+strconv.Itoa(i), d["Data"+strconv.Itoa(i)])
		}
		m.Event.Message = text
	}
	if !m.ClientAddr.IsValid() && (ev.EventID == 13 || ev.EventID == 18) {
		// Text exports: take the address from the message.
		for _, w := range strings.Fields(m.Event.Message) {
			if a := addr(strings.TrimRight(w, ".,")); a.IsValid() {
				m.ClientAddr = a
				break
			}
		}
	}
}

func mapRDG(m *model.Message, id int, d map[string]string) {
	m.User = clean(d["Username"])
	ip := clean(d["IpAddress"])
	if ap, err := netip.ParseAddrPort(ip); err == nil {
		ip = ap.Addr().String()
	}
	m.CallingStation = ip
	if o, ok := rdgOutcome[id]; ok {
		m.Attrs = append(m.Attrs, model.Attr{Name: "Outcome", Value: o})
	}
	if t, ok := rdgText[id]; ok && m.Event.Message == "" && m.User != "" {
		for k, v := range d {
			t = strings.ReplaceAll(t, "%"+k+"%", v)
		}
		m.Event.Message = t
	}
}

// mapMFA looks for a message of the MFA extension in the rendered text and
// in the data values (an .evtx of the AzureMfa channels stores the text as
// event data).
func mapMFA(m *model.Message, e *Event) {
	azure := strings.Contains(e.Channel, "AzureMfa") || strings.Contains(e.Provider, "AzureMfa")
	for i := -1; i < len(e.Data); i++ {
		s := e.Message
		if i >= 0 {
			s = e.Data[i].Value
		}
		if !strings.Contains(s, "NPS Extension") {
			continue
		}
		t, ok := ParseMFAText(s)
		if !ok {
			continue
		}
		mfa := t.MFA
		m.MFA = &mfa
		if m.User == "" {
			m.User = t.User
		}
		if m.Event.Message == "" {
			m.Event.Message = mfa.Message
		}
		for _, a := range []model.Attr{{Name: "MFA-CID", Value: mfa.CID}, {Name: "MFA-Outcome", Value: mfa.Outcome},
			{Name: "MFA-Result", Value: mfa.Result}, {Name: "MFA-Error", Value: mfa.Error}, {Name: "MFA-State", Value: mfa.State}} {
			if a.Value != "" {
				m.Attrs = append(m.Attrs, a)
			}
		}
		return
	}
	if azure && m.MFA == nil {
		// An AzureMfa event whose text radscope does not know: keep it.
		text := e.Message
		if text == "" && len(e.Data) > 0 {
			text = e.Data[0].Value
		}
		m.MFA = &model.MFA{Message: text}
	}
}
