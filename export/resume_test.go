package export

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/radscope/radscope/export/ch"
	"github.com/radscope/radscope/export/chtest"
	"github.com/radscope/radscope/model"
)

// copies returns n copies of flows, each as if read from other files (so
// their ids differ).
func copies(flows []model.Flow, n int) []model.Flow {
	var out []model.Flow
	for c := range n {
		for _, f := range flows {
			g := f
			g.Messages = append([]model.Message(nil), f.Messages...)
			for i := range g.Messages {
				g.Messages[i].Src.File = fmt.Sprintf("copy%03d/%s", c, g.Messages[i].Src.File)
			}
			out = append(out, g)
		}
	}
	return out
}

func countRows(t *testing.T, c *ch.Client, table, final string) int64 {
	t.Helper()
	var n int64
	err := c.Query(context.Background(), "SELECT count() AS n, uniqExact(id) AS u FROM "+table+" "+final+" FORMAT JSONEachRow", func(line []byte) error {
		var r struct{ N, U num }
		if err := json.Unmarshal(line, &r); err != nil {
			return err
		}
		if r.N != r.U && final != "" {
			t.Errorf("%s %s: %d rows but %d ids", table, final, r.N, r.U)
		}
		n = int64(r.N)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// checkExact checks that the tables hold exactly the rows of flows, once
// each, also after ClickHouse has merged the parts.
func checkExact(t *testing.T, c *ch.Client, flows []model.Flow) {
	t.Helper()
	var msgs int64
	for i := range flows {
		msgs += int64(len(flows[i].Messages))
	}
	m, f, err := Counts(context.Background(), c, Tables{})
	if err != nil {
		t.Fatal(err)
	}
	if m != msgs || f != int64(len(flows)) {
		t.Errorf("FINAL: %d messages and %d flows, want %d and %d", m, f, msgs, len(flows))
	}
	// ReplacingMergeTree removes duplicates when it merges parts, and
	// OPTIMIZE ... FINAL may return without merging while the server is
	// busy (18.16 reports no error for that): ask again, a bounded number of
	// times, before counting raw rows. The FINAL counts above are what
	// queries see and are checked strictly.
	for try := 0; try < 20; try++ {
		for _, tb := range []string{DefaultTables.Messages, DefaultTables.Flows} {
			if err := c.Exec(context.Background(), "OPTIMIZE TABLE "+tb+" FINAL"); err != nil {
				t.Fatal(err)
			}
		}
		if countRows(t, c, DefaultTables.Messages, "") == msgs && countRows(t, c, DefaultTables.Flows, "") == int64(len(flows)) {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	if n := countRows(t, c, DefaultTables.Messages, ""); n != msgs {
		t.Errorf("after OPTIMIZE: %d message rows, want %d", n, msgs)
	}
	if n := countRows(t, c, DefaultTables.Flows, ""); n != int64(len(flows)) {
		t.Errorf("after OPTIMIZE: %d flow rows, want %d", n, len(flows))
	}
	countRows(t, c, DefaultTables.Messages, "FINAL")
}

func TestReexportNoDuplicates(t *testing.T) {
	s := chtest.Start(t)
	c := client(t, s, "again")
	flows, _ := buildFlows(t, fixtures[0])
	for range 3 {
		exportFlows(t, c, flows, Options{BatchRows: 50})
	}
	checkExact(t, c, flows)
}

func TestKilledServerThenRerun(t *testing.T) {
	s := chtest.Start(t)
	c := client(t, s, "killed")
	base, _ := buildFlows(t, fixtures[1])
	flows := copies(base, 150)

	var once sync.Once
	committed := make(chan struct{})
	e, err := NewClickHouse(context.Background(), c, Options{BatchRows: 2000, Retries: 2, Backoff: 50 * time.Millisecond, Progress: func(Progress) {
		once.Do(func() { close(committed) })
	}})
	if err != nil {
		t.Fatal(err)
	}
	killed := make(chan struct{})
	go func() {
		<-committed
		s.Kill()
		close(killed)
	}()
	var addErr error
	for i := range flows {
		if addErr = e.Add(&flows[i]); addErr != nil {
			break
		}
	}
	p, closeErr := e.Close()
	<-killed
	err = addErr
	if err == nil {
		err = closeErr
	}
	if err == nil {
		t.Fatalf("export went through a killed server (%d rows committed)", p.Rows())
	}
	if !strings.HasPrefix(err.Error(), "export: inserting ") || !strings.Contains(err.Error(), "127.0.0.1") {
		t.Errorf("unclear error: %v", err)
	}
	t.Logf("killed after %d rows: %v", p.Rows(), err)

	s.Restart(t)
	c = ch.New(c.Config())
	exportFlows(t, c, flows, Options{BatchRows: 2000})
	checkExact(t, c, flows)
}
