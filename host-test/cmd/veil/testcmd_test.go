package main

import (
	"encoding/json"
	"encoding/xml"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/veilproxy/veil/host-test/testmodule"
)

// Every example carries a case file, and all its cases pass through the
// plugin: make test runs them here (make test-rules runs them through
// build/veil).
func TestVeilTestExamples(t *testing.T) {
	for _, dir := range exampleDirs(t) {
		if _, err := os.Stat(filepath.Join(dir, "rules.test.yaml")); err != nil {
			t.Errorf("%s has no rules.test.yaml", dir)
		}
	}
	root, err := testmodule.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	out, stderr, code := cli(t, "test", "--plugin", pluginPath, filepath.Join(root, "examples"))
	if code != 0 {
		t.Fatalf("veil test examples: exit %d\n%s%s", code, out, stderr)
	}
	if !regexp.MustCompile(`(?m)^\d+ passed, 0 failed\n\z`).MatchString(out) {
		t.Fatalf("veil test examples: no summary line:\n%s", out)
	}
	// at least two cases per example: the one make demo shows and one more
	if n, passed := len(exampleDirs(t)), strings.Count(out, "\nok   "); passed < 2*n {
		t.Errorf("%d cases passed, want at least two per example (%d examples)", passed, n)
	}
}

// fixture is the failing case file of testdata/vtest: two cases pass, two
// fail on purpose.
const fixture = "testdata/vtest/rules.yaml"

// The text output of a failing run: a diff per failure, the coverage line,
// the totals, exit 1 (golden file testdata/vtest/want-output.txt).
func TestVeilTestFailingText(t *testing.T) {
	out, stderr, code := cli(t, "test", "--plugin", pluginPath, fixture)
	if code != 1 || stderr != "" {
		t.Errorf("exit %d, stderr %q; want 1 and nothing", code, stderr)
	}
	golden(t, "vtest/want-output.txt", out)
	for _, s := range []string{
		"    -  \"name\": \"Ann Lee\"\n    +  \"card_number\": \"**** **** **** 1111\",\n",
		"coverage: 3 of 4 rules exercised, not exercised: ssn; 1 keep rule not measured (keep is never reported): public-email\n",
		"\n    findings of card: the audit line reports 1, want 2\n",
		"\n2 passed, 2 failed\n",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}
}

func TestVeilTestFailingJSON(t *testing.T) {
	out, _, code := cli(t, "test", "--plugin", pluginPath, "--json", fixture)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	var r testReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("--json: %v\n%s", err, out)
	}
	if r.Passed != 2 || r.Failed != 2 || len(r.RuleSets) != 1 {
		t.Fatalf("--json: %d passed, %d failed, %d rule sets; want 2, 2, 1", r.Passed, r.Failed, len(r.RuleSets))
	}
	s := r.RuleSets[0]
	if s.Rules != fixture || s.CaseFile != "testdata/vtest/rules.test.yaml" {
		t.Errorf("files %q, %q", s.Rules, s.CaseFile)
	}
	cov := s.Coverage
	if !slices.Equal(cov.Rules, []string{"email", "card", "ssn", "secrets"}) || !slices.Equal(cov.NotExercised, []string{"ssn"}) ||
		!slices.Equal(cov.Keep, []string{"public-email"}) {
		t.Errorf("coverage %+v", cov)
	}
	var failed []string
	for _, c := range s.Cases {
		if c.Passed != (len(c.Failures) == 0) {
			t.Errorf("case %q: passed %v with %d failures", c.Name, c.Passed, len(c.Failures))
		}
		if !c.Passed {
			failed = append(failed, c.Name)
			if f := c.Failures[0]; !strings.HasPrefix(f.Diff, "--- want rules.test.yaml:") || !strings.Contains(f.Diff, "\n@@ -") {
				t.Errorf("case %q: diff %q", c.Name, f.Diff)
			}
		}
	}
	if !slices.Equal(failed, []string{"card masked (fails on purpose)", "a stream forwarded as is (fails on purpose)"}) {
		t.Errorf("failed cases %q", failed)
	}
	if a := s.Cases[0].Audit; len(a) != 1 || a[0].Findings[0].Rule != "email" || a[0].Findings[0].Paths[0] != "$.email" {
		t.Errorf("audit of the first case: %+v", a)
	}
}

// The JUnit XML parses back with encoding/xml into what CI parsers read.
func TestVeilTestJUnit(t *testing.T) {
	file := filepath.Join(t.TempDir(), "junit.xml")
	if _, _, code := cli(t, "test", "--plugin", pluginPath, "--junit", file, fixture); code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), `<?xml version="1.0" encoding="UTF-8"?>`) {
		t.Errorf("no XML declaration: %.60s", b)
	}
	var doc struct {
		XMLName  xml.Name `xml:"testsuites"`
		Tests    int      `xml:"tests,attr"`
		Failures int      `xml:"failures,attr"`
		Suites   []struct {
			Name      string `xml:"name,attr"`
			Tests     int    `xml:"tests,attr"`
			Failures  int    `xml:"failures,attr"`
			SystemOut string `xml:"system-out"`
			Cases     []struct {
				Name      string `xml:"name,attr"`
				Classname string `xml:"classname,attr"`
				Time      string `xml:"time,attr"`
				Failure   *struct {
					Message string `xml:"message,attr"`
					Text    string `xml:",chardata"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("junit: %v\n%s", err, b)
	}
	if doc.Tests != 4 || doc.Failures != 2 || len(doc.Suites) != 1 {
		t.Fatalf("junit: tests %d failures %d suites %d", doc.Tests, doc.Failures, len(doc.Suites))
	}
	s := doc.Suites[0]
	if s.Name != fixture || s.Tests != 4 || s.Failures != 2 || !strings.HasPrefix(s.SystemOut, "coverage: 3 of 4 rules exercised") {
		t.Errorf("junit suite: %q tests %d failures %d system-out %q", s.Name, s.Tests, s.Failures, s.SystemOut)
	}
	for _, c := range s.Cases {
		if c.Classname != fixture || !regexp.MustCompile(`^\d+\.\d{3}$`).MatchString(c.Time) {
			t.Errorf("case %q: classname %q time %q", c.Name, c.Classname, c.Time)
		}
		if strings.Contains(c.Name, "fails on purpose") != (c.Failure != nil) {
			t.Errorf("case %q: failure %v", c.Name, c.Failure)
		}
	}
	if f := s.Cases[1].Failure; f == nil || f.Message != "request body: differs from rules.test.yaml:15 (compared as JSON); findings of card: the audit line reports 1, want 2" ||
		!strings.Contains(f.Text, "\n-  \"name\": \"Ann Lee\"\n+  \"card_number\": \"**** **** **** 1111\",\n") {
		t.Errorf("failure of case 2: %+v", f)
	}
}

// --run selects cases by name; coverage then counts those only. No match
// is an error.
func TestVeilTestRun(t *testing.T) {
	out, _, code := cli(t, "test", "--plugin", pluginPath, "--run", "^email|blocked$", fixture)
	if code != 0 || !strings.HasSuffix(out, "coverage: 2 of 4 rules exercised, not exercised: card, ssn; "+
		"1 keep rule not measured (keep is never reported): public-email\n2 passed, 0 failed\n") {
		t.Errorf("--run: exit %d\n%s", code, out)
	}
	if _, stderr, code := cli(t, "test", "--plugin", pluginPath, "--run", "nothing-like-this", fixture); code != 1 || !strings.Contains(stderr, "no case matches") {
		t.Errorf("--run without match: exit %d, %q", code, stderr)
	}
	if _, _, code := cli(t, "test", "--plugin", pluginPath, "--run", "(", fixture); code != 2 {
		t.Errorf("--run bad regexp: exit %d, want 2", code)
	}
}

// Arguments: a rule set, its case file, a directory (recursively, testdata
// and hidden directories skipped), nothing (the current directory).
func TestFindRuleSets(t *testing.T) {
	dir := t.TempDir()
	write := func(name string) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"a/rules.yaml", "a/rules.test.yaml", "a/other.yaml", "b/x.yml", "b/x.test.yaml",
		"testdata/t.yaml", "testdata/t.test.yaml", ".hidden/h.yaml", ".hidden/h.test.yaml", "a/lonely.test.yaml"} {
		write(f)
	}
	p := func(name string) string { return filepath.Join(dir, name) }
	for _, tc := range []struct {
		args []string
		want []ruleSetFiles
		err  string
	}{
		{[]string{dir}, []ruleSetFiles{{p("a/rules.yaml"), p("a/rules.test.yaml")}, {p("b/x.yml"), p("b/x.test.yaml")}}, ""},
		{[]string{p("testdata")}, []ruleSetFiles{{p("testdata/t.yaml"), p("testdata/t.test.yaml")}}, ""},
		{[]string{p("b/x.test.yaml"), p("b/x.yml")}, []ruleSetFiles{{p("b/x.yml"), p("b/x.test.yaml")}}, ""},
		{[]string{p("a/other.yaml")}, nil, "no cases: " + p("a/other.test.yaml") + " does not exist"},
		{[]string{p("a/none.yaml")}, nil, "no such file"},
		{[]string{p(".hidden/h.test.yaml"), p("a/lonely.test.yaml")}, nil, "no rule set lonely.yaml beside it"},
		{[]string{p("a/x.test.yaml")}, nil, "no such file"},
	} {
		got, err := findRuleSets(tc.args)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want %q", tc.args, err, tc.err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("%q: %v %v, want %v", tc.args, got, err, tc.want)
		}
	}
	if _, err := findRuleSets([]string{p("a/.")}); err != nil {
		t.Errorf("a directory named with a dot: %v", err)
	}
	if _, err := findRuleSets([]string{p(".hidden")}); err != nil {
		t.Errorf("a hidden directory given by name is searched: %v", err)
	}
	empty := t.TempDir()
	if _, err := findRuleSets([]string{empty}); err == nil || !strings.Contains(err.Error(), "no rule set with a case file") {
		t.Errorf("empty directory: %v", err)
	}
}

// A mistake in a case file is reported at file:line:col, all of them, and
// nothing runs (exit 1).
func TestCaseFileErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("body.json", `{"a":1}`)
	write("bad.flags", "--request-body=x.json\n")
	write("good.flags", "--path=/p\n-H=x-a: 1\n--property=connection.mtls=true\n--env=K=v\n--chunk=3\n--envoy=1.39\n")
	for _, tc := range []struct{ src, want string }{
		{"cases:\n  - name: a\n    expect: { request: { body: x } }\n    bogus: 1\n", ":4:5: case: unknown field \"bogus\""},
		{"cases:\n  - name: a\n    expect: { request: { body: x } }\n  - name: a\n    expect: { request: { body: x } }\n",
			":4:5: case \"a\": the name is taken by the case at line 2"},
		{"cases:\n  - name: a\n    request: { body: x, body_file: body.json }\n    expect: { request: { body: x } }\n",
			":3:36: request: give body or body_file, not both"},
		{"cases:\n  - name: a\n", ":2:5: case \"a\": `expect` names nothing to check"},
		{"cases:\n  - expect: { request: { body: x } }\n", ":2:5: case: `name` is required"},
		{"cases:\n  - name: a\n    envoy: 1.20\n    expect: { request: { body: x } }\n", ":3:12: envoy: envoy release \"1.20\": Veil needs Envoy 1.33 or later"},
		{"cases:\n  - name: a\n    expect: { request: { body_file: missing.json } }\n", ":3:37: case \"a\": " + dir + "/missing.json: no such file"},
		{"cases:\n  - name: a\n    flags: bad.flags\n    expect: { request: { body: x } }\n", ":3:12: case \"a\": flags bad.flags: flag provided but not defined: -request-body"},
		{"cases:\n\t- name: a\n", ":2:1: a tab indents this line: YAML indents with spaces"},
		{"cases:\n  - name: a\n    expect: {request: {body: x}}\n  \t- name: b\n", ":4:1: a tab indents this line"},
		{"cases: [\n", ":1:1: did not find expected node content"},
		{"cases: {}\n", ":1:8: cases: want a list of cases"},
		{"cases: []\n", ":1:8: no cases"},
		{"", "empty case file"},
		{"other: 1\n", ":1:1: unknown field \"other\" (want cases)"},
		{"cases:\n  - name: a\n    response: { status: 700 }\n    expect: { local_reply: { status: 403 }, response: { body: x } }\n",
			":3:25: status: want a whole number from 100 to 599, got \"700\""},
		{"cases:\n  - name: a\n    expect: { local_reply: { status: 403 }, response: { body: x } }\n", "a response and a local reply exclude each other"},
		{"cases:\n  - name: a\n    request: { path: p }\n    expect: { request: { body: x } }\n", ":3:22: path: want an absolute path"},
		{"cases:\n  - name: a\n    request: { headers: { \":path\": /x } }\n    expect: { request: { body: x } }\n", ":3:27: headers: \":path\": want a header name"},
		{"cases:\n  - name: a\n    env: { 1X: v }\n    expect: { request: { body: x } }\n", ":3:12: env: \"1X\" is not a variable name"},
		{"cases:\n  - name: a\n    request: { body: { 1: x } }\n    expect: { request: { body: x } }\n", "request.body: not expressible as JSON"},
		{"cases:\n  - name: a\n    expect: { request: {} }\n", ":3:24: expect.request: want body, body_file or headers"},
		{"cases:\n  - name: a\n    expect: { findings: { r: -1 } }\n", ":3:30: findings of r: want a whole number from 0"},
	} {
		file := write("rules.test.yaml", tc.src)
		write("rules.yaml", "version: 1\nrules: []\n")
		_, stderr, code := cli(t, "test", "--plugin", pluginPath, filepath.Join(dir, "rules.yaml"))
		if code != 1 || !strings.Contains(stderr, file+tc.want) && !strings.Contains(stderr, tc.want) || !strings.HasPrefix(stderr, file) {
			t.Errorf("%q: exit %d, stderr %q; want %q", tc.src, code, stderr, tc.want)
		}
	}
	// every mistake is reported, not only the first
	src := "cases:\n  - name: a\n    bogus: 1\n    expect: { request: { body: x } }\n  - name: b\n    other: 2\n    expect: { request: { body: x } }\n"
	if _, err := parseCaseFile("f.yaml", []byte(src)); err == nil || !strings.Contains(err.Error(), "f.yaml:3:5:") || !strings.Contains(err.Error(), "f.yaml:6:5:") {
		t.Errorf("two mistakes: %v", err)
	}
	// a flags file: what it sets stands unless the case sets it
	cf, err := parseCaseFile(filepath.Join(dir, "c.test.yaml"), []byte("cases:\n  - name: a\n    flags: good.flags\n"+
		"    request: { method: PUT, headers: { x-b: 2 } }\n    env: { L: w }\n    expect: { request: { body: x } }\n"))
	if err == nil {
		err = cf.load()
	}
	if err != nil {
		t.Fatal(err)
	}
	c := cf.cases[0]
	if c.request.path != "/p" || c.request.method != "PUT" || len(c.request.headers) != 2 || c.request.headers[0] != [2]string{"x-a", "1"} ||
		!slices.Equal(c.env, []string{"K=v", "L=w"}) || *c.chunk != 3 || c.envoy != "1.39" || len(c.properties) != 1 || c.properties[0].Value != true {
		t.Errorf("flags file applied: %+v", c)
	}
}

// Inline YAML bodies are JSON; a string is taken as it is.
func TestCaseBodies(t *testing.T) {
	cf, err := parseCaseFile("t.yaml", []byte(`cases:
  - name: a
    request: { body: { b: [1, true, null, "x<y"], a: 2.50 } }
    response: { body: "not json\n" }
    expect: { local_reply: { body_contains: blocked } }
`))
	if err != nil {
		t.Fatal(err)
	}
	c := cf.cases[0]
	if got := string(c.request.body.bytes()); got != `{"a":2.5,"b":[1,true,null,"x<y"]}` {
		t.Errorf("request body %s", got)
	}
	if got := string(c.response.body.bytes()); got != "not json\n" || c.response.body.describe() != "t.yaml:4" {
		t.Errorf("response body %q from %s", got, c.response.body.describe())
	}
}

func TestCanonicalJSON(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{`{"b":1,"a":[true,null,{}],"c":[]}`, "{\n  \"a\": [\n    true,\n    null,\n    {}\n  ],\n  \"b\": 1,\n  \"c\": []\n}\n", true},
		{" {\"a\" : \"\\u0073<\" }\n", "{\n  \"a\": \"s<\"\n}\n", true},
		{`{"k":1,"k":2}`, "{\n  \"k\": 1,\n  \"k\": 2\n}\n", true},
		{`1.50`, "1.50\n", true},
		{`{"a":1} {"a":2}`, "", false},
		{`{"a":`, "", false},
		{`data: {}`, "", false},
		{``, "", false},
	} {
		got, ok := canonicalJSON([]byte(tc.in))
		if ok != tc.ok || string(got) != tc.want {
			t.Errorf("canonicalJSON(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
	a, _ := canonicalJSON([]byte(`{"x": {"b": 1, "a": 2}}`))
	b, _ := canonicalJSON([]byte("{\n\"x\":{\"a\":2,\"b\":1}\n}"))
	if string(a) != string(b) {
		t.Errorf("formatting and member order matter: %s vs %s", a, b)
	}
}

func TestUnifiedDiff(t *testing.T) {
	for _, tc := range []struct{ a, b, want string }{
		{"x\n", "x\n", ""},
		{"a\nb\nc\n", "a\nB\nc\n", "--- w\n+++ g\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"},
		{"", "new\n", "--- w\n+++ g\n@@ -0,0 +1 @@\n+new\n"},
		{"old\n", "", "--- w\n+++ g\n@@ -1 +0,0 @@\n-old\n"},
		{"a\n", "a", "--- w\n+++ g\n@@ -1 +1 @@\n-a\n+a\n\\ No newline at end of file\n"},
		// two changes 7 lines apart make two hunks, 6 apart one
		{"1\n2\n3\n4\n5\n6\n7\n8\n9\n", "X\n2\n3\n4\n5\n6\n7\n8\nY\n",
			"--- w\n+++ g\n@@ -1,4 +1,4 @@\n-1\n+X\n 2\n 3\n 4\n@@ -6,4 +6,4 @@\n 6\n 7\n 8\n-9\n+Y\n"},
		{"1\n2\n3\n4\n5\n6\n7\n8\n", "X\n2\n3\n4\n5\n6\n7\nY\n",
			"--- w\n+++ g\n@@ -1,8 +1,8 @@\n-1\n+X\n 2\n 3\n 4\n 5\n 6\n 7\n-8\n+Y\n"},
	} {
		if got := unifiedDiff("w", "g", tc.a, tc.b); got != tc.want {
			t.Errorf("unifiedDiff(%q, %q):\n%s\nwant\n%s", tc.a, tc.b, got, tc.want)
		}
	}
}

// lineDiff returns a shortest edit script: applying it turns a into b,
// and it keeps as many lines as a longest common subsequence has.
func TestLineDiffShortest(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	gen := func() []string {
		s := make([]string, r.IntN(12))
		for i := range s {
			s[i] = string(rune('a' + r.IntN(3)))
		}
		return s
	}
	for range 2000 {
		a, b := gen(), gen()
		ops := lineDiff(a, b)
		var gotA, gotB []string
		kept := 0
		for _, op := range ops {
			if op.kind != '+' {
				gotA = append(gotA, op.line)
			}
			if op.kind != '-' {
				gotB = append(gotB, op.line)
			}
			if op.kind == ' ' {
				kept++
			}
		}
		if !slices.Equal(gotA, a) || !slices.Equal(gotB, b) || kept != lcs(a, b) {
			t.Fatalf("lineDiff(%q, %q) = %v: kept %d, LCS %d", a, b, ops, kept, lcs(a, b))
		}
	}
}

// lcs is the length of a longest common subsequence, by dynamic programming.
func lcs(a, b []string) int {
	dp := make([][]int, len(a)+1)
	for i := range dp {
		dp[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				dp[i][j] = dp[i+1][j+1] + 1
			} else {
				dp[i][j] = max(dp[i+1][j], dp[i][j+1])
			}
		}
	}
	return dp[0][0]
}

// The case file parser never panics, and reports every error at a
// position in the file it was given.
func FuzzParseCaseFile(f *testing.F) {
	seeds, _ := filepath.Glob("../../../examples/*/rules.test.yaml")
	seeds = append(seeds, "testdata/vtest/rules.test.yaml")
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("cases:\n  - name: a\n    properties: { x: &a [*a] }\n    expect: { request: { body: *a } }\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		cf, err := parseCaseFile("f.test.yaml", src)
		if err != nil {
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, "f.test.yaml:") {
					t.Fatalf("error line without the file's name: %q", line)
				}
			}
			return
		}
		if len(cf.cases) == 0 {
			t.Fatal("no error and no cases")
		}
		for _, c := range cf.cases {
			if c.name == "" {
				t.Fatal("a case without name")
			}
		}
	})
}

func TestVeilTestUsage(t *testing.T) {
	if out, _, code := cli(t, "test", "--help"); code != 0 || !strings.HasPrefix(out, "usage: veil test") || !strings.Contains(out, "-junit file") {
		t.Errorf("test --help: exit %d, %q", code, out)
	}
	if _, stderr, code := cli(t, "test", "--no-such-flag"); code != 2 || stderr == "" {
		t.Errorf("test --no-such-flag: exit %d, stderr %q", code, stderr)
	}
	if out, _, code := cli(t, "help"); code != 0 || !strings.Contains(out, "\n  test ") {
		t.Errorf("the command list lacks test: %s", out)
	}
}

// A rule set the plugin refuses fails every case, with the plugin's error,
// and its coverage is unknown.
func TestVeilTestBadRuleSet(t *testing.T) {
	dir := t.TempDir()
	rulesFile := filepath.Join(dir, "r.yaml")
	os.WriteFile(rulesFile, []byte("version: 1\nrules:\n  - id: a\n    select: { paths: [\"$.x[\"] }\n    action: redact\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "r.test.yaml"), []byte("cases:\n  - name: a\n    request: { body: {x: 1} }\n    expect: { request: { body: {x: 1} } }\n"), 0o644)
	out, _, code := cli(t, "test", "--plugin", pluginPath, rulesFile)
	if code != 1 || !strings.Contains(out, "FAIL a (") || !strings.Contains(out, "    start: wasm vm failed to start") ||
		!strings.Contains(out, "\ncoverage: unknown, the rule set does not compile\n0 passed, 1 failed\n") {
		t.Errorf("exit %d\n%s", code, out)
	}
}
