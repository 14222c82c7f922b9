package ch

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParseDSN(t *testing.T) {
	cases := []struct {
		in      string
		want    Config
		wantErr string
	}{
		{in: "clickhouse://127.0.0.1:8123/fleet", want: Config{Addr: "127.0.0.1:8123", Database: "fleet"}},
		{in: "clickhouse://ch1/radscope", want: Config{Addr: "ch1:8123", Database: "radscope"}},
		{in: "clickhouse://bob@ch1:9123", want: Config{Addr: "ch1:9123", Database: "default", User: "bob"}},
		{in: "clickhouse://bob:pw@ch1/db", wantErr: "password in the address"},
		{in: "http://ch1:8123/db", wantErr: "want clickhouse://"},
		{in: "clickhouse:///db", wantErr: "no host"},
		{in: "clickhouse://ch1/bad-name", wantErr: "bad database name"},
	}
	for _, c := range cases {
		got, err := ParseDSN(c.in)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%s: error %v, want %q", c.in, err, c.wantErr)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s: %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
}

func TestQuote(t *testing.T) {
	cases := map[string]string{
		"plain":      `'plain'`,
		`it's`:       `'it\'s'`,
		`a\b`:        `'a\\b'`,
		"tab\tnl\n":  `'tab\tnl\n'`,
		"nul\x00end": `'nul\0end'`,
	}
	for in, want := range cases {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestTemporary(t *testing.T) {
	cases := []struct {
		err  error
		want bool
	}{
		{nil, false},
		{fmt.Errorf("ch: 127.0.0.1:1: %w", errors.New("connection refused")), true},
		{context.Canceled, false},
		{serverError(500, []byte("Code: 241, e.displayText() = DB::Exception: Memory limit (for query) exceeded")), true},
		{serverError(404, []byte("Code: 60, e.displayText() = DB::Exception: Table x.y doesn't exist.")), false},
		{serverError(500, []byte("Code: 27, e.displayText() = DB::Exception: Cannot parse input")), false},
		{serverError(401, []byte("Code: 193, e.displayText() = DB::Exception: Wrong password for user radscope")), false},
	}
	for _, c := range cases {
		if got := Temporary(c.err); got != c.want {
			t.Errorf("Temporary(%v) = %v, want %v", c.err, got, c.want)
		}
	}
	if e := serverError(500, []byte("Code: 241, e.displayText() = x")); e.Code != 241 || !strings.Contains(e.Error(), "Code: 241") {
		t.Errorf("serverError: %+v", e)
	}
}
