package secret

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/netip"
	"os"
	"sort"
	"strconv"
	"strings"
)

// Store holds the shared secrets to try for a RADIUS client/server pair:
// secrets scoped to an address or prefix (from a secrets file) and secrets
// that apply to all traffic (--secret). The zero value is an empty store;
// a Store is safe for concurrent reads once built.
type Store struct {
	// FromArgv is true when a literal secret was given on the command
	// line (not an env:VAR reference), so the CLI can warn that other
	// users of the machine may see it.
	FromArgv bool

	// LookupEnv resolves env:VAR values; nil means os.LookupEnv.
	LookupEnv func(string) (string, bool)

	global  [][]byte
	entries []entry
}

type entry struct {
	prefix netip.Prefix
	secret []byte
	where  string // file:line, for messages
}

// Len returns the number of secrets in the store.
func (s *Store) Len() int {
	if s == nil {
		return 0
	}
	return len(s.global) + len(s.entries)
}

func (s *Store) resolve(v string) ([]byte, error) {
	name, ok := strings.CutPrefix(v, "env:")
	if !ok {
		return []byte(v), nil
	}
	if name == "" {
		return nil, fmt.Errorf("secret: %q names no environment variable", v)
	}
	look := s.LookupEnv
	if look == nil {
		look = os.LookupEnv
	}
	val, ok := look(name)
	if !ok {
		return nil, fmt.Errorf("secret: environment variable %s is not set", name)
	}
	if val == "" {
		return nil, fmt.Errorf("secret: environment variable %s is empty", name)
	}
	return []byte(val), nil
}

// AddArg adds a secret given with --secret: it applies to all traffic.
// A value env:VAR is read from the environment; any other value sets
// FromArgv.
func (s *Store) AddArg(v string) error {
	if v == "" {
		return fmt.Errorf("secret: empty secret")
	}
	b, err := s.resolve(v)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(v, "env:") {
		s.FromArgv = true
	}
	s.global = append(s.global, b)
	return nil
}

// Add adds a secret for every address in p (a single address is a /32 or
// /128 prefix).
func (s *Store) Add(p netip.Prefix, secret []byte) {
	s.entries = append(s.entries, entry{prefix: p.Masked(), secret: append([]byte(nil), secret...)})
	s.sort()
}

func (s *Store) sort() {
	sort.SliceStable(s.entries, func(i, j int) bool {
		return s.entries[i].prefix.Bits() > s.entries[j].prefix.Bits()
	})
}

// LoadFile reads a secrets file; see Load.
func (s *Store) LoadFile(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("secret: %w", err)
	}
	defer f.Close()
	return s.Load(f, name)
}

// Load reads secrets in the secrets-file format from r; name is used in
// error messages. Each line is an address or CIDR prefix, white space, and
// the secret (the rest of the line, trimmed; a double-quoted Go string
// when it needs leading or trailing spaces; env:VAR to read it from the
// environment). The address * stands for every address. Blank lines and
// lines starting with # are ignored. Errors name file:line.
func (s *Store) Load(r io.Reader, name string) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if line == 1 {
			text = strings.TrimPrefix(text, "\ufeff")
		}
		if text == "" || text[0] == '#' {
			continue
		}
		where := name + ":" + strconv.Itoa(line)
		i := strings.IndexAny(text, " \t")
		if i < 0 {
			return fmt.Errorf("secret: %s: want \"ADDRESS SECRET\", found no secret", where)
		}
		addr, val := text[:i], strings.TrimSpace(text[i+1:])
		p, err := parsePrefix(addr)
		if err != nil {
			return fmt.Errorf("secret: %s: %v", where, err)
		}
		if strings.HasPrefix(val, `"`) {
			u, err := strconv.Unquote(val)
			if err != nil {
				return fmt.Errorf("secret: %s: bad quoted secret: %v", where, err)
			}
			val = u
		}
		if val == "" {
			return fmt.Errorf("secret: %s: empty secret", where)
		}
		b, err := s.resolve(val)
		if err != nil {
			return fmt.Errorf("%w (%s)", err, where)
		}
		s.entries = append(s.entries, entry{prefix: p, secret: b, where: where})
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("secret: %s: %w", name, err)
	}
	s.sort()
	return nil
}

func parsePrefix(v string) (netip.Prefix, error) {
	if v == "*" {
		return netip.Prefix{}, nil
	}
	if strings.Contains(v, "/") {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("bad prefix %q", v)
		}
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), max(p.Bits()-96, 0))
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(v)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("bad address %q", v)
	}
	a = a.Unmap().WithZone("")
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// Candidates returns the secrets to try for traffic between client and
// server, most specific first: secrets whose prefix contains the client or
// the server address, longest prefix first (file order at equal length),
// then those for address *, then the ones given with AddArg. Each secret
// appears once. The slices are shared; do not modify them.
func (s *Store) Candidates(client, server netip.Addr) [][]byte {
	if s == nil {
		return nil
	}
	client, server = client.Unmap().WithZone(""), server.Unmap().WithZone("")
	var out [][]byte
	add := func(b []byte) {
		for _, o := range out {
			if bytes.Equal(o, b) {
				return
			}
		}
		out = append(out, b)
	}
	for _, e := range s.entries { // sorted longest prefix first
		if !e.prefix.IsValid() {
			continue
		}
		if e.prefix.Contains(client) || e.prefix.Contains(server) {
			add(e.secret)
		}
	}
	for _, e := range s.entries {
		if !e.prefix.IsValid() { // "*"
			add(e.secret)
		}
	}
	for _, g := range s.global {
		add(g)
	}
	return out
}
