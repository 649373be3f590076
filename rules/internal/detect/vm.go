package detect

import (
	"bytes"
	"regexp/syntax"
	"unicode/utf8"
)

// Custom detectors run on a Pike VM of their own over the compiled
// regexp/syntax program instead of regexp.FindAllIndex. It finds the same
// matches, leftmost-first, as regexp does, but it counts its steps (one per
// thread per byte, see Work) and stops when the body's work budget runs out:
// the stdlib offers neither, and one FindAllIndex call over a megabyte can run
// for minutes ("[0-9]+-[0-9]+|[0-9]{4}" over digits re-reads the rest of the
// run after each four-digit match).

// vmStepCost is what one thread advanced over one byte is charged: about
// eight times the cost of a byte a built-in detector reads.
const vmStepCost = 8

// vm is a compiled custom pattern.
type vm struct {
	prog      *syntax.Prog
	prefix    []byte      // literal every match starts with ("" when none)
	anchored  bool        // the pattern starts with \A or ^ (without (?m))
	emptyOps  bool        // the program tests empty-width assertions (\b, ^, $…)
	numStates int         // the instructions that consume a rune: at most that many threads live at once
	ascii     [][4]uint64 // per instruction, the ASCII bytes it consumes (for InstRune: a bitmap test instead of MatchRune)
}

// compileVM compiles a parsed pattern for the VM.
func compileVM(re *syntax.Regexp) (*vm, error) {
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		return nil, err
	}
	v := &vm{prog: prog, anchored: prog.StartCond()&syntax.EmptyBeginText != 0}
	if p, _ := prog.Prefix(); p != "" {
		v.prefix = []byte(p)
	}
	v.ascii = make([][4]uint64, len(prog.Inst))
	for i := range prog.Inst {
		in := &prog.Inst[i]
		switch in.Op {
		case syntax.InstEmptyWidth:
			v.emptyOps = true
		case syntax.InstRune, syntax.InstRune1, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
			v.numStates++
			for c := range rune(utf8.RuneSelf) {
				if in.MatchRune(c) {
					v.ascii[i][c>>6] |= 1 << (c & 63)
				}
			}
		}
	}
	return v, nil
}

// vmThread is a thread of the VM: the instruction it waits at and where its
// match started.
type vmThread struct {
	pc    uint32
	start int
}

// vmQueue holds the threads waiting at rune instructions, in priority
// order; seen marks the instructions visited in the current generation (its
// filling for one byte), so that each is visited once.
type vmQueue struct {
	dense []vmThread
	seen  []uint32
	gen   uint32
}

func (q *vmQueue) reset(n int) {
	if cap(q.seen) < n {
		q.seen = make([]uint32, n)
		q.dense = make([]vmThread, 0, n)
		q.gen = 0
	}
	q.seen = q.seen[:n]
	q.dense = q.dense[:0]
}

// clear empties q for the next byte.
func (q *vmQueue) clear() {
	q.dense = q.dense[:0]
	if q.gen++; q.gen == 0 { // wrapped: forget every mark
		clear(q.seen)
		q.gen = 1
	}
}

// vmMachine is the scratch state of one search, reused across searches.
type vmMachine struct {
	run, next vmQueue
}

// findAll appends to out the non-empty matches of v in t that regexp's
// FindAllIndex would return and validate accepts, each as a Span of
// detector index, and charges the work to m; it stops early, returning what
// it found, once m runs out.
func (v *vm) findAll(mc *vmMachine, t []byte, index int, m *Meter, out []Span, validate func([]byte) bool) []Span {
	v.findAllFunc(mc, t, m, func(s, e int) {
		if s < e && validate == nil {
			out = append(out, Span{Start: s, End: e, Detector: index, Evidence: EvFormat})
		} else if s < e && validate(t[s:e]) {
			out = append(out, Span{Start: s, End: e, Detector: index, Evidence: EvChecksum})
		}
	})
	return out
}

// findAllFunc calls fn with each match of v in t, as regexp's FindAllIndex
// returns them (an empty match right after a match is skipped).
func (v *vm) findAllFunc(mc *vmMachine, t []byte, m *Meter, fn func(start, end int)) {
	n := len(v.prog.Inst)
	mc.run.reset(n)
	mc.next.reset(n)
	prevEnd := -1
	for pos := 0; pos <= len(t); {
		s, e, ok := v.search(mc, t, pos, m)
		if !ok {
			return
		}
		accept := true
		if e == pos {
			accept = s != prevEnd
			if pos < len(t) {
				_, w := utf8.DecodeRune(t[pos:])
				pos += w
			} else {
				pos++
			}
		} else {
			pos = e
		}
		prevEnd = e
		if accept {
			fn(s, e)
		}
	}
}

// search runs one leftmost-first search of t from pos, as regexp does with
// the whole of t as context, and returns the match.
func (v *vm) search(mc *vmMachine, t []byte, pos int, m *Meter) (start, end int, ok bool) {
	runq, nextq := &mc.run, &mc.next
	runq.clear()
	nextq.clear()
	start, end = -1, -1
	matched := false
	for {
		if len(runq.dense) == 0 {
			if matched || v.anchored && pos != 0 {
				break
			}
			if v.prefix != nil {
				k := bytes.Index(t[pos:], v.prefix)
				if k < 0 {
					m.add(len(t[pos:])>>3 + 1) // a byte search: cheap per byte
					break
				}
				m.add(k>>3 + 1)
				pos += k
			}
		}
		if m.exhausted() {
			return 0, 0, false
		}
		r, w := rune(-1), 0
		if pos < len(t) {
			if c := t[pos]; c < utf8.RuneSelf {
				r, w = rune(c), 1
			} else {
				r, w = utf8.DecodeRune(t[pos:])
			}
		}
		var flag syntax.EmptyOp
		if v.emptyOps {
			before := rune(-1)
			if pos > 0 {
				before, _ = utf8.DecodeLastRune(t[:pos])
			}
			flag = syntax.EmptyOpContext(before, r)
		}
		if !matched && (pos == 0 || !v.anchored) {
			v.addFrom(runq, uint32(v.prog.Start), pos, flag)
		}
		// step: advance each thread over r, in priority order
		m.add(vmStepCost * (1 + len(runq.dense)))
		var nextFlag syntax.EmptyOp
		if v.emptyOps && w > 0 {
			r2 := rune(-1)
			if pos+w < len(t) {
				r2, _ = utf8.DecodeRune(t[pos+w:])
			}
			nextFlag = syntax.EmptyOpContext(r, r2)
		}
		for j := 0; j < len(runq.dense); j++ {
			th := runq.dense[j]
			in := &v.prog.Inst[th.pc]
			var adv bool
			switch in.Op {
			case syntax.InstMatch:
				start, end, matched = th.start, pos, true
				j = len(runq.dense) // cut the threads of lower priority
				continue
			case syntax.InstRune, syntax.InstRune1, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
				if r >= 0 && r < utf8.RuneSelf {
					adv = v.ascii[th.pc][r>>6]&(1<<(r&63)) != 0
				} else {
					adv = w > 0 && in.MatchRune(r) && (in.Op != syntax.InstRuneAnyNotNL || r != '\n')
				}
			}
			if adv {
				v.addFrom(nextq, in.Out, th.start, nextFlag)
			}
		}
		runq.clear()
		if w == 0 {
			break
		}
		pos += w
		runq, nextq = nextq, runq
	}
	return start, end, matched
}

// addFrom puts the thread whose match started at start at instruction pc on
// q, following the empty transitions that flag allows, in priority order,
// as regexp's machine.add does.
func (v *vm) addFrom(q *vmQueue, pc uint32, start int, flag syntax.EmptyOp) {
	for pc != 0 && q.seen[pc] != q.gen {
		q.seen[pc] = q.gen
		in := &v.prog.Inst[pc]
		switch in.Op {
		case syntax.InstAlt, syntax.InstAltMatch:
			v.addFrom(q, in.Out, start, flag)
			pc = in.Arg
		case syntax.InstEmptyWidth:
			if syntax.EmptyOp(in.Arg)&^flag != 0 {
				return
			}
			pc = in.Out
		case syntax.InstNop, syntax.InstCapture:
			pc = in.Out
		case syntax.InstFail:
			return
		default: // a thread waits here: Match or a rune
			q.dense = append(q.dense, vmThread{pc: pc, start: start})
			return
		}
	}
}

// The cost limits of a custom pattern. The VM advances every live thread
// over every byte, and at most one thread waits at each rune instruction
// ("state"), so a pattern costs at most about its number of states in steps
// per byte. Counted repetitions are what make states many: [a-z]{1,64}
// compiles to 64 of them, [a-z]+ to one. Without a literal prefix the VM
// reads every byte of every text; with one (an anchor: "EMP-" in
// EMP-[0-9]{6}) it skips to the prefix's occurrences, so ordinary text costs
// a byte search and only text that repeats the prefix pays the states.
const (
	MaxStates         = 32  // states of a custom pattern without a literal prefix
	MaxAnchoredStates = 128 // states of a custom pattern with a literal prefix of MinAnchor bytes or more
	MinAnchor         = 3   // bytes of literal prefix that make an anchor
)

// CustomCost describes what a custom pattern costs the VM.
type CustomCost struct {
	States int    // rune instructions: the most threads live at one byte
	Prefix string // the literal every match starts with, "" when none
}

// CostOf compiles regex (Go syntax) and returns its cost.
func CostOf(regex string) (CustomCost, error) {
	re, err := syntax.Parse(regex, syntax.Perl)
	if err != nil {
		return CustomCost{}, err
	}
	v, err := compileVM(re)
	if err != nil {
		return CustomCost{}, err
	}
	return CustomCost{States: v.numStates, Prefix: string(v.prefix)}, nil
}

// Bounded reports whether the cost is within the limits: at most MaxStates
// states, or MaxAnchoredStates behind a literal prefix of MinAnchor bytes.
func (c CustomCost) Bounded() bool {
	if len(c.Prefix) >= MinAnchor {
		return c.States <= MaxAnchoredStates
	}
	return c.States <= MaxStates
}
