// Package rules compiles Veil rule sets and applies them to JSON bodies.
//
// A rule set is compiled once (Compile) into an immutable Program that is
// safe to share; Program.Apply rewrites one body in a single pass over its
// bytes, whatever the number of rules. The package is pure Go: it imports
// neither proxy-wasm nor wazero, and builds for GOOS=wasip1.
//
// # Pipeline
//
// Compile runs decode → compile; Apply (after the gate's choices) runs
// walk → report. Each step has its files, named by the step (a test file sits next to the
// file it tests; tests of the whole pipeline keep plain names):
//
//	decode   YAML → setSpec (compile.go: decode), each mistake a Diagnostic (diag.go)
//	         decode_yaml.go       YAML nodes, field and scalar checks
//	         decode_schema.go     the rule-set schema: set, match, rules, actions
//	         decode_path.go       selector paths (RFC 9535 subset) → steps
//	         decode_detectors.go  detectors:, select.detect/within, include:
//	                              (and compileDetectors, the detector set)
//	compile  setSpec → Program (compile.go: Compile runs decode, then this);
//	         its diagnostics point at the rule or key that caused them
//	         compile_fold.go      comparison forms of member names
//	         compile_classify.go  labels → classes
//	         compile_names.go     the walk's name → class table
//	         compile_context.go   detector contexts of automaton states
//	         compile_automaton.go selectors → one automaton per layer and direction
//	         compile_table.go     its transition rows, packed (row displacement)
//	gate     which bodies are read, and how (before the walk)
//	         gate_scope.go        match: (methods, paths)
//	         gate_body.go         body kinds from content-type, encodings
//	         gate_sniff.go        content sniffing, almost-JSON
//	         gate_records.go      record streams (JSON lines, JSON text sequences)
//	walk     one pass over a body (walk.go: Apply, objects, arrays)
//	         walk_scan.go         byte-level JSON scanners
//	         walk_spans.go        detectors over strings, numbers, member names
//	         walk_nested.go       JSON held in strings (json_in_strings)
//	         walk_jsonstr.go      JSON string content, character by character
//	         walk_shadow.go       the second pass for shadow rules
//	         walk_err.go          the walk's error, allocation-free
//	report   what Apply did (report.go: paths, findings, personal names)
//
// api.go, program.go and action.go hold the types several steps share: the
// public API, the compiled Program, and the actions with their rewriters.
package rules
