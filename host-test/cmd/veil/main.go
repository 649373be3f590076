// Command veil runs Veil rule sets: through the built plugin in an
// Envoy-faithful host (run), natively (redact), as a linter (lint); checks a
// module's imports against an Envoy release (check); times one document
// natively or through the plugin (bench); runs the cases kept beside rule
// sets (test); and, for key holders, prints the pseudonym of a value
// (token) or the original of a token (reveal). It also prints its own
// versions (version) and shell completions (completion). docs/cli.md
// describes every command.
//
//	veil run    [--plugin FILE] --rules FILE [--request-body FILE] [--response-body FILE]
//	            [--method M] [--path P] [-H 'name: value']... [--response-header 'name: value']... [--status N]
//	            [--property name=value]... [--env NAME=VALUE]... [--chunk N] [--envoy RELEASE] [--json] [--diff] [-q]
//	veil redact --rules FILE [--env NAME=VALUE]... [--direction request|response] [--method M] [--path P]
//	            [-H 'name: value']... [--ndjson] [--out-dir DIR] [--json | --diff] [--fail-on-findings] [-q] [FILE... | -]
//	veil lint   [--env NAME=VALUE]... [--strict] [--json] (FILE | DIR | -)...
//	veil check  [--envoy RELEASE] FILE.wasm
//	veil test   [--plugin FILE] [--run REGEXP] [--json] [--junit FILE] [RULES_FILE | CASES_FILE | DIR]...
//	veil serve  [--plugin FILE] --rules FILE [--listen ADDR] [--admin ADDR] (--upstream URL | --demo)
//	            [--envoy RELEASE] [--workers N] [--env NAME=VALUE]... [--allow-on-headers-stop-iteration]
//	veil bench  --rules FILE --in FILE [--iters N] [--max-ms M] [--wasm] [--plugin FILE] [--direction request|response]
//	veil token  --rules FILE [--env NAME=VALUE]... --rule ID [VALUE... | -]
//	veil reveal --rules FILE [--env NAME=VALUE]... [--rule ID] [TOKEN... | -]
//	veil oci    [--wasm build/veil.wasm] [--out build/oci] [--tag REF] [--pin FILE]...
//	veil playground [--listen 127.0.0.1:8088] [--plugin FILE] [--envoy RELEASE] [--allow-remote]
//	veil version [--json]
//	veil completion bash|zsh|fish
//
// RELEASE is an Envoy release: 1.33 to 1.38 run as envoy-1.33, 1.39 and
// later as envoy-1.39 (hosttest.ParseProfile).
//
// The commands that compile natively (redact, lint, token, reveal) read the
// variables a rule set's crypto_keys name from --env first, then from veil's
// own environment; prefer the environment, which keeps key material out of
// shell history and process listings. lint checks a key it finds nowhere
// with a random placeholder and says so. run hands the plugin exactly the
// --env variables, as vm_config.environment_variables would.
//
// Exit status: 0 success, 1 failure (diagnostics, missing imports, a VM that
// failed, an exchange error, a value token or reveal could not handle), 2
// usage, 3 the exchange ended in a local reply.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(veil(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

const usage = `usage: veil <command> [flags] [args]

commands:
  run      run one exchange through the built plugin in the Envoy-faithful host
  redact   apply a rule set natively (no wasm) to JSON documents
  lint     compile rule sets and report every mistake as file:line:col
  check    check a module's imports against an Envoy release
  test     run the cases kept beside rule sets (NAME.test.yaml) through the built plugin
  bench    time one document natively or through the plugin; prints one JSON line
  token    print the pseudonym each value gets under a rule (hash, encrypt, fpe, synthetic)
  reveal   print the original of each encrypt token (or fpe value, with --rule)
  serve    an HTTP reverse proxy running every exchange through the plugin
  oci      package a built module as the Wasm image Istio and Envoy Gateway pull; print its digest
  playground  a local page to edit a rule set and see what it does to an exchange, run through the plugin
  version  print veil's, Go's and wazero's versions and the embedded plugin's SHA-256
  completion  print a bash, zsh or fish completion script

Run 'veil <command> --help' for the command's flags.
`

// exitError carries an exit status and a message for stderr.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func fail(code int, format string, args ...any) error {
	return &exitError{code, fmt.Sprintf(format, args...)}
}

// veil runs one command line and returns the exit status.
func veil(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmds := map[string]func(context.Context, []string, io.Reader, io.Writer, io.Writer) error{
		"run": runCmd, "redact": redactCmd, "lint": lintCmd, "check": checkCmd, "bench": benchCmd,
		"token": tokenCmd, "reveal": revealCmd, "serve": serveCmd,
		"oci": ociCmd, "test": testCmd, "playground": playgroundCmd,
		// about veil itself
		"version": versionCmd, "completion": completionCmd,
	}
	cmd, ok := cmds[args[0]]
	switch {
	case args[0] == "help" || args[0] == "-h" || args[0] == "--help":
		fmt.Fprint(stdout, usage)
		return 0
	case !ok:
		fmt.Fprintf(stderr, "veil: unknown command %q\n%s", args[0], usage)
		return 2
	}
	err := cmd(ctx, args[1:], stdin, stdout, stderr)
	var ee *exitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		if ee.msg != "" {
			fmt.Fprintf(stderr, "veil %s: %s\n", args[0], ee.msg)
		}
		return ee.code
	default:
		fmt.Fprintf(stderr, "veil %s: %v\n", args[0], err)
		return 1
	}
}
