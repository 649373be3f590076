// Command benchsuite serves Veil's benchmark suite (package bench):
//
//	benchsuite corpus DIR
//	    writes the suite's payloads and rule sets to DIR
//	    (payloads/KIND-SIZE.json, rules/KIND/RULESET.yaml), for any
//	    comparison tool that takes files, such as `veil bench`;
//	benchsuite report [-doc FILE] [-md FILE] [-svg FILE] RESULTS
//	    turns RESULTS, the output of BenchmarkSuite (go test -bench), into
//	    the tables of docs/benchmarks.md (-doc: replaced between the
//	    document's benchsuite markers; -md: written alone) and the chart of
//	    throughput against body size (-svg).
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/veilproxy/veil/bench"
	"github.com/veilproxy/veil/bench/report"
)

const usage = `usage: benchsuite corpus DIR
       benchsuite report [-doc FILE] [-md FILE] [-svg FILE] RESULTS
`

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "benchsuite: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("want a command\n%s", usage)
	}
	switch args[0] {
	case "corpus":
		if len(args) != 2 {
			return fmt.Errorf("want one DIR\n%s", usage)
		}
		return bench.WriteCorpus(args[1])
	case "report":
		return reportCmd(args[1:], stderr)
	}
	return fmt.Errorf("unknown command %q\n%s", args[0], usage)
}

func reportCmd(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	doc := fs.String("doc", "", "replace the generated part of this markdown `file` (between its benchsuite markers)")
	md := fs.String("md", "", "write the generated markdown alone to this `file`")
	svg := fs.String("svg", "", "write the throughput chart to this `file`")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("want one RESULTS file\n%s", usage)
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	res, err := report.Parse(f)
	if err != nil {
		return fmt.Errorf("%s: %w", fs.Arg(0), err)
	}
	if *svg != "" {
		if err := os.WriteFile(*svg, []byte(res.SVG()), 0o644); err != nil {
			return err
		}
	}
	// link returns the chart's path relative to a markdown file.
	link := func(mdFile string) string {
		if *svg == "" {
			return ""
		}
		rel, err := filepath.Rel(filepath.Dir(mdFile), *svg)
		if err != nil {
			return *svg
		}
		return filepath.ToSlash(rel)
	}
	if *md != "" {
		if err := os.WriteFile(*md, []byte(res.Markdown(link(*md))), 0o644); err != nil {
			return err
		}
	}
	if *doc != "" {
		old, err := os.ReadFile(*doc)
		if err != nil {
			return err
		}
		text, err := report.Splice(string(old), res.Markdown(link(*doc)))
		if err != nil {
			return fmt.Errorf("%s: %w", *doc, err)
		}
		return os.WriteFile(*doc, []byte(text), 0o644)
	}
	return nil
}
