# wasmphone: build, test and measure. `make help` lists the targets.
# GNU make. Targets run one after another (also under -j), in the order given.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.NOTPARALLEL:

GO       ?= go
NODE     ?= node
WASM     := web/wasmphone.wasm
GO_ROOT  := $(shell $(GO) env GOROOT)

# Packages vetted and tested for GOOS=js GOARCH=wasm; those whose build
# constraints exclude js/wasm are skipped (scripts/js-packages.sh).
JS_VET_PKGS  := ./cmd/wasm/... ./internal/version/... ./internal/clock/... ./internal/wasmdeps/... ./pkg/...
JS_TEST_PKGS := ./internal/version/... ./internal/clock/... ./internal/jspromise/... ./pkg/...

# make bench: BENCH selects benchmarks (go test -bench), COUNT repeats them,
# PKG chooses packages. make fuzz: FUZZTIME per target, FUZZPKG packages.
BENCH    ?= .
COUNT    ?= 1
PKG      ?= ./...
FUZZTIME ?= 20s
FUZZPKG  ?= ./...

# The Go files of the module, without testdata and node_modules.
GOFILES  := find . -name '*.go' -not -path './.git/*' -not -path '*/node_modules/*' -not -path '*/testdata/*'

.PHONY: help build size test test-deps lint fmt-check fmt vet wasm-deps unit unit-opus wasmtest smoke bench fuzz clean \
	wasm-exec check-wasm-exec check-node web-deps typecheck browser bench-browser

help: ## list the targets
	@echo "usage: make TARGET [VAR=value ...]"
	@awk 'BEGIN { FS = ":.*## " } \
		/^## ---- / { s = $$0; sub(/^## -+ /, "", s); sub(/ -+$$/, "", s); printf "\n%s:\n", s; next } \
		/^[a-z][a-z-]*:.*## / { printf "  %-16s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)
	@echo
	@echo "variables: BENCH=$(BENCH) COUNT=$(COUNT) PKG=$(PKG) (bench), FUZZTIME=$(FUZZTIME) FUZZPKG=$(FUZZPKG) (fuzz)"

## ---- build -----------------------------------------------------------------

build: check-wasm-exec ## build the WebAssembly module web/wasmphone.wasm
	GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags='-s -w' -o $(WASM) ./cmd/wasm
	cp wasm_exec.js web/wasm_exec.js

# The module's budget: 2.0 MB gzipped (what a page downloads with the
# usual Content-Encoding).
GZIP_BUDGET ?= 2000000

size: build ## build, then print raw, gzip and brotli sizes of the module; fail over GZIP_BUDGET bytes gzipped
	@scripts/need.sh brotli brotli
	@GZIP_BUDGET=$(GZIP_BUDGET) scripts/size.sh $(WASM)
	@echo
	@scripts/size-parts.sh

check-wasm-exec: ## check that wasm_exec.js matches the Go toolchain's copy
	@scripts/check-wasm-exec.sh

wasm-exec: ## copy the Go toolchain's wasm_exec.js to ./wasm_exec.js (after a Go upgrade)
	cp $(GO_ROOT)/lib/wasm/wasm_exec.js wasm_exec.js

## ---- test ------------------------------------------------------------------

test: test-deps lint typecheck unit unit-opus wasmtest smoke size browser ## run every test layer: lint, TypeScript declarations, unit and interop (Kamailio), native Opus (libopus), js/wasm, smoke, browser (Chromium)

lint: fmt-check vet wasm-deps ## gofmt check, go vet natively and for js/wasm, wasm dependency check

fmt-check: ## fail if any Go file is not gofmt-formatted
	@echo "== gofmt -l"
	@files=$$($(GOFILES) | xargs -r gofmt -l); \
	if [ -n "$$files" ]; then echo "these files need gofmt (run 'make fmt'):"; echo "$$files"; exit 1; fi

vet: ## go vet natively and for js/wasm
	@echo "== go vet (native)"
	$(GO) vet ./...
	@echo "== go vet (js/wasm)"
	@pkgs=$$(scripts/js-packages.sh $(JS_VET_PKGS)); \
	echo "GOOS=js GOARCH=wasm $(GO) vet" $$pkgs; \
	GOOS=js GOARCH=wasm $(GO) vet $$pkgs

wasm-deps: ## fail if the library's packages pull net/http's client into the wasm build
	@echo "== wasm dependency check (no net/http client in js/wasm)"
	@if GOOS=js GOARCH=wasm $(GO) build -o /dev/null -ldflags=-dumpdep ./internal/wasmdeps 2>&1 \
		| grep -q 'net/http.(\*Transport).roundTrip'; then \
		echo "net/http's client is linked into the js/wasm build: keep HTTP behind pbx.Transport (fetch)"; exit 1; fi

fmt: ## format all Go files (gofmt -w)
	$(GOFILES) | xargs -r gofmt -l -w

test-deps: ## install what the tests need: Kamailio for the interop tests, libopus for native Opus, Chromium for the browser tests (apt-get, as root)
	@scripts/install-kamailio.sh
	@scripts/install-opus.sh
	@scripts/install-chromium.sh

unit: ## native tests with the race detector, including the interop tests against Kamailio
	@scripts/need.sh gcc gcc
	@echo "== go test -race (native)"
	$(GO) test -race -count=1 ./...

unit-opus: ## the SIP user agent's tests with native Opus: build tag opus, cgo and libopus (scripts/install-opus.sh)
	@scripts/need.sh gcc gcc
	@scripts/install-opus.sh
	@echo "== go test -race -tags opus (native Opus through libopus)"
	$(GO) test -race -count=1 -tags opus ./pkg/sipua/...

wasmtest: check-node ## Go tests of the library compiled to js/wasm, run in Node.js
	@echo "== go test (js/wasm in Node.js)"
	@pkgs=$$(scripts/js-packages.sh $(JS_TEST_PKGS)); \
	if [ -z "$$pkgs" ]; then echo "no packages for js/wasm in $(JS_TEST_PKGS)"; exit 0; fi; \
	echo "GOOS=js GOARCH=wasm $(GO) test -count=1" $$pkgs; \
	GOOS=js GOARCH=wasm $(GO) test -count=1 -exec="$(GO_ROOT)/lib/wasm/go_js_wasm_exec" $$pkgs

smoke: build check-node web-deps ## load the built module in Node.js and check its ready handshake
	@echo "== smoke test (node --test web/test)"
	$(NODE) --test web/test/*.test.mjs

browser: build check-node web-deps ## browser end to end tests: the built module in Debian's Chromium (playwright-core), with pbxfake and Kamailio, on loopback only
	@scripts/install-chromium.sh
	@scripts/install-kamailio.sh
	@$(GO) mod download
	@echo "== browser tests (node --test web/test/browser/), in a network namespace with only lo"
	cd web && ../scripts/loopback-only.sh $(NODE) --test test/browser/

check-node: ## check that Node.js 20 or newer is installed
	@scripts/check-node.sh

# JavaScript packages for web/ (test tooling). There are none yet: once
# web/package.json and web/package-lock.json exist, this runs `npm ci` there.
web-deps: ## install web/'s npm packages (npm ci), when it has any
	@if [ -f web/package-lock.json ]; then cd web && npm ci --no-audit --no-fund; fi

# The TypeScript declarations (web/index.d.ts, index.d.cts, loader.d.ts)
# checked against the typed example programs in web/test/types/, which use
# the API as the original README and JsSIP users do; never run.
typecheck: check-node web-deps ## type-check web/'s TypeScript declarations and web/test/types/ (tsc --noEmit)
	@echo "== tsc --noEmit (web/tsconfig.json)"
	cd web && npx --no-install tsc -p tsconfig.json --noEmit

## ---- measure ---------------------------------------------------------------

bench: ## run benchmarks (BENCH=regexp COUNT=n PKG=./pkg/...), then bench-browser
	$(GO) test -run='^$$' -bench='$(BENCH)' -benchmem -count=$(COUNT) $(PKG)
	@$(MAKE) --no-print-directory bench-browser

bench-browser: build check-node web-deps ## time to ready of the module in Chromium: median and p90 (BENCH_N=runs, default 10)
	@scripts/install-chromium.sh
	@echo "== time to ready in Chromium (web/bench/ready.mjs)"
	cd web && $(NODE) bench/ready.mjs

fuzz: ## run every fuzz target for FUZZTIME each (default 20s)
	@scripts/fuzz.sh $(FUZZTIME) $(FUZZPKG)

## ---- run -------------------------------------------------------------------

.PHONY: demo
demo: build ## build the module, then start the development PBX on http://127.0.0.1:8080 (prints the logins)
	$(GO) run ./cmd/devpbx

## ---- clean -----------------------------------------------------------------

clean: ## remove build outputs
	rm -f $(WASM) web/wasm_exec.js
