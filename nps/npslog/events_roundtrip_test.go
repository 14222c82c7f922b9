package npslog_test

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/parse/winevent"
)

// TestEventRoundTrip reads the events back with parse/winevent.
func TestEventRoundTrip(t *testing.T) {
	in := events()
	r, err := winevent.NewReader(model.FormatXML, bytes.NewReader(writeEvents(t, in)), winevent.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var out []model.Message
	for {
		m, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	if len(out) != len(in) {
		t.Fatalf("%d events read, %d written", len(out), len(in))
	}
	for i := range in {
		w, g := in[i], out[i]
		if g.Event == nil || g.Event.ID != max(w.Event.ID, 1) || !g.Time.Equal(w.Time) || g.Computer != w.Computer {
			t.Errorf("event %d: read %+v at %v on %q", i, g.Event, g.Time, g.Computer)
			continue
		}
		if w.MFA == nil {
			if g.Reason != max(w.Reason, 0) || g.ClientName != w.ClientName || g.ProxyPolicy != w.ProxyPolicy ||
				g.Policy != w.Policy || g.NASAddr != w.NASAddr || g.CallingStation != w.CallingStation {
				t.Errorf("event %d: read %+v", i, g)
			}
			if !strings.HasSuffix(g.User, "alice") {
				t.Errorf("event %d: user %q", i, g.User)
			}
			continue
		}
		if g.MFA == nil || g.MFA.Outcome != w.MFA.Outcome || g.MFA.CID != w.MFA.CID || g.MFA.State != w.MFA.State ||
			g.MFA.Error != w.MFA.Error || (w.MFA.Result != "" && g.MFA.Result != w.MFA.Result) {
			t.Errorf("event %d: MFA %+v, want %+v", i, g.MFA, w.MFA)
		}
	}
}
