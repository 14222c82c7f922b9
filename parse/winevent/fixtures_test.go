package winevent_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/parse/winevent"
)

const fixtures = "../../testdata/events"

// cet is the zone the fixtures print local times in.
var cet = time.FixedZone("CET", 3600)

type result struct {
	msgs []model.Message
	errs []*model.ParseError
}

func readFile(t testing.TB, name string, opts winevent.Options) (model.Format, result) {
	t.Helper()
	path := filepath.Join(fixtures, name)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, ok := winevent.Sniff(data)
	if !ok {
		t.Fatalf("%s: not sniffed", name)
	}
	opts.File = name
	if opts.Location == nil {
		opts.Location = cet
	}
	opts.Size = int64(len(data))
	r, err := winevent.NewReader(f, bytes.NewReader(data), opts)
	if err != nil {
		t.Fatal(err)
	}
	var res result
	for m, err := range r.All() {
		if err != nil {
			var pe *model.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("%s: final error %v", name, err)
			}
			if pe.Src.File != name || pe.Src.Format != f || (pe.Src.Line == 0 && pe.Src.Record == 0 && pe.Src.Offset == 0) {
				t.Errorf("%s: error without a position: %v", name, err)
			}
			res.errs = append(res.errs, pe)
			continue
		}
		if m.Kind != model.KindEvent || m.Event == nil || m.Src.Format != f {
			t.Errorf("%s: bad message %+v", name, m)
		}
		res.msgs = append(res.msgs, m)
	}
	return f, res
}

func TestFixtureCounts(t *testing.T) {
	tests := []struct {
		file         string
		format       model.Format
		events, errs int
		errPos       []string
	}{
		{"NPS01_Security.evtx", model.FormatEVTX, 23, 0, nil},
		{"NPS01_System.evtx", model.FormatEVTX, 9, 0, nil},
		{"NPS01_AuthZOptCh.evtx", model.FormatEVTX, 17, 0, nil},
		{"NPS01_AuthZAdminCh.evtx", model.FormatEVTX, 1, 0, nil},
		{"NPS01_AuthNOptCh.evtx", model.FormatEVTX, 1, 0, nil},
		{"RDGW_Gateway.evtx", model.FormatEVTX, 9, 0, nil},
		{"wevtutil-security.xml", model.FormatXML, 23, 0, nil},
		{"saved-all.xml", model.FormatXML, 60, 0, nil},
		{"viewer-security.csv", model.FormatCSV, 23, 0, nil},
		{"viewer-security-tab.txt", model.FormatCSV, 23, 0, nil},
		{"ps-all.csv", model.FormatCSV, 60, 0, nil},
		{"ps-all.json", model.FormatJSON, 60, 0, nil},
		{"winlogbeat.ndjson", model.FormatJSON, 60, 0, nil},
		{"wevtutil-security.txt", model.FormatText, 23, 0, nil},
		{"formatlist-all.txt", model.FormatText, 60, 0, nil},
		{"formatlist-utf16le.txt", model.FormatText, 10, 0, nil},
		{"viewer-details.txt", model.FormatText, 3, 0, nil},
		{"viewer-details-noxml.txt", model.FormatText, 3, 0, nil},
		{"bad.xml", model.FormatXML, 2, 2, []string{"bad.xml:2:534", "bad.xml:4:1"}},
		{"bad.ndjson", model.FormatJSON, 3, 2, []string{"bad.ndjson:2:1", "bad.ndjson:4:1"}},
		{"bad.csv", model.FormatCSV, 2, 2, []string{"bad.csv:37:69", "bad.csv:38:13"}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			f, res := readFile(t, tc.file, winevent.Options{})
			if f != tc.format || len(res.msgs) != tc.events || len(res.errs) != tc.errs {
				t.Errorf("format %s, %d events, %d errors; want %s, %d, %d: %v", f, len(res.msgs), len(res.errs), tc.format, tc.events, tc.errs, res.errs)
			}
			for i, want := range tc.errPos {
				if i < len(res.errs) && res.errs[i].Src.String() != want {
					t.Errorf("error %d at %s, want %s (%v)", i, res.errs[i].Src, want, res.errs[i])
				}
			}
		})
	}
}

// key is what every format must agree on for an event.
func key(m model.Message) string {
	mfa := ""
	if m.MFA != nil {
		mfa = fmt.Sprintf("mfa{%s %s %s %s %s}", m.MFA.Outcome, m.MFA.Result, m.MFA.Error, m.MFA.CID, m.MFA.State)
	}
	return fmt.Sprintf("%s %d code=%d user=%q reason=%d nas=%s nasid=%q client=%s/%q calling=%q called=%q np=%q crp=%q sess=%q auth=%d %s",
		m.Time.UTC().Truncate(time.Second).Format(time.RFC3339), m.Event.ID, m.Code, m.User, m.Reason, m.NASAddr, m.NASID,
		m.ClientAddr, m.ClientName, m.CallingStation, m.CalledStation, m.Policy, m.ProxyPolicy, m.AcctSessionID, m.AuthType, mfa)
}

// TestFormatsAgree reads the same events from every format and checks that
// the fields radscope joins on come out the same as from the EVTX files.
func TestFormatsAgree(t *testing.T) {
	want := map[string]bool{}
	var all []string
	for _, f := range []string{"NPS01_Security.evtx", "NPS01_System.evtx", "NPS01_AuthZOptCh.evtx", "NPS01_AuthZAdminCh.evtx", "NPS01_AuthNOptCh.evtx", "RDGW_Gateway.evtx"} {
		_, res := readFile(t, f, winevent.Options{})
		for _, m := range res.msgs {
			k := key(m)
			want[k] = true
			all = append(all, k)
		}
	}
	if len(all) != 60 {
		t.Fatalf("%d events in the EVTX fixtures", len(all))
	}
	for _, f := range []string{"wevtutil-security.xml", "saved-all.xml", "viewer-security.csv", "viewer-security-tab.txt", "ps-all.csv", "ps-all.json",
		"winlogbeat.ndjson", "wevtutil-security.txt", "formatlist-all.txt", "formatlist-utf16le.txt", "viewer-details.txt", "viewer-details-noxml.txt"} {
		t.Run(f, func(t *testing.T) {
			_, res := readFile(t, f, winevent.Options{})
			for _, m := range res.msgs {
				if k := key(m); !want[k] {
					t.Errorf("event not in the EVTX files:\n %s\nnearest:\n %s", k, nearest(all, k))
				}
			}
		})
	}
}

func nearest(all []string, k string) string {
	best, score := "", -1
	for _, a := range all {
		n := 0
		for n < len(a) && n < len(k) && a[n] == k[n] {
			n++
		}
		if n > score {
			best, score = a, n
		}
	}
	return best
}

// TestMFADay checks the story of 2024-03-05 as radscope must tell it.
func TestMFADay(t *testing.T) {
	var msgs []model.Message
	for _, f := range []string{"NPS01_Security.evtx", "NPS01_AuthZOptCh.evtx", "RDGW_Gateway.evtx"} {
		_, res := readFile(t, f, winevent.Options{})
		msgs = append(msgs, res.msgs...)
	}
	sort.SliceStable(msgs, func(i, j int) bool { return msgs[i].Time.Before(msgs[j].Time) })
	var got []string
	for _, m := range msgs {
		if m.Time.In(cet).Format("2006-01-02") != "2024-03-05" {
			continue
		}
		line := fmt.Sprintf("%s %d", m.Time.In(cet).Format("15:04:05"), m.Event.ID)
		switch {
		case m.MFA != nil:
			line += fmt.Sprintf(" mfa %s %s %s", m.MFA.Outcome, m.User, m.MFA.Result+m.MFA.Error)
		case m.Event.ID >= 6272:
			line += fmt.Sprintf(" %s %s reason %d", m.Code, m.User, m.Reason)
		default:
			e, _ := m.AttrByName("ErrorCode")
			line += fmt.Sprintf(" rdg %s %s %s", m.User, m.CallingStation, e.Value)
		}
		got = append(got, line)
	}
	wantLines := []string{
		"06:00:02 2 mfa error  REGISTRY_CONFIG_ERROR",
		"07:58:12 1 mfa challenge alice@contoso.local Challenge",
		"07:58:31 6272 Access-Accept CONTOSO\\alice reason 0",
	}
	for i, w := range wantLines {
		if i >= len(got) || got[i] != w {
			t.Fatalf("line %d: got %q, want %q\nall:\n%s", i, at(got, i), w, strings.Join(got, "\n"))
		}
	}
	text := strings.Join(got, "\n")
	for _, w := range []string{
		"13:45:21 1 mfa rejected alice@contoso.local OathCodeIncorrect",
		"13:45:21 6273 Access-Reject CONTOSO\\alice reason 21",
		"09:02:17 201 rdg CONTOSO\\dave 192.0.2.14 23003",
		"09:02:17 6273 Access-Reject CONTOSO\\dave reason 21",
		"08:12:03 1 mfa ignored CONTOSO\\mallory AccessReject",
		"08:20:44 1 mfa ignored carol@contoso.local AccessChallenge",
		"11:30:05 6273 Access-Reject mallory@fabrikam.example reason 49",
	} {
		if !strings.Contains(text, w) {
			t.Errorf("missing %q in\n%s", w, text)
		}
	}
	if n := strings.Count(text, " 6273 "); n != 9 {
		t.Errorf("%d rejects, want 9 (the log fixture has 9)", n)
	}
	if n := strings.Count(text, " 6272 "); n != 5 {
		t.Errorf("%d accepts, want 5", n)
	}
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return "<none>"
}

func TestStrictStopsAtFirstError(t *testing.T) {
	_, res := readFile(t, "bad.xml", winevent.Options{Strict: true})
	if len(res.msgs) != 1 || len(res.errs) != 1 {
		t.Fatalf("strict: %d events, %d errors", len(res.msgs), len(res.errs))
	}
	data, _ := os.ReadFile(filepath.Join(fixtures, "bad.xml"))
	r := winevent.NewXMLReader(bytes.NewReader(data), winevent.Options{Strict: true})
	r.Read()
	_, err1 := r.Read()
	_, err2 := r.Read()
	if err1 == nil || err1 != err2 {
		t.Errorf("strict error not final: %v then %v", err1, err2)
	}
	// Without Strict the reader goes on to EOF and stays there.
	r = winevent.NewXMLReader(bytes.NewReader(data), winevent.Options{})
	for {
		if _, err := r.Read(); err == io.EOF {
			break
		}
	}
	if _, err := r.Read(); err != io.EOF {
		t.Errorf("after EOF: %v", err)
	}
}

func TestBreakClosesReader(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(fixtures, "NPS01_Security.evtx"))
	if err != nil {
		t.Fatal(err)
	}
	r := winevent.NewEVTXReader(bytes.NewReader(data), int64(len(data)), winevent.Options{Workers: 2})
	for range r.All() {
		break
	}
	if _, err := r.Read(); err != io.EOF {
		t.Errorf("read after leaving the loop: %v, want io.EOF", err)
	}
}
