// Command read is the reader-only harness of the pcap benchmark: it reads a
// capture with parse/pcap (verifying with the secrets given) and writes one
// short JSON line per message — time, code, identifier, user, client,
// server, marks and checks — so run.sh can tell the reader's cost from the
// output layer's in `radscope parse --format ndjson`.
//
//	go run ./bench/pcap/read [-secret env:VAR] CAPTURE >/dev/null
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/parse/pcap"
	"github.com/radscope/radscope/secret"
)

func main() {
	sec := flag.String("secret", "", "shared secret, or env:VAR")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: read [-secret S] CAPTURE")
		os.Exit(2)
	}
	o := pcap.Options{File: flag.Arg(0)}
	if *sec != "" {
		o.Secrets = &secret.Store{}
		if err := o.Secrets.AddArg(*sec); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
	f, err := os.Open(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	defer f.Close()
	r, err := pcap.NewReader(f, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	var b []byte
	bad := 0
	for m, err := range r.All() {
		if err != nil {
			if !model.IsParseError(err) {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(2)
			}
			bad++
		}
		if m.Kind != model.KindPacket {
			continue
		}
		b = append(b[:0], `{"time":"`...)
		b = m.Time.UTC().AppendFormat(b, time.RFC3339Nano)
		b = append(b, `","code":`...)
		b = strconv.AppendQuote(b, m.Code.String())
		b = append(b, `,"id":`...)
		b = strconv.AppendInt(b, int64(m.Ident), 10)
		b = append(b, `,"user":`...)
		b = strconv.AppendQuote(b, m.User)
		b = append(b, `,"client":"`...)
		b = m.Client.AppendTo(b)
		b = append(b, `","server":"`...)
		b = m.Server.AppendTo(b)
		b = append(b, `","marks":`...)
		b = strconv.AppendQuote(b, m.Marks.String())
		if c := m.Check; c != nil {
			b = append(b, `,"auth":"`...)
			b = append(b, c.Authenticator.String()...)
			b = append(b, `","ma":"`...)
			b = append(b, c.MessageAuthenticator.String()...)
			b = append(b, '"')
		}
		b = append(b, "}\n"...)
		w.Write(b)
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	s := r.Stats()
	fmt.Fprintf(os.Stderr, "read: %d frames, %d RADIUS, %d malformed, %d errors, %d rtx, %d norsp, %d noreq, %d dup\n",
		s.Frames, s.RADIUS, s.Malformed, bad, s.Retransmits, s.NoResponse, s.NoRequest, s.Duplicates)
}
