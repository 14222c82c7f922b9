package tui

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"go.yaml.in/yaml/v3"
)

// Config is the TUI's config file (radscope tui --keys FILE, default
// $XDG_CONFIG_HOME/radscope/keys.yaml): YAML mapping action names to a key or
// a list of keys, and, under columns, the list's columns in screen order:
//
//	filter: [/, f]
//	columns: [time, user, nas, outcome, reason]
type Config struct {
	Keys    *KeyMap
	Columns []string // nil: all columns
}

// columnsKey is the config key of the list's columns; it is not an action.
const columnsKey = "columns"

// LoadConfig reads a config file.
func LoadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("tui: keys: %w", err)
	}
	return ParseConfig(data)
}

// ParseConfig reads the config format (see Config).
func ParseConfig(data []byte) (*Config, error) {
	var raw map[string]any
	if err := yaml.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("tui: keys: %w", err)
	}
	c := &Config{}
	ov := map[Action][]string{}
	for name, v := range raw {
		ks, err := stringList(name, v)
		if err != nil {
			return nil, err
		}
		if name == columnsKey {
			if _, err := ParseColumns(joinComma(ks)); err != nil {
				return nil, fmt.Errorf("tui: keys: columns: %v", err)
			}
			c.Columns = ks
			continue
		}
		ov[Action(name)] = ks
	}
	km, err := NewKeyMap(ov)
	if err != nil {
		return nil, err
	}
	c.Keys = km
	return c, nil
}

// stringList reads a string or a list of strings.
func stringList(name string, v any) ([]string, error) {
	switch v := v.(type) {
	case string:
		return []string{v}, nil
	case []any:
		var ks []string
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("tui: keys: %s: keys are strings, not %T", name, e)
			}
			ks = append(ks, s)
		}
		return ks, nil
	case nil:
		return nil, nil
	}
	return nil, fmt.Errorf("tui: keys: %s: want a key or a list of keys, not %T", name, v)
}

func joinComma(ss []string) string {
	var b bytes.Buffer
	for i, s := range ss {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s)
	}
	return b.String()
}

// SaveColumns writes the list's columns into the config file at path,
// keeping its other settings and comments; it creates the file (and its
// folder) when there is none.
func SaveColumns(path string, cols []string) error {
	var doc yaml.Node
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("tui: columns: %w", err)
	default:
		if err := yaml.Unmarshal(data, &doc); err != nil {
			return fmt.Errorf("tui: columns: %s: %w", path, err)
		}
	}
	if doc.Kind == 0 {
		doc = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode, Tag: "!!map"}}}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return fmt.Errorf("tui: columns: %s: the config is not a YAML mapping", path)
	}
	seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle}
	for _, c := range cols {
		seq.Content = append(seq.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: c})
	}
	replaced := false
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == columnsKey {
			seq.LineComment = root.Content[i+1].LineComment
			root.Content[i+1] = seq
			replaced = true
		}
	}
	if !replaced {
		root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: columnsKey}, seq)
	}
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return fmt.Errorf("tui: columns: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("tui: columns: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".keys-*.yaml")
	if err != nil {
		return fmt.Errorf("tui: columns: %w", err)
	}
	_, err = tmp.Write(out.Bytes())
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("tui: columns: %w", err)
	}
	return nil
}
