//go:build !unix

package replay

import (
	"runtime"
	"time"
)

// sleepUntil spins until t, yielding to other goroutines: the runtime's
// timers can be a millisecond late.
func sleepUntil(t time.Time) {
	for time.Until(t) > 0 {
		runtime.Gosched()
	}
}
