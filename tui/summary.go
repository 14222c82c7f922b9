package tui

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/report"
)

// LatencyBuckets are the upper bounds of the latency histogram's bars; the
// last bar counts everything slower.
var LatencyBuckets = []time.Duration{100 * time.Millisecond, time.Second, 3 * time.Second, 10 * time.Second, 30 * time.Second, time.Minute}

// Histogram counts answered attempts by latency for one key (a NAS or an
// MFA method).
type Histogram struct {
	Key    string
	Counts []int // len(LatencyBuckets)+1
	Total  int
}

// SummaryData is what the summary view draws: report's summary plus the
// latency histograms.
type SummaryData struct {
	report.Summary
	ByNAS, ByMethod []Histogram
}

// Summarize builds the summary of flows.
func Summarize(ctx context.Context, flows func(yield func(*model.Flow) bool), loc *time.Location) (*SummaryData, error) {
	a := report.NewAggregator(loc)
	nas := map[string]*Histogram{}
	meth := map[string]*Histogram{}
	n := 0
	var err error
	flows(func(f *model.Flow) bool {
		if n++; n&4095 == 0 && ctx.Err() != nil {
			err = ctx.Err()
			return false
		}
		a.Add(f)
		if f.Kind != model.FlowAuth || f.Latency <= 0 {
			return true
		}
		b := sort.Search(len(LatencyBuckets), func(i int) bool { return f.Latency <= LatencyBuckets[i] })
		count(nas, dash(f.NAS), b)
		if m := report.MFAMethod(f); m != "" {
			count(meth, m, b)
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	return &SummaryData{Summary: a.Summary(nil), ByNAS: sorted(nas), ByMethod: sorted(meth)}, nil
}

func count(m map[string]*Histogram, k string, b int) {
	h := m[k]
	if h == nil {
		h = &Histogram{Key: k, Counts: make([]int, len(LatencyBuckets)+1)}
		m[k] = h
	}
	h.Counts[b]++
	h.Total++
}

func sorted(m map[string]*Histogram) []Histogram {
	out := make([]Histogram, 0, len(m))
	for _, h := range m {
		out = append(out, *h)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Total != out[j].Total {
			return out[i].Total > out[j].Total
		}
		return out[i].Key < out[j].Key
	})
	return out
}

// SummaryView draws a SummaryData with bar charts, scrollable.
type SummaryView struct {
	c             *Common
	data          *SummaryData
	busy          bool
	top           int
	width, height int
	lines         []string
}

var _ Component = (*SummaryView)(nil)

// NewSummaryView returns an empty summary view.
func NewSummaryView(c *Common) *SummaryView { return &SummaryView{c: c} }

// SetData shows d (nil while computing).
func (s *SummaryView) SetData(d *SummaryData) {
	s.data, s.busy = d, d == nil
	s.render()
}

// SetSize sets the view's size.
func (s *SummaryView) SetSize(w, h int) { s.width, s.height = w, h; s.render() }

// Init does nothing.
func (s *SummaryView) Init() tea.Cmd { return nil }

// Update scrolls.
func (s *SummaryView) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if km, ok := msg.(tea.KeyMsg); ok {
		k := s.c.Keys
		switch {
		case k.Matches(km, ActUp):
			s.top--
		case k.Matches(km, ActDown):
			s.top++
		case k.Matches(km, ActTop):
			s.top = 0
		case k.Matches(km, ActBottom):
			s.top = len(s.lines)
		case k.Matches(km, ActHalfDown), k.Matches(km, ActPageDown):
			s.top += s.height / 2
		case k.Matches(km, ActHalfUp), k.Matches(km, ActPageUp):
			s.top -= s.height / 2
		}
		s.top = clamp(s.top, 0, max(0, len(s.lines)-s.height))
	}
	return s, nil
}

// bar draws n out of total as a bar of up to width cells with eighth blocks.
func bar(n, total, width int) string {
	if total <= 0 || n <= 0 {
		return ""
	}
	eighths := n * width * 8 / total
	if eighths == 0 {
		eighths = 1
	}
	s := strings.Repeat("█", eighths/8)
	if r := eighths % 8; r > 0 {
		s += string([]rune("▏▎▍▌▋▊▉")[r-1])
	}
	return s
}

func (s *SummaryView) counts(title string, cs []report.Count, total int) {
	if len(cs) == 0 {
		return
	}
	st := s.c.Styles
	s.lines = append(s.lines, "", st.Title.Render(title))
	maxN := 0
	for _, c := range cs {
		maxN = max(maxN, c.Count)
	}
	bw := max(10, s.width-50)
	for _, c := range cs {
		label := c.Key
		if c.Title != "" && c.Title != c.Key {
			label += " " + c.Title
		}
		s.lines = append(s.lines, fmt.Sprintf("  %-30s %7d  %s", cut(label, 30), c.Count, st.Bar.Render(bar(c.Count, maxN, bw))))
	}
}

func bucketLabel(i int) string {
	if i < len(LatencyBuckets) {
		return "≤" + report.FormatDuration(LatencyBuckets[i])
	}
	return ">" + report.FormatDuration(LatencyBuckets[len(LatencyBuckets)-1])
}

func (s *SummaryView) histograms(title string, hs []Histogram) {
	if len(hs) == 0 {
		return
	}
	st := s.c.Styles
	s.lines = append(s.lines, "", st.Title.Render(title))
	bw := max(10, s.width-40)
	for i, h := range hs {
		if i == report.TopN {
			break
		}
		s.lines = append(s.lines, fmt.Sprintf("  %s (%d answered)", h.Key, h.Total))
		maxN := 0
		for _, c := range h.Counts {
			maxN = max(maxN, c)
		}
		for b, c := range h.Counts {
			s.lines = append(s.lines, fmt.Sprintf("    %-7s %7d  %s", bucketLabel(b), c, st.Bar.Render(bar(c, maxN, bw))))
		}
	}
}

func (s *SummaryView) render() {
	s.lines = s.lines[:0]
	if s.data == nil {
		if s.busy {
			s.lines = append(s.lines, "computing the summary …")
		}
		return
	}
	d := s.data
	st := s.c.Styles
	s.lines = append(s.lines, st.Title.Render("Summary of the filtered flows"),
		fmt.Sprintf("  %d flows · %d attempts · %d failed · %d messages · %s – %s", d.Flows, d.Attempts, d.Failures, d.Messages, fullTime(d.From, s.c.Location), fullTime(d.To, s.c.Location)))
	oc := make([]report.Count, len(d.ByOutcome))
	for i, c := range d.ByOutcome {
		oc[i] = c
		if o, ok := model.ParseOutcome(c.Key); ok {
			oc[i].Key = OutcomeGlyph(o) + " " + c.Key
		}
	}
	s.counts("Outcomes", oc, d.Flows)
	s.counts("Failures by finding", d.Findings, d.Failures)
	s.counts("Failures by reason", d.Reasons, d.Failures)
	s.counts("MFA results", d.MFAResults, d.Attempts)
	s.counts("Top users by failures", d.TopUsers, d.Failures)
	s.counts("Top NAS by failures", d.TopNAS, d.Failures)
	var lat []report.Count
	for _, l := range d.LatencyNAS {
		lat = append(lat, report.Count{Key: fmt.Sprintf("%s p50 %s p95 %s max %s", l.Key, report.FormatDuration(l.P50), report.FormatDuration(l.P95), report.FormatDuration(l.Max)), Count: l.Count})
	}
	s.counts("Latency by NAS", lat, d.Attempts)
	s.histograms("Latency histogram by NAS", d.ByNAS)
	s.histograms("Latency histogram by MFA method", d.ByMethod)
}

// View draws the visible lines.
func (s *SummaryView) View() string {
	h := max(1, s.height)
	var b strings.Builder
	for i := s.top; i < s.top+h; i++ {
		if i > s.top {
			b.WriteByte('\n')
		}
		if i < len(s.lines) {
			b.WriteString(cut(s.lines[i], s.width))
		}
	}
	return b.String()
}

// ShortHelp lists the view's keys.
func (s *SummaryView) ShortHelp() []key.Binding { return s.c.Keys.list(ActUp, ActDown, ActBack) }

// FullHelp lists the view's keys.
func (s *SummaryView) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }
