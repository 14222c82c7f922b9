package parse

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseTime reads a --since/--until value: RFC 3339; "YYYY-MM-DD",
// "YYYY-MM-DD HH:MM" or "YYYY-MM-DD HH:MM:SS" (also with a T) in loc; a
// relative "-2h", "-30m", "-7d", "-1w" before now; or "now".
func ParseTime(s string, now time.Time, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, fmt.Errorf("empty time")
	}
	if s == "now" {
		return now, nil
	}
	if s[0] == '-' || s[0] == '+' {
		d, err := parseRelative(s[1:])
		if err != nil {
			return time.Time{}, fmt.Errorf("invalid relative time %q: %v", s, err)
		}
		if s[0] == '-' {
			d = -d
		}
		return now.Add(d), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("invalid time %q (want RFC 3339, YYYY-MM-DD[ HH:MM[:SS]], -2h, -7d or now)", s)
}

func parseRelative(s string) (time.Duration, error) {
	if s == "" {
		return 0, fmt.Errorf("no duration")
	}
	unit := s[len(s)-1]
	switch unit {
	case 'd', 'w':
		n, err := strconv.ParseFloat(s[:len(s)-1], 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("bad number")
		}
		day := 24 * time.Hour
		if unit == 'w' {
			day *= 7
		}
		return time.Duration(n * float64(day)), nil
	}
	return time.ParseDuration(s)
}
