// Package detect finds personal data and secrets inside JSON string values and
// numbers: emails, phone numbers, payment cards, IBANs, US social security
// numbers, IP and MAC addresses, JWTs, cloud, SaaS and LLM-provider
// credentials, PEM private keys, passwords assigned in text and credentials
// in URLs, plus user-defined regular expressions.
//
// A Set is compiled once (NewSet) and is immutable and safe for concurrent
// use. FindString reports the byte spans of the detected values in one
// JSON-unescaped string; MatchNumberIn decides whether a JSON number literal is
// a detected value as a whole. Every built-in detector validates its
// candidates beyond their shape (Luhn, mod-97, area rules, country lengths,
// decoded JWT headers, …) and runs behind byte-level prefilters: a text with
// nothing suspicious costs one pass over its bytes and no allocation.
//
// Detection sees a normalized view of the text: Unicode decimal digits read
// as ASCII digits, full-width ASCII forms as ASCII, Unicode spaces as spaces,
// Unicode hyphens as '-', percent escapes (also doubly encoded ones) as their
// byte; text with invisible characters (zero-width, soft hyphen, BOM, …)
// between words is read twice, once without them and once with a space in
// their place. Spans
// always cover the original bytes. The view is built only for text that
// contains non-ASCII bytes or percent escapes.
//
// The package is pure Go (regexp/syntax compiles custom detectors) and builds
// for GOOS=wasip1.
package detect

import (
	"encoding/binary"
	"errors"
	"fmt"
	"regexp/syntax"
	"slices"
	"sync"
)

// Span is one detected value: the bytes text[Start:End] of the text passed to
// FindString, found by the detector Names()[Detector].
type Span struct {
	Start, End int
	Detector   int
	// Evidence names what supported the span (see Evidence).
	Evidence Evidence
}

// Custom describes a user-defined detector: a Go regexp (RE2 syntax, matched
// against the normalized view of the text by the VM of vm.go, with the
// matches regexp.FindAllIndex returns) and an optional validation of each
// match.
type Custom struct {
	// Regex is the pattern, Go regexp syntax.
	Regex string
	// Validate is "none" (or empty), "luhn" (the digits of the match pass the
	// Luhn check) or "mod97" (the letters and digits of the match pass the
	// ISO 7064 mod-97 check used by IBANs).
	Validate string
}

// Mask selects a subset of a Set's detectors: bit i enables Names()[i].
type Mask uint64

// MaxDetectors is the largest number of detectors (built-in and custom) in
// one Set, so that a Mask can address each of them.
const MaxDetectors = 64

// kind identifies a built-in detector.
type kind uint8

const (
	kEmail kind = iota
	kPhone
	kCard
	kIBAN
	kSSN
	kIPv4
	kIPv6
	kMAC
	kJWT
	kAWS
	kGitHub
	kStripe
	kSlack
	kGoogle
	kPrivateKey
	kOpenAI
	kAnthropic
	kGitLab
	kNPM
	kHuggingFace
	kSlackWebhook
	kPassword
	kURLCredentials
	kPersonName
	kStreetAddress
	kDateOfBirth
	numBuiltins
)

var builtinNames = [numBuiltins]string{
	kEmail:      "email",
	kPhone:      "phone",
	kCard:       "credit_card",
	kIBAN:       "iban",
	kSSN:        "us_ssn",
	kIPv4:       "ipv4",
	kIPv6:       "ipv6",
	kMAC:        "mac_address",
	kJWT:        "jwt",
	kAWS:        "aws_access_key_id",
	kGitHub:     "github_token",
	kStripe:     "stripe_key",
	kSlack:      "slack_token",
	kGoogle:     "google_api_key",
	kPrivateKey: "private_key",

	kOpenAI:         "openai_key",
	kAnthropic:      "anthropic_key",
	kGitLab:         "gitlab_token",
	kNPM:            "npm_token",
	kHuggingFace:    "huggingface_token",
	kSlackWebhook:   "slack_webhook",
	kPassword:       "password_assignment",
	kURLCredentials: "url_credentials",

	kPersonName:    "person_name",
	kStreetAddress: "street_address",
	kDateOfBirth:   "date_of_birth",
}

// defaultEvidence is the evidence of a span emitted without any named.
var defaultEvidence = [numBuiltins]Evidence{
	kCard: EvChecksum, kIBAN: EvChecksum, kJWT: EvChecksum,
	kEmail: EvFormat, kPhone: EvFormat, kSSN: EvFormat, kIPv4: EvFormat, kIPv6: EvFormat,
	kMAC: EvFormat, kAWS: EvFormat, kGitHub: EvFormat, kStripe: EvFormat, kSlack: EvFormat,
	kGoogle: EvFormat, kPrivateKey: EvFormat, kOpenAI: EvFormat, kAnthropic: EvFormat,
	kGitLab: EvFormat, kNPM: EvFormat, kHuggingFace: EvFormat, kSlackWebhook: EvFormat,
	kPassword: EvContext, kURLCredentials: EvFormat,
	kPersonName: EvWordlist, kStreetAddress: EvFormat, kDateOfBirth: EvContext,
}

// Builtins returns the names of the built-in detectors.
func Builtins() []string {
	return slices.Clone(builtinNames[:])
}

func builtinKind(name string) (kind, bool) {
	for k, n := range builtinNames {
		if n == name {
			return kind(k), true
		}
	}
	return 0, false
}

// Set is a compiled group of detectors. It is immutable and safe for
// concurrent use.
type Set struct {
	names   []string
	index   [numBuiltins]int8 // detector index of each built-in, -1 when absent
	custom  []customDetector
	all     Mask
	numbers Mask // detectors that accept JSON numbers
	customs Mask // the custom detectors
	// freeText: person_name and street_address, which read letters and
	// short texts (see Plain)
	freeText Mask
}

// NewSet compiles the detectors named in names, each a built-in name or a key
// of custom, plus every detector of custom. Names() lists names in order
// (duplicates dropped) followed by the custom detectors not named there, in
// sorted order. An unknown name, a custom detector that reuses a built-in
// name, an invalid regex or validation, or more than MaxDetectors detectors
// is an error that names the detector.
func NewSet(names []string, custom map[string]Custom) (*Set, error) {
	s := &Set{}
	for i := range s.index {
		s.index[i] = -1
	}
	for name := range custom {
		if _, ok := builtinKind(name); ok {
			return nil, fmt.Errorf("detect: custom detector %q reuses a built-in name", name)
		}
		if name == "" {
			return nil, errors.New("detect: custom detector with an empty name")
		}
	}
	all := slices.Clone(names)
	extra := make([]string, 0, len(custom))
	for name := range custom {
		if !slices.Contains(names, name) {
			extra = append(extra, name)
		}
	}
	slices.Sort(extra)
	all = append(all, extra...)
	for _, name := range all {
		if slices.Contains(s.names, name) {
			continue
		}
		idx := len(s.names)
		if idx == MaxDetectors {
			return nil, fmt.Errorf("detect: detector %q: more than %d detectors in one set", name, MaxDetectors)
		}
		if k, ok := builtinKind(name); ok {
			s.index[k] = int8(idx)
			if k == kCard || k == kPhone {
				s.numbers |= 1 << idx
			}
			if k == kPersonName || k == kStreetAddress {
				s.freeText |= 1 << idx
				words() // index the word lists now, not on a request
			}
		} else if c, ok := custom[name]; ok {
			d, err := compileCustom(name, c)
			if err != nil {
				return nil, err
			}
			d.index = idx
			s.custom = append(s.custom, d)
			s.customs |= 1 << idx
		} else {
			return nil, fmt.Errorf("detect: unknown detector %q", name)
		}
		s.names = append(s.names, name)
		s.all |= 1 << idx
	}
	return s, nil
}

// Names returns the detector names; a Span's Detector indexes this slice.
func (s *Set) Names() []string { return slices.Clone(s.names) }

// MaskOf returns the Mask enabling the named detectors.
func (s *Set) MaskOf(names ...string) (Mask, error) {
	var m Mask
	for _, n := range names {
		i := slices.Index(s.names, n)
		if i < 0 {
			return 0, fmt.Errorf("detect: detector %q is not in the set", n)
		}
		m |= 1 << i
	}
	return m, nil
}

// Customs returns the number of custom detectors in the set.
func (s *Set) Customs() int { return len(s.custom) }

// Numbers returns the Mask of the detectors that accept JSON numbers.
func (s *Set) Numbers() Mask { return s.numbers }

// FindString appends to dst the spans of the values detected in text, the
// JSON-unescaped content of a string value, and returns the extended slice.
// The appended spans are sorted by Start and do not overlap: overlapping
// candidates merge into one span named after the longer (then the earlier,
// then the detector listed first). Pass dst[:0] of a previous result to reuse its memory; when
// nothing is found FindString does not allocate.
func (s *Set) FindString(text []byte, dst []Span) []Span {
	return s.FindStringIn(text, s.all, dst)
}

// FindStringIn is FindString restricted to the detectors enabled in m.
func (s *Set) FindStringIn(text []byte, m Mask, dst []Span) []Span {
	return s.FindStringMetered(text, m, nil, dst)
}

// FindStringMetered is FindStringIn that charges its work to meter (when
// not nil) and stops early once meter is exhausted: the spans it returns
// then are incomplete, and the caller must not use the text as inspected.
func (s *Set) FindStringMetered(text []byte, m Mask, meter *Meter, dst []Span) []Span {
	return s.FindStringAt(text, m, 0, meter, dst)
}

// FindStringAt is FindStringMetered for a value whose member names have the
// classes of hint (KeyHint): they may confirm a weak candidate (bare digits
// under a phone key) or veto a strong-looking one (a dotted quad under a
// version key).
func (s *Set) FindStringAt(text []byte, m Mask, hint Hint, meter *Meter, dst []Span) []Span {
	m &= s.all
	if m == 0 || len(text) == 0 || s.Plain(text, m) || meter.exhausted() {
		return dst
	}
	base := len(dst)
	f := scanFeatures(text)
	// A view is needed for non-ASCII text, or for a percent escape (of an
	// ASCII byte, "%0".."%7", or of a rune's UTF-8 bytes, "%EF%BB%BF").
	if f.n[clNonASCII] == 0 && f.n[clPercent] == 0 || !needsView(text) {
		meter.add(len(text))
		sc := scanner{set: s, mask: m, hint: hint, t: text, f: f, out: dst, meter: meter}
		sc.run()
		dst = sc.out
	} else {
		v := viewPool.Get().(*view)
		dst = s.scanView(v, text, m, hint, meter, dst, 0)
		if v.gluing && !meter.exhausted() {
			// Read again with each invisible character as a space, so that
			// one between a value and a word ("4111…1111\u200bthanks") does
			// not glue them; resolve merges what both readings found. (An
			// invisible character beside no word, as the variation selector
			// or joiner in an emoji, costs no second reading.)
			dst = s.scanView(v, text, m, hint, meter, dst, ' ')
		}
		viewPool.Put(v)
	}
	return resolve(dst, base)
}

// scanView runs the detectors of m over the normalized view of text, with
// invisible characters read as invisible (see view.build), and appends the
// spans found, mapped back to text.
func (s *Set) scanView(v *view, text []byte, m Mask, hint Hint, meter *Meter, dst []Span, invisible byte) []Span {
	base := len(dst)
	v.build(text, invisible)
	meter.add(2*len(text) + len(v.norm)) // the view's build and the feature scan
	sc := scanner{set: s, mask: m, hint: hint, t: v.norm, f: scanFeatures(v.norm), out: dst, meter: meter}
	sc.run()
	v.remap(sc.out[base:])
	return sc.out
}

// tooPlain reports whether no built-in detector can find anything in t: it
// is shorter than 20 bytes (the shortest credential, an AWS key id, has 20)
// and holds none of the bytes every other built-in needs: a digit, '@', ':',
// '-', '.', '=' (a password assignment), '%' (an escape) or a non-ASCII byte
// (a normalized form). Member names and short values ("role": "user") are
// mostly such.
// It tests whole words, without a loop: it runs on every member name.
func tooPlain(t []byte) bool {
	n := len(t)
	var m uint64
	switch {
	case n >= 20:
		return false
	case n >= 8: // overlapping words cover the text
		m = needed(binary.LittleEndian.Uint64(t)) | needed(binary.LittleEndian.Uint64(t[n-8:]))
		if n > 16 {
			m |= needed(binary.LittleEndian.Uint64(t[8:]))
		}
	case n >= 4: // zero bytes pad: they belong to no class
		m = needed(uint64(binary.LittleEndian.Uint32(t))) | needed(uint64(binary.LittleEndian.Uint32(t[n-4:])))
	case n > 0:
		m = needed(uint64(t[0]) | uint64(t[n>>1])<<8 | uint64(t[n-1])<<16)
	}
	return m == 0
}

// needed flags (in bit 7 of its byte) every byte of x some built-in needs:
// '-'..':' (digits and the separators), '@', '%', '=' or a non-ASCII byte.
func needed(x uint64) uint64 {
	low := x &^ highs
	punct := (low+ones*(0x80-'-'))&^(low+ones*(0x80-':'-1)) | ^(notByte(low, '@') & notByte(low, '%') & notByte(low, '='))
	return (x | punct) & highs
}

// Plain reports whether no detector in m can find anything in text: m has
// no custom detector and text is too plain for any built-in (see tooPlain),
// and, when m has person_name or street_address, text has no upper-case
// ASCII letter, non-ASCII byte or digit (a name or an address may be short
// and made of letters only).
// The walk asks before handing a member name to FindStringIn.
func (s *Set) Plain(text []byte, m Mask) bool {
	return m&s.customs == 0 && tooPlain(text) && (m&s.freeText == 0 || nextCapOrDigit(text, 0, true, true) == len(text))
}

// MatchNumberIn reports whether the JSON number literal num, under member
// names of the classes of hint, is as a whole a value of one of the
// number-accepting detectors (credit_card, phone) enabled in m, which one,
// and on what evidence.
//
// A card: its value is a card number (validCard, EvChecksum; also EvKey
// under a card member name), unless the member name marks an identifier or
// a quantity and not a card ("order_id", "count", "created_at": random
// integer ids pass Luhn one time in ten). A UATP number needs a card member
// name. A phone: only under a phone member name (EvKey), 8 to 15 digits
// (EvFormat too when they form a valid international number); any other
// integer of that size is far likelier an id, a count or a timestamp.
func (s *Set) MatchNumberIn(num []byte, m Mask, hint Hint) (detector int, ev Evidence, ok bool) {
	m &= s.numbers
	if m == 0 {
		return 0, 0, false
	}
	var buf [64]byte
	// A minus sign does not hide a card: "-4111111111111111" carries its
	// digits all the same. Phones are read from unsigned numbers only (a
	// negative 11-digit number is far likelier a measurement).
	negative := len(num) > 0 && num[0] == '-'
	if negative {
		num = num[1:]
	}
	d, ok := wholeDigits(num, &buf)
	if !ok {
		return 0, 0, false
	}
	keyCard := hint&HintCard != 0
	if i := s.index[kCard]; i >= 0 && m&(1<<i) != 0 && (keyCard || hint&(HintIdentifier|HintQuantity) == 0) {
		if ok, weak := cardIssuer(d); ok && (!weak || keyCard) {
			if keyCard {
				return int(i), EvChecksum | EvKey, true
			}
			return int(i), EvChecksum, true
		}
	}
	if i := s.index[kPhone]; i >= 0 && m&(1<<i) != 0 && !negative && hint&HintPhone != 0 && len(d) >= 8 && len(d) <= 15 {
		if phoneNumberLiteral(d) {
			return int(i), EvKey | EvFormat, true
		}
		return int(i), EvKey, true
	}
	return 0, 0, false
}

// wholeDigits returns the decimal digits of the JSON number num when its
// value is a positive whole number of at most 19 digits, however it is
// written: "4111111111111111", "4111111111111111.0", "4.111111111111111e15"
// and "41111111111111110E-1" all give "4111111111111111". Serializers that
// hold numbers as floats write such forms, and it is the value that leaks.
// The caller strips a minus sign.
func wholeDigits(num []byte, buf *[64]byte) ([]byte, bool) {
	if len(num) > len(buf) {
		return nil, false
	}
	d := buf[:0]
	i := 0
	for ; i < len(num) && isDigit(num[i]); i++ {
		d = append(d, num[i])
	}
	scale := 0 // the value is d × 10^scale
	if i < len(num) && num[i] == '.' {
		for i++; i < len(num) && isDigit(num[i]); i++ {
			d = append(d, num[i])
			scale--
		}
		if scale == 0 {
			return nil, false // "4111."
		}
	}
	if i < len(num) && (num[i] == 'e' || num[i] == 'E') {
		i++
		neg := i < len(num) && num[i] == '-'
		if i < len(num) && (num[i] == '+' || num[i] == '-') {
			i++
		}
		e, start := 0, i
		for ; i < len(num) && isDigit(num[i]); i++ {
			if e = e*10 + int(num[i]-'0'); e > 99 {
				return nil, false
			}
		}
		if i == start {
			return nil, false
		}
		if neg {
			e = -e
		}
		scale += e
	}
	if i != len(num) {
		return nil, false // a sign, or not a number
	}
	for len(d) > 0 && d[0] == '0' {
		d = d[1:]
	}
	for scale < 0 && len(d) > 0 && d[len(d)-1] == '0' {
		d = d[:len(d)-1]
		scale++
	}
	if scale < 0 || len(d) == 0 || len(d)+scale > 19 {
		return nil, false
	}
	for ; scale > 0; scale-- {
		d = append(d, '0')
	}
	return d, true
}

// scanner holds the state of one FindStringIn call.
type scanner struct {
	set  *Set
	mask Mask
	hint Hint   // the classes of the value's member names
	t    []byte // the text as detectors see it (normalized view when needed)
	f    features
	out  []Span
	// meter counts the work (nil: not counted)
	meter *Meter
	// noAtUntil: the URL detector found no '@' in the word up to here
	noAtUntil int
	// bare is the last run of bytes read as an unquoted password value
	bare group
	// dob: dates of birth are searched at each digit run
	dob bool
	// ctxAt is 1 + the position whose context ctxVal holds (0: none)
	ctxAt  int
	ctxVal ctxSeen
}

// on reports whether built-in k is enabled for this scan.
func (sc *scanner) on(k kind) bool {
	i := sc.set.index[k]
	return i >= 0 && sc.mask&(1<<i) != 0
}

// emit records t[start:end] as found by built-in k (if enabled).
func (sc *scanner) emit(k kind, start, end int) {
	sc.emitEvidence(k, start, end, defaultEvidence[k])
}

// emitEvidence is emit with the evidence named.
func (sc *scanner) emitEvidence(k kind, start, end int, ev Evidence) {
	if i := sc.set.index[k]; i >= 0 && sc.mask&(1<<i) != 0 && start < end {
		sc.out = append(sc.out, Span{Start: start, End: end, Detector: int(i), Evidence: ev})
	}
}

// run dispatches to the detector families whose prefilters fired.
func (sc *scanner) run() {
	f := &sc.f
	if f.n[clAt] > 0 && sc.on(kEmail) {
		sc.emails()
	}
	// Dates of birth are read at the digit runs digitChains visits, or
	// by datesOfBirth when it does not run.
	sc.dob = f.n[clDigit] >= 4 && sc.on(kDateOfBirth)
	if (f.n[clDigit] >= 8 && (sc.on(kPhone) || sc.on(kCard) || sc.on(kSSN) || sc.on(kIBAN))) ||
		(f.n[clDigit] >= 4 && f.n[clDot] >= 3 && sc.on(kIPv4)) {
		sc.digitChains()
		sc.dob = false
	}
	if f.n[clColon] >= 2 && sc.on(kIPv6) {
		sc.ipv6s()
	}
	if sc.on(kMAC) && f.n[clDigit] >= 1 && (f.n[clColon] >= 5 || f.n[clDash] >= 5 || f.n[clDot] >= 2) {
		sc.macs()
	}
	sc.secrets()
	sc.datesOfBirth()
	if sc.on(kPersonName) || sc.on(kStreetAddress) {
		sc.freeText()
	}
	if sc.set.customs&sc.mask == 0 {
		return
	}
	mc := vmPool.Get().(*vmMachine)
	for i := range sc.set.custom {
		d := &sc.set.custom[i]
		if sc.mask&(1<<d.index) != 0 {
			sc.out = d.vm.findAll(mc, sc.t, d.index, sc.meter, sc.out, d.validate)
		}
	}
	vmPool.Put(mc)
}

// resolve sorts dst[base:] by Start and merges each cluster of transitively
// overlapping spans into one span covering all of it, named after its
// longest member (then the earliest, then the lower detector index). Covering
// the union matters: a losing candidate's leftover bytes would otherwise
// survive the replacement and be found on a second pass (`0.0.0.0::0:0` is an
// IPv4 address overlapping an IPv6 one).
func resolve(dst []Span, base int) []Span {
	spans := dst[base:]
	if len(spans) < 2 {
		return dst
	}
	slices.SortFunc(spans, byStart)
	kept := 0
	for lo := 0; lo < len(spans); {
		merged := spans[lo]
		longest := spans[lo]
		hi := lo + 1
		for ; hi < len(spans) && spans[hi].Start < merged.End; hi++ {
			merged.End = max(merged.End, spans[hi].End)
			if l := spans[hi].End - spans[hi].Start; l > longest.End-longest.Start {
				longest = spans[hi]
			}
		}
		merged.Detector = longest.Detector
		merged.Evidence = longest.Evidence
		spans[kept] = merged
		kept++
		lo = hi
	}
	return dst[:base+kept]
}

func byStart(a, b Span) int {
	if a.Start != b.Start {
		return a.Start - b.Start
	}
	if a.End != b.End {
		return b.End - a.End
	}
	return a.Detector - b.Detector
}

// customDetector is a compiled Custom.
type customDetector struct {
	index    int
	vm       *vm
	validate func([]byte) bool
}

func compileCustom(name string, c Custom) (customDetector, error) {
	re, err := syntax.Parse(c.Regex, syntax.Perl)
	if err != nil {
		return customDetector{}, fmt.Errorf("detect: detector %q: %w", name, err)
	}
	v, err := compileVM(re)
	if err != nil {
		return customDetector{}, fmt.Errorf("detect: detector %q: %w", name, err)
	}
	d := customDetector{vm: v}
	switch c.Validate {
	case "", "none":
	case "luhn":
		d.validate = luhnDigits
	case "mod97":
		d.validate = mod97Alnum
	default:
		return customDetector{}, fmt.Errorf("detect: detector %q: unknown validate %q (want none, luhn or mod97)", name, c.Validate)
	}
	return d, nil
}

var (
	viewPool = sync.Pool{New: func() any { return new(view) }}
	vmPool   = sync.Pool{New: func() any { return new(vmMachine) }}
)
