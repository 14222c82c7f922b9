// Package tui is radscope's terminal interface (radscope tui): a bubbletea
// program over the flows the parse and flow packages build.
//
// One root Model owns a Store of every loaded flow (in fixed chunks, with
// the filtered and sorted view as an index, so the list draws only the rows
// on screen) and the components, each behind the Component interface: the
// flow List, the flow Detail (timeline, rounds, attribute tree with raw
// hex, findings, clock offsets), the SummaryView (bar charts and latency
// histograms), the Errors pane, the Prompt (the / filter in the shared
// filter grammar and the : command line) and the ReplayPane.
//
// Loading runs in a goroutine (Source, built by Open); the model drains it
// on a 50 ms tick, so the first rows show while the rest load. Filtering,
// sorting, summaries, saving and replay run in tea.Cmds on snapshots of the
// store; Update never waits on I/O.
//
// Keys are data: DefaultBindings in keys.go, remappable with a YAML keys
// file (LoadKeyMap); the ? overlay and docs/keybindings.md (go generate)
// are built from it.
package tui

//go:generate go run ./internal/keysdoc ../docs/keybindings.md
