package rules

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/veilproxy/veil/bench/corpus"
)

// TestTooManyStatesNamesRules: a rule set whose selectors outgrow the
// automaton is refused with one diagnostic per rule that multiplies states
// (most present first, at most maxCulprits), each at the rule's selector
// present in the most states, with its id; key lists and plain paths beside
// them are never named.
func TestTooManyStatesNamesRules(t *testing.T) {
	descents := func(from, to int) string { // paths of three descents: 3^(to-from) states
		var b strings.Builder
		for i := from; i < to; i++ {
			fmt.Fprintf(&b, "        - \"$..a%d..b%d..c%d\"\n", i, i, i)
		}
		return b.String()
	}
	withinRules := func(n int) string { // n detector rules, each within its own key: 2^n states
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "  - {id: w%d, select: {detect: [email], within: [k%d]}, action: redact}\n", i, i)
		}
		return b.String()
	}
	const limit = "the rule set's selectors need more than 16384 automaton states"
	for _, c := range []struct {
		name, src string
		want      []string // each diagnostic's first line
	}{
		{"two rules with descents",
			"rules:\n  - id: first\n    select:\n      paths:\n" + descents(0, 5) + "    action: redact\n" +
				"  - id: second\n    select:\n      paths:\n" + descents(5, 9) + "    action: redact\n",
			[]string{
				`r.yaml:5:11: rule "first": selector "$..a0..b0..c0": ` + limit + "; use fewer recursive descents",
				`r.yaml:14:11: rule "second": selector "$..a5..b5..c5": ` + limit + "; use fewer recursive descents",
			}},
		{"key lists and paths beside descents are not named",
			"rules:\n" + corpus.ScaleRules(300, corpus.ScaleMixed)[len("rules:\n"):] +
				"  - id: deep\n    select:\n      paths:\n" + descents(0, 9) + "    action: redact\n",
			[]string{`r.yaml:305:11: rule "deep": selector "$..a0..b0..c0": ` + limit + "; use fewer recursive descents"}},
		{"within scopes of many rules",
			"rules:\n" + withinRules(15),
			[]string{
				`r.yaml:2:49: rule "w0": within "k0": ` + limit + "; use fewer within scopes",
				`r.yaml:3:49: rule "w1": within "k1": ` + limit + "; use fewer within scopes",
				`r.yaml:4:49: rule "w2": within "k2": ` + limit + "; use fewer within scopes",
				`r.yaml:5:49: rule "w3": within "k3": ` + limit + "; use fewer within scopes",
				`r.yaml:6:49: rule "w4": within "k4": ` + limit + "; use fewer within scopes",
			}},
		{"response layer",
			"rules:\n  - {id: k, select: {keys: [x]}, action: keep}\n  - id: resp\n    direction: response\n    select:\n      paths:\n" + descents(0, 9) + "    action: redact\n",
			[]string{`r.yaml:7:11: rule "resp": selector "$..a0..b0..c0": ` + limit + "; use fewer recursive descents"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Compile([]byte(c.src), Options{Filename: "r.yaml"})
			ce, ok := err.(*CompileError)
			if !ok {
				t.Fatalf("got %v, want a *CompileError", err)
			}
			var got []string
			for _, d := range ce.Diagnostics {
				got = append(got, strings.SplitN(d.String(), "\n", 2)[0])
			}
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}

// TestLargeRuleSetsCompile: sets the automaton once refused or compiled
// slowly (key lists beside paths multiplied states) compile, and decide
// like the reference matcher; within key names of one rule are one scope.
func TestLargeRuleSetsCompile(t *testing.T) {
	body := []byte(`{"users":[{"field_0":"a","key_3":"b","ALT-KEY-4":"c","n":{"keyname5":"d"}}],` +
		`"orders":[{"items":[{"x_1":"e","x_5":"f"}]}],"a":{"b_2":"g","b_6":"h"},"svc_3":{"email":"i"},"svc_7":{"Email":"j"}}`)
	for _, shape := range corpus.ScaleShapes {
		src := corpus.ScaleRules(1000, shape)
		p, err := Compile([]byte(src), Options{})
		if err != nil {
			t.Fatalf("%s: %v", shape, err)
		}
		checkReference(t, p, decodeSpec(t, src), body)
	}
	var b strings.Builder
	b.WriteString("rules:\n  - id: scoped\n    select:\n      detect: [email]\n      within:\n")
	for i := range 40 {
		fmt.Fprintf(&b, "        - k%d\n", i)
	}
	b.WriteString("    action: redact\n")
	p := mustCompile(t, b.String())
	out, _, err := p.Apply([]byte(`{"k3":{"k7":"a@x.com"},"other":"b@x.com"}`), Input{Direction: Request})
	if err != nil || string(out) != `{"k3":{"k7":"[REDACTED]"},"other":"b@x.com"}` {
		t.Errorf("got %s, %v", out, err)
	}
}

// TestAnywhereSelectors: selectors that match one label at any depth (key
// lists, $..name, $..*, $..[n]) decide by rule order against paths, at the
// shallowest value, in members and elements alike.
func TestAnywhereSelectors(t *testing.T) {
	for _, c := range []struct{ name, rules, in, want string }{
		{"key before path",
			`[{id: k, select: {keys: [email]}, action: redact}, {id: p, select: {paths: ["$.a.email"]}, action: keep}]`,
			`{"a":{"email":"x"},"email":"y"}`, `{"a":{"email":"[REDACTED]"},"email":"[REDACTED]"}`},
		{"path before key",
			`[{id: p, select: {paths: ["$.a.email"]}, action: keep}, {id: k, select: {keys: [email]}, action: redact}]`,
			`{"a":{"email":"x"},"email":"y","b":{"EMAIL":"z"}}`, `{"a":{"email":"x"},"email":"[REDACTED]","b":{"EMAIL":"[REDACTED]"}}`},
		{"shallowest decides",
			`[{id: p, select: {paths: ["$.a.b.c"]}, action: remove}, {id: k, select: {keys: [b]}, action: {redact: {with: 0}}}]`,
			`{"a":{"b":{"c":1}}}`, `{"a":{"b":0}}`},
		{"descendant name",
			`[{id: d, select: {paths: ["$..ssn"]}, action: redact}]`,
			`{"ssn":1,"l":[{"SSN":2},[{"x":{"ssn":3}}]]}`, `{"ssn":"[REDACTED]","l":[{"SSN":"[REDACTED]"},[{"x":{"ssn":"[REDACTED]"}}]]}`},
		{"descendant index",
			`[{id: i, select: {paths: ["$..[1]"]}, action: {redact: {with: null}}}, {id: k, select: {keys: [a]}, action: keep}]`,
			`{"a":[1,2],"b":[3,[4,5]]}`, `{"a":[1,2],"b":[3,null]}`},
		{"descendant wildcard",
			`[{id: p, select: {paths: ["$.keep"]}, action: keep}, {id: w, select: {paths: ["$..*"]}, action: {redact: {with: 1}}}]`,
			`{"keep":{"a":2},"x":[3],"y":{"z":4}}`, `{"keep":{"a":2},"x":1,"y":1}`},
		{"key inside path wildcard",
			`[{id: p, select: {paths: ["$.users[*].*"]}, action: {mask: {keep_last: 1}}}, {id: k, select: {keys: [pin]}, action: remove}]`,
			`{"users":[{"pin":"1234","name":"ann"}],"pin":5}`, `{"users":[{"pin":"***4","name":"**n"}]}`},
		{"case-sensitive keys",
			`[{id: c, case_sensitive: true, select: {keys: [Token]}, action: redact}, {id: k, select: {keys: [token_id]}, action: remove}]`,
			`{"Token":1,"token":2,"TOKEN-ID":3,"x":{"To_ken":4}}`, `{"Token":"[REDACTED]","token":2,"x":{"To_ken":"[REDACTED]"}}`},
		{"element classes",
			`[{id: i, select: {paths: ["$.l[0]"]}, action: {redact: {with: 0}}}, {id: d, select: {paths: ["$..[2]"]}, action: {redact: {with: 2}}}]`,
			`{"l":[7,8,9,[5,6,7]]}`, `{"l":[0,8,2,[5,6,2]]}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := mustCompile(t, "rules: "+c.rules)
			out, _, err := p.Apply([]byte(c.in), Input{Direction: Request})
			if err != nil || string(out) != c.want {
				t.Errorf("got %s (%v), want %s", out, err, c.want)
			}
			checkReference(t, p, decodeSpec(t, "rules: "+c.rules), []byte(c.in))
		})
	}
}

// TestAutomatonMatchesReference runs the generator of FuzzAutomaton over
// fixed seeds: random rule sets against random bodies, each decision
// compared with the naive reference matcher.
func TestAutomatonMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	for range 400 {
		data := make([]byte, 96)
		for i := range data {
			data[i] = byte(r.UintN(256))
		}
		checkGenerated(t, data)
	}
}

// FuzzAutomaton is a differential fuzz of the compiled automaton: the input
// drives a random rule set (paths with names, wildcards, indexes and
// descents, key lists, case_sensitive, shadow and response-only rules) and
// a random body over the same names in several spellings; Apply's counts per
// rule and its output must agree with the naive reference matcher.
func FuzzAutomaton(f *testing.F) {
	f.Add([]byte{0})
	f.Add([]byte("\x05\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"))
	f.Add([]byte("keys and paths, all of them: $..a.b[*]"))
	f.Fuzz(func(t *testing.T, data []byte) { checkGenerated(t, data) })
}

// checkGenerated compiles the rule set generated from data, applies it to
// the body generated from the rest, and compares with the reference.
func checkGenerated(t *testing.T, data []byte) {
	t.Helper()
	g := &gen{data: data}
	src := g.ruleSet()
	body := g.body()
	p, err := Compile([]byte(src), Options{})
	if err != nil {
		t.Fatalf("%v\n%s", err, src)
	}
	checkReference(t, p, decodeSpec(t, src), body)
}

// checkReference applies p to body (a request) and checks, as FuzzApply
// does, that each rule's count is the reference's and that no value an
// enforcing rule covers survives in the output.
func checkReference(t *testing.T, p *Program, spec *setSpec, body []byte) {
	t.Helper()
	out, rep, err := p.Apply(body, Input{Direction: Request})
	if err != nil {
		t.Fatalf("%v on %s", err, body)
	}
	counts := map[string]int{}
	for _, f := range rep.Findings {
		counts[f.Rule] = f.Count
	}
	want := map[string]int{}
	for _, shadow := range []bool{false, true} {
		ref := reference{spec: spec, t: t, count: want, shadow: shadow}
		ref.walk(parseTree(t, body), nil, false)
	}
	for _, r := range p.rules {
		if counts[r.id] != want[r.id] {
			t.Fatalf("rule %s: reported %d, reference counts %d\nbody %s\nout %s", r.id, counts[r.id], want[r.id], body, out)
		}
	}
	ref := reference{spec: spec, t: t, count: map[string]int{}}
	ref.walk(parseTree(t, out), nil, true)
}

// gen makes rule sets and bodies from fuzz input, reading one byte per
// choice (0 once the input is used up).
type gen struct {
	data []byte
	i    int
}

func (g *gen) byte() int {
	if g.i >= len(g.data) {
		return 0
	}
	g.i++
	return int(g.data[g.i-1])
}

// pick returns one of the choices.
func (g *gen) pick(choices ...string) string { return choices[g.byte()%len(choices)] }

// genNames are the configured names; genSpellings the member names of
// bodies (the names in other spellings, and others).
var (
	genNames     = []string{"a", "b", "email", "e_mail", "Token", "x1"}
	genSpellings = []string{"a", "A", "b", "email", "EMAIL", "e-mail", "E_Mail", "ｅｍａｉｌ", "Token", "token", "TOKEN", "x1", "X1", "x_1", "c", "a\u200b"}
)

// ruleSet returns one to eight rules. A remove rule selects by names only,
// so that the output's arrays keep their indexes for the reference.
func (g *gen) ruleSet() string {
	var b strings.Builder
	b.WriteString("rules:\n")
	for r := range 1 + g.byte()%8 {
		var sels []string
		namesOnly := true
		for range 1 + g.byte()%3 {
			if g.byte()%3 == 0 {
				keys := []string{g.pick(genNames...)}
				for range g.byte() % 3 {
					keys = append(keys, g.pick(genNames...))
				}
				sels = append(sels, "keys: ["+strings.Join(keys, ", ")+"]")
				continue
			}
			path := "$"
			for range 1 + g.byte()%4 {
				var st string
				switch g.byte() % 8 {
				case 0:
					st, namesOnly = "[*]", false
				case 1:
					st, namesOnly = fmt.Sprintf("[%d]", g.byte()%3), false
				case 2:
					st = "..[" + fmt.Sprint(g.byte()%3) + "]"
					namesOnly = false
				case 3:
					st, namesOnly = "..*", false
				case 4:
					st = ".." + g.pick(genNames...)
				default:
					st = "." + g.pick(genNames...)
				}
				path += st
			}
			sels = append(sels, `paths: ["`+path+`"]`)
		}
		action := g.pick("redact", "keep", "{mask: {keep_last: 1}}", "{redact: {with: 0}}", "remove")
		if action == "remove" && !namesOnly {
			action = "redact"
		}
		fmt.Fprintf(&b, "  - id: r%d\n    select: {%s}\n    action: %s\n", r, strings.Join(mergeSelects(sels), ", "), action)
		switch g.byte() % 8 {
		case 0:
			b.WriteString("    mode: shadow\n")
		case 1:
			b.WriteString("    direction: response\n")
		case 2:
			b.WriteString("    case_sensitive: true\n")
		}
	}
	return b.String()
}

// mergeSelects joins selectors of one kind into one entry (a select has one
// paths and one keys list).
func mergeSelects(sels []string) []string {
	var paths, keys []string
	for _, s := range sels {
		if rest, ok := strings.CutPrefix(s, "paths: ["); ok {
			paths = append(paths, strings.TrimSuffix(rest, "]"))
		} else {
			keys = append(keys, strings.TrimSuffix(strings.TrimPrefix(s, "keys: ["), "]"))
		}
	}
	var out []string
	if len(paths) > 0 {
		out = append(out, "paths: ["+strings.Join(paths, ", ")+"]")
	}
	if len(keys) > 0 {
		out = append(out, "keys: ["+strings.Join(keys, ", ")+"]")
	}
	return out
}

// body returns a JSON object of at most four levels over genSpellings.
func (g *gen) body() []byte {
	var b strings.Builder
	g.value(&b, 0, true)
	return []byte(b.String())
}

func (g *gen) value(b *strings.Builder, depth int, object bool) {
	kind := g.byte() % 4
	switch {
	case object || depth < 4 && kind == 0:
		b.WriteByte('{')
		for i := range g.byte() % 4 {
			if i > 0 {
				b.WriteByte(',')
			}
			name, _ := json.Marshal(g.pick(genSpellings...))
			b.Write(name)
			b.WriteByte(':')
			g.value(b, depth+1, false)
		}
		b.WriteByte('}')
	case depth < 4 && kind == 1:
		b.WriteByte('[')
		for i := range g.byte() % 4 {
			if i > 0 {
				b.WriteByte(',')
			}
			g.value(b, depth+1, false)
		}
		b.WriteByte(']')
	case kind == 2:
		fmt.Fprintf(b, "%d", g.byte())
	default:
		fmt.Fprintf(b, `"v%d"`, g.byte())
	}
}

// TestScaleSpellings: in a 1,000-rule set of key lists and paths, every
// spelling of a configured name selects its value, and near misses do not
// (host-test's TestPluginScaleSpellings runs the same through the .wasm).
func TestScaleSpellings(t *testing.T) {
	src := corpus.ScaleRules(1000, corpus.ScaleMixed)
	p := mustCompile(t, src)
	spec := decodeSpec(t, src)
	for _, c := range corpus.ScaleSpellings {
		t.Run(c.Class, func(t *testing.T) {
			out, _, err := p.Apply([]byte(c.Body), Input{Direction: Request})
			if err != nil {
				t.Fatal(err)
			}
			if survived := strings.Contains(string(out), "PLANT"); survived == c.Selected {
				t.Errorf("%s >> %s", c.Body, out)
			}
			checkReference(t, p, spec, []byte(c.Body))
		})
	}
}
