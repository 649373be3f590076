package rules

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// mustCompile compiles src or fails the test.
func mustCompile(t testing.TB, src string) *Program {
	t.Helper()
	p, err := Compile([]byte(src), Options{Filename: "test.yaml"})
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	return p
}

func TestApply(t *testing.T) {
	tests := []struct {
		name, rules, in, want string
	}{
		{"redact by path", `rules: [{id: r, select: {paths: ["$.a.b"]}, action: redact}]`,
			`{"a": {"b": "secret", "c": 1}}`, `{"a": {"b": "[REDACTED]", "c": 1}}`},
		{"redact by key at any depth", `rules: [{id: r, select: {keys: [email]}, action: redact}]`,
			`[{"email":"a"},{"x":{"email":"b"}}]`, `[{"email":"[REDACTED]"},{"x":{"email":"[REDACTED]"}}]`},
		{"escaped key (bypass)", `rules: [{id: r, select: {keys: [email]}, action: redact}]`,
			`{"\u0065mail":"a","e\u006dail":"b"}`, `{"\u0065mail":"[REDACTED]","e\u006dail":"[REDACTED]"}`},
		{"escaped key matches a path", `rules: [{id: r, select: {paths: ["$.email"]}, action: redact}]`,
			`{"\u0065mail":"a"}`, `{"\u0065mail":"[REDACTED]"}`},
		{"every duplicate key (bypass)", `rules: [{id: r, select: {paths: ["$.ssn"]}, action: redact}]`,
			`{"ssn":"1","ssn":"2","ssn":{"x":3}}`, `{"ssn":"[REDACTED]","ssn":"[REDACTED]","ssn":"[REDACTED]"}`},
		{"mixed case and separators (bypass)", `rules: [{id: r, select: {keys: [e_mail]}, action: redact}]`,
			`{"EMAIL":1,"E-Mail":2,"e.mail":3,"e mail":4,"Email_":5,"emails":6}`,
			`{"EMAIL":"[REDACTED]","E-Mail":"[REDACTED]","e.mail":"[REDACTED]","e mail":"[REDACTED]","Email_":"[REDACTED]","emails":6}`},
		{"unicode case folding (bypass)", `rules: [{id: r, select: {keys: [key]}, action: redact}]`,
			`{"\u212Aey":1,"ſ":2}`, `{"\u212Aey":"[REDACTED]","ſ":2}`},
		{"non-ASCII key names (marks dropped, ß is ss)", `rules: [{id: r, select: {keys: ["Émail", straße]}, action: redact}]`,
			`{"émail":1,"\u00c9MAIL":2,"EMAIL":3,"STRASSE":4,"Straße":5,"EMAILS":6}`, `{"émail":"[REDACTED]","\u00c9MAIL":"[REDACTED]","EMAIL":"[REDACTED]","STRASSE":"[REDACTED]","Straße":"[REDACTED]","EMAILS":6}`},
		{"path names fold case", `rules: [{id: r, select: {paths: ["$.email"]}, action: redact}]`,
			`{"Email":1,"email":2,"e_mail":3}`, `{"Email":"[REDACTED]","email":"[REDACTED]","e_mail":3}`},
		{"case_sensitive path names", `rules: [{id: r, case_sensitive: true, select: {paths: ["$.email"]}, action: redact}]`,
			`{"Email":1,"email":2,"e\u200bmail":3}`, `{"Email":1,"email":"[REDACTED]","e\u200bmail":"[REDACTED]"}`},
		{"numbers are values (bypass)", `rules: [{id: r, select: {keys: [card]}, action: redact}]`,
			`{"card":4111111111111111}`, `{"card":"[REDACTED]"}`},
		{"redact object whole", `rules: [{id: r, select: {keys: [address]}, action: redact}]`,
			`{"address":{"street":"x","zip":[1,2]},"n":1}`, `{"address":"[REDACTED]","n":1}`},
		{"redact with any value", `rules: [{id: r, select: {keys: [a, b, c]}, action: {redact: {with: {x: [1, null, true], "q\"": 1.50}}}}]`,
			`{"a":"x"}`, `{"a":{"x":[1,null,true],"q\"":1.50}}`},
		{"redact with escaped string", `rules: [{id: r, select: {keys: [a]}, action: {redact: {with: "<\"\\\n>"}}}]`,
			`{"a":"x"}`, `{"a":"<\"\\\n>"}`},
		{"mask keep_last with separators", `rules: [{id: r, select: {keys: [pan]}, action: {mask: {keep_last: 4}}}]`,
			`{"pan":"4111-1111-1111-1234"}`, `{"pan":"****-****-****-1234"}`},
		{"mask keep_first and char", `rules: [{id: r, select: {keys: [n]}, action: {mask: {keep_first: 2, keep_last: 1, char: "#"}}}]`,
			`{"n":"ab cdé\u00e9f"}`, `{"n":"ab ####f"}`},
		{"mask number emits a string", `rules: [{id: r, select: {keys: [pan]}, action: {mask: {keep_last: 4}}}]`,
			`{"pan":-4111111111111111,"pan":1.5e3}`, `{"pan":"-************1111","pan":"*.*e3"}`},
		{"mask number counts every digit", `rules: [{id: r, select: {keys: [n]}, action: mask}]`,
			`{"n":-1.5E+30}`, `{"n":"-*.**+**"}`},
		{"mask keeps escapes of kept characters", `rules: [{id: r, select: {keys: [s]}, action: mask}]`,
			`{"s":"a\"b\\c\u00e9\ud83d\ude00"}`, `{"s":"*\"*\\**\ud83d\ude00"}`},
		{"mask quote char is escaped", `rules: [{id: r, select: {keys: [s]}, action: {mask: {char: "\""}}}]`,
			`{"s":"ab"}`, `{"s":"\"\""}`},
		{"mask leaves booleans and null", `rules: [{id: r, select: {keys: [s]}, action: mask}]`,
			`{"s":true,"s":null,"s":false}`, `{"s":true,"s":null,"s":false}`},
		{"mask container masks leaves", `rules: [{id: r, select: {keys: [s]}, action: mask}]`,
			`{"s":{"a":"xy","b":[12,true,"z"]}}`, `{"s":{"a":"**","b":["**",true,"*"]}}`},
		{"remove first member", `rules: [{id: r, select: {paths: ["$.a"]}, action: remove}]`,
			`{"a":1,"b":2}`, `{"b":2}`},
		{"remove middle member", `rules: [{id: r, select: {paths: ["$.b"]}, action: remove}]`,
			`{"a":1, "b":2, "c":3}`, `{"a":1, "c":3}`},
		{"remove last member", `rules: [{id: r, select: {paths: ["$.c"]}, action: remove}]`,
			`{"a":1,"b":2,"c":3}`, `{"a":1,"b":2}`},
		{"remove all members", `rules: [{id: r, select: {paths: ["$.*"]}, action: remove}]`,
			`{ "a" : 1 , "b" : 2 }`, `{   }`},
		{"remove array elements", `rules: [{id: r, select: {paths: ["$[0]", "$[2]", "$[3]"]}, action: remove}]`,
			`[0,1,2,3,4]`, `[1,4]`},
		{"remove by key keeps commas valid", `rules: [{id: r, select: {keys: [x]}, action: remove}]`,
			`[{"x":1},{"y":1,"x":2},{"x":1,"y":2,"x":3},{"x":{}}]`, `[{},{"y":1},{"y":2},{}]`},
		{"keep first carves an exception", `rules: [{id: k, select: {paths: ["$.support.email"]}, action: keep}, {id: r, select: {keys: [email]}, action: redact}]`,
			`{"support":{"email":"help@x"},"user":{"email":"me@x"}}`, `{"support":{"email":"help@x"},"user":{"email":"[REDACTED]"}}`},
		{"keep keeps a whole subtree", `rules: [{id: k, select: {paths: ["$.public"]}, action: keep}, {id: r, select: {keys: [email]}, action: redact}]`,
			`{"public":{"email":"a"},"email":"b"}`, `{"public":{"email":"a"},"email":"[REDACTED]"}`},
		{"first rule in file order decides", `rules: [{id: m, select: {keys: [email]}, action: mask}, {id: r, select: {paths: ["$.email"]}, action: redact}]`,
			`{"email":"ab"}`, `{"email":"**"}`},
		{"wildcards and indexes", `rules: [{id: r, select: {paths: ["$.u[*].e", "$.v[1]", "$['w x'].*", "$[\"y\"][0]"]}, action: redact}]`,
			`{"u":[{"e":1},{"e":2}],"v":[1,2,3],"w x":{"a":1},"y":[1,2]}`,
			`{"u":[{"e":"[REDACTED]"},{"e":"[REDACTED]"}],"v":[1,"[REDACTED]",3],"w x":{"a":"[REDACTED]"},"y":["[REDACTED]",2]}`},
		{"recursive descent", `rules: [{id: r, select: {paths: ["$..ssn", "$.a..[0]"]}, action: redact}]`,
			`{"ssn":1,"x":[{"ssn":2}],"a":{"b":[[5,6]]}}`, `{"ssn":"[REDACTED]","x":[{"ssn":"[REDACTED]"}],"a":{"b":["[REDACTED]"]}}`},
		{"root redact", `rules: [{id: r, select: {paths: ["$"]}, action: redact}]`,
			` {"a":1} `, ` "[REDACTED]" `},
		{"whitespace and number spelling survive", `rules: [{id: r, select: {keys: [s]}, action: redact}]`,
			"{\n  \"n\" : 1.0E+2,\n\t\"s\":\"x\" ,\"m\":[ -0 ]\n}", "{\n  \"n\" : 1.0E+2,\n\t\"s\":\"[REDACTED]\" ,\"m\":[ -0 ]\n}"},
		{"direction filter", `rules: [{id: r, select: {keys: [a]}, direction: response, action: redact}, {id: q, select: {keys: [b]}, direction: [request], action: redact}]`,
			`{"a":1,"b":2}`, `{"a":1,"b":"[REDACTED]"}`},
		{"shadow rule changes nothing", `rules: [{id: r, select: {keys: [a]}, mode: shadow, action: remove}, {id: q, select: {keys: [b]}, action: redact}]`,
			`{"a":1,"b":2}`, `{"a":1,"b":"[REDACTED]"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustCompile(t, tt.rules)
			out, _, err := p.Apply([]byte(tt.in), Input{Direction: Request})
			if err != nil {
				t.Fatalf("apply: %v", err)
			}
			if string(out) != tt.want {
				t.Errorf("got  %s\nwant %s", out, tt.want)
			}
		})
	}
}

func TestApplyErrors(t *testing.T) {
	p := mustCompile(t, `rules: [{id: r, select: {keys: [a]}, action: redact}]`)
	for _, in := range []string{``, ` `, `{`, `{"a":1,}`, `[1,]`, `{"a" 1}`, `{a:1}`, `"x`, `"\x"`, "\"\x01\"", `01`, `1.`, `-`, `1e`, `tru`, `nul`, `{"a":1}x`, `[1 2]`, `{"a":1 "b":2}`, `{"a":"[REDACTED]"`, `"\u12"`, `]`} {
		out, rep, err := p.Apply([]byte(in), Input{Direction: Request})
		if !errors.Is(err, ErrInvalidJSON) || out != nil || rep.Findings != nil {
			t.Errorf("%q: got out=%q err=%v, want ErrInvalidJSON and no output", in, out, err)
		}
	}
}

func TestApplyDepth(t *testing.T) {
	src := `rules: [{id: r, select: {keys: [a]}, action: redact}]`
	deep := func(n int) []byte { return []byte(strings.Repeat("[", n) + strings.Repeat("]", n)) }
	p := mustCompile(t, src)
	if _, _, err := p.Apply(deep(DefaultMaxDepth), Input{Direction: Request}); err != nil {
		t.Errorf("depth %d: %v", DefaultMaxDepth, err)
	}
	for _, body := range [][]byte{deep(DefaultMaxDepth + 1), deep(1 << 20), []byte(strings.Repeat(`{"a":`, 200) + "1" + strings.Repeat("}", 200))} {
		if out, _, err := p.Apply(body, Input{Direction: Request}); !errors.Is(err, ErrTooDeep) || out != nil {
			t.Errorf("len %d: got %v, want ErrTooDeep", len(body), err)
		}
	}
	p, err := Compile([]byte(src), Options{MaxDepth: 3})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := p.Apply([]byte(`[[[1]]]`), Input{Direction: Request}); err != nil {
		t.Errorf("depth 3: %v", err)
	}
	if _, _, err := p.Apply([]byte(`[[[{}]]]`), Input{Direction: Request}); !errors.Is(err, ErrTooDeep) {
		t.Errorf("depth 4: got %v, want ErrTooDeep", err)
	}
}

func TestApplyUnknownDirection(t *testing.T) {
	p := mustCompile(t, `rules: [{id: r, select: {keys: [a]}, action: redact}]`)
	if _, _, err := p.Apply([]byte(`{}`), Input{}); err == nil {
		t.Error("want an error for a zero Direction")
	}
}

func TestApplyUnchangedIsSameSliceWithoutAllocation(t *testing.T) {
	p := mustCompile(t, `rules: [{id: r, select: {keys: [email], paths: ["$.users[*].ssn"]}, action: redact}, {id: s, select: {keys: [x]}, mode: shadow, action: redact}]`)
	body := []byte(`{"users":[{"name":"a","\u006eame":"b","tags":[1,2.5e3,true,null]}], "x": 1}`)
	out, rep, err := p.Apply(body, Input{Direction: Request})
	if err != nil || &out[0] != &body[0] || len(out) != len(body) {
		t.Fatalf("want the same slice back, got %q, %v", out, err)
	}
	if rep.Total() != 1 || !rep.Findings[0].Shadow {
		t.Errorf("want one shadow finding, got %+v", rep)
	}
	clean := []byte(`{"users":[{"name":"a","\u006eame":"b","tags":[1,2.5e3,true,null]}]}`)
	allocs := testing.AllocsPerRun(100, func() {
		if _, rep, err := p.Apply(clean, Input{Direction: Response}); err != nil || rep.Findings != nil {
			t.Fatal(err, rep)
		}
	})
	if allocs != 0 {
		t.Errorf("Apply allocated %v times on a body without a match", allocs)
	}
}

func TestReport(t *testing.T) {
	p := mustCompile(t, `
mode: enforce
rules:
  - {id: keep, select: {keys: [public]}, action: keep}
  - {id: mail, select: {keys: [email]}, action: redact}
  - {id: odd, select: {paths: ["$['a b'][\"it's\"]", "$['\u00e9\\\\']"]}, action: mask, mode: shadow}
`)
	var in strings.Builder
	in.WriteString(`{"a b":{"it's":"x"},"é\\":"y","public":{"email":1},"list":[`)
	for i := range 100 {
		if i > 0 {
			in.WriteByte(',')
		}
		in.WriteString(`{"email":"e"}`)
	}
	in.WriteString(`]}`)
	_, rep, err := p.Apply([]byte(in.String()), Input{Direction: Response})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) != 2 || rep.Total() != 102 {
		t.Fatalf("got %+v", rep)
	}
	mail, odd := rep.Findings[0], rep.Findings[1]
	if mail.Rule != "mail" || mail.Action != "redact" || mail.Shadow || mail.Count != 100 || len(mail.Paths) != maxReportPaths || mail.Paths[63] != "$.list[63].email" {
		t.Errorf("mail finding: %+v", mail)
	}
	if odd.Rule != "odd" || odd.Action != "mask" || !odd.Shadow || odd.Count != 2 ||
		odd.Paths[0] != `$['a b']['it\'s']` || odd.Paths[1] != `$['é\\']` {
		t.Errorf("odd finding: %+v", odd)
	}
}

func TestApplyConcurrent(t *testing.T) {
	p := mustCompile(t, `rules: [{id: r, select: {keys: [email]}, action: redact}]`)
	done := make(chan string)
	for g := range 4 {
		go func() {
			in := fmt.Sprintf(`{"email":"%d","n":[%d]}`, g, g)
			want := fmt.Sprintf(`{"email":"[REDACTED]","n":[%d]}`, g)
			for range 200 {
				out, rep, err := p.Apply([]byte(in), Input{Direction: Request})
				if err != nil || string(out) != want || rep.Findings[0].Paths[0] != "$.email" {
					done <- fmt.Sprintf("got %s %v %v", out, rep, err)
					return
				}
			}
			done <- ""
		}()
	}
	for range 4 {
		if msg := <-done; msg != "" {
			t.Error(msg)
		}
	}
}
