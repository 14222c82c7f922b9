package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/radscope/radscope/explain"
	"github.com/spf13/pflag"
)

type explainFlags struct {
	list   bool
	format string
}

func init() {
	register(&Command{
		Name:      "explain",
		UsageLine: "explain [flags] CODE...",
		Short:     "say what an NPS reason code, an MFA extension code or a finding means and what to do",
		Long: `CODE is an NPS reason code (21), its constant (IAS_NO_SUCH_USER), an error or
response code of the NPS extension for Microsoft Entra MFA (UserNotFound,
ESTS_TOKEN_ERROR; case does not matter), or the ID of a finding as flows
and report print it (nas-timeout-short). --list prints the whole table.`,
		Flags: func(fs *pflag.FlagSet) any {
			f := &explainFlags{}
			fs.BoolVar(&f.list, "list", false, "list every rule: ID, severity and title")
			fs.StringVar(&f.format, "format", "text", "output `FORMAT`: text or json")
			return f
		},
		Run: runExplain,
	})
}

// ruleJSON is a rule as explain --format json prints it.
type ruleJSON struct {
	ID         string   `json:"id"`
	Severity   string   `json:"severity"`
	Title      string   `json:"title"`
	Explain    string   `json:"explain"`
	Remedy     string   `json:"remedy"`
	Detail     string   `json:"detail,omitempty"`
	Codes      []string `json:"codes,omitempty"`
	Supersedes []string `json:"supersedes,omitempty"`
}

func toJSON(r *explain.Rule) ruleJSON {
	return ruleJSON{ID: r.ID, Severity: r.Severity.String(), Title: r.Title, Explain: r.Explain, Remedy: r.Remedy,
		Detail: r.Detail, Codes: r.Keys, Supersedes: r.Supersedes}
}

func runExplain(ctx context.Context, io *IO, opts any, args []string) error {
	f := opts.(*explainFlags)
	if f.format != "text" && f.format != "json" {
		return usageErrorf("--format: unknown format %q (want text or json)", f.format)
	}
	var rules []*explain.Rule
	switch {
	case f.list:
		if len(args) > 0 {
			return usageErrorf("--list takes no CODE")
		}
		rules = explain.Rules()
	case len(args) == 0:
		return usageErrorf("no CODE given (radscope explain --list shows them all)")
	default:
		for _, a := range args {
			found := explain.Lookup(a)
			if len(found) == 0 {
				return usageErrorf("no reason code, MFA code or finding %q (radscope explain --list shows them all)", a)
			}
			rules = append(rules, found...)
		}
	}
	if f.format == "json" {
		out := make([]ruleJSON, len(rules))
		for i, r := range rules {
			out[i] = toJSON(r)
		}
		b, err := json.MarshalIndent(out, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(io.Out, "%s\n", b)
		return err
	}
	if f.list {
		for _, r := range rules {
			fmt.Fprintf(io.Out, "%-44s %-7s %s\n", r.ID, r.Severity, r.Title)
		}
		return nil
	}
	for i, r := range rules {
		if i > 0 {
			fmt.Fprintln(io.Out)
		}
		fmt.Fprintf(io.Out, "%s  [%s, %s]\n", r.Title, r.ID, r.Severity)
		if r.Detail != "" {
			fmt.Fprintf(io.Out, "  Text:   %s\n", wrap(r.Detail, 10))
		}
		fmt.Fprintf(io.Out, "  Means:  %s\n", wrap(r.Explain, 10))
		fmt.Fprintf(io.Out, "  Do:     %s\n", wrap(r.Remedy, 10))
		if len(r.Supersedes) > 0 {
			fmt.Fprintf(io.Out, "  Replaces, on the same flow: %s\n", strings.Join(r.Supersedes, ", "))
		}
	}
	return nil
}

// wrap folds s at 78 columns, indenting continuation lines by indent.
func wrap(s string, indent int) string {
	const width = 78
	var b strings.Builder
	col := indent
	for i, w := range strings.Fields(s) {
		if i > 0 {
			if col+1+len(w) > width {
				b.WriteString("\n" + strings.Repeat(" ", indent))
				col = indent
			} else {
				b.WriteByte(' ')
				col++
			}
		}
		b.WriteString(w)
		col += len(w)
	}
	return b.String()
}
