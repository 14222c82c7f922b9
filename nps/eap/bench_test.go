package eap

import "testing"

func benchConversation(b *testing.B, method string) {
	srv := newServer(b, 0, method)
	b.ReportAllocs()
	var steps int
	for b.Loop() {
		p := testPeer{identity: "alice", user: "alice", password: "Passw0rd!"}
		ex := p.run(b, srv)
		if !ex.last.Success {
			b.Fatal(ex.last.Err)
		}
		steps += ex.steps
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "auths/s")
	b.ReportMetric(float64(steps)/float64(b.N), "steps/auth")
}

// BenchmarkMSCHAPv2 is a whole EAP-MSCHAPv2 authentication, server and
// test peer together.
func BenchmarkMSCHAPv2(b *testing.B) { benchConversation(b, MethodMSCHAPv2) }

// BenchmarkPEAP is a whole PEAP-MSCHAPv2 authentication (full TLS 1.2
// handshake), server and test peer together.
func BenchmarkPEAP(b *testing.B) { benchConversation(b, MethodPEAP) }
