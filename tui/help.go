package tui

import (
	"fmt"
	"strings"
)

// helpView draws the help overlay from the keymap in force: the bindings
// by group, in columns, filtered by a substring when one is typed.
func helpView(c *Common, width, height int, query string) []string {
	st := c.Styles
	var cols [][]string
	for _, g := range c.Keys.Groups() {
		col := []string{st.Title.Render(g)}
		for _, b := range c.Keys.Bindings() {
			if b.Group != g {
				continue
			}
			line := fmt.Sprintf("%-12s %s", keyLabel(b.Keys), b.Help)
			if query != "" && !strings.Contains(strings.ToLower(line+" "+string(b.Action)), strings.ToLower(query)) {
				continue
			}
			col = append(col, line)
		}
		if len(col) > 1 {
			cols = append(cols, col)
		}
	}
	out := []string{st.Title.Render("Keys in force") + st.Muted.Render("   (esc closes; type to filter: "+query+"_)")}
	// Two columns of groups side by side.
	cw := max(20, (width-2)/2)
	for i := 0; i < len(cols); i += 2 {
		left := cols[i]
		var right []string
		if i+1 < len(cols) {
			right = cols[i+1]
		}
		for j := 0; j < max(len(left), len(right)); j++ {
			l, r := "", ""
			if j < len(left) {
				l = left[j]
			}
			if j < len(right) {
				r = right[j]
			}
			out = append(out, fit(" "+l, cw)+" "+cut(r, cw))
		}
		out = append(out, "")
	}
	if len(out) > height {
		out = out[:height]
	}
	return out
}
