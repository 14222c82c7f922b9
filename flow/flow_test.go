package flow_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"iter"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/radscope/radscope/dict"
	"github.com/radscope/radscope/flow"
	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/parse"
)

var update = flag.Bool("update", false, "rewrite golden files")

var t0 = time.Date(2026, 11, 2, 9, 14, 0, 0, time.UTC)

// msgs turns a slice into the stream Build reads.
func msgs(ms ...model.Message) iter.Seq2[model.Message, error] {
	return func(yield func(model.Message, error) bool) {
		for _, m := range ms {
			if !yield(m, nil) {
				return
			}
		}
	}
}

func collect(t *testing.T, seq iter.Seq2[model.Message, error], o flow.Options) []model.Flow {
	t.Helper()
	var out []model.Flow
	for f, err := range flow.Build(context.Background(), seq, o) {
		if err != nil {
			t.Fatalf("Build: %v", err)
		}
		out = append(out, f)
	}
	return out
}

var (
	nas    = netip.MustParseAddrPort("10.0.0.1:40000")
	server = netip.MustParseAddrPort("10.0.0.10:1812")
)

// pkt builds a captured packet; frame numbers must be unique per test.
func pkt(at time.Duration, code model.Code, ident int, auth byte, frame int64, user string, attrs ...model.Attr) model.Message {
	return model.Message{
		Time: t0.Add(at), Kind: model.KindPacket, Code: code, Ident: ident, Auth: []byte{auth, 1, 2, 3},
		Client: nas, Server: server, User: user, Reason: model.NoReason, Attrs: attrs,
		Src: model.Source{Format: model.FormatPcap, File: "c.pcap", Frame: frame},
	}
}

// rec builds an NPS log record.
func rec(at time.Duration, code model.Code, user, class string, reason int) model.Message {
	m := model.Message{
		Time: t0.Add(at), Kind: model.KindRecord, Code: code, Ident: model.NoIdent, Computer: "NPS01",
		User: user, ClientAddr: nas.Addr(), ClientName: "vpn-gw", Class: class, Reason: reason,
		Src: model.Source{Format: model.FormatODBC, File: "IN.log", Line: int(at / time.Millisecond)},
	}
	if code == model.CodeAccessRequest {
		m.CallingStation = "203.0.113.21"
		m.AuthType = 1
	}
	return m
}

func event(at time.Duration, id int, code model.Code, user string, reason int) model.Message {
	return model.Message{
		Time: t0.Add(at), Kind: model.KindEvent, Code: code, User: user, ClientAddr: nas.Addr(), Computer: "NPS01.contoso.local",
		CallingStation: "203.0.113.21", Reason: reason, Ident: model.NoIdent,
		Event: &model.Event{ID: id, Channel: "Security"},
		Src:   model.Source{Format: model.FormatEVTX, File: "Security.evtx", Record: int64(at)},
	}
}

func mfaEvent(at time.Duration, user, cid, result, outcome string) model.Message {
	return model.Message{
		Time: t0.Add(at), Kind: model.KindEvent, User: user, Reason: model.NoReason, Ident: model.NoIdent,
		Event: &model.Event{ID: 1, Channel: "Microsoft-AzureMfa-AuthZ/AuthZOptCh"},
		MFA:   &model.MFA{CID: cid, Result: result, Outcome: outcome},
		Src:   model.Source{Format: model.FormatEVTX, File: "AuthZ.evtx", Record: int64(at)},
	}
}

func peer(m model.Message, frame int64) model.Message { m.Peer = frame; return m }

func withMarks(m model.Message, mk model.Mark) model.Message { m.Marks |= mk; return m }

func attr(name, v string) model.Attr { return model.Attr{Name: name, Value: v, Raw: []byte(v)} }

const sec = time.Second

// count is the number of messages in all flows.
func count(fs []model.Flow) int {
	n := 0
	for _, f := range fs {
		n += len(f.Messages)
	}
	return n
}

func TestJoins(t *testing.T) {
	type want struct {
		flows    int
		outcome  []model.Outcome
		rounds   []int
		sources  []string
		rtx      []int
		reason   []int
		linked   []bool
		mfa      []string
		latency  []time.Duration
		messages []int
	}
	cases := []struct {
		name string
		in   []model.Message
		want want
	}{
		{
			name: "capture: request, two retransmits, reject by Peer",
			in: []model.Message{
				pkt(0, model.CodeAccessRequest, 7, 0xa, 1, "alice"),
				withMarks(pkt(3*sec, model.CodeAccessRequest, 7, 0xa, 2, "alice"), model.MarkRetransmit),
				withMarks(pkt(6*sec, model.CodeAccessRequest, 7, 0xa, 3, "alice"), model.MarkRetransmit),
				peer(pkt(8*sec, model.CodeAccessReject, 7, 0xb, 4, ""), 1),
			},
			want: want{flows: 1, outcome: []model.Outcome{model.OutcomeRejected}, rounds: []int{1}, rtx: []int{2},
				sources: []string{"packet"}, latency: []time.Duration{8 * sec}, messages: []int{4}},
		},
		{
			name: "capture: challenge chained by State",
			in: []model.Message{
				pkt(0, model.CodeAccessRequest, 1, 0x1, 1, "alice"),
				peer(pkt(100*time.Millisecond, model.CodeAccessChallenge, 1, 0x2, 2, "", attr("State", "s-1")), 1),
				pkt(20*sec, model.CodeAccessRequest, 2, 0x3, 3, "alice", attr("State", "s-1")),
				peer(pkt(21*sec, model.CodeAccessAccept, 2, 0x4, 4, ""), 3),
			},
			want: want{flows: 1, outcome: []model.Outcome{model.OutcomeAccepted}, rounds: []int{2}, rtx: []int{0},
				sources: []string{"packet"}, latency: []time.Duration{21 * sec}},
		},
		{
			name: "capture: challenge nobody answers",
			in: []model.Message{
				pkt(0, model.CodeAccessRequest, 1, 0x1, 1, "alice"),
				peer(pkt(100*time.Millisecond, model.CodeAccessChallenge, 1, 0x2, 2, "", attr("State", "s-1")), 1),
			},
			want: want{flows: 1, outcome: []model.Outcome{model.OutcomeChallengeAbandoned}, rounds: []int{1}},
		},
		{
			name: "capture: no response",
			in: []model.Message{
				pkt(0, model.CodeAccessRequest, 1, 0x1, 1, "alice"),
				withMarks(pkt(3*sec, model.CodeAccessRequest, 1, 0x1, 2, "alice"), model.MarkRetransmit),
			},
			want: want{flows: 1, outcome: []model.Outcome{model.OutcomeNoResponse}, rtx: []int{1}},
		},
		{
			name: "log: request and reject by Class, two attempts of one user",
			in: []model.Message{
				rec(0, model.CodeAccessRequest, `CONTOSO\alice`, "c1", 0),
				rec(0, model.CodeAccessReject, `CONTOSO\alice`, "c1", 16),
				rec(5*sec, model.CodeAccessRequest, `CONTOSO\alice`, "c2", 0),
				rec(5*sec, model.CodeAccessReject, `CONTOSO\alice`, "c2", 16),
			},
			want: want{flows: 2, outcome: []model.Outcome{model.OutcomeRejected, model.OutcomeRejected}, reason: []int{16, 16},
				messages: []int{2, 2}},
		},
		{
			name: "log: response without Class joins by user and time",
			in: []model.Message{
				rec(0, model.CodeAccessRequest, "carol@contoso.local", "", 0),
				rec(25*sec, model.CodeAccessAccept, `CONTOSO\carol`, "", 0),
			},
			want: want{flows: 1, outcome: []model.Outcome{model.OutcomeAccepted}, latency: []time.Duration{25 * sec}},
		},
		{
			name: "capture, log and events of one attempt",
			in: []model.Message{
				pkt(0, model.CodeAccessRequest, 9, 0x1, 1, `CONTOSO\alice`),
				rec(0, model.CodeAccessRequest, `CONTOSO\alice`, "c1", 0),
				withMarks(pkt(3*sec, model.CodeAccessRequest, 9, 0x1, 2, `CONTOSO\alice`), model.MarkRetransmit),
				rec(4*sec, model.CodeAccessReject, `CONTOSO\alice`, "c1", 21),
				event(4*sec, 6273, model.CodeAccessReject, `CONTOSO\alice`, 21),
				mfaEvent(4*sec, "alice@contoso.local", "cid-1", "UserNotFound", "rejected"),
				peer(pkt(4*sec, model.CodeAccessReject, 9, 0x2, 3, ""), 1),
			},
			want: want{flows: 1, outcome: []model.Outcome{model.OutcomeRejected}, sources: []string{"packet,record,event"},
				reason: []int{21}, mfa: []string{"UserNotFound"}, rtx: []int{1}, messages: []int{7}},
		},
		{
			name: "decision event alone",
			in:   []model.Message{event(0, 6274, model.CodeNone, `CONTOSO\bob`, 9)},
			want: want{flows: 1, outcome: []model.Outcome{model.OutcomeDiscarded}, reason: []int{9}},
		},
		{
			name: "accounting linked by Class, and without Class by user",
			in: []model.Message{
				rec(0, model.CodeAccessRequest, `CONTOSO\bob`, "c9", 0),
				rec(0, model.CodeAccessAccept, `CONTOSO\bob`, "c9", 0),
				func() model.Message {
					m := rec(2*sec, model.CodeAccountingRequest, `CONTOSO\bob`, "c9", 0)
					m.AcctSessionID, m.AcctStatus = "S1", 1
					return m
				}(),
				func() model.Message {
					m := rec(time.Hour, model.CodeAccountingRequest, `CONTOSO\bob`, "c9", 0)
					m.AcctSessionID, m.AcctStatus = "S1", 2
					return m
				}(),
			},
			want: want{flows: 2, outcome: []model.Outcome{model.OutcomeAccepted, model.OutcomeAccounted}, linked: []bool{false, true},
				messages: []int{2, 2}},
		},
		{
			name: "stray messages are unmatched, not lost",
			in: []model.Message{
				{Time: t0, Kind: model.KindEvent, Reason: model.NoReason, Event: &model.Event{ID: 4400, Channel: "System"}},
				peer(pkt(sec, model.CodeAccessAccept, 3, 0x1, 9, ""), 77),
			},
			want: want{flows: 2, outcome: []model.Outcome{model.OutcomeUnknown, model.OutcomeAccepted}},
		},
		{
			name: "Status-Server probe",
			in: []model.Message{
				pkt(0, model.CodeStatusServer, 4, 0x1, 1, ""),
				peer(pkt(10*time.Millisecond, model.CodeAccessAccept, 4, 0x2, 2, ""), 1),
			},
			want: want{flows: 1, outcome: []model.Outcome{model.OutcomeAccepted}, latency: []time.Duration{10 * time.Millisecond}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fs := collect(t, msgs(c.in...), flow.Options{})
			if len(fs) != c.want.flows {
				for _, f := range fs {
					t.Logf("flow %d %s %s %d msgs", f.ID, f.Kind, f.Outcome, len(f.Messages))
				}
				t.Fatalf("%d flows, want %d", len(fs), c.want.flows)
			}
			if n := count(fs); n != len(c.in) {
				t.Errorf("%d messages in flows, want %d", n, len(c.in))
			}
			for i, f := range fs {
				if c.want.outcome != nil && f.Outcome != c.want.outcome[i] {
					t.Errorf("flow %d outcome %s, want %s", i, f.Outcome, c.want.outcome[i])
				}
				if c.want.rounds != nil && len(f.Rounds) != c.want.rounds[i] {
					t.Errorf("flow %d has %d rounds, want %d", i, len(f.Rounds), c.want.rounds[i])
				}
				if c.want.rtx != nil && f.Retransmits() != c.want.rtx[i] {
					t.Errorf("flow %d has %d retransmits, want %d", i, f.Retransmits(), c.want.rtx[i])
				}
				if c.want.sources != nil {
					var s []string
					for _, k := range f.Sources {
						s = append(s, k.String())
					}
					if got := strings.Join(s, ","); got != c.want.sources[i] {
						t.Errorf("flow %d sources %s, want %s", i, got, c.want.sources[i])
					}
				}
				if c.want.reason != nil && f.Reason != c.want.reason[i] {
					t.Errorf("flow %d reason %d, want %d", i, f.Reason, c.want.reason[i])
				}
				if c.want.linked != nil && (f.Linked != 0) != c.want.linked[i] {
					t.Errorf("flow %d linked %d, want linked=%v", i, f.Linked, c.want.linked[i])
				}
				if c.want.mfa != nil && (f.MFA == nil || f.MFA.Result != c.want.mfa[i]) {
					t.Errorf("flow %d MFA %+v, want %s", i, f.MFA, c.want.mfa[i])
				}
				if c.want.latency != nil && f.Latency != c.want.latency[i] {
					t.Errorf("flow %d latency %v, want %v", i, f.Latency, c.want.latency[i])
				}
				if c.want.messages != nil && len(f.Messages) != c.want.messages[i] {
					t.Errorf("flow %d has %d messages, want %d", i, len(f.Messages), c.want.messages[i])
				}
				for j := 1; j < len(f.Messages); j++ {
					if f.Messages[j].Time.Before(f.Messages[j-1].Time.Add(-5 * sec)) {
						t.Errorf("flow %d messages out of order at %d", i, j)
					}
				}
			}
		})
	}
}

// TestClockOffset: the capture host runs 2.5 s ahead of the NPS server; the
// builder pairs the attempts anyway, estimates the offset and reports it.
func TestClockOffset(t *testing.T) {
	const skew = 2500 * time.Millisecond
	var in []model.Message
	for i := 0; i < 6; i++ {
		at := time.Duration(i) * 10 * sec
		user := fmt.Sprintf(`CONTOSO\u%d`, i)
		class := fmt.Sprintf("c%d", i)
		in = append(in,
			rec(at, model.CodeAccessRequest, user, class, 0),
			rec(at+200*time.Millisecond, model.CodeAccessAccept, user, class, 0),
			pkt(at+skew, model.CodeAccessRequest, i, byte(i), int64(2*i+1), user),
			peer(pkt(at+skew+200*time.Millisecond, model.CodeAccessAccept, i, byte(100+i), int64(2*i+2), ""), int64(2*i+1)),
		)
	}
	sortByTime(in)
	var st flow.Stats
	fs := collect(t, msgs(in...), flow.Options{Stats: &st})
	if len(fs) != 6 {
		t.Fatalf("%d flows, want 6", len(fs))
	}
	for _, f := range fs {
		if len(f.Sources) != 2 || len(f.Messages) != 4 {
			t.Errorf("flow %d: sources %v, %d messages", f.ID, f.Sources, len(f.Messages))
		}
	}
	if len(st.Offsets) != 1 || st.Offsets[0].Kind != model.KindPacket || st.Reference != model.KindRecord {
		t.Fatalf("offsets %+v reference %v", st.Offsets, st.Reference)
	}
	if d := st.Offsets[0].Offset - skew; d < -time.Millisecond || d > time.Millisecond {
		t.Errorf("offset %v, want %v", st.Offsets[0].Offset, skew)
	}
	if last := fs[len(fs)-1]; last.Skew != skew {
		t.Errorf("last flow skew %v, want %v", last.Skew, skew)
	}
}

func sortByTime(ms []model.Message) {
	for i := 1; i < len(ms); i++ {
		for j := i; j > 0 && ms[j].Time.Before(ms[j-1].Time); j-- {
			ms[j], ms[j-1] = ms[j-1], ms[j]
		}
	}
}

// TestBoundedWindow: a long stream of short attempts keeps only a handful
// of flows open, and they come out while the stream is still being read.
func TestBoundedWindow(t *testing.T) {
	const n = 5000
	read := 0
	seq := func(yield func(model.Message, error) bool) {
		for i := 0; i < n; i++ {
			at := time.Duration(i) * sec
			user := fmt.Sprintf("u%d", i%50)
			class := fmt.Sprint(i)
			read++
			if !yield(rec(at, model.CodeAccessRequest, user, class, 0), nil) {
				return
			}
			read++
			if !yield(rec(at, model.CodeAccessReject, user, class, 16), nil) {
				return
			}
		}
	}
	var st flow.Stats
	first := -1
	got := 0
	for f, err := range flow.Build(context.Background(), seq, flow.Options{Stats: &st}) {
		if err != nil {
			t.Fatal(err)
		}
		if first < 0 {
			first = read
		}
		got += len(f.Messages)
	}
	if got != 2*n {
		t.Errorf("%d messages out, want %d", got, 2*n)
	}
	if st.MaxOpen > 60 {
		t.Errorf("%d flows open at most, want at most 60 (30 s grace at one attempt a second)", st.MaxOpen)
	}
	if first >= 2*n {
		t.Errorf("first flow came after the whole input was read")
	}
}

// TestErrors: a parse error passes through and building goes on; a final
// error ends the stream after the open flows.
func TestErrors(t *testing.T) {
	pe := &model.ParseError{Src: model.Source{File: "x.log", Line: 3}, Err: errors.New("bad")}
	final := errors.New("disk on fire")
	seq := func(yield func(model.Message, error) bool) {
		_ = yield(rec(0, model.CodeAccessRequest, "a", "c1", 0), nil) &&
			yield(model.Message{}, pe) &&
			yield(rec(0, model.CodeAccessReject, "a", "c1", 16), nil) &&
			yield(model.Message{}, final)
	}
	var errs []error
	flows := 0
	for f, err := range flow.Build(context.Background(), seq, flow.Options{}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if len(errs) == 2 {
			t.Error("flow after the final error")
		}
		flows++
		if len(f.Messages) != 2 {
			t.Errorf("flow has %d messages, want 2", len(f.Messages))
		}
	}
	if flows != 1 || len(errs) != 2 || !errors.Is(errs[0], pe) || !errors.Is(errs[1], final) {
		t.Errorf("flows %d, errors %v", flows, errs)
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	seq := func(yield func(model.Message, error) bool) {
		for i := 0; ; i++ {
			if !yield(rec(time.Duration(i)*sec, model.CodeAccessRequest, "a", fmt.Sprint(i), 0), nil) {
				return
			}
		}
	}
	var last error
	for _, err := range flow.Build(ctx, seq, flow.Options{}) {
		last = err
	}
	if !errors.Is(last, context.Canceled) {
		t.Errorf("last error %v, want context.Canceled", last)
	}
}

// TestNoMessageLost runs every fixture through parse and flow: each message
// read is in exactly one flow.
func TestNoMessageLost(t *testing.T) {
	sets := map[string][]string{
		"mfa-day":    {"../testdata/iaslogs/mfa-day", "../testdata/events"},
		"pcaps":      {"../testdata/pcaps"},
		"logfiles":   {"../testdata/iaslogs"},
		"incident":   {"../testdata/incident"},
		"everything": {"../testdata"},
	}
	for name, paths := range sets {
		t.Run(name, func(t *testing.T) {
			if _, err := os.Stat(paths[0]); err != nil {
				t.Skip(err)
			}
			o := parse.Options{Location: time.FixedZone("CET", 3600), Dict: dict.Default()}
			want := 0
			for m, err := range parse.Open(context.Background(), paths, o).All() {
				if err != nil && !model.IsParseError(err) {
					t.Fatal(err)
				}
				if err == nil || m.Kind != model.KindUnknown {
					want++
				}
			}
			s := parse.Open(context.Background(), paths, o)
			var st flow.Stats
			got, n := 0, 0
			seen := map[string]int{}
			for f, err := range flow.Build(context.Background(), s.All(), flow.Options{Stats: &st}) {
				if err != nil {
					if !model.IsParseError(err) {
						t.Fatal(err)
					}
					continue
				}
				n++
				got += len(f.Messages)
				for i := range f.Messages {
					seen[f.Messages[i].Src.String()]++
				}
			}
			if int64(got) != st.Messages || got != want {
				t.Errorf("%d messages in %d flows, stats %d, parse counted %d", got, n, st.Messages, want)
			}
			for src, k := range seen {
				if k > 1 {
					t.Errorf("%s is in %d flows", src, k)
				}
			}
		})
	}
}

// TestMFADay is a golden summary of the MFA day: logs and events joined.
func TestMFADay(t *testing.T) {
	paths := []string{"../testdata/iaslogs/mfa-day/IN240305.log", "../testdata/events/NPS01_Security.evtx",
		"../testdata/events/NPS01_AuthZOptCh.evtx", "../testdata/events/RDGW_Gateway.evtx"}
	o := parse.Options{Location: time.FixedZone("CET", 3600), Dict: dict.Default()}
	s := parse.Open(context.Background(), paths, o)
	var st flow.Stats
	var b strings.Builder
	for f, err := range flow.Build(context.Background(), s.All(), flow.Options{Stats: &st}) {
		if err != nil {
			t.Fatal(err)
		}
		mfa := ""
		if f.MFA != nil {
			mfa = f.MFA.Result + f.MFA.Error
		}
		var srcs []string
		for _, k := range f.Sources {
			srcs = append(srcs, k.String())
		}
		fmt.Fprintf(&b, "%d %s %s user=%q nas=%s station=%s method=%s %s reason=%d mfa=%s latency=%v sources=%s messages=%d rounds=%d rtx=%d linked=%d\n",
			f.ID, f.Kind, f.Start.UTC().Format(time.RFC3339Nano), f.User, f.NAS, f.CallingStation, f.Method, f.Outcome,
			f.Reason, mfa, f.Latency, strings.Join(srcs, ","), len(f.Messages), len(f.Rounds), f.Retransmits(), f.Linked)
	}
	fmt.Fprintf(&b, "offsets %+v reference %s messages %d flows %d unmatched %d\n", st.Offsets, st.Reference, st.Messages, st.Flows, st.Unmatched)
	golden(t, filepath.Join("testdata", "TestMFADay.golden"), b.String())
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
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

// TestZoneHint: NPS log times read an hour off (a wrong --tz) join nothing,
// and the builder says so.
func TestZoneHint(t *testing.T) {
	build := func(shift time.Duration) flow.Stats {
		var in []model.Message
		for i := 0; i < 5; i++ {
			at := time.Duration(i) * 7 * time.Minute
			user := fmt.Sprintf(`CONTOSO\u%d`, i%2)
			class := fmt.Sprint(i)
			in = append(in,
				rec(at, model.CodeAccessRequest, user, class, 0),
				rec(at+100*time.Millisecond, model.CodeAccessReject, user, class, 16),
				event(at+shift+120*time.Millisecond, 6273, model.CodeAccessReject, user, 16))
		}
		sortByTime(in)
		var st flow.Stats
		fs := collect(t, msgs(in...), flow.Options{Stats: &st})
		if count(fs) != len(in) {
			t.Fatalf("%d messages out of %d", count(fs), len(in))
		}
		return st
	}
	st := build(time.Hour)
	if len(st.ZoneHints) != 1 {
		t.Fatalf("hints %+v", st.ZoneHints)
	}
	h := st.ZoneHints[0]
	if h.Kind != model.KindRecord || h.Ref != model.KindEvent || h.Offset != -time.Hour || h.Votes < 3 {
		t.Errorf("hint %+v, want record times 1h behind the events", h)
	}
	if st := build(0); len(st.ZoneHints) != 0 {
		t.Errorf("hints %+v on aligned sources", st.ZoneHints)
	}
	if st := build(17 * time.Minute); len(st.ZoneHints) != 0 {
		t.Errorf("hints %+v for an offset that is no zone step", st.ZoneHints)
	}
}

// TestMaxOpen: past MaxOpen the least recently active flows are closed
// early, and nothing is lost.
func TestMaxOpen(t *testing.T) {
	var in []model.Message
	for i := 0; i < 50; i++ {
		// Unanswered requests of distinct users, 100 ms apart: all open at once.
		in = append(in, rec(time.Duration(i)*100*time.Millisecond, model.CodeAccessRequest, fmt.Sprintf("u%d", i), fmt.Sprint(i), 0))
	}
	var st flow.Stats
	fs := collect(t, msgs(in...), flow.Options{MaxOpen: 8, Stats: &st})
	if len(fs) != 50 || count(fs) != 50 {
		t.Fatalf("%d flows with %d messages, want 50", len(fs), count(fs))
	}
	if st.Forced == 0 || st.MaxOpen > 9 {
		t.Errorf("forced %d, max open %d", st.Forced, st.MaxOpen)
	}
	for _, f := range fs {
		if f.Outcome != model.OutcomeNoResponse {
			t.Errorf("flow %d: %s", f.ID, f.Outcome)
		}
	}
}

// acctRec is an accounting record of session id with the given status
// (1 Start, 2 Stop, 3 Interim-Update).
func acctRec(at time.Duration, id string, status int) model.Message {
	m := rec(at, model.CodeAccountingRequest, `CONTOSO\bob`, "c9", 0)
	m.AcctSessionID, m.AcctStatus = id, status
	return m
}

func TestSessionParts(t *testing.T) {
	// An accepted sign-in, then a 3-hour session with an Interim-Update
	// every 10 minutes; another user's traffic keeps stream time moving.
	session := func(id string, stop bool) []model.Message {
		in := []model.Message{
			rec(0, model.CodeAccessRequest, `CONTOSO\bob`, "c9", 0),
			rec(0, model.CodeAccessAccept, `CONTOSO\bob`, "c9", 0),
			acctRec(2*sec, id, 1),
		}
		for at := 10 * time.Minute; at < 3*time.Hour; at += 10 * time.Minute {
			in = append(in, acctRec(at, id, 3))
		}
		if stop {
			in = append(in, acctRec(3*time.Hour, id, 2))
		}
		return in
	}
	tests := []struct {
		name      string
		in        []model.Message
		budget    int
		acctIdle  time.Duration
		wantParts []int // Part of each accounting flow, in order
		wantMsgs  []int // messages of each accounting flow
	}{
		{name: "within the default budget the session stays whole", in: session("S1", true), wantParts: []int{0}, wantMsgs: []int{19}},
		{name: "no budget", in: session("S1", true), budget: -1, wantParts: []int{0}, wantMsgs: []int{19}},
		{name: "over budget it comes in parts", in: session("S1", true), budget: 3,
			// A part is cut when it holds more than 3 messages and the
			// session's next message comes; the Stop ends the last.
			wantParts: seq(1, 5), wantMsgs: []int{4, 4, 4, 4, 3}},
		{name: "a Start with a reused ID begins a new session",
			in:        append(session("S1", false)[:4], acctRec(2*time.Hour, "S1", 1), acctRec(2*time.Hour+time.Minute, "S1", 2)),
			budget:    1,
			wantParts: []int{1, 0}, wantMsgs: []int{2, 2}},
		{name: "a session idle for AcctIdle closes whole",
			in:     append(session("S1", false)[:4], acctRec(5*time.Hour, "S1", 3)),
			budget: 1, acctIdle: 2 * time.Hour,
			wantParts: []int{0, 0}, wantMsgs: []int{2, 1}},
		{name: "a session idle for AcctIdle after its last part is forgotten",
			// Other traffic every 5 minutes moves stream time: the part is
			// cut at 0:11, forgotten at 2:10 (two hours after its last
			// message), so the late Interim starts afresh.
			in:     withTraffic(append(session("S1", false)[:4], acctRec(5*time.Hour, "S1", 3)), 5*time.Hour),
			budget: 1, acctIdle: 2 * time.Hour,
			wantParts: []int{1, 0}, wantMsgs: []int{2, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var st flow.Stats
			fs := collect(t, msgs(tt.in...), flow.Options{SessionBudget: tt.budget, AcctIdle: tt.acctIdle, Stats: &st})
			if count(fs) != len(tt.in) {
				t.Fatalf("%d messages in flows, want %d", count(fs), len(tt.in))
			}
			var auth int64
			var parts, nmsgs []int
			var prev *model.Flow
			for i := range fs {
				f := &fs[i]
				switch f.Kind {
				case model.FlowAuth:
					if f.User == `CONTOSO\bob` {
						auth = f.ID
					}
					continue
				case model.FlowAccounting:
				default:
					t.Fatalf("flow %d is %s", f.ID, f.Kind)
				}
				parts = append(parts, f.Part)
				nmsgs = append(nmsgs, len(f.Messages))
				if f.Outcome != model.OutcomeAccounted {
					t.Errorf("flow %d: %s", f.ID, f.Outcome)
				}
				switch {
				case f.Part > 1:
					if prev == nil || f.Continues != prev.ID || prev.Part != f.Part-1 {
						t.Errorf("part %d (flow %d) continues %d, want the previous part", f.Part, f.ID, f.Continues)
					}
					if f.Linked != auth || f.AcctSessionID != "S1" {
						t.Errorf("part %d: linked %d (want %d), session %q", f.Part, f.Linked, auth, f.AcctSessionID)
					}
				case f.Continues != 0:
					t.Errorf("flow %d (part %d) continues %d", f.ID, f.Part, f.Continues)
				}
				prev = f
			}
			if !slices.Equal(parts, tt.wantParts) || !slices.Equal(nmsgs, tt.wantMsgs) {
				t.Errorf("parts %v with %v messages, want %v with %v", parts, nmsgs, tt.wantParts, tt.wantMsgs)
			}
			if cut := tt.wantParts[0] == 1; cut != (st.Parts > 0) {
				t.Errorf("Stats.Parts = %d", st.Parts)
			}
		})
	}
}

// withTraffic adds another user's sign-in every 5 minutes up to end.
func withTraffic(in []model.Message, end time.Duration) []model.Message {
	for at := time.Minute; at < end; at += 5 * time.Minute {
		in = append(in, rec(at, model.CodeAccessRequest, `CONTOSO\carol`, "", 0), rec(at, model.CodeAccessAccept, `CONTOSO\carol`, "", 0))
	}
	sortByTime(in)
	return in
}

func seq(from, to int) []int {
	var out []int
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

func repeat(v, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = v
	}
	return out
}
