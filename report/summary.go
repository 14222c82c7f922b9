package report

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/radscope/radscope/dict"
	"github.com/radscope/radscope/explain"
	"github.com/radscope/radscope/flow"
	"github.com/radscope/radscope/model"
)

// TopN is how many users, NASes and clients the summary ranks.
const TopN = 10

// Count is one ranked key.
type Count struct {
	Key      string `json:"key"`
	Title    string `json:"title,omitempty"`
	Severity string `json:"severity,omitempty"`
	Count    int    `json:"count"`
	Example  string `json:"example,omitempty"` // the text of one finding
	Remedy   string `json:"remedy,omitempty"`
}

// Latency is the latency distribution of one group of attempts.
type Latency struct {
	Key   string        `json:"key"`
	Count int           `json:"count"`
	P50   time.Duration `json:"p50_ns"`
	P95   time.Duration `json:"p95_ns"`
	P99   time.Duration `json:"p99_ns"`
	Max   time.Duration `json:"max_ns"`
}

// NASFinding counts the flows of one NAS with one finding (Blast-RADIUS,
// wrong secret and NAS timeouts are properties of a NAS).
type NASFinding struct {
	NAS      string `json:"nas"`
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Count    int    `json:"count"`
}

// Hour is one bar of the timeline.
type Hour struct {
	Start  time.Time `json:"start"`
	Total  int       `json:"total"`
	Failed int       `json:"failed"`
}

// Summary is what report prints.
type Summary struct {
	From          time.Time       `json:"from"`
	To            time.Time       `json:"to"`
	Flows         int             `json:"flows"`
	Attempts      int             `json:"attempts"` // authentication flows
	Failures      int             `json:"failures"` // attempts not accepted
	Messages      int             `json:"messages"`
	Unmatched     int             `json:"unmatched_messages"`
	ByKind        []Count         `json:"by_kind"`
	ByOutcome     []Count         `json:"by_outcome"`
	Findings      []Count         `json:"findings"`
	NASFindings   []NASFinding    `json:"findings_by_nas"`
	Reasons       []Count         `json:"reasons"`
	MFAResults    []Count         `json:"mfa_results"`
	TopUsers      []Count         `json:"top_users"`
	TopNAS        []Count         `json:"top_nas"`
	TopClients    []Count         `json:"top_clients"`
	LatencyNAS    []Latency       `json:"latency_by_nas"`
	LatencyMethod []Latency       `json:"latency_by_mfa_method"`
	Timeline      []Hour          `json:"timeline"`
	Offsets       []flow.Offset   `json:"clock_offsets,omitempty"`
	ZoneHints     []flow.ZoneHint `json:"zone_hints,omitempty"`
	Reference     string          `json:"clock_reference,omitempty"`
	Severities    map[string]int  `json:"findings_by_severity"`
}

// HasErrors reports whether an error-severity finding is present.
func (s *Summary) HasErrors() bool { return s.Severities[model.SeverityError.String()] > 0 }

// Aggregator collects flows into a Summary; its memory grows with the
// number of distinct users, NASes, clients and hours, not with flows.
type Aggregator struct {
	loc       *time.Location
	s         Summary
	kinds     map[string]int
	outcomes  map[string]int
	findings  map[string]*Count
	nasFinds  map[[2]string]*NASFinding
	reasons   map[int]int
	mfa       map[string]int
	users     map[string]int
	nas       map[string]int
	clients   map[string]int
	latNAS    map[string]*samples
	latMethod map[string]*samples
	hours     map[int64]*Hour
}

// NewAggregator starts a summary; loc is the zone of the timeline's hours
// (UTC when nil).
func NewAggregator(loc *time.Location) *Aggregator {
	if loc == nil {
		loc = time.UTC
	}
	return &Aggregator{
		loc: loc, s: Summary{Severities: map[string]int{}},
		kinds: map[string]int{}, outcomes: map[string]int{}, findings: map[string]*Count{}, nasFinds: map[[2]string]*NASFinding{}, reasons: map[int]int{},
		mfa: map[string]int{}, users: map[string]int{}, nas: map[string]int{}, clients: map[string]int{},
		latNAS: map[string]*samples{}, latMethod: map[string]*samples{}, hours: map[int64]*Hour{},
	}
}

// Failed reports whether an authentication attempt did not get in.
func Failed(f *model.Flow) bool {
	if f.Kind != model.FlowAuth {
		return false
	}
	switch f.Outcome {
	case model.OutcomeRejected, model.OutcomeNoResponse, model.OutcomeChallengeAbandoned, model.OutcomeDiscarded:
		return true
	}
	return false
}

// MFAMethod names how MFA went for a flow: the method the extension
// stated, else one-time code (a challenge was asked), push or call (MFA
// answered without a challenge), not reached (NPS rejected first), or none.
func MFAMethod(f *model.Flow) string {
	if f.MFA == nil {
		return "none"
	}
	if f.MFA.Method != "" {
		return f.MFA.Method
	}
	for i := range f.Messages {
		if m := f.Messages[i].MFA; m != nil && m.Outcome == "challenge" {
			return "one-time code"
		}
	}
	if f.MFA.Outcome == "ignored" {
		return "not reached"
	}
	return "push or call"
}

// Add counts one flow.
func (a *Aggregator) Add(f *model.Flow) {
	s := &a.s
	s.Flows++
	s.Messages += len(f.Messages)
	if f.Kind == model.FlowUnmatched {
		s.Unmatched += len(f.Messages)
	}
	if !f.Start.IsZero() {
		if s.From.IsZero() || f.Start.Before(s.From) {
			s.From = f.Start
		}
		end := f.End
		if end.IsZero() || end.Before(f.Start) {
			end = f.Start
		}
		if end.After(s.To) {
			s.To = end
		}
	}
	a.kinds[f.Kind.String()]++
	for _, fd := range f.Findings {
		s.Severities[fd.Severity.String()]++
		c := a.findings[fd.Rule]
		if c == nil {
			c = &Count{Key: fd.Rule, Severity: fd.Severity.String(), Example: fd.Text, Remedy: fd.Remedy}
			if r, ok := explain.ByID(fd.Rule); ok {
				c.Title = r.Title
			}
			a.findings[fd.Rule] = c
		}
		c.Count++
		if f.NAS != "" {
			k := [2]string{f.NAS, fd.Rule}
			n := a.nasFinds[k]
			if n == nil {
				n = &NASFinding{NAS: f.NAS, Rule: fd.Rule, Severity: fd.Severity.String()}
				a.nasFinds[k] = n
			}
			n.Count++
		}
	}
	if f.Kind != model.FlowAuth {
		return
	}
	s.Attempts++
	a.outcomes[f.Outcome.String()]++
	failed := Failed(f)
	if f.MFA != nil {
		if k := firstNonEmpty(f.MFA.Result, f.MFA.Error); k != "" {
			a.mfa[k]++
		}
	}
	if failed {
		s.Failures++
		if f.Reason > 0 {
			a.reasons[f.Reason]++
		}
		a.users[firstNonEmpty(f.User, "(none)")]++
		a.nas[firstNonEmpty(f.NAS, "(unknown)")]++
		if f.CallingStation != "" {
			a.clients[f.CallingStation]++
		}
	}
	if measured(f) {
		add := func(m map[string]*samples, k string) {
			x := m[k]
			if x == nil {
				x = &samples{}
				m[k] = x
			}
			x.add(f.Latency)
		}
		add(a.latNAS, firstNonEmpty(f.NAS, "(unknown)"))
		add(a.latMethod, MFAMethod(f))
	}
	if !f.Start.IsZero() {
		t := f.Start.In(a.loc)
		h := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), 0, 0, 0, a.loc)
		b := a.hours[h.Unix()]
		if b == nil {
			b = &Hour{Start: h}
			a.hours[h.Unix()] = b
		}
		b.Total++
		if failed {
			b.Failed++
		}
	}
}

// measured reports whether a flow has a request and its final answer.
func measured(f *model.Flow) bool {
	if len(f.Rounds) == 0 {
		return false
	}
	first, last := f.Rounds[0], f.Rounds[len(f.Rounds)-1]
	return first.Request >= 0 && last.Response >= 0
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// Summary returns the summary of the flows added so far.
func (a *Aggregator) Summary(st *flow.Stats) Summary {
	s := a.s
	s.ByKind = ranked(a.kinds, nil)
	s.ByOutcome = ranked(a.outcomes, nil)
	s.MFAResults = ranked(a.mfa, nil)
	s.TopUsers = top(ranked(a.users, nil))
	s.TopNAS = top(ranked(a.nas, nil))
	s.TopClients = top(ranked(a.clients, nil))
	rs := map[string]int{}
	for code, n := range a.reasons {
		rs[strconv.Itoa(code)] = n
	}
	s.Reasons = ranked(rs, func(k string) string {
		n, _ := strconv.Atoi(k)
		return dict.ReasonText(n)
	})
	for _, c := range a.findings {
		s.Findings = append(s.Findings, *c)
	}
	sevRank := func(x string) int { sv, _ := model.ParseSeverity(x); return int(sv) }
	slices.SortFunc(s.Findings, func(x, y Count) int {
		if c := cmp.Compare(sevRank(y.Severity), sevRank(x.Severity)); c != 0 {
			return c
		}
		if c := cmp.Compare(y.Count, x.Count); c != 0 {
			return c
		}
		return cmp.Compare(x.Key, y.Key)
	})
	for _, n := range a.nasFinds {
		s.NASFindings = append(s.NASFindings, *n)
	}
	slices.SortFunc(s.NASFindings, func(x, y NASFinding) int {
		if c := cmp.Compare(x.NAS, y.NAS); c != 0 {
			return c
		}
		if c := cmp.Compare(sevRank(y.Severity), sevRank(x.Severity)); c != 0 {
			return c
		}
		if c := cmp.Compare(y.Count, x.Count); c != 0 {
			return c
		}
		return cmp.Compare(x.Rule, y.Rule)
	})
	s.LatencyNAS = latencies(a.latNAS)
	s.LatencyMethod = latencies(a.latMethod)
	for _, h := range a.hours {
		s.Timeline = append(s.Timeline, *h)
	}
	slices.SortFunc(s.Timeline, func(x, y Hour) int { return x.Start.Compare(y.Start) })
	s.Timeline = fillHours(s.Timeline, a.loc)
	if st != nil {
		s.Offsets = st.Offsets
		s.ZoneHints = st.ZoneHints
		if len(st.Offsets) > 0 {
			s.Reference = st.Reference.String()
		}
	}
	return s
}

// fillHours adds the empty hours between the first and last bar (up to a
// year of them).
func fillHours(hs []Hour, loc *time.Location) []Hour {
	if len(hs) < 2 {
		return hs
	}
	first, last := hs[0].Start, hs[len(hs)-1].Start
	if last.Sub(first) > 366*24*time.Hour {
		return hs
	}
	out := make([]Hour, 0, int(last.Sub(first)/time.Hour)+1)
	i := 0
	for t := first; !t.After(last); t = t.Add(time.Hour) {
		if i < len(hs) && hs[i].Start.Equal(t) {
			out = append(out, hs[i])
			i++
			continue
		}
		out = append(out, Hour{Start: t.In(loc)})
	}
	return out
}

func ranked(m map[string]int, title func(string) string) []Count {
	out := make([]Count, 0, len(m))
	for k, n := range m {
		c := Count{Key: k, Count: n}
		if title != nil {
			c.Title = title(k)
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(x, y Count) int {
		if c := cmp.Compare(y.Count, x.Count); c != 0 {
			return c
		}
		return cmp.Compare(x.Key, y.Key)
	})
	return out
}

func top(cs []Count) []Count {
	if len(cs) > TopN {
		return cs[:TopN]
	}
	return cs
}

func latencies(m map[string]*samples) []Latency {
	out := make([]Latency, 0, len(m))
	for k, s := range m {
		out = append(out, Latency{Key: k, Count: s.n, P50: s.quantile(0.50), P95: s.quantile(0.95), P99: s.quantile(0.99), Max: s.max})
	}
	slices.SortFunc(out, func(x, y Latency) int { return cmp.Compare(x.Key, y.Key) })
	return out
}

// samples holds latencies exactly up to exactCap values, then in
// logarithmic buckets 2% wide, so memory stays bounded.
type samples struct {
	n      int
	max    time.Duration
	exact  []time.Duration
	bucket map[int]int
}

const exactCap = 8192

func bucketOf(d time.Duration) int {
	if d <= time.Microsecond {
		return 0
	}
	return int(math.Log(float64(d)/float64(time.Microsecond))/math.Log(1.02)) + 1
}

func bucketValue(b int) time.Duration {
	if b == 0 {
		return 0
	}
	lo := math.Pow(1.02, float64(b-1))
	return time.Duration(lo * 1.01 * float64(time.Microsecond))
}

func (s *samples) add(d time.Duration) {
	s.n++
	if d > s.max {
		s.max = d
	}
	if s.bucket == nil && len(s.exact) < exactCap {
		s.exact = append(s.exact, d)
		return
	}
	if s.bucket == nil {
		s.bucket = map[int]int{}
		for _, x := range s.exact {
			s.bucket[bucketOf(x)]++
		}
		s.exact = nil
	}
	s.bucket[bucketOf(d)]++
}

// quantile is the nearest-rank quantile q.
func (s *samples) quantile(q float64) time.Duration {
	if s.n == 0 {
		return 0
	}
	rank := int(math.Ceil(q*float64(s.n))) - 1
	if rank < 0 {
		rank = 0
	}
	if s.bucket == nil {
		c := slices.Clone(s.exact)
		slices.Sort(c)
		return c[rank]
	}
	keys := make([]int, 0, len(s.bucket))
	for k := range s.bucket {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	seen := 0
	for _, k := range keys {
		seen += s.bucket[k]
		if seen > rank {
			return min(bucketValue(k), s.max)
		}
	}
	return s.max
}
