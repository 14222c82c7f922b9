package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/radscope/radscope/internal/xhtml"

	"github.com/radscope/radscope/explain"
	"github.com/radscope/radscope/filter"
	"github.com/radscope/radscope/flow"
	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/output"
)

var update = flag.Bool("update", false, "rewrite golden files")

var t0 = time.Date(2026, 11, 2, 9, 14, 0, 0, time.UTC)

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	if string(want) != got {
		t.Errorf("output differs from %s (go test -update rewrites it)\n--- got\n%s", path, got)
	}
}

func msg(code model.Code, at time.Duration, src string) model.Message {
	return model.Message{Time: t0.Add(at), Kind: model.KindRecord, Code: code, Reason: model.NoReason,
		Src: model.Source{Format: model.FormatODBC, File: src, Line: int(at / time.Second)}}
}

// flows are a handful of attempts of different kinds and outcomes.
func flows() []model.Flow {
	mk := func(id int64, at time.Duration, user, nas string, out model.Outcome, reason int, lat time.Duration, mfa *model.MFA) model.Flow {
		f := model.Flow{ID: id, Kind: model.FlowAuth, Start: t0.Add(at), End: t0.Add(at + lat), User: user, NAS: nas,
			CallingStation: "203.0.113." + string(rune('0'+id)), Method: "PAP", Outcome: out, Reason: reason, Latency: lat, MFA: mfa,
			Sources: []model.Kind{model.KindRecord}}
		resp := model.CodeAccessAccept
		if out == model.OutcomeRejected {
			resp = model.CodeAccessReject
		}
		f.Messages = []model.Message{msg(model.CodeAccessRequest, at, "IN.log"), msg(resp, at+lat, "IN.log")}
		f.Messages[1].Reason = reason
		if mfa != nil {
			ev := msg(model.CodeNone, at+lat, "AuthZ.evtx")
			ev.Kind, ev.User, ev.MFA = model.KindEvent, strings.TrimPrefix(user, `CONTOSO\`)+"@contoso.local", mfa
			f.Messages = append(f.Messages, ev)
			f.Sources = append(f.Sources, model.KindEvent)
		}
		f.Rounds = []model.Round{{Request: 0, Response: 1, Code: resp, Latency: lat}}
		explain.Annotate(&f)
		return f
	}
	fs := []model.Flow{
		mk(1, 0, `CONTOSO\alice`, "vpn-gw", model.OutcomeRejected, 21, 4*time.Second, &model.MFA{Result: "UserNotFound", Outcome: "rejected"}),
		mk(2, time.Minute, `CONTOSO\bob`, "vpn-gw", model.OutcomeAccepted, 0, 25*time.Second, &model.MFA{Result: "Success", Outcome: "accepted"}),
		mk(3, 2*time.Hour, `CONTOSO\alice`, "rdgw", model.OutcomeRejected, 16, 50*time.Millisecond, nil),
	}
	fs = append(fs, model.Flow{ID: 4, Kind: model.FlowAccounting, Start: t0.Add(time.Minute), User: `CONTOSO\bob`, NAS: "vpn-gw",
		Outcome: model.OutcomeAccounted, AcctSessionID: "S1", Reason: model.NoReason, Linked: 2, Sources: []model.Kind{model.KindRecord},
		Messages: []model.Message{msg(model.CodeAccountingRequest, time.Minute, "IN.log")}})
	return fs
}

func TestRows(t *testing.T) {
	for _, fm := range output.Formats {
		for _, tty := range []bool{false, true} {
			if tty && fm != output.Table {
				continue
			}
			name := "TestRows-" + string(fm)
			if tty {
				name += "-tty"
			}
			t.Run(name, func(t *testing.T) {
				var b bytes.Buffer
				w := NewRowWriter(fm, &b, RowOptions{TTY: tty, Location: time.UTC})
				fs := flows()
				for i := range fs {
					if err := w.Write(&fs[i]); err != nil {
						t.Fatal(err)
					}
				}
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
				switch fm {
				case output.JSON:
					var v []map[string]any
					if err := json.Unmarshal(b.Bytes(), &v); err != nil || len(v) != 4 {
						t.Fatalf("JSON: %v, %d rows", err, len(v))
					}
				case output.NDJSON:
					for _, line := range strings.Split(strings.TrimSpace(b.String()), "\n") {
						var v map[string]any
						if err := json.Unmarshal([]byte(line), &v); err != nil {
							t.Fatalf("NDJSON line %q: %v", line, err)
						}
					}
				}
				golden(t, name, b.String())
			})
		}
	}
}

func TestRowFields(t *testing.T) {
	var b bytes.Buffer
	w := NewRowWriter(output.CSV, &b, RowOptions{Fields: []string{"ID", "Outcome", "Reason-Code", "Finding"}})
	fs := flows()
	w.Write(&fs[0])
	w.Close()
	if got, want := b.String(), "ID,Outcome,Reason-Code,Finding\n1,rejected,21,upn-mismatch\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestRecord(t *testing.T) {
	fs := flows()
	cases := map[string][]int64{
		"outcome:rejected":           {1, 3},
		"alice":                      {1, 3},
		"latency:>3s":                {1, 2},
		"reason:21":                  {1},
		"mfa:usernotfound":           {1},
		"finding:upn-mismatch":       {1},
		"severity:error":             {1, 3},
		"kind:accounting":            {4},
		"session:S1":                 {4},
		"time:>=2026-11-02T10:00":    {3},
		"nas:rdgw -outcome:accepted": {3},
		"sources:record messages:1":  {4},
		`reason-text:"user name"`:    {},
		"authentication":             {3},
	}
	for q, want := range cases {
		flt, err := filter.Parse(q, Schema, filter.Options{Now: t0})
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		var got []int64
		for i := range fs {
			if flt.Match(Record(&fs[i])) {
				got = append(got, fs[i].ID)
			}
		}
		if len(got) != len(want) || len(got) > 0 && !equal(got, want) {
			t.Errorf("%s: %v, want %v", q, got, want)
		}
	}
}

func equal(a, b []int64) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func summary() Summary {
	a := NewAggregator(time.UTC)
	fs := flows()
	for i := range fs {
		a.Add(&fs[i])
	}
	st := flow.Stats{Offsets: []flow.Offset{{Kind: model.KindPacket, Offset: 2500 * time.Millisecond, Pairs: 7, Applied: true}}, Reference: model.KindRecord}
	return a.Summary(&st)
}

func TestSummary(t *testing.T) {
	s := summary()
	if s.Attempts != 3 || s.Failures != 2 || s.Flows != 4 || !s.HasErrors() {
		t.Errorf("attempts %d failures %d flows %d errors %v", s.Attempts, s.Failures, s.Flows, s.HasErrors())
	}
	if len(s.TopUsers) != 1 || s.TopUsers[0].Key != `CONTOSO\alice` || s.TopUsers[0].Count != 2 {
		t.Errorf("top users %+v", s.TopUsers)
	}
	if len(s.Timeline) != 3 || s.Timeline[1].Total != 0 || s.Timeline[0].Total != 2 || s.Timeline[2].Failed != 1 {
		t.Errorf("timeline %+v", s.Timeline)
	}
	if len(s.Findings) == 0 || s.Findings[0].Severity != "error" {
		t.Errorf("findings %+v", s.Findings)
	}
	var text, js bytes.Buffer
	if err := WriteText(&text, &s, time.UTC); err != nil {
		t.Fatal(err)
	}
	golden(t, "TestSummary-text", text.String())
	if err := WriteJSON(&js, &s); err != nil {
		t.Fatal(err)
	}
	var back Summary
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || back.Failures != 2 {
		t.Errorf("JSON does not read back: %v", err)
	}
	golden(t, "TestSummary-json", js.String())
}

// TestHTML: the page is well-formed XML (XHTML), carries the numbers, and
// loads nothing from the network.
func TestHTML(t *testing.T) {
	s := summary()
	var b bytes.Buffer
	if err := WriteHTML(&b, &s, time.UTC); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	ids := checkXHTML(t, page)
	want := map[string]string{"attempts": "3", "failures": "2", "flows": "4", "messages": "9", "errors": "2"}
	for id, v := range want {
		if ids[id] != v {
			t.Errorf("#%s = %q, want %q", id, ids[id], v)
		}
	}
	for _, s := range []string{"<svg", "upn-mismatch", "vpn-gw", "25.0s", "2.5s from record"} {
		if !strings.Contains(page, s) {
			t.Errorf("page lacks %q", s)
		}
	}
	for _, bad := range []string{"<script", " src=", "@import", "url(", "<link"} {
		if strings.Contains(page, bad) {
			t.Errorf("page holds %q", bad)
		}
	}
	golden(t, "TestHTML", page)
}

// checkXHTML parses page strictly and returns the text of elements with an
// id.
func checkXHTML(t *testing.T, page string) map[string]string {
	t.Helper()
	ids, err := xhtml.IDText(page)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestSamples(t *testing.T) {
	var s samples
	for i := 1; i <= 100; i++ {
		s.add(time.Duration(i) * time.Millisecond)
	}
	for q, want := range map[float64]time.Duration{0.5: 50 * time.Millisecond, 0.95: 95 * time.Millisecond, 0.99: 99 * time.Millisecond, 1: 100 * time.Millisecond} {
		if got := s.quantile(q); got != want {
			t.Errorf("exact q%.2f = %v, want %v", q, got, want)
		}
	}
	// Past exactCap values the buckets answer within 2%.
	var h samples
	n := exactCap * 3
	for i := 1; i <= n; i++ {
		h.add(time.Duration(i) * time.Millisecond)
	}
	if h.bucket == nil || h.exact != nil {
		t.Fatal("still exact")
	}
	for _, q := range []float64{0.5, 0.95, 0.99} {
		want := float64(n) * q * float64(time.Millisecond)
		got := float64(h.quantile(q))
		if got < want*0.97 || got > want*1.03 {
			t.Errorf("bucketed q%.2f = %v, want about %v", q, time.Duration(got), time.Duration(want))
		}
	}
	if h.max != time.Duration(n)*time.Millisecond {
		t.Errorf("max %v", h.max)
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{0: "0ms", 999 * time.Millisecond: "999ms", 4200 * time.Millisecond: "4.2s",
		90 * time.Second: "1m30s", -2500 * time.Millisecond: "-2.5s"} {
		if got := FormatDuration(d); got != want {
			t.Errorf("%v: %q, want %q", d, got, want)
		}
	}
}

func TestMFAMethod(t *testing.T) {
	f := flows()
	if m := MFAMethod(&f[1]); m != "push or call" {
		t.Errorf("push: %q", m)
	}
	if m := MFAMethod(&f[2]); m != "none" {
		t.Errorf("none: %q", m)
	}
	f[0].Messages = append(f[0].Messages, model.Message{MFA: &model.MFA{Outcome: "challenge"}})
	if m := MFAMethod(&f[0]); m != "one-time code" {
		t.Errorf("otp: %q", m)
	}
}
