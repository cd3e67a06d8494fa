// The scheduling cycle itself (schedule_one.go), with small test plugins so
// that the framework is checked independently of the real plugins.
#include <cmath>
#include <map>

#include <catch2/catch.hpp>

#include "models/scheduler/scheduler.h"

using namespace kubesim;

namespace {

// Filter: the pod's cpu request must fit the node's allocatable cpu.
class CpuFit : public Plugin {
 public:
  std::string_view name() const override { return "TestCpuFit"; }
  uint32_t extension_points() const override { return kFilter; }
  Status filter(const CycleState&, const Pod& pod, const NodeInfo& n) const override {
    const int64_t want = pod_requests(pod.spec).milli_cpu;
    if (n.requested.milli_cpu + want > n.node->allocatable.milli_cpu) {
      return Status::unschedulable("Insufficient cpu");
    }
    return {};
  }
};

// Score: the same for every node, so every node ties.
class Flat : public Plugin {
 public:
  std::string_view name() const override { return "TestFlat"; }
  uint32_t extension_points() const override { return kScore; }
  int64_t score(const CycleState&, const Pod&, const NodeInfo&) const override { return 7; }
};

PluginRegistry test_registry() {
  PluginRegistry r;
  r.add({"TestCpuFit", "", kFilter, [](const PluginArgs&) { return std::make_unique<CpuFit>(); }});
  r.add({"TestFlat", "", kScore, [](const PluginArgs&) { return std::make_unique<Flat>(); }});
  return r;
}

Profile test_profile(HostSelection selection = HostSelection::kHighestScore) {
  Profile p;
  p.name = "test";
  p.multi_point = {{"TestCpuFit", 0}, {"TestFlat", 1}};
  p.selection = selection;
  return p;
}

ClusterObjects cluster(int nodes, int64_t milli_cpu = 4000) {
  ClusterObjects c;
  for (int i = 0; i < nodes; ++i) {
    Node n;
    n.name = "node-" + std::to_string(i);
    n.allocatable.milli_cpu = milli_cpu;
    n.allocatable.pods = 110;
    c.add_node(n);
  }
  return c;
}

Pod pod_with_cpu(const std::string& name, int64_t milli_cpu, int32_t priority = 0,
                 const std::string& node = "") {
  Pod p;
  p.name = name;
  Container c;
  c.name = "c";
  c.requests.milli_cpu = milli_cpu;
  c.has_cpu_request = true;
  p.spec.containers.push_back(c);
  p.spec.priority = priority;
  p.spec.node_name = node;
  return p;
}

std::unique_ptr<SchedulingFramework> framework(const Profile& p) {
  auto fw = SchedulingFramework::create(p, test_registry());
  REQUIRE(fw.ok());
  return std::move(*fw);
}

}  // namespace

TEST_CASE("scheduler: numFeasibleNodesToFind follows schedule_one.go") {
  // Below 100 nodes: all. Otherwise p = max(50 - N/125, 5) percent, at least 100.
  CHECK(num_feasible_nodes_to_find(0, 50) == 50);
  CHECK(num_feasible_nodes_to_find(0, 100) == 100);    // p = 50 -> 50, raised to 100
  CHECK(num_feasible_nodes_to_find(0, 1000) == 420);   // p = 50 - 8 = 42
  CHECK(num_feasible_nodes_to_find(0, 5000) == 500);   // p = 50 - 40 = 10
  CHECK(num_feasible_nodes_to_find(0, 6000) == 300);   // p = 50 - 48 = 2 -> 5
  CHECK(num_feasible_nodes_to_find(30, 1000) == 300);  // configured percentage
  CHECK(num_feasible_nodes_to_find(1, 1000) == 100);   // 10, raised to the minimum 100
  CHECK(num_feasible_nodes_to_find(100, 6000) == 6000);
}

TEST_CASE("scheduler: filtering starts at a rotating index and stops at enough feasible nodes") {
  // 1,000 feasible nodes, adaptive percentage: 420 are examined per cycle and
  // the next cycle starts where this one stopped (420, then 840, then 260).
  ClusterObjects c = cluster(1000);
  Snapshot s = Snapshot::build(c);
  auto fw = framework(test_profile());
  RandomStream rng(1);
  const Pod pod = pod_with_cpu("p", 100);
  for (int expected_start : {0, 420, 840, 260}) {
    ScheduleResult r = fw->schedule(pod, s, rng);
    CHECK(r.evaluated_nodes == 420);
    CHECK(r.feasible_nodes == 420);
    REQUIRE_FALSE(r.nodes.empty());
    CHECK(r.nodes.front().node == expected_start);
  }
}

TEST_CASE("scheduler: ties break uniformly at random, deterministically per seed") {
  // 4 nodes tie. Over 8,000 decisions each is chosen ~2,000 times; the
  // chi-square statistic with 3 degrees of freedom exceeds 16.27 with
  // probability 0.001 for a uniform choice.
  ClusterObjects c = cluster(4);
  Snapshot s = Snapshot::build(c);
  auto fw = framework(test_profile());
  RandomStream rng(2024);
  const Pod pod = pod_with_cpu("p", 100);
  std::map<int, int> counts;
  constexpr int kDecisions = 8000;
  for (int i = 0; i < kDecisions; ++i)
    ++counts[fw->schedule(pod, s, rng).selected];
  double chi2 = 0;
  for (int node = 0; node < 4; ++node) {
    const double expected = kDecisions / 4.0;
    chi2 += (counts[node] - expected) * (counts[node] - expected) / expected;
  }
  CHECK(chi2 < 16.27);

  // Same seed, same sequence of choices; another seed, another sequence.
  const auto choices = [&](uint64_t seed) {
    auto f = framework(test_profile());
    RandomStream r(seed);
    std::vector<int> out;
    for (int i = 0; i < 50; ++i)
      out.push_back(f->schedule(pod, s, r).selected);
    return out;
  };
  CHECK(choices(7) == choices(7));
  CHECK(choices(7) != choices(8));
}

TEST_CASE("scheduler: an unschedulable pod gets Kubernetes' FitError message") {
  ClusterObjects c = cluster(3, 1000);
  Snapshot s = Snapshot::build(c);
  auto fw = framework(test_profile());
  RandomStream rng(1);
  ScheduleResult r = fw->schedule(pod_with_cpu("big", 2000), s, rng, /*explain=*/true);
  CHECK(r.selected == -1);
  CHECK(r.message == "0/3 nodes are available: 3 Insufficient cpu.");
  REQUIRE(r.nodes.size() == 3);
  CHECK(r.nodes[0].failed_plugin == "TestCpuFit");
}

TEST_CASE("scheduler: alternative host selections") {
  ClusterObjects c = cluster(4, 1000);
  c.add_pod(pod_with_cpu("busy", 1000, 0, "node-0"));  // node-0 is full
  Snapshot s = Snapshot::build(c);
  RandomStream rng(3);
  const Pod pod = pod_with_cpu("p", 500);
  auto first = framework(test_profile(HostSelection::kFirstFit));
  CHECK(first->schedule(pod, s, rng).selected == 1);
  CHECK(first->schedule(pod, s, rng).selected == 1);  // always the first feasible
  auto rr = framework(test_profile(HostSelection::kRoundRobin));
  std::vector<int> picks;
  for (int i = 0; i < 4; ++i)
    picks.push_back(rr->schedule(pod, s, rng).selected);
  CHECK(picks == std::vector<int>{1, 2, 3, 1});  // skips the full node-0
}

TEST_CASE("scheduler: preemption evicts the lowest-priority minimal victim set") {
  // node-0 (4000m): pods at priority 1 (1000m), 5 (1000m), 10 (2000m).
  // node-1 (4000m): one pod at priority 50 (4000m): cannot be preempted by 20.
  // The incoming pod (priority 20, 1500m) fits on node-0 once all three
  // lower-priority pods are removed. Reprieve, most important first: keep the
  // priority-10 pod (2000m used, 2000m free >= 1500m); adding back priority 5
  // leaves 1000m < 1500m, so it is a victim; likewise priority 1.
  // Victims: {mid, low}, and node-0 is the only candidate.
  ClusterObjects c = cluster(2, 4000);
  c.add_pod(pod_with_cpu("low", 1000, 1, "node-0"));
  c.add_pod(pod_with_cpu("mid", 1000, 5, "node-0"));
  c.add_pod(pod_with_cpu("high", 2000, 10, "node-0"));
  c.add_pod(pod_with_cpu("vip", 4000, 50, "node-1"));
  Snapshot s = Snapshot::build(c);
  auto fw = framework(test_profile());
  RandomStream rng(1);
  ScheduleResult r = fw->schedule(pod_with_cpu("urgent", 1500, 20), s, rng);
  CHECK(r.selected == -1);
  CHECK(r.preemption.node == 0);
  std::vector<std::string> victims;
  for (const Pod* p : r.preemption.victims)
    victims.push_back(p->name);
  CHECK(victims == std::vector<std::string>{"mid", "low"});

  // A pod of priority 0 cannot preempt anyone.
  ScheduleResult r0 = fw->schedule(pod_with_cpu("meek", 1500, 0), s, rng);
  CHECK(r0.preemption.node == -1);
}
