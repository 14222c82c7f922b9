package tui

import (
	"fmt"
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/key"
)

// Action names one thing a key can do. The names are what a keys config file
// uses.
type Action string

// The actions, in the order help and docs/keybindings.md list them.
const (
	ActUp         Action = "up"
	ActDown       Action = "down"
	ActTop        Action = "top"
	ActBottom     Action = "bottom"
	ActHalfDown   Action = "half-down"
	ActHalfUp     Action = "half-up"
	ActPageDown   Action = "page-down"
	ActPageUp     Action = "page-up"
	ActOpen       Action = "open"
	ActCollapse   Action = "collapse"
	ActExpand     Action = "expand"
	ActNextPane   Action = "next-pane"
	ActPrevPane   Action = "prev-pane"
	ActZoom       Action = "zoom"
	ActBack       Action = "back"
	ActFilter     Action = "filter"
	ActCommand    Action = "command"
	ActHelp       Action = "help"
	ActMark       Action = "mark"
	ActSortNext   Action = "sort-next"
	ActSortPrev   Action = "sort-prev"
	ActSortRev    Action = "sort-reverse"
	ActSummary    Action = "summary"
	ActErrors     Action = "errors"
	ActHex        Action = "hex"
	ActCopy       Action = "copy"
	ActCopyFlow   Action = "copy-flow"
	ActSave       Action = "save"
	ActReplay     Action = "replay"
	ActToggleSet  Action = "toggle-set"
	ActMouse      Action = "mouse"
	ActQuit       Action = "quit"
	ActInterrupt  Action = "interrupt"
	ActComplete   Action = "complete"
	ActHistoryUp  Action = "history-prev"
	ActAccept     Action = "accept"
	ActBookmark   Action = "bookmark"
	ActJumpMark   Action = "jump-bookmark"
	ActNextResult Action = "next-hit"
	ActPrevResult Action = "prev-hit"
)

// Binding is one entry of the keymap table: an action, the group it is listed
// under, its default keys and what it does.
type Binding struct {
	Action Action
	Group  string
	Keys   []string
	Help   string
}

// DefaultBindings is the keymap as data: help, docs/keybindings.md, the
// keys config file and the tests all read it.
var DefaultBindings = []Binding{
	{ActUp, "move", []string{"k", "up"}, "cursor up (a count before it repeats: 5k)"},
	{ActDown, "move", []string{"j", "down"}, "cursor down (5j)"},
	{ActTop, "move", []string{"g", "home"}, "first row"},
	{ActBottom, "move", []string{"G", "end"}, "last row; with a count (5G), that row"},
	{ActHalfDown, "move", []string{"ctrl+d"}, "half a page down"},
	{ActHalfUp, "move", []string{"ctrl+u"}, "half a page up"},
	{ActPageDown, "move", []string{"pgdown", "f"}, "page down"},
	{ActPageUp, "move", []string{"pgup", "b"}, "page up"},
	{ActOpen, "view", []string{"enter"}, "open the flow; expand or collapse a message"},
	{ActCollapse, "view", []string{"h", "left"}, "collapse the message under the cursor"},
	{ActExpand, "view", []string{"l", "right"}, "expand the message under the cursor"},
	{ActNextPane, "view", []string{"tab"}, "next pane"},
	{ActPrevPane, "view", []string{"shift+tab"}, "previous pane"},
	{ActZoom, "view", []string{"\\"}, "zoom the focused pane"},
	{ActBack, "view", []string{"esc"}, "clear filter, close overlay, go back one level"},
	{ActSummary, "view", []string{"s"}, "summary of the filtered flows"},
	{ActErrors, "view", []string{"e"}, "parse errors (enter jumps to the source position)"},
	{ActHex, "view", []string{"x"}, "raw hex of captured packets in the detail"},
	{ActHelp, "view", []string{"?"}, "this help"},
	{ActFilter, "filter", []string{"/"}, "filter (shared grammar); detail: search"},
	{ActComplete, "filter", []string{"tab"}, "complete a field name or value while typing a filter or command"},
	{ActHistoryUp, "filter", []string{"up"}, "previous filter or command while typing"},
	{ActAccept, "filter", []string{"enter"}, "apply the filter or run the command"},
	{ActSortNext, "list", []string{">"}, "sort by the next column"},
	{ActSortPrev, "list", []string{"<"}, "sort by the previous column"},
	{ActSortRev, "list", []string{"S"}, "reverse the sort"},
	{ActMark, "list", []string{" "}, "mark the flow; actions apply to marked flows"},
	{ActBookmark, "list", []string{"m"}, "bookmark the flow: m then a letter"},
	{ActJumpMark, "list", []string{"'"}, "go to a bookmark: ' then its letter"},
	{ActNextResult, "list", []string{"n"}, "next flow with a finding; detail: next hit"},
	{ActPrevResult, "list", []string{"N"}, "prev. flow with a finding; detail: prev. hit"},
	{ActCommand, "actions", []string{":"}, "command line (:goto, :save, :sort, :columns, :theme, :replay, :set, :filter, :quit)"},
	{ActCopy, "actions", []string{"y"}, "copy the value under the cursor (OSC 52)"},
	{ActCopyFlow, "actions", []string{"Y"}, "copy the flow as JSON (OSC 52)"},
	{ActSave, "actions", []string{"ctrl+s"}, "save the filtered (or marked) flows: .ndjson, .csv, .pcap, FOLDER/ (fixture)"},
	{ActReplay, "actions", []string{"r"}, "replay the flow (or the marked flows) against the scenario"},
	{ActToggleSet, "actions", []string{"o"}, "in the replay pane: toggle the next --set override and re-run"},
	{ActMouse, "actions", []string{"%"}, "mouse capture on/off (off lets the terminal select text)"},
	{ActInterrupt, "actions", []string{"ctrl+c"}, "cancel loading or replay; quit when idle"},
	{ActQuit, "actions", []string{"q"}, "quit"},
}

// KeyMap is the keymap in force: the defaults with a config file's changes.
type KeyMap struct {
	bindings []Binding
	keys     map[Action]key.Binding
}

// DefaultKeyMap returns the default keymap.
func DefaultKeyMap() *KeyMap {
	km, _ := NewKeyMap(nil)
	return km
}

// NewKeyMap applies overrides (action → keys) to the defaults. Unknown
// actions and actions left without a key are errors.
func NewKeyMap(overrides map[Action][]string) (*KeyMap, error) {
	km := &KeyMap{keys: map[Action]key.Binding{}}
	known := map[Action]bool{}
	for _, b := range DefaultBindings {
		known[b.Action] = true
	}
	var unknown []string
	for a := range overrides {
		if !known[a] {
			unknown = append(unknown, string(a))
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, fmt.Errorf("tui: keys: unknown action %s", strings.Join(unknown, ", "))
	}
	for _, b := range DefaultBindings {
		if ks, ok := overrides[b.Action]; ok {
			if len(ks) == 0 {
				return nil, fmt.Errorf("tui: keys: action %s has no key", b.Action)
			}
			b.Keys = append([]string(nil), ks...)
		}
		km.bindings = append(km.bindings, b)
		km.keys[b.Action] = key.NewBinding(key.WithKeys(b.Keys...), key.WithHelp(keyLabel(b.Keys), string(b.Action)))
	}
	return km, nil
}

// LoadKeyMap reads a keys config file: YAML mapping action names to a key
// or a list of keys, such as
//
//	filter: [/, f]
//	quit: Q
//
// The same file may hold the list's columns (see Config).
func LoadKeyMap(path string) (*KeyMap, error) {
	c, err := LoadConfig(path)
	if err != nil {
		return nil, err
	}
	return c.Keys, nil
}

// ParseKeyMap reads the keys config format (see LoadKeyMap).
func ParseKeyMap(data []byte) (*KeyMap, error) {
	c, err := ParseConfig(data)
	if err != nil {
		return nil, err
	}
	return c.Keys, nil
}

// Binding returns the key binding of an action.
func (k *KeyMap) Binding(a Action) key.Binding { return k.keys[a] }

// Matches reports whether msg is one of the keys of action a.
func (k *KeyMap) Matches(msg fmt.Stringer, a Action) bool {
	b := k.keys[a]
	s := msg.String()
	for _, kk := range b.Keys() {
		if kk == s {
			return true
		}
	}
	return false
}

// Key returns the first key of action a, as a key message String prints it.
func (k *KeyMap) Key(a Action) string {
	ks := k.keys[a].Keys()
	if len(ks) == 0 {
		return ""
	}
	return ks[0]
}

// Bindings lists the bindings in force, in table order.
func (k *KeyMap) Bindings() []Binding { return k.bindings }

// Groups lists the group names in table order.
func (k *KeyMap) Groups() []string {
	var gs []string
	seen := map[string]bool{}
	for _, b := range k.bindings {
		if !seen[b.Group] {
			seen[b.Group] = true
			gs = append(gs, b.Group)
		}
	}
	return gs
}

// ShortHelp and FullHelp make KeyMap a help.KeyMap.
func (k *KeyMap) ShortHelp() []key.Binding {
	return k.list(ActHelp, ActFilter, ActOpen, ActSummary, ActReplay, ActQuit)
}

// FullHelp lists the bindings by group.
func (k *KeyMap) FullHelp() [][]key.Binding {
	var out [][]key.Binding
	for _, g := range k.Groups() {
		var col []key.Binding
		for _, b := range k.bindings {
			if b.Group == g {
				col = append(col, k.keys[b.Action])
			}
		}
		out = append(out, col)
	}
	return out
}

func (k *KeyMap) list(as ...Action) []key.Binding {
	out := make([]key.Binding, len(as))
	for i, a := range as {
		out[i] = k.keys[a]
	}
	return out
}

// keyLabel is how help shows keys.
func keyLabel(ks []string) string {
	l := make([]string, len(ks))
	for i, k := range ks {
		if k == " " {
			k = "space"
		}
		l[i] = k
	}
	return strings.Join(l, "/")
}

// Markdown renders the keymap as docs/keybindings.md.
func (k *KeyMap) Markdown() string {
	var b strings.Builder
	b.WriteString("# radscope tui key bindings\n\n")
	b.WriteString("<!-- Code generated by go generate ./tui from tui/keys.go. DO NOT EDIT. -->\n\n")
	b.WriteString("Every binding can be changed in a keys file (`radscope tui --keys FILE`, default\n")
	b.WriteString("`$XDG_CONFIG_HOME/radscope/keys.yaml`): YAML mapping an action to a key or a list of keys,\n")
	b.WriteString("for example `filter: [/, f]`. `?` in the TUI shows the bindings in force.\n")
	b.WriteString("The same file keeps the list's columns, `columns: [time, user, nas, outcome, reason]`,\n")
	b.WriteString("which `:columns` in the TUI writes.\n")
	for _, g := range k.Groups() {
		fmt.Fprintf(&b, "\n## %s\n\n| action | keys | what it does |\n|---|---|---|\n", g)
		for _, bd := range k.bindings {
			if bd.Group != g {
				continue
			}
			ks := make([]string, len(bd.Keys))
			for i, kk := range bd.Keys {
				if kk == " " {
					kk = "space"
				}
				if kk == "|" {
					kk = "\\|"
				}
				ks[i] = "`" + kk + "`"
			}
			fmt.Fprintf(&b, "| %s | %s | %s |\n", bd.Action, strings.Join(ks, " "), bd.Help)
		}
	}
	return b.String()
}
