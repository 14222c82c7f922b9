//go:build !unix

package flow_test

import "time"

// cpuTime is not measured here; the cpu-ns/msg metrics read 0.
func cpuTime() time.Duration { return 0 }
