// Package explain is radscope's rule table: every NPS reason code, every
// error and response code of the NPS extension for Microsoft Entra MFA, and
// the findings no single record states (a NAS timeout shorter than the MFA
// wait, OTP over MS-CHAPv2, RD Gateway and number matching, Blast-RADIUS,
// clock skew, ...). Annotate attaches the findings of the rules a
// model.Flow triggers; Lookup serves `radscope explain CODE`.
package explain

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/radscope/radscope/dict"
	"github.com/radscope/radscope/model"
)

// Rule is one entry of the table.
type Rule struct {
	ID       string
	Severity model.Severity
	Title    string // a few words
	Explain  string // one sentence, general
	Remedy   string
	Detail   string   // Microsoft's text for a code, where there is one
	Keys     []string // what `radscope explain` finds it by besides its ID (a reason code, an MFA code)
	// Supersedes lists rules whose finding this rule's finding replaces on
	// the same flow (a derived rule says more than the bare reason code).
	Supersedes []string
	// Derived is true for rules that combine records (not one code).
	Derived bool

	check func(f *model.Flow) (text string, evidence []int)
}

// Check runs the rule on f and returns its finding, or false.
func (r *Rule) Check(f *model.Flow) (model.Finding, bool) {
	text, ev := r.check(f)
	if text == "" {
		return model.Finding{}, false
	}
	return model.Finding{Rule: r.ID, Severity: r.Severity, Text: text, Remedy: r.Remedy, Evidence: ev}, true
}

var (
	table []*Rule
	byID  = map[string]*Rule{}
	byKey = map[string][]*Rule{}
	// For Evaluate: the derived rules run on every flow, a code rule only
	// on flows that carry its code.
	derivedRules []*Rule
	mfaRules     []*Rule // in table order, parallel to mfaCodes
	reasonRules  = map[int]*Rule{}
)

func init() {
	derivedRules = derived()
	table = append(table, derivedRules...)
	for _, c := range mfaCodes {
		r := mfaRule(c)
		mfaRules = append(mfaRules, r)
		table = append(table, r)
	}
	for r := range dict.Reasons {
		rule := reasonRule(r)
		reasonRules[r.Code] = rule
		table = append(table, rule)
	}
	for _, r := range table {
		if byID[r.ID] != nil {
			panic("explain: duplicate rule " + r.ID)
		}
		byID[r.ID] = r
		for _, k := range r.Keys {
			byKey[strings.ToLower(k)] = append(byKey[strings.ToLower(k)], r)
		}
	}
}

// Rules returns the table: derived rules, MFA codes, NPS reason codes.
func Rules() []*Rule { return slices.Clone(table) }

// ByID returns the rule with the given ID.
func ByID(id string) (*Rule, bool) {
	r, ok := byID[id]
	return r, ok
}

// Lookup finds the rules for a reason code ("21"), an MFA code
// ("UserNotFound", case-insensitive), a rule ID, or the constant of a
// reason code (IAS_NO_SUCH_USER).
func Lookup(q string) []*Rule {
	q = strings.TrimSpace(q)
	if r, ok := byID[q]; ok {
		return []*Rule{r}
	}
	return slices.Clone(byKey[strings.ToLower(q)])
}

// Annotate runs every rule on f and sets f.Findings: the findings of the
// rules that trigger, minus those another finding supersedes, derived ones
// first.
func Annotate(f *model.Flow) {
	f.Findings = Evaluate(f)
}

// Evaluate returns the findings Annotate would set: those of every rule
// of the table, in table order. Only the rules of the MFA codes and the
// reason code the flow carries are run, since no other code rule can fire.
func Evaluate(f *model.Flow) []model.Finding {
	var out []model.Finding
	var drop map[string]bool
	run := func(r *Rule) {
		fd, ok := r.Check(f)
		if !ok {
			return
		}
		out = append(out, fd)
		for _, s := range r.Supersedes {
			if drop == nil {
				drop = map[string]bool{}
			}
			drop[s] = true
		}
	}
	for _, r := range derivedRules {
		run(r)
	}
	if codes := mfaCodesOf(f); len(codes) > 0 {
		for i, c := range mfaCodes {
			for _, x := range codes {
				if x == c.Code {
					run(mfaRules[i])
					break
				}
			}
		}
	}
	if r := reasonRules[f.Reason]; r != nil {
		run(r)
	}
	if len(drop) == 0 {
		return out
	}
	kept := out[:0]
	for _, fd := range out {
		if !drop[fd.Rule] {
			kept = append(kept, fd)
		}
	}
	return kept
}

// mfaCodesOf lists the MFA result and error codes in a flow's messages.
func mfaCodesOf(f *model.Flow) []string {
	var out []string
	for i := range f.Messages {
		if m := f.Messages[i].MFA; m != nil {
			if m.Result != "" {
				out = append(out, m.Result)
			}
			if m.Error != "" {
				out = append(out, m.Error)
			}
		}
	}
	return out
}

func mfaRule(c mfaCode) *Rule {
	code := c.Code
	return &Rule{
		ID: "mfa-" + code, Severity: c.Severity, Title: "MFA: " + code,
		Explain: c.Cause, Remedy: c.Remedy, Detail: c.Message, Keys: []string{code},
		check: func(f *model.Flow) (string, []int) {
			ev := messagesWhere(f, func(m *model.Message) bool {
				return m.MFA != nil && (m.MFA.Result == code || m.MFA.Error == code)
			})
			if ev == nil {
				return "", nil
			}
			who := mfaUser(f)
			if who == "" {
				return fmt.Sprintf("The MFA extension reported %s: %s", code, lowerFirst(c.Cause)), ev
			}
			return fmt.Sprintf("The MFA extension reported %s for %s: %s", code, who, lowerFirst(c.Cause)), ev
		},
	}
}

func reasonRule(r dict.Reason) *Rule {
	code := r.Code
	sev := model.SeverityError
	switch code {
	case 0:
		sev = model.SeverityInfo
	case 9:
		sev = model.SeverityWarning
	}
	keys := []string{strconv.Itoa(code)}
	if r.Const != "" {
		keys = append(keys, r.Const)
	}
	detail := r.Text
	return &Rule{
		ID: "nps-reason-" + strconv.Itoa(code), Severity: sev, Title: fmt.Sprintf("NPS reason %d: %s", code, r.Short),
		Explain: r.Cause, Remedy: r.Remedy, Detail: detail, Keys: keys,
		check: func(f *model.Flow) (string, []int) {
			if code == 0 || f.Reason != code {
				return "", nil
			}
			ev := messagesWhere(f, func(m *model.Message) bool { return m.Reason == code && !m.Code.IsRequest() })
			verb := "rejected"
			if f.Outcome == model.OutcomeDiscarded || code == 9 {
				verb = "discarded"
			}
			return fmt.Sprintf("NPS %s %s with reason %d (%s)%s: %s", verb, who(f), code, r.Short, policies(f), lowerFirst(r.Cause)), ev
		},
	}
}

// who names the user and the NAS of a flow for a sentence.
func who(f *model.Flow) string {
	s := "the request"
	if f.User != "" {
		s = "the request of " + f.User
	}
	if f.NAS != "" {
		s += " from " + f.NAS
	}
	return s
}

// policies names the policies NPS matched, for a sentence.
func policies(f *model.Flow) string {
	var p []string
	if f.ProxyPolicy != "" {
		p = append(p, fmt.Sprintf("connection request policy %q", f.ProxyPolicy))
	}
	if f.Policy != "" {
		p = append(p, fmt.Sprintf("network policy %q", f.Policy))
	}
	if len(p) == 0 {
		return ""
	}
	return " under " + strings.Join(p, " and ")
}

func lowerFirst(s string) string {
	if s == "" || len(s) > 1 && s[1] >= 'A' && s[1] <= 'Z' {
		return s // an acronym such as NPS
	}
	return strings.ToLower(s[:1]) + s[1:]
}

func messagesWhere(f *model.Flow, pred func(*model.Message) bool) []int {
	var out []int
	for i := range f.Messages {
		if pred(&f.Messages[i]) {
			out = append(out, i)
		}
	}
	return out
}

// mfaUser is the name the MFA extension used, else the flow's user.
func mfaUser(f *model.Flow) string {
	for i := range f.Messages {
		m := &f.Messages[i]
		if m.MFA != nil && m.User != "" {
			return m.User
		}
	}
	return f.User
}
