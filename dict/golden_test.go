package dict_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/radscope/radscope/dict"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestDefaultGolden lists the whole built-in dictionary, one attribute a
// line, so that a change to the tables shows up as a reviewable diff.
// Refresh with: go test ./dict -run DefaultGolden -update
func TestDefaultGolden(t *testing.T) {
	d := dict.Default()
	var lines []string
	d.Attributes(func(a *dict.Attribute) bool {
		var flags []string
		if a.Tagged {
			flags = append(flags, "tagged")
		}
		if a.Encrypt != dict.EncryptNone {
			flags = append(flags, fmt.Sprintf("encrypt=%d", a.Encrypt))
		}
		if a.Sensitive {
			flags = append(flags, "sensitive")
		}
		if a.NPSName() != a.Name {
			flags = append(flags, "nps="+a.NPSName())
		}
		lines = append(lines, fmt.Sprintf("%-6d %5d %5d %-40s %-10s %3d values %s",
			a.IASID, a.Vendor, a.Type, a.Name, a.DataType, len(a.Values), strings.Join(flags, ",")))
		return true
	})
	slices.SortFunc(lines, func(x, y string) int {
		var xi, yi, xv, yv, xt, yt int
		fmt.Sscan(x, &xi, &xv, &xt)
		fmt.Sscan(y, &yi, &yv, &yt)
		if c := xi - yi; c != 0 {
			return c
		}
		if c := xv - yv; c != 0 {
			return c
		}
		if c := xt - yt; c != 0 {
			return c
		}
		return strings.Compare(x, y)
	})
	var b bytes.Buffer
	b.WriteString("# IASID Vendor Type Name DataType enum-size flags\n")
	for _, l := range lines {
		b.WriteString(strings.TrimRight(l, " ") + "\n")
	}
	path := filepath.Join("testdata", t.Name()+".golden")
	if *update {
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(want, b.Bytes()) {
		gl, wl := strings.Split(b.String(), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) || i < len(wl); i++ {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Fatalf("%s differs at line %d:\n got: %s\nwant: %s\n(run with -update if the change is intended)", path, i+1, g, w)
			}
		}
	}
}
