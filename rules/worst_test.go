package rules

import (
	"errors"
	"strings"
	"testing"
)

// TestCustomPatternCost: `detectors:` refuses patterns whose counted
// repetitions make the VM read too many states per byte, at the regex's
// position, with the rewrite to use; patterns within the limits compile.
func TestCustomPatternCost(t *testing.T) {
	src := func(re string) string {
		return "detectors:\n  x: { regex: '" + re + "' }\nrules:\n  - { id: r, select: { detect: [x] }, action: redact }\n"
	}
	for _, re := range []string{
		`EMP-[0-9]{6}`,                     // 10 states
		`ACC[0-9]{10}`,                     // anchored
		`[0-9]{3}-[0-9]{2}-[0-9]{4}`,       // 11, no anchor needed
		`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+`, // unbounded runs cost one state each
		`[a-z]+@`,
		`(?i)ticket-[0-9]+`,
		`\b[A-Z]{3}[0-9]{8}\b`,
		`[0-9]{16}`,
		`EMP-[A-Z0-9]{1,100}`, // 104 states behind "EMP-"
		`[A-Z]{2}[0-9]{2}[A-Z0-9]{11,28}`,
	} {
		if _, err := Compile([]byte(src(re)), Options{Filename: "r.yaml"}); err != nil {
			t.Errorf("%s: refused: %v", re, err)
		}
	}
	for _, c := range []struct{ re, states string }{
		{`[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}`, "318 states"},
		{`[a-z]{1,1000}@`, "1001 states"},
		{`[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}`, "34 states"},
		{`(?i)emp-[0-9]{1,40}`, "44 states"}, // a folded prefix is no anchor
		{`EMP-[0-9]{1,200}`, "204 states"},   // past the anchored limit
		{`ab[0-9]{40}`, "42 states"},         // two bytes are no anchor
		{`(x[0-9]{9}){4}`, "40 states"},      // repetitions multiply
	} {
		_, err := Compile([]byte(src(c.re)), Options{Filename: "r.yaml"})
		var ce *CompileError
		if !errors.As(err, &ce) || len(ce.Diagnostics) != 1 {
			t.Errorf("%s: got %v, want one diagnostic", c.re, err)
			continue
		}
		d := ce.Diagnostics[0]
		if d.Line != 2 || d.Col != 15 || !strings.Contains(d.Message, c.states) ||
			!strings.Contains(d.Message, "detectors.x.regex: ") || !strings.Contains(d.Message, `write + or *`) {
			t.Errorf("%s: got %s", c.re, d)
		}
	}
}

// rescanSet is a rule set whose custom detector passes lint but reads a run
// of digits again after each four-digit match: quadratic in the run.
const rescanSet = "detectors:\n  code: { regex: '[0-9]+-[0-9]+|[0-9]{4}' }\n" +
	"rules:\n  - { id: codes, select: { detect: [code] }, action: redact }\n"

// TestWorkBudget: a body on which the detectors pass the work budget fails
// with ErrWorkBudget wherever the slow text sits (a value, a member name, a
// JSON document in a string, an NDJSON record), and the same text in small
// amounts, or ordinary text, does not.
func TestWorkBudget(t *testing.T) {
	digits := strings.Repeat("1", 300<<10)
	cases := []struct {
		name, set, body string
		kind            BodyKind
	}{
		{"value", rescanSet, `{"a":"` + digits + `"}`, BodyJSON},
		{"escaped value", rescanSet, `{"a":"\u0031` + digits + `"}`, BodyJSON},
		{"array of values", rescanSet, `["` + digits[:100<<10] + `","` + digits[:100<<10] + `","` + digits[:100<<10] + `"]`, BodyJSON},
		{"member name", rescanSet, `{"` + digits + `":1}`, BodyJSON},
		{"json in a string", rescanSet + "json_in_strings: true\n", `{"a":"{\"b\":\"` + digits + `\"}"}`, BodyJSON},
		{"ndjson record", rescanSet, `{"a":1}` + "\n" + `{"a":"` + digits + `"}` + "\n", BodyJSONLines},
	}
	for _, c := range cases {
		p, err := Compile([]byte(c.set), Options{})
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = p.ApplyAs(c.kind, []byte(c.body), Input{Direction: Request}, ApplyFunc(p.Apply))
		if !errors.Is(err, ErrWorkBudget) || !strings.Contains(err.Error(), "work budget exceeded: the content detectors passed") {
			t.Errorf("%s: got %v, want ErrWorkBudget", c.name, err)
		}
	}
	p, err := Compile([]byte(rescanSet), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{`{"a":"` + digits[:512] + `"}`, `{"a":"call 1111-2222 or 3333 4444"}`} {
		if _, _, err := p.Apply([]byte(body), Input{Direction: Request}); err != nil {
			t.Errorf("%.40s: %v", body, err)
		}
	}
}

// TestWorkBudgetFollowsOnError: WorkBudget is counted under its own name and
// gets the action of on.error.
func TestWorkBudgetFollowsOnError(t *testing.T) {
	if WorkBudget.String() != "work_budget" {
		t.Errorf("name %q", WorkBudget)
	}
	for _, choice := range []string{"reject", "pass"} {
		p, err := Compile([]byte(rescanSet+"on: { error: "+choice+" }\n"), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got := p.OnFailure(WorkBudget).String(); got != choice {
			t.Errorf("on.error %s: work_budget %s", choice, got)
		}
	}
	if _, err := Compile([]byte(rescanSet+"on: { work_budget: pass }\n"), Options{}); err == nil {
		t.Error("on.work_budget accepted: it has no key of its own")
	}
}

// TestWorkBudgetScales: the budget is proportional to the body, with a
// floor, and grows with each custom detector.
func TestWorkBudgetScales(t *testing.T) {
	p, _ := Compile([]byte(rescanSet), Options{})
	q, _ := Compile([]byte("include: [pii-basic]\n"), Options{})
	if p.WorkBudget(10) != 4<<20 || p.WorkBudget(1<<20) != (256+64)<<20 || q.WorkBudget(1<<20) != 256<<20 {
		t.Errorf("budgets %d %d %d", p.WorkBudget(10), p.WorkBudget(1<<20), q.WorkBudget(1<<20))
	}
}

// TestWorkBudgetReportNames: the member names of reported paths are checked
// by the detectors under the same budget; a name that would pass it is
// hidden as [<name>], and so is every name after it; the body is still
// rewritten.
func TestWorkBudgetReportNames(t *testing.T) {
	src := "detectors:\n  code: { regex: '[0-9]+-[0-9]+|[0-9]{4}' }\n" +
		"rules:\n  - { id: codes, select: { detect: [code], within: [\"$.other\"] }, action: redact }\n" +
		"  - { id: mail, select: { keys: [email] }, action: redact }\n"
	p, err := Compile([]byte(src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{strings.Repeat("1", 300<<10), strings.Repeat("12", 150<<10), "9" + strings.Repeat("0", 300<<10)} {
		out, rep, err := p.Apply([]byte(`{"`+name+`":{"email":"a@b.co"}}`), Input{Direction: Request})
		if err != nil || !strings.HasSuffix(string(out), `{"email":"[REDACTED]"}}`) {
			t.Fatalf("err %v, out %.40s…", err, out)
		}
		if len(rep.Findings) != 1 || len(rep.Findings[0].Paths) != 1 || rep.Findings[0].Paths[0] != "$[<name>][<name>]" {
			t.Errorf("report %+v", rep.Findings)
		}
	}
}
