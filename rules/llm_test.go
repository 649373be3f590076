package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// llmPackRoots are the root members the llm-prompts pack searches (its
// `within` locations); every other root member must come out unchanged.
var llmPackRoots = []string{
	"messages", "system", "prompt", "input", "instructions", "contents", "systemInstruction", "system_instruction",
	"user", "metadata", "choices", "content", "output", "output_text", "candidates", "delta", "content_block",
	"message", "response", "completion", "item", "part", "arguments", "text",
}

// llmCase is one folder of testdata/llm: a request or response body of an
// LLM API (the folder name starts with its direction), the values that must
// not survive the llm-prompts pack (leaks.txt), the text that must
// (keep.txt, optional), and the pack's output.
type llmCase struct {
	name        string
	dir         Direction
	in          []byte
	leaks, keep []string
	leaksJSON   []string // values only json_in_strings finds (hidden by escapes in the text)
}

func llmCases(t *testing.T) []llmCase {
	t.Helper()
	dirs, _ := filepath.Glob("testdata/llm/*/in.json")
	if len(dirs) == 0 {
		t.Fatal("no testdata/llm cases")
	}
	var out []llmCase
	for _, f := range dirs {
		c := llmCase{name: filepath.Base(filepath.Dir(f)), dir: Response}
		if strings.HasPrefix(c.name, "request-") {
			c.dir = Request
		}
		var err error
		if c.in, err = os.ReadFile(f); err != nil {
			t.Fatal(err)
		}
		leaks, err := os.ReadFile(filepath.Join(filepath.Dir(f), "leaks.txt"))
		if err != nil {
			t.Fatal(err)
		}
		c.leaks = strings.Split(strings.TrimSpace(string(leaks)), "\n")
		if keep, err := os.ReadFile(filepath.Join(filepath.Dir(f), "keep.txt")); err == nil {
			c.keep = strings.Split(strings.TrimSpace(string(keep)), "\n")
		}
		if more, err := os.ReadFile(filepath.Join(filepath.Dir(f), "leaks-json.txt")); err == nil {
			c.leaksJSON = strings.Split(strings.TrimSpace(string(more)), "\n")
		}
		out = append(out, c)
	}
	return out
}

// checkLLMOutput fails when a value of leaks.txt survives in out (as
// written, or JSON-escaped inside a string) or when a root member outside
// the pack's locations changed.
func checkLLMOutput(t *testing.T, c llmCase, out []byte) {
	t.Helper()
	if !json.Valid(out) {
		t.Fatalf("%s: output is not valid JSON:\n%s", c.name, out)
	}
	for _, leak := range c.leaks {
		esc, _ := json.Marshal(leak)
		if bytes.Contains(out, []byte(leak)) || bytes.Contains(out, esc[1:len(esc)-1]) {
			t.Errorf("%s: %q survived:\n%s", c.name, leak, out)
		}
	}
	for _, keep := range c.keep {
		if !bytes.Contains(out, []byte(keep)) {
			t.Errorf("%s: %q is gone:\n%s", c.name, keep, out)
		}
	}
	var in, got map[string]json.RawMessage
	if json.Unmarshal(c.in, &in) != nil {
		return // an array of stream chunks
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	for k, v := range in {
		if !slices.Contains(llmPackRoots, k) && !bytes.Equal(v, got[k]) {
			t.Errorf("%s: $.%s changed: %s >> %s", c.name, k, v, got[k])
		}
	}
}

// TestLLMPackGolden applies the llm-prompts pack to realistic request and
// response bodies of OpenAI (chat completions, Responses API), Anthropic and
// Gemini, whole and as stream chunks: the output is want.json, nothing of
// leaks.txt and leaks-json.txt survives, and no structured member changes.
// The pack turns json_in_strings on, so tool-call arguments are walked as
// JSON; a set that writes json_in_strings: false (rules-text.yaml) reads
// them as text, and must still remove leaks.txt (leaks-json.txt lists
// values spelled with JSON escapes inside the arguments text,
// "ann\u0040example.com", only read as what they are once decoded).
func TestLLMPackGolden(t *testing.T) {
	plain, err := os.ReadFile("testdata/llm/rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text, err := os.ReadFile("testdata/llm/rules-text.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p := mustCompile(t, string(plain))
	pt := mustCompile(t, string(text))
	if !p.jsonInStrings || pt.jsonInStrings {
		t.Fatalf("json_in_strings: pack alone %v, set writing false %v", p.jsonInStrings, pt.jsonInStrings)
	}
	for _, c := range llmCases(t) {
		t.Run(c.name, func(t *testing.T) {
			out, _, err := pt.Apply(c.in, Input{Direction: c.dir})
			if err != nil {
				t.Fatal(err)
			}
			checkLLMOutput(t, c, out)
			out, rep, err := p.Apply(c.in, Input{Direction: c.dir})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Findings) == 0 {
				t.Error("no findings")
			}
			c.leaks = append(c.leaks, c.leaksJSON...)
			checkLLMOutput(t, c, out)
			golden(t, filepath.Join("testdata/llm", c.name, "want.json"), out)
		})
	}
}

// spelling is one row of testdata/llm/secrets-spellings.json: a text and
// what the secrets pack makes of it.
type spelling struct{ In, Want string }

func readSpellings(t *testing.T) []spelling {
	t.Helper()
	b, err := os.ReadFile("testdata/llm/secrets-spellings.json")
	if err != nil {
		t.Fatal(err)
	}
	var rows []spelling
	if err := json.Unmarshal(b, &rows); err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestSecretsPackSpellings runs the spellings of the new credentials (each
// format in its usual contexts, full-width and zero-width forms, and the
// look-alikes that stay) through the secrets pack, as a string value and
// JSON-escaped inside a tool-call argument string.
func TestSecretsPackSpellings(t *testing.T) {
	p := mustCompile(t, "include: [secrets]\n")
	pj := mustCompile(t, "include: [secrets]\njson_in_strings: true\n")
	for _, r := range readSpellings(t) {
		in, _ := json.Marshal(map[string]string{"note": r.In})
		want, _ := json.Marshal(map[string]string{"note": r.Want})
		out, _, err := p.Apply(in, Input{Direction: Request})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, want) {
			t.Errorf("%s\n got %s\nwant %s", in, out, want)
		}
		// the same text inside JSON inside a string, walked as JSON
		inner, _ := json.Marshal(map[string]string{"cmd": r.In})
		innerWant, _ := json.Marshal(map[string]string{"cmd": r.Want})
		in, _ = json.Marshal(map[string]string{"arguments": string(inner)})
		want, _ = json.Marshal(map[string]string{"arguments": string(innerWant)})
		if out, _, err = pj.Apply(in, Input{Direction: Request}); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, want) {
			t.Errorf("%s\n got %s\nwant %s", in, out, want)
		}
	}
}

// FuzzLLMPack applies the llm-prompts and secrets packs, with
// json_in_strings, to LLM API bodies and their mutations, in both
// directions: valid JSON in gives valid JSON out (or invalid JSON an
// ErrInvalidJSON / ErrTooDeep error), reports are well formed, and a second
// pass over the output succeeds.
func FuzzLLMPack(f *testing.F) {
	fuzzSeeds(f, "testdata/llm/*/in.json")
	p := mustCompile(f, "json_in_strings: true\ninclude: [llm-prompts, secrets]\n")
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, d := range []Direction{Request, Response} {
			out, rep, err := p.Apply(in, Input{Direction: d})
			if err != nil {
				if !errors.Is(err, ErrInvalidJSON) && !errors.Is(err, ErrTooDeep) {
					t.Fatalf("unexpected error %v", err)
				}
				if json.Valid(in) && !errors.Is(err, ErrTooDeep) {
					t.Fatalf("valid JSON rejected: %v", err)
				}
				return
			}
			if !json.Valid(out) {
				t.Fatalf("invalid output %q from %q", out, in)
			}
			checkReport(t, rep)
			if _, _, err := p.Apply(out, Input{Direction: d}); err != nil {
				t.Fatalf("second pass over %s: %v", out, err)
			}
		}
	})
}
