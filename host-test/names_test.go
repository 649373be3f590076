package hosttest_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/veilproxy/veil/bench/corpus"
	hosttest "github.com/veilproxy/veil/host-test"
	"github.com/veilproxy/veil/rules"
)

// Every class of member-name spelling through the .wasm, in both directions:
// a key rule selects the Match and KeyOnly spellings, a path rule the Match
// spellings only, neither a near miss; the bodies equal the native engine's.
func TestPluginMemberNameSpellings(t *testing.T) {
	m := load(t, "veil", hosttest.Envoy133)
	for _, cl := range corpus.NameClasses {
		t.Run(cl.Class, func(t *testing.T) {
			spellings := cl.All()
			body := corpus.MemberBody(spellings)
			for _, kind := range []string{"keys", "paths"} {
				sel := fmt.Sprintf(`keys: [%q]`, cl.Name)
				if kind == "paths" {
					sel = fmt.Sprintf(`paths: ["$.a['%s']"]`, cl.Name)
				}
				src := []byte(fmt.Sprintf("rules: [{id: r, select: {%s}, action: {redact: {with: X}}}]", sel))
				vm, err := m.Start(context.Background(), hosttest.Config{PluginConfig: src})
				if err != nil {
					t.Fatal(err)
				}
				res := vm.Do(jsonExchange(body, body, 0))
				if res.VMError != nil || res.LocalReply != nil {
					t.Fatalf("%s: vm %v, local reply %+v", kind, res.VMError, res.LocalReply)
				}
				for d, out := range map[rules.Direction][]byte{rules.Request: res.Request.Body, rules.Response: res.Response.Body} {
					if want := native(t, src, body, d); !bytes.Equal(out, want) {
						t.Errorf("%s: wasm\n%s\nnative\n%s", kind, out, want)
					}
					for i, s := range spellings {
						selected := i < len(cl.Match) || kind == "keys" && i < len(cl.Match)+len(cl.KeyOnly)
						if kept := bytes.Contains(out, fmt.Appendf(nil, `"%s":"v%d"`, s, i)); kept == selected {
							t.Errorf("%s: %q selected %v, want %v\n%s", kind, s, !kept, selected, out)
						}
					}
				}
				vm.Close(context.Background())
			}
		})
	}
}

// case_sensitive through the .wasm: only case folding is off, for that rule.
func TestPluginCaseSensitive(t *testing.T) {
	src := []byte(`rules:
  - {id: cs, case_sensitive: true, select: {paths: ["$.user.Email"], keys: [Api_Key]}, action: {redact: {with: cs}}}
  - {id: ci, select: {paths: ["$.user.email"]}, action: {redact: {with: ci}}}
`)
	in := []byte(`{"user":{"Email":1,"EMAIL":2,"Ｅｍａｉｌ":3,"E\u200bmail":4,"email":5},"x":{"ApiKey":6,"apikey":7,"Api-Key":8}}`)
	want := `{"user":{"Email":"cs","EMAIL":"ci","Ｅｍａｉｌ":"cs","E\u200bmail":"cs","email":"ci"},"x":{"ApiKey":"cs","apikey":7,"Api-Key":"cs"}}`
	vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: src})
	res := vm.Do(jsonExchange(in, []byte(`{}`), 0))
	if string(res.Request.Body) != want {
		t.Errorf("got  %s\nwant %s", res.Request.Body, want)
	}
}

// The name corpus through the .wasm, in 7-byte chunks: every value the key
// or path rule selects is gone, every near miss stays, and the bodies equal
// the native engine's.
func TestPluginNameCorpus(t *testing.T) {
	c := corpus.Names(7, 60)
	m := load(t, "veil", hosttest.Envoy133)
	for _, kind := range []string{"keys", "paths"} {
		src := []byte(corpus.NameRules(kind))
		vm, err := m.Start(context.Background(), hosttest.Config{PluginConfig: src})
		if err != nil {
			t.Fatal(err)
		}
		outs := make([][]byte, len(c.Docs))
		for i, d := range c.Docs {
			res := vm.Do(jsonExchange(d, []byte(`{}`), 7))
			if want := native(t, src, d, rules.Request); !bytes.Equal(res.Request.Body, want) {
				t.Fatalf("%s doc %d: wasm\n%s\nnative\n%s", kind, i, res.Request.Body, want)
			}
			outs[i] = res.Request.Body
		}
		for _, p := range c.Plants {
			selected := !p.Miss && (kind == "keys" || !p.KeyOnly)
			if gone := !bytes.Contains(outs[p.Doc], []byte(p.Value)); gone != selected {
				t.Errorf("%s: %s %q selected %v, want %v", kind, p.Class, p.Spelling, gone, selected)
			}
		}
		vm.Close(context.Background())
	}
}
