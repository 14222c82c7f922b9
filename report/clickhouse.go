package report

import "github.com/radscope/radscope/model"

// EventWords are radsniff's words for what happened to a flow's packets
// (rtx, norsp, noreq, reused, error): the values of the filter field
// "event", as the ClickHouse export stores them.
func EventWords(f *model.Flow) []string { return events(f) }

// Measured reports whether a flow has a request and its final answer, so
// that its latency counts in the percentiles.
func Measured(f *model.Flow) bool { return measured(f) }
