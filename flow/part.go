package flow

import (
	"strings"
	"time"

	"github.com/radscope/radscope/model"
)

// Long accounting sessions are yielded in parts when memory asks for it. A
// VPN or Wi-Fi session can last a working day with an Interim-Update every
// few minutes, and a busy site has thousands at once: holding every message
// of every open session until its Stop (or AcctIdle) makes memory grow with
// concurrent sessions times their length. So the open sessions may hold at
// most Options.SessionBudget messages between them; beyond that, the
// session parts quiet the longest (and for at least Grace) are closed and
// yielded (Part 1, 2, ...), and only a small carry record (the part's ID,
// link and number) waits for the session's next message, which opens the
// next part with Continues naming the previous one. Inputs small enough to
// stay within the budget keep every session whole.

// carry is what a session yielded in parts passes to its next part.
type carry struct {
	id      int64 // the last part's flow ID
	part    int
	linked  int64
	hasAuth bool
	t       time.Time // the last part's last message
}

type carryDue struct {
	key acctKey
	id  int64
	t   time.Time
}

// continuePart makes a newly opened accounting flow the next part of its
// session when an earlier part was cut and the session has not ended (a
// Start begins a new session; AcctIdle of quiet ends one).
func (b *builder) continuePart(o *open, m *model.Message, key acctKey, t time.Time) {
	c, ok := b.carry[key]
	if !ok {
		return
	}
	delete(b.carry, key)
	if m.AcctStatus == 1 || t.Sub(c.t) >= b.o.AcctIdle {
		return
	}
	o.part = c.part + 1
	o.f.Continues = c.id
	o.f.Linked = c.linked
	o.hasAuth = c.hasAuth
}

// trimSessions cuts the quietest session parts while the open sessions
// hold more messages than the budget.
func (b *builder) trimSessions() {
	for b.o.SessionBudget >= 0 && b.sessions.msgs > b.o.SessionBudget {
		o := b.sessions.head // the least recently active
		if o == nil || b.now.Sub(o.last) < b.o.Grace {
			return // every session is busy: a late answer may still join
		}
		key, ok := sessionKey(o)
		if ok && b.now.Sub(o.last) < b.o.AcctIdle {
			if o.part == 0 {
				o.part = 1
			}
			// The ID is a substring of the record's line: a copy, so that
			// the carry does not keep the whole line for hours.
			key.session = strings.Clone(key.session)
			b.carry[key] = carry{id: o.f.ID, part: o.part, linked: o.f.Linked, hasAuth: o.hasAuth, t: o.last}
			b.carryQ = append(b.carryQ, carryDue{key: key, id: o.f.ID, t: o.last})
			b.st.Parts++
		}
		// Without an ID nothing can continue it, and a session quiet for
		// AcctIdle has ended: those close as they are.
		b.close(o)
	}
}

// forgetCarries drops the carry records of sessions quiet for AcctIdle.
func (b *builder) forgetCarries(final bool) {
	q := b.carryQ[b.carryHead:]
	i := 0
	for ; i < len(q) && (final || b.now.Sub(q[i].t) >= b.o.AcctIdle); i++ {
		if c, ok := b.carry[q[i].key]; ok && c.id == q[i].id {
			delete(b.carry, q[i].key)
		}
		q[i] = carryDue{}
	}
	b.carryHead += i
	if compactable(b.carryHead, len(b.carryQ)) {
		b.carryQ, b.carryHead = compactHead(b.carryQ, b.carryHead)
	}
}

// sessionKey is the Acct-Session-Id and client o is indexed by, if any.
func sessionKey(o *open) (acctKey, bool) {
	for _, k := range o.keys {
		if k.kind == ixAcct {
			return k.acct, true
		}
	}
	return acctKey{}, false
}
