package rules

import "strconv"

// walkError is the first error of a walk. It lives in the walker, so that a
// failure the walk recovers from (a string that only starts like JSON,
// scanned as a document and found to be text) costs no allocation; Apply
// returns a copy.
type walkError struct {
	kind  error  // ErrInvalidJSON or ErrTooDeep
	msg   string // what was wrong, for ErrInvalidJSON
	depth int    // the limit, for ErrTooDeep
	off   int    // where, in the innermost text
	in    []int  // offsets of the strings holding the documents it is in, innermost first
}

// Error reads like "invalid json: want a value at offset 7 (in the JSON
// document held in the string at offset 12)".
func (e *walkError) Error() string {
	b := append([]byte(e.kind.Error()), ": "...)
	if e.kind == ErrTooDeep {
		b = append(b, "more than "...)
		b = strconv.AppendInt(b, int64(e.depth), 10)
		b = append(b, " levels"...)
	} else {
		b = append(b, e.msg...)
	}
	b = append(b, " at offset "...)
	b = strconv.AppendInt(b, int64(e.off), 10)
	for _, s := range e.in {
		b = append(b, " (in the JSON document held in the string at offset "...)
		b = strconv.AppendInt(b, int64(s), 10)
		b = append(b, ')')
	}
	return string(b)
}

// Unwrap returns ErrInvalidJSON or ErrTooDeep.
func (e *walkError) Unwrap() error { return e.kind }

// setErr records the walk's first error in the walker's own walkError.
func (w *walker) setErr(kind error, msg string, off int) {
	w.errv = walkError{kind: kind, msg: msg, depth: w.p.maxDepth, off: off, in: w.errv.in[:0]}
	w.err = &w.errv
}

// returnedErr is w.err as Apply returns it: independent of the walker,
// which goes back to the pool.
func (w *walker) returnedErr() error {
	if w.err != &w.errv {
		return w.err
	}
	e := w.errv
	e.in = append([]int(nil), e.in...)
	return &e
}
