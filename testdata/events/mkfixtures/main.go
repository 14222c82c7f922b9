// Command mkfixtures writes the Windows event fixtures in testdata/events:
// the same invented events (an MFA day on NPS01 that matches
// testdata/iaslogs/mfa-day, plus every other event radscope maps) in each
// export format. Run it from the repository root:
//
//	go run ./testdata/events/mkfixtures
//
// It writes the same bytes every time.
package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf16"
)

func main() {
	dir := "testdata/events"
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	evs := append(mfaDay(), others()...)
	byTime(evs)
	next := map[string]uint64{"Security": 4412000, "System": 88100}
	for i := range evs {
		if next[evs[i].channel] == 0 {
			next[evs[i].channel] = 1
		}
		evs[i].record = next[evs[i].channel]
		next[evs[i].channel]++
	}
	pick := func(keep func(*event) bool) []event {
		var out []event
		for i := range evs {
			if keep(&evs[i]) {
				out = append(out, evs[i])
			}
		}
		return out
	}
	channel := func(c string) []event { return pick(func(e *event) bool { return e.channel == c }) }
	sec := channel("Security")
	files := map[string][]byte{
		"NPS01_Security.evtx":      evtxFile(sec),
		"NPS01_System.evtx":        evtxFile(channel("System")),
		"NPS01_AuthZOptCh.evtx":    evtxFile(channel("Microsoft-AzureMfa-AuthZ/AuthZOptCh")),
		"NPS01_AuthZAdminCh.evtx":  evtxFile(channel("Microsoft-AzureMfa-AuthZ/AuthZAdminCh")),
		"NPS01_AuthNOptCh.evtx":    evtxFile(channel("Microsoft-AzureMfa-AuthN/AuthNOptCh")),
		"RDGW_Gateway.evtx":        evtxFile(channel("Microsoft-Windows-TerminalServices-Gateway/Operational")),
		"wevtutil-security.xml":    wevtutilXML(sec),
		"saved-all.xml":            savedXML(evs),
		"viewer-security.csv":      viewerCSV(sec),
		"viewer-security-tab.txt":  viewerTab(sec),
		"ps-all.csv":               psCSV(evs),
		"ps-all.json":              psJSON(evs),
		"winlogbeat.ndjson":        ndjson(evs),
		"wevtutil-security.txt":    wevtutilText(sec),
		"formatlist-all.txt":       formatList(evs),
		"formatlist-utf16le.txt":   utf16le(formatList(pick(func(e *event) bool { return e.id == 6273 }))),
		"viewer-details.txt":       viewerDetails(details(evs), true),
		"viewer-details-noxml.txt": viewerDetails(details(evs), false),
		"bad.xml":                  badXML(sec),
		"bad.ndjson":               badNDJSON(evs),
		"bad.csv":                  badCSV(sec),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}

// details are the events copied from Event Viewer: the reason-21 reject,
// its AuthZ event, and the NPS 4402.
func details(evs []event) []event {
	var out []event
	for i := range evs {
		e := &evs[i]
		if (e.id == 6273 && strings.Contains(e.message, "Reason Code:\t\t\t21") && strings.Contains(e.message, "alice")) ||
			(e.id == 1 && strings.Contains(e.message, "OathCodeIncorrect")) || e.id == 4402 {
			out = append(out, *e)
		}
	}
	return out
}

// wevtutilXML writes wevtutil qe /f:xml: events back to back, no root, no
// line breaks between them.
func wevtutilXML(evs []event) []byte {
	var b strings.Builder
	for i := range evs {
		b.WriteString(xmlEvent(&evs[i], false, false))
	}
	b.WriteString("\r\n")
	return []byte(b.String())
}

// savedXML writes Event Viewer's "Save as XML" with RenderingInfo.
func savedXML(evs []event) []byte {
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\" encoding=\"utf-8\" standalone=\"yes\"?>\r\n<Events>")
	for i := range evs {
		b.WriteString(xmlEvent(&evs[i], true, false))
		b.WriteString("\r\n")
	}
	b.WriteString("</Events>\r\n")
	return []byte(b.String())
}

func utf16le(b []byte) []byte {
	out := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune(string(b))) {
		out = append(out, byte(u), byte(u>>8))
	}
	return out
}

// badXML: a good event, one with a mismatched end tag, a good event, and
// one cut off at the end of the file.
func badXML(sec []event) []byte {
	var b bytes.Buffer
	b.WriteString(xmlEvent(&sec[0], false, false) + "\r\n")
	broken := xmlEvent(&sec[1], false, false)
	broken = strings.Replace(broken, "</Computer>", "</Computr>", 1)
	b.WriteString(broken + "\r\n")
	b.WriteString(xmlEvent(&sec[2], false, false) + "\r\n")
	cut := xmlEvent(&sec[3], false, false)
	b.WriteString(cut[:len(cut)/2])
	return b.Bytes()
}

// badNDJSON: good lines around a line that is not JSON and one without
// winlog fields.
func badNDJSON(evs []event) []byte {
	lines := strings.SplitAfter(string(ndjson(evs[:3])), "\n")
	return []byte(lines[0] + "{\"@timestamp\": \"2024-03-05T07:00:00Z\", \"winlog\": {\n" + lines[1] + "{\"hello\":\"world\"}\n" + lines[2])
}

// badCSV: an Event Viewer CSV with a bad event ID and a bad time between
// two good rows.
func badCSV(sec []event) []byte {
	head := "Level,Date and Time,Source,Event ID,Task Category\r\n"
	first := strings.TrimPrefix(string(viewerCSV(sec[:1])), head)
	second := strings.TrimPrefix(string(viewerCSV(sec[1:2])), head)
	return []byte(head + first +
		"Information,3/5/2024 9:00:00 AM,Microsoft-Windows-Security-Auditing,62x2,Network Policy Server,\"text\"\r\n" +
		"Information,yesterday,Microsoft-Windows-Security-Auditing,6272,Network Policy Server,\"text\"\r\n" + second)
}

// viewerTab writes Event Viewer's "Text (Tab delimited)": the CSV layout
// with tabs.
func viewerTab(evs []event) []byte {
	var b strings.Builder
	b.WriteString("Level\tDate and Time\tSource\tEvent ID\tTask Category\r\n")
	for i := range evs {
		e := &evs[i]
		fmt.Fprintf(&b, "%s\t%s\t%s\t%d\t%s\t%s\r\n", e.levelName(), usTime(e.t), e.provider, e.id, e.taskName(), csvQuote(crlf(e.message)))
	}
	return []byte(b.String())
}
