package rules

// Shadow rules (`mode: shadow` on a rule or on the set) never decide a
// value. The rules of a set form two layers, each compiled into its own
// automata: the enforcing rules, of which the first that matches a value
// decides it, as if no shadow rule existed; and the shadow rules, which
// report what they would do as if they ran alone (the first shadow rule that
// matches a value "decides" it within the shadow layer, so a set-level
// shadow keeps its keep exceptions). Apply walks the body once per layer
// that has rules: a set without shadow rules, or with only shadow rules,
// costs one pass.

// The two layers: Program.auto and Program.shadowAuto.
const (
	layerEnforce = 0
	layerShadow  = 1
)

// layerOf returns the layer of a rule.
func layerOf(shadow bool) int {
	if shadow {
		return layerShadow
	}
	return layerEnforce
}

// shadowPass walks the body again with the shadow layer's automaton a,
// after the enforcing pass: its rules only record findings. Whatever it
// might cut is dropped, so the output is the enforcing pass's alone.
func (w *walker) shadowPass(a *automaton) int {
	out, from := w.out, w.from
	w.a, w.out, w.from = a, nil, 0
	w.bufs = w.bufs[:1]
	end := w.root()
	w.out, w.from = out, from
	return end
}
