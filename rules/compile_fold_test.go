package rules

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// coarser lists, for each form, the forms that ignore at least what it ignores.
var coarser = [numForms][]nameForm{
	formPathCS: {formPathCS, formPath, formKeyCS, formKey},
	formPath:   {formPath, formKey},
	formKeyCS:  {formKeyCS, formKey},
	formKey:    {formKey},
}

// fold returns the form of s, failing the test when it does not fit.
func fold(t testing.TB, s string, f nameForm) string {
	t.Helper()
	out, ok := foldName(s, f)
	if !ok {
		t.Fatalf("%q does not fit in form %d", s, f)
	}
	return out
}

// runtimeFold folds the JSON string content raw as the walk does.
func runtimeFold(raw string, f nameForm) (string, bool) {
	var arr [maxNameLen]byte
	buf := formBuf{b: arr[:0]}
	fo := folder{foldCase: f.foldsCase()}
	if f.dropsSeparators() {
		fo.key = &buf
	} else {
		fo.path = &buf
	}
	fo.raw([]byte(raw), strings.Contains(raw, `\`))
	return string(buf.b), !buf.over
}

// escapeAll spells every character of s as a \u escape (a surrogate pair
// beyond the BMP).
func escapeAll(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r > 0xFFFF {
			hi, lo := utf16.EncodeRune(r)
			fmt.Fprintf(&b, `\u%04x\u%04X`, hi, lo)
		} else {
			fmt.Fprintf(&b, `\u%04X`, r)
		}
	}
	return b.String()
}

// jsonContent returns s as encoding/json spells it, without the quotes.
func jsonContent(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

// Every character: its form folds to itself in that form and in every
// coarser form (what the classifier relies on), the form has no mark, no
// ignorable character and (for keys) no separator, and the walk folds its
// raw, escaped and encoding/json spellings as the compiler folds the text.
// Folding is per character, so this holds for every string. Unassigned and
// private-use code points are skipped but for plane 14 (tags, variation
// selectors: ignorable).
func TestFoldEveryRune(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if utf16.IsSurrogate(r) || !(r>>16 == 14 || unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Z, unicode.Cc, unicode.Cf)) {
			continue
		}
		s := string(r)
		for f := range numForms {
			out := fold(t, s, f)
			for _, g := range coarser[f] {
				if a, b := fold(t, out, g), fold(t, s, g); a != b {
					t.Fatalf("%U: form %d of its form %d is %q, of itself %q", r, g, f, a, b)
				}
			}
			for _, c := range out {
				if c >= utf8.RuneSelf && (unicode.Is(unicode.M, c) || isIgnorable(c) || f.dropsSeparators() && isSeparator(c)) {
					t.Fatalf("%U: form %d %q keeps %U", r, f, out, c)
				}
			}
			for _, raw := range []string{jsonContent(s), escapeAll(s)} {
				if got, ok := runtimeFold(raw, f); !ok || got != out {
					t.Fatalf("%U: the walk folds %s to %q, the compiler to %q", r, raw, got, out)
				}
			}
		}
	}
}

func TestFoldName(t *testing.T) {
	tests := []struct {
		form nameForm
		in   string
		want string
	}{
		{formPath, "Email", "email"},
		{formPath, "ＥＭＡＩＬ", "email"},                                    // full-width
		{formPath, "𝐞𝐦𝐚𝐢𝐥", "email"},                                    // mathematical bold
		{formPath, "ⓔⓜⓐⓘⓛ", "email"},                                    // circled
		{formPath, "proﬁle", "profile"},                                 // ligature
		{formPath, "\u212Aey", "key"},                                   // Kelvin sign
		{formPath, "ſſn", "ssn"},                                        // long s
		{formPath, "EMAİL", "email"},                                    // dotted capital I: i + U+0307, mark dropped
		{formPath, "emaıl", "email"},                                    // dotless i
		{formPath, "e\u0301ma\u0308il", "email"},                        // combining marks
		{formPath, "émäíl", "email"},                                    // precomposed
		{formPath, "Straße", "strasse"},                                 // full case folding
		{formPath, "STRAẞE", "strasse"},                                 // capital sharp s
		{formPath, "ᾳ", "αι"},                                           // iota subscript
		{formPath, "ΣΊΓΜΑ", "σιγμα"},                                    // Greek, tonos dropped
		{formPath, "ς", "σ"},                                            // final sigma
		{formPath, "이메일", "\u110b\u1175\u1106\u1166\u110b\u1175\u11af"}, // Hangul as jamo
		{formPath, "e\u200bm\u200ca\u200di\u2060l", "email"},            // zero-width characters
		{formPath, "\ufeffe\u00admail\u200e\u202e", "email"},            // BOM, soft hyphen, bidi
		{formPath, "e\tm\u00a0a\u2007i\u202fl", "email"},                // tab, no-break spaces
		{formPath, "e\x7fmail\x00", "email"},                            // controls
		{formPath, "e_mail", "e_mail"},                                  // paths keep separators
		{formPath, "e mail", "e mail"},
		{formPath, "e\u3000mail", "e mail"}, // ideographic space reads as a space
		{formPathCS, "EMAİL", "EMAIL"},
		{formPathCS, "ＥＭａｉｌ", "EMail"},
		{formPathCS, "Straße", "Straße"},
		{formPathCS, "\u212Aey", "Key"},
		{formKey, "E-Mail", "email"},
		{formKey, "e_m.a i\u2010l\u2013", "email"}, // Unicode dashes are separators
		{formKey, "e＿mail", "email"},               // full-width low line
		{formKey, "ＡＰＩ－ＫＥＹ", "apikey"},
		{formKeyCS, "E-Mail", "EMail"},
		{formKeyCS, "ſ-SN", "sSN"}, // the long s decomposes to s
		{formPath, "e\uFFFDmail", "e\uFFFDmail"},
	}
	for _, tt := range tests {
		if got := fold(t, tt.in, tt.form); got != tt.want {
			t.Errorf("foldName(%q, %d) = %q, want %q", tt.in, tt.form, got, tt.want)
		}
	}
	if _, ok := foldName(strings.Repeat("ﷺ", 20), formPath); ok { // 3 bytes, 33 once decomposed
		t.Error("a form longer than maxNameLen fits")
	}
	if got, ok := foldName(strings.Repeat("\u200b", 100)+"email", formPath); !ok || got != "email" {
		t.Errorf("ignorable characters count against the length: %q %v", got, ok)
	}
}

// The walk folds escapes, invalid UTF-8 and lone surrogates as encoding/json
// decodes them (invalid bytes and lone surrogates read as U+FFFD).
func TestFoldRaw(t *testing.T) {
	tests := []struct{ raw, want string }{
		{`\u0045mail`, "email"},
		{`\u0065\u006D\u0061\u0069\u006C`, "email"},
		{`\ud835\udc1e\ud835\udc26ail`, "email"},
		{`e\tmail`, "email"},
		{`e\u200Bmail`, "email"},
		{`e\"mail`, `e"mail`},
		{`e\/mail`, "e/mail"},
		{"e\xffmail", "e\uFFFDmail"},
		{`e\ud800mail`, "e\uFFFDmail"},
	}
	for _, tt := range tests {
		if got, ok := runtimeFold(tt.raw, formPath); !ok || got != tt.want {
			t.Errorf("walk folds %s to %q, want %q", tt.raw, got, tt.want)
		}
		var dec string
		if err := json.Unmarshal([]byte(`"`+tt.raw+`"`), &dec); err == nil {
			if want := fold(t, dec, formPath); want != tt.want {
				t.Errorf("%s decodes to %q, which folds to %q, want %q", tt.raw, dec, want, tt.want)
			}
		}
	}
}

// FuzzFoldName: the walk's fold of a raw JSON name agrees with the compile-time
// fold of the decoded name, in every spelling (as encoding/json writes it, all
// characters escaped, unescaped); folding is a fixed point and forms nest.
func FuzzFoldName(f *testing.F) {
	for _, s := range []string{"email", "ＥＭＡＩＬ", "EMAİL", "ſsn", "\u212Aey", "e\u200bmail", "Straße", "e\u0301", "이메일", "ᾳ", "\x00\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for form := range numForms {
			want, fits := foldName(s, form)
			spellings := []string{jsonContent(s)}
			if utf8.ValidString(s) {
				spellings = append(spellings, escapeAll(s))
				if !strings.ContainsAny(s, "\"\\") && !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 }) {
					spellings = append(spellings, s)
				}
			}
			for _, raw := range spellings {
				got, ok := runtimeFold(raw, form)
				if ok != fits || ok && got != want {
					t.Fatalf("form %d: walk folds %q to %q (fits %v), compiler %q to %q (fits %v)", form, raw, got, ok, s, want, fits)
				}
			}
			if !fits {
				continue
			}
			for _, g := range coarser[form] {
				if a, b := fold(t, want, g), fold(t, s, g); a != b {
					t.Fatalf("form %d of form %d of %q is %q, of %q itself %q", g, form, s, a, s, b)
				}
			}
		}
	})
}
