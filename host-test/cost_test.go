package hosttest_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
	"github.com/veilproxy/veil/bench/corpus"
	hosttest "github.com/veilproxy/veil/host-test"
)

// What an exchange costs inside the VM, counted rather than timed so the
// figures do not depend on the machine's load: host calls (each a switch
// out of the VM and back), allocations (runtime.mallocgc: each costs more
// in Go's wasm output than natively, and they bring the next GC nearer)
// and guest function calls (Go's wasm calls are dear: every call saves its
// frame in linear memory). The budgets hold the per-exchange work of
// docs/benchmarks.md, "Per exchange", against regressions.

// guestCounter counts calls of every guest function and host import while on.
type guestCounter struct {
	on    bool
	calls map[string]int
}

func (c *guestCounter) NewFunctionListener(def api.FunctionDefinition) experimental.FunctionListener {
	name := def.DebugName()
	return experimental.FunctionListenerFunc(func(context.Context, api.Module, api.FunctionDefinition, []uint64, experimental.StackIterator) {
		if c.on {
			c.calls[name]++
		}
	})
}

// exchangeCost is the work of one exchange, averaged over many.
type exchangeCost struct {
	hostCalls, allocs, calls float64
}

// measureExchangeCost runs ex through a plugin VM compiled with a listener
// on every function: warm-up exchanges first, then n counted ones.
func measureExchangeCost(t *testing.T, rules string, ex hosttest.Exchange, n int) exchangeCost {
	t.Helper()
	c := &guestCounter{calls: map[string]int{}}
	ctx := experimental.WithFunctionListenerFactory(context.Background(), c)
	m, err := hosttest.Load(ctx, wasmOf(t, "veil"), hosttest.Options{Profile: hosttest.Envoy133, CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close(ctx) })
	vm, err := m.Start(ctx, hosttest.Config{PluginConfig: []byte(rules)})
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		if res := vm.Do(ex); res.VMError != nil || res.LocalReply != nil {
			t.Fatalf("exchange failed: %v %+v", res.VMError, res.LocalReply)
		}
	}
	c.on = true
	for range n {
		vm.Do(ex)
	}
	var cost exchangeCost
	for name, k := range c.calls {
		switch {
		case strings.HasPrefix(name, "env.") || strings.HasPrefix(name, "wasi_snapshot_preview1."):
			cost.hostCalls += float64(k)
		case name == ".runtime.mallocgc":
			cost.allocs += float64(k)
		}
		if strings.HasPrefix(name, ".") { // the guest's own functions (its module has no name)
			cost.calls += float64(k)
		}
	}
	cost.hostCalls /= float64(n)
	cost.allocs /= float64(n)
	cost.calls /= float64(n)
	return cost
}

// costRules changes several values of each user record (paths, a key set);
// costNoMatch selects a member no record has.
const (
	costRules = `rules:
  - {id: contact, select: {paths: ["$.users[*].email", "$.users[*].ssn"]}, action: redact}
  - {id: phone, select: {paths: ["$.users[*].phone"]}, action: {mask: {keep_last: 2}}}
  - {id: card, select: {keys: [card_number]}, action: {mask: {keep_last: 4}}}
`
	costNoMatch = `rules:
  - {id: none, select: {paths: ["$.users[*].nothing"]}, action: redact}
`
)

// The plugin's work per 1 KB exchange stays within budget: request body
// rewritten or not, response {} in scope, the audit line written.
func TestExchangeCost(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles the plugin with a listener on every function")
	}
	cases := []struct {
		name                     string
		rules                    string
		hostCalls, allocs, calls float64 // budgets
	}{
		{"changes", costRules, 16, 22, 1100},
		{"no match", costNoMatch, 10, 15, 700},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := measureExchangeCost(t, c.rules, jsonExchange(corpus.UserPage(1<<10), []byte("{}"), 0), 50)
			t.Logf("per exchange: %.1f host calls, %.1f allocations, %.0f guest function calls", got.hostCalls, got.allocs, got.calls)
			if got.hostCalls > c.hostCalls || got.allocs > c.allocs || got.calls > c.calls {
				t.Errorf("over budget: %.1f host calls (budget %v), %.1f allocations (%v), %.0f guest calls (%v)",
					got.hostCalls, c.hostCalls, got.allocs, c.allocs, got.calls, c.calls)
			}
		})
	}
}
