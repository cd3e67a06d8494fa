// PodTopologySpread remembers matching-pod counts across cycles (per selector
// and node, keyed on NodeInfo::generation and Node::pods_version). The memo
// must never change a result: a plugin kept across 300 cluster changes gives
// exactly the filter verdicts and scores of a fresh plugin at every step.
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "models/scheduler/plugins/pod_topology_spread.h"
#include "tests/scheduler_affinity/affinity_test_cluster.h"

namespace kubesim {
namespace {

using namespace affinity_test;

TEST_CASE("PodTopologySpread: remembered counts equal fresh counts after every change") {
  ClusterObjects objects;
  for (int i = 0; i < 6; ++i) {
    const std::string name = "node-" + std::to_string(i);
    objects.add_node(make_node(name, {{kLabelHostname, name}, {"zone", "z" + std::to_string(i % 3)}}));
  }
  Snapshot snapshot = Snapshot::build(objects);

  Pod incoming = make_pod("incoming", {{"foo", ""}});
  incoming.spec.topology_spread_constraints = {
      spread(1, kLabelHostname, WhenUnsatisfiable::kScheduleAnyway, exists("foo")),
      spread(2, "zone", WhenUnsatisfiable::kDoNotSchedule, exists("foo"))};
  PluginArgs args;
  std::unique_ptr<Plugin> kept = make_pod_topology_spread(args);

  std::mt19937 gen(7);
  std::vector<PodId> bound;
  int changes_of_each_kind[3] = {0, 0, 0};
  for (int step = 0; step < 300; ++step) {
    const int kind = bound.empty() ? 0 : static_cast<int>(gen() % 3);
    if (kind == 0) {  // a pod (matching or not) is bound to a node
      const uint32_t node = gen() % 6;
      Labels labels = gen() % 4 == 0 ? Labels{{"bar", ""}} : Labels{{"foo", ""}};
      Pod p = make_pod("p" + std::to_string(step), labels, objects.nodes[node].name);
      p.node = NodeId{node};
      const PodId id = objects.add_pod(std::move(p));
      snapshot.add_pod(objects.pods[id.value]);
      bound.push_back(id);
    } else if (kind == 1) {  // a pod is removed
      const size_t k = gen() % bound.size();
      snapshot.remove_pod(objects.pods[bound[k].value]);
      bound.erase(bound.begin() + static_cast<std::ptrdiff_t>(k));
    } else {  // a pod starts terminating (as the API server records it)
      Pod& p = objects.pods[bound[gen() % bound.size()].value];
      p.status.terminating = true;
      ++objects.nodes[p.node.value].pods_version;
    }
    ++changes_of_each_kind[kind];

    std::unique_ptr<Plugin> fresh = make_pod_topology_spread(args);
    const std::vector<Status> fk = test_support::run_filter(*kept, incoming, snapshot);
    const std::vector<Status> ff = test_support::run_filter(*fresh, incoming, snapshot);
    REQUIRE(fk.size() == ff.size());
    for (size_t i = 0; i < fk.size(); ++i) {
      INFO("step " << step << " node " << i);
      CHECK(fk[i].code == ff[i].code);
    }
    const test_support::ScoreRun sk = test_support::run_score(*kept, incoming, snapshot);
    const test_support::ScoreRun sf = test_support::run_score(*fresh, incoming, snapshot);
    INFO("step " << step);
    CHECK(sk.raw == sf.raw);
    CHECK(sk.normalized == sf.normalized);
  }
  // Every kind of change happened many times.
  CHECK(changes_of_each_kind[0] > 50);
  CHECK(changes_of_each_kind[1] > 50);
  CHECK(changes_of_each_kind[2] > 50);
}

}  // namespace
}  // namespace kubesim
