package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	hosttest "github.com/veilproxy/veil/host-test"
	"github.com/veilproxy/veil/rules"
)

const testSynopsis = `test [--plugin FILE] [--run REGEXP] [--json] [--junit FILE] [RULES_FILE | CASES_FILE | DIR]...

Runs the cases kept beside each rule set (NAME.test.yaml beside NAME.yaml)
through the plugin in host-test's Envoy emulation, as veil run would, and
compares what leaves the filter with what each case expects. A directory
stands for every rule set under it that has a case file (directories named
testdata or starting with "." are skipped); no argument is the current
directory. Prints a unified diff per failure, a coverage line per rule set
(the rules no case exercised, per the plugin's audit line; keep rules are
never reported, so they are counted apart) and "N passed, N failed"; exits
1 when a case fails or a case file is wrong. The case file format:
docs/testing-rules.md.`

// testCmd is `veil test`.
func testCmd(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fset := newFlags("test", testSynopsis, stderr)
	plugin := fset.String("plugin", "", pluginFlagUsage)
	runPattern := fset.String("run", "", "run only the cases whose name matches `regexp`")
	asJSON := fset.Bool("json", false, "print the results as one JSON object instead of text")
	junit := fset.String("junit", "", "also write the results as JUnit XML to `file` (for CI)")
	if err := parse(fset, args, stdout); err != nil {
		return err
	}
	var only *regexp.Regexp
	if *runPattern != "" {
		var err error
		if only, err = regexp.Compile(*runPattern); err != nil {
			return fail(2, "--run: %v", err)
		}
	}
	targets := fset.Args()
	if len(targets) == 0 {
		targets = []string{"."}
	}
	sets, err := findRuleSets(targets)
	if err != nil {
		return err
	}
	suites, bad := loadSuites(sets, only, stderr)
	if bad {
		return &exitError{1, ""}
	}
	if len(suites) == 0 {
		return fail(1, "no case matches --run %q", *runPattern)
	}
	wasm, name, err := pluginModule(*plugin)
	if err != nil {
		return err
	}
	r := &testRunner{ctx: ctx, wasm: wasm, name: name, mods: map[hosttest.Profile]*hosttest.Module{}}
	defer r.close()
	report := testReport{RuleSets: []*suiteResult{}}
	for _, s := range suites {
		res, err := r.runSuite(s)
		if err != nil {
			return err
		}
		report.RuleSets = append(report.RuleSets, res)
		for _, c := range res.Cases {
			if c.Passed {
				report.Passed++
			} else {
				report.Failed++
			}
		}
	}
	if *junit != "" {
		if err := writeJUnit(*junit, &report); err != nil {
			return err
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(&report); err != nil {
			return err
		}
	} else {
		printReport(stdout, &report)
	}
	if report.Failed > 0 {
		return &exitError{1, ""}
	}
	return nil
}

// ruleSetFiles is a rule set and its case file.
type ruleSetFiles struct {
	rules, cases string
}

// casesSuffix ends a case file's name: NAME.test.yaml for NAME.yaml.
const casesSuffix = ".test.yaml"

// casesFor returns the case file of a rule set file.
func casesFor(rulesFile string) string {
	return strings.TrimSuffix(rulesFile, filepath.Ext(rulesFile)) + casesSuffix
}

// isRuleSetName reports whether a file name looks like a rule set's.
func isRuleSetName(name string) bool {
	if strings.HasSuffix(name, casesSuffix) {
		return false
	}
	switch filepath.Ext(name) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// findRuleSets resolves the arguments of veil test into rule sets with
// their case files: a rule set file (its case file must exist), a case
// file (its rule set must exist) or a directory (every rule set under it
// with a case file; at least one).
func findRuleSets(args []string) ([]ruleSetFiles, error) {
	var out []ruleSetFiles
	seen := map[string]bool{}
	add := func(s ruleSetFiles) {
		if !seen[s.rules] {
			seen[s.rules] = true
			out = append(out, s)
		}
	}
	exists := func(name string) bool {
		st, err := os.Stat(name)
		return err == nil && !st.IsDir()
	}
	for _, arg := range args {
		st, err := os.Stat(arg)
		if err != nil {
			return nil, fail(1, "%v", unwrapPath(err))
		}
		switch {
		case st.IsDir():
			found := 0
			err := filepath.WalkDir(arg, func(p string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				if d.IsDir() {
					if p != arg && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
						return filepath.SkipDir
					}
					return nil
				}
				if isRuleSetName(d.Name()) && exists(casesFor(p)) {
					add(ruleSetFiles{p, casesFor(p)})
					found++
				}
				return nil
			})
			if err != nil {
				return nil, err
			}
			if found == 0 {
				return nil, fail(1, "%s: no rule set with a case file (NAME%s beside NAME.yaml)", arg, casesSuffix)
			}
		case strings.HasSuffix(arg, casesSuffix):
			stem := strings.TrimSuffix(arg, casesSuffix)
			i := slices.IndexFunc([]string{".yaml", ".yml", ".json"}, func(ext string) bool { return exists(stem + ext) })
			if i < 0 {
				return nil, fail(1, "%s: no rule set %s.yaml beside it", arg, filepath.Base(stem))
			}
			add(ruleSetFiles{stem + []string{".yaml", ".yml", ".json"}[i], arg})
		default:
			if !exists(casesFor(arg)) {
				return nil, fail(1, "%s: no cases: %s does not exist", arg, casesFor(arg))
			}
			add(ruleSetFiles{arg, casesFor(arg)})
		}
	}
	return out, nil
}

// suite is a rule set with its parsed and loaded cases.
type suite struct {
	files ruleSetFiles
	cases []*testCase
}

// loadSuites parses and loads every case file, keeping the cases only
// selects (all when nil). Every mistake goes to stderr; bad reports one.
func loadSuites(sets []ruleSetFiles, only *regexp.Regexp, stderr io.Writer) (suites []suite, bad bool) {
	for _, s := range sets {
		src, err := os.ReadFile(s.cases)
		if err != nil {
			fmt.Fprintln(stderr, unwrapPath(err))
			bad = true
			continue
		}
		cf, err := parseCaseFile(s.cases, src)
		if err == nil {
			err = cf.load()
		}
		if err != nil {
			fmt.Fprintln(stderr, err)
			bad = true
			continue
		}
		var cases []*testCase
		for _, c := range cf.cases {
			if only == nil || only.MatchString(c.name) {
				cases = append(cases, c)
			}
		}
		if len(cases) > 0 {
			suites = append(suites, suite{s, cases})
		}
	}
	return suites, bad
}

// testReport is what veil test found, as --json prints it.
type testReport struct {
	RuleSets []*suiteResult `json:"rule_sets"`
	Passed   int            `json:"passed"`
	Failed   int            `json:"failed"`
}

// suiteResult is the result of one rule set's cases.
type suiteResult struct {
	Rules    string        `json:"rules"`
	CaseFile string        `json:"case_file"`
	Cases    []*caseResult `json:"cases"`
	Coverage coverage      `json:"coverage"`
}

// caseResult is the result of one case.
type caseResult struct {
	Name    string  `json:"name"`
	Line    int     `json:"line"`
	Passed  bool    `json:"passed"`
	Seconds float64 `json:"seconds"`
	// Failures lists every expectation the case missed.
	Failures []caseFailure `json:"failures,omitempty"`
	// Audit holds the plugin's audit lines of the exchange: per rule the
	// paths it acted on, never values.
	Audit []audit `json:"audit,omitempty"`
}

// caseFailure is one expectation a case missed.
type caseFailure struct {
	// What names the part: "request body", "response header x-veil",
	// "local reply", "exchange".
	What    string `json:"what"`
	Message string `json:"message"`
	// Diff is the unified diff from the expected to the actual body.
	Diff string `json:"diff,omitempty"`
}

// coverage is which rules of a rule set the cases exercised, per the
// audit lines of their exchanges.
type coverage struct {
	// Rules are the rules the audit line can report (every rule but keep
	// rules), in file order.
	Rules []string `json:"rules"`
	// NotExercised are the Rules no case's audit line named.
	NotExercised []string `json:"not_exercised"`
	// Keep are the keep rules: never reported, so not measured.
	Keep []string `json:"keep"`
	// MinimizeLists are the minimize lists, NotApplied those no case applied.
	MinimizeLists []string `json:"minimize_lists,omitempty"`
	NotApplied    []string `json:"minimize_not_applied,omitempty"`
	// Error is set when the rule set does not compile natively (the cases
	// then fail too).
	Error string `json:"error,omitempty"`
}

// testRunner runs cases, loading the plugin once per Envoy profile used.
type testRunner struct {
	ctx  context.Context
	wasm []byte
	name string
	mods map[hosttest.Profile]*hosttest.Module
}

// module returns the plugin loaded under profile p, loading it on first use.
func (r *testRunner) module(p hosttest.Profile) (*hosttest.Module, error) {
	if m, ok := r.mods[p]; ok {
		return m, nil
	}
	m, err := hosttest.Load(r.ctx, r.wasm, hosttest.Options{Profile: p, CacheDir: cacheDir()})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", r.name, err)
	}
	r.mods[p] = m
	return m, nil
}

// close releases the loaded modules.
func (r *testRunner) close() {
	for _, m := range r.mods {
		_ = m.Close(r.ctx)
	}
}

// runSuite runs a rule set's cases and measures their coverage.
func (r *testRunner) runSuite(s suite) (*suiteResult, error) {
	src, err := os.ReadFile(s.files.rules)
	if err != nil {
		return nil, err
	}
	out := &suiteResult{Rules: s.files.rules, CaseFile: s.files.cases}
	reported := map[string]bool{}
	minimized := map[string]bool{}
	for _, c := range s.cases {
		res, err := r.runCase(src, c)
		if err != nil {
			return nil, err
		}
		for _, a := range res.Audit {
			for _, f := range a.Findings {
				reported[f.Rule] = true
			}
			for _, m := range a.Minimized {
				minimized[m.AllowList] = true
			}
		}
		out.Cases = append(out.Cases, res)
	}
	out.Coverage = measureCoverage(src, s.files.rules, reported, minimized)
	return out, nil
}

// measureCoverage lists the rules and minimize lists of a rule set and
// those the audit lines never named. The rule set is compiled natively
// for its rule list, a key variable it names read as a placeholder.
func measureCoverage(src []byte, name string, reported, minimized map[string]bool) coverage {
	cov := coverage{Rules: []string{}, NotExercised: []string{}, Keep: []string{}}
	var missing []string
	env := &envFlags{values: map[string]string{}}
	prog, err := rules.Compile(src, rules.Options{Filename: name, Env: env.placeholderLookup(&missing)})
	if err != nil {
		cov.Error = "the rule set does not compile"
		return cov
	}
	for _, ri := range prog.Rules() {
		if ri.Action == "keep" {
			cov.Keep = append(cov.Keep, ri.ID)
			continue
		}
		cov.Rules = append(cov.Rules, ri.ID)
		if !reported[ri.ID] {
			cov.NotExercised = append(cov.NotExercised, ri.ID)
		}
	}
	for _, l := range prog.MinimizeLists() {
		cov.MinimizeLists = append(cov.MinimizeLists, l.ID)
		if !minimized[l.ID] {
			cov.NotApplied = append(cov.NotApplied, l.ID)
		}
	}
	return cov
}

// line is the coverage line printed after a rule set's cases.
func (c coverage) line() string {
	if c.Error != "" {
		return "coverage: unknown, " + c.Error
	}
	var b strings.Builder
	fmt.Fprintf(&b, "coverage: %d of %d %s exercised", len(c.Rules)-len(c.NotExercised), len(c.Rules), plural(len(c.Rules), "rule", "rules"))
	if len(c.NotExercised) > 0 {
		fmt.Fprintf(&b, ", not exercised: %s", strings.Join(c.NotExercised, ", "))
	}
	if n := len(c.MinimizeLists); n > 0 {
		fmt.Fprintf(&b, "; %d of %d minimize %s applied", n-len(c.NotApplied), n, plural(n, "list", "lists"))
		if len(c.NotApplied) > 0 {
			fmt.Fprintf(&b, ", not applied: %s", strings.Join(c.NotApplied, ", "))
		}
	}
	if n := len(c.Keep); n > 0 {
		fmt.Fprintf(&b, "; %d keep %s not measured (keep is never reported): %s", n, plural(n, "rule", "rules"), strings.Join(c.Keep, ", "))
	}
	return b.String()
}

// plural returns one when n is 1, else many.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// runCase runs one case in a fresh VM and checks what it expects. An error
// is returned only when the plugin module does not load.
func (r *testRunner) runCase(rulesSrc []byte, c *testCase) (*caseResult, error) {
	start := time.Now()
	res := &caseResult{Name: c.name, Line: c.line}
	defer func() {
		res.Passed = len(res.Failures) == 0
		res.Seconds = time.Since(start).Seconds()
	}()
	profile, err := hosttest.ParseProfile(c.envoy)
	if err != nil {
		return nil, err // parseCaseFile checked it
	}
	mod, err := r.module(profile)
	if err != nil {
		return nil, err
	}
	cfg := hosttest.Config{PluginConfig: rulesSrc, Env: c.env, Properties: c.properties}
	if c.allowStop != nil {
		cfg.AllowOnHeadersStopIteration = *c.allowStop
	}
	vm, err := mod.Start(r.ctx, cfg)
	if err != nil {
		res.Failures = append(res.Failures, caseFailure{What: "start", Message: err.Error()})
		return res, nil
	}
	defer vm.Close(r.ctx)
	ex := hosttest.Exchange{
		Method: c.request.method, Path: c.request.path, Status: c.response.status,
		RequestHeaders: slices.Clone(c.request.headers), ResponseHeaders: slices.Clone(c.response.headers),
	}
	if c.chunk != nil {
		ex.ChunkSize = *c.chunk
	}
	if b := c.request.body; b != nil {
		ex.RequestBody = bytes.Clone(b.bytes())
		addContentType(&ex.RequestHeaders, ex.RequestBody)
	}
	if b := c.response.body; b != nil {
		ex.ResponseBody = bytes.Clone(b.bytes())
		addContentType(&ex.ResponseHeaders, ex.ResponseBody)
	}
	out := vm.Do(ex)
	for i := range out.Logs {
		if a, ok := auditFromLogs(out.Logs[i : i+1]); ok {
			res.Audit = append(res.Audit, a)
		}
	}
	res.Failures = append(check(c, out), checkFindings(c.expect.findings, res.Audit)...)
	return res, nil
}

// check compares an exchange's result with what the case expects.
func check(c *testCase, out *hosttest.Result) []caseFailure {
	var fails []caseFailure
	add := func(f *caseFailure) {
		if f != nil {
			fails = append(fails, *f)
		}
	}
	if out.VMError != nil {
		add(&caseFailure{What: "exchange", Message: fmt.Sprintf("wasm vm failed: %v", out.VMError)})
	}
	for _, e := range out.Errors {
		add(&caseFailure{What: "exchange", Message: "exchange error: " + e})
	}
	if out.Reset != "" {
		add(&caseFailure{What: "exchange", Message: "stream reset: " + out.Reset})
	}
	e := c.expect
	lr := out.LocalReply
	switch {
	case e.localReply != nil && lr == nil:
		add(&caseFailure{What: "local reply", Message: "want a local reply, got none: the exchange was forwarded"})
	case e.localReply != nil:
		w := e.localReply
		if w.status != 0 && lr.Status != w.status {
			add(&caseFailure{What: "local reply", Message: fmt.Sprintf("status %d, want %d", lr.Status, w.status)})
		}
		if w.body != nil {
			add(compareBody("local reply body", w.body, lr.Body))
		}
		if w.bodyContains != "" && !bytes.Contains(lr.Body, []byte(w.bodyContains)) {
			add(&caseFailure{What: "local reply body", Message: fmt.Sprintf("does not contain %q; the body:\n%s", w.bodyContains, lr.Body)})
		}
	case lr != nil:
		add(&caseFailure{What: "local reply", Message: fmt.Sprintf("unexpected local reply %d %s (expect.local_reply tests one); its body:\n%s",
			lr.Status, lr.Details, lr.Body)})
	}
	for _, m := range []struct {
		what string
		want *wantMessage
		got  *hosttest.Message
	}{{"request", e.request, &out.Request}, {"response", e.response, &out.Response}} {
		if m.want == nil || lr != nil && m.what == "response" {
			continue
		}
		if !m.got.Sent {
			add(&caseFailure{What: m.what, Message: "not forwarded"})
			continue
		}
		if m.want.body != nil {
			add(compareBody(m.what+" body", m.want.body, m.got.Body))
		}
		for _, h := range m.want.headers {
			got, ok := m.got.Headers.Get(h.name)
			switch {
			case h.value == nil && ok:
				add(&caseFailure{What: m.what + " header " + h.name, Message: fmt.Sprintf("present (%q), want it absent", got)})
			case h.value != nil && !ok:
				add(&caseFailure{What: m.what + " header " + h.name, Message: fmt.Sprintf("absent, want %q", *h.value)})
			case h.value != nil && got != *h.value:
				add(&caseFailure{What: m.what + " header " + h.name, Message: fmt.Sprintf("%q, want %q", got, *h.value)})
			}
		}
	}
	return fails
}

// checkFindings compares the counts the audit lines report per rule with
// those a case expects.
func checkFindings(want []wantFinding, audits []audit) []caseFailure {
	got := map[string]int{}
	for _, a := range audits {
		for _, f := range a.Findings {
			got[f.Rule] += f.Count
		}
	}
	var fails []caseFailure
	for _, w := range want {
		if got[w.rule] != w.count {
			fails = append(fails, caseFailure{What: "findings of " + w.rule,
				Message: fmt.Sprintf("the audit line reports %d, want %d", got[w.rule], w.count)})
		}
	}
	return fails
}

// compareBody compares a body with the expected one: as JSON when both
// parse (formatting aside), else byte for byte. A mismatch carries a
// unified diff from want to got.
func compareBody(what string, want *bodySpec, got []byte) *caseFailure {
	w, g := want.bytes(), got
	how := "bytes"
	if cw, ok := canonicalJSON(w); ok {
		if cg, ok := canonicalJSON(g); ok {
			w, g, how = cw, cg, "JSON"
		}
	}
	if bytes.Equal(w, g) {
		return nil
	}
	return &caseFailure{
		What:    what,
		Message: fmt.Sprintf("differs from %s (compared as %s)", want.describe(), how),
		Diff:    unifiedDiff("want "+want.describe(), "got", string(w), string(g)),
	}
}

// printReport prints the results as text: a line per case, the diff of
// each failure, a coverage line per rule set, the totals.
func printReport(w io.Writer, r *testReport) {
	for _, s := range r.RuleSets {
		fmt.Fprintf(w, "=== %s (%s)\n", s.Rules, s.CaseFile)
		for _, c := range s.Cases {
			if c.Passed {
				fmt.Fprintf(w, "ok   %s\n", c.Name)
				continue
			}
			fmt.Fprintf(w, "FAIL %s (%s:%d)\n", c.Name, s.CaseFile, c.Line)
			for _, f := range c.Failures {
				fmt.Fprintf(w, "    %s: %s\n", f.What, indent(f.Message, "    "))
				if f.Diff != "" {
					fmt.Fprintf(w, "    %s\n", indent(strings.TrimSuffix(f.Diff, "\n"), "    "))
				}
			}
		}
		fmt.Fprintln(w, s.Coverage.line())
	}
	fmt.Fprintf(w, "%d passed, %d failed\n", r.Passed, r.Failed)
}

// indent indents every line of s after the first.
func indent(s, prefix string) string {
	return strings.ReplaceAll(s, "\n", "\n"+prefix)
}

// JUnit XML, in the shape common CI parsers read (Jenkins, GitLab, GitHub
// actions): testsuites > testsuite (one per rule set) > testcase, a
// failure element per failed case.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

// junitSuite is one rule set's cases.
type junitSuite struct {
	Name      string      `xml:"name,attr"`
	Tests     int         `xml:"tests,attr"`
	Failures  int         `xml:"failures,attr"`
	Errors    int         `xml:"errors,attr"`
	Skipped   int         `xml:"skipped,attr"`
	Time      string      `xml:"time,attr"`
	Cases     []junitCase `xml:"testcase"`
	SystemOut string      `xml:"system-out,omitempty"`
}

// junitCase is one case; Failure is set when it failed.
type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Line      int           `xml:"line,attr,omitempty"`
	Failure   *junitFailure `xml:"failure,omitempty"`
}

// junitFailure holds what a failed case missed, diffs included.
type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// writeJUnit writes the report as JUnit XML to file.
func writeJUnit(file string, r *testReport) error {
	out := junitSuites{Name: "veil test", Tests: r.Passed + r.Failed, Failures: r.Failed}
	var total float64
	for _, s := range r.RuleSets {
		js := junitSuite{Name: s.Rules, SystemOut: s.Coverage.line()}
		var secs float64
		for _, c := range s.Cases {
			jc := junitCase{Name: c.Name, Classname: s.Rules, Time: seconds(c.Seconds), File: s.CaseFile, Line: c.Line}
			if !c.Passed {
				var msgs []string
				var text strings.Builder
				for _, f := range c.Failures {
					msgs = append(msgs, f.What+": "+firstLine(f.Message))
					fmt.Fprintf(&text, "%s: %s\n%s", f.What, f.Message, f.Diff)
				}
				jc.Failure = &junitFailure{Message: strings.Join(msgs, "; "), Type: "mismatch", Text: text.String()}
				js.Failures++
			}
			js.Tests++
			secs += c.Seconds
			js.Cases = append(js.Cases, jc)
		}
		js.Time = seconds(secs)
		total += secs
		out.Suites = append(out.Suites, js)
	}
	out.Time = seconds(total)
	b, err := xml.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(file, append([]byte(xml.Header), append(b, '\n')...), 0o644)
}

// seconds formats a duration as JUnit's time attributes spell it.
func seconds(s float64) string { return fmt.Sprintf("%.3f", s) }

// firstLine returns s up to its first newline.
func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}
