package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// multi is a repeatable string flag.
type multi []string

func (m *multi) String() string     { return strings.Join(*m, ", ") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

// newFlags returns a FlagSet that reports flag errors, with its usage, to stderr.
func newFlags(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: veil %s\n\nflags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args; --help (or -h) prints usage to stdout and exits 0, a
// bad flag prints the error and usage to stderr and exits 2.
func parse(fs *flag.FlagSet, args []string, stdout io.Writer) error {
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "-h" || a == "-help" || a == "--h" || a == "--help" {
			fs.SetOutput(stdout)
			fs.Usage()
			return &exitError{0, ""}
		}
	}
	// flag stops at the first argument that is not a flag; parse goes on
	// past it, so `veil lint rules.yaml --strict` reads --strict. After
	// "--" every argument is positional.
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return &exitError{2, ""}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			positional = append(positional, rest...)
			break
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
	if err := fs.Parse(append([]string{"--"}, positional...)); err != nil {
		return &exitError{2, ""}
	}
	return nil
}

// header parses "name: value".
func header(s string) ([2]string, error) {
	name, value, ok := strings.Cut(s, ":")
	if !ok || strings.TrimSpace(name) == "" {
		return [2]string{}, fmt.Errorf("header %q: want 'name: value'", s)
	}
	return [2]string{strings.ToLower(strings.TrimSpace(name)), strings.TrimSpace(value)}, nil
}

// readFlagsFile reads the arguments of a --flags file: one a line, taken
// verbatim (no shell quoting: write --property=name=value, -H=name: value),
// blank lines and lines starting with # skipped.
func readFlagsFile(name string) ([]string, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	var args []string
	for line := range strings.Lines(string(b)) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if line == "--flags" || strings.HasPrefix(line, "--flags=") || strings.HasPrefix(line, "-flags") {
			return nil, fmt.Errorf("%s: --flags cannot be nested", name)
		}
		args = append(args, line)
	}
	return args, nil
}
