// Package replay re-drives captured or logged RADIUS flows through a
// target — the emulated NPS (package nps) in process on a virtual clock,
// or any RADIUS server over UDP — emulating the NAS that sent them, and
// compares what happens with what the input shows.
//
// A flow becomes a Plan (NewPlan): its requests as captured, with what
// must change left for the sender — the identifier (allocated per NAS),
// the request authenticator (fresh, except where CHAP uses it as its
// challenge), User-Password (decrypted with the capture's secret and
// encrypted under the secret the NAS uses toward the target),
// Message-Authenticator (recomputed), State (taken from the target's own
// Access-Challenge of the previous round); Proxy-State and every other
// attribute are kept. From NPS logs and events a request is rebuilt from
// the logged attributes, with the password taken from the scenario; what
// cannot be rebuilt (MS-CHAPv2 from a log, a password nobody knows) makes
// the plan not replayable, with the reason.
//
// An EAP conversation (PEAP, EAP-MSCHAPv2), captured or logged, is bound
// to the original server's challenges and is not re-sent: replay plays the
// user's device instead (package replay/supplicant), with the outer
// identity of the captured EAP-Response/Identity (or User-Name), the
// method the device ran, and the password from the scenario. Each
// Access-Request carries the NAS's attributes, the peer's EAP-Message, the
// State of the target's last Access-Challenge and a Message-Authenticator.
// The device trusts a PEAP server certificate only as the scenario's
// supplicant section says (EmulatorTrust), checks the MS-CHAPv2
// authenticator response and the MS-MPPE keys of the Access-Accept; when
// it gives up the outcome is peer-abandoned.
// EAP flows compare outcome and reason; the number of rounds is shown, not
// compared.
//
// Run sends the plans as the NAS would: per NAS timeout and retries (the
// -t and -r of radclient, else the scenario client's timeout and retries,
// else what the capture shows), so an RD Gateway's 3 s timeout against a
// 12 s phone call retransmits, gives up and sees the late answer, as it
// did. Against the Embedded target, time is virtual: the server, its MFA
// back end and the NAS timers run on one mfa.Fake clock that starts at
// the captured time and jumps to the next timer whenever every request in
// flight is waiting on it, so captured TOTP codes verify and minutes of
// MFA waiting take milliseconds. Against a UDP target, time is real and
// Timing spaces the flows (fast, captured ×Speed, or a fixed rate). The
// embedded server on 127.0.0.1 (Session.Listen) hands its decisions back
// by socket, identifier and authenticator (UDP.Decide), so reason codes
// and MFA steps are reported as in process.
//
// Each Result compares the expected outcome (accepted, rejected,
// challenge-abandoned, no-response, accounted, or nas-timeout when the
// answer came after the NAS had given up), reason code and MFA result
// with the observed ones: reproduced, fixed, regressed, diverged or
// not-replayable. Both sides carry the explain findings (of the input's
// flow, and of the replay as the NAS saw it with the target's MFA step);
// when both hold NPS's verdict the diagnoses in ComparedFindings must
// agree too. WriteText, WriteJSON and WriteJUnit report a run.
package replay
