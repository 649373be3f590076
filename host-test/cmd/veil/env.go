package main

import (
	"crypto/rand"
	"encoding/base64"
	"flag"
	"maps"
	"os"
	"slices"
	"strings"
)

// envFlags is the repeatable --env NAME=VALUE flag of the commands that
// compile a rule set natively (redact, lint, token, reveal): the variables
// the rule set's crypto_keys name with `env:`. A value never appears in a
// message: it is key material.
type envFlags struct {
	values map[string]string
	// malformed counts values without a valid NAME= part. Set does not fail on
	// them, as the flag package would print the value in its error; check
	// reports them once the flags are parsed.
	malformed int
}

// envUsage is the help text of --env.
const envUsage = "environment variable `NAME=VALUE` for the rule set's crypto_keys (repeatable);\n" +
	"a name not given is read from veil's own environment, which keeps key\n" +
	"material out of the command line (shell history, ps)"

// addEnvFlag defines --env on fs.
func addEnvFlag(fs *flag.FlagSet) *envFlags {
	e := &envFlags{values: map[string]string{}}
	fs.Var(e, "env", envUsage)
	return e
}

// String lists the names given, never their values.
func (e *envFlags) String() string {
	if e == nil {
		return ""
	}
	return strings.Join(slices.Sorted(maps.Keys(e.values)), ", ")
}

// Set records one NAME=VALUE; a later value of the same name wins.
func (e *envFlags) Set(v string) error {
	name, value, ok := strings.Cut(v, "=")
	if !ok || !validEnvName(name) {
		e.malformed++
		return nil
	}
	e.values[name] = value
	return nil
}

// validEnvName reports whether name is a portable environment variable
// name: ASCII letters, digits and '_', not starting with a digit. Base64 key
// material pasted without its NAME= mostly fails it ('+', '/', '=').
func validEnvName(name string) bool {
	for i, c := range []byte(name) {
		if !(c == '_' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || i > 0 && '0' <= c && c <= '9') {
			return false
		}
	}
	return name != ""
}

// check returns a usage error when an --env value had no valid NAME= part,
// without repeating it.
func (e *envFlags) check() error {
	if e.malformed > 0 {
		return fail(2, "--env: want NAME=VALUE (%d malformed, not shown: they may hold key material)", e.malformed)
	}
	return nil
}

// lookup is the rules.Options.Env of a native compile: the --env values
// first, then the process environment for names they do not give.
func (e *envFlags) lookup(name string) (string, bool) {
	if v, ok := e.values[name]; ok {
		return v, true
	}
	return os.LookupEnv(name)
}

// placeholderLookup is lookup for lint: a variable found nowhere reads as a
// fresh random 32-byte key and its name is recorded in missing, so that a
// rule set is checked without the deployment's key material.
func (e *envFlags) placeholderLookup(missing *[]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		if v, ok := e.lookup(name); ok {
			return v, true
		}
		if !slices.Contains(*missing, name) {
			*missing = append(*missing, name)
		}
		key := make([]byte, 32)
		rand.Read(key)
		return base64.StdEncoding.EncodeToString(key), true
	}
}
