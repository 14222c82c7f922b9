package flow_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/radscope/radscope/flow"
	"github.com/radscope/radscope/model"
)

// fuzzMessages turns bytes into a time-ordered message stream, 7 bytes a
// message: kind, code, user, time step, identifier, flags, peer.
func fuzzMessages(data []byte) []model.Message {
	codes := []model.Code{model.CodeAccessRequest, model.CodeAccessAccept, model.CodeAccessReject, model.CodeAccessChallenge,
		model.CodeAccountingRequest, model.CodeAccountingResponse, model.CodeStatusServer, model.CodeCoARequest, model.CodeCoAACK,
		model.CodeDisconnectNAK, model.CodeNone, 99}
	var out []model.Message
	at := t0
	for i := 0; i+7 <= len(data) && len(out) < 400; i += 7 {
		d := data[i : i+7]
		at = at.Add(time.Duration(d[3]) * 137 * time.Millisecond)
		m := model.Message{Time: at, Code: codes[int(d[1])%len(codes)], Ident: int(d[4]), Reason: model.NoReason}
		user := fmt.Sprintf("u%d", d[2]%4)
		if d[5]&1 != 0 {
			m.User = user
		}
		switch d[0] % 4 {
		case 0:
			m.Kind = model.KindPacket
			m.Client, m.Server = nas, server
			m.Auth = []byte{d[4], d[6]}
			m.Src = model.Source{File: "f.pcap", Frame: int64(len(out) + 1)}
			if d[5]&2 != 0 {
				m.Marks |= model.MarkRetransmit
			}
			if d[5]&4 != 0 {
				m.Peer = int64(d[6]%16) + 1
			}
		case 1:
			m.Kind = model.KindRecord
			m.ClientAddr = nas.Addr()
			m.Src = model.Source{File: "IN.log", Line: len(out) + 1}
			if d[5]&8 != 0 {
				m.Class = fmt.Sprint(d[6] % 8)
			}
			m.Reason = int(d[6] % 50)
		case 2:
			m.Kind = model.KindEvent
			m.Event = &model.Event{ID: 6270 + int(d[6]%12), Channel: "Security"}
			if d[5]&16 != 0 {
				m.MFA = &model.MFA{CID: fmt.Sprint(d[6] % 3), Outcome: []string{"challenge", "rejected", "ignored", "accepted"}[d[4]%4], Result: "UserNotFound"}
			}
			m.Src = model.Source{File: "e.evtx", Record: int64(len(out) + 1)}
		default:
			m.Kind = model.KindUnknown
			m.Src = model.Source{File: "x", Line: len(out) + 1}
		}
		if d[5]&32 != 0 {
			m.Attrs = []model.Attr{{Name: "State", Value: fmt.Sprint(d[6] % 4)}}
		}
		if m.Code == model.CodeAccountingRequest {
			m.AcctSessionID = fmt.Sprint(d[6] % 4)
			m.AcctStatus = int(d[4]%3) + 1
		}
		if d[5]&64 != 0 {
			m.CallingStation = fmt.Sprint(d[6] % 2)
		}
		out = append(out, m)
	}
	return out
}

// FuzzBuild: any stream builds without panic, every message ends in
// exactly one flow, and every flow's indexes point into its messages.
func FuzzBuild(f *testing.F) {
	f.Add([]byte{0, 0, 1, 1, 7, 1, 0, 1, 0, 1, 1, 7, 9, 3, 0, 1, 1, 5, 7, 5, 1, 2, 2, 1, 1, 0, 1, 0})
	f.Add([]byte{1, 0, 0, 0, 0, 9, 1, 1, 3, 0, 0, 0, 9, 1, 1, 0, 0, 200, 0, 41, 2, 2, 2, 0, 0, 0, 17, 3, 3, 4, 1, 0, 0, 0, 0})
	f.Add([]byte{0, 4, 0, 1, 1, 1, 1, 0, 5, 0, 0, 1, 4, 1, 1, 4, 0, 255, 2, 1, 3, 2, 9, 1, 1, 1, 1, 1})
	// one accounting session, Interim-Updates a minute apart (odd length)
	f.Add([]byte{1, 4, 0, 0, 0, 0, 1, 1, 4, 0, 255, 2, 0, 1, 1, 4, 0, 255, 2, 0, 1, 1, 4, 0, 255, 2, 0, 1, 1, 4, 0, 255, 2, 0, 1, 9, 9})
	f.Fuzz(func(t *testing.T, data []byte) {
		in := fuzzMessages(data)
		want := len(in)
		got := 0
		// Odd inputs run with a tiny session budget, so accounting
		// sessions come out in parts.
		o := flow.Options{}
		if len(data)%2 == 1 {
			o.SessionBudget = 1 + len(data)%3
		}
		parts := map[int64]int{} // flow ID -> part, for Continues checks
		for fl, err := range flow.Build(context.Background(), msgs(in...), o) {
			if err != nil {
				t.Fatal(err)
			}
			got += len(fl.Messages)
			if fl.Part > 0 {
				parts[fl.ID] = fl.Part
			}
			if fl.Continues != 0 {
				if p, ok := parts[fl.Continues]; !ok || p != fl.Part-1 || fl.Kind != model.FlowAccounting {
					t.Fatalf("flow %d (%s, part %d) continues %d (part %d, seen %v)", fl.ID, fl.Kind, fl.Part, fl.Continues, p, ok)
				}
			}
			for _, r := range fl.Rounds {
				for _, i := range append([]int{r.Request, r.Response}, r.Retransmits...) {
					if i < -1 || i >= len(fl.Messages) {
						t.Fatalf("flow %d: index %d of %d messages", fl.ID, i, len(fl.Messages))
					}
				}
			}
		}
		if got != want {
			t.Fatalf("%d messages in flows, %d in", got, want)
		}
	})
}
