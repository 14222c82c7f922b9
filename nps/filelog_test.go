package nps

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"layeh.com/radius"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/parse"
)

// TestLogsRoundTrip runs requests through the server with file logging in
// every format and reads the files back with radscope's own readers: the
// key fields must come back as the server logged them.
func TestLogsRoundTrip(t *testing.T) {
	dir := t.TempDir()
	sc := loadScenario(t, mfaScenario+"\nlogging: {formats: [ias, odbc, dts], folder: "+filepath.ToSlash(dir)+", events: true}\n")
	if err := sc.Set("server.time_zone", "UTC"); err != nil {
		t.Fatal(err)
	}
	fl, err := OpenLogs(sc, nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	s, _ := newServer(t, sc, Options{Logger: Loggers{fl, rec}, Clock: fakeClock()})
	for _, b := range [][]byte{
		newReq(testSecret).userName("throttled").pap("pw").nasIP("10.0.1.1").encode(t), // MFA reject, reason 21
		newReq(testSecret).userName("alice").pap("bad").nasIP("10.0.1.1").encode(t),    // reason 16
		newReq(testSecret).userName("newbie").mschapv2("newbie", "pw").str(attrNASIdentifier, "vpn1").encode(t),
		newReq(testSecret).userName("carol").pap("pw").nasIP("10.0.1.1").encode(t), // challenge
	} {
		if reply, _ := handle(t, s, b); reply == nil {
			t.Fatal("no reply")
		}
	}
	acct := radius.New(radius.CodeAccountingRequest, []byte(testSecret))
	acct.Attributes.Add(attrUserName, []byte("alice"))
	acct.Attributes.Add(attrAcctStatusType, u32(1))
	acct.Attributes.Add(attrAcctSessionID, []byte("S-1"))
	ab, _ := acct.Encode()
	handle(t, s, ab)
	if err := fl.Close(); err != nil {
		t.Fatal(err)
	}
	key := func(m model.Message) string {
		return fmt.Sprintf("%v|user=%s|reason=%d|class=%s|policy=%s|crp=%s|client=%s|session=%s", m.Code, m.User, m.Reason, m.Class, m.Policy, m.ProxyPolicy, m.ClientName, m.AcctSessionID)
	}
	var want []string
	for _, m := range rec.records {
		want = append(want, key(m))
		n := 0
		for _, a := range m.Attrs {
			if a.Vendor == 0 && a.Type == attrClass {
				n++
			}
		}
		if n > 1 {
			t.Errorf("%v record carries %d Class attributes", m.Code, n)
		}
	}
	if len(want) != 9 {
		t.Fatalf("%d records logged, want 9", len(want))
	}
	for _, f := range []string{"ias", "odbc", "dts"} {
		t.Run(f, func(t *testing.T) {
			st := parse.Open(context.Background(), []string{filepath.Join(dir, f)}, parse.Options{Location: time.UTC, Strict: true})
			var got []string
			for m, err := range st.All() {
				if err != nil {
					t.Fatal(err)
				}
				if m.Src.Format != model.Format(f) {
					t.Errorf("read as %s", m.Src.Format)
				}
				got = append(got, key(m))
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("read back:\n%s\nlogged:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
	t.Run("events", func(t *testing.T) {
		st := parse.Open(context.Background(), []string{filepath.Join(dir, "events.xml")}, parse.Options{Location: time.UTC, Strict: true})
		var ids []string
		for m, err := range st.All() {
			if err != nil {
				t.Fatal(err)
			}
			id := fmt.Sprint(m.Event.ID)
			if m.Event.ID == 6273 {
				id += fmt.Sprintf("/%d", m.Reason)
			}
			if m.MFA != nil && m.MFA.CID != "" {
				id += "/cid"
			}
			ids = append(ids, id)
		}
		var wantIDs []string
		for _, m := range rec.events {
			if m.Event.Channel == "System" {
				continue
			}
			id := fmt.Sprint(m.Event.ID)
			if m.Event.ID == 6273 {
				id += fmt.Sprintf("/%d", m.Reason)
			}
			if m.MFA != nil && m.MFA.CID != "" {
				id += "/cid"
			}
			wantIDs = append(wantIDs, id)
		}
		if strings.Join(ids, " ") != strings.Join(wantIDs, " ") {
			t.Errorf("events read back %v, logged %v", ids, wantIDs)
		}
	})
}
