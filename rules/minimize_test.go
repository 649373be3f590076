package rules

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// minimizeSet returns a rule set minimizing responses to allow, plus a
// redact rule on "secret" keys, which sees what minimization left.
func minimizeSet(allow string) string {
	return `minimize:
  - id: public
    allow: ` + allow + `
rules:
  - { id: secret, select: { keys: [secret] }, action: redact }
`
}

func TestMinimize(t *testing.T) {
	for _, c := range []struct {
		name, allow, body, want string
		count                   int
		paths                   []string
	}{
		{"top level", `["$.id", "$.display_name"]`,
			`{"id":1,"email":"a@x.io","display_name":"Ann","ssn":"1"}`, `{"id":1,"display_name":"Ann"}`, 2, []string{"$.email", "$.ssn"}},
		{"first removed", `["$.id"]`, `{"email":"a","id":1}`, `{"id":1}`, 1, []string{"$.email"}},
		{"all removed", `["$.id"]`, `{"email":"a","ssn":"b"}`, `{}`, 2, nil},
		{"whitespace kept", `["$.b"]`, "{ \"a\" : 1 ,\n \"b\" : 2 , \"c\" : 3 }", "{  \n \"b\" : 2  }", 2, nil},
		{"subtree kept", `["$.profile"]`, `{"profile":{"a":{"b":[1,2]}},"x":1}`, `{"profile":{"a":{"b":[1,2]}}}`, 1, nil},
		{"ancestors kept", `["$.a.b.c"]`, `{"a":{"b":{"c":1,"d":2},"e":3},"f":4}`, `{"a":{"b":{"c":1}}}`, 3, []string{"$.a.b.d", "$.a.e", "$.f"}},
		{"ancestor scalar", `["$.a.b"]`, `{"a":5}`, `{}`, 1, nil},
		{"arrays", `["$.items[*].sku"]`, `{"items":[{"sku":"1","price":2},{"sku":"3","owner":"x"}],"total":5}`,
			`{"items":[{"sku":"1"},{"sku":"3"}]}`, 3, []string{"$.items[0].price", "$.items[1].owner", "$.total"}},
		{"array scalars", `["$.items[*].sku"]`, `{"items":[1,{"sku":"a"},"x"]}`, `{"items":[{"sku":"a"}]}`, 2, []string{"$.items[0]", "$.items[2]"}},
		{"index", `["$.items[1]"]`, `{"items":["a","b","c"]}`, `{"items":["b"]}`, 2, nil},
		{"nested arrays", `["$.m[*][*].v"]`, `{"m":[[{"v":1,"w":2}],[{"w":3}]]}`, `{"m":[[{"v":1}],[{}]]}`, 2, nil},
		{"root array", `["$[*].id"]`, `[{"id":1,"pw":"x"},{"pw":"y"}]`, `[{"id":1},{}]`, 2, nil},
		{"descendant", `["$..sku"]`, `{"a":{"sku":1,"b":2},"c":[{"sku":3}],"d":4}`, `{"a":{"sku":1},"c":[{"sku":3}]}`, 2, nil},
		{"case folded", `["$.displayName"]`, `{"DISPLAYNAME":"a","DisplayName":"b","ｄｉｓｐｌａｙＮａｍｅ":"c","display_name":"d"}`,
			`{"DISPLAYNAME":"a","DisplayName":"b","ｄｉｓｐｌａｙＮａｍｅ":"c"}`, 1, nil},
		{"escaped names", `["$.email"]`, `{"\u0065mail":"a","e\u200bmail":"b","emails":"c"}`, `{"\u0065mail":"a","e\u200bmail":"b"}`, 1, nil},
		{"duplicate keys", `["$.id"]`, `{"id":1,"x":1,"id":2,"x":2}`, `{"id":1,"id":2}`, 2, nil},
		{"allowed quoted name", `["$['first name']"]`, `{"first name":"A","last name":"B"}`, `{"first name":"A"}`, 1, nil},
		{"whole body", `["$"]`, `{"a":1}`, `{"a":1}`, 0, nil},
		{"root scalar", `["$.a"]`, `"text"`, `"text"`, 0, nil},
		{"rules after", `["$.user"]`, `{"user":{"secret":"s","name":"n"},"secret":"t"}`, `{"user":{"secret":"[REDACTED]","name":"n"}}`, 1, nil},
		{"doc example", `["$.id", "$.display_name", "$.items[*].sku"]`, `{"id":1,"email":"a@x.io","items":[{"sku":"7","cost":3},5],"meta":{"v":1}}`,
			`{"id":1,"items":[{"sku":"7"}]}`, 4, nil},
		{"doc folding", `["$.display_name"]`, `{"Display_Name":1,"\u0064isplay_name":2,"displayname":3}`, `{"Display_Name":1,"\u0064isplay_name":2}`, 1, nil},
		{"personal member name", `["$.id"]`, `{"id":1,"ann@example.com":true}`, `{"id":1}`, 1, []string{"$[<name>]"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := mustCompile(t, minimizeSet(c.allow))
			out, rep, err := p.Apply([]byte(c.body), Input{Direction: Response})
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != c.want {
				t.Errorf("got  %s\nwant %s", out, c.want)
			}
			if !json.Valid(out) {
				t.Errorf("invalid JSON: %s", out)
			}
			count := 0
			var paths []string
			for _, m := range rep.Minimized {
				if m.ID != "public" {
					t.Errorf("id %q", m.ID)
				}
				count, paths = m.Count, m.Paths
			}
			if count != c.count {
				t.Errorf("count %d, want %d", count, c.count)
			}
			if c.paths != nil && !reflect.DeepEqual(paths, c.paths) {
				t.Errorf("paths %q, want %q", paths, c.paths)
			}
			// the request side is untouched by default
			if out, _, _ := p.Apply([]byte(c.body), Input{Direction: Request}); c.count > 0 && string(out) == c.want {
				t.Errorf("request minimized: %s", out)
			}
		})
	}
}

// TestMinimizeConditions: when/unless pick the exchanges a list applies
// to; two lists that apply both cut (only what both allow stays).
func TestMinimizeConditions(t *testing.T) {
	p := mustCompile(t, `minimize:
  - id: public
    when: { path: "/api/public/**" }
    direction: [request, response]
    allow: ["$.id", "$.name"]
  - id: no-internal
    unless: { method: POST }
    allow: ["$.id", "$.email", "$.name"]
rules:
  - { id: r, select: { keys: [zzz] }, action: redact }
`)
	body := []byte(`{"id":1,"name":"n","email":"e","internal":"i"}`)
	for _, c := range []struct {
		in   Input
		want string
		ids  []string
	}{
		{Input{Direction: Response, Request: &RequestAttributes{Method: "GET", Path: "/api/public/x"}}, `{"id":1,"name":"n"}`, []string{"public"}}, // no-internal finds nothing left to remove
		{Input{Direction: Response, Request: &RequestAttributes{Method: "GET", Path: "/api/x"}}, `{"id":1,"name":"n","email":"e"}`, []string{"no-internal"}},
		{Input{Direction: Response, Request: &RequestAttributes{Method: "POST", Path: "/api/x"}}, string(body), nil},
		{Input{Direction: Request, Request: &RequestAttributes{Method: "GET", Path: "/api/public/x"}}, `{"id":1,"name":"n"}`, []string{"public"}},
		{Input{Direction: Response}, `{"id":1,"name":"n","email":"e"}`, []string{"no-internal"}},
	} {
		out, rep, err := p.Apply(body, c.in)
		if err != nil || string(out) != c.want {
			t.Errorf("%+v: got %s (%v), want %s", c.in.Request, out, err, c.want)
		}
		var ids []string
		for _, m := range rep.Minimized {
			ids = append(ids, m.ID)
		}
		if !reflect.DeepEqual(ids, c.ids) {
			t.Errorf("%+v: lists %v, want %v", c.in.Request, ids, c.ids)
		}
	}
}

// TestMinimizeInvalid: a body minimization cannot read fails as the walk
// reports it.
func TestMinimizeInvalid(t *testing.T) {
	p := mustCompile(t, minimizeSet(`["$.id"]`))
	for _, body := range []string{`{"id":1,"x":}`, `{"x":[1,2}`, `{"id":1} x`, ``, `[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]`} {
		if _, _, err := p.Apply([]byte(body), Input{Direction: Response}); err == nil {
			t.Errorf("%.40s: no error", body)
		}
	}
	deep := ""
	for range 200 {
		deep += `{"x":`
	}
	deep += "1"
	for range 200 {
		deep += "}"
	}
	if _, _, err := p.Apply([]byte(`{"id":1,"y":`+deep+`}`), Input{Direction: Response}); err == nil {
		t.Error("deep body: no error")
	}
}

func TestMarkResponses(t *testing.T) {
	if mustCompile(t, minimizeSet(`["$.a"]`)).MarkResponses() {
		t.Error("marked by default")
	}
	p := mustCompile(t, "mark_responses: true\njwt: {provider_metadata_key: my_payload}\n"+minimizeSet(`["$.a"]`))
	if !p.MarkResponses() || p.JWTMetadataKey() != "my_payload" || p.Conditional() {
		t.Error("settings not exposed")
	}
	if !mustCompile(t, viewsRules).Conditional() {
		t.Error("a set with conditions is not Conditional")
	}
}

// TestMinimizeApplies: a direction only a minimize list applies to is
// still one the plugin must buffer.
func TestMinimizeApplies(t *testing.T) {
	p := mustCompile(t, `minimize:
  - id: m
    allow: ["$.id"]
rules:
  - { id: r, direction: request, select: { keys: [email] }, action: redact }
`)
	if !p.Applies(Response) || !p.Applies(Request) {
		t.Errorf("Applies: request %v, response %v", p.Applies(Request), p.Applies(Response))
	}
	p = mustCompile(t, `minimize:
  - { id: m, direction: request, allow: ["$.id"] }
rules:
  - { id: r, direction: request, select: { keys: [email] }, action: redact }
`)
	if p.Applies(Response) {
		t.Error("Applies(Response) with nothing on responses")
	}
}

// TestMinimizeOnly: a rule set may minimize without rules.
func TestMinimizeOnly(t *testing.T) {
	p := mustCompile(t, "minimize:\n  - { id: m, allow: [\"$.id\"] }\n")
	out, rep, err := p.Apply([]byte(`{"id":1,"x":2}`), Input{Direction: Response})
	if err != nil || string(out) != `{"id":1}` || len(rep.Minimized) != 1 || len(rep.Findings) != 0 {
		t.Fatalf("got %s %+v %v", out, rep, err)
	}
	if out, _, _ := p.Apply([]byte(`{"id":1,"x":2}`), Input{Direction: Request}); string(out) != `{"id":1,"x":2}` || p.Applies(Request) {
		t.Fatalf("request side: %s", out)
	}
}

// TestMinimizePathsCapped: the count is exact, the paths capped at 64.
func TestMinimizePathsCapped(t *testing.T) {
	p := mustCompile(t, minimizeSet(`["$.id"]`))
	var b strings.Builder
	b.WriteString(`{"id":1`)
	for i := range 100 {
		fmt.Fprintf(&b, `,"k%d":%d`, i, i)
	}
	b.WriteString("}")
	out, rep, err := p.Apply([]byte(b.String()), Input{Direction: Response})
	if err != nil || string(out) != `{"id":1}` || len(rep.Minimized) != 1 {
		t.Fatalf("got %s %v", out, err)
	}
	if m := rep.Minimized[0]; m.Count != 100 || len(m.Paths) != maxReportPaths || m.Paths[63] != "$.k63" {
		t.Errorf("count %d, %d paths, last %q", m.Count, len(m.Paths), m.Paths[len(m.Paths)-1])
	}
}
