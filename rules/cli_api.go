package rules

// Scoped reports whether `match.methods` or `match.paths` narrow the
// exchanges the rule set inspects: without them every exchange is in scope
// (InScope is true whatever the method and path). The CLI's native redact
// uses it to say when it was not told a method and path to check.
func (p *Program) Scoped() bool {
	return len(p.scope.methods) > 0 || len(p.scope.paths) > 0
}
