package flow

import (
	"strings"
	"time"

	"github.com/radscope/radscope/model"
)

// Whole-zone offsets. NPS text logs carry local times with no zone; read in
// the wrong zone they sit whole hours (or half hours) away from the
// captures and events, too far for any join. zoneGuess notices it: it
// remembers recent attempts that only one kind of source saw and counts,
// per pair of kinds, how often the same user's attempts in another kind lie
// a whole number of half hours away to within zoneSlack.
const (
	zoneStep    = 30 * time.Minute
	zoneSlack   = 3 * time.Second
	zoneMax     = 15 * time.Hour // beyond any real zone difference
	zoneVotes   = 3              // agreeing attempts before a hint is made
	zonePerUser = 4              // attempts remembered per user
)

// ZoneHint says that one kind of source looks shifted by whole zone steps
// against another: usually --tz does not name the NPS server's zone.
type ZoneHint struct {
	Kind   model.Kind    // the shifted kind
	Ref    model.Kind    // the kind it is compared with
	Offset time.Duration // Kind's times minus Ref's
	Votes  int           // attempts that agree
}

type zoneEntry struct {
	kind int
	t    time.Time
}

type zoneGuess struct {
	byUser map[string][]zoneEntry
	queue  []zoneQueued
	head   int
	votes  map[zoneKey]int
}

type zoneQueued struct {
	user string
	t    time.Time
}

type zoneKey struct {
	kind, ref int
	offset    time.Duration
}

// note looks at a closed attempt: when one kind of source saw it alone, it
// is compared with the same user's lone attempts in other kinds.
func (b *builder) noteZone(o *open, f *model.Flow) {
	if f.Kind != model.FlowAuth || o.user == "" || len(f.Sources) != 1 {
		return
	}
	z := &b.zone
	if z.byUser == nil {
		z.byUser = map[string][]zoneEntry{}
		z.votes = map[zoneKey]int{}
	}
	k := kindIndex(f.Sources[0])
	t := o.first
	for _, e := range z.byUser[o.user] {
		if e.kind == k {
			continue
		}
		d := t.Sub(e.t)
		if absDur(d) < zoneStep-zoneSlack || absDur(d) > zoneMax {
			continue
		}
		q := d.Round(zoneStep)
		if absDur(d-q) > zoneSlack {
			continue
		}
		key := zoneKey{k, e.kind, q}
		if e.kind < k {
			key = zoneKey{e.kind, k, -q}
		}
		z.votes[key]++
		if z.votes[key] == zoneVotes {
			b.st.ZoneHints = append(b.st.ZoneHints, ZoneHint{Kind: kindOf(key.kind), Ref: kindOf(key.ref), Offset: key.offset})
		}
		for i := range b.st.ZoneHints {
			h := &b.st.ZoneHints[i]
			if h.Kind == kindOf(key.kind) && h.Ref == kindOf(key.ref) && h.Offset == key.offset {
				h.Votes = z.votes[key]
			}
		}
	}
	// The user name may be a substring of a log line: a copy, so that
	// hours of remembered attempts do not keep their lines.
	user := strings.Clone(o.user)
	l := append(z.byUser[user], zoneEntry{k, t})
	if len(l) > zonePerUser {
		l = l[len(l)-zonePerUser:]
	}
	z.byUser[user] = l
	z.queue = append(z.queue, zoneQueued{user, t})
	b.pruneZone()
}

// pruneZone forgets attempts older than zoneMax of stream time.
func (b *builder) pruneZone() {
	z := &b.zone
	for z.head < len(z.queue) && b.now.Sub(z.queue[z.head].t) > zoneMax {
		q := z.queue[z.head]
		l := z.byUser[q.user]
		for len(l) > 0 && !l[0].t.After(q.t) {
			l = l[1:]
		}
		if len(l) == 0 {
			delete(z.byUser, q.user)
		} else {
			z.byUser[q.user] = l
		}
		z.queue[z.head] = zoneQueued{}
		z.head++
	}
	if z.head > 64 && z.head*2 > len(z.queue) {
		n := copy(z.queue, z.queue[z.head:])
		z.queue = z.queue[:n]
		z.head = 0
	}
}
