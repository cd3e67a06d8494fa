// Failures and self-healing at scale: N nodes (16 cpu, 64 GiB, 3 zones) run
// P pods from Deployments of 500 replicas, every container with a readiness
// probe (period 10 s) and a liveness probe (period 10 s), for 24 simulated
// hours with random failures: every container crashes after an
// exponential(7d) run (about P/7 crashes a day) and every node fails after an
// exponential(30d) up time and is repaired after lognormal(30m, 0.5) (about
// N/30 node failures a day, each evicting and rescheduling its pods). Node
// leases renew every 10 s and the node monitor runs every 5 s.
//
// The second argument chooses the timers: 0 lazy (the default: one event
// when a periodic loop would observe a change), 1 naive (--naive-timers:
// every probe, lease renewal and monitor tick is an event). Both produce the
// same event log (tests/runtime/naive_timers_test.cc). The naive run at
// 5,000 nodes is left out of the default set: it takes about 40 minutes
// (add ->Args({5'000, 100'000, 1}) to measure it).
//
//   build/bench/bench/failures_bench
//   build/bench/bench/failures_bench --benchmark_filter='/5000/100000/0'
#include <string>

#include <benchmark/benchmark.h>

#include "bench/scenario_run.h"
#include "models/runtime/cluster_runtime.h"

namespace {

using namespace kubesim;

Scenario make_scenario(int nodes, int pods, bool naive) {
  Scenario s;
  s.name = "failures-bench";
  s.seed = 1;
  s.duration = Duration::hours(24);
  s.scheduler.profile = "default";
  s.runtime.naive_timers = naive;
  bench::add_node_pool(s, nodes);

  constexpr int kPerDeployment = 500;
  for (int w = 0; w < pods / kPerDeployment; ++w) {
    const std::string name = "app-" + std::to_string(w);
    Deployment d;
    d.metadata.name = name;
    d.replicas = kPerDeployment;
    d.selector.match_labels["app"] = name;
    d.template_.metadata.labels["app"] = name;
    Container c;
    c.name = "main";
    c.image = "registry.example/app-" + std::to_string(w % 20) + ":1";
    c.requests.milli_cpu = 250;
    c.requests.memory = 512LL << 20;
    c.has_cpu_request = c.has_memory_request = true;
    c.readiness_probe.enabled = true;
    c.liveness_probe.enabled = true;
    d.template_.spec.containers.push_back(c);
    s.objects.deployments.push_back(d);
  }
  FaultProcess crashes;
  crashes.kind = FaultProcess::Kind::kContainerCrashes;
  crashes.selector = {};  // every pod (an empty selector matches everything)
  crashes.time_to_failure = *parse_duration_distribution("exponential(7d)");
  s.faults.push_back(crashes);
  FaultProcess machines;
  machines.kind = FaultProcess::Kind::kNodeFailures;
  machines.time_to_failure = *parse_duration_distribution("exponential(30d)");
  machines.time_to_repair = *parse_duration_distribution("lognormal(30m, 0.5)");
  s.faults.push_back(machines);
  return s;
}

void BM_Failures(benchmark::State& state) {
  const int nodes = static_cast<int>(state.range(0));
  const int pods = static_cast<int>(state.range(1));
  const bool naive = state.range(2) != 0;
  bench::run_scenario_iterations(state, [&] { return make_scenario(nodes, pods, naive); });
}

BENCHMARK(BM_Failures)
    ->Args({500, 10'000, 0})
    ->Args({500, 10'000, 1})
    ->Args({5'000, 100'000, 0})
    ->Unit(benchmark::kSecond)
    ->Iterations(1)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
