# Veil: `make demo` runs the bundled examples through the built .wasm,
# `make test` runs vet and every test. Both work on a fresh machine with Go.
GO       ?= go
WASM     := build/veil.wasm
VEIL     := build/veil
FUZZTIME ?= 5m
EXAMPLES := $(wildcard examples/*/rules.yaml)

.PHONY: all build wasm cli test vet demo bench fuzz check clean

all: build

build: wasm cli

wasm:
	@mkdir -p build
	GOOS=wasip1 GOARCH=wasm $(GO) build -buildmode=c-shared -trimpath -o $(WASM) ./plugin

cli:
	@mkdir -p build
	$(GO) build -o $(VEIL) ./host-test/cmd/veil

vet:
	@test -z "$$(gofmt -l plugin rules host-test)" || { gofmt -l plugin rules host-test; echo "gofmt: files above need formatting" >&2; exit 1; }
	$(GO) vet ./...
	GOOS=wasip1 GOARCH=wasm $(GO) vet ./rules/...
	GOOS=wasip1 GOARCH=wasm $(GO) build ./plugin/...

test: build vet
	$(GO) test ./...

demo: build
	@for rules in $(EXAMPLES); do \
	  dir=$$(dirname $$rules); \
	  echo "=== $$dir ==="; \
	  echo "--- request as sent by the client"; cat $$dir/request.json; \
	  echo "--- response as sent by the upstream"; cat $$dir/response.json; \
	  echo "--- through $(WASM) (request as the upstream receives it, then response as the client receives it)"; \
	  $(VEIL) run --plugin $(WASM) --rules $$rules --request-body $$dir/request.json --response-body $$dir/response.json || exit 1; \
	  echo; \
	done

bench: wasm
	$(GO) test -run '^$$' -bench . -benchmem ./rules/...
	$(GO) test -run '^$$' -bench '^Benchmark(BodyCopyWasm|DetectWasm|DetectNative)$$' -benchtime 200x -benchmem ./host-test
	@echo "# the engine alone, compiled to wasip1 and run by the wazero CLI:"
	$(GO) build -o build/wazero github.com/tetratelabs/wazero/cmd/wazero
	PATH="$(CURDIR)/build:$$PATH" GOWASIRUNTIME=wazero GOOS=wasip1 GOARCH=wasm \
	  $(GO) test -exec "$$($(GO) env GOROOT)/lib/wasm/go_wasip1_wasm_exec" ./rules \
	  -run '^$$' -bench '^Benchmark(DetectApply|ApplyNoMatch)$$' -benchtime 100x -benchmem

fuzz:
	$(GO) test ./rules -run '^$$' -fuzz '^FuzzApply$$' -fuzztime $(FUZZTIME)
	$(GO) test ./rules -run '^$$' -fuzz '^FuzzApplyDetect$$' -fuzztime $(FUZZTIME)
	$(GO) test ./rules -run '^$$' -fuzz '^FuzzCompile$$' -fuzztime $(FUZZTIME)
	$(GO) test ./rules -run '^$$' -fuzz '^FuzzCanonicalPath$$' -fuzztime $(FUZZTIME)
	$(GO) test ./rules/detect -run '^$$' -fuzz '^FuzzFindString$$' -fuzztime $(FUZZTIME)

check: build
	$(VEIL) check --envoy 1.33 $(WASM)
	$(VEIL) check --envoy 1.39 $(WASM)

clean:
	rm -rf build
