package tui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/radscope/radscope/model"
)

// typeLine types s into the open prompt and accepts it.
func typeLine(m *Model, s string) {
	for _, r := range s {
		m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	_, cmd := m.Update(tea.KeyMsg{Type: tea.KeyEnter})
	run(m, cmd)
}

func press1(m *Model, a Action) {
	_, cmd := m.Update(keyMsg(m.c.Keys.Key(a)))
	run(m, cmd)
}

func TestDetailSearch(t *testing.T) {
	m, _ := loaded(t, Options{})
	runLine(m, "filter user:alice")
	press1(m, ActOpen)
	if !m.detailOpen || m.focus != paneDetail {
		t.Fatal("enter did not open the detail")
	}
	// / in the detail searches its text; the filter stays.
	press1(m, ActFilter)
	if !m.prompt.Active() || m.prompt.kind != kindSearch {
		t.Fatalf("/ in the detail opened prompt kind %q", m.prompt.kind)
	}
	typeLine(m, "calling-station-id")
	if m.lastFilter != "user:alice" {
		t.Fatalf("the search changed the filter to %q", m.lastFilter)
	}
	hits := m.detail.Hits()
	if len(hits) < 2 {
		t.Fatalf("%d hits for an attribute every request carries; status %q", len(hits), m.status)
	}
	// Attribute lines are only there when their message is expanded: the
	// search expands the messages that hold a hit.
	if l := m.detail.lines[hits[0]]; l.node || l.msg < 0 {
		t.Fatalf("first hit %q is not an attribute line", l.text)
	}
	if m.detail.cursor != hits[0] || !strings.Contains(m.status, "hit 1 of") {
		t.Fatalf("cursor %d, first hit %d, status %q", m.detail.cursor, hits[0], m.status)
	}
	press1(m, ActNextResult)
	if m.detail.cursor != hits[1] || !strings.Contains(m.status, "hit 2 of") {
		t.Fatalf("n: cursor %d, want %d; status %q", m.detail.cursor, hits[1], m.status)
	}
	press1(m, ActPrevResult)
	press1(m, ActPrevResult)
	if m.detail.cursor != hits[len(hits)-1] || !strings.Contains(m.status, "wrapped to the bottom") {
		t.Fatalf("N past the first hit: cursor %d, want %d; status %q", m.detail.cursor, hits[len(hits)-1], m.status)
	}
	press1(m, ActNextResult)
	if m.detail.cursor != hits[0] || !strings.Contains(m.status, "wrapped to the top") {
		t.Fatalf("n past the last hit: cursor %d; status %q", m.detail.cursor, m.status)
	}
	// The hits are highlighted: every visible hit line draws the match
	// style around the query.
	match := m.c.Styles.Match.Render("Calling-Station-Id")
	if !strings.Contains(m.detail.View(), match) {
		t.Fatalf("no highlighted hit in\n%s", m.detail.View())
	}
	// Findings are searched too.
	press1(m, ActFilter)
	m.prompt.in.SetValue("")
	typeLine(m, "REMEDY")
	if len(m.detail.Hits()) == 0 || !strings.Contains(m.detail.lines[m.detail.cursor].text, "remedy") {
		t.Fatalf("no finding hit: status %q", m.status)
	}
	press1(m, ActFilter)
	m.prompt.in.SetValue("")
	typeLine(m, "no such text anywhere")
	if len(m.detail.Hits()) != 0 || !strings.Contains(m.status, "not found") || !m.statusErr {
		t.Fatalf("a missing text: %d hits, status %q", len(m.detail.Hits()), m.status)
	}
	// esc clears the search before it closes the detail.
	press1(m, ActBack)
	if !m.detailOpen || m.detail.Query() != "" {
		t.Fatalf("esc: detail open %v, query %q", m.detailOpen, m.detail.Query())
	}
	press1(m, ActNextResult)
	if !strings.Contains(m.status, "no search") {
		t.Fatalf("n without a search: status %q", m.status)
	}
	// In the list, n still finds the next flow with a finding.
	press1(m, ActBack)
	if m.detailOpen {
		t.Fatal("second esc left the detail open")
	}
}

// A long accounting session keeps its timeline aligned: every relative time
// has the width of the longest.
func TestDetailTimelineAligned(t *testing.T) {
	start := fixedNow
	f := &model.Flow{ID: 1, Kind: model.FlowAccounting, Start: start, User: "u"}
	for _, d := range []time.Duration{0, 600 * time.Second, 5400 * time.Second} {
		f.Messages = append(f.Messages, model.Message{Time: start.Add(d), Kind: model.KindRecord, Code: model.CodeAccountingRequest, Src: model.Source{File: "IN.log", Line: 1}})
	}
	d := NewDetail(newCommon())
	d.SetSize(120, 40)
	d.SetFlow(f, nil)
	var cols []int
	for _, l := range d.Lines() {
		if strings.Contains(l, "Accounting-Request") && strings.Contains(l, "record") {
			cols = append(cols, strings.Index(l, "record"))
		}
	}
	if len(cols) != 3 || cols[0] != cols[1] || cols[1] != cols[2] {
		t.Fatalf("timeline columns %v:\n%s", cols, strings.Join(d.Lines(), "\n"))
	}
}
