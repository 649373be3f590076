package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/veilproxy/veil/rules/internal/detect"
	"github.com/veilproxy/veil/rules/packs"
	"go.yaml.in/yaml/v3"
)

// The editor schema (schema.json, JSON Schema draft-07, for
// yaml-language-server and other editors) is checked against the compiler:
// every rule set of the repository validates, every closed object of the
// schema has exactly the fields the compiler knows at that position (read
// from the compiler's own "unknown field … (want …)" diagnostic), its enums
// are the compiler's lists, and invalid rule sets are refused by both.

// schemaKey is base64 key material (32 bytes) for the rule sets that name
// crypto_keys from the environment; test only.
const schemaKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

// schemaLoad reads schema.json and compiles it with a draft-07 validator.
func schemaLoad(t *testing.T) (raw map[string]any, sch *jsonschema.Schema) {
	t.Helper()
	src, err := os.ReadFile("schema.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(src))
	if err != nil {
		t.Fatalf("schema.json: %v", err)
	}
	raw = doc.(map[string]any)
	id, _ := raw["$id"].(string)
	if raw["$schema"] != "http://json-schema.org/draft-07/schema#" || id == "" {
		t.Fatalf("schema.json: want draft-07 ($schema) and an $id, got %v, %q", raw["$schema"], id)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(id, doc); err != nil {
		t.Fatal(err)
	}
	if sch, err = c.Compile(id); err != nil {
		t.Fatalf("schema.json: %v", err)
	}
	return raw, sch
}

// schemaInstance reads a rule set (YAML or JSON) as the compiler does (one
// YAML parser, aliases resolved, keys as written) into the values the
// validator takes.
func schemaInstance(src []byte) (any, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, err
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, errors.New("empty document")
	}
	return schemaValue(doc.Content[0])
}

func schemaValue(n *yaml.Node) (any, error) {
	n = resolve(n)
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			v, err := schemaValue(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[resolve(n.Content[i]).Value] = v
		}
		return m, nil
	case yaml.SequenceNode:
		s := make([]any, len(n.Content))
		for i, c := range n.Content {
			v, err := schemaValue(c)
			if err != nil {
				return nil, err
			}
			s[i] = v
		}
		return s, nil
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return nil, nil
		case "!!bool":
			var b bool
			err := n.Decode(&b)
			return b, err
		case "!!int", "!!float":
			j, err := appendScalarJSON(nil, n)
			return json.Number(j), err
		}
		return n.Value, nil
	}
	return nil, fmt.Errorf("line %d: unexpected %s", n.Line, kindName(n))
}

// schemaEnv gives every crypto_keys variable the test key.
func schemaEnv(string) (string, bool) { return schemaKey, true }

// schemaRuleSets returns the rule sets of the repository, by file name:
// examples, packs, the rule sets under testdata/ and the YAML blocks of the
// documentation that compile, and the ones embedded in the Envoy, Istio and
// Envoy Gateway files under envoy/.
func schemaRuleSets(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, pattern := range []string{"../examples/*/rules.yaml", "packs/*.yaml", "testdata/schema/valid/*.yaml", "../host-test/testdata/*/rules*.yaml"} {
		files, _ := filepath.Glob(pattern)
		if len(files) == 0 {
			t.Fatalf("no %s", pattern)
		}
		for _, f := range files {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			out[f] = src
		}
	}
	err := filepath.WalkDir("testdata", func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || strings.HasPrefix(path, filepath.Join("testdata", "schema")) {
			return err
		}
		if name := e.Name(); !strings.HasPrefix(name, "rules") || !strings.HasSuffix(name, ".yaml") && !strings.HasSuffix(name, ".json") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if _, err := Compile(src, Options{Env: schemaEnv}); err == nil {
			out[path] = src
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	docs, _ := filepath.Glob("../docs/*.md")
	for _, f := range append(docs, "SYNTAX.md", "../README.md", "packs/README.md") {
		doc, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, block := range schemaYAMLBlocks.FindAllSubmatch(doc, -1) {
			if _, err := Compile(block[1], Options{Env: schemaEnv}); err == nil {
				out[fmt.Sprintf("%s#%d", f, i+1)] = block[1]
			}
		}
	}
	envoy, _ := filepath.Glob("../envoy/*.yaml")
	more, _ := filepath.Glob("../envoy/*/*.yaml")
	embedded := 0
	for _, f := range append(envoy, more...) {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, set := range schemaEmbeddedRuleSets(t, f, src) {
			out[fmt.Sprintf("%s#%d", f, i+1)] = set
			embedded++
		}
	}
	if embedded == 0 {
		t.Fatal("no rule set embedded under envoy/")
	}
	return out
}

// schemaYAMLBlocks finds the YAML blocks of a Markdown document.
var schemaYAMLBlocks = regexp.MustCompile("(?ms)^```ya?ml\n(.*?)^```")

// schemaEmbeddedRuleSets finds the rule sets in a deployment file (every YAML
// document): a mapping holding version and rules (Istio's pluginConfig,
// Envoy Gateway's config), or a string holding one (Envoy's
// google.protobuf.StringValue).
func schemaEmbeddedRuleSets(t *testing.T, file string, src []byte) [][]byte {
	t.Helper()
	isSet := func(n *yaml.Node) bool {
		return n.Kind == yaml.MappingNode && field(n, "version") != nil && field(n, "rules") != nil
	}
	var out [][]byte
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		switch {
		case isSet(n):
			text, err := yaml.Marshal(n)
			if err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			out = append(out, text)
			return
		case n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" && strings.Contains(n.Value, "rules:"):
			var inner yaml.Node
			if yaml.Unmarshal([]byte(n.Value), &inner) == nil && len(inner.Content) > 0 && isSet(inner.Content[0]) {
				out = append(out, []byte(n.Value))
			}
			return
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	dec := yaml.NewDecoder(bytes.NewReader(src))
	for {
		var doc yaml.Node
		if err := dec.Decode(&doc); err != nil {
			break
		}
		walk(&doc)
	}
	return out
}

// TestSchemaAcceptsRuleSets: every rule set of the repository that compiles
// validates against the schema.
func TestSchemaAcceptsRuleSets(t *testing.T) {
	_, sch := schemaLoad(t)
	sets := schemaRuleSets(t)
	for _, name := range slices.Sorted(maps.Keys(sets)) {
		src := sets[name]
		if _, err := Compile(src, Options{Filename: name, Env: schemaEnv}); err != nil {
			t.Errorf("%s: does not compile:\n%v", name, err)
			continue
		}
		v, err := schemaInstance(src)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if err := sch.Validate(v); err != nil {
			t.Errorf("%s: compiles, but the schema refuses it:\n%v", name, err)
		}
	}
	t.Logf("%d rule sets validate: %s", len(sets), strings.Join(slices.Sorted(maps.Keys(sets)), ", "))
}

// TestSchemaRefusesInvalid: each rule set under testdata/schema/invalid (its
// first line says what is wrong) is refused by the schema and by the
// compiler, so the schema is not vacuous.
func TestSchemaRefusesInvalid(t *testing.T) {
	_, sch := schemaLoad(t)
	files, _ := filepath.Glob("testdata/schema/invalid/*.yaml")
	if len(files) < 10 {
		t.Fatalf("%d invalid rule sets, want at least 10", len(files))
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Compile(src, Options{Env: schemaEnv}); err == nil {
			t.Errorf("%s: the compiler accepts it", f)
		}
		v, err := schemaInstance(src)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if err := sch.Validate(v); err == nil {
			t.Errorf("%s: the schema accepts it", f)
		}
	}
}

// schemaProbe is the field name or value put where the compiler must refuse it.
const schemaProbe = "zz_probe"

// schemaRules is a rule list that compiles; schemaKeys a crypto_keys block.
const (
	schemaRules = `[{id: a, select: {keys: [a]}, action: redact}]`
	schemaKeys  = `crypto_keys: {k: {inline: "` + schemaKey + `", insecure_inline: true}}`
)

// schemaProbes places an unknown field (zz_probe) in each closed object of
// the schema: the root, or a definition by name. Each source draws the
// compiler's "unknown field … (want …)" diagnostic listing the fields it
// knows there.
var schemaProbes = map[string][]string{
	"":                  {`{zz_probe: 1, rules: ` + schemaRules + `}`},
	"match":             {`{match: {zz_probe: 1}, rules: ` + schemaRules + `}`},
	"limits":            {`{limits: {zz_probe: 1}, rules: ` + schemaRules + `}`},
	"on":                {`{on: {zz_probe: 1}, rules: ` + schemaRules + `}`},
	"encodings":         {`{encodings: {zz_probe: 1}, rules: ` + schemaRules + `}`},
	"jwt":               {`{jwt: {provider_metadata_key: p, zz_probe: 1}, rules: ` + schemaRules + `}`},
	"consentSource":     {`{consent: {cookie: c, zz_probe: 1}, rules: ` + schemaRules + `}`},
	"detector":          {`{detectors: {d1: {regex: x, zz_probe: 1}}, rules: ` + schemaRules + `}`},
	"cryptoKey":         {`{crypto_keys: {k: {env: K, zz_probe: 1}}, rules: ` + schemaRules + `}`},
	"minimizeList":      {`{minimize: [{id: m, allow: [$.a], zz_probe: 1}]}`},
	"rule":              {`{rules: [{id: a, select: {keys: [a]}, action: redact, zz_probe: 1}]}`},
	"select":            {`{rules: [{id: a, select: {keys: [a], zz_probe: 1}, action: redact}]}`},
	"action":            {`{rules: [{id: a, select: {keys: [a]}, action: {zz_probe: 1}}]}`},
	"redactOptions":     {`{rules: [{id: a, select: {keys: [a]}, action: {redact: {zz_probe: 1}}}]}`},
	"maskOptions":       {`{rules: [{id: a, select: {keys: [a]}, action: {mask: {zz_probe: 1}}}]}`},
	"hashOptions":       {`{` + schemaKeys + `, rules: [{id: a, select: {keys: [a]}, action: {hash: {key: k, zz_probe: 1}}}]}`},
	"encryptOptions":    {`{` + schemaKeys + `, rules: [{id: a, select: {keys: [a]}, action: {encrypt: {key: k, zz_probe: 1}}}]}`},
	"fpeOptions":        {`{` + schemaKeys + `, rules: [{id: a, select: {keys: [a]}, action: {fpe: {key: k, zz_probe: 1}}}]}`},
	"syntheticOptions":  {`{` + schemaKeys + `, rules: [{id: a, select: {keys: [a]}, action: {synthetic: {key: k, zz_probe: 1}}}]}`},
	"generalizeOptions": {`{rules: [{id: a, select: {keys: [a]}, action: {generalize: {zz_probe: 1}}}]}`},
	"blockOptions":      {`{rules: [{id: a, select: {keys: [a]}, action: {block: {zz_probe: 1}}}]}`},
	"revealOptions":     {`{rules: [{id: a, select: {keys: [a]}, action: {reveal: {zz_probe: 1}}}]}`},
	"condition": {
		`{rules: [{id: a, select: {keys: [a]}, action: redact, when: {zz_probe: 1}}]}`,
		`{rules: [{id: a, select: {keys: [a]}, action: redact, unless: {zz_probe: 1}}]}`,
		`{minimize: [{id: m, allow: [$.a], when: {zz_probe: 1}}]}`,
		`{minimize: [{id: m, allow: [$.a], unless: {zz_probe: 1}}]}`,
	},
	"conditionConsent": {`{rules: [{id: a, select: {keys: [a]}, action: redact, when: {consent: {zz_probe: 1}}}]}`},
	"valueMatchTest": {
		`{rules: [{id: a, select: {keys: [a]}, action: redact, when: {header: {x-a: {zz_probe: 1}}}}]}`,
		`{jwt: {provider_metadata_key: p}, rules: [{id: a, select: {keys: [a]}, action: redact, when: {claim: {sub: {zz_probe: 1}}}}]}`,
	},
}

// schemaWant reads the list of a compiler diagnostic about probe:
// `unknown field "zz_probe" (want a, b or c)` (or action, kind, value, pack).
var schemaWant = regexp.MustCompile(`unknown (?:field|action|kind|value|pack) "` + schemaProbe + `" \(want ([^)]*)\)`)

// schemaCompilerList compiles src and returns the list of names its
// diagnostic about the probe wants.
func schemaCompilerList(t *testing.T, src string) []string {
	t.Helper()
	_, err := Compile([]byte(src), Options{Env: schemaEnv})
	var ce *CompileError
	if !errors.As(err, &ce) {
		t.Fatalf("%s: want a compile error naming %s, got %v", src, schemaProbe, err)
	}
	for _, d := range ce.Diagnostics {
		if m := schemaWant.FindStringSubmatch(d.Message); m != nil {
			want, _, _ := strings.Cut(m[1], ";") // a "; did you mean …" suffix
			last := strings.LastIndex(want, " or ")
			list := []string{want}
			if last >= 0 {
				list = append(strings.Split(want[:last], ", "), want[last+len(" or "):])
			}
			slices.Sort(list)
			return list
		}
	}
	t.Fatalf("%s: no diagnostic lists what the compiler wants instead of %s:\n%v", src, schemaProbe, err)
	return nil
}

// schemaAt returns the value at a JSON pointer of the schema.
func schemaAt(t *testing.T, raw map[string]any, ptr string) any {
	t.Helper()
	var v any = raw
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		switch x := v.(type) {
		case map[string]any:
			v = x[tok]
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i >= len(x) {
				t.Fatalf("schema.json: no %s", ptr)
			}
			v = x[i]
		default:
			t.Fatalf("schema.json: no %s", ptr)
		}
		if v == nil {
			t.Fatalf("schema.json: no %s", ptr)
		}
	}
	return v
}

// schemaStrings returns the strings of the list at ptr, sorted.
func schemaStrings(t *testing.T, raw map[string]any, ptr string) []string {
	t.Helper()
	list, ok := schemaAt(t, raw, ptr).([]any)
	if !ok {
		t.Fatalf("schema.json: %s is not a list", ptr)
	}
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = fmt.Sprint(v)
	}
	slices.Sort(out)
	return out
}

// schemaWalk calls f with the JSON pointer of every object in the schema.
func schemaWalk(v any, ptr string, f func(ptr string, obj map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		f(ptr, x)
		for _, k := range slices.Sorted(maps.Keys(x)) {
			schemaWalk(x[k], ptr+"/"+k, f)
		}
	case []any:
		for i, e := range x {
			schemaWalk(e, ptr+"/"+strconv.Itoa(i), f)
		}
	}
}

// TestSchemaFields: each closed object of the schema (additionalProperties:
// false) lists exactly the fields the compiler knows at that position. A
// field added to the compiler and not to the schema, or the reverse, fails
// here.
func TestSchemaFields(t *testing.T) {
	raw, _ := schemaLoad(t)
	closed := map[string]map[string]any{}
	schemaWalk(raw, "", func(ptr string, obj map[string]any) {
		if obj["additionalProperties"] != false {
			return
		}
		name, ok := strings.CutPrefix(ptr, "/definitions/")
		if ptr != "" && (!ok || strings.Contains(name, "/")) {
			t.Errorf("schema.json: %s: a closed object must be the root or a definition (so that it has a probe here)", ptr)
			return
		}
		closed[name] = obj
	})
	for _, name := range slices.Sorted(maps.Keys(closed)) {
		props, _ := closed[name]["properties"].(map[string]any)
		want := slices.Sorted(maps.Keys(props))
		srcs := schemaProbes[name]
		if len(srcs) == 0 {
			t.Errorf("definition %q: closed, but no probe in schemaProbes places an unknown field in it", name)
		}
		for _, src := range srcs {
			if got := schemaCompilerList(t, src); !slices.Equal(got, want) {
				t.Errorf("definition %q: the compiler knows %v, the schema %v\n(probe %s)", name, got, want, src)
			}
		}
	}
	for name := range schemaProbes {
		if closed[name] == nil {
			t.Errorf("schemaProbes[%q]: no such closed object in schema.json", name)
		}
	}
}

// TestSchemaValidUsesEveryField: the rule sets under testdata/schema/valid
// (which compile and validate) spell every field of every closed object at
// least once, so that each field's values are tried on both sides.
func TestSchemaValidUsesEveryField(t *testing.T) {
	raw, _ := schemaLoad(t)
	used := map[string]bool{}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		n = resolve(n)
		for i, c := range n.Content {
			if n.Kind == yaml.MappingNode && i%2 == 0 {
				used[resolve(c).Value] = true
			}
			walk(c)
		}
	}
	files, _ := filepath.Glob("testdata/schema/valid/*.yaml")
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(src, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		walk(&doc)
	}
	schemaWalk(raw, "", func(ptr string, obj map[string]any) {
		if obj["additionalProperties"] != false {
			return
		}
		props, _ := obj["properties"].(map[string]any)
		for _, name := range slices.Sorted(maps.Keys(props)) {
			if !used[name] {
				t.Errorf("schema.json%s: field %q is used by no rule set under testdata/schema/valid", ptr, name)
			}
		}
	})
}

// TestSchemaEnums: the schema's closed sets of values are the compiler's.
func TestSchemaEnums(t *testing.T) {
	raw, _ := schemaLoad(t)
	rule := func(s string) string { return `{rules: [{id: a, ` + s + `}]}` }
	probes := []struct{ ptr, src string }{
		{"/definitions/mode/enum", `{mode: zz_probe, rules: ` + schemaRules + `}`},
		{"/definitions/mode/enum", rule(`select: {keys: [a]}, action: redact, mode: zz_probe`)},
		{"/definitions/failureAction/enum", `{on: {error: zz_probe}, rules: ` + schemaRules + `}`},
		{"/definitions/direction/enum", rule(`select: {keys: [a]}, action: redact, direction: zz_probe`)},
		{"/definitions/direction/enum", `{minimize: [{id: m, allow: [$.a], direction: [zz_probe]}]}`},
		{"/definitions/evidenceKind/enum", rule(`select: {detect: [email], evidence: [zz_probe]}, action: redact`)},
		{"/definitions/pack/enum", `{include: [zz_probe]}`},
		{"/definitions/detector/properties/validate/enum", `{detectors: {d1: {regex: x, validate: zz_probe}}, rules: ` + schemaRules + `}`},
		{"/definitions/encodings/properties/recode/enum", `{encodings: {recode: zz_probe}, rules: ` + schemaRules + `}`},
		{"/definitions/fpeOptions/properties/alphabet/enum", `{` + schemaKeys + `, rules: [{id: a, select: {keys: [a]}, action: {fpe: {key: k, alphabet: zz_probe}}}]}`},
		{"/definitions/syntheticOptions/properties/kind/enum", `{` + schemaKeys + `, rules: [{id: a, select: {keys: [a]}, action: {synthetic: {key: k, kind: zz_probe}}}]}`},
		{"/definitions/action/properties/generalize/anyOf/0/enum", rule(`select: {keys: [a]}, action: {generalize: zz_probe}`)},
		{"/definitions/action/properties/generalize/anyOf/0/enum", rule(`select: {keys: [a]}, action: {generalize: {zz_probe: 1}}`)},
	}
	for _, p := range probes {
		if got, want := schemaCompilerList(t, p.src), schemaStrings(t, raw, p.ptr); !slices.Equal(got, want) {
			t.Errorf("%s: the compiler wants %v, the schema %v\n(probe %s)", p.ptr, got, want, p.src)
		}
	}

	// Lists the compiler does not spell in a diagnostic: compared with its source.
	sorted := func(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }
	lists := []struct {
		ptr  string
		want []string
	}{
		{"/definitions/builtinDetector/enum", sorted(detect.Builtins())},
		{"/properties/detectors/propertyNames/allOf/0/not/enum", sorted(detect.Builtins())},
		{"/definitions/pack/enum", packs.Names()},
		{"/definitions/coding/anyOf/0/enum", slices.Sorted(maps.Keys(codingNames))},
		{"/definitions/selectHeader/anyOf/1/allOf/0/not/enum", sorted(unwritableHeaders)},
		{"/properties/report_header/not/enum", sorted(append(slices.Clone(hopByHopHeaders), framingHeaders...))},
	}
	for _, l := range lists {
		if got := schemaStrings(t, raw, l.ptr); !slices.Equal(got, l.want) {
			t.Errorf("%s: the schema lists %v, the compiler %v", l.ptr, got, l.want)
		}
	}
	for _, ptr := range []string{"/definitions/generalizeOptions/properties", "/definitions/action/properties"} {
		props, _ := schemaAt(t, raw, ptr).(map[string]any)
		want := generalizeKinds
		if strings.Contains(ptr, "/action/") {
			want = actionList
		}
		if got := slices.Sorted(maps.Keys(props)); !slices.Equal(got, sorted(want)) {
			t.Errorf("%s: %v, the compiler %v", ptr, got, sorted(want))
		}
	}

	// The short form of an action (action: NAME) is allowed exactly for the
	// actions the compiler accepts without options.
	var short []string
	for _, a := range actionList {
		src := `{rules: [{id: a, select: {keys: [a]}, action: ` + a + `}, {id: e, select: {keys: [e]}, action: {encrypt: {key: k}}}], ` + schemaKeys + `}`
		if _, err := Compile([]byte(src), Options{}); err == nil {
			short = append(short, a)
		}
	}
	if got := schemaStrings(t, raw, "/definitions/rule/properties/action/anyOf/0/enum"); !slices.Equal(got, sorted(short)) {
		t.Errorf("action short forms: the schema allows %v, the compiler %v", got, sorted(short))
	}
}

// TestSchemaDescriptions: every property has a description (hover docs),
// and every enumDescriptions list matches its enum.
func TestSchemaDescriptions(t *testing.T) {
	raw, _ := schemaLoad(t)
	schemaWalk(raw, "", func(ptr string, obj map[string]any) {
		if props, ok := obj["properties"].(map[string]any); ok && !strings.Contains(ptr, "/then") && !strings.Contains(ptr, "/dependencies") {
			for name, p := range props {
				if d, _ := p.(map[string]any)["description"].(string); d == "" {
					t.Errorf("schema.json: %s/properties/%s: no description", ptr, name)
				}
			}
		}
		if descs, ok := obj["enumDescriptions"].([]any); ok {
			if enum, _ := obj["enum"].([]any); len(enum) != len(descs) {
				t.Errorf("schema.json: %s: %d enumDescriptions for %d enum values", ptr, len(descs), len(enum))
			}
		}
	})
}

// TestSchemaModelines: the examples name the schema for editors on their
// first line. (The packs do not: they are embedded in the plugin, whose
// image digest envoy/ pins.)
func TestSchemaModelines(t *testing.T) {
	const line = "# yaml-language-server: $schema=../../rules/schema.json\n"
	files, _ := filepath.Glob("../examples/*/rules.yaml")
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(src, []byte(line)) {
			t.Errorf("%s: first line is not %q", f, strings.TrimSpace(line))
		}
	}
}
