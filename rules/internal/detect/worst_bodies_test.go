package detect_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/veilproxy/veil/bench/corpus"
	"github.com/veilproxy/veil/rules/internal/detect"
)

// worstSize is the size of every body of the worst-case tests and benchmarks.
const worstSize = 1 << 20

// ordinaryBody returns worstSize bytes of chat text: the string values of
// corpus chat transcripts, one per line.
func ordinaryBody(t testing.TB) []byte {
	var b bytes.Buffer
	for seed := uint64(1); b.Len() < worstSize; seed++ {
		for _, l := range leaves(t, corpus.Chat(seed, 256<<10)) {
			if !l.number {
				b.WriteString(l.text)
				b.WriteByte('\n')
			}
		}
	}
	return b.Bytes()[:worstSize]
}

// repeat returns unit repeated to worstSize bytes, then tail.
func repeat(unit, tail string) []byte {
	b := []byte(strings.Repeat(unit, (worstSize-len(tail))/len(unit)+1)[:worstSize-len(tail)])
	return append(b, tail...)
}

// worstBody is one body built to be slow for a detector.
type worstBody struct {
	detector string // the detector it targets ("" for every detector)
	name     string
	body     []byte
}

// worstBodies are the bodies built to be slow, derived from how each
// detector reads text: long runs of the bytes it takes (a scan that reads
// them for each trigger would be quadratic), its trigger repeated, and near
// misses that make it read as far as it can before giving up.
func worstBodies() []worstBody {
	b64 := strings.Repeat("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODkr/", 2)
	return []worstBody{
		{"", "letters", repeat("abcdefghijklmnopqrstuvwxyz", "")},
		{"", "digits", repeat("0123456789", "")},
		{"", "spaces", repeat(" ", "")},
		{"", "base64", repeat(b64, "")},
		{"", "percent-escapes", repeat("%25", "")},
		{"", "percent-at", repeat("a%40", "")},
		{"", "full-width-digits", repeat("４", "")},
		{"", "zero-width-between-digits", repeat("1\u200b", "")},
		{"", "zero-width-between-letters", repeat("a\u200bb ", "")},
		{"", "non-ascii-letters", repeat("é", "")},
		{"email", "at-signs", repeat("a@", "")},
		{"email", "dotted-at", repeat("a.b@", "")},
		{"email", "local-too-long", repeat(strings.Repeat("a", 70)+"@", "")},
		{"email", "domain-too-long", repeat("@"+strings.Repeat("a.", 130), "")},
		{"email", "letters-one-at", append(repeat("a", "")[:worstSize/2], repeat("@b", "")[:worstSize/2]...)},
		{"email", "addresses", repeat("ann@example.com ", "")},
		{"email", "image-names", repeat("icon@2x.png ", "")},
		{"phone", "dashed-ones", repeat("1-", "")},
		{"phone", "spaced-digits", repeat("1 ", "")},
		{"phone", "plus-groups", repeat("+1 415 555 267", "")},
		{"phone", "parens", repeat("(415) ", "")},
		{"phone", "phone-words", repeat("tel 12 ", "")},
		{"phone", "phone-word-digits", repeat("call 4155552671 ", "")},
		{"phone", "double-zero", repeat("00 ", "")},
		{"phone", "phones", repeat("(415) 555-2671 ", "")},
		{"credit_card", "card-groups", repeat("4111 ", "")},
		{"credit_card", "card-digit-groups", repeat("4 1 1 1 ", "")},
		{"credit_card", "cards", repeat("4111111111111111 ", "")},
		{"credit_card", "card-slashes", repeat("4111/", "")},
		{"credit_card", "cards-in-a-row", repeat("4111 1111 1111 1111 ", "")},
		{"credit_card", "cards-in-a-row-leftover", repeat("4111 1111 1111 1111 4111 1111 1111 1111 1234 ", "")},
		{"credit_card", "letter-glued-cards", repeat("x4111111111111111", "")},
		{"iban", "iban-prefixes", repeat("DE89 ", "")},
		{"iban", "iban-glued", repeat("DE89", "")},
		{"iban", "iban-near-miss", repeat("DE89 3704 0044 0532 0130 01 ", "")},
		{"iban", "iban-dashes", repeat("GB-82-", "")},
		{"iban", "lower-iban", repeat("de89", "")},
		{"us_ssn", "ssn-prefixes", repeat("123-45-", "")},
		{"us_ssn", "ssn-word-digits", repeat("ssn 123456789 ", "")},
		{"us_ssn", "ssn-spaced", repeat("123 45 ", "")},
		{"ipv4", "dotted-digits", repeat("1.", "")},
		{"ipv4", "dotted-quads", repeat("1.1.1.1.", "")},
		{"ipv4", "addresses", repeat("10.0.0.1 ", "")},
		{"ipv6", "colons", repeat("1:", "")},
		{"ipv6", "double-colons", repeat("a::1:", "")},
		{"ipv6", "hex-colons", repeat("dead:beef:", "")},
		{"ipv6", "colon-pairs", repeat("::", "")},
		{"ipv6", "mapped-quads", repeat("::1.2.3.4 ", "")},
		{"ipv6", "zones", repeat("fe80::1%eth0.eth0-", "")},
		{"ipv6", "zone-signs", repeat("fe80::1%", "")},
		{"mac_address", "colon-pairs", repeat("00:", "")},
		{"mac_address", "dash-pairs", repeat("0a-", "")},
		{"mac_address", "dotted-quads", repeat("001a.", "")},
		{"jwt", "eyj-dots", repeat("eyJ.", "")},
		{"jwt", "eyj-run", repeat("eyJ", "..")},
		{"jwt", "three-segments", repeat("eyJhbGciOiJub25lIn0.e30.x ", "")},
		{"jwt", "bad-header", repeat(" eyJ"+b64+".a.b", "")},
		{"aws_access_key_id", "akia", repeat("AKIA", "")},
		{"aws_access_key_id", "spaced-akia", repeat(" AKIA0123456789ABCDE", "")},
		{"google_api_key", "aiza", repeat("AIza", "")},
		{"google_api_key", "spaced-aiza", repeat(" AIza"+strings.Repeat("a", 40), "")},
		{"github_token", "ghp", repeat("ghp_", "")},
		{"github_token", "github-pat", repeat("github_pat_", "")},
		{"github_token", "spaced-ghp", repeat(" ghp_"+strings.Repeat("a", 40), "")},
		{"stripe_key", "sk-live", repeat("sk_live_", "")},
		{"stripe_key", "whsec", repeat("whsec_", "")},
		{"stripe_key", "spaced-sk-live", repeat(" sk_live_"+b64, "")},
		{"slack_token", "xoxb", repeat("xoxb-", "")},
		{"slack_token", "spaced-xoxb", repeat(" xoxb-"+strings.Repeat("a", 30), "_")},
		{"slack_token", "xoxp-id-segments", repeat(" xoxp-"+strings.Repeat("1234567890-", 40), "")},
		{"slack_token", "xoxe-config", repeat("xoxe.xoxp-1-", "")},
		{"phone", "context-words-digits", repeat("call me 12 34 ", "")},
		{"phone", "context-words-groups", repeat(" llámame 612 345 678 90", "")},
		{"us_ssn", "ssn-word-3-6", repeat("SSN 078-05112 ", "")},
		{"date_of_birth", "born-dates", repeat("born 23 July 1984 ", "")},
		{"date_of_birth", "dates-no-word", repeat("12.07.1984 ", "")},
		{"date_of_birth", "month-digits", repeat("July 1 ", "")},
		{"date_of_birth", "digit-runs", repeat("1 2 ", "")},
		{"date_of_birth", "dotted-abbreviations", repeat("d.o.b.1 ", "")},
		{"ipv4", "version-quads", repeat("version 1.2.3.4 ", "")},
		{"private_key", "pem-begins", repeat("-----BEGIN PRIVATE KEY-----", "")},
		{"private_key", "pem-begin-words", repeat("-----BEGIN ", "")},
		{"private_key", "dashes", repeat("-----", "")},
		{"private_key", "pem-mismatched-ends", repeat("-----BEGIN RSA PRIVATE KEY-----"+b64+"-----END EC PRIVATE KEY-----", "")},
		{"private_key", "pem-begin-then-base64", append(repeat("-----BEGIN PRIVATE KEY-----", "")[:worstSize/2], repeat(b64, "")[:worstSize/2]...)},
		{"private_key", "pem-blocks", repeat("-----BEGIN PRIVATE KEY-----"+b64+"-----END PRIVATE KEY-----\n", "")},
		{"openai_key", "sk-dashes", repeat("sk-", "")},
		{"openai_key", "spaced-sk", repeat(" sk-"+b64[:60], "")},
		{"openai_key", "sk-slugs", repeat(" sk-"+strings.Repeat("learn-", 20), "")},
		{"anthropic_key", "sk-ant", repeat("sk-ant-", "")},
		{"anthropic_key", "spaced-sk-ant", repeat(" sk-ant-"+strings.Repeat("abc-", 20), "")},
		{"gitlab_token", "glpat", repeat("glpat-", "")},
		{"gitlab_token", "spaced-glpat", repeat(" glpat-"+strings.Repeat("docs-", 10), "")},
		{"gitlab_token", "glpat-dots", repeat(" glpat-"+b64[:24]+".a.b.c.d", "")},
		{"npm_token", "npm", repeat("npm_", "")},
		{"npm_token", "spaced-npm", repeat(" npm_"+strings.Repeat("run", 12), "")},
		{"huggingface_token", "hf", repeat("hf_", "")},
		{"huggingface_token", "api-org", repeat("api_org_", "")},
		{"slack_webhook", "hooks", repeat("https://hooks.slack.com/services/", "")},
		{"slack_webhook", "scheme", repeat("http://", "")},
		{"password_assignment", "password-equals", repeat("password=", "")},
		{"password_assignment", "password-colon", repeat("password:", "")},
		{"password_assignment", "open-quotes", repeat(`password="`, "")},
		{"password_assignment", "password-long-values", repeat(" password="+strings.Repeat("x1", 200), "")},
		{"password_assignment", "equals", repeat("=", "")},
		{"password_assignment", "pass-equals", repeat("pass=", "")},
		{"password_assignment", "spaces-before-equals", append(repeat("password", "")[:8], repeat(" =", "")[8:]...)},
		{"url_credentials", "scheme-colons", repeat("a://b:c@", "")},
		{"url_credentials", "schemes", repeat("://", "")},
		{"url_credentials", "long-authority", repeat(" x://a:"+strings.Repeat("b", 1000), "/")},
		{"url_credentials", "slash-password", repeat(" x://a:b/"+strings.Repeat("c/", 500), "")},
		{"person_name", "capitalized-words", repeat("Aaron Abbott Zed ", "")},
		{"person_name", "one-name", repeat("John ", "")},
		{"person_name", "titles", repeat("Dr. ", "")},
		{"person_name", "title-names", repeat("Dr. Smith ", "")},
		{"person_name", "cues", repeat("my name is Xy, ", "")},
		{"person_name", "cue-commas", repeat("Hi, Ab, ", "")},
		{"person_name", "particles", repeat("Anna van der ", "")},
		{"person_name", "upper-letters", repeat("ABCDEFGHIJ", "")},
		{"person_name", "non-ascii-capitals", repeat("Élodie Müller ", "")},
		{"person_name", "long-capitalized", repeat("A"+strings.Repeat("b", 60)+" ", "")},
		{"street_address", "numbers-street", repeat("1 Street ", "")},
		{"street_address", "number-words-street", repeat("12 Main Oak Elm Pine Street ", "")},
		{"street_address", "words-number", repeat("Calle Mayor de la Paz 10 ", "")},
		{"street_address", "strasse-number", repeat("Hauptstraße 5, ", "")},
		{"street_address", "po-boxes", repeat("PO Box 1 ", "")},
		{"street_address", "units", repeat("1 Main St Apt 4B Suite 2 #3 ", "")},
		{"street_address", "postcodes", repeat("10 Main St, 10115 Berlin ", "")},
		{"street_address", "cities", repeat("10 Main St, Springfield Shelbyville Ogdenville ", "")},
		{"street_address", "spaced-digits", repeat("1 2 ", "")},
		{"street_address", "capital-words-digits", repeat("Ab Cd Ef Gh 1 ", "")},
		{"url_credentials", "scheme-letters", append(repeat("a", "")[:worstSize/2], repeat("://", "")[:worstSize/2]...)},
	}
}

// stepsPerByte returns the work set counts for body, per byte.
func stepsPerByte(set *detect.Set, body []byte) float64 {
	m := &detect.Meter{}
	set.FindStringMetered(body, set.MaskAll(), m, nil)
	return float64(m.Used) / float64(len(body))
}
