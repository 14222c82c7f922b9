package scenario

import (
	"encoding"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Load reads and validates the scenario file at path.
func Load(path string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	return Parse(path, data)
}

// Parse decodes and validates a scenario; name is used in error messages.
func Parse(name string, data []byte) (*Scenario, error) {
	s := &Scenario{file: name, pos: map[string]Pos{}}
	s.setDefaults()
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, &Error{File: name, Pos: yamlErrPos(err), Msg: yamlErrMsg(err)}
	}
	d := &decoder{file: name, pos: s.pos}
	if len(doc.Content) > 0 {
		d.decode(doc.Content[0], reflect.ValueOf(s).Elem(), "")
	}
	if err := d.errs.err(); err != nil {
		return nil, err
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}

// yamlErrPos digs the line out of a yaml syntax error ("yaml: line 3: ...").
func yamlErrPos(err error) Pos {
	msg := err.Error()
	if _, rest, ok := strings.Cut(msg, "line "); ok {
		n, _, _ := strings.Cut(rest, ":")
		if l, e := strconv.Atoi(n); e == nil {
			return Pos{Line: l, Col: 1}
		}
	}
	return Pos{}
}

func yamlErrMsg(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if _, rest, ok := strings.Cut(msg, "line "); ok {
		if _, m, ok := strings.Cut(rest, ": "); ok {
			return m
		}
	}
	return msg
}

type decoder struct {
	file string
	pos  map[string]Pos
	errs ErrorList
}

func (d *decoder) errorf(n *yaml.Node, path, format string, args ...any) {
	d.errs = append(d.errs, &Error{File: d.file, Pos: Pos{n.Line, n.Column}, Path: path, Msg: fmt.Sprintf(format, args...)})
}

var (
	durationType        = reflect.TypeFor[time.Duration]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "null"
		}
		return "a scalar"
	}
	return "a document"
}

// decode decodes n into v (addressable), recording positions under path.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	for n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return
		}
		n = n.Content[0]
	}
	if path != "" {
		d.pos[path] = Pos{n.Line, n.Column}
	}
	// null leaves the default in place.
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return
	}
	t := v.Type()
	if t == durationType {
		if n.Kind != yaml.ScalarNode {
			d.errorf(n, path, "want a duration such as 30s or 3m, got %s", kindName(n))
			return
		}
		dur, err := time.ParseDuration(n.Value)
		if err != nil {
			if i, ierr := strconv.Atoi(n.Value); ierr == nil && i == 0 {
				v.SetInt(0)
				return
			}
			d.errorf(n, path, "invalid duration %q (want a unit: 30s, 3m, 1h)", n.Value)
			return
		}
		if dur < 0 {
			d.errorf(n, path, "duration %s is negative", n.Value)
			return
		}
		v.SetInt(int64(dur))
		return
	}
	if reflect.PointerTo(t).Implements(textUnmarshalerType) && t.Kind() != reflect.String {
		if n.Kind != yaml.ScalarNode {
			d.errorf(n, path, "want a scalar, got %s", kindName(n))
			return
		}
		if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(n.Value)); err != nil {
			d.errorf(n, path, "invalid value %q: %v", n.Value, err)
		}
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.errorf(n, path, "want a list, got %s", kindName(n))
			return
		}
		out := reflect.MakeSlice(t, 0, len(n.Content))
		for i, c := range n.Content {
			e := reflect.New(t.Elem()).Elem()
			if df, ok := e.Addr().Interface().(defaulter); ok {
				df.setDefaults()
			}
			d.decode(c, e, path+"["+strconv.Itoa(i)+"]")
			out = reflect.Append(out, e)
		}
		v.Set(out)
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			d.errorf(n, path, "want a mapping, got %s", kindName(n))
			return
		}
		if v.IsNil() {
			v.Set(reflect.MakeMap(t))
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			e := reflect.New(t.Elem()).Elem()
			d.decode(val, e, path+"."+k.Value)
			v.SetMapIndex(reflect.ValueOf(k.Value), e)
		}
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			d.errorf(n, path, "want a string, got %s", kindName(n))
			return
		}
		v.SetString(n.Value)
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode {
			d.errorf(n, path, "want true or false, got %s", kindName(n))
			return
		}
		switch strings.ToLower(n.Value) {
		case "true", "yes", "on":
			v.SetBool(true)
		case "false", "no", "off":
			v.SetBool(false)
		default:
			d.errorf(n, path, "want true or false, got %q", n.Value)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		i, err := strconv.ParseInt(n.Value, 0, t.Bits())
		if n.Kind != yaml.ScalarNode || err != nil {
			d.errorf(n, path, "want an integer, got %q", n.Value)
			return
		}
		v.SetInt(i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		i, err := strconv.ParseUint(n.Value, 0, t.Bits())
		if n.Kind != yaml.ScalarNode || err != nil {
			d.errorf(n, path, "want a non-negative integer, got %q", n.Value)
			return
		}
		v.SetUint(i)
	default:
		d.errorf(n, path, "unsupported field type %s", t)
	}
}

// fieldsOf lists the yaml-tagged fields of a struct type by key.
func fieldsOf(t reflect.Type) (map[string]int, []string) {
	m := map[string]int{}
	var names []string
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		if tag == "" || tag == "-" || !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		m[name] = i
		names = append(names, name)
	}
	return m, names
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.errorf(n, path, "want a mapping, got %s", kindName(n))
		return
	}
	fields, names := fieldsOf(v.Type())
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Value == "<<" && k.Tag == "!!merge" {
			d.decode(val, v, path)
			continue
		}
		sub := k.Value
		if path != "" {
			sub = path + "." + k.Value
		}
		idx, ok := fields[k.Value]
		if !ok {
			d.errorf(k, sub, "unknown key %q (known keys: %s)", k.Value, strings.Join(names, ", "))
			continue
		}
		if seen[k.Value] {
			d.errorf(k, sub, "duplicate key %q", k.Value)
			continue
		}
		seen[k.Value] = true
		d.decode(val, v.Field(idx), sub)
	}
}

// parentPath strips the last element of a path: a.b[2].c → a.b[2] → a.b → a.
func parentPath(p string) string {
	if strings.HasSuffix(p, "]") {
		if i := strings.LastIndexByte(p, '['); i >= 0 {
			return p[:i]
		}
	}
	if i := strings.LastIndexByte(p, '.'); i >= 0 {
		return p[:i]
	}
	return ""
}
