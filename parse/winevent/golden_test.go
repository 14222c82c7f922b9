package winevent_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/radscope/radscope/internal/golden"
	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/parse/winevent"
)

// goldenLine renders a message deterministically: UTC times, attributes in
// source order, the source position as file:line:col or record.
func goldenLine(m model.Message) string {
	type ev struct {
		ID       int
		Provider string
		Channel  string
		Record   uint64
		Level    string
		Message  string
	}
	out := struct {
		Time           string
		Code           string `json:",omitempty"`
		User           string `json:",omitempty"`
		Reason         int
		Computer       string     `json:",omitempty"`
		Service        string     `json:",omitempty"`
		NASAddr        string     `json:",omitempty"`
		NASID          string     `json:",omitempty"`
		ClientAddr     string     `json:",omitempty"`
		ClientName     string     `json:",omitempty"`
		CallingStation string     `json:",omitempty"`
		CalledStation  string     `json:",omitempty"`
		Policy         string     `json:",omitempty"`
		ProxyPolicy    string     `json:",omitempty"`
		AcctSessionID  string     `json:",omitempty"`
		AuthType       int        `json:",omitempty"`
		Marks          string     `json:",omitempty"`
		Event          ev         `json:"Event"`
		MFA            *model.MFA `json:",omitempty"`
		Attrs          []string
		Src            string
	}{
		Time: m.Time.UTC().Format(time.RFC3339Nano), Code: m.Code.String(), User: m.User, Reason: m.Reason,
		Computer: m.Computer, Service: m.Service, ClientName: m.ClientName, NASID: m.NASID,
		CallingStation: m.CallingStation, CalledStation: m.CalledStation, Policy: m.Policy, ProxyPolicy: m.ProxyPolicy,
		AcctSessionID: m.AcctSessionID, AuthType: m.AuthType, Marks: m.Marks.String(), MFA: m.MFA, Src: m.Src.String(),
		Event: ev{m.Event.ID, m.Event.Provider, m.Event.Channel, m.Event.RecordID, m.Event.Level, m.Event.Message},
	}
	if m.NASAddr.IsValid() {
		out.NASAddr = m.NASAddr.String()
	}
	if m.ClientAddr.IsValid() {
		out.ClientAddr = m.ClientAddr.String()
	}
	for _, a := range m.Attrs {
		out.Attrs = append(out.Attrs, a.Name+"="+a.Value)
	}
	b, err := json.Marshal(out)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func TestGolden(t *testing.T) {
	for _, name := range []string{"NPS01_Security.evtx", "NPS01_System.evtx", "NPS01_AuthZOptCh.evtx", "NPS01_AuthZAdminCh.evtx",
		"NPS01_AuthNOptCh.evtx", "RDGW_Gateway.evtx", "viewer-details.txt", "formatlist-utf16le.txt", "bad.xml", "bad.csv", "bad.ndjson"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(fixtures, name))
			if err != nil {
				t.Fatal(err)
			}
			f, _ := winevent.Sniff(data)
			r, err := winevent.NewReader(f, bytes.NewReader(data), winevent.Options{File: name, Location: cet, Size: int64(len(data))})
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for m, err := range r.All() {
				if err != nil {
					fmt.Fprintf(&b, "error: %v\n", err)
					if m.Event == nil {
						continue
					}
				}
				b.WriteString(goldenLine(m) + "\n")
			}
			golden.Check(t, filepath.Join("testdata", "TestGolden", name+".golden"), []byte(b.String()))
		})
	}
}
