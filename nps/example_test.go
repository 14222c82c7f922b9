package nps_test

import (
	"context"
	"fmt"
	"net/netip"

	"layeh.com/radius"

	"github.com/radscope/radscope/nps"
	"github.com/radscope/radscope/scenario"
	"github.com/radscope/radscope/secret"
)

// A scenario, a server, one PAP Access-Request handled in process, as
// replay's embedded target does.
func ExampleServer_HandleDecision() {
	sc, err := scenario.Parse("lab.yaml", []byte(`
clients: [{name: vpn, address: 192.0.2.0/24, secret: testing123}]
directory:
  domain: CONTOSO
  users: [{sam: alice, password: Passw0rd, groups: [VPN Users]}]
connection_request_policies: [{name: All}]
network_policies: [{name: VPN, conditions: {windows_groups: [VPN Users]}, auth_methods: [pap]}]
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	srv, err := nps.New(sc, nps.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Shutdown(context.Background())

	p := radius.New(radius.CodeAccessRequest, []byte("testing123"))
	p.Attributes.Add(1, []byte(`CONTOSO\alice`))
	p.Attributes.Add(2, secret.EncryptUserPassword(p.Secret, p.Authenticator[:], []byte("Passw0rd")))
	b, _ := p.Encode()

	reply, d, err := srv.HandleDecision(context.Background(), netip.MustParseAddrPort("192.0.2.7:50000"), b)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(radius.Code(reply[0]), d.Reason, d.Policy, d.Account)
	// Output: Access-Accept 0 VPN CONTOSO\alice
}
