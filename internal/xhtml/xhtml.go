// Package xhtml checks that a generated HTML page is well-formed XHTML and
// reads the text of its elements by id, so tests can compare the numbers a
// report shows with the numbers it computed.
package xhtml

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// IDText parses page strictly and returns the text inside each element
// that has an id attribute.
func IDText(page string) (map[string]string, error) {
	d := xml.NewDecoder(strings.NewReader(page))
	d.Strict = true
	ids := map[string]string{}
	var stack []string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("xhtml: not well-formed: %w", err)
		}
		switch x := tok.(type) {
		case xml.StartElement:
			id := ""
			for _, a := range x.Attr {
				if a.Name.Local == "id" {
					id = a.Value
				}
			}
			stack = append(stack, id)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if n := len(stack); n > 0 && stack[n-1] != "" {
				ids[stack[n-1]] += string(x)
			}
		}
	}
	if len(stack) != 0 {
		return nil, fmt.Errorf("xhtml: %d elements left open", len(stack))
	}
	return ids, nil
}
