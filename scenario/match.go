package scenario

import (
	"fmt"
	"net/netip"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Matcher is the parsed form of Conditions or Constraints. A nil field or
// empty list matches everything.
type Matcher struct {
	Groups           []string
	PortTypes        []uint32
	ClientName       *regexp.Regexp
	ClientIPv4       *AddrPattern
	NASIPv4          *AddrPattern
	NASIdentifier    *regexp.Regexp
	CalledStationID  *regexp.Regexp
	CallingStationID *regexp.Regexp
	UserName         *regexp.Regexp
	DayAndTime       Schedule
}

type regexpT = regexp.Regexp

// AddrPattern matches an address by prefix or, when written as a pattern,
// by regular expression over its text.
type AddrPattern struct {
	Prefix netip.Prefix
	Re     *regexp.Regexp
}

// Match reports whether a (text form of an address, "" when absent)
// matches.
func (p *AddrPattern) Match(a string) bool {
	if p == nil {
		return true
	}
	if p.Re != nil {
		return p.Re.MatchString(a)
	}
	ip, err := netip.ParseAddr(a)
	return err == nil && p.Prefix.Contains(ip.Unmap())
}

func parseAddrPattern(s string) (*AddrPattern, error) {
	if s == "" {
		return nil, nil
	}
	if p, err := netip.ParsePrefix(s); err == nil {
		return &AddrPattern{Prefix: p.Masked()}, nil
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return &AddrPattern{Prefix: netip.PrefixFrom(a, a.BitLen())}, nil
	}
	re, err := compilePattern(s)
	if err != nil {
		return nil, err
	}
	return &AddrPattern{Re: re}, nil
}

// compilePattern compiles an NPS-style pattern: a regular expression
// matched case-insensitively anywhere in the value.
func compilePattern(s string) (*regexp.Regexp, error) {
	if s == "" {
		return nil, nil
	}
	re, err := regexp.Compile("(?i)" + s)
	if err != nil {
		return nil, fmt.Errorf("invalid pattern %q: %v", s, stripRegexpPrefix(err))
	}
	return re, nil
}

func stripRegexpPrefix(err error) string {
	return strings.TrimPrefix(err.Error(), "error parsing regexp: ")
}

// Schedule is a weekly set of time windows ("Mon-Fri 08:00-18:00"). A nil
// Schedule allows every time.
type Schedule []Window

// Window is one weekly window: the days it applies to and the minutes of
// the day [From, To).
type Window struct {
	Days     [7]bool // indexed by time.Weekday
	From, To int     // minutes since midnight; To may be 1440
}

// Allows reports whether t (in its own location) falls in the schedule.
func (s Schedule) Allows(t time.Time) bool {
	if s == nil {
		return true
	}
	m := t.Hour()*60 + t.Minute()
	for _, w := range s {
		if w.Days[t.Weekday()] && m >= w.From && m < w.To {
			return true
		}
	}
	return false
}

var dayNames = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// ParseSchedule reads a schedule: windows separated by ';', each a list of
// days or day ranges ("Mon-Fri", "Sat,Sun", "*" for every day) optionally
// followed by a time range "HH:MM-HH:MM" (whole days when absent).
// "always" (or "") is the nil schedule; "never" allows nothing.
func ParseSchedule(s string) (Schedule, error) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "", "always":
		return nil, nil
	case "never":
		return Schedule{}, nil
	}
	var out Schedule
	for part := range strings.SplitSeq(s, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		fields := strings.Fields(part)
		if len(fields) > 2 {
			return nil, fmt.Errorf("invalid schedule window %q: want DAYS [HH:MM-HH:MM]", part)
		}
		var w Window
		if err := parseDays(fields[0], &w.Days); err != nil {
			return nil, err
		}
		w.To = 24 * 60
		if len(fields) == 2 {
			from, to, ok := strings.Cut(fields[1], "-")
			if !ok {
				return nil, fmt.Errorf("invalid time range %q: want HH:MM-HH:MM", fields[1])
			}
			var err error
			if w.From, err = parseClock(from); err != nil {
				return nil, err
			}
			if w.To, err = parseClock(to); err != nil {
				return nil, err
			}
			if w.To <= w.From {
				return nil, fmt.Errorf("invalid time range %q: end not after start", fields[1])
			}
		}
		out = append(out, w)
	}
	if out == nil {
		out = Schedule{}
	}
	return out, nil
}

func parseDays(s string, days *[7]bool) error {
	if s == "*" {
		for i := range days {
			days[i] = true
		}
		return nil
	}
	for item := range strings.SplitSeq(s, ",") {
		a, b, isRange := strings.Cut(item, "-")
		da, ok := dayNames[strings.ToLower(shortDay(a))]
		if !ok {
			return fmt.Errorf("invalid day %q (want Mon, Tue, ... Sun)", a)
		}
		if !isRange {
			days[da] = true
			continue
		}
		db, ok := dayNames[strings.ToLower(shortDay(b))]
		if !ok {
			return fmt.Errorf("invalid day %q (want Mon, Tue, ... Sun)", b)
		}
		for d := da; ; d = (d + 1) % 7 {
			days[d] = true
			if d == db {
				break
			}
		}
	}
	return nil
}

func shortDay(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 3 {
		return s[:3]
	}
	return s
}

func parseClock(s string) (int, error) {
	h, m, ok := strings.Cut(s, ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hh < 0 || mm < 0 || mm > 59 || hh > 24 || (hh == 24 && mm != 0) {
		return 0, fmt.Errorf("invalid time %q: want HH:MM", s)
	}
	return hh*60 + mm, nil
}

// portTypes is NAS-Port-Type (RFC 2865 §5.41 and IANA) as NPS names it.
var portTypes = []string{
	0: "Async", 1: "Sync", 2: "ISDN Sync", 3: "ISDN Async V.120", 4: "ISDN Async V.110",
	5: "Virtual", 6: "PIAFS", 7: "HDLC Clear Channel", 8: "X.25", 9: "X.75", 10: "G.3 Fax",
	11: "SDSL", 12: "ADSL-CAP", 13: "ADSL-DMT", 14: "IDSL", 15: "Ethernet", 16: "xDSL",
	17: "Cable", 18: "Wireless - Other", 19: "Wireless - IEEE 802.11", 20: "Token Ring",
	21: "FDDI", 22: "Wireless - CDMA2000", 23: "Wireless - UMTS", 24: "Wireless - 1X-EV",
	25: "IAPP", 26: "FTTP", 27: "Wireless - IEEE 802.16", 28: "Wireless - IEEE 802.20",
	29: "Wireless - IEEE 802.22", 30: "PPPoA", 31: "PPPoEoA", 32: "PPPoEoE", 33: "PPPoEoVLAN",
	34: "PPPoEoQinQ", 35: "xPON", 36: "Wireless - XGP",
}

func normName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// ParsePortType maps a NAS-Port-Type name ("Virtual", "Wireless - IEEE
// 802.11", "wireless-802.11", "ethernet") or number to its value.
func ParsePortType(s string) (uint32, bool) {
	if n, err := strconv.ParseUint(s, 10, 32); err == nil {
		return uint32(n), true
	}
	want := normName(s)
	for v, name := range portTypes {
		n := normName(name)
		if n == want || strings.ReplaceAll(n, "ieee", "") == want {
			return uint32(v), true
		}
	}
	return 0, false
}

// PortTypeName returns the NPS display name of a NAS-Port-Type value.
func PortTypeName(v uint32) string {
	if int(v) < len(portTypes) && portTypes[v] != "" {
		return portTypes[v]
	}
	return strconv.FormatUint(uint64(v), 10)
}

func resolveSecret(s string) ([]byte, error) {
	if name, ok := strings.CutPrefix(s, "env:"); ok {
		v, set := os.LookupEnv(name)
		if !set {
			return nil, fmt.Errorf("%w: %s", ErrSecretEnv, name)
		}
		return []byte(v), nil
	}
	return []byte(s), nil
}
