package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/veilproxy/veil/rules"
)

// shopRules is the rule set of the redact tests: a key rule, a remove rule,
// a detector rule; extra is spliced in before the rules.
func shopRules(t *testing.T, extra string) string {
	t.Helper()
	return writeFile(t, "rules.yaml", "version: 1\nname: shop\n"+extra+`rules:
  - id: contact-email
    select: { keys: [email] }
    action: redact
  - id: notes
    select: { paths: ["$.notes"] }
    action: remove
  - id: scan
    select: { detect: [email] }
    action: redact
`)
}

// writeFile writes a file in a fresh temporary directory and returns its path.
func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(f, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

// The values of shopDoc, none of which a report may print.
var shopValues = []string{"ann@example.com", "call me", "bob@example.org"}

const shopDoc = `{"email":"ann@example.com","notes":"call me","bio":"write to bob@example.org"}`

// applied is what redact printed for a body before it reported anything:
// the rewritten body and a newline unless it ends with one.
func applied(t *testing.T, rulesFile, body string, dir rules.Direction) string {
	t.Helper()
	prog, err := compile(rulesFile, nil)
	if err != nil {
		t.Fatal(err)
	}
	out, _, err := prog.Apply([]byte(body), rules.Input{Direction: dir})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	writeBody(&buf, out)
	return buf.String()
}

func TestRedactReport(t *testing.T) {
	plain := shopRules(t, "")
	shadow := shopRules(t, "mode: shadow\n")
	scoped := shopRules(t, "match: { paths: [\"/api/**\"], methods: [POST] }\n")
	small := shopRules(t, "limits: { max_body_bytes: 16 }\n")
	smallPass := shopRules(t, "limits: { max_body_bytes: 16 }\non: { oversize: pass, invalid_json: pass }\n")
	doc := writeFile(t, "doc.json", shopDoc)
	redacted := applied(t, plain, shopDoc, rules.Request)
	for _, tc := range []struct {
		name    string
		args    []string
		code    int
		stdout  string   // exact, when set
		stderr  []string // substrings
		noErr   bool     // stderr must be empty
		nothing bool     // stdout must be empty
	}{
		{"report", []string{"--rules", plain, doc}, 0, redacted, []string{
			`veil redact: ` + doc + `: rule set "shop": 2 changed, 1 removed`,
			"request  contact-email  redact   1 × $.email\n",
			"request  notes          REMOVED  1 × $.notes\n",
			"request  scan           redact   1 × $.bio (email, format)\n"}, false, false},
		{"quiet", []string{"--rules", plain, "-q", doc}, 0, redacted, nil, true, false},
		{"shadow set", []string{"--rules", shadow, doc}, 0, shopDoc + "\n", []string{
			`3 would have changed (shadow)`, "would have: redact  1 × $.email", "would have: remove  1 × $.notes"}, false, false},
		{"fail on findings", []string{"--rules", plain, "--fail-on-findings", doc}, 1, redacted, []string{"found something in 1 document(s) (--fail-on-findings)"}, false, false},
		{"fail on shadow findings", []string{"--rules", shadow, "--fail-on-findings", doc}, 1, shopDoc + "\n", nil, false, false},
		{"in scope", []string{"--rules", scoped, "--path", "/api/users", doc}, 0, redacted, []string{"2 changed"}, false, false},
		{"path out of scope", []string{"--rules", scoped, "--path", "/health", doc}, 0, shopDoc + "\n", []string{"nothing changed", "note: out of match scope"}, false, false},
		{"method out of scope", []string{"--rules", scoped, "--path", "/api/users", "--method", "GET", doc}, 0, shopDoc + "\n", []string{"out of match scope"}, false, false},
		{"scope not given", []string{"--rules", scoped, doc}, 0, redacted, []string{"warning: the rule set narrows match.methods/match.paths"}, false, false},
		{"invalid path", []string{"--rules", scoped, "--path", "/api/a%00b", doc}, 1, "", []string{"invalid_path"}, false, true},
		{"oversize", []string{"--rules", small, doc}, 1, "", []string{"oversize: the filter answers with a local reply 413 instead (on.oversize: reject)", "would reject 1 document"}, false, true},
		{"oversize response", []string{"--rules", small, "--direction", "response", doc}, 1, "", []string{"local reply 502"}, false, true},
		{"oversize passed", []string{"--rules", smallPass, doc}, 0, shopDoc + "\n", []string{"note: oversize: passed unchanged (on.oversize: pass)"}, false, false},
		{"invalid json", []string{"--rules", plain, writeFile(t, "bad.json", `{"email":`)}, 1, "", []string{"invalid_json", "local reply 400"}, false, true},
		{"invalid json passed", []string{"--rules", smallPass, writeFile(t, "bad.json", `{"email":`)}, 0, "{\"email\":\n", []string{"invalid_json: passed unchanged"}, false, false},
		{"text sniffed", []string{"--rules", plain, "-H", "content-type: text/plain", writeFile(t, "t.txt", "ann@example.com wrote")}, 0,
			"ann@example.com wrote\n", []string{"note: not JSON: passed unchanged"}, false, false},
		{"sniffed JSON", []string{"--rules", plain, "-H", "content-type: text/plain", doc}, 0, redacted, []string{"2 changed"}, false, false},
		{"content-encoding", []string{"--rules", plain, "-H", "content-encoding: gzip", doc}, 0, redacted, []string{"warning: content-encoding is not decoded natively"}, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, stderr, code := cli(t, append([]string{"redact"}, tc.args...)...)
			if code != tc.code || tc.stdout != "" && out != tc.stdout || tc.nothing && out != "" || tc.noErr && stderr != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d, stdout %q", code, out, stderr, tc.code, tc.stdout)
			}
			for _, s := range tc.stderr {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr)
				}
			}
			for _, v := range shopValues {
				if strings.Contains(stderr, v) {
					t.Errorf("stderr spells a value (%q):\n%s", v, stderr)
				}
			}
		})
	}
}

// Several files: each output after a "==> FILE <==" line, each report
// names its file; --out-dir writes them instead and prints nothing.
func TestRedactFiles(t *testing.T) {
	plain := shopRules(t, "")
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json")
	os.WriteFile(a, []byte(shopDoc), 0o644)
	os.WriteFile(b, []byte(`{"id":1}`), 0o644)
	redacted := applied(t, plain, shopDoc, rules.Request)
	out, stderr, code := cli(t, "redact", "--rules", plain, a, b)
	if want := "==> " + a + " <==\n" + redacted + "==> " + b + " <==\n{\"id\":1}\n"; code != 0 || out != want {
		t.Errorf("exit %d, stdout %q, want %q", code, out, want)
	}
	if !strings.Contains(stderr, "veil redact: "+a+": rule set \"shop\": 2 changed, 1 removed\n") ||
		!strings.Contains(stderr, "veil redact: "+b+": rule set \"shop\": nothing changed\n") {
		t.Errorf("stderr:\n%s", stderr)
	}

	outDir := filepath.Join(t.TempDir(), "out")
	out, stderr, code = cli(t, "redact", "--rules", plain, "--out-dir", outDir, a, b)
	gotA, _ := os.ReadFile(filepath.Join(outDir, "a.json"))
	gotB, _ := os.ReadFile(filepath.Join(outDir, "b.json"))
	if code != 0 || out != "" || string(gotA)+"\n" != redacted || string(gotB) != `{"id":1}` ||
		!strings.Contains(stderr, a+" → "+filepath.Join(outDir, "a.json")) {
		t.Errorf("--out-dir: exit %d, stdout %q, a %q, b %q, stderr %s", code, out, gotA, gotB, stderr)
	}
	other := filepath.Join(t.TempDir(), "a.json")
	os.WriteFile(other, []byte(`{}`), 0o644)
	if _, stderr, code := cli(t, "redact", "--rules", plain, "--out-dir", outDir, a, other); code != 2 || !strings.Contains(stderr, "would both be written") {
		t.Errorf("--out-dir, same base name: exit %d, %s", code, stderr)
	}
}

// NDJSON is read line by line (by extension, by content, by --ndjson or
// its content-type), each line printed on its own line; the report names
// each path's line.
func TestRedactNDJSON(t *testing.T) {
	plain := shopRules(t, "")
	small := shopRules(t, "limits: { max_record_bytes: 40 }\n")
	lines := `{"email":"ann@example.com","id":1}` + "\n\n" + `{"id":2}` + "\n" + `{"id":3,"email":"bob@example.org","notes":"x"}` + "\n"
	want := `{"email":"[REDACTED]","id":1}` + "\n\n" + `{"id":2}` + "\n" + `{"id":3,"email":"[REDACTED]"}` + "\n"
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"extension", []string{writeFile(t, "in.ndjson", lines)}},
		{"jsonl", []string{writeFile(t, "in.jsonl", lines)}},
		{"content", []string{writeFile(t, "in.log", lines)}},
		{"flag", []string{"--ndjson", writeFile(t, "in.txt", `{"email":"ann@example.com","id":1}`)}},
		{"content-type", []string{"-H", "content-type: application/x-ndjson", writeFile(t, "in.txt", lines)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, stderr, code := cli(t, append([]string{"redact", "--rules", plain}, tc.args...)...)
			w := want
			if tc.name == "flag" {
				w = `{"email":"[REDACTED]","id":1}` + "\n"
			}
			if code != 0 || out != w || !strings.Contains(stderr, "× line 1 $.email") {
				t.Errorf("exit %d, stdout %q, want %q; stderr %s", code, out, w, stderr)
			}
			if tc.name != "flag" && !strings.Contains(stderr, "2 × line 1 $.email, line 4 $.email") {
				t.Errorf("stderr:\n%s", stderr)
			}
		})
	}
	out, stderr, code := cli(t, "redact", "--rules", small, writeFile(t, "in.ndjson", lines))
	if code != 1 || out != `{"email":"[REDACTED]","id":1}`+"\n\n"+`{"id":2}`+"\n" || !strings.Contains(stderr, "in.ndjson line 4: oversize") {
		t.Errorf("a record over max_record_bytes: exit %d, stdout %q, stderr %s", code, out, stderr)
	}

	out, _, code = cli(t, "redact", "--rules", plain, "--json", writeFile(t, "in.ndjson", lines))
	var got []redactJSON
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var j redactJSON
		if err := json.Unmarshal([]byte(l), &j); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		got = append(got, j)
	}
	if code != 0 || len(got) != 3 || got[0].Line != 1 || got[1].Line != 3 || got[2].Line != 4 ||
		*got[0].Body != `{"email":"[REDACTED]","id":1}` || got[2].Audit.total() != 2 || len(got[1].Audit.Findings) != 0 {
		t.Errorf("--json: exit %d, %s", code, out)
	}
}

// redact --json prints one object per document, {file, body, audit}, the
// body exactly as printed without --json; a rejected one has a null body.
func TestRedactJSON(t *testing.T) {
	plain := shopRules(t, "")
	doc := writeFile(t, "doc.json", shopDoc+"\n")
	bad := writeFile(t, "bad.json", `{"email":`)
	out, stderr, code := cli(t, "redact", "--rules", plain, "--json", doc, bad)
	if code != 1 || stderr != "veil redact: "+bad+": invalid_json: the filter answers with a local reply 400 instead (on.invalid_json: reject)\nveil redact: the filter would reject 1 document(s)\n" {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	var keys [][]string
	var docs []map[string]json.RawMessage
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatal(err)
		}
		docs = append(docs, m)
		var k []string
		for name := range m {
			k = append(k, name)
		}
		slices.Sort(k)
		keys = append(keys, k)
	}
	var body string
	if len(docs) != 2 || json.Unmarshal(docs[0]["body"], &body) != nil || body != applied(t, plain, shopDoc+"\n", rules.Request) ||
		string(docs[1]["body"]) != "null" || !slices.Equal(keys[0], []string{"audit", "body", "file"}) ||
		!slices.Equal(keys[1], []string{"audit", "body", "file", "rejected"}) {
		t.Errorf("--json:\n%s", out)
	}
	var a audit
	if err := json.Unmarshal(docs[0]["audit"], &a); err != nil || a.RuleSet != "shop" || a.total() != 3 {
		t.Errorf("audit %s: %v", docs[0]["audit"], err)
	}
}

// redact --diff prints the diff of each document instead of it (testdata/redact-diff.golden).
func TestRedactDiff(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "examples", "signup-minimization")
	out, _, code := cli(t, "redact", "--rules", filepath.Join(dir, "rules.yaml"), "--diff", "-q", filepath.Join(dir, "request.json"))
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	golden(t, "redact-diff.golden", strings.ReplaceAll(out, dir+string(filepath.Separator), "examples/signup-minimization/"))
}

// A minimize list and a condition, as the filter applies them given the
// request's path; the removed members stand out.
func TestRedactMinimize(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "examples", "public-profile-minimize")
	rulesFile, resp := filepath.Join(dir, "rules.yaml"), filepath.Join(dir, "response.json")
	out, stderr, code := cli(t, "redact", "--rules", rulesFile, "--direction", "response", "--path", "/api/public/users/42", resp)
	want, _ := os.ReadFile(filepath.Join(dir, "want-response.json"))
	if code != 0 || out != string(want)+"\n" && out != string(want) {
		t.Errorf("exit %d, stdout %q, want %q", code, out, want)
	}
	if !strings.Contains(stderr, "response  minimize public-profile  REMOVED") {
		t.Errorf("stderr:\n%s", stderr)
	}
	_, stderr, _ = cli(t, "redact", "--rules", rulesFile, "--direction", "response", resp)
	if !strings.Contains(stderr, "warning: the rule set has conditions (when/unless)") {
		t.Errorf("no note on conditions:\n%s", stderr)
	}
}

// redact and run agree on match: in scope and out of it, by path and
// method, the documents printed are the same.
func TestRedactAgreesWithRunOnMatch(t *testing.T) {
	scoped := shopRules(t, "match: { paths: [\"/api/**\"], methods: [POST, PUT] }\n")
	doc := writeFile(t, "doc.json", shopDoc)
	for _, tc := range [][2]string{{"POST", "/api/users"}, {"PUT", "/api/a/b"}, {"GET", "/api/users"}, {"POST", "/health"}, {"POST", "/API/users/"}, {"POST", "/api%2fusers"}} {
		run, stderr, code := cli(t, "run", "--plugin", pluginPath, "--rules", scoped, "--method", tc[0], "--path", tc[1], "--request-body", doc, "-q")
		if code != 0 {
			t.Fatalf("run %v: exit %d: %s", tc, code, stderr)
		}
		red, stderr, code := cli(t, "redact", "--rules", scoped, "--method", tc[0], "--path", tc[1], doc, "-q")
		if code != 0 || red != run {
			t.Errorf("%v: redact (exit %d) printed %q, run %q; %s", tc, code, red, run, stderr)
		}
	}
}

// scoped tells a rule set that narrows match from one that does not.
func TestScoped(t *testing.T) {
	for _, tc := range []struct {
		match string
		want  bool
	}{
		{"", false},
		{"match: { forms: true }\n", false},
		{"match: { paths: [\"/**\"] }\n", false},
		{"match: { paths: [\"/api/**\"] }\n", true},
		{"match: { paths: [\"/\"] }\n", true},
		{"match: { methods: [POST] }\n", true},
		{"match: { methods: [GET, POST, PUT, PATCH, DELETE] }\n", true},
	} {
		prog, err := compile(shopRules(t, tc.match), nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := scoped(prog); got != tc.want {
			t.Errorf("%q: scoped %v, want %v", tc.match, got, tc.want)
		}
	}
}

// Standard input ("-" or no file) is read like a file: an NDJSON stream
// piped in is found by its content, and the report names it stdin.
func TestRedactStdin(t *testing.T) {
	plain := shopRules(t, "")
	in := `{"email":"ann@example.com"}` + "\n" + `{"id":2}` + "\n"
	var out, stderr bytes.Buffer
	code := veil(t.Context(), []string{"redact", "--rules", plain}, strings.NewReader(in), &out, &stderr)
	if code != 0 || out.String() != `{"email":"[REDACTED]"}`+"\n"+`{"id":2}`+"\n" ||
		!strings.Contains(stderr.String(), "veil redact: stdin: rule set \"shop\": 1 changed\n  request  contact-email  redact  1 × line 1 $.email\n") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out.String(), stderr.String())
	}
}
