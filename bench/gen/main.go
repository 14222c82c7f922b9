// Command gen writes a large, realistic NPS accounting log for benchmarks.
//
//	go run ./bench/gen -format odbc|ias|dts -size 1GB -o FILE [-seed N]
//
// The log is what NPS01 (10.0.0.10, domain CONTOSO) with the NPS extension for
// Microsoft Entra MFA would write for a busy site: VPN gateways (MS-CHAPv2 with
// push, PAP with an OTP challenge), RD Gateways and Wi-Fi controllers (PEAP
// with several Access-Challenge rounds), rejects with reasons 8, 16, 21, 36,
// 48 and 49, and accounting Start/Interim/Stop that share the Accept's Class
// and an Acct-Session-Id. Records are written in time order, CRLF, one per
// line. The output depends only on -format, -size and -seed.
//
// Sizes take the suffixes KB, MB, GB (powers of 1024) or none for bytes.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

func main() {
	format := flag.String("format", "odbc", "log format: odbc, ias or dts")
	size := flag.String("size", "1GB", "stop after this many bytes (suffix KB, MB, GB)")
	out := flag.String("o", "", "output file (- for standard output)")
	seed := flag.Uint64("seed", 1, "seed of the pseudo-random generator")
	flag.Parse()
	if err := run(*format, *size, *out, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(2)
	}
}

func run(format, size, out string, seed uint64) error {
	f, err := parseFormat(format)
	if err != nil {
		return err
	}
	n, err := parseSize(size)
	if err != nil {
		return err
	}
	if out == "" {
		return errors.New("-o FILE is required (- for standard output)")
	}
	var w io.Writer = os.Stdout
	if out != "-" {
		fh, err := os.Create(out)
		if err != nil {
			return err
		}
		defer fh.Close()
		w = fh
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	if _, err := Generate(bw, f, n, seed); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if fh, ok := w.(*os.File); ok && out != "-" {
		return fh.Close()
	}
	return nil
}

// Format is an NPS text-log format.
type Format int

const (
	ODBC Format = iota
	IAS
	DTS
)

func parseFormat(s string) (Format, error) {
	switch strings.ToLower(s) {
	case "odbc":
		return ODBC, nil
	case "ias":
		return IAS, nil
	case "dts":
		return DTS, nil
	}
	return 0, fmt.Errorf("unknown format %q (want odbc, ias or dts)", s)
}

func parseSize(s string) (int64, error) {
	u := strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	for _, x := range []struct {
		suffix string
		m      int64
	}{{"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(u, x.suffix) {
			u, mult = strings.TrimSuffix(u, x.suffix), x.m
			break
		}
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(u), 64)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("invalid size %q", s)
	}
	return int64(v * float64(mult)), nil
}
