package npslog_test

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/nps/npslog"
)

// plain reports whether s is text every format writes as is: printable
// UTF-8, not 0x-hex, no comma (IAS), no surrounding blanks.
func plain(s string, f model.Format) bool {
	if s == "" || !utf8.ValidString(s) || strings.HasPrefix(strings.ToLower(s), "0x") || strings.TrimSpace(s) != s {
		return false
	}
	if f == model.FormatIAS && strings.Contains(s, ",") {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0x2028 || r == 0x2029 || r == 0xfeff || r == utf8.RuneError {
			return false
		}
	}
	return true
}

// FuzzWrite writes records holding arbitrary text in every format: the
// output is one CRLF-terminated line per record, radscope's reader parses
// it without error, and text a format carries as is comes back the same.
func FuzzWrite(f *testing.F) {
	f.Add(`CONTOSO\alice`, "311 1 10.0.0.5 05/02/2024 15:23:13 42", "VPN, MFA users", "NPS01", "CONNECT 24000")
	f.Add("a\"b", "<x>&amp;", "line\r\nbreak", "comp,uter", "\x00\xff")
	f.Add("0x41", "", "é ü 中", " lead", "</Event><Event>")
	f.Fuzz(func(t *testing.T, user, class, policy, computer, info string) {
		m := model.Message{
			Time: t0, Kind: model.KindRecord, Code: model.CodeAccessRequest, Computer: computer, Service: "IAS",
			User: user, Class: class, Policy: policy, Reason: 0,
			Attrs: []model.Attr{{Name: "Connect-Info", Value: info}, {Name: "User-Password", Value: "s3cr3t-marker", Sensitive: true}},
		}
		for _, format := range formats {
			var buf bytes.Buffer
			if err := npslog.NewWriter(&buf, format, zone).Write(m); err != nil {
				t.Fatal(err)
			}
			out := buf.Bytes()
			if !bytes.HasSuffix(out, []byte("\r\n")) || bytes.ContainsAny(out[:len(out)-2], "\r\n") {
				t.Fatalf("%s: not one line: %q", format, out)
			}
			got := readAll(t, format, out)
			if len(got) != 1 {
				t.Fatalf("%s: %d records", format, len(got))
			}
			g := got[0]
			check := func(name, w, gv string) {
				if plain(w, format) && gv != w {
					t.Errorf("%s: %s %q read back as %q", format, name, w, gv)
				}
			}
			check("User", user, g.User)
			check("Class", class, g.Class)
			check("Policy", policy, g.Policy)
			if format != model.FormatIAS || !strings.Contains(computer, ",") {
				check("Computer", computer, g.Computer)
			}
			if a, ok := g.AttrByName("Connect-Info"); plain(info, format) && (!ok || a.Value != info) {
				t.Errorf("%s: Connect-Info %q read back as %q", format, info, a.Value)
			}
			if bytes.Contains(out, []byte("s3cr3t-marker")) || bytes.Contains(out, []byte("73336372337")) {
				t.Errorf("%s: the sensitive value was written", format)
			}
		}
	})
}
