package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/radscope/radscope/parse/winevent/evtx"
	"github.com/radscope/radscope/parse/winevent/evtx/evtxtest"
)

func esc(s string) string {
	var b bytes.Buffer
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '\'':
			b.WriteString("&apos;")
		case '"':
			b.WriteString("&quot;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func opcodeName(e *event) string {
	if e.opcode == 0 {
		return "Info"
	}
	return strconv.Itoa(e.opcode)
}

// xmlEvent renders an event the way wevtutil qe /f:xml does (one line,
// single quotes); pretty indents it like Event Viewer's "Event Xml".
func xmlEvent(e *event, rendering, pretty bool) string {
	var b strings.Builder
	nl, in1, in2, in3 := "", "", "", ""
	q := "'"
	if pretty {
		nl, in1, in2, in3 = "\r\n", "  ", "    ", "      "
		q = `"`
	}
	attr := func(name, v string) string { return " " + name + "=" + q + esc(v) + q }
	b.WriteString("<Event" + attr("xmlns", "http://schemas.microsoft.com/win/2004/08/events/event") + ">" + nl)
	b.WriteString(in1 + "<System>" + nl)
	p := "<Provider" + attr("Name", e.provider)
	if e.guid != "" {
		p += attr("Guid", e.guid)
	}
	if e.provider == "NPS" {
		p = "<Provider" + attr("Name", "NPS")
	}
	b.WriteString(in2 + p + " />" + nl)
	if e.qualifier != 0 {
		fmt.Fprintf(&b, "%s<EventID%s>%d</EventID>%s", in2, attr("Qualifiers", strconv.Itoa(e.qualifier)), e.id, nl)
	} else {
		fmt.Fprintf(&b, "%s<EventID>%d</EventID>%s", in2, e.id, nl)
	}
	if e.provider != "NPS" {
		fmt.Fprintf(&b, "%s<Version>%d</Version>%s", in2, e.version, nl)
	}
	fmt.Fprintf(&b, "%s<Level>%d</Level>%s%s<Task>%d</Task>%s", in2, e.level, nl, in2, e.task, nl)
	if e.provider != "NPS" {
		fmt.Fprintf(&b, "%s<Opcode>%d</Opcode>%s", in2, e.opcode, nl)
	}
	fmt.Fprintf(&b, "%s<Keywords>0x%x</Keywords>%s", in2, e.keywords, nl)
	fmt.Fprintf(&b, "%s<TimeCreated%s />%s", in2, attr("SystemTime", evtx.FormatTime(e.t)), nl)
	fmt.Fprintf(&b, "%s<EventRecordID>%d</EventRecordID>%s", in2, e.record, nl)
	if e.provider != "NPS" {
		fmt.Fprintf(&b, "%s<Correlation />%s%s<Execution%s%s />%s", in2, nl, in2, attr("ProcessID", strconv.Itoa(e.pid)), attr("ThreadID", strconv.Itoa(e.tid)), nl)
	}
	fmt.Fprintf(&b, "%s<Channel>%s</Channel>%s%s<Computer>%s</Computer>%s%s<Security />%s", in2, esc(e.channel), nl, in2, esc(e.computer), nl, in2, nl)
	b.WriteString(in1 + "</System>" + nl)
	switch {
	case len(e.userData) > 0:
		b.WriteString(in1 + "<UserData>" + nl + in2 + "<EventInfo" + attr("xmlns", "aag") + ">" + nl)
		for _, f := range e.userData {
			fmt.Fprintf(&b, "%s<%s>%s</%s>%s", in3, f.name, esc(f.value), f.name, nl)
		}
		b.WriteString(in2 + "</EventInfo>" + nl + in1 + "</UserData>" + nl)
	default:
		b.WriteString(in1 + "<EventData>" + nl)
		for _, f := range e.data {
			fmt.Fprintf(&b, "%s<Data%s>%s</Data>%s", in2, attr("Name", f.name), esc(f.value), nl)
		}
		for _, v := range e.unnamed {
			fmt.Fprintf(&b, "%s<Data>%s</Data>%s", in2, esc(v), nl)
		}
		b.WriteString(in1 + "</EventData>" + nl)
	}
	if rendering {
		b.WriteString(in1 + "<RenderingInfo" + attr("Culture", "en-US") + ">" + nl)
		fmt.Fprintf(&b, "%s<Message>%s</Message>%s", in2, esc(e.message), nl)
		fmt.Fprintf(&b, "%s<Level>%s</Level>%s%s<Task>%s</Task>%s%s<Opcode>%s</Opcode>%s", in2, e.levelName(), nl, in2, e.taskName(), nl, in2, opcodeName(e), nl)
		fmt.Fprintf(&b, "%s<Channel>%s</Channel>%s%s<Provider>%s</Provider>%s", in2, esc(e.channel), nl, in2, esc(e.provider), nl)
		if k := e.keywordName(); k != "" {
			fmt.Fprintf(&b, "%s<Keywords>%s<Keyword>%s</Keyword>%s</Keywords>%s", in2, nl, k, nl, nl)
		}
		b.WriteString(in1 + "</RenderingInfo>" + nl)
	}
	b.WriteString("</Event>")
	return b.String()
}

func evtxFile(evs []event) []byte {
	w := evtxtest.New()
	for i := range evs {
		e := &evs[i]
		we := evtxtest.Event{Provider: e.provider, EventID: uint16(e.id), Qualifiers: uint16(e.qualifier),
			Version: uint8(e.version), Level: uint8(e.level), Task: uint16(e.task), Opcode: uint8(e.opcode),
			Keywords: e.keywords, Time: e.t, RecordID: e.record, ProcessID: uint32(e.pid), ThreadID: uint32(e.tid),
			Channel: e.channel, Computer: e.computer}
		if e.guid != "" {
			we.ProviderGUID = evtxtest.GUID(e.guid)
		}
		for _, f := range e.data {
			var v any = f.value
			if strings.HasSuffix(f.name, "Sid") || strings.HasSuffix(f.name, "SID") {
				v = evtxtest.SID(f.value)
			}
			we.Data = append(we.Data, evtxtest.Data{Name: f.name, Value: v})
		}
		for _, s := range e.unnamed {
			we.Data = append(we.Data, evtxtest.Data{Value: s})
		}
		if len(e.userData) > 0 {
			root := &evtxtest.Element{Name: "EventInfo", Attrs: [][2]string{{"xmlns", "aag"}}}
			for _, f := range e.userData {
				root.Children = append(root.Children, &evtxtest.Element{Name: f.name, Text: f.value})
			}
			we.UserData = root
		}
		if err := w.Add(we); err != nil {
			panic(err)
		}
	}
	return w.Bytes()
}

// usTime is how en-US Windows prints a local time (Event Viewer,
// PowerShell).
func usTime(t time.Time) string { return t.In(cet).Format("1/2/2006 3:04:05 PM") }

func crlf(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
}

func csvQuote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func viewerCSV(evs []event) []byte {
	var b strings.Builder
	b.WriteString("Level,Date and Time,Source,Event ID,Task Category\r\n")
	for i := range evs {
		e := &evs[i]
		fmt.Fprintf(&b, "%s,%s,%s,%d,%s,%s\r\n", e.levelName(), usTime(e.t), e.provider, e.id, e.taskName(), csvQuote(crlf(e.message)))
	}
	return []byte(b.String())
}

var psColumns = []string{"Message", "Id", "Version", "Qualifiers", "Level", "Task", "Opcode", "Keywords", "RecordId",
	"ProviderName", "ProviderId", "LogName", "ProcessId", "ThreadId", "MachineName", "UserId", "TimeCreated",
	"ActivityId", "RelatedActivityId", "ContainerLog", "MatchedQueryIds", "Bookmark", "LevelDisplayName",
	"OpcodeDisplayName", "TaskDisplayName", "KeywordsDisplayNames", "Properties"}

func psValues(e *event) map[string]string {
	q := ""
	if e.qualifier != 0 {
		q = strconv.Itoa(e.qualifier)
	}
	return map[string]string{"Message": e.message, "Id": strconv.Itoa(e.id), "Version": strconv.Itoa(e.version),
		"Qualifiers": q, "Level": strconv.Itoa(e.level), "Task": strconv.Itoa(e.task), "Opcode": strconv.Itoa(e.opcode),
		"Keywords": strconv.FormatInt(int64(e.keywords), 10), "RecordId": strconv.FormatUint(e.record, 10),
		"ProviderName": e.provider, "ProviderId": strings.Trim(strings.ToLower(e.guid), "{}"), "LogName": e.channel,
		"ProcessId": strconv.Itoa(e.pid), "ThreadId": strconv.Itoa(e.tid), "MachineName": e.computer,
		"TimeCreated": usTime(e.t), "ContainerLog": e.channel,
		"MatchedQueryIds": "System.UInt32[]", "Bookmark": "System.Diagnostics.Eventing.Reader.EventBookmark",
		"LevelDisplayName": e.levelName(), "OpcodeDisplayName": opcodeName(e), "TaskDisplayName": e.taskName(),
		"KeywordsDisplayNames": "System.Collections.ObjectModel.ReadOnlyCollection`1[System.String]",
		"Properties":           "System.Collections.Generic.List`1[System.Diagnostics.Eventing.Reader.EventProperty]"}
}

func psCSV(evs []event) []byte {
	var b strings.Builder
	b.WriteString("#TYPE System.Diagnostics.Eventing.Reader.EventLogRecord\r\n")
	for i, c := range psColumns {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(csvQuote(c))
	}
	b.WriteString("\r\n")
	for i := range evs {
		v := psValues(&evs[i])
		for j, c := range psColumns {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(csvQuote(crlf(v[c])))
		}
		b.WriteString("\r\n")
	}
	return []byte(b.String())
}

// psJSON renders Get-WinEvent | ConvertTo-Json as Windows PowerShell 5.1
// writes it: 4-space indents, "\/Date(ms)\/", Properties as {"Value": …}.
func psJSON(evs []event) []byte {
	type prop struct {
		Value string `json:"Value"`
	}
	type rec struct {
		Message              string   `json:"Message"`
		Id                   int      `json:"Id"`
		Version              int      `json:"Version"`
		Qualifiers           *int     `json:"Qualifiers"`
		Level                int      `json:"Level"`
		Task                 int      `json:"Task"`
		Opcode               int      `json:"Opcode"`
		Keywords             int64    `json:"Keywords"`
		RecordId             uint64   `json:"RecordId"`
		ProviderName         string   `json:"ProviderName"`
		ProviderId           string   `json:"ProviderId"`
		LogName              string   `json:"LogName"`
		ProcessId            int      `json:"ProcessId"`
		ThreadId             int      `json:"ThreadId"`
		MachineName          string   `json:"MachineName"`
		UserId               *string  `json:"UserId"`
		TimeCreated          string   `json:"TimeCreated"`
		LevelDisplayName     string   `json:"LevelDisplayName"`
		TaskDisplayName      string   `json:"TaskDisplayName"`
		KeywordsDisplayNames []string `json:"KeywordsDisplayNames"`
		Properties           []prop   `json:"Properties"`
	}
	var out []rec
	for i := range evs {
		e := &evs[i]
		r := rec{Message: crlf(e.message), Id: e.id, Version: e.version, Level: e.level, Task: e.task, Opcode: e.opcode,
			Keywords: int64(e.keywords), RecordId: e.record, ProviderName: e.provider,
			ProviderId: strings.Trim(strings.ToLower(e.guid), "{}"), LogName: e.channel, ProcessId: e.pid, ThreadId: e.tid,
			MachineName: e.computer, TimeCreated: fmt.Sprintf("/Date(%d)/", e.t.UnixMilli()),
			LevelDisplayName: e.levelName(), TaskDisplayName: e.taskName(), KeywordsDisplayNames: []string{}}
		if e.qualifier != 0 {
			q := e.qualifier
			r.Qualifiers = &q
		}
		if k := e.keywordName(); k != "" {
			r.KeywordsDisplayNames = []string{k}
		}
		for _, f := range e.data {
			r.Properties = append(r.Properties, prop{f.value})
		}
		for _, v := range e.unnamed {
			r.Properties = append(r.Properties, prop{v})
		}
		for _, f := range e.userData {
			r.Properties = append(r.Properties, prop{f.value})
		}
		out = append(out, r)
	}
	b, err := json.MarshalIndent(out, "", "    ")
	if err != nil {
		panic(err)
	}
	b = bytes.ReplaceAll(b, []byte(`"/Date(`), []byte(`"\/Date(`))
	b = bytes.ReplaceAll(b, []byte(`)/"`), []byte(`)\/"`))
	return []byte(crlf(string(b)) + "\r\n")
}

// ndjson renders Winlogbeat 8 documents (ECS), one per line.
func ndjson(evs []event) []byte {
	var b bytes.Buffer
	for i := range evs {
		e := &evs[i]
		ed := map[string]string{}
		var keys []string
		for _, f := range e.data {
			ed[f.name] = f.value
			keys = append(keys, f.name)
		}
		for j, v := range e.unnamed {
			k := "param" + strconv.Itoa(j+1)
			ed[k] = v
			keys = append(keys, k)
		}
		var data bytes.Buffer
		data.WriteByte('{')
		for j, k := range keys {
			if j > 0 {
				data.WriteByte(',')
			}
			kb, _ := json.Marshal(k)
			vb, _ := json.Marshal(ed[k])
			data.Write(kb)
			data.WriteByte(':')
			data.Write(vb)
		}
		data.WriteByte('}')
		winlog := fmt.Sprintf(`{"channel":%s,"computer_name":%s,"event_id":"%d","provider_name":%s,"provider_guid":%s,"record_id":"%d","version":%d,"task":%s,"opcode":%s,"process":{"pid":%d,"thread":{"id":%d}}`,
			js(e.channel), js(e.computer), e.id, js(e.provider), js(e.guid), e.record, e.version, js(e.taskName()), js(opcodeName(e)), e.pid, e.tid)
		if len(e.userData) > 0 {
			var ud bytes.Buffer
			ud.WriteString(`{"xml_name":"EventInfo"`)
			for _, f := range e.userData {
				fmt.Fprintf(&ud, ",%s:%s", js(f.name), js(f.value))
			}
			ud.WriteByte('}')
			winlog += `,"user_data":` + ud.String()
		} else {
			winlog += `,"event_data":` + data.String()
		}
		winlog += "}"
		fmt.Fprintf(&b, `{"@timestamp":%s,"message":%s,"event":{"code":"%d","kind":"event","provider":%s},"log":{"level":%s},"host":{"name":"nps01"},"winlog":%s}`+"\n",
			js(e.t.Format("2006-01-02T15:04:05.000Z07:00")), js(crlf(e.message)), e.id, js(e.provider), js(strings.ToLower(e.levelName())), winlog)
	}
	return b.Bytes()
}

func js(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// wevtutilText renders wevtutil qe /f:text.
func wevtutilText(evs []event) []byte {
	var b strings.Builder
	for i := range evs {
		e := &evs[i]
		fmt.Fprintf(&b, "Event[%d]:\r\n  Log Name: %s\r\n  Source: %s\r\n  Date: %s\r\n  Event ID: %d\r\n  Task: %s\r\n  Level: %s\r\n  Opcode: %s\r\n  Keyword: %s\r\n  User: N/A\r\n  User Name: N/A\r\n  Computer: %s\r\n  Description: \r\n%s\r\n\r\n",
			i, e.channel, e.provider, e.t.In(cet).Format("2006-01-02T15:04:05.000"), e.id, e.taskName(), e.levelName(), opcodeName(e), e.keywordName(), e.computer, crlf(e.message))
	}
	return []byte(b.String())
}

// formatList renders Get-WinEvent | Format-List (the default view).
func formatList(evs []event) []byte {
	var b strings.Builder
	b.WriteString("\r\n\r\n")
	for i := range evs {
		e := &evs[i]
		fmt.Fprintf(&b, "TimeCreated  : %s\r\nProviderName : %s\r\nId           : %d\r\nMessage      : ", usTime(e.t), e.provider, e.id)
		for j, l := range strings.Split(e.message, "\n") {
			if j > 0 {
				b.WriteString("\r\n               ")
			}
			b.WriteString(l)
		}
		b.WriteString("\r\n\r\n")
	}
	return []byte(b.String())
}

// viewerDetails renders Event Viewer's "Copy details as text", with the
// Event Xml part when withXML.
func viewerDetails(evs []event, withXML bool) []byte {
	var b strings.Builder
	for i := range evs {
		e := &evs[i]
		user := "N/A"
		fmt.Fprintf(&b, "Log Name:      %s\r\nSource:        %s\r\nDate:          %s\r\nEvent ID:      %d\r\nTask Category: %s\r\nLevel:         %s\r\nKeywords:      %s\r\nUser:          %s\r\nComputer:      %s\r\nDescription:\r\n%s\r\n",
			e.channel, e.provider, usTime(e.t), e.id, e.taskName(), e.levelName(), e.keywordName(), user, e.computer, crlf(e.message))
		if withXML {
			b.WriteString("Event Xml:\r\n" + xmlEvent(e, false, true) + "\r\n")
		}
		b.WriteString("\r\n")
	}
	return []byte(b.String())
}

// byTime sorts events by time (stable).
func byTime(evs []event) {
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].t.Before(evs[j].t) })
}
