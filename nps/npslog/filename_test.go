package npslog_test

import (
	"testing"
	"time"

	"github.com/radscope/radscope/nps/npslog"
)

func TestFileName(t *testing.T) {
	tm := time.Date(2024, 3, 5, 23, 59, 0, 0, time.UTC) // a Tuesday; March 1 2024 is a Friday
	tests := []struct {
		r    npslog.Rotation
		t    time.Time
		seq  int
		want string
	}{
		{npslog.Daily, tm, 0, "IN240305.log"},
		{npslog.Monthly, tm, 0, "IN2403.log"},
		{npslog.Weekly, tm, 0, "IN240302.log"},
		{npslog.Weekly, time.Date(2024, 3, 2, 0, 0, 0, 0, time.UTC), 0, "IN240301.log"},
		{npslog.Weekly, time.Date(2024, 3, 31, 0, 0, 0, 0, time.UTC), 0, "IN240306.log"},
		{npslog.BySize, tm, 47, "iaslog47.log"},
		{npslog.BySize, tm, 0, "iaslog1.log"},
		{npslog.Unlimited, tm, 0, "iaslog.log"},
	}
	for _, tc := range tests {
		if got := npslog.FileName(tc.r, tc.t, tc.seq); got != tc.want {
			t.Errorf("FileName(%d, %v, %d) = %q, want %q", tc.r, tc.t, tc.seq, got, tc.want)
		}
	}
}
