// Package scenario reads radscope's scenario file: the YAML description of
// an emulated Microsoft NPS server with the Azure/Entra MFA extension — its
// RADIUS clients, the directory of users it authenticates against, its
// connection request and network policies in processing order, the MFA
// extension's registry settings and per-user MFA state, logging and the
// listen addresses.
//
// Load and Parse decode the file with go.yaml.in/yaml/v3 node by node, so
// every error names file:line:column; unknown keys and duplicate keys are
// errors; defaults are applied before decoding, so a key left out keeps its
// documented default. Secrets may be written as env:VAR. Set applies
// command-line overrides such as clients.rdgw.timeout=60s to any field, and
// Validate checks the whole scenario again. Example returns a commented
// example that loads cleanly. docs/scenario.md documents every field.
package scenario

import (
	"net/netip"
	"time"
)

// Scenario is one scenario file, decoded and with defaults applied.
type Scenario struct {
	Server                    Server                    `yaml:"server"`
	Clients                   []Client                  `yaml:"clients"`
	Directory                 Directory                 `yaml:"directory"`
	ConnectionRequestPolicies []ConnectionRequestPolicy `yaml:"connection_request_policies"`
	NetworkPolicies           []NetworkPolicy           `yaml:"network_policies"`
	MFA                       MFA                       `yaml:"mfa"`
	Logging                   Logging                   `yaml:"logging"`
	// Supplicant is the user's device replay plays in EAP conversations.
	Supplicant Supplicant `yaml:"supplicant"`

	file string
	pos  map[string]Pos
}

// Server holds the NPS server's own settings.
type Server struct {
	ComputerName string     `yaml:"computer_name"` // Computer-Name in logs and events
	Address      netip.Addr `yaml:"address"`       // the NPS IPv4 address written into Class
	AuthListen   []string   `yaml:"auth_listen"`   // UDP addresses for Access-Request and Status-Server
	AcctListen   []string   `yaml:"acct_listen"`   // UDP addresses for Accounting-Request
	TimeZone     string     `yaml:"time_zone"`     // IANA zone of the server's local time ("Local", "UTC", "Europe/Berlin")
	// DuplicateWindow is how long a completed response stays in the RFC
	// 5080 duplicate cache.
	DuplicateWindow time.Duration `yaml:"duplicate_window"`
	// MaxPending bounds the requests being processed or held at once;
	// more are dropped.
	MaxPending int `yaml:"max_pending"`
	// Certificate is the PEAP server certificate; generated at start when
	// both files are empty.
	Certificate Certificate `yaml:"certificate"`
}

// Certificate names a PEM certificate chain and its private key.
type Certificate struct {
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
}

// Client is one RADIUS client (NAS).
type Client struct {
	Name    string `yaml:"name"`    // Client-Friendly-Name
	Address string `yaml:"address"` // IP address or CIDR prefix
	Secret  string `yaml:"secret"`  // shared secret, or env:VAR
	Vendor  string `yaml:"vendor"`  // Client-Vendor: "RADIUS Standard", "Microsoft", "Cisco" ...
	// RequireMessageAuthenticator makes NPS discard Access-Requests from
	// this client that lack a Message-Authenticator.
	RequireMessageAuthenticator bool `yaml:"require_message_authenticator"`
	// LimitProxyState makes NPS discard Access-Requests from this client
	// that carry Proxy-State without Message-Authenticator (the
	// limitProxyState setting of the July 2024 Blast-RADIUS update).
	LimitProxyState bool `yaml:"limit_proxy_state"`
	// Timeout and Retries describe the NAS for replay: how long it waits
	// for an answer and how often it retransmits.
	Timeout time.Duration `yaml:"timeout"`
	Retries int           `yaml:"retries"`

	prefix netip.Prefix
}

// Prefix returns the client's address as a prefix (a single address is a
// /32 or /128). Valid after Validate.
func (c *Client) Prefix() netip.Prefix { return c.prefix }

// SecretBytes resolves the shared secret (env:VAR reads the environment).
func (c *Client) SecretBytes() ([]byte, error) { return resolveSecret(c.Secret) }

// Directory is the Active Directory domain NPS authenticates against.
type Directory struct {
	Domain    string `yaml:"domain"`     // NetBIOS domain name, CONTOSO
	UPNSuffix string `yaml:"upn_suffix"` // contoso.com
	Users     []User `yaml:"users"`
}

// Dial-in permission values (the user's Network Access Permission).
const (
	DialInPolicy = "policy" // control access through NPS network policy
	DialInAllow  = "allow"
	DialInDeny   = "deny"
)

// User is one directory account.
type User struct {
	SAM      string `yaml:"sam"`      // sAMAccountName
	UPN      string `yaml:"upn"`      // default sam@upn_suffix
	Password string `yaml:"password"` // clear text, or env:VAR
	// NTHash is the MD4 hash of the UTF-16LE password, 32 hex digits, for
	// accounts whose password is not known in clear (PAP, MS-CHAP and
	// MS-CHAPv2 work; CHAP needs the clear password).
	NTHash             string            `yaml:"nt_hash"`
	Groups             []string          `yaml:"groups"`
	Enabled            bool              `yaml:"enabled"`
	Locked             bool              `yaml:"locked"`
	Expired            bool              `yaml:"expired"`
	PasswordMustChange bool              `yaml:"password_must_change"`
	DialIn             string            `yaml:"dial_in"`     // policy, allow, deny
	LogonHours         string            `yaml:"logon_hours"` // "" = always; else a schedule
	Attributes         map[string]string `yaml:"attributes"`  // other AD attributes (mail, displayName ...)
	MFA                UserMFA           `yaml:"mfa"`

	logon Schedule
}

// LogonSchedule returns the parsed logon hours (nil = always).
func (u *User) LogonSchedule() Schedule { return u.logon }

// PasswordBytes resolves the password (env:VAR reads the environment); ""
// when the user has only an NT hash.
func (u *User) PasswordBytes() ([]byte, error) { return resolveSecret(u.Password) }

// UserMFA is the user's state in Entra MFA and what the simulator answers.
type UserMFA struct {
	Enrolled bool `yaml:"enrolled"` // registered for MFA at all
	// Method is the default method: push, phone, sms, totp, oath.
	Method string `yaml:"method"`
	// TOTPSecret is the base32 secret of a registered TOTP method
	// (Authenticator app code or OATH token); its presence makes number
	// matching switch push users to TOTP.
	TOTPSecret string `yaml:"totp_secret"`
	// SMSCode is the code the simulated SMS carries.
	SMSCode string `yaml:"sms_code"`
	// Outcome is what the user does with a push or call: approve, deny,
	// no_answer; or error to answer with the Entra response code in Error.
	Outcome string        `yaml:"outcome"`
	Error   string        `yaml:"error"`   // Entra MFA response code for outcome error (UserNotFound ...)
	Latency time.Duration `yaml:"latency"` // time until the user (or the service) answers
}

// Conditions select requests. All conditions that are set must match;
// within a list condition any entry may match. Text conditions are
// regular expressions matched case-insensitively, as NPS patterns are.
type Conditions struct {
	WindowsGroups      []string `yaml:"windows_groups"`
	NASPortType        []string `yaml:"nas_port_type"`
	ClientFriendlyName string   `yaml:"client_friendly_name"`
	ClientIPv4         string   `yaml:"client_ipv4"` // CIDR, address, or pattern
	NASIPv4            string   `yaml:"nas_ipv4"`    // CIDR, address, or pattern
	NASIdentifier      string   `yaml:"nas_identifier"`
	CalledStationID    string   `yaml:"called_station_id"`
	CallingStationID   string   `yaml:"calling_station_id"`
	UserName           string   `yaml:"user_name"`
	DayAndTime         string   `yaml:"day_and_time"`

	m Matcher
}

// Matcher returns the parsed form of the conditions. Valid after Validate.
func (c *Conditions) Matcher() *Matcher { return &c.m }

// Connection request policy actions.
const (
	ActionAuthenticate = "authenticate" // authenticate requests on this server
	ActionAccept       = "accept"       // accept users without validating credentials
)

// ConnectionRequestPolicy is one NPS connection request policy.
type ConnectionRequestPolicy struct {
	Name       string     `yaml:"name"`
	Enabled    bool       `yaml:"enabled"`
	Conditions Conditions `yaml:"conditions"`
	Action     string     `yaml:"action"`
	// AuthMethods, when set, overrides the network policies' methods.
	AuthMethods []string `yaml:"auth_methods"`
}

// Access permission values of a network policy.
const (
	AccessGrant = "grant"
	AccessDeny  = "deny"
)

// Authentication method names.
const (
	MethodPAP         = "pap"
	MethodCHAP        = "chap"
	MethodMSCHAP      = "mschap"
	MethodMSCHAPv2    = "mschapv2"
	MethodEAPMSCHAPv2 = "eap-mschapv2"
	MethodPEAP        = "peap"
)

// NetworkPolicy is one NPS network policy.
type NetworkPolicy struct {
	Name             string     `yaml:"name"`
	Enabled          bool       `yaml:"enabled"`
	Conditions       Conditions `yaml:"conditions"`
	Access           string     `yaml:"access"`
	IgnoreUserDialin bool       `yaml:"ignore_user_dialin"`
	AuthMethods      []string   `yaml:"auth_methods"`
	// AllowUnauthenticated is "Allow clients to connect without
	// negotiating an authentication method" (the RD Gateway setting).
	AllowUnauthenticated bool            `yaml:"allow_unauthenticated"`
	Constraints          Constraints     `yaml:"constraints"`
	Reply                []ReplyAttr     `yaml:"reply"`
	replyCompiled        []CompiledReply // filled by Validate
}

// CompiledReply is a reply attribute resolved against the dictionary.
type CompiledReply struct {
	Vendor uint32
	Type   byte
	Name   string
	Value  []byte // wire value
	Text   string // as written
}

// ReplyAttributes returns the policy's reply attributes resolved to wire
// values. Valid after Validate.
func (p *NetworkPolicy) ReplyAttributes() []CompiledReply { return p.replyCompiled }

// Constraints are network policy constraints: a request that matched the
// conditions but fails a constraint is rejected with the constraint's
// reason code.
type Constraints struct {
	DayAndTime      string   `yaml:"day_and_time"`      // reason 68
	CalledStationID string   `yaml:"called_station_id"` // reason 69
	NASPortType     []string `yaml:"nas_port_type"`     // reason 70
	// SessionTimeout and IdleTimeout add Session-Timeout and Idle-Timeout
	// to the Access-Accept.
	SessionTimeout time.Duration `yaml:"session_timeout"`
	IdleTimeout    time.Duration `yaml:"idle_timeout"`

	m Matcher
}

// Matcher returns the parsed constraints. Valid after Validate.
func (c *Constraints) Matcher() *Matcher { return &c.m }

// ReplyAttr is one attribute a network policy adds to its Access-Accept.
type ReplyAttr struct {
	Name  string `yaml:"name"`  // dictionary name: Session-Timeout, Filter-Id, Class, MS-... , or Vendor-N-Attr-M
	Value string `yaml:"value"` // text, number or enumeration name, address, or 0x-hex
}

// MFA holds the MFA extension's installation state and its registry
// values under HKLM\SOFTWARE\Microsoft\AzureMfa.
type MFA struct {
	Installed bool   `yaml:"installed"`
	Version   string `yaml:"version"` // extension version, 1.2.2216.1
	// RequireUserMatch is the REQUIRE_USER_MATCH registry string: unset or
	// anything but exactly "FALSE" behaves as TRUE (case-sensitive, as the
	// extension reads it).
	RequireUserMatch string `yaml:"require_user_match"`
	// OverrideNumberMatchingWithOTP is OVERRIDE_NUMBER_MATCHING_WITH_OTP:
	// "TRUE", "FALSE" or "" (unset).
	OverrideNumberMatchingWithOTP string `yaml:"override_number_matching_with_otp"`
	// IPWhitelist is IP_WHITELIST: ';'-separated NAS-IP-Address values for
	// which MFA is skipped.
	IPWhitelist                   string `yaml:"ip_whitelist"`
	LDAPAlternateLoginIDAttribute string `yaml:"ldap_alternate_loginid_attribute"`
	// BackendError makes every call to the cloud fail with this extension
	// error code: ESTS_TOKEN_ERROR, HTTP_CONNECT_ERROR,
	// HTTPS_COMMUNICATION_ERROR, CLIENT_CERT_INSTALL_ERROR, CONTACT_SUPPORT.
	BackendError   string        `yaml:"backend_error"`
	BackendLatency time.Duration `yaml:"backend_latency"` // added to every cloud call
	// SessionLimit is the MFA session lifetime after which InvalidSession
	// is returned (3 minutes in the service).
	SessionLimit time.Duration `yaml:"session_limit"`
	// DuplicateWindow is how long duplicates are discarded after a
	// successful MFA (10 s in the extension).
	DuplicateWindow time.Duration `yaml:"duplicate_window"`
	// TOTPSkew is how many 30-second steps either side of now a TOTP code
	// is accepted.
	TOTPSkew int `yaml:"totp_skew"`
}

// Supplicant is the EAP peer (the user's device) that replay plays for
// PEAP and EAP-MSCHAPv2 flows: which PEAP server certificates it trusts,
// as Windows's "Verify the server's identity by validating the certificate"
// settings do. With none of TrustEmulator, CAFile and InsecureSkipVerify
// set, it trusts no server and PEAP flows fail as an untrusted server.
type Supplicant struct {
	// TrustEmulator trusts exactly the certificate the embedded emulator
	// presents (pinned, embedded target only).
	TrustEmulator bool `yaml:"trust_emulator"`
	// CAFile holds the PEM CA certificates a server's chain must lead to
	// (relative to the scenario file).
	CAFile string `yaml:"ca_file"`
	// ServerName, with CAFile, must be a DNS name of the server
	// certificate ("Connect to these servers").
	ServerName string `yaml:"server_name"`
	// InsecureSkipVerify accepts any server certificate (lab use only).
	InsecureSkipVerify bool `yaml:"insecure_skip_verify"`
	// FragmentSize is the most TLS data the device sends per EAP message.
	FragmentSize int `yaml:"fragment_size"`
}

// Logging says where and how the server writes NPS logs.
type Logging struct {
	Formats []string `yaml:"formats"` // ias, odbc, dts
	Folder  string   `yaml:"folder"`  // "" = no log files
	Events  bool     `yaml:"events"`  // write Security and AzureMfa events (events.xml) in Folder
}

// Pos is a position in the scenario file.
type Pos struct {
	Line, Col int
}

// File returns the name the scenario was loaded from.
func (s *Scenario) File() string { return s.file }

// PosOf returns the position of the value at path ("clients[0].secret"),
// or of its nearest ancestor that has one.
func (s *Scenario) PosOf(path string) (Pos, bool) {
	for p := path; p != ""; p = parentPath(p) {
		if pos, ok := s.pos[p]; ok {
			return pos, true
		}
	}
	return Pos{}, false
}

// ClientFor returns the client whose address covers addr: the one with the
// longest prefix, first in file order on a tie.
func (s *Scenario) ClientFor(addr netip.Addr) *Client {
	addr = addr.Unmap()
	var best *Client
	for i := range s.Clients {
		c := &s.Clients[i]
		if c.prefix.IsValid() && c.prefix.Contains(addr) && (best == nil || c.prefix.Bits() > best.prefix.Bits()) {
			best = c
		}
	}
	return best
}

// Location returns the server's time zone (UTC when unset or invalid).
func (s *Scenario) Location() *time.Location {
	switch s.Server.TimeZone {
	case "", "UTC":
		return time.UTC
	case "Local":
		return time.Local
	}
	if l, err := time.LoadLocation(s.Server.TimeZone); err == nil {
		return l
	}
	return time.UTC
}

func (s *Server) setDefaults() {
	s.ComputerName = "NPS01"
	s.Address = netip.AddrFrom4([4]byte{127, 0, 0, 1})
	s.AuthListen = []string{"127.0.0.1:1812"}
	s.AcctListen = []string{"127.0.0.1:1813"}
	s.TimeZone = "UTC"
	s.DuplicateWindow = 10 * time.Second
	s.MaxPending = 20000
}

func (c *Client) setDefaults() {
	c.Vendor = "RADIUS Standard"
	c.Timeout = 3 * time.Second
	c.Retries = 2
}

func (u *User) setDefaults() {
	u.Enabled = true
	u.DialIn = DialInPolicy
	u.MFA.setDefaults()
}

func (m *UserMFA) setDefaults() {
	m.Enrolled = true
	m.Method = "push"
	m.Outcome = "approve"
}

func (p *ConnectionRequestPolicy) setDefaults() {
	p.Enabled = true
	p.Action = ActionAuthenticate
}

func (p *NetworkPolicy) setDefaults() {
	p.Enabled = true
	p.Access = AccessGrant
	p.AuthMethods = []string{MethodMSCHAPv2, MethodMSCHAP}
}

func (m *MFA) setDefaults() {
	m.Version = "1.2.2216.1"
	m.SessionLimit = 3 * time.Minute
	m.DuplicateWindow = 10 * time.Second
	m.TOTPSkew = 1
}

func (l *Logging) setDefaults() {
	l.Formats = []string{"ias"}
}

func (p *Supplicant) setDefaults() {
	p.FragmentSize = 1020
}

func (s *Scenario) setDefaults() {
	s.Server.setDefaults()
	s.MFA.setDefaults()
	s.Logging.setDefaults()
	s.Supplicant.setDefaults()
}

// defaulter is implemented by the types that have defaults; the decoder
// calls setDefaults on a fresh value before decoding into it.
type defaulter interface{ setDefaults() }
