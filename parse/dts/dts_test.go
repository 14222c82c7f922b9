package dts_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/radscope/radscope/parse/internal/readertest"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/parse/dts"
)

const reject = `<Event><Timestamp data_type="4">03/05/2024 08:15:02.123</Timestamp><Computer-Name data_type="1">NPS01</Computer-Name><Event-Source data_type="1">IAS</Event-Source><Class data_type="1">311 1 10.0.0.10 03/04/2024 21:00:00 7</Class><Acct-Session-Id data_type="2">41424344</Acct-Session-Id><Fully-Qualifed-User-Name data_type="1">CONTOSO\alice &amp; co &#233;</Fully-Qualifed-User-Name><Client-Friendly-Name data_type="1">Общий</Client-Friendly-Name><Client-IP-Address data_type="3">10.0.0.1</Client-IP-Address><NP-Policy-Name data_type="1"/><Packet-Type data_type="0">3</Packet-Type><Reason-Code data_type="0">21</Reason-Code></Event>`

func TestParse(t *testing.T) {
	p := dts.NewParser(dts.Options{Location: time.UTC})
	m, err := p.Parse(reject, model.Source{File: "f", Line: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !m.Time.Equal(time.Date(2024, 3, 5, 8, 15, 2, 123e6, time.UTC)) {
		t.Errorf("time %v", m.Time)
	}
	if m.Code != model.CodeAccessReject || m.Reason != 21 || m.Computer != "NPS01" || m.Service != "IAS" {
		t.Errorf("%v %d %q %q", m.Code, m.Reason, m.Computer, m.Service)
	}
	if m.User != `CONTOSO\alice & co é` {
		t.Errorf("user %q (entities not resolved)", m.User)
	}
	if m.ClientName != "Общий" || m.ClientAddr.String() != "10.0.0.1" {
		t.Errorf("client %q %v", m.ClientName, m.ClientAddr)
	}
	if a, _ := m.AttrByName("Acct-Session-Id"); a.Value != "0x41424344" || string(a.Raw) != "ABCD" {
		t.Errorf("octets data_type 2: %q %q", a.Value, a.Raw)
	}
}

func TestErrors(t *testing.T) {
	p := dts.NewParser(dts.Options{Location: time.UTC})
	tests := []struct {
		line    string
		is      error
		partial bool
	}{
		{`<Reason-Code data_type="0">8</Reason-Code>`, dts.ErrNotEvent, false},
		{`<Event><Timestamp data_type="4">03/05/2024 08:15:02.123</Timestamp><Packet-Type data_type="0">3`, dts.ErrSyntax, true},
		{`<Event><Packet-Type data_type="0">3</Packet-Type></Event>`, dts.ErrNoTime, false},
		{`<Event><Timestamp data_type="4">03/05/2024 08:15:02</Timestamp><User-Name data_type="1">a&bogus;</User-Name></Event>`, dts.ErrEntity, true},
		{`<Event><Timestamp data_type="4">03/05/2024 08:15:02</Timestamp></Event> trailing`, dts.ErrUnexpected, true},
	}
	for _, tt := range tests {
		m, err := p.Parse(tt.line, model.Source{File: "f", Line: 2})
		if !errors.Is(err, tt.is) {
			t.Errorf("%q: err %v, want %v", tt.line, err, tt.is)
		}
		var pe *model.ParseError
		if errors.As(err, &pe) && (pe.Src.Line != 2 || pe.Src.Col < 1) {
			t.Errorf("%q: position %+v", tt.line, pe.Src)
		}
		if tt.partial != (m.Kind != model.KindUnknown) {
			t.Errorf("%q: partial %v, want %v", tt.line, m.Kind != model.KindUnknown, tt.partial)
		}
	}
}

func FuzzReader(f *testing.F) {
	readertest.Seeds(f, "../../testdata/iaslogs", reject)
	f.Fuzz(func(t *testing.T, in []byte) {
		readertest.CheckStream(t, in, dts.NewReader(bytes.NewReader(in), dts.Options{File: "fuzz", Location: time.UTC}).All())
	})
}

func BenchmarkRead(b *testing.B) {
	var data []byte
	for len(data) < 8<<20 {
		data = append(data, reject+"\r\n"...)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	var n int
	for b.Loop() {
		n = 0
		for _, err := range dts.NewReader(bytes.NewReader(data), dts.Options{Location: time.UTC}).All() {
			if err == nil {
				n++
			}
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
