package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/veilproxy/veil/host-test/testmodule"
	"github.com/veilproxy/veil/rules"
)

// repoFile reads a file of the repository.
func repoFile(t *testing.T, name string) string {
	t.Helper()
	root, err := testmodule.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// posOf returns the 1-based line and character column of the first
// occurrence of marker in src.
func posOf(t *testing.T, src, marker string) (int, int) {
	t.Helper()
	i := strings.Index(src, marker)
	if i < 0 {
		t.Fatalf("no %q in the case", marker)
	}
	line := strings.Count(src[:i], "\n") + 1
	return line, utf8.RuneCountInString(src[strings.LastIndex(src[:i], "\n")+1:i]) + 1
}

// lintEmbedded lints every rule set ruleSources finds in src as lint does,
// returning the diagnostics placed in the file.
func lintEmbedded(t *testing.T, src string) (fileKind, []ruleSource, []rules.Diagnostic) {
	t.Helper()
	kind, sources := ruleSources([]byte(src), false)
	var out []rules.Diagnostic
	for _, s := range sources {
		if s.problem != "" {
			out = append(out, rules.Diagnostic{Line: s.line, Col: s.col, Message: s.problem})
			continue
		}
		_, warnings, err := rules.Lint(s.src, rules.Options{Filename: "f", Env: func(string) (string, bool) {
			return "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", true // 32 bytes, test only
		}})
		var diags []rules.Diagnostic
		if ce, ok := err.(*rules.CompileError); ok {
			diags = ce.Diagnostics
		} else if err != nil {
			t.Fatal(err)
		}
		for _, d := range append(diags, warnings...) {
			out = append(out, s.place(d, sourceLines([]byte(src))))
		}
	}
	return kind, sources, out
}

// A rule set inside an Envoy bootstrap, an Istio WasmPlugin or an Envoy
// Gateway EnvoyExtensionPolicy is found, and a mistake in it is reported at
// its line and column in the file: exactly for a literal block, a string on
// one line (escapes and all) and an object; at the configuration's start,
// saying where in the rule set, for a folded or multi-line string.
func TestRuleSourcesPositions(t *testing.T) {
	const mistake = "{ agee: 10 }"
	sub := func(file string) string { return strings.Replace(repoFile(t, file), "{ age: 10 }", mistake, 1) }
	const want = "unknown kind \"agee\""
	for _, tc := range []struct {
		name string
		src  string
		// marker is where the diagnostic must point (its first occurrence).
		marker string
		// sets is the number of rule sets in the file.
		sets  int
		exact bool
		// message is what the diagnostic must say, want when "".
		message string
	}{
		{"envoy.yaml", sub("envoy/envoy.yaml"), "agee", 1, true, ""},
		{"envoy-1.33.yaml", sub("envoy/envoy-1.33.yaml"), "agee", 1, true, ""},
		{"istio", sub("envoy/istio/wasmplugin.yaml"), "agee", 1, true, ""},
		{"gateway", sub("envoy/gateway/extension-policy.yaml"), "agee", 1, true, ""},
		{"json bootstrap, escapes before the mistake", `{"static_resources": {"listeners": [{"filters": [{"typed_config": {
  "@type": "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm",
  "config": {"name": "veil", "configuration": {"@type": "type.googleapis.com/google.protobuf.StringValue",
    "value": "version: 1\n# \"j\u00e9\" \\ \t\nrules:\n  - id: a\n    select: { keys: [x] }\n    action: { generalize: { agee: 10 } }\n"}}}}]}]}}
`, "agee", 1, true, ""},
		{"single-quoted flow rule set", `static_resources:
  x:
    typed_config:
      "@type": type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm
      config:
        configuration:
          "@type": type.googleapis.com/google.protobuf.StringValue
          value: '{version: 1, name: ''its'', rules: [{id: a, select: {keys: [x]}, action: {generalize: {agee: 10}}}]}'
`, "agee", 1, true, ""},
		{"literal block with indentation indicator and chomping", `static_resources:
  typed_config:
    "@type": type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm
    config:
      configuration:
        "@type": type.googleapis.com/google.protobuf.StringValue
        value: |2-
            # a comment indented more than the block

          version: 1
          rules:
            - id: a
              select: { keys: [x] }
              action: { generalize: { agee: 10 } }
`, "agee", 1, true, ""},
		{"folded block: the value's start", `static_resources:
  typed_config:
    "@type": type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm
    config:
      configuration:
        "@type": type.googleapis.com/google.protobuf.StringValue
        value: >
          {version: 1, rules: [{id: a, select: {keys: [x]},
          action: {generalize: {agee: 10}}}]}
`, ">", 1, false, ""},
		{"Struct configuration", `static_resources:
  typed_config:
    "@type": type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm
    config:
      configuration:
        "@type": type.googleapis.com/google.protobuf.Struct
        value:
          version: 1
          rules:
            - id: a
              select: { keys: [x] }
              action: { generalize: { agee: 10 } }
`, "agee", 1, true, ""},
		{"several Kubernetes objects, flow pluginConfig", `apiVersion: v1
kind: Secret
metadata: { name: keys }
---
apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: { name: veil, namespace: shop }
spec:
  pluginConfig: {version: 1, rules: [{id: a, select: {keys: [x]},
    action: {generalize: {agee: 10}}}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: app }
`, "agee", 1, true, ""},
		{"two wasm entries, the second wrong", `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyExtensionPolicy
metadata: { name: veil }
spec:
  wasm:
    - name: one
      config: {version: 1, rules: [{id: a, select: {keys: [x]}, action: redact}]}
    - name: two
      config:
        version: 1
        rules:
          - id: b
            select: { keys: [x] }
            action: { generalize: { agee: 10 } }
`, "agee", 2, true, ""},
		{"Kubernetes reads on as true", `apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: { name: veil }
spec:
  pluginConfig:
    version: 1
    on: {}
    rules:
      - { id: a, select: { keys: [x] }, action: redact }
`, "on: {}", 1, true, "Kubernetes reads the unquoted on as the boolean true: quote it"},
		{"aliases expanding past the limit", `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyExtensionPolicy
metadata: { name: veil }
spec:
  wasm:
    - config:
        a: &a [x, x, x, x, x, x, x, x, x, x]
        b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
        c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
        d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
        e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
        f: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
`, "a: &a", 1, true, "more than 100000 values once its aliases are expanded"},
		{"unsupported configuration type", `static_resources:
  typed_config:
    "@type": type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm
    config:
      name: veil
      configuration:
        "@type": type.googleapis.com/google.protobuf.BytesValue
        value: dmVyc2lvbjogMQo=
`, "\"@type\": type.googleapis.com/google.protobuf.BytesValue", 1, true, "veil lint reads a type.googleapis.com/google.protobuf.StringValue"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kind, sources, diags := lintEmbedded(t, tc.src)
			if kind != kindEmbedding || len(sources) != tc.sets {
				t.Fatalf("kind %v, %d rule sets; want an embedding file with %d", kind, len(sources), tc.sets)
			}
			if len(diags) != 1 {
				t.Fatalf("want one diagnostic, got %v", diags)
			}
			d := diags[0]
			line, col := posOf(t, tc.src, tc.marker)
			if d.Line != line || d.Col != col {
				t.Errorf("at %d:%d, want %d:%d (%q): %s", d.Line, d.Col, line, col, tc.marker, d)
			}
			message := tc.message
			if message == "" {
				message = want
			}
			if !strings.Contains(d.Message, message) {
				t.Errorf("message %q, want %q in it", d.Message, message)
			}
			if approx := strings.Contains(d.Message, "of the rule set in"); approx == tc.exact {
				t.Errorf("message %q: exact %v, want %v", d.Message, !approx, tc.exact)
			}
			lines := sourceLines([]byte(tc.src))
			if d.SourceLine != "" && d.SourceLine != lines[d.Line-1] {
				t.Errorf("source line %q, want the file's %q", d.SourceLine, lines[d.Line-1])
			}
		})
	}
}

// The rule sets lint finds are the ones the plugin gets: the StringValue's
// text, or JSON for an object, for every file under envoy/.
func TestRuleSourcesEnvoyFiles(t *testing.T) {
	for _, tc := range []struct {
		file, where string
		json        bool
	}{
		{"envoy/envoy.yaml", `Wasm filter "veil" config.configuration`, false},
		{"envoy/envoy-1.33.yaml", `Wasm filter "veil" config.configuration`, false},
		{"envoy/jwt/envoy.yaml", `Wasm filter "veil" config.configuration`, false},
		{"envoy/istio/wasmplugin.yaml", "WasmPlugin shop/veil spec.pluginConfig", true},
		{"envoy/gateway/extension-policy.yaml", "EnvoyExtensionPolicy shop/veil spec.wasm[0].config", true},
	} {
		src := repoFile(t, tc.file)
		kind, sources, diags := lintEmbedded(t, src)
		if kind != kindEmbedding || len(sources) != 1 || len(diags) != 0 {
			t.Errorf("%s: kind %v, %d rule sets, diagnostics %v", tc.file, kind, len(sources), diags)
			continue
		}
		s := sources[0]
		if s.where != tc.where {
			t.Errorf("%s: where %q, want %q", tc.file, s.where, tc.where)
		}
		if tc.json != json.Valid(s.src) {
			t.Errorf("%s: JSON %v, want %v:\n%s", tc.file, !tc.json, tc.json, s.src)
		}
		if _, ok := s.pos.(shiftMap); !tc.json && !ok {
			t.Errorf("%s: the block does not map line for line", tc.file)
		}
	}
	for _, file := range []string{"envoy/istio/secret.yaml", "envoy/istio/deployment-env.yaml"} {
		if kind, sources := ruleSources([]byte(repoFile(t, file)), true); kind != kindOther || len(sources) != 0 {
			t.Errorf("%s: kind %v, %d rule sets; want none", file, kind, len(sources))
		}
	}
}

// What is not an Envoy or Kubernetes file is a rule set when it looks like
// one, or when it was named on the command line.
func TestRuleSourcesKinds(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		named     fileKind
		found     fileKind
	}{
		{"rule set", "version: 1\nrules: []\n", kindRuleSet, kindRuleSet},
		{"include only", "include: [pci]\n", kindRuleSet, kindRuleSet},
		{"version and name", "version: 1\nname: x\n", kindRuleSet, kindRuleSet},
		{"JSON rule set", `{"version": 1, "rules": []}`, kindRuleSet, kindRuleSet},
		{"JSON body", `{"user": {"email": "a@b.example"}}`, kindRuleSet, kindOther},
		{"compose file", "version: \"3\"\nservices: {}\n", kindRuleSet, kindOther},
		{"a rule set that does not parse", "rules: [\n\t- x\n", kindRuleSet, kindRuleSet},
		{"a template that does not parse", "kind: {{ .Values.kind }}\n", kindRuleSet, kindOther},
		{"empty", "", kindRuleSet, kindOther},
		{"two plain documents", "version: 1\nrules: []\n---\nversion: 1\nrules: []\n", kindRuleSet, kindOther},
		{"bootstrap without wasm", "static_resources: {listeners: []}\n", kindOther, kindOther},
		{"Kubernetes Deployment", "apiVersion: apps/v1\nkind: Deployment\n", kindOther, kindOther},
	} {
		if kind, _ := ruleSources([]byte(tc.src), true); kind != tc.named {
			t.Errorf("%s named: kind %v, want %v", tc.name, kind, tc.named)
		}
		if kind, _ := ruleSources([]byte(tc.src), false); kind != tc.found {
			t.Errorf("%s found in a directory: kind %v, want %v", tc.name, kind, tc.found)
		}
	}
}

// Key material is never quoted: not from a literal block (the compiler
// hides the line), nor from a file line that, mapped from an object or a
// one-line string, names an inline key.
func TestRuleSourcesHideKeys(t *testing.T) {
	const secret = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	for _, tc := range []struct{ name, src string }{
		{"literal block", `static_resources:
  typed_config:
    "@type": type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm
    config:
      configuration:
        "@type": type.googleapis.com/google.protobuf.StringValue
        value: |
          version: 1
          crypto_keys: { k: { inline: "` + secret + `", insecure_inline: maybe } }
          rules: [{ id: a, select: { keys: [x] }, action: { hash: { key: k } } }]
`},
		{"object", `apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: { name: veil }
spec:
  pluginConfig:
    version: 1
    crypto_keys: { k: { inline: "` + secret + `", insecure_inline: maybe } }
    rules: [{ id: a, select: { keys: [x] }, action: { hash: { key: k } } }]
`},
		{"one-line string", `{"static_resources": {"typed_config": {"@type": "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm",
"config": {"configuration": {"@type": "type.googleapis.com/google.protobuf.StringValue", "value": "version: 1\ncrypto_keys: {k: {inline: '` + secret + `', insecure_inline: maybe}}\nrules: [{id: a, select: {keys: [x]}, action: {hash: {key: k}}}]\n"}}}}}
`},
	} {
		_, _, diags := lintEmbedded(t, tc.src)
		if len(diags) == 0 {
			t.Errorf("%s: no diagnostic", tc.name)
		}
		for _, d := range diags {
			if strings.Contains(d.String(), secret) {
				t.Errorf("%s: the key is quoted:\n%s", tc.name, d)
			}
			if line, _ := posOf(t, tc.src, "maybe"); d.Line != line {
				t.Errorf("%s: at line %d, want %d: %s", tc.name, d.Line, line, d)
			}
		}
	}
}

// FuzzRuleSources: whatever the file, finding its rule sets does not panic,
// an object becomes valid JSON, and every position maps into the file.
func FuzzRuleSources(f *testing.F) {
	for _, name := range []string{"envoy/envoy.yaml", "envoy/istio/wasmplugin.yaml", "envoy/gateway/extension-policy.yaml"} {
		root, err := testmodule.RepoRoot()
		if err != nil {
			f.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("static_resources:\n  t: {\"@type\": type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm, config: {configuration: {\"@type\": type.googleapis.com/google.protobuf.StringValue, value: \"a\\n\\u00e9b\"}}}\n"))
	f.Add([]byte("apiVersion: extensions.istio.io/v1\nkind: WasmPlugin\nspec: {pluginConfig: &a {x: *a, on: yes}}\n"))
	f.Add([]byte("apiVersion: gateway.envoyproxy.io/v1\nkind: EnvoyExtensionPolicy\nspec: {wasm: [{config: &a [*a, *a]}]}\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		_, sources := ruleSources(src, true)
		lines := sourceLines(src)
		for _, s := range sources {
			if s.pos == nil {
				continue
			}
			if _, ok := s.pos.(jsonMap); ok && !json.Valid(s.src) {
				t.Fatalf("%s: invalid JSON:\n%s", s.where, s.src)
			}
			n := min(strings.Count(string(s.src), "\n")+2, 1000)
			for l := 0; l <= n; l++ {
				for _, c := range []int{0, 1, 2, 7, 1000} {
					line, col, _ := s.pos.at(l, c)
					if line < 1 || line > len(lines) || col < 1 {
						t.Fatalf("%s: %d:%d maps to %d:%d, outside the file's %d lines", s.where, l, c, line, col, len(lines))
					}
				}
			}
		}
	})
}
