package hosttest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/veilproxy/veil/bench/corpus"
	hosttest "github.com/veilproxy/veil/host-test"
	"github.com/veilproxy/veil/host-test/testmodule"
	"github.com/veilproxy/veil/rules"
)

// usersRules are the ten real rules of rules' benchRules(10): the same
// fields of every user, redacted, masked or removed.
const usersRules = `rules:
  - {id: r0, select: {paths: ["$.users[*].email"]}, action: redact}
  - {id: r1, select: {paths: ["$.users[*].phone"]}, action: {mask: {keep_first: 0, keep_last: 2}}}
  - {id: r2, select: {paths: ["$.users[*].ssn"]}, action: redact}
  - {id: r3, select: {paths: ["$.users[*].card_number"]}, action: {mask: {keep_first: 0, keep_last: 4}}}
  - {id: r4, select: {paths: ["$.users[*].address.street"]}, action: redact}
  - {id: r5, select: {paths: ["$.users[*].address.zip"]}, action: {mask: {keep_first: 0, keep_last: 0}}}
  - {id: r6, select: {paths: ["$.users[*].name"]}, action: {mask: {keep_first: 1, keep_last: 0}}}
  - {id: r7, select: {paths: ["$.users[*].notes"]}, action: remove}
  - {id: r8, select: {paths: ["$.users[*].created_at"]}, action: redact}
  - {id: r9, select: {paths: ["$.users[*].tags"]}, action: redact}
`

// TestV8MatchesNative runs bench/v8/bench.mjs (the plugin under V8, Envoy's
// Wasm engine, through the Node host in bench/v8/host.mjs) on bodies and
// rule sets of each kind (paths, keys, detectors, nothing to change; 1 KB
// and 16 KB; request and response) and checks that the body it forwards
// equals the native engine's output and host-test's (wazero). That is what
// makes its timings worth trusting: the JS host drives the same work. The
// first case runs as Envoy compiles (TurboFan only); the others keep Node's
// Liftoff tier, which computes the same and compiles the 5 MB module two to
// three times faster.
func TestV8MatchesNative(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not on PATH: bench/v8 (the plugin under V8) is not checked")
	}
	root, err := testmodule.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	wasm := wasmOf(t, "veil")
	plugin := filepath.Join(t.TempDir(), "veil.wasm")
	if err := os.WriteFile(plugin, wasm, 0o644); err != nil {
		t.Fatal(err)
	}
	m := load(t, "veil", hosttest.Envoy133)
	keys := "rules:\n  - {id: contact, select: {keys: [email, phone]}, action: {redact: {with: \"[contact]\"}}}\n" +
		"  - {id: card, select: {keys: [card_number]}, action: {mask: {keep_last: 4}}}\n"
	cases := []struct {
		name      string
		rules     string
		body      []byte
		direction rules.Direction
		changed   bool
	}{
		{"paths 1KB", usersRules, corpus.UserPage(1 << 10), rules.Request, true},
		{"paths 16KB", usersRules, corpus.UserPage(16 << 10), rules.Request, true},
		{"paths 1KB response", usersRules, corpus.UserPage(1 << 10), rules.Response, true},
		{"keys 16KB", keys, corpus.UserPage(16 << 10), rules.Request, true},
		{"detectors 1KB", corpus.ChatRules, corpus.Chat(2, 1<<10), rules.Request, true},
		{"detectors 16KB", corpus.ChatRules, corpus.Chat(1, 16<<10), rules.Request, true},
		{"no match 16KB", strings.ReplaceAll(usersRules, "$.users[*].", "$.nobody[*]."), corpus.UserPage(16 << 10), rules.Request, false},
	}
	t.Run("users.mjs", func(t *testing.T) {
		for _, size := range []int{1 << 10, 16 << 10} {
			out, err := exec.Command(node, filepath.Join(root, "bench", "v8", "users.mjs"), fmt.Sprint(size)).Output()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out, corpus.UserPage(size)) {
				t.Errorf("users.mjs %d differs from corpus.UserPage", size)
			}
		}
	})
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := native(t, []byte(c.rules), c.body, c.direction)
			if changed := !bytes.Equal(want, c.body); changed != c.changed {
				t.Fatalf("the native engine changed the body: %t, want %t", changed, c.changed)
			}
			vm, err := m.Start(t.Context(), hosttest.Config{PluginConfig: []byte(c.rules)})
			if err != nil {
				t.Fatal(err)
			}
			ex, direction := jsonExchange(c.body, []byte("{}"), 0), "request"
			if c.direction == rules.Response {
				ex, direction = jsonExchange([]byte("{}"), c.body, 0), "response"
			}
			res := vm.Do(ex)
			wazero := res.Request.Body
			if c.direction == rules.Response {
				wazero = res.Response.Body
			}
			if res.VMError != nil || len(res.Errors) > 0 || !bytes.Equal(wazero, want) {
				t.Fatalf("wazero: output differs from native (vm %v, errors %q)", res.VMError, res.Errors)
			}

			dir := t.TempDir()
			files := map[string][]byte{"rules.yaml": []byte(c.rules), "in.json": c.body, "want.json": want}
			for name, b := range files {
				if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			out := filepath.Join(dir, "out.json")
			args := []string{filepath.Join(root, "bench", "v8", "bench.mjs"), "--plugin", plugin,
				"--rules", filepath.Join(dir, "rules.yaml"), "--in", filepath.Join(dir, "in.json"),
				"--check", filepath.Join(dir, "want.json"), "--out", out,
				"--direction", direction, "--iters", "3", "--warmup", "2"}
			if i > 0 {
				args = append(args, "--liftoff")
			}
			cmd := exec.Command(node, args...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, stderr.String())
			}
			v8, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(v8, want) || !bytes.Equal(v8, wazero) {
				t.Fatalf("v8: output differs from native and wazero:\n%.300s", v8)
			}
			lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
			var report struct {
				MedianMS *float64  `json:"median_ms"`
				MS       []float64 `json:"ms"`
				Bytes    int       `json:"bytes"`
				Runtime  string    `json:"runtime"`
				Changed  bool      `json:"changed"`
			}
			if err := json.Unmarshal([]byte(lines[len(lines)-1]), &report); err != nil {
				t.Fatalf("last line of stdout is not the JSON report: %v\n%s", err, stdout.String())
			}
			if report.MedianMS == nil || len(report.MS) != 3 || report.Bytes != len(c.body) || report.Runtime != "v8" || report.Changed != c.changed {
				t.Errorf("report %+v: want a median, 3 runs, bytes %d, runtime v8, changed %t", report, len(c.body), c.changed)
			}
		})
	}
}

// BenchmarkUsersWasm runs whole exchanges through the plugin under wazero
// with the user-records document as the request body and usersRules, at 1,
// 16 and 256 KB: the wazero side of the V8 figures of bench/v8. With
// VEIL_WASM set it loads that module (a relative path is from the
// repository root) instead of building the tree's plugin from source (to
// compare, say, a wasm-opt output with its input):
//
//	VEIL_WASM=/tmp/veil-opt.wasm go test ./host-test -run '^$' -bench BenchmarkUsersWasm
func BenchmarkUsersWasm(b *testing.B) {
	var wasm []byte
	if path := os.Getenv("VEIL_WASM"); path != "" {
		root, err := testmodule.RepoRoot()
		if err != nil {
			b.Fatal(err)
		}
		if !filepath.IsAbs(path) {
			path = filepath.Join(root, path)
		}
		if wasm, err = os.ReadFile(path); err != nil {
			b.Fatal(err)
		}
	} else {
		wasm = wasmOf(b, "veil")
	}
	m, err := hosttest.Load(b.Context(), wasm, hosttest.Options{Profile: hosttest.Envoy133})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close(b.Context())
	for _, size := range []struct {
		name  string
		bytes int
	}{{"1KB", 1 << 10}, {"16KB", 16 << 10}, {"256KB", 256 << 10}} {
		body := corpus.UserPage(size.bytes)
		p, err := rules.Compile([]byte(usersRules), rules.Options{})
		if err != nil {
			b.Fatal(err)
		}
		want, _, err := p.Apply(body, rules.Input{Direction: rules.Request})
		if err != nil {
			b.Fatal(err)
		}
		b.Run("size="+size.name, func(b *testing.B) {
			vm, err := m.Start(b.Context(), hosttest.Config{PluginConfig: []byte(usersRules)})
			if err != nil {
				b.Fatal(err)
			}
			benchExchanges(b, vm, jsonExchange(body, []byte("{}"), 0), want)
		})
	}
}
