package scenario

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Set overrides one field, as `--set key=value` on the command line does.
// The key is a dotted path of YAML keys; list elements are chosen by their
// name (clients, policies), their sam (users) or their index:
//
//	clients.rdgw.timeout=60s
//	directory.users.alice.mfa.outcome=deny
//	network_policies.0.auth_methods=[pap, mschapv2]
//	mfa.override_number_matching_with_otp=FALSE
//
// The value is read as YAML, so lists and mappings work, with the same
// rules and defaults as the file. Set does not re-validate the scenario;
// call Validate after the last Set.
func (s *Scenario) Set(key, value string) error {
	if key == "" {
		return fmt.Errorf("scenario: --set: empty key")
	}
	v := reflect.ValueOf(s).Elem()
	path := ""
	type mapWrite struct {
		m   reflect.Value
		key string
		e   reflect.Value
	}
	var writes []mapWrite
	for seg := range strings.SplitSeq(key, ".") {
		parent := v
		next, p, err := step(v, seg, path)
		if err != nil {
			return fmt.Errorf("scenario: --set %s: %v", key, err)
		}
		if parent.Kind() == reflect.Map {
			writes = append(writes, mapWrite{parent, seg, next})
		}
		v, path = next, p
	}
	writeBack := func() {
		for i := len(writes) - 1; i >= 0; i-- {
			w := writes[i]
			if w.m.IsNil() {
				w.m.Set(reflect.MakeMap(w.m.Type()))
			}
			w.m.SetMapIndex(reflect.ValueOf(w.key), w.e)
		}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(value), &doc); err != nil {
		return fmt.Errorf("scenario: --set %s: invalid value %q: %s", key, value, yamlErrMsg(err))
	}
	d := &decoder{file: "--set " + key, pos: map[string]Pos{}}
	if len(doc.Content) == 0 {
		// An empty value clears the field.
		v.Set(reflect.Zero(v.Type()))
	} else {
		tmp := reflect.New(v.Type()).Elem()
		tmp.Set(v)
		d.decode(doc.Content[0], tmp, path)
		if len(d.errs) > 0 {
			e := d.errs[0]
			return fmt.Errorf("scenario: --set %s: %s", key, e.Msg)
		}
		v.Set(tmp)
	}
	writeBack()
	if s.pos == nil {
		s.pos = map[string]Pos{}
	}
	// Positions under the replaced value no longer point into the file.
	for p := range s.pos {
		if p == path || strings.HasPrefix(p, path+".") || strings.HasPrefix(p, path+"[") {
			delete(s.pos, p)
		}
	}
	return nil
}

// step moves from v (a struct, slice or map) to the element named seg.
func step(v reflect.Value, seg, path string) (reflect.Value, string, error) {
	join := func(k string) string {
		if path == "" {
			return k
		}
		return path + "." + k
	}
	switch v.Kind() {
	case reflect.Struct:
		fields, names := fieldsOf(v.Type())
		i, ok := fields[seg]
		if !ok {
			i, ok = fields[strings.ReplaceAll(seg, "-", "_")]
		}
		if !ok {
			return v, "", fmt.Errorf("unknown key %q at %s (known keys: %s)", seg, orTop(path), strings.Join(names, ", "))
		}
		return v.Field(i), join(seg), nil
	case reflect.Slice:
		if n, err := strconv.Atoi(seg); err == nil {
			if n < 0 || n >= v.Len() {
				return v, "", fmt.Errorf("%s has %d elements, no index %d", orTop(path), v.Len(), n)
			}
			return v.Index(n), path + "[" + seg + "]", nil
		}
		for i := range v.Len() {
			if keyOf(v.Index(i)) != "" && strings.EqualFold(keyOf(v.Index(i)), seg) {
				return v.Index(i), path + "[" + strconv.Itoa(i) + "]", nil
			}
		}
		return v, "", fmt.Errorf("%s has no element named %q", orTop(path), seg)
	case reflect.Map:
		// A map element is not addressable: hand out a copy that Set
		// stores back (see writeBack).
		e := reflect.New(v.Type().Elem()).Elem()
		if cur := v.MapIndex(reflect.ValueOf(seg)); cur.IsValid() {
			e.Set(cur)
		}
		return e, join(seg), nil
	}
	return v, "", fmt.Errorf("%s is a %s and has no key %q", orTop(path), v.Kind(), seg)
}

func orTop(p string) string {
	if p == "" {
		return "the top level"
	}
	return p
}

// keyOf returns the identifying field of a list element: name or sam.
func keyOf(v reflect.Value) string {
	if v.Kind() != reflect.Struct {
		return ""
	}
	fields, _ := fieldsOf(v.Type())
	for _, k := range []string{"name", "sam"} {
		if i, ok := fields[k]; ok && v.Field(i).Kind() == reflect.String {
			return v.Field(i).String()
		}
	}
	return ""
}
