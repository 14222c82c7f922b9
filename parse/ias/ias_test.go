package ias_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/radscope/radscope/parse/internal/readertest"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/parse/ias"
)

const interim = `10.0.0.3,aa-bb-cc-dd-ee-ff,03/05/2024,10:00:00,IAS,NPS01,31,aa-bb-cc-dd-ee-ff,31,second,30,11-22-33-44-55-66:CorpWiFi,44,000002c0,25,311 1 10.0.0.10 03/04/2024 21:00:00 44,40,3,5000,audit-session-id=0A0000,5000,vlan-id=20,5000,method=dot1x,26,0x000000090102,9999,opaque,-90,6,4108,10.0.0.3,4128,wlc,4136,4,4142,0`

func TestParse(t *testing.T) {
	p := ias.NewParser(ias.Options{Location: time.UTC})
	m, err := p.Parse(interim, model.Source{File: "f", Line: 1})
	if err != nil {
		t.Fatal(err)
	}
	if m.Code != model.CodeAccountingRequest || m.Reason != 0 || m.AcctStatus != 3 {
		t.Errorf("code %v reason %d acct %d", m.Code, m.Reason, m.AcctStatus)
	}
	if m.NASAddr.String() != "10.0.0.3" || m.Computer != "NPS01" || m.Service != "IAS" || m.User != "aa-bb-cc-dd-ee-ff" {
		t.Errorf("header fields: %v %q %q %q", m.NASAddr, m.Computer, m.Service, m.User)
	}
	if m.AcctSessionID != "000002c0" || m.Class != "311 1 10.0.0.10 03/04/2024 21:00:00 44" || m.CallingStation != "aa-bb-cc-dd-ee-ff" {
		t.Errorf("key fields: %q %q %q", m.AcctSessionID, m.Class, m.CallingStation)
	}
	// Repeats kept in order; unknown numbers kept as numbers.
	var avpairs, calling []string
	var unknown, vsa bool
	for _, a := range m.Attrs {
		switch {
		case a.Name == "Cisco-AV-Pair":
			avpairs = append(avpairs, a.Value)
		case a.Name == "Calling-Station-Id":
			calling = append(calling, a.Value)
		case a.Type == 9999 && a.Name == "Attr-9999" && a.Value == "opaque":
			unknown = true
		case a.Type == 26 && len(a.Raw) == 6:
			vsa = true
		}
	}
	if len(avpairs) != 3 || avpairs[1] != "vlan-id=20" {
		t.Errorf("Cisco-AV-Pair = %q", avpairs)
	}
	if len(calling) != 2 || calling[1] != "second" {
		t.Errorf("Calling-Station-Id = %q", calling)
	}
	if !unknown || !vsa {
		t.Errorf("unknown kept %v, vsa raw kept %v", unknown, vsa)
	}
}

func TestErrors(t *testing.T) {
	p := ias.NewParser(ias.Options{Location: time.UTC})
	tests := []struct {
		line    string
		is      error
		col     int
		partial bool
	}{
		{"garbage", ias.ErrHeader, 0, false},
		{"10.0.0.1,bob,03/05/2024,08:00:00,IAS,NPS01,4136,1,4142", ias.ErrOddPairs, 51, true},
		{"10.0.0.1,bob,03/05/2024,08:00:00,IAS,NPS01,x4136,1,4142,0", ias.ErrAttrID, 44, true},
		{"10.0.0.1,bob,03/05/2024,08:00:00,IAS,NPS01,4136,1,4142,zero", nil, 56, true},
	}
	for _, tt := range tests {
		m, err := p.Parse(tt.line, model.Source{File: "f", Line: 3})
		var pe *model.ParseError
		if !errors.As(err, &pe) {
			t.Errorf("%q: err %v", tt.line, err)
			continue
		}
		if tt.is != nil && !errors.Is(err, tt.is) {
			t.Errorf("%q: %v is not %v", tt.line, err, tt.is)
		}
		if pe.Src.Col != tt.col {
			t.Errorf("%q: col %d, want %d (%v)", tt.line, pe.Src.Col, tt.col, err)
		}
		if tt.partial != (m.Kind != model.KindUnknown) {
			t.Errorf("%q: partial message %v, want %v", tt.line, m.Kind != model.KindUnknown, tt.partial)
		}
	}
}

func FuzzReader(f *testing.F) {
	readertest.Seeds(f, "../../testdata/iaslogs", interim)
	f.Fuzz(func(t *testing.T, in []byte) {
		readertest.CheckStream(t, in, ias.NewReader(bytes.NewReader(in), ias.Options{File: "fuzz", Location: time.UTC}).All())
	})
}

func BenchmarkRead(b *testing.B) {
	var data []byte
	for len(data) < 8<<20 {
		data = append(data, interim+"\r\n"...)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	var n int
	for b.Loop() {
		n = 0
		for _, err := range ias.NewReader(bytes.NewReader(data), ias.Options{Location: time.UTC}).All() {
			if err == nil {
				n++
			}
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
