package replay

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// maxDiffs is how many divergences the text report details.
const maxDiffs = 5

// describe renders an outcome with its reason and MFA result.
func describe(outcome string, reason int, mfa, late string) string {
	var b strings.Builder
	b.WriteString(outcome)
	if late != "" {
		b.WriteString(" (" + late + " after the NAS gave up)")
	}
	if reason >= 0 {
		b.WriteString(" reason=" + strconv.Itoa(reason))
	}
	if mfa != "" {
		b.WriteString(" mfa=" + mfa)
	}
	return b.String()
}

// WriteText writes one line per flow, the summary and the first
// divergences.
func WriteText(w io.Writer, target string, rs []*Result, loc *time.Location) error {
	if loc == nil {
		loc = time.UTC
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FLOW\tTIME\tUSER\tNAS\tEXPECTED\tOBSERVED\tSTATUS")
	for _, r := range rs {
		obs := "-"
		if r.Status != NotReplayable {
			o := r.Observed
			obs = describe(o.Outcome, o.Reason, o.MFA, o.LateAnswer)
			if o.Retransmits > 0 {
				obs += fmt.Sprintf(" retransmits=%d", o.Retransmits)
			}
			if o.EAPMethod != "" {
				obs += fmt.Sprintf(" %s rounds=%d", o.EAPMethod, o.Rounds)
			}
		}
		x := r.Expected
		exp := describe(x.Outcome, x.Reason, x.MFA, x.Late)
		if x.Rounds > 0 {
			exp += fmt.Sprintf(" %s rounds=%d", dash(x.Method), x.Rounds)
		}
		if x.Retransmits > 0 {
			exp += fmt.Sprintf(" retransmits=%d", x.Retransmits)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Time.In(loc).Format("2006-01-02 15:04:05"), dash(r.User), dash(r.NAS), exp, obs, r.Status)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	s := Summarize(rs)
	fmt.Fprintf(w, "\n%d flows replayed against %s: %d reproduced, %d fixed, %d regressed, %d diverged, %d not replayable\n",
		s.Flows, target, s.Reproduced, s.Fixed, s.Regressed, s.Diverged, s.NotReplayable)
	n := 0
	for _, r := range rs {
		if n == maxDiffs {
			break
		}
		switch r.Status {
		case Diverged, Regressed, Fixed:
			if len(r.Diffs) == 0 {
				continue
			}
			if n == 0 {
				fmt.Fprintln(w, "\nDifferences:")
			}
			n++
			fmt.Fprintf(w, "  flow %d (%s, %s):\n", r.ID, dash(r.User), r.Status)
			for _, d := range r.Diffs {
				fmt.Fprintf(w, "    %s\n", d)
			}
			if o := r.Observed; o.Drop != "" {
				fmt.Fprintf(w, "    target dropped the request: %s\n", o.Drop)
			}
			if fs := r.Observed.Findings; len(fs) > 0 {
				fmt.Fprintf(w, "    findings on the replay: %s\n", strings.Join(fs, ", "))
			}
		case NotReplayable:
			if n == 0 {
				fmt.Fprintln(w, "\nDifferences:")
			}
			n++
			fmt.Fprintf(w, "  flow %d (%s, not replayable): %s\n", r.ID, dash(r.User), r.Why)
		}
	}
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Report is the JSON document of a run.
type Report struct {
	Target  string    `json:"target"`
	Summary Summary   `json:"summary"`
	Flows   []*Result `json:"flows"`
}

// WriteJSON writes the run as one indented JSON document.
func WriteJSON(w io.Writer, target string, rs []*Result) error {
	if rs == nil {
		rs = []*Result{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(Report{Target: target, Summary: Summarize(rs), Flows: rs})
}

type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes one test case per flow, in a suite named name:
// regressions and divergences fail, not-replayable flows are skipped.
func WriteJUnit(w io.Writer, name string, rs []*Result) error {
	s := junitSuite{Name: name, Tests: len(rs)}
	for _, r := range rs {
		c := junitCase{Name: fmt.Sprintf("flow %d %s %s", r.ID, r.User, r.NAS), Classname: "radscope.replay." + name,
			SystemOut: fmt.Sprintf("status=%s expected=%s observed=%s", r.Status,
				describe(r.Expected.Outcome, r.Expected.Reason, r.Expected.MFA, r.Expected.Late),
				describe(r.Observed.Outcome, r.Observed.Reason, r.Observed.MFA, r.Observed.LateAnswer))}
		switch r.Status {
		case Regressed, Diverged:
			s.Failures++
			c.Failure = &junitMessage{Message: string(r.Status), Text: strings.Join(r.Diffs, "\n")}
		case NotReplayable:
			s.Skipped++
			c.Skipped = &junitMessage{Message: r.Why}
		}
		s.Cases = append(s.Cases, c)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(junitSuites{Suites: []junitSuite{s}}); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
