# Parley — the two commands are `make run` and `make test`.
GO      ?= go
DIST    := assets/dist
BIN     := bin/parley
ADDR    ?= :8080
SHOP    ?= 127.0.0.1:8081
WASMENV := GOOS=js GOARCH=wasm
GOFLAGS_BUILD := -trimpath -ldflags="-s -w"

.PHONY: all build wasm loader server run test vet bench fuzz faults clean

all: build

## build: both wasm apps, the minified loader, precompressed assets, the server
build: wasm loader server

# Each wasm is replaced only when its bytes change, so the slow brotli pass
# in parley-build runs only for real changes.
wasm:
	@mkdir -p $(DIST)
	$(WASMENV) $(GO) build $(GOFLAGS_BUILD) -o $(DIST)/widget.wasm.new ./app/cmd/widget
	$(WASMENV) $(GO) build $(GOFLAGS_BUILD) -o $(DIST)/console.wasm.new ./app/cmd/console
	@for a in widget console; do \
		if cmp -s $(DIST)/$$a.wasm.new $(DIST)/$$a.wasm; then rm $(DIST)/$$a.wasm.new; \
		else mv $(DIST)/$$a.wasm.new $(DIST)/$$a.wasm; fi; \
	done

loader:
	$(GO) run ./widget/cmd/parley-build -dist $(DIST)

server:
	$(GO) build -trimpath -o $(BIN) ./server/cmd/parley

## run: build everything and start the demo on http://localhost:8080
run: build
	$(BIN) -demo -addr $(ADDR) -shop-addr $(SHOP)

## test: the whole suite, browser tests included (needs chromium)
test: build vet
	PARLEY_BROWSER_TESTS=1 $(GO) test -race -count=1 -timeout 20m ./...

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
	rm -rf bin $(DIST)/*.wasm* $(DIST)/*.js
