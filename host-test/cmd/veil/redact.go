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
