package scenario

import (
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

type validator struct {
	s    *Scenario
	errs ErrorList
}

func (v *validator) errorf(path, format string, args ...any) {
	pos, _ := v.s.PosOf(path)
	v.errs = append(v.errs, &Error{File: v.s.file, Pos: pos, Path: path, Msg: fmt.Sprintf(format, args...)})
}

// AuthMethods lists the authentication method names a policy may name.
var AuthMethods = []string{MethodPAP, MethodCHAP, MethodMSCHAP, MethodMSCHAPv2, MethodEAPMSCHAPv2, MethodPEAP}

// MFAMethods lists the default MFA methods a user may have.
var MFAMethods = []string{"push", "phone", "sms", "totp", "oath"}

// Outcomes lists the scripted outcomes of a push or phone call.
var Outcomes = []string{"approve", "deny", "no_answer", "error"}

// BackendErrors lists the extension error codes backend_error accepts.
var BackendErrors = []string{"ESTS_TOKEN_ERROR", "HTTP_CONNECT_ERROR", "HTTPS_COMMUNICATION_ERROR",
	"CLIENT_CERT_INSTALL_ERROR", "CONTACT_SUPPORT", "REGISTRY_CONFIG_ERROR", "USERNAME_CANONICALIZATION_ERROR"}

// LogFormats lists the NPS log formats.
var LogFormats = []string{"ias", "odbc", "dts"}

func oneOf(s string, set []string) bool {
	for _, x := range set {
		if s == x {
			return true
		}
	}
	return false
}

// Validate checks the scenario and prepares its derived values (client
// prefixes, compiled conditions, schedules, reply attributes, default UPNs).
// It returns an ErrorList naming every problem with its position.
func (s *Scenario) Validate() error {
	if s.pos == nil {
		s.pos = map[string]Pos{}
	}
	v := &validator{s: s}
	v.server()
	v.clients()
	v.directory()
	v.policies()
	v.mfa()
	v.logging()
	v.supplicant()
	return v.errs.err()
}

func (v *validator) server() {
	sv := &v.s.Server
	if sv.ComputerName == "" {
		v.errorf("server.computer_name", "must not be empty")
	}
	if !sv.Address.Is4() {
		v.errorf("server.address", "must be an IPv4 address (NPS writes it into Class)")
	}
	for i, a := range sv.AuthListen {
		if _, err := netip.ParseAddrPort(a); err != nil {
			v.errorf(fmt.Sprintf("server.auth_listen[%d]", i), "invalid address %q: want IP:port or [IPv6]:port", a)
		}
	}
	for i, a := range sv.AcctListen {
		if _, err := netip.ParseAddrPort(a); err != nil {
			v.errorf(fmt.Sprintf("server.acct_listen[%d]", i), "invalid address %q: want IP:port or [IPv6]:port", a)
		}
	}
	switch sv.TimeZone {
	case "", "UTC", "Local":
	default:
		if _, err := time.LoadLocation(sv.TimeZone); err != nil {
			v.errorf("server.time_zone", "unknown time zone %q", sv.TimeZone)
		}
	}
	if sv.MaxPending <= 0 {
		v.errorf("server.max_pending", "must be positive")
	}
	if (sv.Certificate.CertFile == "") != (sv.Certificate.KeyFile == "") {
		v.errorf("server.certificate", "cert_file and key_file go together")
	}
}

func (v *validator) clients() {
	names := map[string]int{}
	for i := range v.s.Clients {
		c := &v.s.Clients[i]
		p := fmt.Sprintf("clients[%d]", i)
		if c.Name == "" {
			v.errorf(p+".name", "must not be empty")
		} else if j, dup := names[strings.ToLower(c.Name)]; dup {
			v.errorf(p+".name", "duplicate client name %q (also clients[%d])", c.Name, j)
		} else {
			names[strings.ToLower(c.Name)] = i
		}
		c.prefix = netip.Prefix{}
		if pf, err := netip.ParsePrefix(c.Address); err == nil {
			c.prefix = pf.Masked()
		} else if a, err := netip.ParseAddr(c.Address); err == nil && a.Zone() == "" {
			c.prefix = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		} else {
			v.errorf(p+".address", "invalid address %q: want an IP address or CIDR prefix", c.Address)
		}
		if c.Secret == "" {
			v.errorf(p+".secret", "must not be empty")
		} else if sec, err := c.SecretBytes(); err != nil {
			v.errorf(p+".secret", "%v", err)
		} else if len(sec) == 0 {
			v.errorf(p+".secret", "resolves to an empty secret")
		}
		if c.Timeout <= 0 {
			v.errorf(p+".timeout", "must be positive")
		}
		if c.Retries < 0 {
			v.errorf(p+".retries", "must not be negative")
		}
	}
}

func (v *validator) directory() {
	d := &v.s.Directory
	if d.Domain == "" {
		v.errorf("directory.domain", "must not be empty (the NetBIOS domain name, e.g. CONTOSO)")
	}
	sams := map[string]int{}
	upns := map[string]int{}
	for i := range d.Users {
		u := &d.Users[i]
		p := fmt.Sprintf("directory.users[%d]", i)
		if u.SAM == "" || strings.ContainsAny(u.SAM, `\@/`) {
			v.errorf(p+".sam", "must be a plain account name (no domain, no @)")
		} else if j, dup := sams[strings.ToLower(u.SAM)]; dup {
			v.errorf(p+".sam", "duplicate account %q (also directory.users[%d])", u.SAM, j)
		} else {
			sams[strings.ToLower(u.SAM)] = i
		}
		if u.UPN == "" && u.SAM != "" && d.UPNSuffix != "" {
			u.UPN = u.SAM + "@" + d.UPNSuffix
		}
		if u.UPN != "" {
			if !strings.Contains(u.UPN, "@") {
				v.errorf(p+".upn", "must be name@suffix")
			} else if j, dup := upns[strings.ToLower(u.UPN)]; dup {
				v.errorf(p+".upn", "duplicate UPN %q (also directory.users[%d])", u.UPN, j)
			} else {
				upns[strings.ToLower(u.UPN)] = i
			}
		}
		if u.Password == "" && u.NTHash == "" {
			v.errorf(p, "needs password or nt_hash")
		}
		if u.Password != "" {
			if _, err := u.PasswordBytes(); err != nil {
				v.errorf(p+".password", "%v", err)
			}
		}
		if u.NTHash != "" {
			if b, err := hex.DecodeString(u.NTHash); err != nil || len(b) != 16 {
				v.errorf(p+".nt_hash", "must be 32 hex digits (the MD4 of the UTF-16LE password)")
			}
		}
		if !oneOf(u.DialIn, []string{DialInPolicy, DialInAllow, DialInDeny}) {
			v.errorf(p+".dial_in", "must be policy, allow or deny, got %q", u.DialIn)
		}
		sch, err := ParseSchedule(u.LogonHours)
		if err != nil {
			v.errorf(p+".logon_hours", "%v", err)
		}
		u.logon = sch
		v.userMFA(&u.MFA, p+".mfa")
	}
}

func (v *validator) userMFA(m *UserMFA, p string) {
	if !oneOf(m.Method, MFAMethods) {
		v.errorf(p+".method", "must be one of %s, got %q", strings.Join(MFAMethods, ", "), m.Method)
	}
	if !oneOf(m.Outcome, Outcomes) {
		v.errorf(p+".outcome", "must be one of %s, got %q", strings.Join(Outcomes, ", "), m.Outcome)
	}
	if m.Outcome == "error" && m.Error == "" {
		v.errorf(p+".error", "outcome error needs an Entra MFA response code such as UserNotFound")
	}
	if m.TOTPSecret != "" {
		if _, err := DecodeTOTPSecret(m.TOTPSecret); err != nil {
			v.errorf(p+".totp_secret", "%v", err)
		}
	}
	if (m.Method == "totp" || m.Method == "oath") && m.TOTPSecret == "" {
		v.errorf(p+".totp_secret", "method %s needs a totp_secret", m.Method)
	}
	if m.Method == "sms" && m.SMSCode == "" {
		v.errorf(p+".sms_code", "method sms needs the sms_code the simulated text message carries")
	}
}

// DecodeTOTPSecret decodes a base32 TOTP secret (spaces and case ignored,
// padding optional).
func DecodeTOTPSecret(s string) ([]byte, error) {
	s = strings.ToUpper(strings.ReplaceAll(s, " ", ""))
	s = strings.TrimRight(s, "=")
	b, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(s)
	if err != nil || len(b) == 0 {
		return nil, fmt.Errorf("invalid base32 TOTP secret")
	}
	return b, nil
}

func (v *validator) conditions(c *Conditions, p string) {
	m := Matcher{Groups: c.WindowsGroups}
	var err error
	for i, pt := range c.NASPortType {
		n, ok := ParsePortType(pt)
		if !ok {
			v.errorf(fmt.Sprintf("%s.nas_port_type[%d]", p, i), "unknown NAS-Port-Type %q", pt)
			continue
		}
		m.PortTypes = append(m.PortTypes, n)
	}
	re := func(field, s string) *regexpT {
		r, err := compilePattern(s)
		if err != nil {
			v.errorf(p+"."+field, "%v", err)
		}
		return r
	}
	m.ClientName = re("client_friendly_name", c.ClientFriendlyName)
	m.NASIdentifier = re("nas_identifier", c.NASIdentifier)
	m.CalledStationID = re("called_station_id", c.CalledStationID)
	m.CallingStationID = re("calling_station_id", c.CallingStationID)
	m.UserName = re("user_name", c.UserName)
	if m.ClientIPv4, err = parseAddrPattern(c.ClientIPv4); err != nil {
		v.errorf(p+".client_ipv4", "%v", err)
	}
	if m.NASIPv4, err = parseAddrPattern(c.NASIPv4); err != nil {
		v.errorf(p+".nas_ipv4", "%v", err)
	}
	if m.DayAndTime, err = ParseSchedule(c.DayAndTime); err != nil {
		v.errorf(p+".day_and_time", "%v", err)
	}
	c.m = m
}

func (v *validator) constraints(c *Constraints, p string) {
	var m Matcher
	var err error
	for i, pt := range c.NASPortType {
		n, ok := ParsePortType(pt)
		if !ok {
			v.errorf(fmt.Sprintf("%s.nas_port_type[%d]", p, i), "unknown NAS-Port-Type %q", pt)
			continue
		}
		m.PortTypes = append(m.PortTypes, n)
	}
	if m.CalledStationID, err = compilePattern(c.CalledStationID); err != nil {
		v.errorf(p+".called_station_id", "%v", err)
	}
	if m.DayAndTime, err = ParseSchedule(c.DayAndTime); err != nil {
		v.errorf(p+".day_and_time", "%v", err)
	}
	c.m = m
}

func (v *validator) methods(ms []string, p string) {
	for i, m := range ms {
		if !oneOf(m, AuthMethods) {
			v.errorf(fmt.Sprintf("%s[%d]", p, i), "unknown authentication method %q (want %s)", m, strings.Join(AuthMethods, ", "))
		}
	}
}

// policyName checks that the name of policy i of list is set and unique
// (case-insensitively) within the list.
func (v *validator) policyName(names map[string]int, list string, i int, name string) {
	p := fmt.Sprintf("%s[%d].name", list, i)
	if name == "" {
		v.errorf(p, "must not be empty")
	} else if j, dup := names[strings.ToLower(name)]; dup {
		v.errorf(p, "duplicate policy name %q (also %s[%d])", name, list, j)
	} else {
		names[strings.ToLower(name)] = i
	}
}

func (v *validator) policies() {
	names := map[string]int{}
	for i := range v.s.ConnectionRequestPolicies {
		c := &v.s.ConnectionRequestPolicies[i]
		p := fmt.Sprintf("connection_request_policies[%d]", i)
		v.policyName(names, "connection_request_policies", i, c.Name)
		if c.Action != ActionAuthenticate && c.Action != ActionAccept {
			v.errorf(p+".action", "must be authenticate or accept, got %q", c.Action)
		}
		v.conditions(&c.Conditions, p+".conditions")
		v.methods(c.AuthMethods, p+".auth_methods")
	}
	names = map[string]int{}
	for i := range v.s.NetworkPolicies {
		n := &v.s.NetworkPolicies[i]
		p := fmt.Sprintf("network_policies[%d]", i)
		v.policyName(names, "network_policies", i, n.Name)
		if n.Access != AccessGrant && n.Access != AccessDeny {
			v.errorf(p+".access", "must be grant or deny, got %q", n.Access)
		}
		v.conditions(&n.Conditions, p+".conditions")
		v.constraints(&n.Constraints, p+".constraints")
		v.methods(n.AuthMethods, p+".auth_methods")
		n.replyCompiled = n.replyCompiled[:0]
		for j, r := range n.Reply {
			c, err := compileReply(r)
			if err != nil {
				v.errorf(fmt.Sprintf("%s.reply[%d]", p, j), "%v", err)
				continue
			}
			n.replyCompiled = append(n.replyCompiled, c)
		}
	}
}

// Version is an MFA extension version a.b.c.d.
type Version [4]int

// ParseVersion reads a dotted version of up to four numbers.
func ParseVersion(s string) (Version, error) {
	var v Version
	parts := strings.Split(s, ".")
	if len(parts) == 0 || len(parts) > 4 {
		return v, fmt.Errorf("invalid version %q: want a.b.c.d", s)
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return v, fmt.Errorf("invalid version %q: want a.b.c.d", s)
		}
		v[i] = n
	}
	return v, nil
}

// Compare returns -1, 0 or 1.
func (v Version) Compare(w Version) int {
	for i := range v {
		if v[i] != w[i] {
			if v[i] < w[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

func (v Version) String() string {
	return fmt.Sprintf("%d.%d.%d.%d", v[0], v[1], v[2], v[3])
}

func (v *validator) mfa() {
	m := &v.s.MFA
	if _, err := ParseVersion(m.Version); err != nil {
		v.errorf("mfa.version", "%v", err)
	}
	if m.IPWhitelist != "" {
		for ip := range strings.SplitSeq(m.IPWhitelist, ";") {
			ip = strings.TrimSpace(ip)
			if ip == "" {
				continue
			}
			if _, err := netip.ParseAddr(ip); err != nil {
				v.errorf("mfa.ip_whitelist", "%q is not an IP address (the extension takes ';'-separated addresses, no ranges)", ip)
			}
		}
	}
	if m.BackendError != "" && !oneOf(m.BackendError, BackendErrors) {
		v.errorf("mfa.backend_error", "must be one of %s, got %q", strings.Join(BackendErrors, ", "), m.BackendError)
	}
	if m.SessionLimit <= 0 {
		v.errorf("mfa.session_limit", "must be positive")
	}
	if m.TOTPSkew < 0 || m.TOTPSkew > 10 {
		v.errorf("mfa.totp_skew", "must be between 0 and 10")
	}
}

func (v *validator) logging() {
	for i, f := range v.s.Logging.Formats {
		if !oneOf(f, LogFormats) {
			v.errorf(fmt.Sprintf("logging.formats[%d]", i), "must be ias, odbc or dts, got %q", f)
		}
	}
}

func (v *validator) supplicant() {
	p := &v.s.Supplicant
	if p.FragmentSize < 64 || p.FragmentSize > 4000 {
		v.errorf("supplicant.fragment_size", "must be between 64 and 4000")
	}
	if p.ServerName != "" && p.CAFile == "" {
		v.errorf("supplicant.server_name", "needs supplicant.ca_file (the name is checked on a chain that leads to a trusted CA)")
	}
}

// IPWhitelistAddrs returns the parsed IP_WHITELIST addresses.
func (m *MFA) IPWhitelistAddrs() []netip.Addr {
	var out []netip.Addr
	for ip := range strings.SplitSeq(m.IPWhitelist, ";") {
		if a, err := netip.ParseAddr(strings.TrimSpace(ip)); err == nil {
			out = append(out, a.Unmap())
		}
	}
	return out
}

// ParsedVersion returns the extension version (zero when invalid).
func (m *MFA) ParsedVersion() Version {
	v, _ := ParseVersion(m.Version)
	return v
}
