package winevent

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/radscope/radscope/parse/winevent/evtx"
)

// base6272 is the EventData of Security event 6272 version 1, the base the
// other templates are described against (reference §3.2, from the
// provider manifest).
var base6272 = []string{"SubjectUserSid", "SubjectUserName", "SubjectDomainName", "FullyQualifiedSubjectUserName",
	"SubjectMachineSID", "SubjectMachineName", "FullyQualifiedSubjectMachineName", "MachineInventory",
	"CalledStationID", "CallingStationID", "NASIPv4Address", "NASIPv6Address", "NASIdentifier", "NASPortType",
	"NASPort", "ClientName", "ClientIPAddress", "ProxyPolicyName", "NetworkPolicyName", "AuthenticationProvider",
	"AuthenticationServer", "AuthenticationType", "EAPType", "AccountSessionIdentifier", "QuarantineState",
	"QuarantineSessionIdentifier", "LoggingResult"}

func without(names []string, drop ...string) []string {
	return slices.DeleteFunc(slices.Clone(names), func(s string) bool { return slices.Contains(drop, s) })
}

func insertAfter(names []string, after string, add ...string) []string {
	i := slices.Index(names, after)
	return slices.Insert(slices.Clone(names), i+1, add...)
}

var (
	t6273v0 = insertAfter(without(base6272, "QuarantineState", "QuarantineSessionIdentifier", "LoggingResult"), "AccountSessionIdentifier", "ReasonCode", "Reason")
	t6273v1 = insertAfter(without(base6272, "QuarantineState", "QuarantineSessionIdentifier"), "AccountSessionIdentifier", "ReasonCode", "Reason")
	t6273v2 = without(t6273v1, "MachineInventory")
	t6274v1 = without(t6273v0, "MachineInventory")
	t6276v0 = insertAfter(without(base6272, "QuarantineSessionIdentifier", "LoggingResult"), "QuarantineState",
		"ExtendedQuarantineState", "QuarantineSessionID", "QuarantineHelpURL", "QuarantineSystemHealthResult")
	t6277v0 = insertAfter(t6276v0, "QuarantineHelpURL", "QuarantineGraceTime")
	t6279v0 = base6272[:4]
)

// FieldNames returns the EventData names of Security event id in version
// ver, in order, or nil when radscope does not know the template. Exports
// that keep only positional values (Get-WinEvent Properties) are named
// with it.
func FieldNames(id, ver int) []string {
	switch id {
	case 6272:
		switch ver {
		case 0:
			return base6272[:26]
		case 1:
			return base6272
		default:
			return without(base6272, "MachineInventory", "QuarantineState", "QuarantineSessionIdentifier")
		}
	case 6273:
		switch ver {
		case 0:
			return t6273v0
		case 1:
			return t6273v1
		default:
			return t6273v2
		}
	case 6274, 6275:
		if ver == 0 {
			return t6273v0
		}
		return t6274v1
	case 6276, 6278:
		return t6276v0
	case 6277:
		return t6277v0
	case 6279, 6280:
		return t6279v0
	}
	return nil
}

// Labels of the rendered Security messages (Event Viewer, Format-List,
// wevtutil /f:text), per section; "Security ID" and "Account Name" occur
// in two sections.
var sectionLabels = map[string]map[string]string{
	"user": {"security id": "SubjectUserSid", "account name": "SubjectUserName", "account domain": "SubjectDomainName",
		"fully qualified account name": "FullyQualifiedSubjectUserName"},
	"client machine": {"security id": "SubjectMachineSID", "account name": "SubjectMachineName",
		"fully qualified account name": "FullyQualifiedSubjectMachineName", "os-version": "MachineInventory",
		"called station identifier": "CalledStationID", "calling station identifier": "CallingStationID"},
	"nas": {"nas ipv4 address": "NASIPv4Address", "nas ipv6 address": "NASIPv6Address", "nas identifier": "NASIdentifier",
		"nas port-type": "NASPortType", "nas port": "NASPort"},
	"radius client": {"client friendly name": "ClientName", "client ip address": "ClientIPAddress"},
	"authentication details": {"connection request policy name": "ProxyPolicyName", "proxy policy name": "ProxyPolicyName",
		"network policy name": "NetworkPolicyName", "authentication provider": "AuthenticationProvider",
		"authentication server": "AuthenticationServer", "authentication type": "AuthenticationType", "eap type": "EAPType",
		"account session identifier": "AccountSessionIdentifier", "logging results": "LoggingResult",
		"reason code": "ReasonCode", "reason": "Reason"},
	"quarantine information": {"result": "QuarantineState", "session identifier": "QuarantineSessionIdentifier",
		"extended result": "ExtendedQuarantineState", "help url": "QuarantineHelpURL",
		"system health validator result(s)": "QuarantineSystemHealthResult", "grace time": "QuarantineGraceTime"},
}

// labelAnywhere finds a label whatever the section (for messages whose
// section headers got lost).
var labelAnywhere = func() map[string]string {
	m := map[string]string{}
	for _, sec := range []string{"quarantine information", "authentication details", "radius client", "nas", "client machine", "user"} {
		for k, v := range sectionLabels[sec] {
			m[k] = v
		}
	}
	return m
}()

var labelLine = regexp.MustCompile(`^\s*([A-Za-z][A-Za-z0-9 ()/-]*?):(?:\s+(.*?))?\s*$`)

// ParseSecurityMessage reads the EventData fields out of the rendered text
// of a Security event 6272-6280. Values may follow their label on the same
// line or, as in Event Viewer's copy, on the next line.
func ParseSecurityMessage(msg string) []evtx.Field {
	lines := strings.Split(strings.ReplaceAll(msg, "\r\n", "\n"), "\n")
	var out []evtx.Field
	section := ""
	isLabel := func(s string) (string, string, bool) {
		m := labelLine.FindStringSubmatch(s)
		if m == nil {
			return "", "", false
		}
		return strings.ToLower(strings.TrimSpace(m[1])), m[2], true
	}
	for i := 0; i < len(lines); i++ {
		label, val, ok := isLabel(lines[i])
		if !ok {
			continue
		}
		if _, sec := sectionLabels[label]; sec && val == "" {
			section = label
			continue
		}
		name, known := sectionLabels[section][label]
		if !known {
			name, known = labelAnywhere[label]
		}
		if !known {
			continue
		}
		if val == "" {
			// Event Viewer's copy puts the value on the next line.
			for j := i + 1; j < len(lines); j++ {
				next := strings.TrimSpace(lines[j])
				if next == "" {
					continue
				}
				if l, _, ok := isLabel(lines[j]); ok {
					if _, isSec := sectionLabels[l]; isSec || sectionLabels[section][l] != "" || labelAnywhere[l] != "" {
						break
					}
				}
				val = next
				i = j
				break
			}
		}
		out = append(out, evtx.Field{Name: name, Value: strings.TrimSpace(val)})
	}
	return out
}

var rdgMessage = regexp.MustCompile(`(?s)The user ["“](?P<Username>[^"”]*)["”], on client computer ["“](?P<IpAddress>[^"”]*)["”]` +
	`(?:.*?resource ["“](?P<Resource>[^"”]*)["”])?` +
	`(?:.*?authentication method used was: ["“](?P<AuthType>[^"”]*)["”])?` +
	`(?:.*?connection protocol used: ["“](?P<ConnectionProtocol>[^"”]*)["”])?` +
	`(?:.*?error occurred: ["“](?P<ErrorCode>[^"”]*)["”])?`)

// ParseRDGMessage reads the fields of an RD Gateway event from its text.
func ParseRDGMessage(msg string) []evtx.Field {
	m := rdgMessage.FindStringSubmatch(msg)
	if m == nil {
		return nil
	}
	var out []evtx.Field
	for i, name := range rdgMessage.SubexpNames() {
		if name != "" && m[i] != "" {
			out = append(out, evtx.Field{Name: name, Value: m[i]})
		}
	}
	return out
}

// fieldsFromMessage names the data of an event that an export kept only as
// rendered text.
func fieldsFromMessage(provider, channel string, id int, msg string) []evtx.Field {
	switch {
	case id >= 6272 && id <= 6280:
		return ParseSecurityMessage(msg)
	case strings.Contains(provider, "TerminalServices-Gateway") || strings.Contains(channel, "TerminalServices-Gateway"):
		return ParseRDGMessage(msg)
	}
	return nil
}

// Time layouts of exports that write local times without a zone.
var localLayouts = []string{
	"1/2/2006 3:04:05 PM", "1/2/2006 15:04:05", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999",
	"2006/01/02 15:04:05", "02.01.2006 15:04:05", "2.1.2006 15:04:05", "Monday, January 2, 2006 3:04:05 PM",
}

// parseLocalTime reads a time as Windows exports print it; times without a
// zone are in loc.
func parseLocalTime(s string, loc *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, true
	}
	for _, l := range localLayouts {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// msDate reads the "/Date(1709621892345)/" form of ConvertTo-Json.
var msDate = regexp.MustCompile(`^/Date\((-?\d+)([+-]\d{4})?\)/$`)

func parseMSDate(s string) (time.Time, bool) {
	m := msDate.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, false
	}
	ms, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.UnixMilli(ms).UTC(), true
}
