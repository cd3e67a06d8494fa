# kubesim: convenience targets over CMake + Ninja.
#   make run     build (Release) and run the quickstart
#   make test    build and run the whole test suite (warnings are errors when CI is set)
#   make bench   build (Release) and run the benchmarks
#   make format  clang-format every source file
BUILD    ?= build
JOBS     ?= $(shell nproc)
WERROR   ?= $(if $(CI),ON,OFF)
CMAKE_GEN = cmake -G Ninja -Wno-dev

.PHONY: run test bench build-release build-test format clean

build-release:
	$(CMAKE_GEN) -S . -B $(BUILD)/release -DCMAKE_BUILD_TYPE=Release -DKUBESIM_WERROR=$(WERROR) >/dev/null
	cmake --build $(BUILD)/release -j $(JOBS)

# Tests build with optimisation but keep assertions (no NDEBUG).
build-test:
	$(CMAKE_GEN) -S . -B $(BUILD)/test -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g" -DKUBESIM_WERROR=$(WERROR) >/dev/null
	cmake --build $(BUILD)/test -j $(JOBS)

run: build-release
	$(BUILD)/release/cli/kubesim demo

test: build-test
	cd $(BUILD)/test && ctest --output-on-failure -j $(JOBS)

bench: build-release
	$(BUILD)/release/bench/engine_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true

format:
	git ls-files '*.h' '*.cc' | xargs clang-format -i

clean:
	rm -rf $(BUILD)
