# Parley — the two commands are `make run` and `make test`.
GO      ?= go
DIST    := assets/dist
BIN     := bin/parley
ADDR    ?= :8080
SHOP    ?= 127.0.0.1:8081
WASMENV := GOOS=js GOARCH=wasm
GOFLAGS_BUILD := -trimpath -ldflags="-s -w"

.PHONY: all build wasm loader server run test vet bench fuzz faults clean axe

all: build

## build: both wasm apps, the minified loader, precompressed assets, the server
build: wasm loader server

wasm:
	@mkdir -p $(DIST)
	$(WASMENV) $(GO) build $(GOFLAGS_BUILD) -o $(DIST)/widget.wasm ./app/cmd/widget
	$(WASMENV) $(GO) build $(GOFLAGS_BUILD) -o $(DIST)/console.wasm ./app/cmd/console

# The minified loader, and the .br/.gz twins of the wasm, styles and scripts
# in $(DIST)/precompressed, so that the server compresses nothing at start.
# Twins are named by content: the slow brotli pass runs only for new bytes.
loader:
	$(GO) run ./widget/cmd/parley-build -dist $(DIST) -assets assets

server:
	$(GO) build -trimpath -o $(BIN) ./server/cmd/parley

## run: build everything and start the demo on http://localhost:8080
run: build
	$(BIN) -demo -addr $(ADDR) -shop-addr $(SHOP)

## test: the whole suite, browser tests included (needs chromium)
test: build vet axe
	PARLEY_BROWSER_TESTS=1 PARLEY_AXE=$(CURDIR)/$(AXE) $(GO) test -race -count=1 -timeout 20m ./...

# axe-core, the accessibility engine the browser tests run on the widget and
# the console: fetched from npm once, pinned and checked by its SHA-256.
AXE_VERSION := 4.11.0
AXE_SHA256  := e9e5863c33a874f09bc01acd9234b7e3c871479f5eef8802fa582544465e6d01
AXE         := .cache/axe-core-$(AXE_VERSION)/axe.min.js
axe: $(AXE)
$(AXE):
	@mkdir -p $(dir $(AXE))
	cd $(dir $(AXE)) && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null && tar xzf axe-core-$(AXE_VERSION).tgz package/axe.min.js && mv package/axe.min.js . && rm -rf package axe-core-$(AXE_VERSION).tgz
	echo "$(AXE_SHA256)  $(AXE)" | sha256sum -c --quiet

vet:
	$(GO) vet ./...
	$(WASMENV) $(GO) vet ./app/...

## bench: load the real binary on loopback and rewrite docs/benchmarks.md (several minutes)
bench: build
	$(GO) run ./server/cmd/parley-bench -server $(BIN) -out docs/benchmarks.md

## faults: only the fault tests (kill -9 under load, client offline, slow consumer, flood) on the real binary; `make test` runs them too
faults:
	$(GO) test -count=1 -race -run Fault -v ./server/cmd/parley/

## fuzz: every fuzz target, FUZZTIME each (default 20s); `make test` runs their seeds
FUZZTIME ?= 20s
fuzz:
	@fail=""; \
	for pkg in $$(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -n1 dirname | sort -u); do \
		for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
			echo "== $$pkg $$t ($(FUZZTIME))"; \
			$(GO) test -run XXX -fuzz "^$$t\$$" -fuzztime $(FUZZTIME) $$pkg || fail="$$fail $$pkg:$$t"; \
		done; \
	done; \
	if [ -n "$$fail" ]; then echo "fuzz: failed:$$fail (failing inputs are in each package's testdata/fuzz)"; exit 1; fi

clean:
	rm -rf bin $(DIST)/*.wasm* $(DIST)/*.js $(DIST)/precompressed
