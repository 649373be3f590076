package rules_test

import (
	"fmt"

	"github.com/veilproxy/veil/rules"
)

func ExampleProgram_Apply() {
	p, err := rules.Compile([]byte(`
rules:
  - id: support
    select: { paths: ["$.support.email"] }
    action: keep
  - id: email
    select: { keys: [email] }
    action: redact
  - id: card
    select: { keys: [card_number] }
    action: { mask: { keep_last: 4 } }
`), rules.Options{Filename: "rules.yaml"})
	if err != nil {
		panic(err)
	}
	out, rep, err := p.Apply([]byte(`{"E-Mail":"ann@example.com","card_number":"4111 1111 1111 1234","support":{"email":"help@example.com"}}`),
		rules.Input{Direction: rules.Request})
	if err != nil {
		panic(err)
	}
	fmt.Println(string(out))
	for _, f := range rep.Findings {
		fmt.Println(f.Rule, f.Action, f.Count, f.Paths)
	}
	// Output:
	// {"E-Mail":"[REDACTED]","card_number":"**** **** **** 1234","support":{"email":"help@example.com"}}
	// email redact 1 [$['E-Mail']]
	// card mask 1 [$.card_number]
}

func ExampleCompile() {
	_, err := rules.Compile([]byte(`
rules:
  - id: card
    select: { paths: ["$.x["] }
    action: hide
`), rules.Options{Filename: "rules.yaml"})
	fmt.Println(err)
	// Output:
	// rules.yaml:4:28: rule "card": path "$.x[": unclosed "["
	//     select: { paths: ["$.x["] }
	//                            ^
	// rules.yaml:5:13: rule "card": action: unknown action "hide" (want block, encrypt, fpe, generalize, hash, keep, mask, redact, remove, reveal or synthetic)
	//     action: hide
	//             ^
}
