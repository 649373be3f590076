package hosttest_test

import (
	"bytes"
	"testing"

	"github.com/veilproxy/veil/bench/corpus"
	hosttest "github.com/veilproxy/veil/host-test"
)

// A VM's linear memory never shrinks and every Envoy worker holds one, so
// what a body adds to it is bounded: after configure, exchanges of bodies up
// to the body limit (1 MiB by default, both directions, every rule kind
// acting) grow linear memory by at most 3× the largest body plus 8 MiB.
func TestMemoryGrowthBoundedByBody(t *testing.T) {
	const largest = 1 << 20
	rules := corpus.ChatRules + `
  - id: fields
    select: { keys: [email, card_number], paths: ["$.messages[*].author"] }
    action: { mask: { keep_last: 2 } }
`
	vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(rules), BufferLimit: 4 << 20})
	baseline := vm.MemorySize()
	chat := corpus.Chat(7, largest-64<<10)
	for _, size := range []int{1 << 10, 16 << 10, 256 << 10, len(chat)} {
		body := chat
		if size < len(chat) {
			body = corpus.Chat(uint64(size), size)
		}
		for range 3 {
			res := vm.Do(jsonExchange(body, body, 0))
			if res.VMError != nil || res.LocalReply != nil {
				t.Fatalf("%d bytes: vm %v, reply %+v", len(body), res.VMError, res.LocalReply)
			}
			if size >= 16<<10 && (bytes.Equal(res.Request.Body, body) || bytes.Equal(res.Response.Body, body)) {
				t.Fatalf("%d bytes: a body left unchanged: the rules found nothing to act on", len(body))
			}
		}
	}
	growth := int(vm.MemorySize()) - int(baseline)
	limit := 3*len(chat) + 8<<20
	t.Logf("linear memory: %d bytes after configure, %d after bodies of up to %d bytes (growth %d, limit %d)",
		baseline, vm.MemorySize(), len(chat), growth, limit)
	if growth > limit {
		t.Errorf("linear memory grew by %d bytes over the post-configure %d; limit 3×%d + 8 MiB = %d", growth, baseline, len(chat), limit)
	}
}
