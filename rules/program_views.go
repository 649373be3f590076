package rules

// MinimizeList describes one `minimize:` allow-list, for a plugin that
// defines its counters up front.
type MinimizeList struct {
	// ID is the list's id.
	ID string
	// Request and Response report the directions the list applies to.
	Request, Response bool
}

// MinimizeLists returns the set's minimize lists in file order.
func (p *Program) MinimizeLists() []MinimizeList {
	out := make([]MinimizeList, len(p.minimize))
	for i, l := range p.minimize {
		out[i] = MinimizeList{ID: l.id, Request: l.request, Response: l.response}
	}
	return out
}
