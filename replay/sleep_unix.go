//go:build unix

package replay

import (
	"syscall"
	"time"
)

// sleepUntil sleeps the calling thread until t with nanosleep(2): the
// runtime's timers wake through the netpoller, which waits in whole
// milliseconds, while the kernel's timer is good to some tens of
// microseconds, and a thread that slept is run soon after it wakes even on
// a busy machine, where spinning would spend its share of the processor.
func sleepUntil(t time.Time) {
	for {
		d := time.Until(t)
		if d <= 0 {
			return
		}
		ts := syscall.NsecToTimespec(int64(d))
		syscall.Nanosleep(&ts, nil)
	}
}
