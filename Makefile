# kubesim: convenience targets over CMake + Ninja.
#   make run     build (Release) and run the main job: the quickstart scenario in simulated time
#   make test    build and run the whole test suite (warnings are errors when CI is set)
#   make bench   build (Release) and run the benchmarks (NS3=1 adds ns-3 peers)
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

# The main job: run the quickstart scenario; the summary goes to the terminal,
# events.jsonl and summary.json to kubesim-out/quickstart/.
run: build-release
	$(BUILD)/release/cli/kubesim run scenarios/quickstart.yaml

test: build-test
	cd $(BUILD)/test && ctest --output-on-failure -j $(JOBS)

# NS3=1 adds ns-3's schedulers as peers (installs libns3-dev first).
NS3      ?= 0
bench:
	$(if $(filter 1,$(NS3)),scripts/install-deps.sh --ns3)
	$(CMAKE_GEN) -S . -B $(BUILD)/bench -DCMAKE_BUILD_TYPE=Release -DKUBESIM_BUILD_TESTS=OFF \
	  -DKUBESIM_BENCH_NS3=$(if $(filter 1,$(NS3)),ON,OFF) >/dev/null
	cmake --build $(BUILD)/bench -j $(JOBS) --target engine_bench scheduler_bench scenario_bench failures_bench traffic_bench
	$(BUILD)/bench/bench/engine_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
	  --benchmark_out=$(BUILD)/engine_bench.json --benchmark_out_format=json
	scripts/bench-report.py $(BUILD)/engine_bench.json
	$(BUILD)/bench/bench/scheduler_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
	$(BUILD)/bench/bench/scenario_bench
	$(BUILD)/bench/bench/failures_bench
	$(BUILD)/bench/bench/traffic_bench

format:
	git ls-files '*.h' '*.cc' | xargs clang-format -i

clean:
	rm -rf $(BUILD)
