package flow

import (
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/radscope/radscope/model"
)

// place puts a packet or a log record into a flow.
func (b *builder) place(m model.Message, t time.Time) {
	switch m.Code {
	case model.CodeAccessRequest:
		b.authRequest(m, t)
	case model.CodeAccessAccept, model.CodeAccessReject, model.CodeAccessChallenge:
		b.response(m, t)
	case model.CodeAccountingRequest:
		b.acctRequest(m, t)
	case model.CodeAccountingResponse, model.CodeCoAACK, model.CodeCoANAK, model.CodeDisconnectACK, model.CodeDisconnectNAK:
		b.response(m, t)
	case model.CodeStatusServer, model.CodeStatusClient:
		b.single(model.FlowStatus, m, t)
	case model.CodeCoARequest, model.CodeDisconnectRequest:
		b.single(model.FlowCoA, m, t)
	default:
		b.unmatched(m, t)
	}
}

func exchKey(m *model.Message) string {
	var sb strings.Builder
	sb.WriteString(m.Client.String())
	sb.WriteByte('|')
	sb.WriteString(m.Server.String())
	sb.WriteByte('|')
	sb.WriteString(strconv.Itoa(m.Ident))
	sb.WriteByte('|')
	sb.Write(m.Auth)
	return sb.String()
}

func frameKey(file string, frame int64) string {
	return file + "\x00" + strconv.FormatInt(frame, 10)
}

// retransmit attaches a captured repeat of a request to the round of the
// original; false when the original is unknown.
func (b *builder) retransmit(m model.Message, t time.Time) bool {
	if m.Kind != model.KindPacket || m.Marks&model.MarkRetransmit == 0 {
		return false
	}
	r, ok := b.exch[exchKey(&m)]
	if !ok {
		return false
	}
	idx := b.attach(r.o, m, t)
	rs := &r.o.rounds[r.round]
	rs.rtx[kPacket] = append(rs.rtx[kPacket], idx)
	b.frames[frameKey(m.Src.File, m.Src.Frame)] = r
	b.index(r.o, ixFrame, frameKey(m.Src.File, m.Src.Frame))
	return true
}

// indexRequest records the keys by which the answers to a request are found.
func (b *builder) indexRequest(o *open, round int, m *model.Message) {
	r := roundRef{o, round}
	switch m.Kind {
	case model.KindPacket:
		k := exchKey(m)
		b.exch[k] = r
		b.index(o, ixExch, k)
		fk := frameKey(m.Src.File, m.Src.Frame)
		b.frames[fk] = r
		b.index(o, ixFrame, fk)
	case model.KindRecord:
		if m.Class != "" {
			b.class[m.Class] = r
			b.index(o, ixClass, m.Class)
		}
	}
}

func (b *builder) authRequest(m model.Message, t time.Time) {
	if b.retransmit(m, t) {
		return
	}
	if b.firstAuth.IsZero() {
		b.firstAuth = t
	}
	ki := kindIndex(m.Kind)
	var o *open
	r := -1
	if st := stateOf(&m); st != "" {
		if c := b.states[st]; c != nil && compatible(c, &m, true) {
			o = c
			r = firstWithout(c.rounds, ki, false)
			if r >= 0 && absDur(t.Sub(c.rounds[r].t)) > b.o.MaxSkew {
				r = -1
			}
		}
	}
	unique := false
	if o == nil {
		o, r, unique = b.findRequest(&m, ki, t)
	}
	if o == nil {
		o = b.newOpen(model.FlowAuth, &m, t)
	} else {
		b.learn(o, &m)
	}
	if r < 0 {
		o.rounds = append(o.rounds, newRound(t))
		r = len(o.rounds) - 1
		o.final = false
	}
	idx := b.attach(o, m, t)
	rs := &o.rounds[r]
	rs.req[ki] = idx
	if t.Before(rs.t) {
		rs.t = t
	}
	if unique {
		if oi := 1 - ki; rs.req[oi] >= 0 {
			b.sample(ki, oi, m.Time, o.f.Messages[rs.req[oi]].Time)
		}
	}
	b.indexRequest(o, r, &m)
	b.relist(o)
}

// firstWithout returns the first round that has no request (or answer) of
// kind ki, or -1.
func firstWithout(rs []roundState, ki int, answer bool) int {
	for i := range rs {
		if !answer && rs[i].req[ki] < 0 || answer && rs[i].resp[ki] < 0 {
			return i
		}
	}
	return -1
}

// findRequest looks for the open attempt a request belongs to: the same
// step seen by another source, or the next round after an Access-Challenge.
// It returns the flow, the round (-1 for a new round) and whether the pair
// was unambiguous.
func (b *builder) findRequest(m *model.Message, ki int, t time.Time) (*open, int, bool) {
	u := normUser(m.User)
	if u == "" {
		return nil, -1, false
	}
	tol, sure := b.tolerance(ki, 1-ki)
	var best *open
	bestRound, n := -1, 0
	var bestDiff time.Duration
	for _, c := range b.users[u] {
		if c.f.Kind != model.FlowAuth || !compatible(c, m, true) {
			continue
		}
		r := firstWithout(c.rounds, ki, false)
		var diff time.Duration
		switch {
		case r >= 0:
			diff = absDur(t.Sub(c.rounds[r].t))
			if diff > tol {
				continue
			}
		case len(c.rounds) == 0: // events only so far
			diff = absDur(t.Sub(c.first))
			if diff > tol+b.o.EventSlack {
				continue
			}
		default:
			last := &c.rounds[len(c.rounds)-1]
			if !last.hasResp || last.code != model.CodeAccessChallenge {
				continue
			}
			if t.Before(last.tResp.Add(-tol)) || t.Sub(last.tResp) > b.o.Hold {
				continue
			}
			diff = t.Sub(last.tResp)
			if diff < 0 {
				diff = -diff
			}
		}
		n++
		if best == nil || diff < bestDiff {
			best, bestRound, bestDiff = c, r, diff
		}
	}
	if best == nil {
		return nil, -1, false
	}
	if !sure && bestDiff > b.o.Tolerance && n > 1 {
		return nil, -1, false
	}
	return best, bestRound, n == 1
}

// response places an answer: by the capture's Peer link, by the logged
// Class, else by user and time.
func (b *builder) response(m model.Message, t time.Time) {
	ki := kindIndex(m.Kind)
	var o *open
	r := -1
	if m.Kind == model.KindPacket && m.Peer != 0 {
		if ref, ok := b.frames[frameKey(m.Src.File, m.Peer)]; ok {
			o, r = ref.o, ref.round
		}
	}
	if o == nil && m.Kind == model.KindRecord && m.Class != "" {
		if ref, ok := b.class[m.Class]; ok && ref.o.rounds[ref.round].resp[ki] < 0 {
			o, r = ref.o, ref.round
		}
	}
	if o == nil && m.Kind == model.KindRecord && isAccess(m.Code) {
		o, r = b.findResponse(&m, ki, t)
	}
	if o == nil {
		kind := model.FlowAuth
		switch m.Code {
		case model.CodeAccountingResponse:
			kind = model.FlowAccounting
		case model.CodeCoAACK, model.CodeCoANAK, model.CodeDisconnectACK, model.CodeDisconnectNAK:
			kind = model.FlowCoA
		}
		o = b.newOpen(kind, &m, t)
		o.rounds = append(o.rounds, newRound(t))
		r = 0
	} else {
		b.learn(o, &m)
	}
	idx := b.attach(o, m, t)
	rs := &o.rounds[r]
	if rs.resp[ki] < 0 {
		rs.resp[ki] = idx
		if oi := 1 - ki; rs.resp[oi] >= 0 {
			b.sample(ki, oi, m.Time, o.f.Messages[rs.resp[oi]].Time)
		}
	}
	if !rs.hasResp || t.Before(rs.tResp) {
		rs.tResp = t
	}
	if !rs.hasResp {
		rs.code = m.Code
	}
	rs.hasResp = true
	if r == len(o.rounds)-1 {
		o.final = m.Code != model.CodeAccessChallenge
	}
	if m.Code == model.CodeAccessChallenge {
		if st := stateOf(&m); st != "" {
			b.states[st] = o
			b.index(o, ixState, st)
		}
	}
	if m.Code == model.CodeAccessAccept && o.f.Kind == model.FlowAuth {
		b.noteAccept(o, &m, t)
	}
	b.relist(o)
}

func isAccess(c model.Code) bool {
	return c == model.CodeAccessAccept || c == model.CodeAccessReject || c == model.CodeAccessChallenge
}

// findResponse finds the oldest round of the user's attempts whose logged
// request has no logged answer yet.
func (b *builder) findResponse(m *model.Message, ki int, t time.Time) (*open, int) {
	u := normUser(m.User)
	for _, c := range b.users[u] {
		if c.f.Kind != model.FlowAuth || !compatible(c, m, false) {
			continue
		}
		for i := range c.rounds {
			rs := &c.rounds[i]
			if rs.req[ki] >= 0 && rs.resp[ki] < 0 && !t.Before(rs.t.Add(-b.o.Tolerance)) && t.Sub(rs.t) <= b.o.Hold+b.o.Tolerance {
				return c, i
			}
		}
	}
	return nil, -1
}

// noteAccept remembers an accepted attempt for the accounting that follows.
func (b *builder) noteAccept(o *open, m *model.Message, t time.Time) {
	link := classLink{o.f.ID, t}
	e := acceptEntry{t: t}
	if c := classOf(m); c != "" {
		b.accepts[c] = link
		e.class = c
	}
	if o.user != "" {
		e.sig = sigKey{o.user, o.client, o.station}
		b.recent[e.sig] = link
	}
	b.acceptsQ = append(b.acceptsQ, e)
}

func (b *builder) acctRequest(m model.Message, t time.Time) {
	if b.retransmit(m, t) {
		return
	}
	ki := kindIndex(m.Kind)
	key := acctKey{m.AcctSessionID, clientAddr(&m)}
	o := b.acct[key]
	if m.AcctSessionID == "" {
		o = nil
	}
	if o != nil && o.stopped && m.AcctStatus == 1 {
		o = nil
	}
	if o == nil {
		o = b.newOpen(model.FlowAccounting, &m, t)
		if m.AcctSessionID != "" {
			if prev := b.acct[key]; prev != nil {
				b.close(prev)
			}
			b.acct[key] = o
			o.keys = append(o.keys, indexKey{kind: ixAcct, acct: key})
			b.continuePart(o, &m, key, t)
		}
	} else {
		b.learn(o, &m)
	}
	r := -1
	tol, _ := b.tolerance(ki, 1-ki)
	for i := range o.rounds {
		other := o.rounds[i].req[1-ki]
		if o.rounds[i].req[ki] < 0 && other >= 0 && absDur(t.Sub(o.rounds[i].t)) <= tol && o.f.Messages[other].AcctStatus == m.AcctStatus {
			r = i
			break
		}
	}
	if r < 0 {
		o.rounds = append(o.rounds, newRound(t))
		r = len(o.rounds) - 1
	}
	idx := b.attach(o, m, t)
	rs := &o.rounds[r]
	rs.req[ki] = idx
	if oi := 1 - ki; rs.req[oi] >= 0 {
		b.sample(ki, oi, m.Time, o.f.Messages[rs.req[oi]].Time)
	}
	b.indexRequest(o, r, &m)
	if m.Kind == model.KindRecord {
		// NPS logged it: accepted.
		rs.hasResp = true
		rs.code = model.CodeAccountingResponse
		if rs.tResp.IsZero() {
			rs.tResp = t
		}
	}
	if m.AcctStatus == 2 {
		o.stopped = true
	}
	if o.f.Linked == 0 {
		if c := classOf(&m); c != "" {
			if l, ok := b.accepts[c]; ok {
				o.f.Linked = l.id
			}
		}
		if o.f.Linked == 0 && o.user != "" {
			if l, ok := b.recent[sigKey{o.user, o.client, o.station}]; ok && t.Sub(l.t) <= b.o.LinkWindow {
				o.f.Linked = l.id
			}
		}
	}
	if m.AcctStatus == 1 && !b.firstAuth.IsZero() && t.Sub(b.started) >= b.o.LinkWindow {
		o.hasAuth = true
	}
	b.relist(o)
}

// single starts a flow of one request (Status-Server, CoA, Disconnect).
func (b *builder) single(kind model.FlowKind, m model.Message, t time.Time) {
	if b.retransmit(m, t) {
		return
	}
	o := b.newOpen(kind, &m, t)
	o.rounds = append(o.rounds, newRound(t))
	idx := b.attach(o, m, t)
	o.rounds[0].req[kindIndex(m.Kind)] = idx
	b.indexRequest(o, 0, &m)
	b.relist(o)
}

func (b *builder) unmatched(m model.Message, t time.Time) {
	o := b.newOpen(model.FlowUnmatched, &m, t)
	b.attach(o, m, t)
	b.close(o)
}

// placeEvent puts a Windows event into a flow, once its slack has passed.
func (b *builder) placeEvent(m model.Message, t time.Time) {
	ev := m.Event
	switch {
	case ev != nil && ev.ID >= 6272 && ev.ID <= 6278 && ev.ID != 6275 && m.User != "":
		b.decision(m, t)
	case ev != nil && ev.ID == 6275 && m.AcctSessionID != "":
		if o := b.acct[acctKey{m.AcctSessionID, clientAddr(&m)}]; o != nil {
			b.attach(o, m, t)
			return
		}
		b.unmatched(m, t)
	case m.MFA != nil && (m.MFA.CID != "" || m.User != ""):
		b.mfaEvent(m, t)
	case ev != nil && strings.Contains(ev.Channel, "TerminalServices-Gateway") && m.User != "":
		if o := b.findEvent(&m, t, false, false); o != nil {
			b.attach(o, m, t)
			return
		}
		b.unmatched(m, t)
	default:
		b.unmatched(m, t)
	}
}

func (b *builder) decision(m model.Message, t time.Time) {
	o := b.findEvent(&m, t, true, true)
	if o == nil {
		o = b.newOpen(model.FlowAuth, &m, t)
		o.user = normUser(m.User)
		b.users[o.user] = append(b.users[o.user], o)
		o.keys = append(o.keys, indexKey{kind: ixUser, key: o.user})
		o.station = normStation(m.CallingStation)
	} else if len(o.rounds) > 0 {
		last := &o.rounds[len(o.rounds)-1]
		if last.resp[kRecord] >= 0 && b.uniqueEvent {
			b.sample(kEvent, kRecord, m.Time, o.f.Messages[last.resp[kRecord]].Time)
		} else if last.resp[kPacket] >= 0 && b.uniqueEvent {
			b.sample(kEvent, kPacket, m.Time, o.f.Messages[last.resp[kPacket]].Time)
		}
	}
	b.attach(o, m, t)
	o.decided = true
	o.final = true
	b.relist(o)
}

func (b *builder) mfaEvent(m model.Message, t time.Time) {
	var o *open
	if cid := m.MFA.CID; cid != "" {
		o = b.cids[cid]
	}
	if o == nil && m.User != "" {
		o = b.findEvent(&m, t, false, false)
	}
	if o == nil {
		if m.User == "" {
			b.unmatched(m, t)
			return
		}
		o = b.newOpen(model.FlowAuth, &m, t)
		o.user = normUser(m.User)
		b.users[o.user] = append(b.users[o.user], o)
		o.keys = append(o.keys, indexKey{kind: ixUser, key: o.user})
		o.final = true
	}
	if cid := m.MFA.CID; cid != "" && b.cids[cid] != o {
		b.cids[cid] = o
		b.index(o, ixCID, cid)
	}
	b.attach(o, m, t)
}

// findEvent finds the attempt of the event's user whose time span (its
// rounds, plus Hold while unanswered, plus EventSlack either side) holds
// the event, the nearest if several do. Decision events skip attempts that
// already have one and must agree on client and calling station.
func (b *builder) findEvent(m *model.Message, t time.Time, decision, station bool) *open {
	u := normUser(m.User)
	var best *open
	var bestDiff time.Duration
	n := 0
	for _, c := range b.users[u] {
		if c.f.Kind != model.FlowAuth || decision && c.decided {
			continue
		}
		if decision && !compatible(c, m, station) {
			continue
		}
		end := c.last
		if !c.final && c.first.Add(b.o.Hold).After(end) {
			end = c.first.Add(b.o.Hold)
		}
		if t.Before(c.first.Add(-b.o.EventSlack)) || t.After(end.Add(b.o.EventSlack)) {
			continue
		}
		diff := nearest(c, t)
		n++
		if best == nil || diff < bestDiff {
			best, bestDiff = c, diff
		}
	}
	b.uniqueEvent = n == 1
	return best
}

// nearest is the distance from t to the closest request or answer of c.
func nearest(c *open, t time.Time) time.Duration {
	d := absDur(t.Sub(c.first))
	for i := range c.rounds {
		rs := &c.rounds[i]
		if x := absDur(t.Sub(rs.t)); x < d {
			d = x
		}
		if rs.hasResp {
			if x := absDur(t.Sub(rs.tResp)); x < d {
				d = x
			}
		}
	}
	return d
}

// compatible reports whether m may belong to o: the join keys both carry
// agree (user, client address, calling station when asked, NPS server).
func compatible(o *open, m *model.Message, station bool) bool {
	if o.user != "" && m.User != "" && normUser(m.User) != o.user {
		return false
	}
	if a := clientAddr(m); a.IsValid() && o.client.IsValid() && a != o.client {
		return false
	}
	if station && o.station != "" {
		if s := normStation(m.CallingStation); s != "" && s != o.station {
			return false
		}
	}
	if m.Computer != "" && o.f.Computer != "" && normComputer(m.Computer) != normComputer(o.f.Computer) {
		return false
	}
	return true
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// normUser reduces DOMAIN\user, user@realm and case to one form.
func normUser(s string) string {
	if s == "" {
		return ""
	}
	if i := strings.LastIndexByte(s, '\\'); i >= 0 {
		s = s[i+1:]
	}
	if i := strings.IndexByte(s, '@'); i > 0 {
		s = s[:i]
	}
	return strings.ToLower(s)
}

// normStation drops case and the separators MAC addresses are written with.
func normStation(s string) string {
	if s == "" {
		return ""
	}
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '-' || c == ':' || c == '.':
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		sb.WriteByte(c)
	}
	return sb.String()
}

func normComputer(s string) string {
	if i := strings.IndexByte(s, '.'); i > 0 {
		s = s[:i]
	}
	return strings.ToLower(s)
}

// clientAddr is the RADIUS client's address as the message states it.
func clientAddr(m *model.Message) netip.Addr {
	if m.Kind == model.KindPacket && m.Client.IsValid() {
		return m.Client.Addr()
	}
	if m.ClientAddr.IsValid() {
		return m.ClientAddr
	}
	return m.NASAddr
}

func stateOf(m *model.Message) string {
	if a, ok := m.AttrByName("State"); ok {
		if len(a.Raw) > 0 {
			return string(a.Raw)
		}
		return a.Value
	}
	return ""
}

func classOf(m *model.Message) string {
	if m.Class != "" {
		return m.Class
	}
	if a, ok := m.AttrByName("Class"); ok {
		if len(a.Raw) > 0 {
			return string(a.Raw)
		}
		return a.Value
	}
	return ""
}
