package rules

import "testing"

// BenchmarkNestedNoMatch: json_in_strings over chat-like messages whose
// content is text or a JSON document (tool-call arguments) with nothing to
// change; Apply must stay allocation-free.
func BenchmarkNestedNoMatch(b *testing.B) {
	body := []byte(`{"model":"m","messages":[`)
	for i := 0; len(body) < 256<<10; i++ {
		if i > 0 {
			body = append(body, ',')
		}
		body = append(body, `{"role":"user","content":"Could you tell me what went wrong with the order? It was due on Tuesday."},`...)
		body = append(body, `{"role":"assistant","tool_calls":[{"function":{"name":"lookup","arguments":"{\"order\":\"A-1207\",\"items\":[1,2,3],\"note\":\"\\\"rush\\\" delivery\"}"}}]}`...)
	}
	body = append(body, "]}"...)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	p := mustCompile(b, "json_in_strings: true\ninclude: [pii-basic, secrets]")
	in := Input{Direction: Request}
	for b.Loop() {
		out, _, err := p.Apply(body, in)
		if err != nil || len(out) != len(body) {
			b.Fatal(err)
		}
	}
}
