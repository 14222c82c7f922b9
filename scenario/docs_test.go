package scenario

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

// TestDocsCoverEveryKey fails when docs/scenario.md does not mention a key
// of the scenario file: every field is documented.
func TestDocsCoverEveryKey(t *testing.T) {
	doc, err := os.ReadFile("../docs/scenario.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	seen := map[reflect.Type]bool{}
	var walk func(t reflect.Type, path string)
	var missing []string
	walk = func(typ reflect.Type, path string) {
		for typ.Kind() == reflect.Slice || typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Map {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || seen[typ] || typ.PkgPath() != reflect.TypeFor[Scenario]().PkgPath() {
			return
		}
		seen[typ] = true
		_, names := fieldsOf(typ)
		fields, _ := fieldsOf(typ)
		for _, n := range names {
			documented := false
			for _, form := range []string{"`" + n + "`", "." + n + "`", "`" + n + ".", "`" + n + "[]`"} {
				documented = documented || strings.Contains(text, form)
			}
			if !documented {
				missing = append(missing, path+n)
			}
			walk(typ.Field(fields[n]).Type, path+n+".")
		}
	}
	walk(reflect.TypeFor[Scenario](), "")
	if len(missing) > 0 {
		t.Errorf("docs/scenario.md does not document: %s", strings.Join(missing, ", "))
	}
}
