package filter_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/radscope/radscope/filter"
)

var schema = filter.Schema{
	{Name: "time", Type: filter.Time},
	{Name: "user", Type: filter.String, Key: true},
	{Name: "station", Type: filter.String, Key: true, Aliases: []string{"calling-station"}},
	{Name: "nas", Type: filter.String, Key: true},
	{Name: "reason-text", Type: filter.String, Key: true},
	{Name: "outcome", Type: filter.String},
	{Name: "reason", Type: filter.Number},
	{Name: "latency", Type: filter.Duration},
	{Name: "event", Type: filter.String},
}

type row map[string]filter.Value

func (r row) Field(name string) filter.Value { return r[name] }

var now = time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)

var alice = row{
	"time":        filter.At(time.Date(2026, 11, 2, 9, 14, 7, 0, time.UTC)),
	"user":        filter.Str(`CONTOSO\alice`),
	"station":     filter.Str("203.0.113.21"),
	"nas":         filter.Str("vpn-gw"),
	"reason-text": filter.Str("Extension DLL rejected the request"),
	"outcome":     filter.Str("rejected"),
	"reason":      filter.Num(21),
	"latency":     filter.Dur(4200 * time.Millisecond),
	"event":       filter.Strs("rtx", "norsp"),
}

var bob = row{
	"time":    filter.At(time.Date(2026, 11, 1, 23, 59, 0, 0, time.UTC)),
	"user":    filter.Str("bob@contoso.com"),
	"nas":     filter.Str("Carol Béranger's AP"),
	"outcome": filter.Str("accepted"),
	"reason":  filter.Num(0),
	"latency": filter.Dur(80 * time.Millisecond),
}

func TestMatch(t *testing.T) {
	cases := []struct {
		filter     string
		alice, bob bool
	}{
		{"", true, true},
		{"alice", true, false},
		{"ALICE", true, false},
		{"!alice", false, true},
		{"-alice", false, true},
		{"contoso", true, true},
		{"extension", true, false},
		{"203.0.113", true, false},
		{"user:alice", true, false},
		{`user:=contoso\alice`, true, false},
		{"user:=alice", false, false},
		{"user:!=bob@contoso.com", true, false},
		{"-outcome:accepted", true, false},
		{"outcome:rejected|no-response", true, false},
		{"latency:>3s", true, false},
		{"latency:<=80ms", false, true},
		{"latency:4.2", true, false},
		{"reason:21", true, false},
		{"reason:>=48", false, false},
		{"reason:<16", false, true},
		{"reason:!=21", false, true},
		{"time:2026-11-02", true, false},
		{"time:>2026-11-01", true, false},
		{"time:>=2026-11-01", true, true},
		{"time:<2026-11-02", false, true},
		{"time:<=2026-11-01", false, true},
		{"time:2026-11-02T09:14", true, false},
		{`time:>="2026-11-02 09:14:07"`, true, false},
		{"time:>=-3h", true, false},
		{"time:>=-1d", true, true},
		{"time:>=-2h", false, false},
		{"time:<now", true, true},
		{"time:>=2026-11-02T10:14:00+01:00", true, false},
		{"event:rtx", true, false},
		{"event:=norsp", true, false},
		{`nas:"Béranger's AP"`, false, true},
		{`"carol béranger"`, false, true},
		{"calling-station:203", true, false},
		{"alice outcome:rejected latency:>1s", true, false},
		{"alice outcome:accepted", false, false},
		{"station:x", false, false}, // bob has no station: no match
		{"-station:x", true, true},
	}
	for _, c := range cases {
		t.Run(c.filter, func(t *testing.T) {
			f, err := filter.Parse(c.filter, schema, filter.Options{Now: now})
			if err != nil {
				t.Fatal(err)
			}
			if got := f.Match(alice); got != c.alice {
				t.Errorf("alice: %v, want %v", got, c.alice)
			}
			if got := f.Match(bob); got != c.bob {
				t.Errorf("bob: %v, want %v", got, c.bob)
			}
			// What String prints parses to a filter that matches the same.
			g, err := filter.Parse(f.String(), schema, filter.Options{Now: now})
			if err != nil {
				t.Fatalf("String() = %q does not parse: %v", f.String(), err)
			}
			if g.Match(alice) != c.alice || g.Match(bob) != c.bob || g.String() != f.String() {
				t.Errorf("String() = %q does not round-trip", f.String())
			}
		})
	}
}

func TestErrors(t *testing.T) {
	cases := []struct {
		filter string
		col    int
		msg    string
	}{
		{"alice laency:>3s", 7, `unknown field "laency"`},
		{"latency:>fast", 10, "wants a duration"},
		{"reason:abc", 8, "wants a number"},
		{"time:>=yesterday", 8, "wants a time"},
		{`user:"alice`, 6, "unterminated quote"},
		{"user:", 6, "missing value"},
		{"user:a|", 8, "missing value"},
		{"  -", 3, "negation must be followed"},
		{"- alice", 1, "negation must be followed"},
		{"user:>alice", 6, "field user is text"},
		{"reason:>1|2", 8, "alternatives"},
		{`ab"c`, 3, "a quote inside a value"},
		{`user:"a"b`, 9, `unexpected 'b'`},
		{`"a\`, 3, "backslash at the end"},
		{"-5", 1, "negative number"},
		{"aa:bb:cc", 1, "quote a value holding ':'"},
	}
	for _, c := range cases {
		t.Run(c.filter, func(t *testing.T) {
			_, err := filter.Parse(c.filter, schema, filter.Options{Now: now})
			var fe *filter.Error
			if !errors.As(err, &fe) {
				t.Fatalf("error %v, want *filter.Error", err)
			}
			if fe.Col != c.col || !strings.Contains(fe.Msg, c.msg) || !strings.HasPrefix(err.Error(), "filter: column ") {
				t.Errorf("error %q at column %d, want column %d and %q", err, fe.Col, c.col, c.msg)
			}
		})
	}
}

func TestLocation(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	f, err := filter.Parse("time:2026-11-02T10:14", schema, filter.Options{Now: now, Location: paris})
	if err != nil {
		t.Fatal(err)
	}
	if !f.Match(alice) {
		t.Error("10:14 CET is 09:14 UTC")
	}
}

func TestMentions(t *testing.T) {
	f, err := filter.Parse("alice -calling-station:1 latency:>1s", schema, filter.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	for field, want := range map[string]bool{"station": true, "latency": true, "user": false, "outcome": false} {
		if got := f.Mentions(field); got != want {
			t.Errorf("Mentions(%s) = %v, want %v", field, got, want)
		}
	}
}

func TestNil(t *testing.T) {
	var f *filter.Filter
	if !f.Match(alice) || !f.Empty() || f.String() != "" || f.Mentions("user") {
		t.Error("a nil filter matches everything and prints nothing")
	}
}

// FuzzParse: no input makes Parse panic; errors name a column inside the
// input; a filter that parses prints a form that parses to the same form.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"alice", `user:"a b" -outcome:accepted|rejected`, "latency:>3s time:>=-1h", "!x reason:<=48",
		`"q\"uote"`, "time:2026-11-01", "a:b:c", "-", `"`, "user:=|", "event:rtx|norsp"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		flt, err := filter.Parse(s, schema, filter.Options{Now: now})
		if err != nil {
			var fe *filter.Error
			if !errors.As(err, &fe) {
				t.Fatalf("error %T %v", err, err)
			}
			if fe.Col < 1 || fe.Col > len(s)+1 {
				t.Fatalf("column %d outside 1..%d", fe.Col, len(s)+1)
			}
			return
		}
		flt.Match(alice)
		out := flt.String()
		g, err := filter.Parse(out, schema, filter.Options{Now: now})
		if err != nil {
			t.Fatalf("String() = %q of %q does not parse: %v", out, s, err)
		}
		if g.String() != out {
			t.Fatalf("String() not stable: %q -> %q", out, g.String())
		}
		if g.Match(alice) != flt.Match(alice) || g.Match(bob) != flt.Match(bob) {
			t.Fatalf("%q and %q match differently", s, out)
		}
	})
}

func BenchmarkMatch(b *testing.B) {
	f, err := filter.Parse("alice outcome:rejected|no-response latency:>1s time:>=2026-11-01 -nas:rdgw", schema, filter.Options{Now: now})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if f.Match(alice) {
			n++
		}
		if f.Match(bob) {
			n++
		}
	}
	if n == 0 {
		b.Fatal("no match")
	}
}
