package pseudo

import (
	"bytes"
	"strings"
	"testing"
)

// openerFixture returns an Opener over two prefixes, two key ids and two
// contexts sharing one prefix + key id, with the Sealers by name.
func openerFixture() (*Opener, map[string]*Sealer) {
	ss := map[string]*Sealer{
		"email": NewSealer("k1", testKey, "users.email", "tok_"),
		"phone": NewSealer("k1", testKey, "users.phone", "tok_"),
		"k2":    NewSealer("k2", otherKey, "users.email", "tok_"),
		"pii":   NewSealer("v1", testKey, "pii", "PII-"),
	}
	o := new(Opener)
	for _, name := range []string{"email", "phone", "k2", "pii"} {
		o.Add(ss[name])
	}
	return o, ss
}

// scanned is one Next result.
type scanned struct {
	token, plain string
	ok           bool
}

// scanAll runs Next over text until it finds nothing more.
func scanAll(t *testing.T, o *Opener, text string) []scanned {
	t.Helper()
	var got []scanned
	for from := 0; ; {
		out, start, end, found, ok := o.Next([]byte("x"), []byte(text), from)
		if !found {
			if string(out) != "x" {
				t.Fatalf("not found but dst changed: %q", out)
			}
			return got
		}
		if start < from || end <= start || end > len(text) {
			t.Fatalf("bounds [%d,%d) from %d in %d bytes", start, end, from, len(text))
		}
		if !ok && string(out) != "x" {
			t.Fatalf("not opened but dst changed: %q", out)
		}
		got = append(got, scanned{text[start:end], string(out[1:]), ok})
		from = end
	}
}

// TestOpenerNext covers tokens in text: punctuation around them, several in
// a row, foreign key ids, several contexts per key id, decoys.
func TestOpenerNext(t *testing.T) {
	o, ss := openerFixture()
	email := string(ss["email"].AppendToken(nil, []byte("alice@example.com")))
	phone := string(ss["phone"].AppendToken(nil, []byte("+33 6 12 34 56 78")))
	k2 := string(ss["k2"].AppendToken(nil, []byte("bob")))
	pii := string(ss["pii"].AppendToken(nil, []byte("Zoë")))
	empty := string(ss["email"].AppendToken(nil, nil))
	// foreign: a registered prefix + key id sealed under another key.
	foreign := string(NewSealer("k1", otherKey, "users.email", "tok_").AppendToken(nil, []byte("eve")))
	// unknown: a key id nobody registered.
	unknown := string(NewSealer("k9", testKey, "users.email", "tok_").AppendToken(nil, []byte("eve")))
	alice := scanned{email, "alice@example.com", true}
	for _, c := range []struct {
		name, text string
		want       []scanned
	}{
		{"alone", email, []scanned{alice}},
		{"no token", "nothing to see here, tok_ and tok_k1 and tok_k1. and PII-v1.", nil},
		{"empty text", "", nil},
		{"sentence end", "Mail " + email + ".", []scanned{alice}},
		{"comma", email + ", then", []scanned{alice}},
		{"parens", "(" + email + ")", []scanned{alice}},
		{"single quotes", "'" + email + "'", []scanned{alice}},
		{"double quotes", `"` + email + `"`, []scanned{alice}},
		{"colon", email + ":x", []scanned{alice}},
		{"semicolon and newline", email + ";\n" + email + "\n", []scanned{alice, alice}},
		{"in a word", "mail=" + email + "&x=1", []scanned{alice}},
		{"after letters", "xyz" + email, []scanned{alice}},
		{"space separated", email + " " + phone + " " + pii, []scanned{alice, {phone, "+33 6 12 34 56 78", true}, {pii, "Zoë", true}}},
		{"second prefix first", pii + " " + email, []scanned{{pii, "Zoë", true}, alice}},
		{"second context", phone, []scanned{{phone, "+33 6 12 34 56 78", true}}},
		{"second key id", "[" + k2 + "]", []scanned{{k2, "bob", true}}},
		{"empty plaintext", empty + ".", []scanned{{empty, "", true}}},
		{"foreign key", foreign + " " + email, []scanned{{foreign, "", false}, alice}},
		{"unknown key id", unknown + " " + email, []scanned{alice}},
		{"altered", email[:len(email)-1] + "x " + email, []scanned{{email[:len(email)-1] + "x", "", false}, alice}},
		{"extended", email + "A " + email, []scanned{{email + "A", "", false}, alice}},
		{"short run", "tok_k1.AAAA " + email, []scanned{alice}},
		{"prefix inside prefix", "tok_tok_k1" + email[len("tok_k1"):], []scanned{alice}},
		{"key id longer", "tok_" + "k12345678901234567" + email[len("tok_k1"):], nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := scanAll(t, o, c.text)
			if len(got) != len(c.want) {
				t.Fatalf("%q: got %+v, want %+v", c.text, got, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Errorf("token %d: got %+v, want %+v", i, got[i], c.want[i])
				}
			}
		})
	}
}

// TestOpenerSameMarker checks two prefixes that spell the same marker
// ("a" + "b1." and "ab" + "1."): both groups' Sealers are tried.
func TestOpenerSameMarker(t *testing.T) {
	s1 := NewSealer("b1", testKey, "c", "a")
	s2 := NewSealer("1", otherKey, "c", "ab")
	var o Opener
	o.Add(s1)
	o.Add(s2)
	for _, s := range []*Sealer{s1, s2} {
		tok := s.AppendToken(nil, []byte("v"))
		out, start, end, found, ok := o.Next(nil, tok, 0)
		if !found || !ok || start != 0 || end != len(tok) || string(out) != "v" {
			t.Errorf("%s: %q [%d,%d) found %v ok %v", tok, out, start, end, found, ok)
		}
	}
}

// TestOpenerEmpty checks the zero Opener finds nothing.
func TestOpenerEmpty(t *testing.T) {
	tok := NewSealer("k1", testKey, "c", "tok_").AppendToken(nil, []byte("v"))
	if _, _, _, found, _ := new(Opener).Next(nil, tok, 0); found {
		t.Fatal("empty Opener found a token")
	}
}

// TestOpenerFrom checks from is honoured, including out of range.
func TestOpenerFrom(t *testing.T) {
	o, ss := openerFixture()
	tok := ss["email"].AppendToken(nil, []byte("a"))
	text := append(append(bytes.Clone(tok), ' '), tok...)
	_, start, _, found, ok := o.Next(nil, text, 1)
	if !found || !ok || start != len(tok)+1 {
		t.Fatalf("from 1: start %d found %v ok %v", start, found, ok)
	}
	for _, from := range []int{-5, len(text), len(text) + 5} {
		_, start, _, found, _ := o.Next(nil, text, from)
		if from < 0 && (!found || start != 0) || from >= len(text) && found {
			t.Errorf("from %d: start %d found %v", from, start, found)
		}
	}
}

// FuzzOpenerNext checks Next never panics, keeps its bounds within text,
// and that whatever it opens is a value sealed by a registered Sealer.
func FuzzOpenerNext(f *testing.F) {
	o, ss := openerFixture()
	sealed := map[string]bool{}
	for _, v := range []string{"alice@example.com", "", "Zoë", strings.Repeat("z", 100)} {
		sealed[v] = true
		f.Add(string(ss["email"].AppendToken([]byte("see "), []byte(v)))+".", 0)
		f.Add(string(ss["pii"].AppendToken([]byte("("), []byte(v)))+")", 1)
	}
	f.Add("tok_k1.AAAAAAAAAAAAAAAAAAAAAAAAAAAA", 0)
	f.Fuzz(func(t *testing.T, text string, from int) {
		out, start, end, found, ok := o.Next([]byte("x"), []byte(text), from)
		if !found {
			if ok || string(out) != "x" {
				t.Fatalf("not found, ok %v out %q", ok, out)
			}
			return
		}
		if start < max(from, 0) || end <= start || end > len(text) {
			t.Fatalf("bounds [%d,%d) from %d in %d bytes", start, end, from, len(text))
		}
		if ok && !sealed[string(out[1:])] {
			t.Fatalf("opened %q, never sealed", out[1:])
		}
		if !ok && string(out) != "x" {
			t.Fatalf("not opened but dst %q", out)
		}
	})
}

// FuzzSealerRoundTrip checks Open(AppendToken(v)) == v and that the token
// stays in its grammar.
func FuzzSealerRoundTrip(f *testing.F) {
	s := NewSealer("k1", testKey, "ctx", "tok_")
	for _, v := range sealValues {
		f.Add([]byte(v))
	}
	f.Fuzz(func(t *testing.T, v []byte) {
		tok := s.AppendToken(nil, v)
		if !bytes.HasPrefix(tok, []byte("tok_k1.")) {
			t.Fatalf("token %q", tok)
		}
		for _, c := range tok[len("tok_k1."):] {
			if !isB64Byte(c) {
				t.Fatalf("token %q leaves base64url", tok)
			}
		}
		out, ok := s.Open(nil, tok)
		if !ok || !bytes.Equal(out, v) {
			t.Fatalf("Open = %q, %v; want %q", out, ok, v)
		}
		if _, ok := s.Open(nil, tok[:len(tok)-1]); ok {
			t.Fatal("truncated token opened")
		}
	})
}
