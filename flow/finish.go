package flow

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/radscope/radscope/model"
)

func sortOpens(out []*open) {
	slices.SortFunc(out, func(a, b *open) int {
		if c := a.first.Compare(b.first); c != 0 {
			return c
		}
		return cmp.Compare(a.f.ID, b.f.ID)
	})
}

// authTypeNames are the NPS Authentication-Type values (IAS 4127).
var authTypeNames = map[int]string{
	1: "PAP", 2: "CHAP", 3: "MS-CHAP", 4: "MS-CHAPv2", 5: "EAP", 6: "ARAP", 7: "Unauthenticated",
	8: "Extension", 9: "MS-CHAP-CPW", 10: "MS-CHAPv2-CPW", 11: "PEAP",
}

// finish orders a closed flow's messages, derives its summary fields,
// annotates it and counts it.
func (b *builder) finish(o *open) model.Flow {
	f := o.f
	n := len(f.Messages)
	sorted := true
	for i := 1; i < n; i++ {
		if o.adj[i].Before(o.adj[i-1]) {
			sorted = false
			break
		}
	}
	var where []int // old index -> new; nil when the order stays
	if !sorted {
		perm := make([]int, n)
		for i := range perm {
			perm[i] = i
		}
		slices.SortStableFunc(perm, func(x, y int) int { return o.adj[x].Compare(o.adj[y]) })
		where = make([]int, n)
		for newI, oldI := range perm {
			where[oldI] = newI
		}
		msgs := make([]model.Message, n)
		adj := make([]time.Time, n)
		for newI, oldI := range perm {
			msgs[newI] = f.Messages[oldI]
			adj[newI] = o.adj[oldI]
		}
		f.Messages, o.adj = msgs, adj
	}
	remap := func(i int) int {
		if i < 0 || where == nil {
			return i
		}
		return where[i]
	}
	primary := kRecord
	for _, rs := range o.rounds {
		if rs.req[kPacket] >= 0 || rs.resp[kPacket] >= 0 {
			primary = kPacket
			break
		}
	}
	other := 1 - primary
	f.Rounds = make([]model.Round, 0, len(o.rounds))
	for _, rs := range o.rounds {
		r := model.Round{Request: remap(rs.req[primary]), Response: remap(rs.resp[primary]), Code: rs.code}
		if r.Request < 0 {
			r.Request = remap(rs.req[other])
		}
		if r.Response < 0 {
			r.Response = remap(rs.resp[other])
		}
		for _, x := range rs.rtx[kPacket] {
			r.Retransmits = append(r.Retransmits, remap(x))
		}
		if r.Request >= 0 && r.Response >= 0 {
			r.Latency = o.adj[r.Response].Sub(o.adj[r.Request])
		}
		f.Rounds = append(f.Rounds, r)
	}
	f.Start, f.End = o.first, o.last
	nk := 0
	for k := 0; k < 3; k++ {
		if o.kinds[k] {
			nk++
		}
	}
	f.Sources = make([]model.Kind, 0, nk)
	for k := 0; k < 3; k++ {
		if o.kinds[k] {
			f.Sources = append(f.Sources, kindOf(k))
		}
	}
	if len(f.Sources) > 1 {
		f.Skew = b.skew(o.kinds)
	}
	if o.client.IsValid() {
		f.Client = o.client.String()
	}
	f.AuthSeen = o.hasAuth
	f.Part = o.part
	summarize(&f, o.adj)
	b.noteZone(o, &f)
	if b.o.Annotate != nil {
		b.o.Annotate(&f)
	}
	b.st.Flows++
	if int(f.Kind) < len(b.st.ByKind) {
		b.st.ByKind[f.Kind]++
	}
	if f.Kind == model.FlowUnmatched {
		b.st.Unmatched += int64(len(f.Messages))
	}
	return f
}

func isDecision(m *model.Message) bool {
	return m.Kind == model.KindEvent && m.Event != nil && m.Event.ID >= 6272 && m.Event.ID <= 6278
}

// summarize fills the fields a row shows from the messages and rounds.
func summarize(f *model.Flow, adj []time.Time) {
	first := func(dst *string, v string) {
		if *dst == "" {
			*dst = v
		}
	}
	method := ""
	var decision *model.Message
	var mfa model.MFA
	hasMFA := false
	for i := range f.Messages {
		m := &f.Messages[i]
		req := m.Code.IsRequest()
		if req || m.Kind == model.KindEvent && isDecision(m) {
			first(&f.User, m.User)
			first(&f.CallingStation, m.CallingStation)
			first(&f.CalledStation, m.CalledStation)
		}
		if m.Kind != model.KindPacket {
			first(&f.Computer, m.Computer)
		}
		first(&f.NAS, m.ClientName)
		first(&f.NAS, m.NASID)
		first(&f.Policy, m.Policy)
		first(&f.ProxyPolicy, m.ProxyPolicy)
		first(&f.AcctSessionID, m.AcctSessionID)
		if c := classOf(m); c != "" && (m.Kind == model.KindRecord || m.Code == model.CodeAccessAccept) {
			first(&f.Class, c)
		}
		if m.AuthType != 0 && m.AuthType != 8 && (req || method == "") {
			if name, ok := authTypeNames[m.AuthType]; ok {
				if m.AuthType == 5 {
					if a, ok := m.AttrByName("EAP-Friendly-Name"); ok && strings.Contains(a.Value, "PEAP") {
						name = "PEAP"
					}
				}
				if method == "" || req && m.Kind == model.KindRecord {
					method = name
				}
			}
		}
		if method == "" && m.Kind == model.KindPacket && m.Code == model.CodeAccessRequest {
			method = packetMethod(m)
		}
		if isDecision(m) {
			decision = m
		}
		if m.MFA != nil {
			hasMFA = true
			merge(&mfa, m.MFA)
		}
		if m.Reason != model.NoReason && !req && (m.Code == model.CodeAccessAccept || m.Code == model.CodeAccessReject ||
			m.Code == model.CodeAccessChallenge || isDecision(m)) {
			if f.Reason == model.NoReason || f.Reason == 0 {
				f.Reason = m.Reason
			}
		}
	}
	if f.User == "" {
		for i := range f.Messages {
			first(&f.User, f.Messages[i].User)
		}
	}
	if f.NAS == "" {
		f.NAS = f.Client
	}
	if method == "EAP" {
		for i := range f.Messages {
			m := &f.Messages[i]
			if a, ok := m.AttrByName("EAP-Friendly-Name"); m.AuthType == 11 || ok && strings.Contains(a.Value, "PEAP") {
				method = "PEAP"
				break
			}
		}
	}
	f.Method = method
	if hasMFA {
		f.MFA = &mfa
	}
	f.Outcome = outcome(f, decision)
	if f.Kind == model.FlowAuth || f.Kind == model.FlowStatus || f.Kind == model.FlowCoA {
		start, end := -1, -1
		for _, r := range f.Rounds {
			if start < 0 && r.Request >= 0 {
				start = r.Request
			}
			if r.Response >= 0 {
				end = r.Response
			}
		}
		if start >= 0 && end >= 0 && end != start {
			f.Latency = adj[end].Sub(adj[start])
		}
	}
}

func merge(dst, src *model.MFA) {
	set := func(d *string, s string) {
		if s != "" {
			*d = s
		}
	}
	set(&dst.CID, src.CID)
	set(&dst.Result, src.Result)
	set(&dst.Error, src.Error)
	set(&dst.Method, src.Method)
	set(&dst.Message, src.Message)
	set(&dst.Outcome, src.Outcome)
	set(&dst.State, src.State)
}

// packetMethod tells the password protocol from the attributes of a
// captured Access-Request.
func packetMethod(m *model.Message) string {
	var eap, chap2, chap1, chap, pap bool
	for _, a := range m.Attrs {
		switch {
		case a.Vendor == 0 && a.Type == 79:
			eap = true
		case a.Vendor == 311 && a.Type == 25:
			chap2 = true
		case a.Vendor == 311 && a.Type == 1:
			chap1 = true
		case a.Vendor == 0 && a.Type == 3:
			chap = true
		case a.Vendor == 0 && a.Type == 2:
			pap = true
		}
	}
	switch {
	case eap:
		return "EAP"
	case chap2:
		return "MS-CHAPv2"
	case chap1:
		return "MS-CHAP"
	case chap:
		return "CHAP"
	case pap:
		return "PAP"
	}
	return ""
}

func outcome(f *model.Flow, decision *model.Message) model.Outcome {
	switch f.Kind {
	case model.FlowUnmatched:
		return model.OutcomeUnknown
	case model.FlowAccounting:
		answered, asked := false, false
		for _, r := range f.Rounds {
			if r.Request >= 0 {
				asked = true
			}
			if r.Code == model.CodeAccountingResponse {
				answered = true
			}
		}
		for i := range f.Messages {
			if e := f.Messages[i].Event; e != nil && e.ID == 6275 {
				return model.OutcomeDiscarded
			}
		}
		switch {
		case answered:
			return model.OutcomeAccounted
		case asked:
			return model.OutcomeNoResponse
		}
		return model.OutcomeUnknown
	}
	var last *model.Round
	asked := false
	for i := range f.Rounds {
		r := &f.Rounds[i]
		if r.Request >= 0 {
			asked = true
		}
		if r.Response >= 0 || r.Code != model.CodeNone {
			last = r
		} else if r.Request >= 0 {
			last = nil // a later request went unanswered
		}
	}
	if last != nil {
		switch last.Code {
		case model.CodeAccessAccept, model.CodeCoAACK, model.CodeDisconnectACK, model.CodeAccountingResponse:
			return model.OutcomeAccepted
		case model.CodeAccessReject, model.CodeCoANAK, model.CodeDisconnectNAK:
			return model.OutcomeRejected
		case model.CodeAccessChallenge:
			if decision == nil {
				return model.OutcomeChallengeAbandoned
			}
		}
	}
	if decision != nil {
		switch {
		case decision.Event.ID == 6274:
			return model.OutcomeDiscarded
		case decision.Code == model.CodeAccessAccept:
			return model.OutcomeAccepted
		case decision.Code == model.CodeAccessReject:
			return model.OutcomeRejected
		}
	}
	if asked {
		return model.OutcomeNoResponse
	}
	if f.MFA != nil {
		switch f.MFA.Outcome {
		case "rejected", "error":
			return model.OutcomeRejected
		case "accepted":
			return model.OutcomeAccepted
		}
	}
	return model.OutcomeUnknown
}
