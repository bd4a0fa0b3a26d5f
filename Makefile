# rtpipe front door. The two commands that matter:
#   make run    set up, build (Release) and run the pipeline on embedded defaults
#   make test   set up (including the real engines), build and run every test
# See README.md for the rest.

BUILD      ?= build
GENERATOR  := $(shell command -v ninja >/dev/null 2>&1 && echo Ninja || echo "Unix Makefiles")
JOBS       ?= $(shell nproc)
CTEST_ARGS ?=
RTPIPE     := $(BUILD)/bin/rtpipe

.PHONY: all build deps deps-test run test test-unit test-integration bench fuzz asan tsan debug format format-check tidy clean

all: build

deps:
	@scripts/install-deps build

deps-test:
	@scripts/install-deps test

$(BUILD)/build.ninja $(BUILD)/Makefile:
	@cmake -S . -B $(BUILD) -G "$(GENERATOR)" -DCMAKE_BUILD_TYPE=Release

build: deps $(BUILD)/build.ninja
	@cmake --build $(BUILD) -j $(JOBS)

run: build
	$(RTPIPE) run

# Every CTest test, then each libFuzzer target for TEST_FUZZ_SECONDS on its seed corpus.
TEST_FUZZ_SECONDS ?= 30
test: deps-test build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(TEST_FUZZ_SECONDS)

test-unit: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L unit $(CTEST_ARGS)

test-integration: deps-test build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L 'integration|e2e' $(CTEST_ARGS)

bench: build
	@scripts/bench $(BUILD)

# libFuzzer targets (clang); each runs for FUZZ_SECONDS.
FUZZ_SECONDS ?= 60
fuzz: deps
	@cmake -S . -B build-fuzz -G "$(GENERATOR)" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
	  -DCMAKE_CXX_COMPILER=clang++ -DRTPIPE_FUZZ=ON -DRTPIPE_BUILD_TESTS=OFF -DRTPIPE_BUILD_BENCH=OFF >/dev/null
	@cmake --build build-fuzz -j $(JOBS) --target fuzz_targets
	@scripts/run-fuzzers build-fuzz $(FUZZ_SECONDS)

# Sanitizer builds run the unit tests: ASan+UBSan, and TSan.
asan: deps
	@cmake -S . -B build-asan -G "$(GENERATOR)" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRTPIPE_SANITIZE=address -DRTPIPE_BUILD_BENCH=OFF >/dev/null
	@cmake --build build-asan -j $(JOBS)
	cd build-asan && ctest --output-on-failure -j $(JOBS) -L unit $(CTEST_ARGS)

tsan: deps
	@cmake -S . -B build-tsan -G "$(GENERATOR)" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRTPIPE_SANITIZE=thread -DRTPIPE_BUILD_BENCH=OFF >/dev/null
	@cmake --build build-tsan -j $(JOBS)
	cd build-tsan && TSAN_OPTIONS="second_deadlock_stack=1 suppressions=$(CURDIR)/tests/tsan.supp" ctest --output-on-failure -j $(JOBS) -L unit $(CTEST_ARGS)

debug: deps
	@cmake -S . -B build-debug -G "$(GENERATOR)" -DCMAKE_BUILD_TYPE=Debug >/dev/null
	@cmake --build build-debug -j $(JOBS)

CXX_FILES = $(shell git ls-files '*.cc' '*.h')

format:
	@clang-format -i $(CXX_FILES)

format-check:
	@clang-format --dry-run --Werror $(CXX_FILES)

tidy: build
	@run-clang-tidy -quiet -p $(BUILD) $(addprefix $(CURDIR)/,$(filter %.cc,$(CXX_FILES)))

clean:
	rm -rf build build-asan build-tsan build-debug build-fuzz
