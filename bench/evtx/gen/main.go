// Command gen writes a large .evtx file for the EVTX benchmark.
//
//	go run ./bench/evtx/gen -o big.evtx -size 100 [-from security.evtx]
//
// With -from it repeats the valid chunks of a real file (records as Windows
// wrote them: real templates, real value mixes) until the output holds
// -size MB; the file header is rewritten for the new chunk count and the
// record numbers repeat, which readers do not mind. Without -from it
// writes NPS-shaped events (Security 6272/6273 v2, AzureMfa AuthZ, RD
// Gateway) with parse/winevent/evtx/evtxtest. The output is the same for
// the same flags.
package main

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"hash/crc32"
	"os"
	"time"

	"github.com/radscope/radscope/parse/winevent/evtx"
	"github.com/radscope/radscope/parse/winevent/evtx/evtxtest"
)

func main() {
	out := flag.String("o", "big.evtx", "output file")
	sizeMB := flag.Int("size", 100, "size in MB (2^20 bytes)")
	from := flag.String("from", "", "repeat the chunks of this .evtx instead of writing synthetic events")
	flag.Parse()
	var data []byte
	var err error
	if *from != "" {
		data, err = repeat(*from, *sizeMB)
	} else {
		data, err = synthetic(*sizeMB)
	}
	if err == nil {
		err = os.WriteFile(*out, data, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "gen: wrote %s, %d bytes, %d chunks\n", *out, len(data), (len(data)-evtx.FileHeaderSize)/evtx.ChunkSize)
}

func repeat(path string, sizeMB int) ([]byte, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var chunks [][]byte
	for off := evtx.FileHeaderSize; off+evtx.ChunkSize <= len(src); off += evtx.ChunkSize {
		c := src[off : off+evtx.ChunkSize]
		if bytes.HasPrefix(c, []byte("ElfChnk\x00")) {
			chunks = append(chunks, c)
		}
	}
	if len(chunks) == 0 {
		return nil, fmt.Errorf("%s has no chunks", path)
	}
	want := sizeMB << 20
	out := make([]byte, evtx.FileHeaderSize, want+evtx.FileHeaderSize+evtx.ChunkSize)
	copy(out, src[:evtx.FileHeaderSize])
	n := 0
	for len(out)-evtx.FileHeaderSize < want && n < 0xffff {
		out = append(out, chunks[n%len(chunks)]...)
		n++
	}
	binary.LittleEndian.PutUint64(out[8:], 0)
	binary.LittleEndian.PutUint64(out[16:], uint64(n-1))
	binary.LittleEndian.PutUint16(out[42:], uint16(n))
	binary.LittleEndian.PutUint32(out[120:], 0)
	binary.LittleEndian.PutUint32(out[124:], crc32.ChecksumIEEE(out[:120]))
	return out, nil
}

func synthetic(sizeMB int) ([]byte, error) {
	w := evtxtest.New()
	t0 := time.Date(2024, 3, 5, 6, 0, 0, 0, time.UTC)
	users := []string{"alice", "bob", "carol", "dave", "mallory"}
	// About 1 KB per record.
	n := sizeMB << 10
	for i := 0; i < n; i++ {
		u := users[i%len(users)]
		t := t0.Add(time.Duration(i) * 150 * time.Millisecond)
		var ev evtxtest.Event
		switch i % 4 {
		case 0, 1:
			id := uint16(6272)
			kw := uint64(0x8020000000000000)
			if i%4 == 1 {
				id, kw = 6273, 0x8010000000000000
			}
			ev = evtxtest.Event{Provider: "Microsoft-Windows-Security-Auditing", ProviderGUID: "{54849625-5478-4994-A5BA-3E3B0328C30D}",
				EventID: id, Version: 2, Task: 12552, Keywords: kw, Time: t, ProcessID: 716, ThreadID: 3120,
				Channel: "Security", Computer: "NPS01.contoso.local"}
			for _, f := range [][2]string{{"SubjectUserName", `CONTOSO\` + u}, {"SubjectDomainName", "CONTOSO"},
				{"FullyQualifiedSubjectUserName", `CONTOSO\` + u}, {"SubjectMachineSID", ""}, {"SubjectMachineName", "-"},
				{"FullyQualifiedSubjectMachineName", "-"}, {"CalledStationID", "198.51.100.10"},
				{"CallingStationID", fmt.Sprintf("203.0.113.%d", i%250)}, {"NASIPv4Address", "10.0.0.1"},
				{"NASIPv6Address", "-"}, {"NASIdentifier", "vpn-gw"}, {"NASPortType", "Virtual"}, {"NASPort", "7"},
				{"ClientName", "vpn-gw"}, {"ClientIPAddress", "10.0.0.1"},
				{"ProxyPolicyName", "Use Windows authentication for all users"}, {"NetworkPolicyName", "VPN, MFA required"},
				{"AuthenticationProvider", "Windows"}, {"AuthenticationServer", "NPS01.contoso.local"},
				{"AuthenticationType", "MS-CHAPv2"}, {"EAPType", "-"}, {"AccountSessionIdentifier", fmt.Sprintf("%08X", i)},
				{"LoggingResult", "Accounting information was written to the local log file."}} {
				var v any = f[1]
				if f[0] == "SubjectMachineSID" {
					v = evtxtest.SID("S-1-0-0")
				}
				ev.Data = append(ev.Data, evtxtest.Data{Name: f[0], Value: v})
			}
			ev.Data = append([]evtxtest.Data{{Name: "SubjectUserSid", Value: evtxtest.SID(fmt.Sprintf("S-1-5-21-3623811015-3361044348-30300820-%d", 1100+i%5))}}, ev.Data...)
			if id == 6273 {
				ev.Data = append(ev.Data[:len(ev.Data)-1], evtxtest.Data{Name: "ReasonCode", Value: "21"},
					evtxtest.Data{Name: "Reason", Value: "An NPS extension dynamic link library (DLL) that is installed on the NPS server rejected the connection request."},
					ev.Data[len(ev.Data)-1])
			}
		case 2:
			ev = evtxtest.Event{Provider: "Microsoft-AzureMfa-AuthZ", ProviderGUID: "{7237ED00-E119-430B-AB0F-C63360C8EE81}",
				EventID: 1, Level: 4, Keywords: 0x8000000000000000, Time: t, ProcessID: 716, ThreadID: 2212,
				Channel: "Microsoft-AzureMfa-AuthZ/AuthZOptCh", Computer: "NPS01.contoso.local",
				Data: []evtxtest.Data{{Value: fmt.Sprintf("NPS Extension for Azure MFA: CID: 4f0c6c2e-8a51-4d1e-9c1a-%012d : Challenge requested in Authentication Ext for User %s@contoso.local with state 300c9d6c-7734-4165-83d3-%012d", i, u, i)}}}
		default:
			ev = evtxtest.Event{Provider: "Microsoft-Windows-TerminalServices-Gateway", ProviderGUID: "{4D5AE6A1-C7C8-4E6D-B840-4D8080B42E1B}",
				EventID: 302, Level: 4, Task: 3, Opcode: 30, Keywords: 0x4000000000000000, Time: t, ProcessID: 1408, ThreadID: 2384,
				Channel: "Microsoft-Windows-TerminalServices-Gateway/Operational", Computer: "RDGW.contoso.local",
				UserData: &evtxtest.Element{Name: "EventInfo", Attrs: [][2]string{{"xmlns", "aag"}}, Children: []*evtxtest.Element{
					{Name: "Username", Text: `CONTOSO\` + u}, {Name: "IpAddress", Text: fmt.Sprintf("192.0.2.%d", i%250)},
					{Name: "AuthType", Text: "NTLM"}, {Name: "Resource", Text: "ws-" + u + ".contoso.local"},
					{Name: "ConnectionProtocol", Text: "HTTP"}, {Name: "ErrorCode", Text: "0"}}}}
		}
		if err := w.Add(ev); err != nil {
			return nil, err
		}
	}
	return w.Bytes(), nil
}
