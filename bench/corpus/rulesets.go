package corpus

import (
	"fmt"
	"strings"

	"github.com/veilproxy/veil/rules/packs"
)

// RuleSets names the rule sets of the benchmark suite, in the order its
// tables list them:
//
//   - paths: rules selecting by path only (the members of each payload that
//     hold personal data; mixed redact, mask and remove);
//   - paths+keys: those paths plus one rule redacting ten member names
//     wherever they appear;
//   - detectors: every built-in pack (include: all of packs.Names());
//   - 1, 100, 1000: one rule redacting one path plus decoys that select
//     nothing (DecoyRules), so the output is the same for every count.
var RuleSets = []string{"paths", "paths+keys", "detectors", "1", "100", "1000"}

// Target is a path a rule set acts on, spelled out for the naive baselines.
type Target struct {
	Path      []string // member names from the root; "*" stands for every element of an array
	Action    string   // redact, mask or remove
	KeepFirst int      // mask: characters kept at the start
	KeepLast  int      // mask: characters kept at the end
}

// RuleSet is a rule set of the suite for one payload kind: its YAML source
// and what it does, spelled out so that the baselines do the same work.
type RuleSet struct {
	Name       string
	YAML       string
	List       string     // the payload's top-level member holding its records
	Paths      []Target   // paths acted on
	Keys       []string   // member names redacted at any depth
	Detect     bool       // the rule set runs the content detectors
	DecoyPaths [][]string // paths that select nothing, looked up all the same
	DecoyKeys  []string   // member names that occur nowhere, looked up at any depth
}

// kindPaths are the acting paths of each payload kind, below its list
// (List): what a rule set written for that API would name. Chat
// transcripts hold their personal data in free text, which only detectors
// find: their paths select the model name and a member messages lack.
var kindPaths = map[string][]Target{
	"profile": {
		{Path: []string{"email"}, Action: "redact"},
		{Path: []string{"phone"}, Action: "mask", KeepLast: 2},
		{Path: []string{"ssn"}, Action: "redact"},
		{Path: []string{"address", "street"}, Action: "redact"},
		{Path: []string{"bank", "iban"}, Action: "mask", KeepLast: 4},
		{Path: []string{"notes"}, Action: "remove"},
	},
	"checkout": {
		{Path: []string{"customer", "email"}, Action: "redact"},
		{Path: []string{"customer", "ip"}, Action: "redact"},
		{Path: []string{"payment", "card_number"}, Action: "mask", KeepLast: 4},
		{Path: []string{"payment", "billing_phone"}, Action: "mask", KeepLast: 2},
		{Path: []string{"refund_to"}, Action: "mask", KeepLast: 4},
		{Path: []string{"shipping", "note"}, Action: "remove"},
	},
	"chat": {
		{Path: []string{"name"}, Action: "redact"},
	},
	"events": {
		{Path: []string{"events", "*", "ip"}, Action: "redact"},
		{Path: []string{"events", "*", "client_ip6"}, Action: "redact"},
		{Path: []string{"events", "*", "device", "mac"}, Action: "redact"},
		{Path: []string{"events", "*", "session"}, Action: "mask", KeepFirst: 4},
		{Path: []string{"events", "*", "headers", "authorization"}, Action: "remove"},
	},
	"health": {
		{Path: []string{"patient", "name"}, Action: "mask", KeepFirst: 1},
		{Path: []string{"patient", "dob"}, Action: "redact"},
		{Path: []string{"patient", "ssn"}, Action: "redact"},
		{Path: []string{"patient", "email"}, Action: "redact"},
		{Path: []string{"patient", "phone"}, Action: "mask", KeepLast: 2},
		{Path: []string{"insurance", "member_id"}, Action: "mask", KeepLast: 4},
		{Path: []string{"notes"}, Action: "remove"},
	},
}

// suiteKeys are the member names the paths+keys rule set redacts anywhere.
var suiteKeys = []string{"email", "phone", "ssn", "iban", "card_number", "ip", "authorization", "dob", "member_id", "password"}

// NewRuleSet returns the named rule set (one of RuleSets) for a payload kind
// (one of Payloads). It panics on an unknown name or kind.
func NewRuleSet(name, kind string) RuleSet {
	list := List(kind)
	if list == "" {
		panic("corpus: unknown payload kind " + kind)
	}
	var paths []Target
	for _, t := range kindPaths[kind] {
		t.Path = append([]string{list, "*"}, t.Path...)
		paths = append(paths, t)
	}
	if kind == "chat" {
		paths = append(paths, Target{Path: []string{"model"}, Action: "redact"})
	}
	rs := RuleSet{Name: name, List: list}
	var b strings.Builder
	switch name {
	case "paths", "paths+keys":
		b.WriteString("rules:\n")
		for i, t := range paths {
			writeRule(&b, fmt.Sprintf("p%d", i), t)
		}
		rs.Paths = paths
		if name == "paths+keys" {
			fmt.Fprintf(&b, "  - {id: keys, select: {keys: [%s]}, action: redact}\n", strings.Join(suiteKeys, ", "))
			rs.Keys = suiteKeys
		}
	case "detectors":
		fmt.Fprintf(&b, "include: [%s]\n", strings.Join(packs.Names(), ", "))
		rs.Detect = true
	case "1", "100", "1000":
		var n int
		fmt.Sscan(name, &n)
		b.WriteString("rules:\n")
		t := Target{Path: paths[0].Path, Action: "redact"}
		writeRule(&b, "act", t)
		b.WriteString(DecoyRules(list, 1, n))
		rs.Paths = []Target{t}
		for i := 1; i < n; i++ {
			if i%2 == 0 {
				rs.DecoyKeys = append(rs.DecoyKeys, fmt.Sprintf("decoy_%d", i), fmt.Sprintf("other-%d", i))
			} else {
				rs.DecoyPaths = append(rs.DecoyPaths, []string{list, "*", fmt.Sprintf("decoy_%d", i)})
				rs.DecoyKeys = append(rs.DecoyKeys, fmt.Sprintf("x%d", i)) // $..xN: the name anywhere
			}
		}
	default:
		panic("corpus: unknown rule set " + name)
	}
	rs.YAML = b.String()
	return rs
}

// writeRule writes one rule acting on t.
func writeRule(b *strings.Builder, id string, t Target) {
	fmt.Fprintf(b, "  - id: %s\n    select: {paths: [%q]}\n    action: ", id, JSONPath(t.Path))
	if t.Action == "mask" {
		fmt.Fprintf(b, "{mask: {keep_first: %d, keep_last: %d}}\n", t.KeepFirst, t.KeepLast)
	} else {
		b.WriteString(t.Action + "\n")
	}
}

// JSONPath spells a Target path in the rule language: $.a[*].b.
func JSONPath(path []string) string {
	var b strings.Builder
	b.WriteString("$")
	for _, p := range path {
		if p == "*" {
			b.WriteString("[*]")
		} else {
			b.WriteString("." + p)
		}
	}
	return b.String()
}

// DecoyRules returns rules from..n-1, which select nothing in the suite's
// payloads: even ones two member names (decoy_N, other-N), odd ones a path
// below the records of list ($.list[*].decoy_N) and a recursive one ($..xN).
func DecoyRules(list string, from, n int) string {
	var b strings.Builder
	for i := from; i < n; i++ {
		if i%2 == 0 {
			fmt.Fprintf(&b, "  - {id: d%d, select: {keys: [decoy_%d, other-%d]}, action: redact}\n", i, i, i)
		} else {
			fmt.Fprintf(&b, "  - {id: d%d, select: {paths: [\"$.%s[*].decoy_%d\", \"$..x%d\"]}, action: redact}\n", i, list, i, i)
		}
	}
	return b.String()
}
