package secret_test

import (
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/radscope/radscope/secret"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func strs(bs [][]byte) []string {
	var out []string
	for _, b := range bs {
		out = append(out, string(b))
	}
	return out
}

const secretsFile = `# test secrets
10.0.0.0/8        wide
10.1.2.0/24       narrower   with spaces
10.1.2.3          exact
2001:db8::/32     six
192.0.2.10        env:NAS_SECRET
*                 anyone
::ffff:198.51.100.0/120 mapped

198.51.100.7      "  quoted  "
`

func TestStoreCandidates(t *testing.T) {
	s := &secret.Store{LookupEnv: env(map[string]string{"NAS_SECRET": "from-env", "ALL": "global-env"})}
	if err := s.Load(strings.NewReader(secretsFile), "secrets.txt"); err != nil {
		t.Fatal(err)
	}
	if err := s.AddArg("env:ALL"); err != nil {
		t.Fatal(err)
	}
	if s.FromArgv {
		t.Error("env:ALL set FromArgv")
	}
	if err := s.AddArg("cli"); err != nil {
		t.Fatal(err)
	}
	if !s.FromArgv {
		t.Error("literal --secret did not set FromArgv")
	}
	a := netip.MustParseAddr
	for _, tc := range []struct {
		name           string
		client, server string
		want           []string
	}{
		{"exact beats prefixes", "10.1.2.3", "127.0.0.1", []string{"exact", "narrower   with spaces", "wide", "anyone", "global-env", "cli"}},
		{"server side matches too", "127.0.0.1", "10.9.9.9", []string{"wide", "anyone", "global-env", "cli"}},
		{"env value", "192.0.2.10", "127.0.0.1", []string{"from-env", "anyone", "global-env", "cli"}},
		{"ipv6", "2001:db8::1", "::1", []string{"six", "anyone", "global-env", "cli"}},
		{"v4-mapped client", "::ffff:10.1.2.3", "::1", []string{"exact", "narrower   with spaces", "wide", "anyone", "global-env", "cli"}},
		{"mapped prefix, quoted", "198.51.100.7", "127.0.0.1", []string{"  quoted  ", "mapped", "anyone", "global-env", "cli"}},
		{"nothing specific", "127.0.0.1", "127.0.0.1", []string{"anyone", "global-env", "cli"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := strs(s.Candidates(a(tc.client), a(tc.server)))
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Candidates = %q\nwant         %q", got, tc.want)
			}
		})
	}
	if s.Len() != 10 {
		t.Errorf("Len = %d, want 10", s.Len())
	}
}

func TestStoreDedupAndNil(t *testing.T) {
	var nilStore *secret.Store
	if nilStore.Candidates(netip.MustParseAddr("1.2.3.4"), netip.Addr{}) != nil || nilStore.Len() != 0 {
		t.Error("nil store not empty")
	}
	s := &secret.Store{}
	s.Add(netip.MustParsePrefix("10.0.0.0/8"), []byte("same"))
	_ = s.AddArg("same")
	if got := strs(s.Candidates(netip.MustParseAddr("10.0.0.1"), netip.Addr{})); !reflect.DeepEqual(got, []string{"same"}) {
		t.Errorf("duplicates not removed: %q", got)
	}
}

func TestStoreErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"no secret", "# c\n10.0.0.1\n", "secret: f.txt:2: want \"ADDRESS SECRET\", found no secret"},
		{"bad address", "\n\n10.0.0.300 s\n", "secret: f.txt:3: bad address \"10.0.0.300\""},
		{"bad prefix", "10.0.0.0/33 s\n", "secret: f.txt:1: bad prefix \"10.0.0.0/33\""},
		{"unset env", "1.2.3.4 env:NOPE\n", "secret: environment variable NOPE is not set (f.txt:1)"},
		{"empty env", "1.2.3.4 env:EMPTY\n", "secret: environment variable EMPTY is empty (f.txt:1)"},
		{"bad quote", "1.2.3.4 \"abc\n", "secret: f.txt:1: bad quoted secret: invalid syntax"},
		{"empty quoted", "1.2.3.4 \"\"\n", "secret: f.txt:1: empty secret"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &secret.Store{LookupEnv: env(map[string]string{"EMPTY": ""})}
			err := s.Load(strings.NewReader(tc.in), "f.txt")
			if err == nil || err.Error() != tc.want {
				t.Errorf("err = %v\nwant  %s", err, tc.want)
			}
		})
	}
	s := &secret.Store{LookupEnv: env(nil)}
	for _, v := range []string{"", "env:", "env:UNSET"} {
		if err := s.AddArg(v); err == nil || !strings.HasPrefix(err.Error(), "secret: ") {
			t.Errorf("AddArg(%q) = %v", v, err)
		}
	}
	if err := s.LoadFile(filepath.Join(t.TempDir(), "missing")); err == nil || !strings.HasPrefix(err.Error(), "secret: ") {
		t.Errorf("LoadFile(missing) = %v", err)
	}
}

func TestStoreLoadFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "secrets")
	if err := os.WriteFile(p, []byte("\ufeff127.0.0.1 testing123\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := &secret.Store{}
	if err := s.LoadFile(p); err != nil {
		t.Fatal(err)
	}
	if got := strs(s.Candidates(netip.MustParseAddr("127.0.0.1"), netip.Addr{})); !reflect.DeepEqual(got, []string{"testing123"}) {
		t.Errorf("got %q", got)
	}
}
