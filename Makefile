# fedireach: `make help` lists the targets.

CARGO ?= cargo
ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help build test lint fmt run clean bench bench-analytics

help: ## list the targets
	@grep -E '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

build: ## build the fedireach binary (debug)
	$(CARGO) build --locked

test: ## run every test of the workspace (unit, store, end-to-end through the binary)
	$(CARGO) test --locked --workspace

lint: ## formatting check and clippy with warnings as errors
	$(CARGO) fmt --all --check
	$(CARGO) clippy --locked --workspace --all-targets -- -D warnings

fmt: ## format the code
	$(CARGO) fmt --all

run: ## run fedireach with ARGS, e.g. make run ARGS="brand list"
	$(CARGO) run --locked -- $(ARGS)

bench: bench-analytics ## load-test the brand page and its JSON against nginx serving the same bytes (wrk, release build)
	bench/web.sh

bench-analytics: ## reach, timeline, best-time over the large world: polars beside one SQL query (release)
	bench/analytics.sh

clean: ## remove build output
	$(CARGO) clean
