package hosttest_test

import (
	"context"
	"errors"
	"fmt"

	hosttest "github.com/veilproxy/veil/host-test"
)

// exampleRules is the rule set the examples hand the plugin.
const exampleRules = `
rules:
  - id: email
    select: { keys: [email] }
    action: redact
  - id: card
    select: { keys: [card_number] }
    action: { mask: { keep_last: 4 } }
`

// pluginWasm is the Veil plugin built from this tree's source.
func pluginWasm() []byte {
	wasm, err := buildWasm("veil")
	if err != nil {
		panic(err)
	}
	return wasm
}

func ExampleLoad() {
	ctx := context.Background()
	mod, err := hosttest.Load(ctx, pluginWasm(), hosttest.Options{Profile: hosttest.Envoy133})
	if err != nil {
		panic(err)
	}
	defer mod.Close(ctx)
	fmt.Println("loaded")

	// A module that is not Wasm at all is refused before anything runs.
	_, err = hosttest.Load(ctx, []byte("not wasm"), hosttest.Options{})
	fmt.Println(err != nil)
	// Output:
	// loaded
	// true
}

func ExampleModule_Start() {
	ctx := context.Background()
	mod, err := hosttest.Load(ctx, pluginWasm(), hosttest.Options{})
	if err != nil {
		panic(err)
	}
	defer mod.Close(ctx)

	vm, err := mod.Start(ctx, hosttest.Config{PluginConfig: []byte(exampleRules)})
	if err != nil {
		panic(err)
	}
	defer vm.Close(ctx)
	fmt.Println("started")

	// A rule set the plugin refuses fails the start, as Envoy would.
	_, err = mod.Start(ctx, hosttest.Config{PluginConfig: []byte("rules: [")})
	var se *hosttest.StartError
	fmt.Println(errors.As(err, &se), se.Stage)
	// Output:
	// started
	// true proxy_on_configure
}

func ExampleVM_Do() {
	ctx := context.Background()
	mod, err := hosttest.Load(ctx, pluginWasm(), hosttest.Options{})
	if err != nil {
		panic(err)
	}
	defer mod.Close(ctx)
	vm, err := mod.Start(ctx, hosttest.Config{PluginConfig: []byte(exampleRules)})
	if err != nil {
		panic(err)
	}
	defer vm.Close(ctx)

	res := vm.Do(hosttest.Exchange{
		RequestBody:     []byte(`{"email":"ann@example.com","card_number":"4111 1111 1111 1234"}`),
		ResponseHeaders: hosttest.Headers{{"content-type", "application/json"}},
		ResponseBody:    []byte(`{"id":7,"email":"ann@example.com"}`),
	})
	fmt.Println(string(res.Request.Body))
	fmt.Println(res.Response.Status, string(res.Response.Body))
	fmt.Println(res.Errors)
	// Output:
	// {"email":"[REDACTED]","card_number":"**** **** **** 1234"}
	// 200 {"id":7,"email":"[REDACTED]"}
	// []
}
