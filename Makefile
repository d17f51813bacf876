# Two commands do everything (see README.md):
#   make run    installs what is missing, builds, creates demo/loyalty.db with demo data
#   make check  installs what is missing, builds, runs every test, then again under ASan+UBSan
SHELL := /bin/bash
MAKEFLAGS += --no-print-directory
.PHONY: run check deps test-deps build build-asan build-fuzz test test-asan fuzz bench format clean

JOBS ?= $(shell nproc)
DEMO_DB ?= demo/loyalty.db

deps:
	@bash scripts/deps.sh

test-deps:
	@bash scripts/deps.sh --test

build: deps
	@cmake --preset default >/dev/null
	@cmake --build build -j$(JOBS)

build-asan: deps
	@cmake --preset asan >/dev/null
	@cmake --build build-asan -j$(JOBS)

run: build
	@bash scripts/demo.sh build/loyalty $(DEMO_DB)

test: build test-deps
	@cd build && ctest --output-on-failure -j$(JOBS)

test-asan: build-asan test-deps
	@cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j$(JOBS)

build-fuzz: deps
	@cmake --preset fuzz >/dev/null
	@cmake --build build-fuzz -j$(JOBS) --target fuzz_programme fuzz_purchase fuzz_request fuzz_triage

# Each fuzz target runs FUZZ_SECONDS from the corpus kept in tests/fuzz/corpus (new finds go to a
# scratch directory; merge them into the corpus by hand with -merge=1).
FUZZ_SECONDS ?= 20
fuzz: build-fuzz
	@for f in programme purchase request triage; do \
	  d=$$(mktemp -d); \
	  build-fuzz/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) -max_len=8192 -print_final_stats=1 \
	    $$d tests/fuzz/corpus/$$f 2>&1 | grep -E 'stat::number_of_executed_units|ERROR|SUMMARY' ; \
	  rc=$${PIPESTATUS[0]}; rm -rf $$d; \
	  if [ $$rc -ne 0 ]; then echo "fuzz_$$f: FAILED"; exit 1; fi; \
	  echo "fuzz_$$f: no crash, no sanitizer report in $(FUZZ_SECONDS) s"; \
	done

# The test command: the suite, the fuzz targets, then the suite again under ASan + UBSan.
check: test fuzz test-asan

# Benchmarks (not part of check): ledger writes, HTTP under wrk, model fits against scipy, counter
# search latency through the API and in the browser (bench/analytics.sh, against pandas on 1M
# members, runs on its own: see
# docs/performance.md).
bench:
	@bash scripts/bench-deps.sh
	@cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build build-bench -j$(JOBS) --target loyalty bench_ledger bench_http_baseline bench_models
	@build-bench/bench_ledger
	@bench/http.sh --loyalty build-bench/loyalty --baseline build-bench/bench_http_baseline
	@bench/models.sh --bench build-bench/bench_models
	@bench/search.sh --loyalty build-bench/loyalty
	@bash scripts/deps.sh --test
	@bash tests/browser/run.sh build-bench/loyalty bench/search_browser.test.mjs

format:
	@clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build build-asan build-fuzz
