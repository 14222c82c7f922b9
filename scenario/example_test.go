package scenario_test

import (
	"fmt"

	"github.com/radscope/radscope/scenario"
)

func ExampleParse() {
	_, err := scenario.Parse("lab.yaml", []byte(`directory:
  domain: CONTOSO
  users:
    - sam: alice
      pasword: x
`))
	fmt.Println(err)
	// Output:
	// scenario: lab.yaml:5:7: directory.users[0].pasword: unknown key "pasword" (known keys: sam, upn, password, nt_hash, groups, enabled, locked, expired, password_must_change, dial_in, logon_hours, attributes, mfa)
}

func ExampleScenario_Set() {
	sc, _ := scenario.Parse("example.yaml", []byte(scenario.Example()))
	if err := sc.Set("clients.rdgw.timeout", "60s"); err != nil {
		fmt.Println(err)
	}
	fmt.Println(sc.Clients[0].Name, sc.Clients[0].Timeout, sc.Validate())
	// Output: rdgw 1m0s <nil>
}
