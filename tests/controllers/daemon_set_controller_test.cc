#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <regex>
#include <set>
#include <string>

#include "models/controllers/daemon_set_controller.h"
#include "tests/controllers/fake_cluster.h"

using namespace kubesim;
using kubesim::testing::make_node;

namespace {

Taint taint(const std::string& key, TaintEffect effect) {
  return Taint{key, "", effect, {}};
}

// Nodes for the DaemonSet tests; the DaemonSet selects disk=ssd.
struct DaemonCluster {
  DaemonCluster() {
    const Labels ssd{{"disk", "ssd"}};
    objects.add_node(make_node("ssd-plain", ssd));  // 0
    objects.add_node(
        make_node("ssd-dedicated", ssd, {{"dedicated", "db", TaintEffect::kNoSchedule, {}}}));  // 1
    objects.add_node(make_node("hdd", {{"disk", "hdd"}}));                                      // 2
    Node cordoned = make_node(
        "ssd-cordoned", ssd, {taint("node.kubernetes.io/unschedulable", TaintEffect::kNoSchedule)});
    cordoned.unschedulable = true;
    objects.add_node(cordoned);  // 3
    objects.add_node(
        make_node("ssd-not-ready", ssd,
                  {taint("node.kubernetes.io/not-ready", TaintEffect::kNoExecute)}));  // 4
    objects.add_node(
        make_node("ssd-soft", ssd, {{"soft", "x", TaintEffect::kPreferNoSchedule, {}}}));  // 5
    api = std::make_unique<ApiServer>(sim.context(), objects);
    fake = std::make_unique<kubesim::testing::FakeNodes>(*api);
    dsc = std::make_unique<DaemonSetController>(*api);
  }
  uint32_t create(DaemonSet ds) {
    const uint32_t i = api->create<DaemonSet>(std::move(ds));
    dsc->start();
    return i;
  }
  // Names of the nodes holding a non-terminating pod of the DaemonSet.
  std::set<std::string> nodes_with_pods(uint32_t ds) const {
    std::set<std::string> out;
    for (const Pod& p : objects.pods) {
      if (p.owner.kind != "DaemonSet" || p.owner.index != ds) continue;
      if (p.status.deleted || p.status.terminating) continue;
      out.insert(p.node.valid() ? objects.nodes[p.node.value].name : "<unbound>");
    }
    return out;
  }
  void run_until(Duration d) { sim.run_until(SimTime::zero() + d); }

  Simulation sim{3};
  ClusterObjects objects;
  std::unique_ptr<ApiServer> api;
  std::unique_ptr<kubesim::testing::FakeNodes> fake;
  std::unique_ptr<DaemonSetController> dsc;
};

DaemonSet make_ds(const std::string& name) {
  DaemonSet ds;
  ds.metadata.name = name;
  ds.template_ = kubesim::testing::make_template(name, "agent:v1");
  ds.template_.spec.node_selector["disk"] = "ssd";
  ds.selector.match_labels = ds.template_.metadata.labels;
  return ds;
}

}  // namespace

TEST_CASE("daemonset: one pod per node the selector picks and whose taints it tolerates") {
  DaemonCluster k;
  const uint32_t ds = k.create(make_ds("agent"));
  k.run_until(Duration::seconds(10));
  // ssd-dedicated: NoSchedule taint not tolerated; hdd: nodeSelector. The
  // cordoned node and its unschedulable taint, the not-ready NoExecute taint
  // are tolerated automatically (daemonset_util.go); PreferNoSchedule is
  // not a predicate.
  const std::set<std::string> want = {"ssd-plain", "ssd-cordoned", "ssd-not-ready", "ssd-soft"};
  CHECK(k.nodes_with_pods(ds) == want);
  const DaemonSet& d = k.objects.daemon_sets[ds];
  CHECK(d.status.desired_number_scheduled == 4);
  CHECK(d.status.current_number_scheduled == 4);
  CHECK(d.status.number_ready == 4);
  const std::regex name("agent-[bcdfghjklmnpqrstvwxz2456789]{5}");
  for (const Pod& p : k.objects.pods) {
    CHECK(std::regex_match(p.name, name));
    // ReplaceDaemonSetPodNodeNameNodeAffinity: one term, metadata.name In [node].
    REQUIRE(p.spec.node_affinity.has_required);
    REQUIRE(p.spec.node_affinity.required.size() == 1);
    const auto& fields = p.spec.node_affinity.required[0].match_fields;
    REQUIRE(fields.size() == 1);
    CHECK(fields[0].key == "metadata.name");
    CHECK(fields[0].values == std::vector<std::string>{k.objects.nodes[p.node.value].name});
    // The six automatic tolerations (network-unavailable only with hostNetwork).
    CHECK(p.spec.tolerations.size() == 6);
  }
}

TEST_CASE("daemonset: template tolerations widen the set of nodes") {
  DaemonCluster k;
  DaemonSet spec = make_ds("agent");
  spec.template_.spec.tolerations.push_back(
      Toleration{"dedicated", TolerationOp::kEqual, "db", TaintEffect::kNoSchedule, {}});
  const uint32_t ds = k.create(spec);
  k.run_until(Duration::seconds(10));
  CHECK(k.nodes_with_pods(ds).count("ssd-dedicated") == 1);
  CHECK(k.objects.daemon_sets[ds].status.desired_number_scheduled == 5);
}

TEST_CASE("daemonset: a node added later gets a pod; a deleted node loses its pod") {
  DaemonCluster k;
  const uint32_t ds = k.create(make_ds("agent"));
  k.run_until(Duration::seconds(10));
  REQUIRE(k.nodes_with_pods(ds).size() == 4);
  k.api->create_node(make_node("ssd-new", {{"disk", "ssd"}}));
  k.api->create_node(make_node("hdd-new", {{"disk", "hdd"}}));
  k.run_until(Duration::seconds(20));
  CHECK(k.nodes_with_pods(ds).count("ssd-new") == 1);
  CHECK(k.nodes_with_pods(ds).count("hdd-new") == 0);
  CHECK(k.objects.daemon_sets[ds].status.desired_number_scheduled == 5);
  k.api->delete_node(NodeId{0});
  k.run_until(Duration::seconds(30));
  CHECK(k.nodes_with_pods(ds).count("ssd-plain") == 0);
  CHECK(k.objects.daemon_sets[ds].status.desired_number_scheduled == 4);
  CHECK(k.objects.daemon_sets[ds].status.current_number_scheduled == 4);
  // The pod on the deleted node is gone from the store (pod GC force delete).
  for (const Pod& p : k.objects.pods)
    if (p.node == NodeId{0}) CHECK(p.status.deleted);
}

TEST_CASE("daemonset: NodeShouldRunDaemonPod") {
  const PodSpec spec = daemon_pod_spec(make_ds("agent").template_.spec);
  auto run = [&](const Node& n) { return node_should_run_daemon_pod(n, spec); };
  const Labels ssd{{"disk", "ssd"}};
  // Fits: run and keep running.
  CHECK(run(make_node("a", ssd)).should_run);
  // Selector mismatch: neither.
  CHECK_FALSE(run(make_node("b", {{"disk", "hdd"}})).should_run);
  CHECK_FALSE(run(make_node("b", {{"disk", "hdd"}})).should_continue_running);
  // Untolerated NoSchedule: not placed, but a running pod stays.
  const auto no_schedule = run(make_node("c", ssd, {taint("x", TaintEffect::kNoSchedule)}));
  CHECK_FALSE(no_schedule.should_run);
  CHECK(no_schedule.should_continue_running);
  // Untolerated NoExecute: neither.
  const auto no_execute = run(make_node("d", ssd, {taint("x", TaintEffect::kNoExecute)}));
  CHECK_FALSE(no_execute.should_run);
  CHECK_FALSE(no_execute.should_continue_running);
  // Automatic tolerations: unreachable (NoExecute), memory-pressure (NoSchedule).
  CHECK(run(make_node("e", ssd, {taint("node.kubernetes.io/unreachable", TaintEffect::kNoExecute)}))
            .should_run);
  CHECK(run(make_node("f", ssd,
                      {taint("node.kubernetes.io/memory-pressure", TaintEffect::kNoSchedule)}))
            .should_run);
  // ...but not node.kubernetes.io/memory-pressure with NoExecute.
  CHECK_FALSE(run(make_node("g", ssd,
                            {taint("node.kubernetes.io/memory-pressure", TaintEffect::kNoExecute)}))
                  .should_run);
  // A required node affinity term is honoured.
  PodSpec zoned = spec;
  zoned.node_affinity.has_required = true;
  zoned.node_affinity.required = {NodeSelectorTerm{{{"zone", SelectorOp::kIn, {"a"}}}, {}}};
  CHECK(node_should_run_daemon_pod(make_node("h", {{"disk", "ssd"}, {"zone", "a"}}), zoned)
            .should_run);
  CHECK_FALSE(node_should_run_daemon_pod(make_node("i", {{"disk", "ssd"}, {"zone", "b"}}), zoned)
                  .should_run);
}

TEST_CASE("daemonset: a failed daemon pod is replaced, with back-off") {
  DaemonCluster k;
  // Every agent pod fails 1 s after starting.
  k.fake->finishes = [](const Pod&) {
    return std::optional<kubesim::testing::Finish>({PodPhase::kFailed, Duration::seconds(1)});
  };
  const uint32_t ds = k.create(make_ds("agent"));
  k.run_until(Duration::seconds(60));
  // Per node (all nodes alike): a pod is created, bound 5 ms later, started
  // 2 s later, fails 1 s later, and the failure is seen 5 ms later: 3.010 s
  // from creation to the DaemonSet sync that sees it. Deleting a failed pod
  // removes it at once, and its replacement follows the Deleted event 5 ms
  // later. flowcontrol.Backoff(1 s, 15 min): the first failure is not in
  // back-off (delay := 1 s); a later one is in back-off if less than `delay`
  // has passed since the previous deletion, else delay doubles.
  //   pod 1: created 0,       failure seen  3.010, deleted (delay 1 s)
  //   pod 2: created  3.015,  seen  6.025 (3.015 s later >= 1): deleted, 2 s
  //   pod 3: created  6.030,  seen  9.040 (>= 2): deleted, 4 s
  //   pod 4: created  9.045,  seen 12.055 (< 4): re-sync after 4 s, at
  //          16.055 (>= 4): deleted, 8 s
  //   pod 5: created 16.060,  seen 19.070 (< 8): at 27.070 deleted, 16 s
  //   pod 6: created 27.075,  seen 30.085 (< 16): at 46.085 deleted, 32 s
  //   pod 7: created 46.090,  seen 49.100 (< 32): waits until 81.1 s.
  // So 7 pods per node by 60 s (without back-off it would be 60 / 3.015 = 19).
  std::map<uint32_t, int> per_node;
  for (const Pod& p : k.objects.pods)
    if (p.owner.index == ds && p.node.valid()) ++per_node[p.node.value];
  REQUIRE(per_node.size() == 4);
  for (const auto& [node, pods] : per_node) {
    CAPTURE(node);
    CHECK(pods == 7);
  }
}

TEST_CASE("daemonset: deleting the DaemonSet deletes its pods") {
  DaemonCluster k;
  const uint32_t ds = k.create(make_ds("agent"));
  k.run_until(Duration::seconds(10));
  k.api->remove<DaemonSet>(ds);
  k.run_until(Duration::seconds(15));
  for (const Pod& p : k.objects.pods)
    CHECK(p.status.deleted);
}
