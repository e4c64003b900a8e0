# fedireach: `make help` lists the targets.

CARGO ?= cargo
ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help build test test-interop lint fmt run demo clean bench bench-web bench-crawl bench-analytics bench-scale

help: ## list the targets
	@grep -E '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

build: ## build the fedireach binary (debug)
	$(CARGO) build --locked

test: ## run every test of the workspace (unit, store, end-to-end through the binary), then the interop test
	$(CARGO) test --locked --workspace
	$(MAKE) test-interop

test-interop: ## crawl a real ActivityPub server (bovine-herd, ../shared/peers) over HTTPS, signed; needs root
	tests/interop/run.sh

lint: ## formatting check, clippy with warnings as errors (with and without the simulation), unused dependencies, licences and sources (cargo deny)
	$(CARGO) fmt --all --check
	$(CARGO) clippy --locked --workspace --all-targets -- -D warnings
	$(CARGO) clippy --locked --no-default-features --bin fedireach -- -D warnings
	@command -v cargo-machete >/dev/null || { echo "cargo-machete is missing: cargo install --locked cargo-machete"; exit 1; }
	cargo-machete
	@command -v cargo-deny >/dev/null || { echo "cargo-deny is missing: cargo install --locked cargo-deny"; exit 1; }
	cargo deny --offline check --hide-inclusion-graph licenses bans sources

fmt: ## format the code
	$(CARGO) fmt --all

demo: ## build and run the demo: simulated fediverse, crawl, dashboard on http://127.0.0.1:8080
	$(CARGO) run --locked -- demo $(ARGS)

run: ## run fedireach with ARGS, e.g. make run ARGS="brand list"
	$(CARGO) run --locked -- $(ARGS)

bench: bench-crawl bench-web bench-analytics bench-scale ## every benchmark

bench-web: ## load-test the brand page and its JSON (medium world) against nginx serving the same bytes (wrk, release build)
	bench/web.sh

bench-crawl: ## crawl the medium simulated world: wall time / politeness bound, requests per engagement, peak memory
	bench/crawl.sh

bench-analytics: ## reach, timeline, best-time over the large world: polars beside one SQL query (release)
	bench/analytics.sh

bench-scale: ## the medium world with 150 ms server latency crawled into SQLite and PostgreSQL: time, memory, politeness, bytes per engagement, report time (release)
	bench/scale.sh

clean: ## remove build output
	$(CARGO) clean
