package corpus

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Member-name spellings: the ways a body can spell a member name so that an
// upstream decoder (Go's encoding/json, ASP.NET, Jackson with case-insensitive
// properties, or one that normalizes more) binds it to the same field as the
// name a rule configures. Key and path rules must select the value whatever
// the spelling. NameClasses lists hand-made spellings per class; Names
// generates documents that plant them, and random spellings made by the same
// transformations, at the locations NameRules selects.

// NameClass is one way of spelling member names, with examples. Spellings
// are JSON string contents (between the quotes, escapes as written).
type NameClass struct {
	Class   string
	Name    string   // the configured name
	Match   []string // spellings key and path rules select
	KeyOnly []string // spellings only key rules select (keys ignore separators, paths do not)
	Miss    []string // near misses no rule selects
}

// All returns every spelling of the class: Match, then KeyOnly, then Miss.
func (c NameClass) All() []string {
	return append(append(append([]string(nil), c.Match...), c.KeyOnly...), c.Miss...)
}

// MemberBody returns {"a":{…}} with one member per spelling, all in the
// same object (so duplicates once folded), the i-th holding the value v<i>.
func MemberBody(spellings []string) []byte {
	var b strings.Builder
	b.WriteString(`{"a":{`)
	for i, s := range spellings {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"%s":"v%d"`, s, i)
	}
	b.WriteString(`}}`)
	return []byte(b.String())
}

// NameClasses lists the spelling classes, several examples each.
var NameClasses = []NameClass{
	{Class: "escapes", Name: "email",
		Match: []string{`\u0065mail`, `\u0045MAIL`, `e\u006d\u0061il`, `\u0065\u006D\u0061\u0069\u006C`, `EM\u0041IL`},
		Miss:  []string{`\u0065mails`, `e\u006dai`}},
	{Class: "mixed case", Name: "email",
		Match: []string{"Email", "EMAIL", "eMaIl", "emaiL"},
		Miss:  []string{"EMAILS", "Mail"}},
	{Class: "full-width", Name: "email",
		Match: []string{"ｅｍａｉｌ", "ＥＭＡＩＬ", "ｅmａil", `\uff45\uff4d\uff41\uff49\uff4c`},
		Miss:  []string{"ｅｍａｉｌｓ"}},
	{Class: "compatibility forms", Name: "email",
		Match: []string{"𝐞𝐦𝐚𝐢𝐥", `\ud835\udc1e\ud835\udc26ail`, "ⓔⓜⓐⓘⓛ", "ᵉmail", "𝖊𝖒𝖆𝖎𝖑"},
		Miss:  []string{"𝐞𝐦𝐚𝐢𝐥𝐬"}},
	{Class: "Kelvin sign", Name: "api_key",
		Match: []string{`api_\u212Aey`, "API_\u212AEY", "api_\u212Aey", `\u0061pi_\u212aey`},
		Miss:  []string{"api_\u212Aeys"}},
	{Class: "long s", Name: "ssn",
		Match: []string{"ſſn", "ſsn", `\u017fSN`, "SſN", `\u017F\u017Fn`},
		Miss:  []string{"ſſns"}},
	{Class: "dotted capital I, dotless i", Name: "email",
		Match: []string{"EMAİL", `EMA\u0130L`, "emaıl", `EMA\u0131L`},
		Miss:  []string{"EMAİLS"}},
	{Class: "combining marks", Name: "email",
		Match: []string{"émail", "e\u0301mail", "ëmâïl", `e\u0300\u0301\u0302mail`, "e\u20ddmail", `E\u0327MAIL`},
		Miss:  []string{"émails"}},
	{Class: "sharp s", Name: "address",
		Match: []string{"addreß", "ADDREẞ", `Addre\u00df`, `addre\u1e9e`},
		Miss:  []string{"addreßes"}},
	{Class: "ignorable characters", Name: "email",
		Match: []string{
			`e\u200bmail`, `em\u200cail`, `ema\u200dil`, `emai\u2060l`, `e\u00admail`, `\ufeffemail`,
			`e\tmail`, `e\u00a0mail`, `e\u202fmail`, "e\u200bmail", "em\u00adail", `\u200eemail\u202e`, `e\u0000mail`,
			`\u200b\u200be\u00admail\ufeff`},
		Miss: []string{`e\u200bmails`}},
	{Class: "non-Latin case", Name: "όνομα",
		Match: []string{"ΟΝΟΜΑ", "Όνομα", "ονομα", "ΌΝΟΜΑ", `\u03cc\u03bd\u03bf\u03bc\u03b1`},
		Miss:  []string{"ονοματα"}},
	{Class: "Hangul syllables and jamo", Name: "이메일",
		Match: []string{`\u110b\u1175\u1106\u1166\u110b\u1175\u11af`, `\uc774\uba54\uc77c`, "\u110b\u1175메일"},
		Miss:  []string{"이메"}},
	{Class: "separators", Name: "email",
		KeyOnly: []string{"e_mail", "E-Mail", "e.mail", "e mail", "e\u2010mail", "e–mail", "e＿mail", "_email_"},
		Miss:    []string{"e_mails"}},
}

// nameRuleNames lists the configured names of NameClasses once each.
func nameRuleNames() []string {
	var names []string
	seen := map[string]bool{}
	for _, c := range NameClasses {
		if !seen[c.Name] {
			seen[c.Name] = true
			names = append(names, c.Name)
		}
	}
	return names
}

// NameRules returns the rule set the name documents are measured with:
// kind "keys" selects the names of NameClasses anywhere, kind "paths" at
// $.account.<name>, $.items[*].<name> and $..deep.<name>. Both redact.
func NameRules(kind string) string {
	var sel []string
	for _, n := range nameRuleNames() {
		if kind == "keys" {
			sel = append(sel, fmt.Sprintf("%q", n))
			continue
		}
		for _, p := range []string{"$.account['%s']", "$.items[*]['%s']", "$..deep['%s']"} {
			sel = append(sel, fmt.Sprintf("%q", fmt.Sprintf(p, n)))
		}
	}
	return fmt.Sprintf("rules:\n  - {id: %s, select: {%s: [%s]}, action: {redact: {with: \"[%s]\"}}}\n", kind, kind, strings.Join(sel, ", "), kind)
}

// NamePlant is a value planted under a spelled member name.
type NamePlant struct {
	Doc      int
	Class    string
	Spelling string // the member name as written in the document
	Value    string // the string value (unique in the corpus)
	KeyOnly  bool   // only the "keys" rule selects it
	Miss     bool   // no rule selects it
}

// NameCorpus is a set of documents with the name spellings planted in them.
type NameCorpus struct {
	Docs   [][]byte
	Plants []NamePlant
}

// Names returns n documents generated from seed. Each has an object
// $.account, an array $.items of objects and an object $.meta.deep, whose
// own names are spelled in random case, escapes, full-width letters and
// ignorable characters; in each of these objects, members spelled by a class
// (a hand-made spelling or a random one of the same kind), several spellings
// of the same name in one object (duplicates, as upstream decoders keep the
// last), and near misses.
func Names(seed uint64, n int) *NameCorpus {
	c := &NameCorpus{}
	for i := range n {
		g := &nameGen{r: rand.New(rand.NewPCG(seed, uint64(i))), c: c, doc: i}
		c.Docs = append(c.Docs, g.document())
	}
	return c
}

type nameGen struct {
	r   *rand.Rand
	c   *NameCorpus
	doc int
	n   int // values planted in this document
}

func (g *nameGen) document() []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `{"%s":%s,"%s":[`, g.spellParent("account"), g.object(), g.spellParent("items"))
	for i := range 1 + g.r.IntN(3) {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(g.object())
	}
	fmt.Fprintf(&b, `],"meta":{"id":%d,"%s":%s}}`, g.doc, g.spellParent("deep"), g.object())
	return []byte(b.String())
}

// object returns an object of planted members, some under one name spelled
// several ways.
func (g *nameGen) object() string {
	var members []string
	for range 2 + g.r.IntN(4) {
		cl := NameClasses[g.r.IntN(len(NameClasses))]
		for range 1 + g.r.IntN(2) { // a second spelling of the same name: a duplicate
			members = append(members, g.member(cl))
		}
	}
	members = append(members, fmt.Sprintf(`"note":"doc %d"`, g.doc))
	g.r.Shuffle(len(members), func(i, j int) { members[i], members[j] = members[j], members[i] })
	return "{" + strings.Join(members, ",") + "}"
}

// member plants a value under a spelling of class cl.
func (g *nameGen) member(cl NameClass) string {
	p := NamePlant{Doc: g.doc, Class: cl.Class}
	switch k := g.r.IntN(10); {
	case k < 4 && len(cl.Match) > 0:
		p.Spelling = pick(g.r, cl.Match...)
	case k < 7:
		p.Spelling = g.spell(cl.Name, true)
	case k < 8 && len(cl.KeyOnly) > 0:
		p.Spelling, p.KeyOnly = pick(g.r, cl.KeyOnly...), true
	case k < 8:
		p.Spelling, p.KeyOnly = g.spell(g.separate(cl.Name), true), true
	case k < 9:
		p.Spelling, p.Miss = pick(g.r, cl.Miss...), true
	default:
		p.Spelling, p.Miss = g.spell(cl.Name+pick(g.r, "s", "2", "_id", "x"), true), true
	}
	g.n++
	p.Value = fmt.Sprintf("plant-%d-%d-%s", g.doc, g.n, g.chars(6))
	g.c.Plants = append(g.c.Plants, p)
	return fmt.Sprintf(`"%s":"%s"`, p.Spelling, p.Value)
}

func (g *nameGen) chars(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = lowerAlpha[g.r.IntN(len(lowerAlpha))]
	}
	return string(b)
}

// spellParent spells a name on the path to the planted members (no
// separators: paths compare them).
func (g *nameGen) spellParent(name string) string {
	if g.r.IntN(3) == 0 {
		return name
	}
	return g.spell(name, false)
}

// Characters the random spellings use.
var (
	ignorables = []string{`\u200b`, `\u200c`, `\u200d`, `\u2060`, `\u00ad`, `\ufeff`, `\t`, `\u00a0`, `\u202f`, "\u200b", "\u00ad", `\u200e`}
	marks      = []rune{0x0301, 0x0308, 0x0327, 0x0300, 0x030C, 0x20DD}
	separators = []string{"_", "-", ".", " ", "\u2010", "\u2013", "＿"}
)

// spell returns a random spelling of name (as JSON string content) that
// folds to the same form: random case, full-width or mathematical letters,
// Kelvin sign, long s, dotted capital I, combining marks, ignorable
// characters, \u escapes. Non-ASCII names only get case, marks, ignorables
// and escapes.
func (g *nameGen) spell(name string, marksToo bool) string {
	var b strings.Builder
	for _, r := range name {
		if g.r.IntN(4) == 0 {
			b.WriteString(pick(g.r, ignorables...))
		}
		if r < utf8.RuneSelf && (r >= 'a' && r <= 'z') {
			switch g.r.IntN(9) {
			case 0, 1:
				r -= 'a' - 'A'
			case 2:
				r += 0xFF41 - 'a' // full-width
			case 3:
				r += 0x1D41A - 'a' // mathematical bold
			case 4:
				switch r {
				case 'k':
					r = 0x212A // Kelvin sign
				case 's':
					r = 0x017F // long s
				case 'i':
					r = 0x0130 // dotted capital I
				}
			}
		} else if g.r.IntN(2) == 0 {
			r = []rune(strings.ToUpper(string(r)))[0]
		}
		g.writeRune(&b, r)
		if marksToo && g.r.IntN(5) == 0 {
			g.writeRune(&b, marks[g.r.IntN(len(marks))])
		}
	}
	return b.String()
}

// writeRune writes r raw or as a \u escape (a surrogate pair beyond the BMP).
func (g *nameGen) writeRune(b *strings.Builder, r rune) {
	switch {
	case g.r.IntN(4) > 0:
		b.WriteRune(r)
	case r > 0xFFFF:
		hi, lo := utf16.EncodeRune(r)
		fmt.Fprintf(b, `\u%04x\u%04x`, hi, lo)
	default:
		fmt.Fprintf(b, pick(g.r, `\u%04x`, `\u%04X`), r)
	}
}

// separate inserts a separator into name, which only keys ignore.
func (g *nameGen) separate(name string) string {
	rs := []rune(name)
	i := 1 + g.r.IntN(len(rs)-1)
	return string(rs[:i]) + pick(g.r, separators...) + string(rs[i:])
}
