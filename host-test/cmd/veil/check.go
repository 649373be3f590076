package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	hosttest "github.com/veilproxy/veil/host-test"
)

func checkCmd(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("check", "check [--envoy RELEASE] FILE.wasm\n\nChecks that the module links under the Envoy release: exit 1 naming each import it lacks.", stderr)
	envoy := fs.String("envoy", "1.33", envoyFlagUsage)
	if err := parse(fs, args, stdout); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fail(2, "want exactly one FILE.wasm")
	}
	profile, err := hosttest.ParseProfile(*envoy)
	if err != nil {
		return fail(2, "%v", err)
	}
	file := fs.Arg(0)
	wasm, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	mod, err := hosttest.Load(ctx, wasm, hosttest.Options{Profile: profile, CacheDir: cacheDir()})
	var le *hosttest.LoadError
	if errors.As(err, &le) {
		fmt.Fprintf(stderr, "%s: %s refuses it:\n%v\n", file, profile, le)
		return &exitError{1, ""}
	}
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	defer mod.Close(ctx)
	fmt.Fprintf(stdout, "%s: loads under %s (%d function imports)\n", file, profile, len(mod.Imports()))
	return nil
}
