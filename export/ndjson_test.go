package export

import (
	"bufio"
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/radscope/radscope/internal/golden"
)

func TestNDJSON(t *testing.T) {
	cases := []struct {
		name        string
		paths       []string
		showSecrets bool
		golden      bool
	}{
		{"incident", fixtures[0], false, true},
		{"pcaps", fixtures[4], false, false},
		{"pcaps-secrets", fixtures[4], true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			flows, _ := buildFlows(t, c.paths)
			var buf bytes.Buffer
			n := NewNDJSON(&buf, c.showSecrets)
			msgs := 0
			for i := range flows {
				msgs += len(flows[i].Messages)
				if err := n.Add(&flows[i]); err != nil {
					t.Fatal(err)
				}
			}
			p, err := n.Close()
			if err != nil {
				t.Fatal(err)
			}
			if p.Messages != int64(msgs) || p.Flows != int64(len(flows)) || p.Bytes != int64(buf.Len()) {
				t.Errorf("progress %+v, want %d messages, %d flows, %d bytes", p, msgs, len(flows), buf.Len())
			}
			// Every line is one valid UTF-8 JSON object with the ECS basics.
			sc := bufio.NewScanner(bytes.NewReader(buf.Bytes()))
			sc.Buffer(nil, 1<<20)
			lines, flowLines := 0, 0
			for sc.Scan() {
				lines++
				if !utf8.Valid(sc.Bytes()) {
					t.Fatalf("line %d is not UTF-8", lines)
				}
				var rec map[string]any
				if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
					t.Fatalf("line %d: %v", lines, err)
				}
				for _, k := range []string{"event.id", "event.dataset", "radscope.flow_id"} {
					if _, ok := rec[k]; !ok {
						t.Fatalf("line %d lacks %s", lines, k)
					}
				}
				if rec["event.dataset"] == "radscope.flow" {
					flowLines++
				}
			}
			if lines != msgs+len(flows) || flowLines != len(flows) {
				t.Errorf("%d lines (%d flows), want %d (%d)", lines, flowLines, msgs+len(flows), len(flows))
			}
			sensitive := 0
			for i := range flows {
				for j := range flows[i].Messages {
					for _, a := range flows[i].Messages[j].Attrs {
						if a.Sensitive {
							sensitive++
						}
					}
				}
			}
			if got := strings.Count(buf.String(), `"value":"<redacted>"`); c.showSecrets && got != 0 || !c.showSecrets && got != sensitive {
				t.Errorf("%d redacted values, want %d (show secrets %v)", got, sensitive, c.showSecrets)
			}
			if c.golden {
				golden.Check(t, filepath.Join("testdata", "ndjson-"+c.name+".golden"), buf.Bytes())
			}
		})
	}
}
