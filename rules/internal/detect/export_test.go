package detect

import "slices"

// Conveniences over the Set for the tests of this package and of package
// detect_test; the rules engine needs none of them.

// Index returns the index of the named detector in Names().
func (s *Set) Index(name string) (int, bool) {
	i := slices.Index(s.names, name)
	return i, i >= 0
}

// MatchNumber is MatchNumberIn with every detector of the set enabled,
// under a member name of the classes of hint.
func (s *Set) MatchNumber(num []byte, hint Hint) (detector int, ok bool) {
	detector, _, ok = s.MatchNumberIn(num, s.all, hint)
	return detector, ok
}

// MaskAll returns the Mask of every detector of the set.
func (s *Set) MaskAll() Mask { return s.all }
