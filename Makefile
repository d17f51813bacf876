# Two commands do everything (see README.md):
#   make run    installs what is missing, builds, creates demo/loyalty.db with demo data
#   make check  installs what is missing, builds, runs every test, then again under ASan+UBSan
.PHONY: run check deps build build-asan test test-asan bench format clean

JOBS ?= $(shell nproc)
DEMO_DB ?= demo/loyalty.db

deps:
	@bash scripts/deps.sh

build: deps
	@cmake --preset default >/dev/null
	@cmake --build build -j$(JOBS)

build-asan: deps
	@cmake --preset asan >/dev/null
	@cmake --build build-asan -j$(JOBS)

run: build
	@bash scripts/demo.sh build/loyalty $(DEMO_DB)

test: build
	@cd build && ctest --output-on-failure -j$(JOBS)

test-asan: build-asan
	@cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j$(JOBS)

check: test test-asan
	@echo "check: all tests passed, also under AddressSanitizer + UndefinedBehaviorSanitizer"

bench: build
	@build/bench_ledger

format:
	@clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build build-asan
