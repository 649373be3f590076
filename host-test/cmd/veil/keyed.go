package main

import (
	"bufio"
	"context"
	"fmt"
	"io"

	"github.com/veilproxy/veil/rules"
)

const tokenSynopsis = `token --rules FILE [--env NAME=VALUE]... --rule ID [VALUE... | -]

Prints, one per line, the pseudonym each VALUE gets under rule ID (its action
hash, encrypt, fpe or synthetic), as the filter writes it: an operator finds a
person's records for an access or erasure request without storing plaintext.
No VALUE or "-" reads the values from standard input, one per line, which
keeps them out of shell history. A value the rule cannot make a pseudonym of
is reported on stderr by its position, never spelled; the others are still
printed, and the exit status is 1.`

const revealSynopsis = `reveal --rules FILE [--env NAME=VALUE]... [--rule ID] [TOKEN... | -]

Prints, one per line, the original of each TOKEN: an encrypt token of one of
the rule set's keys (retired ones included; the token names its key), or,
with --rule, a value rule ID's fpe action enciphered (FPE output carries no
marker). No TOKEN or "-" reads the tokens from standard input, one per line.
A token that cannot be opened (altered, made under another key or rule set)
is reported on stderr with its position; the others are still printed, and
the exit status is 1.`

func tokenCmd(_ context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return keyedCmd("token", tokenSynopsis, true, args, stdin, stdout, stderr,
		func(p *rules.Program, rule, value string) (string, error) { return p.Pseudonym(rule, value) })
}

func revealCmd(_ context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return keyedCmd("reveal", revealSynopsis, false, args, stdin, stdout, stderr,
		func(p *rules.Program, rule, token string) (string, error) { return p.Reveal(rule, token) })
}

// keyedCmd runs token or reveal: compile the rule set natively, then apply
// do to each argument (or standard input line) in order. ruleRequired says
// whether --rule must be given. Failures name the argument's position and
// the error, never the argument itself: for token it is personal data.
func keyedCmd(name, synopsis string, ruleRequired bool, args []string, stdin io.Reader, stdout, stderr io.Writer,
	do func(p *rules.Program, rule, arg string) (string, error)) error {
	fs := newFlags(name, synopsis, stderr)
	rulesFile := fs.String("rules", "", "rule set `file` (YAML or JSON)")
	rule := fs.String("rule", "", "the rule `ID` whose action makes (or, for fpe, reverses) the values")
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
	if ruleRequired && *rule == "" {
		return fail(2, "--rule is required")
	}
	prog, err := compile(*rulesFile, env.lookup)
	if err != nil {
		return err
	}
	items := fs.Args()
	if len(items) == 0 || len(items) == 1 && items[0] == "-" {
		if items, err = readLines(stdin); err != nil {
			return err
		}
	}
	failed := 0
	for i, item := range items {
		out, err := do(prog, *rule, item)
		if err != nil {
			fmt.Fprintf(stderr, "veil %s: argument %d: %v\n", name, i+1, err)
			failed++
			continue
		}
		fmt.Fprintln(stdout, out)
	}
	if failed > 0 {
		return fail(1, "%d of %d failed", failed, len(items))
	}
	return nil
}

// readLines returns the lines of r without their line endings ("\n" or
// "\r\n"); a final line without a newline counts.
func readLines(r io.Reader) ([]string, error) {
	var lines []string
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines, sc.Err()
}
