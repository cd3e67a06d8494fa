// A whole scenario in simulated time: a cluster of N nodes receiving P pods
// (two thirds from Deployments, one third from Jobs) over one simulated
// hour, through the API server, controllers, scheduler and kubelets. Reports
// wall time per run, events processed, events per second of wall time, the
// speedup over real time and the process's peak resident memory.
//
//   build/bench/bench/scenario_bench --benchmark_repetitions=3
//       --benchmark_report_aggregates_only=true
//
// Workloads arrive evenly over the hour as `apply` events: Deployments of
// 200 replicas and Jobs of 200 completions (parallelism 50, run time
// exponential(5m)), each pod requesting 250m cpu and 512Mi, with images drawn
// from 20 names (so the kubelets pull and ImageLocality matters).
#include <atomic>
#include <string>

#include <benchmark/benchmark.h>

#include "bench/scenario_run.h"
#include "models/runtime/cluster_runtime.h"

namespace {

using namespace kubesim;

PodTemplate make_template(const std::string& app, int image) {
  PodTemplate t;
  t.metadata.labels["app"] = app;
  Container c;
  c.name = "main";
  c.image = "registry.example/app-" + std::to_string(image) + ":1";
  c.requests.milli_cpu = 250;
  c.requests.memory = 512LL << 20;
  c.has_cpu_request = c.has_memory_request = true;
  t.spec.containers.push_back(c);
  return t;
}

Scenario make_scenario(int nodes, int pods) {
  Scenario s;
  s.name = "scenario-bench";
  s.seed = 1;
  s.duration = Duration::hours(1);
  s.scheduler.profile = "default";
  bench::add_node_pool(s, nodes);

  constexpr int kPerWorkload = 200;
  const int workloads = pods / kPerWorkload;
  for (int w = 0; w < workloads; ++w) {
    TimelineEvent e;
    e.action = TimelineEvent::Action::kApply;
    e.at = Duration::seconds(3600) * w / workloads;
    const std::string name = "app-" + std::to_string(w);
    if (w % 3 != 2) {
      Deployment d;
      d.metadata.name = name;
      d.replicas = kPerWorkload;
      d.selector.match_labels["app"] = name;
      d.template_ = make_template(name, w % 20);
      e.objects.deployments.push_back(d);
    } else {
      Job j;
      j.metadata.name = name;
      j.completions = kPerWorkload;
      j.parallelism = 50;
      j.template_ = make_template(name, w % 20);
      j.template_.metadata.annotations["kubesim.io/run-time"] = "exponential(5m)";
      j.template_.spec.restart_policy = RestartPolicy::kNever;
      e.objects.jobs.push_back(j);
    }
    s.events.push_back(std::move(e));
  }
  return s;
}

void BM_Scenario(benchmark::State& state) {
  const int nodes = static_cast<int>(state.range(0));
  const int pods = static_cast<int>(state.range(1));
  bench::run_scenario_iterations(state, [&] { return make_scenario(nodes, pods); });
}

BENCHMARK(BM_Scenario)
    ->Args({100, 3'000})
    ->Args({1'000, 30'000})
    ->Unit(benchmark::kSecond)
    ->Iterations(1)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
