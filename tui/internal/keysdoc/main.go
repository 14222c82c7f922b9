// Command keysdoc writes docs/keybindings.md from the keymap in tui/keys.go.
// It is run by go generate ./tui.
package main

import (
	"fmt"
	"os"

	"github.com/radscope/radscope/tui"
)

func main() {
	out := "../docs/keybindings.md"
	if len(os.Args) > 1 {
		out = os.Args[1]
	}
	if err := os.WriteFile(out, []byte(tui.DefaultKeyMap().Markdown()), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "keysdoc:", err)
		os.Exit(1)
	}
}
