// Every request is accounted for, and Little's law holds, for every Service
// of every shipped scenario (DESIGN.md "Invariants"; VALIDATION.md "Queues"),
// under both controller sets.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "models/records.h"
#include "models/runtime/cluster_runtime.h"
#include "models/scenario/scenario.h"
#include "models/traffic/traffic_engine.h"
#include "tests/runtime/registries.h"

using namespace kubesim;

namespace {

// Per Service, from the records alone.
struct Books {
  int64_t arrived = 0;
  int64_t ended = 0;
  double latency_sum = 0;  // of ended requests, seconds
  double area = 0;         // integral of the number in the system, request-seconds
  SimTime last = SimTime::zero();
  void advance(SimTime t) {
    area += static_cast<double>(arrived - ended) * (t - last).to_seconds();
    last = t;
  }
};

std::vector<std::string> scenarios_with_traffic() {
  std::vector<std::string> files;
  for (const auto& e :
       std::filesystem::recursive_directory_iterator(KUBESIM_SOURCE_DIR "/scenarios")) {
    if (!e.is_regular_file() || e.path().extension() != ".yaml" ||
        e.path().parent_path().filename() == "manifests") {
      continue;
    }
    files.push_back(e.path().string());
  }
  files.push_back(KUBESIM_SOURCE_DIR "/tests/runtime/fixtures/call_graph.yaml");
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

TEST_CASE("every request is accounted for and Little's law holds, in every shipped scenario") {
  int with_traffic = 0;
  for (const std::string& file : scenarios_with_traffic()) {
    for (const char* controllers : {"kubernetes", "manual"}) {
      LoadResult loaded = load_scenario(file);
      for (const LoadError& e : loaded.errors)
        FAIL(e.to_string());
      if (loaded.scenario->traffic.empty()) break;
      const std::size_t services = loaded.scenario->traffic.size();
      std::vector<bool> fluid;
      for (const TrafficSpec& t : loaded.scenario->traffic)
        fluid.push_back(t.fluid);
      RunOptions options;
      options.controllers = controllers;
      auto rt = ClusterRuntime::create(std::move(*loaded.scenario), options,
                                       testing::builtin_plugins(), testing::builtin_profiles());
      REQUIRE(rt);
      std::vector<Books> books(services);
      ObserverBus& bus = (*rt)->simulation().bus();
      bus.topic<RequestArrivedRecord>().subscribe([&](const RequestArrivedRecord& r) {
        books[r.service].advance(r.t);
        ++books[r.service].arrived;
      });
      bus.topic<RequestEndedRecord>().subscribe([&](const RequestEndedRecord& r) {
        books[r.service].advance(r.t);
        ++books[r.service].ended;
        books[r.service].latency_sum += r.latency.to_seconds();
      });
      REQUIRE((*rt)->run());
      ++with_traffic;
      const SimTime end = (*rt)->end_time();
      const double run_seconds = (end - SimTime::zero()).to_seconds();
      for (std::size_t i = 0; i < services; ++i) {
        if (fluid[i]) continue;  // rates, not requests (FluidTrafficRecord)
        Books& b = books[i];
        b.advance(end);
        INFO(file << " (" << controllers << "), service " << i);
        CHECK(b.arrived > 0);
        // arrived = completed + failed + in flight, where the engine counts
        // what it still holds on its own.
        CHECK(b.arrived - b.ended ==
              (*rt)->traffic()->requests_in_flight(static_cast<uint32_t>(i)));
        // Little's law over the run, L = lambda W, is exact up to the requests
        // still in flight at the end: the area under N(t) is the sum of every
        // request's time in the system within the run, so
        //   area - sum(latency of ended) = sum(age of those in flight) in
        //   [0, in_flight * run].
        const double excess = b.area - b.latency_sum;
        CHECK(excess >= -1e-6 * b.area);
        CHECK(excess <= static_cast<double>(b.arrived - b.ended) * run_seconds + 1e-6 * b.area);
        // And L vs lambda W in the usual form, within that bound.
        const double L = b.area / run_seconds;
        const double lambda_w = static_cast<double>(b.ended) / run_seconds *
                                (b.ended > 0 ? b.latency_sum / static_cast<double>(b.ended) : 0);
        CHECK(std::abs(L - lambda_w) <=
              static_cast<double>(b.arrived - b.ended) + 1e-6 * std::max(L, 1.0));
      }
    }
  }
  CHECK(with_traffic >= 4);  // the two traffic lessons and the call-graph fixture, both sets
}
