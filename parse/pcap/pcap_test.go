package pcap_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/parse/pcap"
	"github.com/radscope/radscope/secret"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const capDir = "../../testdata/pcaps"

// captures lists the committed captures with the extra ports they need.
func captures(t testing.TB) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(capDir, "*.pcap*"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no captures in %s: %v", capDir, err)
	}
	return names
}

func testSecrets(t testing.TB) *secret.Store {
	t.Helper()
	s := &secret.Store{}
	if err := s.LoadFile(filepath.Join(capDir, "secrets.txt")); err != nil {
		t.Fatal(err)
	}
	return s
}

var extraPorts = []uint16{11812}

type result struct {
	msgs  []model.Message
	errs  []error
	stats pcap.Stats
}

func readFile(t testing.TB, name string, o pcap.Options) result {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	o.File = filepath.Base(name)
	r, err := pcap.NewReader(f, o)
	if err != nil {
		t.Fatal(err)
	}
	var res result
	for m, err := range r.All() {
		if err != nil {
			var pe *model.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("final error: %v", err)
			}
			if pe.Src.Frame <= 0 || pe.Src.File != o.File {
				t.Errorf("ParseError without a frame or file: %v", err)
			}
			res.errs = append(res.errs, err)
		}
		if m.Kind == model.KindPacket {
			res.msgs = append(res.msgs, m)
		}
	}
	res.stats = r.Stats()
	return res
}

type jsonAttr struct {
	Name      string `json:"name"`
	Vendor    uint32 `json:"vendor,omitempty"`
	Type      int32  `json:"type"`
	Value     string `json:"value"`
	Sensitive bool   `json:"sensitive,omitempty"`
}

type jsonMsg struct {
	Frame, Offset  int64
	Time           string
	Code           string
	Ident          int
	Auth           string
	Client, Server string
	User           string `json:",omitempty"`
	NASAddr        string `json:",omitempty"`
	NASID          string `json:",omitempty"`
	Calling        string `json:",omitempty"`
	Called         string `json:",omitempty"`
	Class          string `json:",omitempty"`
	AcctSessionID  string `json:",omitempty"`
	AcctStatus     int    `json:",omitempty"`
	Marks          string `json:",omitempty"`
	Peer           int64  `json:",omitempty"`
	RTT            string `json:",omitempty"`
	Check          string `json:",omitempty"`
	Attrs          []jsonAttr
}

func dump(res result) []byte {
	var out struct {
		Messages []jsonMsg
		Errors   []string
		Stats    pcap.Stats
	}
	for _, m := range res.msgs {
		j := jsonMsg{
			Frame: m.Src.Frame, Offset: m.Src.Offset, Time: m.Time.UTC().Format("2006-01-02T15:04:05.000000000Z"),
			Code: m.Code.String(), Ident: m.Ident, Auth: fmt.Sprintf("%x", m.Auth),
			Client: m.Client.String(), Server: m.Server.String(), User: m.User, NASID: m.NASID,
			Calling: m.CallingStation, Called: m.CalledStation, Class: m.Class,
			AcctSessionID: m.AcctSessionID, AcctStatus: m.AcctStatus, Marks: m.Marks.String(), Peer: m.Peer,
		}
		if m.NASAddr.IsValid() {
			j.NASAddr = m.NASAddr.String()
		}
		if m.RTT != 0 {
			j.RTT = m.RTT.String()
		}
		if c := m.Check; c != nil {
			j.Check = fmt.Sprintf("auth=%s ma=%s pw=%s", c.Authenticator, c.MessageAuthenticator, c.Password)
		}
		for _, a := range m.Attrs {
			j.Attrs = append(j.Attrs, jsonAttr{a.Name, a.Vendor, a.Type, a.Value, a.Sensitive})
		}
		out.Messages = append(out.Messages, j)
	}
	for _, e := range res.errs {
		out.Errors = append(out.Errors, e.Error())
	}
	out.Stats = res.stats
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		panic(err)
	}
	return append(b, '\n')
}

// TestGolden decodes every capture with the test secrets and compares a
// JSON dump of the messages with testdata/golden/<capture>.json.
func TestGolden(t *testing.T) {
	sec := testSecrets(t)
	for _, name := range captures(t) {
		t.Run(filepath.Base(name), func(t *testing.T) {
			res := readFile(t, name, pcap.Options{Secrets: sec, ShowSecrets: true, Ports: extraPorts})
			got := dump(res)
			golden := filepath.Join("testdata", "golden", filepath.Base(name)+".json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("output differs from %s (go test -update rewrites it):\n%s", golden, lineDiff(string(want), string(got)))
			}
		})
	}
}

// lineDiff shows the first differing lines with some context.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, a, b)
		}
	}
	return ""
}

var _ = io.EOF
