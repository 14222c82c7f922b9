package tui

import (
	"fmt"
	"strconv"
	"strings"
)

// command is one : command.
type command struct {
	name, args, help string
}

// commands are the command line's commands, for completion and help.
var commands = []command{
	{"goto", "FILE:LINE", "open the flow read at a source position (a log line, a capture frame, an event record)"},
	{"save", "PATH", "save the marked (else filtered) flows; the extension picks the format: " + strings.Join(SaveFormats, " ") + "; FOLDER/ saves a replay fixture"},
	{"fixture", "FOLDER", "save the marked flows (else the one under the cursor) as a replay fixture: inputs, scenario.yaml, expect.json, secrets redacted"},
	{"filter", "EXPR", "set the filter"},
	{"sort", "COLUMN [desc]", "sort by a column"},
	{"columns", "[COLUMN,...]", "the list's columns in screen order (saved in the keys file); alone: which are shown"},
	{"theme", "auto|dark|light", "switch theme"},
	{"replay", "", "replay the marked flows, else the flow under the cursor"},
	{"set", "KEY=VALUE", "add a scenario override for replay"},
	{"mouse", "on|off", "mouse capture"},
	{"summary", "", "summary of the filtered flows"},
	{"errors", "", "parse errors"},
	{"help", "", "keys and commands"},
	{"quit", "", "quit"},
}

func commandNames() []string {
	out := make([]string, len(commands))
	for i, c := range commands {
		out[i] = c.name
	}
	return out
}

// ParseGoto reads the FILE:LINE of :goto (LINE is a line, a frame or a
// record number).
func ParseGoto(s string) (string, int, error) {
	i := strings.LastIndexByte(s, ':')
	if i <= 0 {
		return "", 0, fmt.Errorf("goto: want FILE:LINE, not %q", s)
	}
	rest := s[i+1:]
	// "file:line:col" — drop the column.
	if j := strings.LastIndexByte(s[:i], ':'); j > 0 {
		if _, err := strconv.Atoi(s[j+1 : i]); err == nil {
			rest, i = s[j+1:i], j
		}
	}
	n, err := strconv.Atoi(strings.TrimSpace(rest))
	if err != nil || n <= 0 {
		return "", 0, fmt.Errorf("goto: want FILE:LINE, not %q", s)
	}
	return s[:i], n, nil
}
