package main

import "strings"

// logFiles is a copy of %SystemRoot%\System32\LogFiles: NPS logs with
// daily, monthly and size-rotated names, and files that are not NPS logs.
func logFiles() []file {
	crlf := func(lines []string) []byte { return []byte(join(lines, "\r\n")) }
	var fs []file
	add := func(name string, data []byte) { fs = append(fs, file{name, data}) }

	add("IN240305.log", crlf(odbcLines(simpleDay("03/05/2024", &log{serial: 100}, []item{
		{"22:01:10.000", "bob", vpnGW, 0}, {"22:40:31.000", "mallory", vpnGW, 16},
	}), 66)))
	add("IN240306.log", crlf(dtsLines(simpleDay("03/06/2024", &log{serial: 350}, []item{
		{"22:05:00.118", "alice", vpnGW, 0},
	}))))
	// The monthly file of the days before the switch to daily files; the
	// NPS service had been started on 02/26.
	add("IN2403.log", crlf(iasLines(simpleDay("03/01/2024", &log{serial: 1000, prefix: "311 1 10.0.0.10 02/26/2024 05:00:00 "}, []item{
		{"08:00:00.000", "alice", vpnGW, 0}, {"09:30:12.000", "dave", rdgw, 0},
	}))))
	add("in240307.log", crlf(odbcLines(simpleDay("03/07/2024", &log{serial: 450}, []item{
		{"22:10:10.000", "dave", vpnGW, 0}, {"22:11:40.000", "mallory", rdgw, 16},
	}), 66)))
	// Size rotation on 03/15: iaslog1.log filled up, iaslog2.log goes on.
	add("iaslog1.log", crlf(dtsLines(simpleDay("03/15/2024", &log{serial: 800}, []item{
		{"08:00:09.775", "bob", wlc, 0},
	}))))
	add("iaslog2.log", crlf(dtsLines(simpleDay("03/15/2024", &log{serial: 810}, []item{
		{"08:02:02.431", "mallory", vpnGW, 16},
	}))))
	add("NPS/IN240308.log", crlf(dtsLines(simpleDay("03/08/2024", &log{serial: 585}, []item{
		{"22:20:00.001", "bob", rdgw, 0},
	}))))
	// Not named like an NPS log, but its content is one: picked by sniffing.
	add("backup-march.log", crlf(odbcLines(simpleDay("03/16/2024", &log{serial: 850}, []item{
		{"07:30:00.000", "carol", vpnGW, 0},
	}), 66)))

	// Not NPS logs: none of these may be picked.
	add("HTTPERR/httperr1.log", crlf([]string{
		"#Software: Microsoft HTTP API 2.0",
		"#Version: 1.0",
		"#Date: 2024-03-05 00:00:12",
		"#Fields: date time c-ip c-port s-ip s-port cs-version cs-method cs-uri sc-status s-siteid s-reason s-queuename",
		"2024-03-05 00:00:12 10.0.5.23 51544 10.0.0.10 80 HTTP/1.1 GET /favicon.ico 404 - NotFound -",
		"2024-03-05 07:14:40 10.0.5.41 60321 10.0.0.10 443 - - - - - Timer_ConnectionIdle -",
		"2024-03-05 09:02:03 10.0.5.23 51601 10.0.0.10 80 HTTP/1.1 GET /certsrv 503 2 N/A DefaultAppPool",
	}))
	add("Firewall/pfirewall.log", crlf([]string{
		"#Version: 1.5",
		"#Software: Microsoft Windows Firewall",
		"#Time Format: Local",
		"#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path pid",
		"",
		"2024-03-05 07:58:12 ALLOW UDP 10.0.0.1 10.0.0.10 49152 1812 0 - - - - - - - RECEIVE 4",
		"2024-03-05 07:58:12 ALLOW UDP 10.0.0.10 10.0.0.1 1812 49152 0 - - - - - - - SEND 4",
		"2024-03-05 08:20:44 ALLOW UDP 10.0.0.3 10.0.0.10 32768 1812 0 - - - - - - - RECEIVE 4",
		"2024-03-05 11:02:31 DROP TCP 185.220.101.9 10.0.0.10 40112 3389 60 S 302214201 0 64240 - - - RECEIVE 0",
	}))
	add("setupapi.log", crlf([]string{
		"[Device Install Log]",
		"     OS Version = 10.0.20348",
		"     Service Pack = 0.0",
		"     Suite = 0x0110",
		"     ProductType = 3",
		"     Architecture = amd64",
		"",
		"[BeginLog]",
		"",
		">>>  [Device Install (Hardware initiated) - ROOT\\SYSTEM\\0001]",
		">>>  Section start 2024/03/05 06:01:10.312",
		"     dvi: {Build Driver List} 06:01:10.318",
		"<<<  Section end 2024/03/05 06:01:10.905",
		"<<<  [Exit status: SUCCESS]",
	}))
	add("notes.txt", []byte(strings.ReplaceAll(`Copied from NPS01 C:\Windows\System32\LogFiles on 03/16/2024 for the
VPN ticket. IN*.log are the NPS accounting logs (ODBC, later DTS);
iaslog*.log are from the week with size rotation.
`, "\n", "\r\n")))
	return fs
}
