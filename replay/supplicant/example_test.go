package supplicant_test

import (
	"context"
	"fmt"

	"github.com/radscope/radscope/nps/eap"
	"github.com/radscope/radscope/replay/supplicant"
)

// A PEAP sign-in against an EAP server, the peer trusting exactly the
// server's certificate, as a NAS relays them.
func Example() {
	srv, _ := eap.NewServer(eap.Config{NTHash: directory, Methods: []string{eap.MethodPEAP}})
	cert, _ := srv.Certificate()
	trust := &supplicant.Trust{Pinned: [][]byte{cert.Certificate[0]}}
	p, _ := supplicant.New(supplicant.Config{Identity: `CONTOSO\alice`, Password: "Passw0rd!", Verify: trust.Verify})
	defer p.Close()
	conv := srv.NewConversation()
	defer conv.Close()
	msg := p.Start(1)
	for {
		r := srv.Step(context.Background(), conv, msg)
		out, err := p.Respond(r.Reply)
		if err != nil {
			fmt.Println(err)
			return
		}
		if r.Done {
			break
		}
		msg = out
	}
	res := p.Result()
	fmt.Println(res.Method, res.Success, res.ServerAuthenticated, len(res.MSK))
	// Output: PEAP true true 64
}
