// DESIGN.md "Lazy but exact periodic loops": every shipped scenario, under
// each controller set, gives the identical event log whether the periodic
// loops (probes, node leases and monitor, leader election) are computed
// lazily or simulated tick by tick (--naive-timers).
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "analysis/event_log.h"
#include "models/runtime/cluster_runtime.h"
#include "models/scenario/scenario.h"
#include "models/scheduler/registry.h"
#include "tests/runtime/registries.h"

namespace kubesim {
namespace {

struct Outcome {
  std::string log;
  uint64_t events = 0;
};

Outcome run(const std::string& path, bool naive, const std::string& controllers) {
  LoadResult loaded = load_scenario(path);
  for (const LoadError& e : loaded.errors)
    FAIL(e.to_string());
  const PluginRegistry& plugins = testing::builtin_plugins();
  const ProfileRegistry& profiles = testing::builtin_profiles();
  RunOptions options;
  options.naive_timers = naive;
  options.controllers = controllers;
  auto rt = ClusterRuntime::create(std::move(*loaded.scenario), options, plugins, profiles);
  REQUIRE(rt);
  std::ostringstream out;
  Outcome o;
  {
    EventLog log((*rt)->simulation().bus(), out, &(*rt)->api().objects());
    REQUIRE((*rt)->run());
  }
  o.log = out.str();
  o.events = (*rt)->simulation().events_processed();
  return o;
}

std::vector<std::string> shipped_scenarios() {
  std::vector<std::string> files;
  for (const auto& e :
       std::filesystem::recursive_directory_iterator(KUBESIM_SOURCE_DIR "/scenarios")) {
    // scenarios/manifests/ holds plain Kubernetes manifests, not scenarios.
    if (e.is_regular_file() && e.path().extension() == ".yaml" &&
        e.path().parent_path().filename() != "manifests") {
      files.push_back(e.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

TEST_CASE("naive timers: every shipped scenario gives the same event log, lazily or tick by tick") {
  const std::vector<std::string> files = shipped_scenarios();
  // quickstart, the experiment, the five lessons.
  REQUIRE(files.size() >= 7);
  for (const std::string& file : files) {
    for (const char* controllers : {"kubernetes", "manual"}) {
      INFO(file << " with --controllers " << controllers);
      const Outcome lazy = run(file, false, controllers);
      const Outcome naive = run(file, true, controllers);
      CHECK(!lazy.log.empty());
      CHECK(lazy.log == naive.log);
      // The naive run really ticks: it processes more events (every shipped
      // scenario has nodes, hence leases and the node monitor, or a manual
      // set's control plane election).
      CHECK(naive.events > lazy.events);
    }
  }
}

}  // namespace kubesim
