package rules

import (
	"fmt"
	"strings"
	"testing"

	"github.com/veilproxy/veil/bench/corpus"
)

// Every class of member-name spelling, through a key rule and a path rule:
// each Match spelling is selected by both, each KeyOnly spelling by the key
// rule only, no Miss spelling by either; all in one object, so every
// duplicate is selected too.
func TestMemberNameSpellings(t *testing.T) {
	for _, cl := range corpus.NameClasses {
		t.Run(cl.Class, func(t *testing.T) {
			spellings := cl.All()
			body := corpus.MemberBody(spellings)
			for _, kind := range []string{"keys", "paths"} {
				sel := fmt.Sprintf(`keys: [%q]`, cl.Name)
				if kind == "paths" {
					sel = fmt.Sprintf(`paths: ["$.a['%s']"]`, cl.Name)
				}
				p := mustCompile(t, fmt.Sprintf("rules: [{id: r, select: {%s}, action: {redact: {with: X}}}]", sel))
				out, _, err := p.Apply(body, Input{Direction: Request})
				if err != nil {
					t.Fatal(err)
				}
				for i, s := range spellings {
					selected := i < len(cl.Match) || kind == "keys" && i < len(cl.Match)+len(cl.KeyOnly)
					kept := strings.Contains(string(out), fmt.Sprintf(`"%s":"v%d"`, s, i))
					if kept == selected {
						t.Errorf("%s: %q selected %v, want %v\n%s", kind, s, !kept, selected, out)
					}
				}
			}
		})
	}
}

// case_sensitive turns off case folding (only) for its rule's keys, paths
// and within, and other rules keep folding case.
func TestCaseSensitive(t *testing.T) {
	tests := []struct {
		name, rules, in, want string
	}{
		{"path", `rules: [{id: r, case_sensitive: true, select: {paths: ["$.user.Email"]}, action: redact}]`,
			`{"user":{"Email":1,"email":2,"EMAIL":3,"Ｅｍａｉｌ":4,"E\u200bmail":5,"\u0045mail":6,"Émail":7}}`,
			`{"user":{"Email":"[REDACTED]","email":2,"EMAIL":3,"Ｅｍａｉｌ":"[REDACTED]","E\u200bmail":"[REDACTED]","\u0045mail":"[REDACTED]","Émail":"[REDACTED]"}}`},
		{"path steps before the name too", `rules: [{id: r, case_sensitive: true, select: {paths: ["$.user.email"]}, action: redact}]`,
			`{"User":{"email":1},"user":{"email":2}}`, `{"User":{"email":1},"user":{"email":"[REDACTED]"}}`},
		{"keys keep ignoring separators", `rules: [{id: r, case_sensitive: true, select: {keys: [e_Mail]}, action: redact}]`,
			`{"eMail":1,"e-Mail":2,"email":3,"E_MAIL":4,"ｅ－Ｍａｉｌ":5}`, `{"eMail":"[REDACTED]","e-Mail":"[REDACTED]","email":3,"E_MAIL":4,"ｅ－Ｍａｉｌ":"[REDACTED]"}`},
		{"long s and Kelvin sign decompose anyway", `rules: [{id: r, case_sensitive: true, select: {keys: [ssn, Key]}, action: redact}]`,
			`{"ſsn":1,"SSN":2,"\u212Aey":3,"key":4}`, `{"ſsn":"[REDACTED]","SSN":2,"\u212Aey":"[REDACTED]","key":4}`},
		{"other rules still fold", `rules: [{id: cs, case_sensitive: true, select: {paths: ["$.Email"]}, action: {redact: {with: cs}}}, {id: ci, select: {keys: [email]}, action: {redact: {with: ci}}}]`,
			`{"Email":1,"EMAIL":2,"e_mail":3}`, `{"Email":"cs","EMAIL":"ci","e_mail":"ci"}`},
		{"a case-sensitive key beside a folded path", `rules: [{id: cs, case_sensitive: true, select: {keys: [Email]}, action: {redact: {with: cs}}}, {id: ci, select: {paths: ["$.email"]}, action: {redact: {with: ci}}}]`,
			`{"Email":1,"E-mail":2,"EMAIL":3,"E_mail":4,"x":{"E.mail":5,"email":6}}`, `{"Email":"cs","E-mail":"cs","EMAIL":"ci","E_mail":"cs","x":{"E.mail":"cs","email":6}}`},
		{"false is the default", `rules: [{id: r, case_sensitive: false, select: {paths: ["$.email"]}, action: redact}]`,
			`{"EMAIL":1}`, `{"EMAIL":"[REDACTED]"}`},
		{"within", `rules: [{id: r, case_sensitive: true, select: {detect: [email], within: [Notes, "$.Body"]}, action: redact}]`,
			`{"Notes":"a@example.com","notes":"b@example.com","Body":"c@example.com","body":"d@example.com"}`,
			`{"Notes":"[REDACTED]","notes":"b@example.com","Body":"[REDACTED]","body":"d@example.com"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustCompile(t, tt.rules)
			out, _, err := p.Apply([]byte(tt.in), Input{Direction: Request})
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tt.want {
				t.Errorf("got  %s\nwant %s", out, tt.want)
			}
		})
	}
}

// Duplicates: every member that folds to a selected name is processed,
// whatever its spelling and position, and the output keeps each spelling.
func TestMemberNameDuplicates(t *testing.T) {
	p := mustCompile(t, `rules: [{id: r, select: {paths: ["$.users[*].email"]}, action: remove}]`)
	in := `{"users":[{"email":1,"id":1,"EMAIL":2,"\u0065mail":3,"ｅｍａｉｌ":4,"e\u00admail":5,"email":6},{"Users":0,"email":7}],"USERS":[{"Email":8,"name":"x"}]}`
	want := `{"users":[{"id":1},{"Users":0}],"USERS":[{"name":"x"}]}`
	out, rep, err := p.Apply([]byte(in), Input{Direction: Request})
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != want {
		t.Errorf("got  %s\nwant %s", out, want)
	}
	if len(rep.Findings) != 1 || rep.Findings[0].Count != 8 {
		t.Errorf("report %+v, want 8 values", rep)
	}
}

// Folding non-ASCII and escaped names allocates nothing: a body no rule
// touches stays allocation-free whatever its member names.
func TestMemberNamesNoAllocation(t *testing.T) {
	p := mustCompile(t, `rules: [{id: r, case_sensitive: true, select: {keys: [Token]}, action: redact}, {id: s, select: {keys: [email], paths: ["$..ssn"]}, action: redact}]`)
	body := []byte(`{"ｎａｍｅ":1,"\u0065\u200bmails":2,"Straße":{"이메일":3,"𝐞𝐦":4,"e\u0301":[5,{"EMA\u0130LS":6,"to\u212Aen":7}]},"e_mail_x":8,"ΌΝΟΜΑ":9}`)
	allocs := testing.AllocsPerRun(100, func() {
		if out, _, err := p.Apply(body, Input{Direction: Request}); err != nil || len(out) != len(body) {
			t.Fatalf("%s %v", out, err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per Apply", allocs)
	}
}
