// Package filter is the small filter language radscope's CLI (--filter) and
// TUI (/) share:
//
//	alice                  bare word: case-insensitive substring of the key fields
//	!alice  -alice         a bare word that must not occur
//	user:alice             the field contains the value (case-insensitive)
//	user:=CONTOSO\alice    the field is the value
//	-outcome:accepted      negation
//	outcome:rejected|no-response   any of several values
//	latency:>3s  reason:>=48  time:>=2026-11-01  time:>=-1h   comparisons
//	user:"Carol Béranger"  "two words"   quotes for spaces (\" and \\ escape)
//
// Terms are separated by white space and must all hold. A time without a
// zone is read in Options.Location; a date-only or minute-only time is the
// whole day or minute (time:2026-11-01 is that day, time:>2026-11-01 after
// it). Relative times (-1h, -7d, now) count from Options.Now.
//
// Parse errors are *Error values that name the 1-based column of the bad
// term.
package filter

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Type is the type of a field's values.
type Type uint8

const (
	String   Type = iota // text; several values for list fields
	Number               // a number
	Time                 // a point in time
	Duration             // a length of time
)

var typeNames = [...]string{"text", "number", "time", "duration"}

func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "type(" + strconv.Itoa(int(t)) + ")"
}

// Field describes one field a filter may name.
type Field struct {
	Name    string
	Type    Type
	Aliases []string
	Key     bool   // bare words search it
	Help    string // one line for help texts
}

// Schema is the set of fields of the records a filter is run on.
type Schema []Field

func (s Schema) lookup(name string) (*Field, bool) {
	for i := range s {
		f := &s[i]
		if strings.EqualFold(f.Name, name) {
			return f, true
		}
		for _, a := range f.Aliases {
			if strings.EqualFold(a, name) {
				return f, true
			}
		}
	}
	return nil, false
}

// Names lists the field names.
func (s Schema) Names() []string {
	out := make([]string, len(s))
	for i, f := range s {
		out[i] = f.Name
	}
	return out
}

// Value is what a record holds in one field. OK is false when the record
// has no value there; a comparison with a missing value is false.
type Value struct {
	Strs []string
	Num  float64
	Time time.Time
	Dur  time.Duration
	OK   bool
}

// Str is a Value of one string ("" is missing).
func Str(s string) Value { return Value{Strs: []string{s}, OK: s != ""} }

// Strs is a Value of several strings.
func Strs(s ...string) Value { return Value{Strs: s, OK: len(s) > 0} }

// Num is a numeric Value.
func Num(n float64) Value { return Value{Num: n, OK: true} }

// At is a time Value (the zero time is missing).
func At(t time.Time) Value { return Value{Time: t, OK: !t.IsZero()} }

// Dur is a duration Value.
func Dur(d time.Duration) Value { return Value{Dur: d, OK: true} }

// Record is one row a filter is matched against.
type Record interface {
	Field(name string) Value
}

// Options for Parse.
type Options struct {
	Now      time.Time      // for relative times; time.Now() when zero
	Location *time.Location // for times without a zone; UTC when nil
}

// Error is a bad filter, with the 1-based column (in bytes) of the term.
type Error struct {
	Col int
	Msg string
}

func (e *Error) Error() string { return fmt.Sprintf("filter: column %d: %s", e.Col, e.Msg) }

// op is a comparison.
type op uint8

const (
	opHas op = iota // substring (strings), equality (numbers, durations), within (times)
	opEq
	opNe
	opLt
	opLe
	opGt
	opGe
)

var opText = [...]string{"", "=", "!=", "<", "<=", ">", ">="}

// term is one condition.
type term struct {
	neg    bool
	field  *Field // nil for a bare word
	op     op
	raw    []string // values as written
	strs   []string // lower-cased
	nums   []float64
	durs   []time.Duration
	spans  []span
	col    int
	quoted bool
}

type span struct{ from, to time.Time } // [from, to)

// Filter is a parsed filter. The zero Filter (and nil) matches everything.
type Filter struct {
	terms  []term
	schema Schema
}

// Parse reads a filter over the fields of schema.
func Parse(s string, schema Schema, o Options) (*Filter, error) {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	f := &Filter{schema: schema}
	for _, tk := range toks {
		t, err := build(tk, schema, o)
		if err != nil {
			return nil, err
		}
		f.terms = append(f.terms, t)
	}
	return f, nil
}

// Mentions reports whether a term of the filter names field (by its name
// or an alias).
func (f *Filter) Mentions(field string) bool {
	if f == nil {
		return false
	}
	for _, t := range f.terms {
		if t.field != nil && strings.EqualFold(t.field.Name, field) {
			return true
		}
	}
	return false
}

// Empty reports whether the filter has no terms.
func (f *Filter) Empty() bool { return f == nil || len(f.terms) == 0 }

// Match reports whether r satisfies every term.
func (f *Filter) Match(r Record) bool {
	if f == nil {
		return true
	}
	for i := range f.terms {
		if f.terms[i].match(r, f.schema) == f.terms[i].neg {
			return false
		}
	}
	return true
}

// String renders the filter in a form Parse reads back to the same filter.
func (f *Filter) String() string {
	if f == nil {
		return ""
	}
	var b strings.Builder
	for i, t := range f.terms {
		if i > 0 {
			b.WriteByte(' ')
		}
		if t.neg {
			if t.field == nil {
				b.WriteByte('!')
			} else {
				b.WriteByte('-')
			}
		}
		if t.field != nil {
			b.WriteString(t.field.Name)
			b.WriteByte(':')
			b.WriteString(opText[t.op])
		}
		for j, v := range t.raw {
			if j > 0 {
				b.WriteByte('|')
			}
			b.WriteString(quote(v, t.field == nil && j == 0))
		}
	}
	return b.String()
}

// quote writes v so that lex reads it back: quoted when it holds white
// space, quotes, backslashes or '|', starts like an operator, or (as the
// first word of a bare term) starts like a negation or holds a ':'.
func quote(s string, bare bool) string {
	plain := s != "" && !strings.ContainsAny(s, " \t\n\r\v\f\"\\|") && !strings.ContainsAny(s[:1], "<>=!")
	if bare && (strings.HasPrefix(s, "-") || strings.Contains(s, ":") || looksNumeric(s)) {
		plain = false
	}
	if plain {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		if r == '"' || r == '\\' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	return b.String()
}

// token is one white-space separated term as written.
type token struct {
	col    int // 1-based
	neg    bool
	bang   bool // negated with !
	field  string
	hasCol bool // field: present
	fcol   int  // column of the value
	opcol  int  // column of the operator
	op     op
	vals   []string
	quoted bool
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// lex splits s into tokens.
func lex(s string) ([]token, error) {
	var out []token
	i := 0
	for {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i >= len(s) {
			return out, nil
		}
		tk := token{col: i + 1}
		if s[i] == '-' || s[i] == '!' {
			tk.neg, tk.bang = true, s[i] == '!'
			i++
			if i >= len(s) || isSpace(s[i]) {
				return nil, &Error{tk.col, "a negation must be followed by a term"}
			}
		}
		// A field name: letters, digits, '-' and '_' up to ':'.
		j := i
		for j < len(s) && (isWord(s[j])) {
			j++
		}
		if j < len(s) && s[j] == ':' && j > i {
			tk.field, tk.hasCol = s[i:j], true
			i = j + 1
			tk.opcol = i + 1
			i, tk.op = lexOp(s, i)
		}
		tk.fcol = i + 1
		for {
			v, n, quoted, err := lexValue(s, i)
			if err != nil {
				return nil, err
			}
			tk.quoted = tk.quoted || quoted
			tk.vals = append(tk.vals, v)
			i = n
			if i < len(s) && s[i] == '|' {
				i++
				continue
			}
			break
		}
		if i < len(s) && !isSpace(s[i]) {
			return nil, &Error{i + 1, fmt.Sprintf("unexpected %q", s[i])}
		}
		out = append(out, tk)
	}
}

func isWord(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_'
}

func lexOp(s string, i int) (int, op) {
	two := func(p string) bool { return strings.HasPrefix(s[i:], p) }
	switch {
	case two(">="):
		return i + 2, opGe
	case two("<="):
		return i + 2, opLe
	case two("!="):
		return i + 2, opNe
	case two(">"):
		return i + 1, opGt
	case two("<"):
		return i + 1, opLt
	case two("="):
		return i + 1, opEq
	}
	return i, opHas
}

// lexValue reads one value at i: a quoted string or a run up to white
// space or '|'.
func lexValue(s string, i int) (string, int, bool, error) {
	if i < len(s) && s[i] == '"' {
		start := i
		var b strings.Builder
		i++
		for i < len(s) {
			c := s[i]
			switch c {
			case '\\':
				if i+1 >= len(s) {
					return "", 0, false, &Error{i + 1, "a backslash at the end of the filter"}
				}
				b.WriteByte(s[i+1])
				i += 2
				continue
			case '"':
				return b.String(), i + 1, true, nil
			}
			b.WriteByte(c)
			i++
		}
		return "", 0, false, &Error{start + 1, "unterminated quote"}
	}
	j := i
	for j < len(s) && !isSpace(s[j]) && s[j] != '|' && s[j] != '"' {
		j++
	}
	if j == i {
		if j < len(s) && s[j] == '"' {
			return "", 0, false, &Error{j + 1, "a quote inside a value"}
		}
		return "", 0, false, &Error{i + 1, "missing value"}
	}
	if j < len(s) && s[j] == '"' {
		return "", 0, false, &Error{j + 1, "a quote inside a value"}
	}
	return s[i:j], j, false, nil
}

// build checks a token against the schema and parses its values.
func build(tk token, schema Schema, o Options) (term, error) {
	t := term{neg: tk.neg, op: tk.op, raw: tk.vals, col: tk.col, quoted: tk.quoted}
	if !tk.hasCol {
		if tk.neg && !tk.bang && len(tk.vals) == 1 && !tk.quoted && looksNumeric(tk.vals[0]) {
			return t, &Error{tk.col, fmt.Sprintf("%q is a negative number, not a term; quote it to search for it", "-"+tk.vals[0])}
		}
		for _, v := range tk.vals {
			t.strs = append(t.strs, strings.ToLower(v))
		}
		return t, nil
	}
	fd, ok := schema.lookup(tk.field)
	if !ok {
		return t, &Error{tk.col, fmt.Sprintf("unknown field %q (fields: %s; quote a value holding ':' to search for it)", tk.field, strings.Join(schema.Names(), ", "))}
	}
	t.field = fd
	for _, v := range tk.vals {
		switch fd.Type {
		case String:
			if t.op != opHas && t.op != opEq && t.op != opNe {
				return t, &Error{tk.opcol, fmt.Sprintf("field %s is text: only :value, :=value and :!=value apply", fd.Name)}
			}
			t.strs = append(t.strs, strings.ToLower(v))
		case Number:
			n, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return t, &Error{tk.fcol, fmt.Sprintf("field %s wants a number, not %q", fd.Name, v)}
			}
			t.nums = append(t.nums, n)
		case Duration:
			d, err := parseDuration(v)
			if err != nil {
				return t, &Error{tk.fcol, fmt.Sprintf("field %s wants a duration such as 3s, 1m30s or 250ms, not %q", fd.Name, v)}
			}
			t.durs = append(t.durs, d)
		case Time:
			sp, err := parseTime(v, o)
			if err != nil {
				return t, &Error{tk.fcol, fmt.Sprintf("field %s wants a time such as 2026-11-01, 2026-11-01T09:14, RFC 3339, -1h, -7d or now, not %q", fd.Name, v)}
			}
			t.spans = append(t.spans, sp)
		}
	}
	if len(tk.vals) > 1 && t.op != opHas && t.op != opEq {
		return t, &Error{tk.opcol, "a|b alternatives only go with : and :="}
	}
	return t, nil
}

func looksNumeric(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

// parseDuration reads a Go duration, or a number of seconds.
func parseDuration(s string) (time.Duration, error) {
	if n, err := strconv.ParseFloat(s, 64); err == nil {
		return time.Duration(n * float64(time.Second)), nil
	}
	if strings.HasSuffix(s, "d") {
		n, err := strconv.ParseFloat(strings.TrimSuffix(s, "d"), 64)
		if err == nil {
			return time.Duration(n * float64(24*time.Hour)), nil
		}
	}
	return time.ParseDuration(s)
}

var timeLayouts = []struct {
	layout string
	unit   time.Duration // the span a time written this way covers
	zone   bool
}{
	{time.RFC3339Nano, 0, true},
	{"2006-01-02T15:04:05Z07:00", time.Second, true},
	{"2006-01-02T15:04:05", time.Second, false},
	{"2006-01-02 15:04:05", time.Second, false},
	{"2006-01-02T15:04", time.Minute, false},
	{"2006-01-02 15:04", time.Minute, false},
	{"2006-01-02T15", time.Hour, false},
	{"2006-01-02", 24 * time.Hour, false},
}

// parseTime reads an absolute or relative time as the span it names.
func parseTime(s string, o Options) (span, error) {
	if strings.EqualFold(s, "now") {
		return span{o.Now, o.Now.Add(time.Nanosecond)}, nil
	}
	if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
		d, err := parseDuration(s[1:])
		if err != nil || d < 0 {
			return span{}, fmt.Errorf("bad relative time")
		}
		if s[0] == '-' {
			d = -d
		}
		t := o.Now.Add(d)
		return span{t, t.Add(time.Nanosecond)}, nil
	}
	for _, l := range timeLayouts {
		var t time.Time
		var err error
		if l.zone {
			t, err = time.Parse(l.layout, s)
		} else {
			t, err = time.ParseInLocation(l.layout, s, o.Location)
		}
		if err != nil {
			continue
		}
		unit := l.unit
		if unit == 0 {
			unit = time.Nanosecond
		}
		if unit == 24*time.Hour {
			y, m, d := t.Date()
			return span{t, time.Date(y, m, d+1, 0, 0, 0, 0, t.Location())}, nil
		}
		return span{t, t.Add(unit)}, nil
	}
	return span{}, fmt.Errorf("bad time")
}

// match reports whether r satisfies the term (before negation).
func (t *term) match(r Record, schema Schema) bool {
	if t.field == nil {
		for i := range schema {
			if !schema[i].Key {
				continue
			}
			v := r.Field(schema[i].Name)
			for _, s := range v.Strs {
				ls := strings.ToLower(s)
				for _, w := range t.strs {
					if strings.Contains(ls, w) {
						return true
					}
				}
			}
		}
		return false
	}
	v := r.Field(t.field.Name)
	if t.op == opNe {
		return !t.equal(v)
	}
	if !v.OK {
		return false
	}
	switch t.field.Type {
	case String:
		for _, s := range v.Strs {
			ls := strings.ToLower(s)
			for _, w := range t.strs {
				if t.op == opEq && ls == w || t.op == opHas && strings.Contains(ls, w) {
					return true
				}
			}
		}
		return false
	case Number:
		return slices.ContainsFunc(t.nums, func(n float64) bool { return cmpOp(t.op, compare(v.Num, n)) })
	case Duration:
		return slices.ContainsFunc(t.durs, func(d time.Duration) bool { return cmpOp(t.op, compare(v.Dur, d)) })
	case Time:
		return slices.ContainsFunc(t.spans, func(sp span) bool {
			switch t.op {
			case opHas, opEq:
				return !v.Time.Before(sp.from) && v.Time.Before(sp.to)
			case opLt:
				return v.Time.Before(sp.from)
			case opLe:
				return v.Time.Before(sp.to)
			case opGt:
				return !v.Time.Before(sp.to)
			case opGe:
				return !v.Time.Before(sp.from)
			}
			return false
		})
	}
	return false
}

// equal is the opEq test used by :!=.
func (t *term) equal(v Value) bool {
	if !v.OK {
		return false
	}
	c := *t
	c.op = opEq
	c.neg = false
	return c.match(constRecord{t.field.Name, v}, Schema{*t.field})
}

type constRecord struct {
	name string
	v    Value
}

func (c constRecord) Field(name string) Value {
	if name == c.name {
		return c.v
	}
	return Value{}
}

func compare[T int64 | float64 | time.Duration](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpOp(o op, c int) bool {
	switch o {
	case opHas, opEq:
		return c == 0
	case opLt:
		return c < 0
	case opLe:
		return c <= 0
	case opGt:
		return c > 0
	case opGe:
		return c >= 0
	}
	return false
}
