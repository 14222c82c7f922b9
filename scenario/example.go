package scenario

import _ "embed"

//go:embed example.yaml
var example string

// Example returns a commented example scenario that loads cleanly.
func Example() string { return example }
