package scenario

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/radscope/radscope/model"
)

// Placeholder marks, in an inferred scenario, a value a human must decide:
// secrets and passwords are never in the inputs.
const Placeholder = "CHANGE-ME"

type inferNAS struct {
	name, addr   string
	rdg          bool
	maSeen, noMA int
	timeout      time.Duration
	retries      int
	policies     map[string]bool
}

type inferUser struct {
	sam, upn, domain string
	groupsOf         map[string]bool // network policies that granted them
	mfaResult        string
	mfaMethod        string
	mfaLatency       time.Duration
	challenged       bool
}

// Infer drafts a scenario from observed flows: the NPS server's name and
// address, one client per NAS (with the timeout and retries its
// retransmits show and whether it sends Message-Authenticator), the users
// with their domain and UPN suffix and what MFA said for them (method,
// result, latency), the connection request and network policies by name,
// and whether the MFA extension is installed. Secrets and passwords are
// never in the inputs: they are written as CHANGE-ME, with a comment on
// every line a human must decide. The result parses with Parse.
func Infer(flows []*model.Flow) []byte {
	nases := map[string]*inferNAS{}
	users := map[string]*inferUser{}
	crps, nps := map[string]bool{}, map[string]bool{}
	computers := map[string]int{}
	var serverAddr string
	domains, suffixes := map[string]int{}, map[string]int{}
	mfaSeen := false
	var rum string
	for _, f := range flows {
		if f.Kind == model.FlowUnmatched {
			continue
		}
		if f.Computer != "" {
			computers[f.Computer]++
		}
		if a := classServer(f.Class); a != "" {
			serverAddr = a
		}
		for i := range f.Messages {
			m := &f.Messages[i]
			if m.Kind == model.KindPacket && m.Code == model.CodeAccessRequest && m.Server.IsValid() && serverAddr == "" {
				serverAddr = m.Server.Addr().String()
			}
		}
		key := f.Client
		if key == "" {
			key = f.NAS
		}
		if key != "" {
			n := nases[key]
			if n == nil {
				n = &inferNAS{name: f.NAS, addr: f.Client, policies: map[string]bool{}}
				nases[key] = n
			}
			if strings.EqualFold(f.CallingStation, "UserAuthType:PW") || strings.EqualFold(f.CalledStation, "UserAuthType:PW") {
				n.rdg = true
			}
			for _, r := range f.Rounds {
				if r.Request < 0 {
					continue
				}
				m := &f.Messages[r.Request]
				if m.Kind == model.KindPacket && m.Code == model.CodeAccessRequest && m.Check != nil {
					if m.Check.MessageAuthenticator == model.Absent {
						n.noMA++
					} else {
						n.maSeen++
					}
				}
				if len(r.Retransmits) > 0 {
					gap := f.Messages[r.Retransmits[0]].Time.Sub(m.Time).Round(time.Second)
					if gap > 0 && (n.timeout == 0 || gap < n.timeout) {
						n.timeout = gap
					}
					n.retries = max(n.retries, len(r.Retransmits))
				}
			}
			if f.Policy != "" {
				n.policies[f.Policy] = true
			}
		}
		if f.ProxyPolicy != "" {
			crps[f.ProxyPolicy] = true
		}
		if f.Policy != "" {
			nps[f.Policy] = true
		}
		if f.Kind != model.FlowAuth || f.User == "" {
			continue
		}
		domain, sam, upn := splitUser(f.User)
		if domain != "" {
			domains[domain]++
		}
		if _, suf, ok := strings.Cut(upn, "@"); ok {
			suffixes[suf]++
		}
		u := users[strings.ToLower(sam)]
		if u == nil {
			u = &inferUser{sam: sam, upn: upn, domain: domain, groupsOf: map[string]bool{}}
			users[strings.ToLower(sam)] = u
		}
		if f.Policy != "" && f.Outcome == model.OutcomeAccepted {
			u.groupsOf[f.Policy] = true
		}
		if f.MFA != nil {
			mfaSeen = true
			// What Entra said counts only where the extension decided:
			// NPS's own rejects (16, 48 ...) never reached it.
			decided := f.Reason == 21 || f.Outcome == model.OutcomeAccepted || f.Outcome == model.OutcomeChallengeAbandoned
			if f.MFA.Result != "" && decided {
				u.mfaResult = f.MFA.Result
			}
			if f.MFA.Method != "" {
				u.mfaMethod = f.MFA.Method
			}
			if f.MFA.Result == "Success" && f.Latency > 0 {
				u.mfaLatency = f.Latency.Round(100 * time.Millisecond)
			}
			if f.MFA.Result == "NoDefaultAuthenticationMethodIsConfigured" {
				rum = "TRUE"
			}
		}
		if f.Reason == 21 {
			mfaSeen = true
		}
		for _, r := range f.Rounds {
			if r.Code == model.CodeAccessChallenge {
				u.challenged = true
			}
		}
	}
	var b strings.Builder
	b.WriteString("# Drafted by radscope scenario infer from observed traffic. Lines marked\n")
	b.WriteString("# " + Placeholder + " need a human: secrets and passwords are never in the inputs,\n")
	b.WriteString("# and policy conditions are guessed. Check with radscope scenario check.\n\n")
	b.WriteString("server:\n")
	fmt.Fprintf(&b, "  computer_name: %s\n", q(top(computers, "NPS01")))
	if serverAddr != "" {
		fmt.Fprintf(&b, "  address: %s\n", serverAddr)
	}
	b.WriteString("  time_zone: UTC                # " + Placeholder + ": the NPS server's zone\n\n")
	b.WriteString("clients:\n")
	if len(nases) == 0 {
		b.WriteString("  []\n")
	}
	for i, key := range sortedKeys(nases) {
		n := nases[key]
		name := n.name
		if name == "" || name == n.addr {
			name = fmt.Sprintf("nas-%d", i+1)
		}
		addr := n.addr
		if _, err := netip.ParseAddr(addr); err != nil {
			addr = "127.0.0.1"
			fmt.Fprintf(&b, "  - name: %s\n    address: %s        # %s: the NAS's address was not seen\n", q(name), addr, Placeholder)
		} else {
			fmt.Fprintf(&b, "  - name: %s\n    address: %s\n", q(name), addr)
		}
		fmt.Fprintf(&b, "    secret: %s              # %s: the shared secret (or env:VAR)\n", Placeholder, Placeholder)
		if n.maSeen > 0 && n.noMA == 0 {
			b.WriteString("    require_message_authenticator: true   # every request seen carried one\n")
		}
		switch {
		case n.timeout > 0:
			fmt.Fprintf(&b, "    timeout: %s                 # from the retransmits seen\n    retries: %d\n", n.timeout, n.retries)
		case n.rdg:
			b.WriteString("    timeout: 3s                 # the RD Gateway default\n    retries: 2\n")
		}
	}
	b.WriteString("\ndirectory:\n")
	fmt.Fprintf(&b, "  domain: %s\n", q(top(domains, "CONTOSO")))
	if s := top(suffixes, ""); s != "" {
		fmt.Fprintf(&b, "  upn_suffix: %s\n", q(s))
	}
	b.WriteString("  users:\n")
	if len(users) == 0 {
		b.WriteString("    []\n")
	}
	for _, k := range sortedKeys(users) {
		u := users[k]
		fmt.Fprintf(&b, "    - sam: %s\n", q(u.sam))
		if u.upn != "" && !strings.EqualFold(u.upn, u.sam+"@"+top(suffixes, "")) {
			fmt.Fprintf(&b, "      upn: %s\n", q(u.upn))
		}
		fmt.Fprintf(&b, "      password: %s          # %s: logs and captures hold no usable password\n", Placeholder, Placeholder)
		if gs := sortedKeys(u.groupsOf); len(gs) > 0 {
			qs := make([]string, len(gs))
			for i, g := range gs {
				qs[i] = q(g)
			}
			fmt.Fprintf(&b, "      groups: [%s]   # named after the network policies that granted access\n", strings.Join(qs, ", "))
		}
		b.WriteString("      mfa:\n")
		b.WriteString(userMFA(u))
	}
	b.WriteString("\nconnection_request_policies:\n")
	if len(crps) == 0 {
		b.WriteString("  - name: Use Windows authentication for all users\n    action: authenticate\n")
	}
	for _, p := range sortedKeys(crps) {
		fmt.Fprintf(&b, "  - name: %s\n    action: authenticate        # %s: conditions\n", q(p), Placeholder)
	}
	b.WriteString("\nnetwork_policies:\n")
	if len(nps) == 0 {
		b.WriteString("  []\n")
	}
	for _, p := range sortedKeys(nps) {
		fmt.Fprintf(&b, "  - name: %s\n    conditions:                 # %s: the policy's real conditions\n      windows_groups: [%s]\n    access: grant\n    auth_methods: [pap, chap, mschap, mschapv2, eap-mschapv2, peap]\n", q(p), Placeholder, q(p))
	}
	b.WriteString("\nmfa:\n")
	fmt.Fprintf(&b, "  installed: %t\n", mfaSeen)
	if mfaSeen {
		b.WriteString("  version: 1.2.2216.1            # " + Placeholder + ": the extension version installed\n")
		if rum != "" {
			fmt.Fprintf(&b, "  require_user_match: %q          # users without MFA registration were rejected\n", rum)
		}
	}
	return []byte(b.String())
}

// userMFA renders a user's mfa block from what the extension said.
func userMFA(u *inferUser) string {
	var b strings.Builder
	method := strings.ToLower(u.mfaMethod)
	switch {
	case u.mfaResult == "NoDefaultAuthenticationMethodIsConfigured":
		return "        enrolled: false\n"
	case method == "" && u.challenged:
		method = "sms"
	case method == "":
		method = "push"
	}
	switch method {
	case "push", "phone", "sms", "totp", "oath":
	default:
		method = "push"
	}
	fmt.Fprintf(&b, "        method: %s\n", method)
	switch r := u.mfaResult; r {
	case "", "Success", "Skipped", "Challenge":
		if method == "push" || method == "phone" {
			b.WriteString("        outcome: approve\n")
		}
	case "PhoneAppDenied", "PhoneCallDenied":
		b.WriteString("        outcome: deny\n")
	default:
		fmt.Fprintf(&b, "        outcome: error\n        error: %s\n", q(r))
	}
	if u.mfaLatency > 0 && (method == "push" || method == "phone") {
		fmt.Fprintf(&b, "        latency: %s\n", u.mfaLatency)
	}
	if method == "sms" {
		fmt.Fprintf(&b, "        sms_code: %q         # %s: the code to type\n", "000000", Placeholder)
	}
	if method == "totp" || method == "oath" {
		fmt.Fprintf(&b, "        totp_secret: %s     # %s: the user's TOTP secret (base32)\n", "JBSWY3DPEHPK3PXP", Placeholder)
	}
	return b.String()
}

// splitUser reads DOMAIN\sam, sam@suffix or sam.
func splitUser(s string) (domain, sam, upn string) {
	if d, rest, ok := strings.Cut(s, `\`); ok {
		return d, rest, ""
	}
	if name, _, ok := strings.Cut(s, "@"); ok {
		return "", name, s
	}
	return "", s, ""
}

// classServer reads the NPS address out of an NPS Class ("311 1 <ip> ...").
func classServer(class string) string {
	fs := strings.Fields(class)
	if len(fs) >= 3 && fs[0] == "311" {
		if a, err := netip.ParseAddr(fs[2]); err == nil && a.Is4() {
			return a.String()
		}
	}
	return ""
}

func top(m map[string]int, def string) string {
	best, n := def, 0
	for _, k := range sortedKeys(m) {
		if m[k] > n {
			best, n = k, m[k]
		}
	}
	return best
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// q quotes a YAML scalar.
func q(s string) string { return strconv.Quote(s) }
