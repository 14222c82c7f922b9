package npslog

import (
	"strconv"
	"time"
)

// Rotation is how NPS starts new log files (NEW_LOG_FILE_FREQUENCY in
// sdoias.h, nps-log-formats.md §1).
type Rotation int

const (
	Unlimited Rotation = 0 // one file for ever
	Daily     Rotation = 1
	Weekly    Rotation = 2
	Monthly   Rotation = 3
	BySize    Rotation = 4 // when the file reaches a size
)

// FileName is the name NPS gives the log file that holds a record of time
// t (NPS local time): INyyMMdd.log daily, INyyMM.log monthly, INyyMMww.log
// weekly (week of the month counted from Sunday, 1-6; inferred from the
// IIS convention, unconfirmed for NPS),
// iaslogN.log when rotating by size (seq is N, from 1) and iaslog.log
// otherwise.
func FileName(r Rotation, t time.Time, seq int) string {
	switch r {
	case Daily:
		return "IN" + t.Format("060102") + ".log"
	case Monthly:
		return "IN" + t.Format("0601") + ".log"
	case Weekly:
		week := (t.Day()+int(time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, t.Location()).Weekday())-1)/7 + 1
		return "IN" + t.Format("0601") + "0" + strconv.Itoa(week) + ".log"
	case BySize:
		return "iaslog" + strconv.Itoa(max(seq, 1)) + ".log"
	}
	return "iaslog.log"
}
