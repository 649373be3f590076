// Package corpus generates deterministic synthetic JSON documents for
// measuring the content detectors: customer profiles, checkouts, chat
// transcripts, event batches and deployment logs with personal data and
// secrets planted in realistic places, next to decoys that look similar but
// must not be detected (order numbers failing Luhn, UUIDs, timestamps,
// version strings, prices, SKUs, tracking numbers, invalid SSNs, …). It
// also generates the benchmark suite's payloads (Payload, Sizes) and rule
// sets (NewRuleSet, DecoyRules).
//
// Every generated document comes with its ground truth: the planted values
// (with the detector expected to find each) and the decoys. The same seed
// always yields the same corpus. The package is test and benchmark support,
// imported only by tests and benchmarks (of rules, rules/internal/detect and
// host-test); it lives in bench/, beside the benchmarks, not in the rules
// API, and promises nothing to other importers.
package corpus

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
)

// Plant is a value planted in a document, to be found by Detector.
type Plant struct {
	Doc      int
	Detector string
	Value    string // as it appears in the unescaped string (or the number literal)
	Number   bool   // planted as a JSON number rather than inside a string
	Spelling string // one of Spellings, or "" for the plain forms
	Lang     string // the language of the text around it (en, de, fr, es), or "" outside the thread
	Cue      string // what surrounds it: the words before it, "key <name>" for a member name, or ""
}

// Decoy is a value that must survive detection.
type Decoy struct {
	Doc      int
	Kind     string
	Value    string
	Number   bool   // a JSON number literal rather than text inside a string
	Spelling string // one of Spellings, or "" for the plain forms
	Lang     string // the language of the text around it, or "" (see Plant)
	Cue      string // what surrounds it, or "" (see Plant)
}

// Corpus is a set of JSON documents with their ground truth.
type Corpus struct {
	Docs   [][]byte
	Plants []Plant
	Decoys []Decoy
}

// Detectors lists the detector names the generator plants values for:
// those of valued (in text found by their own shape) and FreeTextDetectors.
var Detectors = append(slices.Clip(valued), FreeTextDetectors...)

// valued are the detectors the documents' own random stream plants, in
// its order (the stream picks from this list: it must not change).
var valued = []string{
	"email", "phone", "credit_card", "iban", "us_ssn", "ipv4", "ipv6", "mac_address", "jwt",
	"aws_access_key_id", "github_token", "stripe_key", "slack_token", "google_api_key", "private_key",
	"openai_key", "anthropic_key", "gitlab_token", "npm_token", "huggingface_token",
	"slack_webhook", "password_assignment", "url_credentials",
}

// Generate returns n documents generated from seed.
func Generate(seed uint64, n int) *Corpus {
	c := &Corpus{}
	for i := range n {
		g := &gen{r: rand.New(rand.NewPCG(seed, uint64(i))), c: c, doc: i}
		var v any
		switch i % 6 {
		case 0:
			v = g.profile()
		case 1:
			v = g.checkout()
		case 2:
			v = g.chat(6 + g.r.IntN(6))
		case 3:
			v = g.events()
		case 4:
			v = g.deployLog()
		default:
			v = g.llmExchange()
		}
		v.(map[string]any)["remarks"] = remarks(c, seed, i)
		v.(map[string]any)["thread"], v.(map[string]any)["record"] = contextual(c, seed, i)
		b, err := json.Marshal(v)
		if err != nil {
			panic(err)
		}
		c.Docs = append(c.Docs, b)
	}
	return c
}

// ChatRules is the detector rule set the benchmarks apply to Chat documents,
// natively (package rules) and through the .wasm (package hosttest): four
// rules over the detectors a chat transcript is likely to hold.
const ChatRules = `
rules:
  - id: contact
    select: { detect: [email, phone] }
    action: { redact: { with: "[contact]" } }
  - id: money
    select: { detect: [credit_card, iban] }
    action: { mask: { keep_last: 4 } }
  - id: ids
    select: { detect: [us_ssn, ipv4] }
    action: { redact: { with: "[id]" } }
  - id: secrets
    select: { detect: [aws_access_key_id, github_token, jwt] }
    action: { redact: { with: "[secret]" } }
`

// Chat returns a chat-transcript JSON document of about size bytes: mostly
// plain conversation, with a value of some detector in roughly one message in
// ten.
func Chat(seed uint64, size int) []byte {
	g := &gen{r: rand.New(rand.NewPCG(seed, 1)), c: &Corpus{}}
	var msgs []any
	n := 0
	for n < size {
		content := g.sentence()
		for range 2 + g.r.IntN(4) {
			content += " " + g.sentence()
		}
		if g.r.IntN(10) == 0 {
			content += " " + g.plantText(valued[g.r.IntN(len(valued))])
		}
		msgs = append(msgs, map[string]any{"role": pick(g.r, "user", "assistant"), "content": content})
		n += len(content) + 40
	}
	b, _ := json.Marshal(map[string]any{"model": "gpt-4o", "messages": msgs})
	return b
}

type gen struct {
	r   *rand.Rand
	c   *Corpus
	doc int
}

func pick[T any](r *rand.Rand, xs ...T) T { return xs[r.IntN(len(xs))] }

// plant records v as expected for detector d and returns it.
func (g *gen) plant(d, v string) string {
	g.c.Plants = append(g.c.Plants, Plant{Doc: g.doc, Detector: d, Value: v})
	return v
}

// decoy records v as a decoy of the given kind and returns it.
func (g *gen) decoy(kind, v string) string {
	g.c.Decoys = append(g.c.Decoys, Decoy{Doc: g.doc, Kind: kind, Value: v})
	return v
}

// decoyNumber records a JSON number decoy.
func (g *gen) decoyNumber(kind, digits string) json.Number {
	g.c.Decoys = append(g.c.Decoys, Decoy{Doc: g.doc, Kind: kind, Value: digits, Number: true})
	return json.Number(digits)
}

// plantNumber records a JSON number planted for detector d.
func (g *gen) plantNumber(d, digits string) json.Number {
	g.c.Plants = append(g.c.Plants, Plant{Doc: g.doc, Detector: d, Value: digits, Number: true})
	return json.Number(digits)
}

// value generates a value for detector d.
func (g *gen) value(d string) string {
	switch d {
	case "email":
		return g.email()
	case "phone":
		return g.phone()
	case "credit_card":
		return g.card()
	case "iban":
		return g.iban()
	case "us_ssn":
		return g.ssn()
	case "ipv4":
		return g.ipv4()
	case "ipv6":
		return g.ipv6()
	case "mac_address":
		return g.mac()
	case "jwt":
		return g.jwt()
	case "aws_access_key_id":
		return pick(g.r, "AKIA", "ASIA") + g.chars(16, upperDigits)
	case "github_token":
		if g.r.IntN(4) == 0 {
			return "github_pat_" + g.chars(22, alnum) + "_" + g.chars(59, alnum)
		}
		return "gh" + pick(g.r, "p", "o", "u", "s", "r") + "_" + g.chars(36, alnum)
	case "stripe_key":
		return pick(g.r, "sk", "rk") + "_" + pick(g.r, "live", "test") + "_" + g.chars(24+g.r.IntN(76), alnum)
	case "slack_token":
		return "xox" + pick(g.r, "b", "p", "a") + "-" + g.chars(12, digits) + "-" + g.chars(13, digits) + "-" + g.chars(24, alnum)
	case "google_api_key":
		return "AIza" + g.chars(35, alnum+"_-")
	case "private_key":
		return g.pem()
	}
	if v, ok := g.credential(d); ok {
		return v
	}
	panic("corpus: unknown detector " + d)
}

// plantText plants a value of detector d inside a sentence and returns the
// sentence (SSNs written as bare digits get their keyword).
func (g *gen) plantText(d string) string {
	if s, ok := g.plantCredentialText(d); ok {
		return s
	}
	v := g.value(d)
	lead := pick(g.r, "here it is:", "use", "it's", "try", "value", "my")
	switch {
	case d == "us_ssn" && g.r.IntN(3) == 0:
		v = g.ssnDigits(true) // bare digits need their keyword
		lead = pick(g.r, "SSN", "ssn:", "my Social Security number is")
	case d == "phone" && g.r.IntN(5) == 0:
		v = g.barePhone() // so do bare phone numbers
		lead = pick(g.r, "call me at", "Mobile:", "my cell is", "WhatsApp", "phone")
	}
	wrap := pick(g.r, "%s", "%s", "%s", "(%s)", "<%s>", `"%s"`, "'%s'", "%s,", "%s.", "[%s]", "%s;", "%s!")
	switch {
	case d == "phone" && g.r.IntN(4) == 0:
		wrap = "tel:%s"
	case d == "email" && g.r.IntN(4) == 0:
		wrap = "mailto:%s"
	case d == "private_key" || d == "jwt":
		wrap = pick(g.r, "%s", "\n%s\n", "(%s)")
	}
	return fmt.Sprintf("%s "+wrap+" %s", lead, g.plant(d, v), pick(g.r, "thanks.", "ok?", "", "- please check.", "(expires soon)"))
}

const (
	digits      = "0123456789"
	lowerAlpha  = "abcdefghijklmnopqrstuvwxyz"
	upperAlpha  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	upperDigits = upperAlpha + digits
	alnum       = lowerAlpha + upperAlpha + digits
	hexDigits   = "0123456789abcdef"
	b64         = alnum + "+/"
	b64url      = alnum + "-_"
)

func (g *gen) chars(n int, set string) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = set[g.r.IntN(len(set))]
	}
	return string(b)
}

func (g *gen) digits(n int) string { return g.chars(n, digits) }
