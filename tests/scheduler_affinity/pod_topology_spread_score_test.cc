// PodTopologySpread scoring: Kubernetes' table TestPodTopologySpreadScore from
// pkg/scheduler/framework/plugins/podtopologyspread/scoring_test.go (v1.30+),
// run through PreScore -> Score -> NormalizeScore as the Go test does: the
// snapshot holds nodes + failedNodes, PreScore sees only `nodes`.
//
// Raw score per node = round(sum over constraints of cnt * ln(domains + 2) + (maxSkew - 1));
// normalized = 100 * (max + min - raw) / max (integer division), ignored nodes 0.
#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

#include "models/scheduler/plugins/pod_topology_spread.h"
#include "tests/scheduler_affinity/affinity_test_cluster.h"

namespace kubesim {
namespace {

using namespace affinity_test;

constexpr auto kSoft = WhenUnsatisfiable::kScheduleAnyway;

LabelSelector foo_selector() {
  return exists("foo");
}
LabelSelector bar_selector() {
  return exists("bar");
}

Node host(const std::string& name) {
  return make_node(name, {{kLabelHostname, name}});
}
Node zone_host(const std::string& name, const std::string& zone) {
  return make_node(name, {{"zone", zone}, {kLabelHostname, name}});
}
Node node_label(const std::string& name, Labels extra = {}) {
  extra["node"] = name;
  return make_node(name, std::move(extra));
}

// `count` pods with `labels` bound to `node`.
std::vector<Pod> pods_on(const std::string& node, int count, Labels labels = {{"foo", ""}}) {
  std::vector<Pod> out;
  for (int i = 0; i < count; ++i) {
    out.push_back(make_pod("p-" + node + "-" + std::to_string(i), labels, node));
  }
  return out;
}

std::vector<Pod> concat(std::vector<std::vector<Pod>> groups) {
  std::vector<Pod> out;
  for (auto& g : groups) {
    for (Pod& p : g)
      out.push_back(std::move(p));
  }
  return out;
}

Pod incoming(Labels labels, std::vector<TopologySpreadConstraint> constraints) {
  Pod p = make_pod("p", std::move(labels));
  p.spec.topology_spread_constraints = std::move(constraints);
  return p;
}

struct ScoreCase {
  std::string name;
  Pod pod;
  std::vector<Pod> existing;
  std::vector<Node> nodes;         // candidates (passed PreScore)
  std::vector<Node> failed_nodes;  // in the snapshot, not candidates
  std::vector<int64_t> want;       // normalized, per candidate
};

std::vector<ScoreCase> score_cases() {
  std::vector<ScoreCase> cases;
  const Labels foo{{"foo", ""}};
  const Labels foo_bar{{"foo", ""}, {"bar", ""}};
  const Labels bar{{"bar", ""}};
  const auto four_hosts = [] {
    return std::vector<Node>{host("node-a"), host("node-b"), host("node-c"), host("node-d")};
  };

  // Weights: hostname over 2 candidates ln(4) = 1.386; raw 0 everywhere -> max 0 -> 100.
  cases.push_back({"one constraint on node, no existing pods",
                   incoming(foo, {spread(1, kLabelHostname, kSoft, foo_selector())}),
                   {},
                   {host("node-a"), host("node-b")},
                   {},
                   {100, 100}});
  // One candidate: raw round(2 * ln(3)) = 2 = max = min -> 100 * (2 + 2 - 2) / 2 = 100.
  cases.push_back({"one constraint on node, only one node is candidate",
                   incoming(foo, {spread(1, kLabelHostname, kSoft, foo_selector())}),
                   concat({pods_on("node-a", 2), pods_on("node-b", 1)}),
                   {host("node-a")},
                   {host("node-b")},
                   {100}});
  cases.push_back({"one constraint on node, all nodes have the same number of matching pods",
                   incoming(foo, {spread(1, kLabelHostname, kSoft, foo_selector())}),
                   concat({pods_on("node-a", 1), pods_on("node-b", 1)}),
                   {host("node-a"), host("node-b")},
                   {},
                   {100, 100}});
  // 2/1/0/3, w = ln(6) = 1.792: raw 4, 2, 0, 5; max 5, min 0:
  // 100*(5-4)/5 = 20, 100*3/5 = 60, 100, 0.
  cases.push_back({"one constraint on node, all 4 nodes are candidates",
                   incoming(foo, {spread(1, kLabelHostname, kSoft, foo_selector())}),
                   concat({pods_on("node-a", 2), pods_on("node-b", 1), pods_on("node-d", 3)}),
                   four_hosts(),
                   {},
                   {20, 60, 100, 0}});
  // A nil selector matches no pod: raw 0 everywhere.
  cases.push_back({"one constraint on node, null selector",
                   incoming(foo, {spread(1, kLabelHostname, kSoft, std::nullopt)}),
                   concat({pods_on("node-a", 2), pods_on("node-b", 1), pods_on("node-d", 3)}),
                   four_hosts(),
                   {},
                   {100, 100, 100, 100}});
  // maxSkew 2 adds 1: raw 5, 3, 1, 6; max 6, min 1: 100*2/6 = 33, 66, 100, 16.
  cases.push_back({"one constraint on node, all 4 nodes are candidates, maxSkew=2",
                   incoming(foo, {spread(2, kLabelHostname, kSoft, foo_selector())}),
                   concat({pods_on("node-a", 2), pods_on("node-b", 1), pods_on("node-d", 3)}),
                   four_hosts(),
                   {},
                   {33, 66, 100, 16}});
  // 4/3/2/1, maxSkew 3 adds 2: raw 9.17->9, 7.38->7, 5.58->6, 3.79->4; max 9, min 4:
  // 100*4/9 = 44, 100*6/9 = 66, 100*7/9 = 77, 100.
  cases.push_back({"one constraint on node, all 4 nodes are candidates, maxSkew=3",
                   incoming(foo, {spread(3, kLabelHostname, kSoft, foo_selector())}),
                   concat({pods_on("node-a", 4), pods_on("node-b", 3), pods_on("node-c", 2),
                           pods_on("node-d", 1)}),
                   four_hosts(),
                   {},
                   {44, 66, 77, 100}});
  {
    // The Go case selects the pods through a Service; kubesim takes the default
    // selector from an owned pod's labels (see pod_topology_spread_common.cc), so
    // the incoming pod has an owner here. System defaults: hostname maxSkew 3
    // (zone maxSkew 5 does not score: no node has a zone). Same as maxSkew=3 above.
    Pod p = make_pod("p", foo);
    p.owner = OwnerRef{"ReplicaSet", "rs1"};
    cases.push_back({"system defaulting, nodes don't have zone, pods match service",
                     p,
                     concat({pods_on("node-a", 4), pods_on("node-b", 3), pods_on("node-c", 2),
                             pods_on("node-d", 1)}),
                     four_hosts(),
                     {},
                     {44, 66, 77, 100}});
  }
  // 4/2/1/~3~: 3 candidates, w = ln(5) = 1.609: raw 6, 3, 2; max 6, min 2:
  // 100*2/6 = 33, 100*5/6 = 83, 100.
  cases.push_back({"one constraint on node, 3 out of 4 nodes are candidates",
                   incoming(foo, {spread(1, kLabelHostname, kSoft, foo_selector())}),
                   concat({pods_on("node-a", 4), pods_on("node-b", 2), pods_on("node-x", 1),
                           pods_on("node-y", 3)}),
                   {host("node-a"), host("node-b"), host("node-x")},
                   {host("node-y")},
                   {33, 83, 100}});
  // 4/?2?/1/~3~: node-b lacks the key and is ignored; w = ln(2 + 2): raw 6, -, 1;
  // max 6, min 1: 100*1/6 = 16, ignored 0, 100.
  cases.push_back(
      {"one constraint on node, 3 out of 4 nodes are candidates, one node doesn't "
       "match topology key",
       incoming(foo, {spread(1, kLabelHostname, kSoft, foo_selector())}),
       concat({pods_on("node-a", 4), pods_on("node-b", 2), pods_on("node-x", 1),
               pods_on("node-y", 3)}),
       {host("node-a"), make_node("node-b", {{"n", "node-b"}}), host("node-x")},
       {host("node-y")},
       {16, 0, 100}});
  // Zones: zone1 = 4 + 2 = 6, zone2 = 1 + 3 = 4 (node-y counts though not a
  // candidate); w = ln(4): raw 8, 8, 6; max 8, min 6: 100*6/8 = 75, 75, 100.
  cases.push_back(
      {"one constraint on zone, 3 out of 4 nodes are candidates",
       incoming(foo, {spread(1, "zone", kSoft, foo_selector())}),
       concat({pods_on("node-a", 4), pods_on("node-b", 2), pods_on("node-x", 1),
               pods_on("node-y", 3)}),
       {zone_host("node-a", "zone1"), zone_host("node-b", "zone1"), zone_host("node-x", "zone2")},
       {zone_host("node-y", "zone2")},
       {75, 75, 100}});
  // zone: 3/6, w ln(4) = 1.386; node: 2/2 on the candidates, w ln(4):
  // raw a = 4.16 + 2.77 = 6.93 -> 7, x = 8.32 + 2.77 = 11.09 -> 11; 100, 100*7/11 = 63.
  cases.push_back({"two Constraints on zone and node, 2 out of 4 nodes are candidates",
                   incoming(foo, {spread(1, "zone", kSoft, foo_selector()),
                                  spread(1, kLabelHostname, kSoft, foo_selector())}),
                   concat({pods_on("node-a", 2), pods_on("node-b", 1), pods_on("node-x", 2),
                           pods_on("node-y", 4)}),
                   {zone_host("node-a", "zone1"), zone_host("node-x", "zone2")},
                   {zone_host("node-b", "zone1"), zone_host("node-y", "zone2")},
                   {100, 63}});
  {
    // Counts run over all nodes, candidates or not. foo: zone1 = a1, a2, b1 = 3,
    // zone2 = y1, y2, y3 = 3; bar: zone1 = a1, b1 = 2, zone2 = y2 = 1; w = ln(4) = 1.386:
    // raw a = 5 * 1.386 = 6.93 -> 7, x = 4 * 1.386 = 5.55 -> 6;
    // 100 * (7 + 6 - 7) / 7 = 85, 100 * (7 + 6 - 6) / 7 = 100.
    std::vector<Pod> existing;
    existing.push_back(make_pod("p-a1", foo_bar, "node-a"));
    existing.push_back(make_pod("p-a2", foo, "node-a"));
    existing.push_back(make_pod("p-b1", foo_bar, "node-b"));
    existing.push_back(make_pod("p-y1", foo, "node-y"));
    existing.push_back(make_pod("p-y2", foo_bar, "node-y"));
    existing.push_back(make_pod("p-y3", foo, "node-y"));
    cases.push_back(
        {"two Constraints on zone, 2 out of 4 nodes are candidates",
         incoming(foo_bar, {spread(1, "zone", kSoft, foo_selector()),
                            spread(1, "zone", kSoft, bar_selector())}),
         existing,
         {make_node("node-a", {{"zone", "zone1"}}), make_node("node-x", {{"zone", "zone2"}})},
         {make_node("node-b", {{"zone", "zone1"}}), make_node("node-y", {{"zone", "zone2"}})},
         {85, 100}});
  }
  {
    // zone (foo): 2/2/1/1 by node's zone; node (bar): 0/1/0/1. w zone ln(4), node ln(6):
    // raw a = 2.77 -> 3, b = 2.77 + 1.79 -> 5, x = 1.39 -> 1, y = 1.39 + 1.79 -> 3;
    // max 5, min 1: 60, 20, 100, 60.
    std::vector<Pod> existing;
    existing.push_back(make_pod("p-a1", foo, "node-a"));
    existing.push_back(make_pod("p-b1", foo_bar, "node-b"));
    existing.push_back(make_pod("p-y1", foo, "node-y"));
    existing.push_back(make_pod("p-y2", bar, "node-y"));
    cases.push_back({"two Constraints on zone and node, with different labelSelectors",
                     incoming(foo_bar, {spread(1, "zone", kSoft, foo_selector()),
                                        spread(1, kLabelHostname, kSoft, bar_selector())}),
                     existing,
                     {zone_host("node-a", "zone1"), zone_host("node-b", "zone1"),
                      zone_host("node-x", "zone2"), zone_host("node-y", "zone2")},
                     {},
                     {60, 20, 100, 60}});
    // Only 3 candidates: zone w ln(4) (2 zones), node w ln(5): raw a = 2.77 -> 3,
    // b = 2.77 + 1.61 -> 4, x = 1.39 -> 1; max 4, min 1: 50, 25, 100.
    cases.push_back(
        {"two Constraints on zone and node, with different labelSelectors, 3 out of 4 "
         "nodes are candidates",
         incoming(foo_bar, {spread(1, "zone", kSoft, foo_selector()),
                            spread(1, kLabelHostname, kSoft, bar_selector())}),
         existing,
         {zone_host("node-a", "zone1"), zone_host("node-b", "zone1"), zone_host("node-x", "zone2")},
         {zone_host("node-y", "zone2")},
         {50, 25, 100}});
  }
  {
    // zone (foo): 0/0/2/2; node (bar): 0/1/0/1: raw a = 0, b = 1.79 -> 2,
    // x = 2.77 -> 3, y = 2.77 + 1.79 -> 5; max 5, min 0: 100, 60, 40, 0.
    std::vector<Pod> existing;
    existing.push_back(make_pod("p-b1", bar, "node-b"));
    existing.push_back(make_pod("p-x1", foo, "node-x"));
    existing.push_back(make_pod("p-y1", foo_bar, "node-y"));
    cases.push_back(
        {"two Constraints on zone and node, with different labelSelectors, some nodes "
         "have 0 pods",
         incoming(foo_bar, {spread(1, "zone", kSoft, foo_selector()),
                            spread(1, kLabelHostname, kSoft, bar_selector())}),
         existing,
         {zone_host("node-a", "zone1"), zone_host("node-b", "zone1"), zone_host("node-x", "zone2"),
          zone_host("node-y", "zone2")},
         {},
         {100, 60, 40, 0}});
  }
  {
    // The ns1 pod does not count: 1/2 -> raw 1.39 -> 1, 2.77 -> 3; max 3, min 1: 100, 33.
    std::vector<Pod> existing;
    existing.push_back(make_pod("p-a1", foo, "node-a", "ns1"));
    existing.push_back(make_pod("p-a2", foo, "node-a"));
    existing.push_back(make_pod("p-b1", foo, "node-b"));
    existing.push_back(make_pod("p-b2", foo, "node-b"));
    cases.push_back({"existing pods in a different namespace do not count",
                     incoming(foo, {spread(1, kLabelHostname, kSoft, foo_selector())}),
                     existing,
                     {host("node-a"), host("node-b")},
                     {},
                     {100, 33}});
  }
  // minDomains is a filter-only concept: 2/2/1 on key "node", w ln(5), maxSkew 2:
  // raw 3.22 + 1 -> 4, 4, 1.61 + 1 -> 3; max 4, min 3: 75, 75, 100.
  cases.push_back({"minDomains has no effect when ScheduleAnyway",
                   incoming(foo, {spread(2, "node", kSoft, foo_selector(), 10)}),
                   concat({pods_on("node-a", 2), pods_on("node-b", 2), pods_on("node-c", 1)}),
                   {node_label("node-a"), node_label("node-b"), node_label("node-c")},
                   {},
                   {75, 75, 100}});
  {
    // nodeAffinityPolicy Honor (default): node-c fails the pod's nodeSelector, so
    // its pod is not counted: 2/1/0, w ln(5): raw 3, 2, 0; 0, 33, 100.
    Pod p = incoming(foo, {spread(1, "node", kSoft, foo_selector())});
    p.spec.node_selector = {{"foo", ""}};
    const std::vector<Node> nodes{node_label("node-a", {{"foo", ""}}),
                                  node_label("node-b", {{"foo", ""}}), node_label("node-c")};
    const std::vector<Pod> existing =
        concat({pods_on("node-a", 2), pods_on("node-b", 1), pods_on("node-c", 1)});
    cases.push_back(
        {"NodeAffinityPolicy honoed with labelSelectors", p, existing, nodes, {}, {0, 33, 100}});
    // Ignore: node-c's pod counts: 2/1/1: raw 3, 2, 2; max 3, min 2: 66, 100, 100.
    p.spec.topology_spread_constraints[0].node_affinity_policy = NodeInclusionPolicy::kIgnore;
    cases.push_back(
        {"NodeAffinityPolicy ignored with labelSelectors", p, existing, nodes, {}, {66, 100, 100}});
  }
  {
    // nodeTaintsPolicy Honor: node-c's untolerated NoSchedule taint leaves its pod
    // uncounted (0, 33, 100); the default Ignore counts it (66, 100, 100).
    const Taint taint{"node.kubernetes.io/unschedulable", "", TaintEffect::kNoSchedule, {}};
    const std::vector<Node> nodes{node_label("node-a"), node_label("node-b"),
                                  make_node("node-c", {{"node", "node-c"}}, {taint})};
    const std::vector<Pod> existing =
        concat({pods_on("node-a", 2), pods_on("node-b", 1), pods_on("node-c", 1)});
    Pod honor = incoming(foo, {spread(1, "node", kSoft, foo_selector())});
    honor.spec.topology_spread_constraints[0].node_taints_policy = NodeInclusionPolicy::kHonor;
    cases.push_back({"NodeTaintsPolicy honored", honor, existing, nodes, {}, {0, 33, 100}});
    cases.push_back({"NodeTaintsPolicy ignored",
                     incoming(foo, {spread(1, "node", kSoft, foo_selector())}),
                     existing,
                     nodes,
                     {},
                     {66, 100, 100}});
  }
  {
    // Empty selectors with matchLabelKeys foo / bar become foo="" / bar="":
    // zone (foo): 2/2/1/1, node (bar): 0/1/1/0: raw 3, 5, 3, 1; max 5, min 1:
    // 60, 20, 60, 100.
    std::vector<Pod> existing;
    existing.push_back(make_pod("p-a1", foo, "node-a"));
    existing.push_back(make_pod("p-b1", foo_bar, "node-b"));
    existing.push_back(make_pod("p-y1", foo, "node-c"));
    existing.push_back(make_pod("p-y2", bar, "node-c"));
    Pod p = incoming(foo_bar, {spread(1, "zone", kSoft, LabelSelector{}),
                               spread(1, kLabelHostname, kSoft, LabelSelector{})});
    p.spec.topology_spread_constraints[0].match_label_keys = {"foo"};
    p.spec.topology_spread_constraints[1].match_label_keys = {"bar"};
    cases.push_back({"matchLabelKeys ANDed with LabelSelector when LabelSelector is empty",
                     p,
                     existing,
                     {zone_host("node-a", "zone1"), zone_host("node-b", "zone1"),
                      zone_host("node-c", "zone2"), zone_host("node-d", "zone2")},
                     {},
                     {60, 20, 60, 100}});
  }
  {
    // node constraint bar AND baz="": only p-b1 (node-b) and p-d3 (node-c) match.
    std::vector<Pod> existing;
    existing.push_back(make_pod("p-a1", foo, "node-a"));
    existing.push_back(make_pod("p-b1", {{"foo", ""}, {"bar", ""}, {"baz", ""}}, "node-b"));
    existing.push_back(make_pod("p-c1", foo, "node-c"));
    existing.push_back(make_pod("p-c2", bar, "node-c"));
    existing.push_back(make_pod("p-d3", {{"bar", ""}, {"baz", ""}}, "node-c"));
    Pod p = incoming({{"foo", ""}, {"bar", ""}, {"baz", ""}},
                     {spread(1, "zone", kSoft, foo_selector()),
                      spread(1, kLabelHostname, kSoft, bar_selector())});
    p.spec.topology_spread_constraints[1].match_label_keys = {"baz"};
    cases.push_back({"matchLabelKeys ANDed with LabelSelector when LabelSelector isn't empty",
                     p,
                     existing,
                     {zone_host("node-a", "zone1"), zone_host("node-b", "zone1"),
                      zone_host("node-c", "zone2"), zone_host("node-d", "zone2")},
                     {},
                     {60, 20, 60, 100}});
  }
  return cases;
}

}  // namespace

TEST_CASE("scheduler: PodTopologySpread: scores match scoring_test.go TestPodTopologySpreadScore") {
  const std::vector<ScoreCase> cases = score_cases();
  REQUIRE(cases.size() >= 8);
  for (const ScoreCase& tc : cases) {
    DYNAMIC_SECTION(tc.name) {
      AffinityTestCluster cluster;
      std::vector<std::string> feasible;
      for (const Node& n : tc.nodes) {
        feasible.push_back(n.name);
        cluster.add_node(n);
      }
      for (const Node& n : tc.failed_nodes)
        cluster.add_node(n);
      cluster.add_pods(tc.existing);
      PodTopologySpread plugin{PluginArgs{}};  // SystemDefaulting, as the Go test
      const ScoreResult r = run_score(plugin, tc.pod, cluster.snapshot(), feasible);
      REQUIRE(r.pre_score.ok());
      CHECK(r.normalized == tc.want);
    }
  }
}

TEST_CASE("scheduler: PodTopologySpread: PreScore skips pods without soft constraints") {
  // scoring_test.go TestPreScoreSkip: "the pod doesn't have soft topology spread
  // Constraints" (List defaulting, no defaults).
  AffinityTestCluster cluster;
  cluster.add_node(host("node-a"));
  cluster.add_node(host("node-b"));
  PluginArgs args;
  args.spread_system_defaulting = false;
  PodTopologySpread plugin{args};
  CHECK(run_score(plugin, make_pod("p", {}), cluster.snapshot()).pre_score.skip());
  // System defaulting, but the pod has no owner: no default selector, nothing to spread.
  PodTopologySpread defaulted{PluginArgs{}};
  CHECK(run_score(defaulted, make_pod("p", {{"foo", ""}}), cluster.snapshot()).pre_score.skip());
  // A hard constraint alone does not score.
  const Pod hard =
      incoming({{"foo", ""}},
               {spread(1, kLabelHostname, WhenUnsatisfiable::kDoNotSchedule, foo_selector())});
  CHECK(run_score(plugin, hard, cluster.snapshot()).pre_score.skip());
}

TEST_CASE("scheduler: PodTopologySpread: system default zone constraint spreads across zones") {
  // kubesim case (not from Kubernetes): an owned pod with no constraints gets
  // hostname/3 and zone/5. zone-a holds 3 matching pods on node-a1, zone-b none.
  // Hostname w = ln(3 + 2) = 1.609, zone w = ln(2 + 2) = 1.386:
  // node-a1 = 3*1.609 + 2 + 3*1.386 + 4 = 14.99 -> 15; node-a2 = 0 + 2 + 4.16 + 4 = 10.16 -> 10;
  // node-b1 = 2 + 4 = 6. max 15, min 6: 100*(21-15)/15 = 40, 100*11/15 = 73, 100.
  AffinityTestCluster cluster;
  cluster.add_node(make_node("node-a1", {{kLabelHostname, "node-a1"}, {kLabelZone, "zone-a"}}));
  cluster.add_node(make_node("node-a2", {{kLabelHostname, "node-a2"}, {kLabelZone, "zone-a"}}));
  cluster.add_node(make_node("node-b1", {{kLabelHostname, "node-b1"}, {kLabelZone, "zone-b"}}));
  cluster.add_pods(pods_on("node-a1", 3, {{"app", "web"}}));
  Pod p = make_pod("web-new", {{"app", "web"}});
  p.owner = OwnerRef{"ReplicaSet", "web-abc"};
  PodTopologySpread plugin{PluginArgs{}};
  const ScoreResult r = run_score(plugin, p, cluster.snapshot());
  REQUIRE(r.pre_score.ok());
  CHECK(r.raw == std::vector<int64_t>{15, 10, 6});
  CHECK(r.normalized == std::vector<int64_t>{40, 73, 100});
}

}  // namespace kubesim
