package evtx_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/parse/winevent/evtx"
)

// crossCheckFiles lists the .evtx files the oracles are run on: the shared
// real samples (when the shared folder exists) and our own fixtures.
func crossCheckFiles(t *testing.T) []string {
	var files []string
	for _, dir := range []string{"../../../../shared/samples/evtx", "../../../testdata/events"} {
		m, _ := filepath.Glob(filepath.Join(dir, "*.evtx"))
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Skip("no .evtx files found")
	}
	return files
}

// oracleFails lists the samples neither python-evtx 0.6.1 nor libevtx
// 20181227 can read: records of forwarded events (WEC) whose elements
// carry no dependency identifier. We read them (see TestSamples).
var oracleFails = map[string]bool{"issue_201.evtx": true, "MSExchange_Management_wec.evtx": true}

// needTool finds an oracle; without it the test skips loudly, or fails
// when CI is set (.ci/run installs python3-evtx and libevtx-utils).
func needTool(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s not found (Debian package %s); CI must install it", name, pkg)
		}
		t.Skipf("SKIPPING CROSS-CHECK: %s not found; install the Debian package %s", name, pkg)
	}
	return p
}

type ours struct {
	clean   int // records decoded without any error
	records []evtx.Record
}

func readOurs(t *testing.T, path string) ours {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var o ours
	r := evtx.NewReader(bytes.NewReader(data), int64(len(data)), evtx.Options{File: path})
	for rec, err := range r.All() {
		if err != nil {
			if !model.IsParseError(err) {
				t.Fatalf("final error: %v", err)
			}
		}
		if rec.Root == nil {
			continue
		}
		if err == nil {
			o.clean++
		}
		o.records = append(o.records, rec)
	}
	return o
}

// TestCrossCheckEvtxexport compares the number of records with libevtx's
// evtxexport, for the files that tool reads.
func TestCrossCheckEvtxexport(t *testing.T) {
	tool := needTool(t, "evtxexport", "libevtx-utils")
	for _, path := range crossCheckFiles(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			out, _ := exec.CommandContext(ctx, tool, "-f", "xml", path).Output()
			n := bytes.Count(out, []byte("<Event xmlns"))
			if n == 0 {
				if oracleFails[filepath.Base(path)] {
					t.Logf("evtxexport reads no records from %s, as expected; count not compared", path)
					return
				}
				t.Fatalf("evtxexport read no records from %s", path)
			}
			o := readOurs(t, path)
			if o.clean != n {
				t.Errorf("records without errors: ours %d, evtxexport %d", o.clean, n)
			}
		})
	}
}

// TestCrossCheckPythonEvtx compares every record's event ID, time,
// channel, computer and EventData/UserData values with python-evtx's
// evtx_dump.py, for the files that tool reads. It is slow (python-evtx
// reads about 130 KB/s), so -short skips it; EVTX_DUMP_CACHE names a
// directory of dumps made earlier (FILE.evtx.xml) to use instead.
func TestCrossCheckPythonEvtx(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: python-evtx cross-check skipped")
	}
	tool := needTool(t, "evtx_dump.py", "python3-evtx")
	for _, path := range crossCheckFiles(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			var out []byte
			var err error
			if dir := os.Getenv("EVTX_DUMP_CACHE"); dir != "" {
				// Dumps made earlier with evtx_dump.py FILE > DIR/FILE.xml.
				out, err = os.ReadFile(filepath.Join(dir, filepath.Base(path)+".xml"))
			}
			if out == nil {
				// Run the script itself: its #! names the Debian python that
				// has the Evtx module, whatever python3 is first in PATH.
				out, err = exec.CommandContext(ctx, tool, path).Output()
			}
			theirs := parsePythonDump(out)
			if err != nil || len(theirs) == 0 {
				if oracleFails[filepath.Base(path)] {
					t.Logf("evtx_dump.py does not read %s (%v, %d records), as expected; values not compared", path, err, len(theirs))
					return
				}
				t.Fatalf("evtx_dump.py failed on %s (%v, %d records)", path, err, len(theirs))
			}
			o := readOurs(t, path)
			byID := map[uint64]evtx.Record{}
			for _, r := range o.records {
				byID[r.Event.RecordID] = r
			}
			compared := 0
			for _, th := range theirs {
				r, ok := byID[th.RecordID]
				if !ok {
					t.Errorf("record %d: python-evtx has it, we do not", th.RecordID)
					continue
				}
				compared++
				compareEvent(t, th, r.Event)
			}
			if compared == 0 {
				t.Fatal("nothing compared")
			}
			t.Logf("%d records compared", compared)
		})
	}
}

func parsePythonDump(out []byte) []evtx.Event {
	// python-evtx declares XML 1.1, which encoding/xml refuses.
	out = bytes.Replace(out, []byte(`<?xml version="1.1"`), []byte(`<?xml version="1.0"`), 1)
	d := xml.NewDecoder(bytes.NewReader(out))
	d.Strict = false
	var evs []evtx.Event
	for {
		tok, err := d.Token()
		if err != nil {
			if err != io.EOF {
				// A truncated dump (the tool crashed): keep what was read.
				return evs
			}
			return evs
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "Event" {
			el, err := evtx.DecodeElement(d, se)
			if err != nil {
				return evs
			}
			evs = append(evs, evtx.EventFromElement(el))
		}
	}
}

func compareEvent(t *testing.T, th, ev evtx.Event) {
	t.Helper()
	id := th.RecordID
	if th.EventID != ev.EventID {
		t.Errorf("record %d: EventID ours %d, python-evtx %d", id, ev.EventID, th.EventID)
	}
	if d := th.TimeCreated.Sub(ev.TimeCreated); d < -pyTimeSlack || d > pyTimeSlack {
		t.Errorf("record %d: TimeCreated ours %v, python-evtx %v", id, ev.TimeCreated, th.TimeCreated)
	}
	if th.Channel != ev.Channel || th.Computer != ev.Computer {
		t.Errorf("record %d: channel/computer ours %q/%q, python-evtx %q/%q", id, ev.Channel, ev.Computer, th.Channel, th.Computer)
	}
	compareFields(t, id, "EventData", th.Data, ev.Data)
	compareFields(t, id, "UserData", th.UserData, ev.UserData)
}

func compareFields(t *testing.T, id uint64, what string, th, ev []evtx.Field) {
	t.Helper()
	if len(th) != len(ev) {
		t.Errorf("record %d: %s has %d values, python-evtx %d:\nours   %v\ntheirs %v", id, what, len(ev), len(th), ev, th)
		return
	}
	for i := range th {
		if th[i].Name != ev[i].Name || !sameValue(ev[i].Value, th[i].Value) {
			t.Errorf("record %d: %s[%d] ours %s=%q, python-evtx %s=%q", id, what, i, ev[i].Name, ev[i].Value, th[i].Name, th[i].Value)
		}
	}
}

// pyTimeSlack allows for python-evtx's conversion of FILETIME through a
// float64, which loses up to a few microseconds.
const pyTimeSlack = 8 * time.Microsecond

var pyStringArray = regexp.MustCompile(`(?s)<string>(.*?)</string>`)

// sameValue compares a value as we render it (the Windows way) with the
// python-evtx rendering: case-insensitive (GUIDs, booleans), 0x-hex
// compared as numbers, binary as base64, times to the microsecond, string
// arrays as <string> lists.
func sameValue(ours, theirs string) bool {
	// XML parsers turn CR LF into LF; python-evtx's XML goes through one.
	ours = strings.ReplaceAll(ours, "\r\n", "\n")
	if ours == theirs || strings.EqualFold(ours, theirs) {
		return true
	}
	if strings.HasPrefix(ours, "0x") {
		a, err1 := strconv.ParseUint(ours[2:], 16, 64)
		b, err2 := strconv.ParseUint(strings.TrimPrefix(theirs, "0x"), 16, 64)
		if err1 == nil && err2 == nil && a == b {
			return true
		}
		if err1 == nil && err2 != nil {
			if c, err := strconv.ParseUint(theirs, 10, 64); err == nil && a == c {
				return true
			}
		}
	}
	if raw, err := hex.DecodeString(ours); err == nil && base64.StdEncoding.EncodeToString(raw) == theirs {
		return true
	}
	if a, ok := evtx.ParseTime(ours); ok {
		if b, ok := evtx.ParseTime(theirs); ok {
			d := a.Sub(b)
			return d > -pyTimeSlack && d < pyTimeSlack
		}
	}
	if m := pyStringArray.FindAllStringSubmatch(theirs, -1); m != nil {
		// python-evtx splits string arrays with an unanchored regular
		// expression that drops empty elements and repeats parts of others
		// (libevtx and Windows show the elements as they are), so only
		// check that each element it found is in ours.
		for _, x := range m {
			if !strings.Contains(ours, x[1]) {
				return false
			}
		}
		return true
	}
	return false
}
