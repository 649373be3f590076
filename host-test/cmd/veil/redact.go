package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/veilproxy/veil/rules"
)

func redactCmd(_ context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("redact", "redact --rules FILE [--env NAME=VALUE]... [--direction request|response] [FILE... | -]\n\n"+
		"Applies the rule set natively (no wasm) to each JSON document and prints the\n"+
		"rewritten documents in order; no FILE or \"-\" reads standard input.", stderr)
	rulesFile := fs.String("rules", "", "rule set `file` (YAML or JSON)")
	direction := fs.String("direction", "request", "which rules apply: request or response")
	env := addEnvFlag(fs)
	if err := parse(fs, args, stdout); err != nil {
		return err
	}
	if err := env.check(); err != nil {
		return err
	}
	if *rulesFile == "" {
		return fail(2, "--rules is required")
	}
	dir, err := parseDirection(*direction)
	if err != nil {
		return err
	}
	prog, err := compile(*rulesFile, env.lookup)
	if err != nil {
		return err
	}
	files := fs.Args()
	if len(files) == 0 {
		files = []string{"-"}
	}
	for _, f := range files {
		var body []byte
		if f == "-" {
			body, err = io.ReadAll(stdin)
		} else {
			body, err = os.ReadFile(f)
		}
		if err != nil {
			return err
		}
		out, _, err := prog.Apply(body, rules.Input{Direction: dir})
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		writeBody(stdout, out)
	}
	return nil
}

// compile compiles a rule set natively; env looks up the variables its
// crypto_keys name (nil: none is set).
func compile(file string, env func(string) (string, bool)) (*rules.Program, error) {
	src, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	prog, err := rules.Compile(src, rules.Options{Filename: file, Env: env})
	var ce *rules.CompileError
	if errors.As(err, &ce) {
		return nil, fail(1, "\n%v", ce)
	}
	return prog, err
}

func lintCmd(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("lint", "lint [--env NAME=VALUE]... FILE...\n\nCompiles each rule set and prints every mistake as file:line:col with the\n"+
		"source line; exits 1 when there is one. A crypto_keys variable given neither\n"+
		"by --env nor in veil's environment is replaced by a random placeholder key\n"+
		"(a note names it), so a rule set is checked without its deployment's keys.\n"+
		"What the plugin would warn about at start (keys given inline) is printed\n"+
		"as a warning, without changing the exit status.", stderr)
	env := addEnvFlag(fs)
	if err := parse(fs, args, stdout); err != nil {
		return err
	}
	if err := env.check(); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return fail(2, "want at least one FILE")
	}
	bad := false
	for _, f := range fs.Args() {
		src, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var missing []string
		prog, err := rules.Compile(src, rules.Options{Filename: f, Env: env.placeholderLookup(&missing)})
		if err != nil {
			fmt.Fprintln(stderr, err)
			bad = true
		} else {
			for _, w := range prog.Warnings() {
				fmt.Fprintf(stderr, "%s: warning: %s\n", f, w)
			}
		}
		for _, name := range missing {
			fmt.Fprintf(stderr, "%s: note: variable %s is not set: its key checked with a placeholder\n", f, name)
		}
	}
	if bad {
		return &exitError{1, ""}
	}
	return nil
}
