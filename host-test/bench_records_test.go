package hosttest_test

import (
	"bytes"
	"testing"

	hosttest "github.com/veilproxy/veil/host-test"
	"github.com/veilproxy/veil/rules"
)

// streamBenchRules finds the planted values wherever they are, so that the
// same records cost the same work as SSE events and as elements of a JSON
// array.
const streamBenchRules = `
version: 1
name: bench
rules:
  - id: pii
    select: { detect: [email, phone, credit_card, us_ssn, iban] }
    action: redact
`

// streamBenchFrame is the DATA frame size of the streamed benchmarks: 16
// KiB, the usual HTTP/2 frame.
const streamBenchFrame = 16 << 10

// benchRecords returns the data payloads of the events of
// testdata/streams/openai-chat.sse, repeated to about size bytes of SSE,
// both as an event stream and as JSON arrays of at most maxArray bytes
// (the same records for the whole-body path).
func benchRecords(t testing.TB, size, maxArray int) (sse []byte, arrays [][]byte) {
	t.Helper()
	var records [][]byte
	for ev := range bytes.SplitSeq(streamsData(t, "openai-chat.sse"), []byte("\n\n")) {
		if rec, ok := bytes.CutPrefix(ev, []byte("data: {")); ok {
			records = append(records, append([]byte("{"), rec...))
		}
	}
	array := []byte{'['}
	for i := 0; len(sse) < size; i++ {
		rec := records[i%len(records)]
		sse = append(append(append(sse, "data: "...), rec...), "\n\n"...)
		if len(array)+len(rec)+2 > maxArray {
			arrays = append(arrays, append(array[:len(array)-1], ']'))
			array = []byte{'['}
		}
		array = append(append(array, rec...), ',')
	}
	return sse, append(arrays, append(array[:len(array)-1], ']'))
}

// Streaming holds one record, never the body: what a record stream costs
// the guest's linear memory does not grow with the stream's length. Each
// body callback copies its frame into the VM and leaves garbage, so the Go
// heap grows once to its GC goal (GOGC=50 over the live heap, a fixed
// headroom) whatever the length; beyond that, an 8 MiB stream in 16 KiB
// frames may add less than 2× limits.max_record_bytes (1 MiB by default)
// to what a 1 MiB stream grew, and the output is the native rewrite.
// Fresh VMs, each warmed up with a short stream first.
func TestRecordStreamMemory(t *testing.T) {
	sse, _ := benchRecords(t, 8<<20, 1<<20)
	p := compileStreams(t, []byte(streamBenchRules))
	growth := func(body []byte) int {
		want, _, err := p.ApplyAs(rules.BodyEventStream, body, rules.Input{Direction: rules.Response}, p.Apply)
		if err != nil {
			t.Fatal(err)
		}
		vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(streamBenchRules)})
		vm.Do(streamExchange("text/event-stream", sse[:64<<10], streamBenchFrame))
		before := vm.MemorySize()
		res := vm.Do(streamExchange("text/event-stream", body, streamBenchFrame))
		if res.VMError != nil || len(res.Errors) > 0 || !bytes.Equal(res.Response.Body, want) {
			t.Fatalf("vm %v, errors %q, output equal to native: %t", res.VMError, res.Errors, bytes.Equal(res.Response.Body, want))
		}
		return int(vm.MemorySize()) - int(before)
	}
	short, long := growth(sse[:1<<20]), growth(sse)
	limit := 2 * p.MaxRecordBytes()
	t.Logf("linear memory growth: %d bytes streaming 1 MiB, %d streaming %d bytes (difference limit %d)", short, long, len(sse), limit)
	if long-short >= limit {
		t.Errorf("streaming %d bytes grew linear memory by %d, %d more than 1 MiB did; limit 2×max_record_bytes = %d", len(sse), long, long-short, limit)
	}
}

// BenchmarkStreamWasm streams 4 MB of SSE (OpenAI chat chunks with
// planted values) through the .wasm in 16 KiB frames, one stream per op
// ("stream"), against the whole-body path on the same records: the same
// 4 MB as JSON arrays of at most 1 MiB (the body limit), buffered and
// rewritten whole ("whole"). Both report MB/s of records; linear-growth-B
// is the guest's linear memory growth over the run.
//
//	go test ./host-test -run '^$' -bench '^BenchmarkStreamWasm$' -count 3
func BenchmarkStreamWasm(b *testing.B) {
	sse, arrays := benchRecords(b, 4<<20, 1<<20)
	b.Run("path=stream", func(b *testing.B) {
		vm := start(b, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(streamBenchRules)})
		ex := streamExchange("text/event-stream", sse, streamBenchFrame)
		before := vm.MemorySize()
		b.SetBytes(int64(len(sse)))
		for b.Loop() {
			if res := vm.Do(ex); res.VMError != nil || len(res.Errors) > 0 || bytes.Contains(res.Response.Body, []byte("alice@")) {
				b.Fatalf("vm %v, errors %q", res.VMError, res.Errors)
			}
		}
		b.ReportMetric(float64(vm.MemorySize()-before), "linear-growth-B")
	})
	b.Run("path=whole", func(b *testing.B) {
		vm := start(b, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(streamBenchRules)})
		var exs []hosttest.Exchange
		n := 0
		for _, a := range arrays {
			exs = append(exs, streamExchange("application/json", a, streamBenchFrame))
			n += len(a)
		}
		before := vm.MemorySize()
		b.SetBytes(int64(n))
		for b.Loop() {
			for _, ex := range exs {
				if res := vm.Do(ex); res.VMError != nil || len(res.Errors) > 0 || bytes.Contains(res.Response.Body, []byte("alice@")) {
					b.Fatalf("vm %v, errors %q", res.VMError, res.Errors)
				}
			}
		}
		b.ReportMetric(float64(vm.MemorySize()-before), "linear-growth-B")
	})
}
