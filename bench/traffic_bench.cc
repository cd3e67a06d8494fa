// Requests simulated per second of wall time: one Service whose pods serve
// Poisson traffic at 70% utilization, in request mode (every request an
// object with its events) and in fluid mode (rates, one update per step).
//
//   build/bench/bench/traffic_bench
//
// Counters: requests (arrivals simulated in one run), requests_per_s (per
// second of wall time), and for fluid the same number of requests as rates.
// docs/performance.md records the figures and the fluid speedup.
#include <string>

#include <benchmark/benchmark.h>

#include "bench/scenario_run.h"
#include "models/objects/annotations.h"
#include "models/records.h"

namespace kubesim::bench {
namespace {

constexpr double kServiceRatePerPod = 100;  // exponential(10ms)
constexpr double kUtilization = 0.7;
constexpr Duration kTrafficStart = Duration::seconds(10);

// `pods` single-worker pods of Deployment web behind Service web, on enough
// nodes, with `rate` requests/s from t = 10 s for `run`.
Scenario traffic_scenario(int pods, Duration run, bool fluid) {
  Scenario s;
  s.name = "traffic-bench";
  s.scheduler.profile = "default";
  s.duration = kTrafficStart + run;
  add_node_pool(s, (pods + 99) / 100);
  Deployment d;
  d.metadata.name = "web";
  d.replicas = pods;
  d.selector.match_labels["app"] = "web";
  d.template_.metadata.labels["app"] = "web";
  Container c;
  c.name = "web";
  c.image = "example/web:1";
  c.requests.milli_cpu = 10;
  c.requests.memory = 16LL << 20;
  c.has_cpu_request = c.has_memory_request = true;
  d.template_.spec.containers.push_back(c);
  s.objects.deployments.push_back(d);
  Service svc;
  svc.metadata.name = "web";
  svc.selector["app"] = "web";
  svc.ports.push_back({"http", 80, 80, "TCP"});
  s.objects.services.push_back(svc);
  TrafficSpec t;
  t.service = "web";
  t.fluid = fluid;
  t.start = kTrafficStart;
  t.arrival.process = ArrivalSpec::Process::kPoisson;
  t.arrival.rate_per_second = kUtilization * kServiceRatePerPod * pods;
  t.service_time = *parse_duration_distribution("exponential(10ms)");
  s.traffic.push_back(t);
  return s;
}

void BM_Traffic(benchmark::State& state, bool fluid) {
  const int pods = static_cast<int>(state.range(0));
  // About 2 million requests per run.
  const double rate = kUtilization * kServiceRatePerPod * pods;
  const Duration run = Duration::from_seconds(2e6 / rate);
  run_scenario_iterations(state, [&] { return traffic_scenario(pods, run, fluid); });
  const double requests = rate * run.to_seconds();
  state.counters["requests"] = requests;
  state.counters["requests_per_s"] =
      benchmark::Counter(requests, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_RequestMode(benchmark::State& state) {
  BM_Traffic(state, false);
}
void BM_FluidMode(benchmark::State& state) {
  BM_Traffic(state, true);
}

BENCHMARK(BM_RequestMode)->Arg(10)->Arg(100)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_FluidMode)->Arg(10)->Arg(100)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace kubesim::bench

BENCHMARK_MAIN();
