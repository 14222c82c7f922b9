// Package flow joins a time-ordered stream of model.Message values — RADIUS
// packets from captures, NPS log records and Windows events — into
// model.Flow values: one authentication attempt (or accounting session,
// Status-Server probe, CoA/Disconnect exchange) each, with its rounds, every
// message from every source that speaks of it, its outcome, reason code, MFA
// result and latency.
//
// # Joins
//
//   - Captured packets: a request and its answer by the capture reader's
//     Peer link (addresses, identifier, authenticator); a retransmit by
//     addresses, identifier and authenticator; the next Access-Request of a
//     challenge by its State.
//   - NPS log records: a request and its response record by Class, else by
//     computer, client, user and time; a challenge chain by user, client and
//     calling station.
//   - Accounting: by Acct-Session-Id and client; linked to the
//     authentication it follows by the Class of the Access-Accept, or (on the
//     MFA OTP path, where Class never reaches the NAS) by user, client and
//     calling station.
//   - Events: Security 6272-6278 by user, client, calling station and a
//     time window; AzureMfa AuthN/AuthZ by CID, else by user and time; RD
//     Gateway events by user and time.
//   - Across sources the same step (a request, an answer) is paired within
//     Options.Tolerance after each source's clock offset is taken off. The
//     offsets are estimated from unambiguous pairs (one candidate only) and
//     reported in Stats.
//
// # Streaming
//
// Build keeps only open flows: a flow is closed, annotated and yielded once
// stream time has moved past it by Options.Grace (answered attempts),
// Options.Window (unanswered ones) or Options.AcctIdle (accounting sessions
// without a Stop). Memory grows with the number of open flows, not with the
// input. Every message ends in exactly one flow; messages that belong to no
// attempt (service start-up events, strays) are yielded as FlowUnmatched
// flows of one message each.
//
// Errors follow the contract written in package parse: a *model.ParseError
// is yielded (with a zero Flow) and building goes on; any other error ends
// the stream after the open flows have been yielded.
package flow
