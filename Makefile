# Veil: `make demo` runs the bundled examples through the built .wasm,
# `make test` runs vet and every test but the long ones, `make test-long` the
# long ones, `make check` every gate against drift. All work on a fresh
# machine with Go. Tests never read build/: those that load the .wasm build it
# from the tree's source (host-test/testmodule).
GO       ?= go
WASM     := build/veil.wasm
VEIL     := build/veil
FUZZTIME ?= 5m
EXAMPLES := $(wildcard examples/*/rules.yaml)
# LONG names the long tests (soaks of 100,000 exchanges and the like): make
# test skips them, make test-long runs only them. Name a test TestLong... to
# move it out of the everyday loop.
LONG     := ^TestLong

.PHONY: all build wasm cli test test-long test-rules test-rules vet vet-wasip1 demo run playground load oci bench bench-short bench-smoke fuzz check clean

all: build

build: wasm cli

wasm:
	@mkdir -p build
	GOOS=wasip1 GOARCH=wasm $(GO) build -buildmode=c-shared -trimpath -o $(WASM) ./plugin

# cli embeds the module wasm just built (host-test/cmd/veil/embedded, a
# generated file git ignores), so build/veil runs it without --plugin.
cli: wasm
	cp $(WASM) host-test/cmd/veil/embedded/veil.wasm
	$(GO) build -o $(VEIL) ./host-test/cmd/veil

vet: vet-wasip1
	@test -z "$$(gofmt -l .)" || { gofmt -l .; echo "gofmt: files above need formatting" >&2; exit 1; }
	$(GO) vet ./...

# go vet for the plugin's target. The plugin's tests drive it through
# proxytest, which builds natively only; an overlay hides them from this run.
vet-wasip1:
	@mkdir -p build
	@find plugin -name '*_test.go' | awk 'BEGIN { printf "{\"Replace\":{" } { printf "%s\"%s\":\"\"", (NR > 1 ? "," : ""), $$0 } END { print "}}" }' > build/vet-wasip1.json
	GOOS=wasip1 GOARCH=wasm $(GO) vet -overlay=build/vet-wasip1.json ./plugin/... ./rules/...

test: vet
	$(GO) test -skip '$(LONG)' ./...

test-long:
	$(GO) test -run '$(LONG)' -timeout 30m ./...

# test-rules runs the cases beside every example's rule set
# (examples/*/rules.test.yaml, docs/testing-rules.md) through the built
# module; make test runs them too (TestVeilTestExamples).
test-rules: build
	$(VEIL) test --plugin $(WASM) examples

# demo prints the bodies on standard output, as ever, and after each
# example what the rule set changed (veil run's report) on standard error.
demo: build
	@for rules in $(EXAMPLES); do \
	  dir=$$(dirname $$rules); \
	  resp=$$dir/response.json; [ -f $$resp ] || resp=$$dir/response.sse; \
	  echo "=== $$dir ==="; \
	  echo "--- request as sent by the client"; cat $$dir/request.json; \
	  echo "--- response as sent by the upstream"; cat $$resp; \
	  if [ -f $$dir/flags ]; then echo "--- as the caller and request in $$dir/flags"; grep -v '^#' $$dir/flags; fi; \
	  echo "--- through $(WASM) (request as the upstream receives it, then response as the client receives it)"; \
	  $(VEIL) run --plugin $(WASM) --rules $$rules --request-body $$dir/request.json --response-body $$resp \
	    $$(if [ -f $$dir/flags ]; then echo --flags $$dir/flags; fi) 2> build/demo-report || { cat build/demo-report >&2; exit 1; }; \
	  echo "--- what the rule set changed (veil run's report, on standard error)" >&2; cat build/demo-report >&2; \
	  echo; \
	done

# run puts Veil in front of the demo upstream on 127.0.0.1:10000 (admin:
# 127.0.0.1:9901): /echo/... answers with the request body it got, other
# paths serve the examples' responses (README, docs/harness.md).
run: build
	$(VEIL) serve --plugin $(WASM) --rules examples/customer-api/rules.yaml --demo

# playground serves the rule-set playground on http://127.0.0.1:8088/ (a
# page that runs what you type through build/veil.wasm; docs/playground.md).
playground: build
	$(VEIL) playground --plugin $(WASM)

# load drives 10,000 requests at 32 clients through veil serve on loopback
# and prints requests per second and the latency added at p50/p99.
load:
	bash -o pipefail -c "$(GO) test ./host-test/cmd/veil -run '^TestLongServeLoad$$' -count=1 -v | grep -E '^(---|ok|FAIL)|serve load'"

# oci packages build/veil.wasm as the Wasm image Istio and Envoy Gateway
# pull (OCI layout build/oci, tarball build/oci.tar) and prints its digest;
# `build/veil oci --pin FILE` writes it into a manifest (docs/operating.md).
oci: build
	$(VEIL) oci --wasm $(WASM) --out build/oci

# bench runs the benchmark suite (BenchmarkSuite in bench/: payload × size ×
# rule set × runtime), keeps its output in build/bench/suite.txt and
# regenerates from it the tables of docs/benchmarks.md and
# docs/benchmarks-throughput.svg; then the engine's own benchmarks.
# bench-short is the suite at 1 KB and 16 KB with short runs (under 2 minutes
# on 2 cores); bench-smoke runs every configuration once and the report
# generator on the result (CI: it checks the suite runs, not its figures).
SUITE := $(GO) test ./bench -run '^$$' -benchmem -timeout 60m
bench: wasm
	@mkdir -p build/bench
	@printf 'date: %s\ncommand: make bench (%s)\n' "$$(date -u +%FT%TZ)" "$(SUITE) -bench '^BenchmarkSuite$$' -benchtime 500ms" > build/bench/suite.txt
	bash -o pipefail -c "$(SUITE) -bench '^BenchmarkSuite$$' -benchtime 500ms | tee -a build/bench/suite.txt"
	$(GO) run ./bench/cmd/benchsuite report -doc docs/benchmarks.md -svg docs/benchmarks-throughput.svg build/bench/suite.txt
	$(GO) test -run '^$$' -bench . -benchmem ./rules/...
	$(GO) test -run '^$$' -bench '^Benchmark(BodyCopyWasm|DetectWasm|DetectNative|ChatPacksWasm)$$' -benchtime 200x -benchmem ./host-test
	@echo "# the engine alone, compiled to wasip1 and run by the wazero CLI:"
	$(GO) build -o build/wazero github.com/tetratelabs/wazero/cmd/wazero
	PATH="$(CURDIR)/build:$$PATH" GOWASIRUNTIME=wazero GOOS=wasip1 GOARCH=wasm \
	  $(GO) test -exec "$$($(GO) env GOROOT)/lib/wasm/go_wasip1_wasm_exec" ./rules \
	  -run '^$$' -bench '^Benchmark(DetectApply|ApplyNoMatch)$$' -benchtime 100x -benchmem

bench-short:
	@mkdir -p build/bench
	@printf 'date: %s\ncommand: make bench-short\n' "$$(date -u +%FT%TZ)" > build/bench/short.txt
	bash -o pipefail -c "$(SUITE) -short -bench '^BenchmarkSuite$$/./^size=(1KB|16KB)$$' -benchtime 100ms | tee -a build/bench/short.txt"
	$(GO) run ./bench/cmd/benchsuite report -md build/bench/short.md -svg build/bench/short.svg build/bench/short.txt

bench-smoke:
	@mkdir -p build/bench
	@printf 'date: %s\ncommand: make bench-smoke\n' "$$(date -u +%FT%TZ)" > build/bench/smoke.txt
	$(SUITE) -short -bench '^BenchmarkSuite$$' -benchtime 1x >> build/bench/smoke.txt || { cat build/bench/smoke.txt; exit 1; }
	$(GO) run ./bench/cmd/benchsuite report -md build/bench/smoke.md -svg build/bench/smoke.svg build/bench/smoke.txt
	@echo "bench-smoke: $$(grep -c '^BenchmarkSuite' build/bench/smoke.txt) configurations ran; report in build/bench/smoke.md"

# fuzz runs every fuzz target of the tree (each func Fuzz... in a _test.go
# file), FUZZTIME each, one after the other.
fuzz:
	@for dir in $$(git grep -l '^func Fuzz' -- '*_test.go' | xargs -n1 dirname | sort -u); do \
	  for target in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' $$dir/*_test.go); do \
	    echo "== ./$$dir $$target"; \
	    $(GO) test ./$$dir -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) || exit 1; \
	  done; \
	done

# check fails on drift: formatting, vet (native and wasip1), an untidy
# go.mod/go.sum, imports the oldest or newest supported Envoy lacks, and
# generated files that go generate would change.
check: vet build
	$(GO) mod tidy -diff
	@if git grep -q '^//go:generate' -- '*.go'; then \
	  before=$$(git diff HEAD | git hash-object --stdin; git ls-files -o --exclude-standard); \
	  $(GO) generate ./... || exit 1; \
	  after=$$(git diff HEAD | git hash-object --stdin; git ls-files -o --exclude-standard); \
	  [ "$$before" = "$$after" ] || { git status --short; echo "go generate changed the files above: run it and commit" >&2; exit 1; }; \
	fi
	$(VEIL) check --envoy 1.33 $(WASM)
	$(VEIL) check --envoy 1.39 $(WASM)

clean:
	rm -rf build
