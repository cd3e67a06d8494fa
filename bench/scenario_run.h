// One whole scenario run per benchmark iteration, shared by the scenario
// benchmarks: times ClusterRuntime::run only (building the scenario and the
// runtime, and tearing it down, are not timed) and reports events processed,
// events per second of wall time, the speedup over real time and the
// process's peak resident memory.
#pragma once

#include <sys/resource.h>

#include <benchmark/benchmark.h>

#include "models/runtime/cluster_runtime.h"
#include "models/scenario/node_pool.h"

namespace kubesim::bench {

// The benchmarks' cluster: `nodes` nodes of 16 cpu, 64 GiB, 110 pods in
// pool "node", round-robin over zones a, b, c.
inline void add_node_pool(Scenario& s, int nodes) {
  Scenario::NodePool pool;
  pool.name = "node";
  pool.zones = {"zone-a", "zone-b", "zone-c"};
  pool.node.pool = "node";
  pool.node.capacity.milli_cpu = 16'000;
  pool.node.capacity.memory = 64LL << 30;
  pool.node.capacity.pods = 110;
  pool.node.allocatable = pool.node.capacity;
  for (int i = 0; i < nodes; ++i)
    s.objects.add_node(make_pool_node(pool));
  s.node_pools.push_back(pool);
}

template <class MakeScenario>
void run_scenario_iterations(benchmark::State& state, MakeScenario make) {
  PluginRegistry plugins;
  register_builtin_plugins(plugins);
  ProfileRegistry profiles;
  register_builtin_profiles(profiles);
  uint64_t events = 0;
  double simulated = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto rt = ClusterRuntime::create(make(), {}, plugins, profiles);
    if (!rt) {
      state.SkipWithError(rt.error().message.c_str());
      return;
    }
    state.ResumeTiming();
    (*rt)->run();
    state.PauseTiming();
    events = (*rt)->simulation().events_processed();
    simulated = ((*rt)->end_time() - SimTime::zero()).to_seconds();
    rt->reset();
    state.ResumeTiming();
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  state.counters["events"] = static_cast<double>(events);
  state.counters["events_per_s"] = benchmark::Counter(
      static_cast<double>(events), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["speedup"] =
      benchmark::Counter(simulated, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["peak_rss_MiB"] = static_cast<double>(usage.ru_maxrss) / 1024.0;
}

}  // namespace kubesim::bench
