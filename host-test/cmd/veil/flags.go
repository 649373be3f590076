package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// multi is a repeatable string flag.
type multi []string

func (m *multi) String() string     { return strings.Join(*m, ", ") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

// newFlags returns a FlagSet whose --help prints synopsis and flags to stdout.
func newFlags(name, synopsis string, stdout, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: veil %s\n\nflags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args; --help prints usage to stdout and exits 0, a bad flag
// exits 2.
func parse(fs *flag.FlagSet, args []string, stdout io.Writer) error {
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(stdout)
		fs.Usage()
		return &exitError{0, ""}
	}
	if err != nil {
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
