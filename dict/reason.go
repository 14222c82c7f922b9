package dict

import "strconv"

// Reason is one NPS Reason-Code (IAS attribute 4142, Security events
// 6272-6280).
type Reason struct {
	Code   int
	Const  string // SDK-style constant, IAS_NO_SUCH_USER; "" when none
	Short  string // short name, "No such user"
	Text   string // Microsoft's description
	Cause  string // one line: what usually makes NPS say this
	Remedy string // one line: what to change
}

// LookupReason returns the table entry for code. Unknown codes get an entry
// that says so, with Known false.
func LookupReason(code int) (r Reason, known bool) {
	if r, ok := reasons[code]; ok {
		return r, true
	}
	return Reason{Code: code, Short: "Unknown reason code " + strconv.Itoa(code),
		Text: "Reason code " + strconv.Itoa(code) + " is not in Microsoft's published table."}, false
}

// ReasonText returns the short text of code for display ("No such user").
func ReasonText(code int) string {
	r, _ := LookupReason(code)
	return r.Short
}

// Reasons calls yield for every known code in ascending order.
func Reasons(yield func(Reason) bool) {
	for _, c := range reasonOrder {
		if !yield(reasons[c]) {
			return
		}
	}
}
