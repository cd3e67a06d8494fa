// Scheduling decisions per second of the default profile on clusters of 100,
// 1,000 and 5,000 nodes with 30 pods already bound per node (3 zones, pods
// from 30 deployments with the system default spread constraints). Each
// iteration is one full cycle for a new pod: PreFilter, Filter over
// numFeasibleNodesToFind nodes, PreScore, Score, NormalizeScore, selection.
//
//   build/release/bench/scheduler_bench --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include "models/scheduler/registry.h"
#include "models/scheduler/scheduler.h"

namespace {

using namespace kubesim;

Pod make_pod(const std::string& name, int app, int64_t milli_cpu, int64_t memory) {
  Pod p;
  p.name = name;
  p.labels["app"] = "app-" + std::to_string(app);
  p.owner = OwnerRef{"ReplicaSet", "app-" + std::to_string(app)};
  Container c;
  c.name = "main";
  c.image = "registry.example/app-" + std::to_string(app) + ":1";
  c.requests.milli_cpu = milli_cpu;
  c.requests.memory = memory;
  c.has_cpu_request = c.has_memory_request = true;
  p.spec.containers.push_back(c);
  return p;
}

ClusterObjects make_cluster(int nodes) {
  ClusterObjects c;
  for (int i = 0; i < nodes; ++i) {
    Node n;
    n.name = "node-" + std::to_string(i);
    n.labels[kLabelHostname] = n.name;
    n.labels[kLabelZone] = "zone-" + std::to_string(i % 3);
    n.allocatable.milli_cpu = 64'000;
    n.allocatable.memory = 256LL << 30;
    n.allocatable.pods = 110;
    n.capacity = n.allocatable;
    c.add_node(n);
  }
  for (int i = 0; i < nodes; ++i) {
    for (int k = 0; k < 30; ++k) {
      Pod p = make_pod("pod-" + std::to_string(i) + "-" + std::to_string(k), k, 500, 1LL << 30);
      p.spec.node_name = "node-" + std::to_string(i);
      p.phase = PodPhase::kRunning;
      c.add_pod(p);
    }
  }
  return c;
}

void BM_ScheduleDefaultProfile(benchmark::State& state) {
  const auto nodes = static_cast<int>(state.range(0));
  const ClusterObjects cluster = make_cluster(nodes);
  Snapshot snapshot = Snapshot::build(cluster);
  PluginRegistry plugins;
  register_builtin_plugins(plugins);
  auto fw = SchedulingFramework::create(default_profile(), plugins);
  if (!fw) {
    state.SkipWithError(fw.error().message.c_str());
    return;
  }
  RandomStream rng(1);
  const Pod pod = make_pod("incoming", 7, 500, 1LL << 30);
  int64_t scheduled = 0;
  for (auto _ : state)
    scheduled += (*fw)->schedule(pod, snapshot, rng).selected >= 0;
  state.SetItemsProcessed(state.iterations());
  state.counters["feasible_to_find"] = num_feasible_nodes_to_find(0, nodes);
  benchmark::DoNotOptimize(scheduled);
}

}  // namespace

BENCHMARK(BM_ScheduleDefaultProfile)
    ->Name("schedule/default_profile")
    ->Arg(100)
    ->Arg(1'000)
    ->Arg(5'000)
    ->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
