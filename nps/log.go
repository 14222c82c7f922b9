package nps

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"strconv"
	"time"

	"layeh.com/radius"

	"github.com/radscope/radscope/dict"
	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/scenario"
)

// IAS attribute IDs of the NPS-internal attributes the records carry.
const (
	iasClientIPAddress    = 4108
	iasClientVendor       = 4116
	iasAuthenticationType = 4127
	iasClientFriendlyName = 4128
	iasSAMAccountName     = 4129
	iasFullyQualifiedUser = 4130
	iasPacketType         = 4136
	iasReasonCode         = 4142
	iasNPPolicyName       = 4149
	iasProxyPolicyName    = 4154
	iasProviderType       = 4155
)

func lookupReasonShort(code int) string {
	r, _ := dict.LookupReason(code)
	return r.Short
}

// iasAttr builds an NPS-internal attribute for a record.
func iasAttr(id int32, value string) model.Attr {
	a := dict.Default().IAS(id)
	name := dict.UnknownName(0, id)
	if a != nil {
		name = a.Name
		if a.Values != nil {
			if n, err := strconv.ParseUint(value, 10, 64); err == nil {
				value = a.ValueName(n)
			}
		}
	}
	return model.Attr{Type: id, Name: name, Value: value}
}

// wireAttrs renders the attributes of a packet for a record, leaving out
// what NPS never logs (passwords, CHAP and MS-CHAP responses, EAP,
// Message-Authenticator, State).
func wireAttrs(attrs radius.Attributes) []model.Attr {
	d := dict.Default()
	var out []model.Attr
	for _, a := range attrs {
		switch a.Type {
		case attrUserPassword, attrCHAPPassword, attrEAPMessage, attrMessageAuth, attrState, attrProxyState:
			continue
		case attrVendorSpecific:
			if len(a.Attribute) < 6 {
				continue
			}
			vendor := binary.BigEndian.Uint32(a.Attribute)
			b := a.Attribute[4:]
			for len(b) >= 2 {
				l := int(b[1])
				if l < 2 || l > len(b) {
					break
				}
				typ := int32(b[0])
				val := b[2:l]
				b = b[l:]
				da := d.Lookup(vendor, typ)
				if da != nil && (da.Sensitive || da.Encrypt != dict.EncryptNone) {
					continue
				}
				if vendor == vendorMicrosoft && (typ == msCHAPResponse || typ == msCHAP2Response || typ == msCHAPChallenge || typ == msCHAP2Success) {
					continue
				}
				name := dict.UnknownName(vendor, typ)
				if da != nil {
					name = da.Name
				}
				out = append(out, model.Attr{Vendor: vendor, Type: typ, Name: name, Value: da.FormatWire(val), Raw: append([]byte(nil), val...)})
			}
			continue
		}
		da := d.Lookup(0, int32(a.Type))
		if da != nil && (da.Sensitive || da.Encrypt != dict.EncryptNone) {
			continue
		}
		name := dict.UnknownName(0, int32(a.Type))
		if da != nil {
			name = da.Name
		}
		out = append(out, model.Attr{Type: int32(a.Type), Name: name, Value: da.FormatWire(a.Attribute), Raw: append([]byte(nil), a.Attribute...)})
	}
	return out
}

func (s *Server) vendorCode(c *scenario.Client) string {
	a := dict.Default().IAS(iasClientVendor)
	if a != nil {
		if v, ok := a.ValueByName(c.Vendor); ok {
			return strconv.FormatUint(v, 10)
		}
	}
	return "0"
}

// baseRecord fills the fields every record of r shares.
func (s *Server) baseRecord(r *request, code model.Code) model.Message {
	m := model.Message{
		Time:           r.arrived.In(s.loc),
		Kind:           model.KindRecord,
		Code:           code,
		Ident:          model.NoIdent,
		Computer:       s.sc.Server.ComputerName,
		Service:        "IAS",
		NASAddr:        r.nasIP,
		NASID:          r.nasID,
		ClientAddr:     r.from.Addr(),
		ClientName:     r.client.Name,
		CallingStation: r.calling,
		CalledStation:  r.called,
		Class:          s.classText(r.serial),
		Policy:         r.d.Policy,
		ProxyPolicy:    r.d.ProxyPolicy,
		Reason:         model.NoReason,
		AuthType:       r.d.AuthType,
		MFA:            r.d.MFA,
	}
	return m
}

// npsAttrs are the NPS-internal attributes of an authentication record.
func (s *Server) npsAttrs(r *request) []model.Attr {
	out := []model.Attr{
		iasAttr(iasClientIPAddress, r.from.Addr().String()),
		iasAttr(iasClientVendor, s.vendorCode(r.client)),
		iasAttr(iasClientFriendlyName, r.client.Name),
	}
	if r.d.ProxyPolicy != "" {
		out = append(out, iasAttr(iasProxyPolicyName, r.d.ProxyPolicy))
	}
	out = append(out, iasAttr(iasProviderType, "1"))
	if r.account != "" {
		out = append(out, iasAttr(iasSAMAccountName, r.account), iasAttr(iasFullyQualifiedUser, r.account))
	}
	if r.serial != 0 {
		out = append(out, model.Attr{Type: attrClass, Name: "Class", Value: s.classText(r.serial)})
	}
	if r.d.AuthType != 0 {
		out = append(out, iasAttr(iasAuthenticationType, strconv.Itoa(r.d.AuthType)))
	}
	if r.d.Policy != "" {
		out = append(out, iasAttr(iasNPPolicyName, r.d.Policy))
	}
	return out
}

// logRequest logs the request record once.
func (s *Server) logRequest(r *request) {
	if s.opts.Logger == nil || r.loggedRequest {
		return
	}
	r.loggedRequest = true
	m := s.baseRecord(r, r.d.Request)
	m.User = r.user
	m.AcctSessionID = string(r.pkt.Attributes.Get(attrAcctSessionID))
	m.Attrs = append(wireAttrs(r.pkt.Attributes), s.npsAttrs(r)...)
	m.Attrs = append(m.Attrs, iasAttr(iasPacketType, strconv.Itoa(int(r.d.Request))))
	reason := r.d.Reason
	if reason == model.NoReason {
		reason = 0
	}
	m.Reason = reason
	m.Attrs = append(m.Attrs, iasAttr(iasReasonCode, strconv.Itoa(reason)))
	s.opts.Logger.LogRecord(m)
}

// logOutcome logs the request record (unless already logged), the response
// record and, for Accept and Reject, the Security event.
func (s *Server) logOutcome(r *request, code model.Code, attrs radius.Attributes) {
	if s.opts.Logger == nil {
		return
	}
	s.logRequest(r)
	m := s.baseRecord(r, code)
	m.User = r.account
	m.Reason = r.d.Reason
	m.Attrs = s.npsAttrs(r)
	for _, a := range wireAttrs(attrs) {
		if a.Vendor == 0 && a.Type == attrClass && bytes.Equal(a.Raw, r.class) {
			continue // NPS's own Class is logged in its text form above
		}
		m.Attrs = append(m.Attrs, a)
	}
	m.Attrs = append(m.Attrs, iasAttr(iasPacketType, strconv.Itoa(int(code))), iasAttr(iasReasonCode, strconv.Itoa(r.d.Reason)))
	m.Time = s.clock.Now().In(s.loc)
	s.opts.Logger.LogRecord(m)
	switch code {
	case model.CodeAccessAccept:
		s.securityEvent(r, 6272, m.Time)
	case model.CodeAccessReject:
		s.securityEvent(r, 6273, m.Time)
	}
}

var authTypeNames = map[int]string{
	authPAP: "PAP", authCHAP: "MD5-CHAP", authMSCHAP: "MS-CHAPv1", authMSCHAPv2: "MS-CHAPv2",
	authEAP: "EAP", authUnauthenticated: "Unauthenticated", authExtension: "Extension", authPEAP: "PEAP",
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// securityEvent logs Security 6272 (granted) or 6273 (denied) with the
// EventData names of the real events.
func (s *Server) securityEvent(r *request, id int, at time.Time) {
	dom, sam := "", r.user
	if r.entry != nil {
		dom, sam = s.sc.Directory.Domain, r.entry.u.SAM
	}
	nasIP := ""
	if r.nasIP.IsValid() {
		nasIP = r.nasIP.String()
	}
	port := ""
	if b := r.pkt.Attributes.Get(attrNASPort); len(b) == 4 {
		port = strconv.FormatUint(uint64(binary.BigEndian.Uint32(b)), 10)
	}
	ptype := ""
	if r.hasPort {
		ptype = scenario.PortTypeName(r.portType)
	}
	eapType := ""
	switch r.method {
	case scenario.MethodEAPMSCHAPv2, scenario.MethodPEAP:
		eapType = "Microsoft: Secured password (EAP-MSCHAP v2)"
	}
	data := map[string]string{
		"SubjectUserSid":                   "S-1-0-0",
		"SubjectUserName":                  dash(sam),
		"SubjectDomainName":                dash(dom),
		"FullyQualifiedSubjectUserName":    dash(r.account),
		"SubjectMachineSID":                "S-1-0-0",
		"SubjectMachineName":               "-",
		"FullyQualifiedSubjectMachineName": "-",
		"CalledStationID":                  dash(r.called),
		"CallingStationID":                 dash(r.calling),
		"NASIPv4Address":                   dash(nasIP),
		"NASIPv6Address":                   "-",
		"NASIdentifier":                    dash(r.nasID),
		"NASPortType":                      dash(ptype),
		"NASPort":                          dash(port),
		"ClientName":                       r.client.Name,
		"ClientIPAddress":                  r.from.Addr().String(),
		"ProxyPolicyName":                  dash(r.d.ProxyPolicy),
		"NetworkPolicyName":                dash(r.d.Policy),
		"AuthenticationProvider":           "Windows",
		"AuthenticationServer":             s.sc.Server.ComputerName,
		"AuthenticationType":               dash(authTypeNames[r.d.AuthType]),
		"EAPType":                          dash(eapType),
		"AccountSessionIdentifier":         "-",
		"LoggingResult":                    "Accounting information was written to the local log file.",
	}
	if v := r.pkt.Attributes.Get(attrAcctSessionID); v != nil {
		data["AccountSessionIdentifier"] = string(v)
	}
	msg := "Network Policy Server granted access to a user."
	if id == 6273 {
		data["ReasonCode"] = strconv.Itoa(r.d.Reason)
		if r.d.Reason == ReasonExtensionRejected {
			data["Reason"] = ReasonText21
		} else {
			rr, _ := dict.LookupReason(r.d.Reason)
			data["Reason"] = rr.Text
		}
		msg = "Network Policy Server denied access to a user."
	}
	m := s.baseRecord(r, model.CodeNone)
	m.Kind = model.KindEvent
	m.Time = at
	m.User = r.user
	m.Reason = model.NoReason
	m.MFA = nil
	if id == 6273 {
		m.Reason = r.d.Reason
	}
	m.Event = &model.Event{ID: id, Provider: "Microsoft-Windows-Security-Auditing", Channel: "Security", Level: "Information", Message: msg, Data: data}
	s.opts.Logger.LogEvent(m)
}

// mfaEvent logs an AzureMfa AuthN/AuthZ event. outcome is the
// model.MFA Outcome (challenge, rejected, error, warning, ignored); when mf
// is the decision's MFA it gets the outcome and the text too.
func (s *Server) mfaEvent(r *request, channel, provider string, id int, level, outcome, text string, mf *model.MFA) {
	if mf == nil {
		mf = &model.MFA{}
	}
	mf.Outcome, mf.Message = outcome, text
	if s.opts.Logger == nil {
		return
	}
	m := model.Message{
		Time:       s.clock.Now().In(s.loc),
		Kind:       model.KindEvent,
		Ident:      model.NoIdent,
		Computer:   s.sc.Server.ComputerName,
		User:       r.user,
		ClientAddr: r.from.Addr(),
		ClientName: r.client.Name,
		Reason:     model.NoReason,
		Event:      &model.Event{ID: id, Provider: provider, Channel: channel, Level: level, Message: text},
	}
	c := *mf
	m.MFA = &c
	s.opts.Logger.LogEvent(m)
}

// systemEvent logs an NPS System event (13 unknown client, 14 malformed,
// 18 bad Message-Authenticator).
func (s *Server) systemEvent(at time.Time, id int, level, text string) {
	if s.opts.Logger == nil {
		return
	}
	s.opts.Logger.LogEvent(model.Message{
		Time: at.In(s.loc), Kind: model.KindEvent, Ident: model.NoIdent,
		Computer: s.sc.Server.ComputerName, Reason: model.NoReason,
		Event: &model.Event{ID: id, Provider: "NPS", Channel: "System", Level: level, Message: text},
	})
}

// accounting answers an Accounting-Request with an Accounting-Response and
// logs it.
func (s *Server) accounting(r *request) []byte {
	r.decodeCommon()
	p := r.pkt
	status := 0
	if b := p.Attributes.Get(attrAcctStatusType); len(b) == 4 {
		status = int(binary.BigEndian.Uint32(b))
	}
	r.d.Reason = ReasonSuccess
	r.debug("Accounting-Request", "status", status, "session", string(p.Attributes.Get(attrAcctSessionID)))
	if s.opts.Logger != nil {
		m := s.baseRecord(r, model.CodeAccountingRequest)
		m.User = r.user
		m.Class = ""
		if c := p.Attributes.Get(attrClass); c != nil {
			m.Class = classText(c)
		}
		m.AcctSessionID = string(p.Attributes.Get(attrAcctSessionID))
		m.AcctStatus = status
		m.Reason = 0
		m.Attrs = wireAttrs(p.Attributes)
		m.Attrs = append(m.Attrs,
			iasAttr(iasClientIPAddress, r.from.Addr().String()),
			iasAttr(iasClientVendor, s.vendorCode(r.client)),
			iasAttr(iasClientFriendlyName, r.client.Name),
			iasAttr(iasPacketType, "4"),
			iasAttr(iasReasonCode, "0"))
		s.opts.Logger.LogRecord(m)
	}
	return s.respond(r, radius.CodeAccountingResponse, nil)
}

// classText renders a Class value: the NPS binary form as "311 1 <ip>
// <date> <serial>", anything else as text or hex.
func classText(c []byte) string {
	if len(c) >= 26 && binary.BigEndian.Uint32(c) == 311 && binary.BigEndian.Uint16(c[4:]) == 1 {
		ip := netip.AddrFrom4([4]byte(c[6:10]))
		ft := binary.BigEndian.Uint64(c[10:18])
		t := time.Unix(0, int64(ft-116444736000000000)*100).UTC()
		return "311 1 " + ip.String() + " " + t.Format("01/02/2006 15:04:05") + " " + strconv.FormatUint(binary.BigEndian.Uint64(c[18:26]), 10)
	}
	a := dict.Default().Lookup(0, attrClass)
	return a.FormatWire(c)
}
