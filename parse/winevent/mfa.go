package winevent

import (
	"regexp"
	"strings"

	"github.com/radscope/radscope/model"
)

// MFA outcomes (model.MFA.Outcome).
const (
	MFAAccepted  = "accepted"
	MFARejected  = "rejected"
	MFAChallenge = "challenge"
	MFAIgnored   = "ignored"
	MFAError     = "error"
	MFAWarning   = "warning"
)

// The message grammar of the NPS extension for Microsoft Entra MFA, from
// every real sample (reference mfa-extension-and-events.md §3.1). The
// patterns keep the extension's typos and accept the spelling variants:
// "Azure MFA" and the longer product names, one or two spaces after the
// colon, a garbled second CID, user names with spaces.
var (
	mfaPrefix = regexp.MustCompile(`(?s)^\s*"?NPS Extension for (?:Azure MFA|Azure Multi-Factor Authentication|Microsoft Entra multifactor authentication|Microsoft Entra MFA)(?:\s*\((Access\w+)\))?\s*:?\s*`)
	mfaCID    = regexp.MustCompile(`^CID:\s*([0-9A-Fa-f-]{8,})\s*:\s*`)

	mfaChallenge = regexp.MustCompile(`(?i)^Challenge requested in Authentication Ext for User (\S+?)(?: with state ([0-9A-Fa-f-]{8,}))?\.?\s*$`)
	mfaRejected  = regexp.MustCompile(`(?is)^Access Rejected for user (.+?) with (?:Azure MFA|Azure Multi-Factor Authentication|Microsoft Entra MFA|Microsoft Entra multifactor authentication) response:\s*(\w+)(?:\s+and message:\s*(.*))?$`)
	mfaAccepted  = regexp.MustCompile(`(?is)^Access Accepted for user (.+?)(?: with (?:Azure MFA|Azure Multi-Factor Authentication|Microsoft Entra MFA|Microsoft Entra multifactor authentication) response:\s*(\w+))?(?:\s+and message:\s*(.*))?\.?$`)
	mfaException = regexp.MustCompile(`(?is)^Exception in Authentication Ext for User (.+?)\s*::\s*ErrorCode::\s*(?:CID\s*:\s*\S+\s+)?([A-Z][A-Z_]+)\s+Msg::\s*(.*)$`)
	mfaIgnored   = regexp.MustCompile(`(?is)only performs Secondary Auth for Radius requests in AccessAccept State\.?\s*Request received for User (.+?) with response state (Access\w+),?\s*ignoring request`)
	mfaErrorCode = regexp.MustCompile(`ErrorCode::\s*([A-Z][A-Z_]+[A-Z])`)
	mfaCodeWord  = regexp.MustCompile(`\b([A-Z]+(?:_[A-Z]+)*_(?:ERROR|WARNING|SUPPORT))\b`)
	mfaNASMiss   = regexp.MustCompile(`(?i)missing NAS Identifier and Nas IpAddress`)
)

// MFAText is what one message of the MFA extension says.
type MFAText struct {
	MFA  model.MFA
	User string // the user the message names, "" when none
}

// ParseMFAText reads one message of the NPS extension for Microsoft Entra
// MFA. ok is false when s is not such a message.
func ParseMFAText(s string) (MFAText, bool) {
	var out MFAText
	s = strings.TrimSpace(s)
	loc := mfaPrefix.FindStringSubmatchIndex(s)
	if loc == nil {
		// The "ignoring request" line can follow an empty prefixed line.
		if m := mfaIgnored.FindStringSubmatch(s); m != nil {
			return ignored(s, m), true
		}
		return out, false
	}
	out.MFA.Message = s
	body := s[loc[1]:]
	if m := mfaIgnored.FindStringSubmatch(s); m != nil {
		return ignored(s, m), true
	}
	if m := mfaCID.FindStringSubmatch(body); m != nil {
		out.MFA.CID = strings.ToLower(m[1])
		body = body[len(m[0]):]
	}
	switch {
	case mfaChallenge.MatchString(body):
		m := mfaChallenge.FindStringSubmatch(body)
		out.User, out.MFA.State = m[1], strings.ToLower(m[2])
		out.MFA.Outcome = MFAChallenge
		out.MFA.Result = "Challenge"
	case mfaRejected.MatchString(body):
		m := mfaRejected.FindStringSubmatch(body)
		out.User, out.MFA.Result = strings.TrimSpace(m[1]), m[2]
		out.MFA.Outcome = MFARejected
	case mfaAccepted.MatchString(body):
		m := mfaAccepted.FindStringSubmatch(body)
		out.User = strings.TrimSpace(m[1])
		out.MFA.Result = m[2]
		if out.MFA.Result == "" {
			out.MFA.Result = "Success"
		}
		out.MFA.Outcome = MFAAccepted
	case mfaException.MatchString(body):
		m := mfaException.FindStringSubmatch(body)
		out.User, out.MFA.Error = strings.TrimSpace(m[1]), m[2]
		out.MFA.Outcome = MFAError
	default:
		if m := mfaErrorCode.FindStringSubmatch(body); m != nil {
			out.MFA.Error = m[1]
			out.MFA.Outcome = MFAError
		} else if m := mfaCodeWord.FindStringSubmatch(body); m != nil {
			out.MFA.Error = m[1]
			out.MFA.Outcome = MFAWarning
			if strings.HasSuffix(m[1], "_ERROR") {
				out.MFA.Outcome = MFAError
			}
		} else if mfaNASMiss.MatchString(body) {
			out.MFA.Outcome = MFAWarning
		}
	}
	return out, true
}

func ignored(s string, m []string) MFAText {
	return MFAText{User: strings.TrimSpace(m[1]), MFA: model.MFA{
		Outcome: MFAIgnored, Result: m[2], Message: strings.TrimSpace(s),
	}}
}
