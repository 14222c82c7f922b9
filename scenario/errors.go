package scenario

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrSecretEnv reports an env:VAR secret whose variable is not set.
var ErrSecretEnv = errors.New("environment variable not set")

// Error is one problem in a scenario, at a position in its file.
type Error struct {
	File string
	Pos  Pos    // zero when the problem has no single position
	Path string // the field: clients[0].secret
	Msg  string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("scenario: ")
	f := e.File
	if f == "" {
		f = "-"
	}
	b.WriteString(f)
	if e.Pos.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Pos.Line, e.Pos.Col)
	}
	b.WriteString(": ")
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// ErrorList is every problem found in a scenario, in file order. Its Error
// text has one problem per line.
type ErrorList []*Error

func (l ErrorList) Error() string {
	s := make([]string, len(l))
	for i, e := range l {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}

func (l ErrorList) sort() {
	slices.SortStableFunc(l, func(a, b *Error) int {
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line - b.Pos.Line
		}
		return a.Pos.Col - b.Pos.Col
	})
}

func (l ErrorList) err() error {
	if len(l) == 0 {
		return nil
	}
	l.sort()
	return l
}
