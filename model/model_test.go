package model_test

import (
	"errors"
	"io"
	"testing"

	"github.com/radscope/radscope/model"
)

func TestSourceString(t *testing.T) {
	tests := []struct {
		src  model.Source
		want string
	}{
		{model.Source{File: "IN240305.log", Line: 12, Col: 61}, "IN240305.log:12:61"},
		{model.Source{File: "IN240305.log", Line: 12}, "IN240305.log:12"},
		{model.Source{File: "c.pcap", Frame: 7}, "c.pcap: frame 7"},
		{model.Source{File: "s.evtx", Record: 9}, "s.evtx: record 9"},
		{model.Source{File: "s.evtx", Offset: 4096}, "s.evtx: offset 4096"},
		{model.Source{Line: 3}, "-:3"},
	}
	for _, tt := range tests {
		if got := tt.src.String(); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.src, got, tt.want)
		}
	}
}

func TestParseError(t *testing.T) {
	err := error(&model.ParseError{Src: model.Source{Format: model.FormatODBC, File: "f.log", Line: 2, Col: 5}, Field: "field 26 (Reason-Code)", Err: io.ErrUnexpectedEOF})
	if got, want := err.Error(), "f.log:2:5: odbc: field 26 (Reason-Code): unexpected EOF"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
	if !errors.Is(err, io.ErrUnexpectedEOF) || !model.IsParseError(err) || model.IsParseError(io.EOF) {
		t.Error("unwrapping")
	}
	wrapped := errors.Join(errors.New("x"), err)
	if !model.IsParseError(wrapped) {
		t.Error("wrapped ParseError not found")
	}
}

func TestCodes(t *testing.T) {
	for c := 0; c < 256; c++ {
		code := model.Code(c)
		s := code.String()
		if c == 0 {
			if s != "" {
				t.Errorf("code 0 = %q", s)
			}
			continue
		}
		back, ok := model.ParseCode(s)
		if !ok || back != code {
			t.Errorf("%d → %q → %d, %v", c, s, back, ok)
		}
	}
	if c, ok := model.ParseCode("access-reject"); !ok || c != model.CodeAccessReject {
		t.Error("case-insensitive name")
	}
	if _, ok := model.ParseCode("Access-Nope"); ok {
		t.Error("unknown name accepted")
	}
	if !model.CodeAccessRequest.IsRequest() || model.CodeAccessAccept.IsRequest() {
		t.Error("IsRequest")
	}
}

func TestMarks(t *testing.T) {
	m := model.MarkRetransmit | model.MarkMalformed
	if m.String() != "rtx,malformed" {
		t.Errorf("%q", m.String())
	}
	for _, n := range []string{"rtx", "norsp", "noreq", "reused", "malformed", "truncated", "dup"} {
		mk, ok := model.ParseMark(n)
		if !ok || mk.String() != n {
			t.Errorf("%s: %v %v", n, mk, ok)
		}
	}
}

func TestAttrByName(t *testing.T) {
	m := model.Message{Attrs: []model.Attr{{Name: "User-Name", Value: "a"}, {Name: "User-Name", Value: "b"}}}
	if a, ok := m.AttrByName("user-name"); !ok || a.Value != "a" {
		t.Errorf("%v %v", a, ok)
	}
	if _, ok := m.AttrByName("Class"); ok {
		t.Error("found a missing attribute")
	}
}
