package rules

import (
	"bytes"
	"unicode"
	"unicode/utf8"

	"github.com/veilproxy/veil/rules/internal/detect"
	"github.com/veilproxy/veil/rules/internal/pseudo"
	"github.com/veilproxy/veil/rules/internal/standin"
)

// This file holds the rewriters of the actions that replace a value by a
// stand-in computed from it: hash, encrypt, fpe, synthetic (keyed, see
// rules/internal/pseudo) and generalize (rules/internal/standin). Each reads
// the value as text: a string's unescaped content, or a number's spelling,
// so that "a\u0040x.com" and "a@x.com" get the same stand-in.

// scratchpad is the per-walk working memory of the rewriters, and where they
// count what they could not do.
type scratchpad struct {
	plain, work []byte
	// failed counts values the rewriter replaced as redact would (fpe,
	// generalize) or tokens it could not open (reveal), since the walk last
	// read it.
	failed int
	// found counts the tokens reveal found, since the walk last read it.
	found int
	// meter is the body's work budget, which reveal charges for each token
	// it tries to open; overBudget records that it ran past it
	meter      *detect.Meter
	overBudget bool
}

// unescaped returns the text of raw, string content (no quotes) or a
// number's spelling, in x.plain.
func (x *scratchpad) unescaped(raw []byte) []byte {
	x.plain = appendUnescaped(x.plain[:0], raw)
	return x.plain
}

// textOf returns the text of a scalar JSON value: a string's unescaped
// content or a number's spelling.
func (x *scratchpad) textOf(raw []byte) []byte {
	if raw[0] == '"' {
		return x.unescaped(raw[1 : len(raw)-1])
	}
	return x.unescaped(raw)
}

// appendString appends text as a JSON string.
func appendString(dst, text []byte) []byte {
	dst = append(dst, '"')
	dst = appendEscapedBytes(dst, text)
	return append(dst, '"')
}

// standIn computes the stand-in of a value's text. ok is false when the
// value has none (fpe: too short for FF1; generalize: not of the kind).
type standIn interface {
	of(dst, text []byte) (out []byte, ok bool)
}

// standInRewriter adapts a standIn to the rewriter interface. A number
// stays a number when its stand-in still is one (fpe of a card number, a
// year of a numeric date); every other value becomes a JSON string. A value
// without a stand-in is replaced as redact would and counted as failed,
// never passed through.
type standInRewriter struct {
	s        standIn
	fallback *redact
}

func (r standInRewriter) value(dst, raw []byte, x *scratchpad) []byte {
	out, ok := r.s.of(x.work[:0], x.textOf(raw))
	if !ok {
		x.failed++
		return r.fallback.value(dst, raw, x)
	}
	x.work = out
	if raw[0] != '"' && isJSONNumber(string(out)) {
		return append(dst, out...)
	}
	return appendString(dst, out)
}

func (r standInRewriter) text(dst, raw []byte, x *scratchpad) []byte {
	out, ok := r.s.of(x.work[:0], x.unescaped(raw))
	if !ok {
		x.failed++
		return r.fallback.text(dst, raw, x)
	}
	x.work = out
	return appendEscapedBytes(dst, out)
}

// newStandIn returns the rewriter of stand-in s.
func newStandIn(s standIn) rewriter {
	return standInRewriter{s: s, fallback: newRedact([]byte(redactedText))}
}

// hashAction is `hash`: a keyed, irreversible pseudonym.
type hashAction struct{ h *pseudo.Hasher }

func (a *hashAction) of(dst, text []byte) ([]byte, bool) { return a.h.Append(dst, text), true }

// encryptAction is `encrypt`: a deterministic AES-SIV token that key
// holders can reveal.
type encryptAction struct{ s *pseudo.Sealer }

func (a *encryptAction) of(dst, text []byte) ([]byte, bool) { return a.s.AppendToken(dst, text), true }

// fpeAction is `fpe`: format-preserving encryption of ASCII digits (or
// letters and digits). A value has none when its enciphered part is below
// FF1's domain floor (or above its ceiling), or when it holds a digit (or,
// with alnum, a letter) outside ASCII: FF1 would leave "４" or "٤" in clear,
// so "4111 1111 1111 １１１１" would show eight digits.
type fpeAction struct {
	f     *pseudo.FPE
	alnum bool
}

func (a *fpeAction) of(dst, text []byte) ([]byte, bool) {
	for i := 0; i < len(text); {
		if text[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(text[i:])
		if unicode.IsDigit(r) || a.alnum && unicode.IsLetter(r) {
			return dst, false
		}
		i += n
	}
	out, err := a.f.Encrypt(dst, text)
	return out, err == nil
}

// syntheticAction is `synthetic`: a realistic stand-in of the value's kind,
// chosen by a keyed hash of the value so the same value always gets the same
// stand-in.
type syntheticAction struct {
	h     *pseudo.Hasher
	kind  standin.Kind
	guess bool // kind not configured: guessed from each value
}

func (a *syntheticAction) of(dst, text []byte) ([]byte, bool) {
	kind := a.kind
	if a.guess {
		kind = standin.Guess(text)
	}
	var digest [32]byte
	return standin.Synthetic(dst, kind, a.h.Sum(digest[:0], text), text), true
}

// generalizeAction is `generalize`: a coarser value of a known kind (a date
// to its year, an address to its network); a value not of the kind has
// none.
type generalizeAction struct{ g *standin.Generalizer }

func (a *generalizeAction) of(dst, text []byte) ([]byte, bool) {
	out, _, ok := a.g.Append(dst, text)
	return out, ok
}

// revealAction is `reveal`: it puts back the originals of the encrypt
// tokens of the set's keys found in a value. Tokens are spelled in ASCII
// that JSON never escapes, so they are found in the raw string; a token the
// Opener cannot open (altered, or of another key) is left as it is.
type revealAction struct {
	o       *pseudo.Opener
	markers [][]byte // prefix + key id + "." of every token the Opener knows
	tries   int      // the most Sealers one token may be tried with
}

// openCost is what reveal charges the body's work budget (see
// Program.WorkBudget) for each attempt to open a token. The shortest token
// is 30 bytes, which earn 7,680 steps: a body made of fake tokens tried
// with one Sealer each stays within budget (one decryption per 30 bytes,
// bounded like any detector's work per byte); tried with several (a set
// with several encrypt contexts or keys), it fails with ErrWorkBudget
// instead of holding the worker. Real tokens are longer (55 bytes for a
// 20-character email) and open at the first or second try.
const openCost = 4096

// touches reports whether raw holds something the Opener finds: a marker
// followed by at least pseudo.MinTokenBody base64url characters. The walk
// leaves values without one untouched.
func (a *revealAction) touches(raw []byte) bool {
	for _, m := range a.markers {
		for from := 0; ; {
			i := bytes.Index(raw[from:], m)
			if i < 0 {
				break
			}
			from += i + len(m)
			n := 0
			for from+n < len(raw) && isBase64URL(raw[from+n]) {
				n++
			}
			if n >= pseudo.MinTokenBody {
				return true
			}
		}
	}
	return false
}

// isBase64URL reports whether c is in the base64url alphabet.
func isBase64URL(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

func (a *revealAction) value(dst, raw []byte, x *scratchpad) []byte {
	if raw[0] != '"' {
		return append(dst, raw...)
	}
	dst = append(dst, '"')
	dst = a.text(dst, raw[1:len(raw)-1], x)
	return append(dst, '"')
}

func (a *revealAction) text(dst, raw []byte, x *scratchpad) []byte {
	from := 0
	for {
		plain, start, end, found, ok := a.o.Next(x.plain[:0], raw, from)
		if !found {
			return append(dst, raw[from:]...)
		}
		x.plain = plain
		x.found++
		if x.meter != nil {
			x.meter.Used += openCost * a.tries
			if x.meter.Exhausted() {
				x.overBudget = true
				return append(dst, raw[from:]...)
			}
		}
		dst = append(dst, raw[from:start]...)
		if ok {
			dst = appendEscapedBytes(dst, plain)
		} else {
			x.failed++
			dst = append(dst, raw[start:end]...)
		}
		from = end
	}
}
