// Package tui is radscope's terminal interface (radscope tui): a bubbletea
// program over the flows the parse and flow packages build.
//
// One root Model owns a Store of every loaded flow and the components, each
// behind the Component interface: the flow List (columns chosen with
// :columns, kept in the keys file), the flow Detail (timeline, rounds,
// attribute tree with raw hex, findings, clock offsets; / searches it, n/N
// move between hits), the SummaryView (bar charts and latency histograms),
// the Errors pane, the Prompt (the / filter in the shared filter grammar and
// the : command line) and the ReplayPane. ctrl+s saves flows as rows, a
// pcap, or a replay fixture folder (SaveFixture, through fixture.Record).
//
// The Store is compact (compact.go): fixed chunks of columns holding, per
// flow, the values of every filter field (strings interned and lower-cased
// once) and the flow without its messages when they are NPS log lines that
// can be read again at their byte offset (reread.go); Store.Full reads them
// back when a flow is opened, copied, saved or replayed. The filtered and
// sorted view is an index, so the list draws only the rows on screen; the
// filter runs over the columns (match.go) without allocating per flow.
//
// Loading runs in a goroutine (Source, built by Open), which also compacts
// the flows; the model drains it on a 50 ms tick, so the first rows show
// while the rest load. Filtering,
// sorting, summaries, saving and replay run in tea.Cmds on snapshots of the
// store; Update never waits on I/O.
//
// Keys are data: DefaultBindings in keys.go, remappable with a YAML keys
// file (LoadKeyMap); the ? overlay and docs/keybindings.md (go generate)
// are built from it.
package tui

//go:generate go run ./internal/keysdoc ../docs/keybindings.md
