package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/veilproxy/veil/rules"
)

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
