// PodTopologySpread filtering: Kubernetes' tables TestSingleConstraint and
// TestMultipleConstraints from
// pkg/scheduler/framework/plugins/podtopologyspread/filtering_test.go (v1.30+),
// run as PreFilter once, then Filter per node. A node fails when
//   matching pods in its domain + self match - global minimum > maxSkew.
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include "models/scheduler/plugins/pod_topology_spread.h"
#include "tests/scheduler_affinity/affinity_test_cluster.h"

namespace kubesim {
namespace {

using namespace affinity_test;

constexpr auto kHard = WhenUnsatisfiable::kDoNotSchedule;
constexpr auto kOk = StatusCode::kSuccess;
constexpr auto kUnsched = StatusCode::kUnschedulable;
constexpr auto kUnresolvable = StatusCode::kUnschedulableAndUnresolvable;

// The four nodes most cases use: zone1 = {node-a, node-b}, zone2 = {node-x, node-y}.
std::vector<Node> four_nodes() {
  return {make_node("node-a", {{"zone", "zone1"}, {"node", "node-a"}}),
          make_node("node-b", {{"zone", "zone1"}, {"node", "node-b"}}),
          make_node("node-x", {{"zone", "zone2"}, {"node", "node-x"}}),
          make_node("node-y", {{"zone", "zone2"}, {"node", "node-y"}})};
}

// Matching pods (label foo) per node, e.g. {{"node-a", 2}, {"node-y", 3}}.
std::vector<Pod> foo_pods(const std::vector<std::pair<std::string, int>>& per_node) {
  std::vector<Pod> out;
  for (const auto& [node, count] : per_node) {
    for (int i = 0; i < count; ++i) {
      out.push_back(make_pod("p-" + node + "-" + std::to_string(i), {{"foo", ""}}, node));
    }
  }
  return out;
}

Pod incoming(Labels labels, std::vector<TopologySpreadConstraint> constraints) {
  Pod p = make_pod("p", std::move(labels));
  p.spec.topology_spread_constraints = std::move(constraints);
  return p;
}

struct FilterCase {
  std::string name;
  Pod pod;
  std::vector<Node> nodes;
  std::vector<Pod> existing;
  std::vector<StatusCode> want;  // per node, in order
};

std::vector<FilterCase> filter_cases() {
  const Labels foo{{"foo", ""}};
  const auto zone_foo = [](int32_t skew = 1) { return spread(skew, "zone", kHard, exists("foo")); };
  const auto node_foo = [](int32_t skew = 1) { return spread(skew, "node", kHard, exists("foo")); };
  const auto spread_2103 = [] { return foo_pods({{"node-a", 2}, {"node-b", 1}, {"node-y", 3}}); };
  std::vector<FilterCase> cases;

  // TestSingleConstraint.
  cases.push_back(
      {"no existing pods", incoming(foo, {zone_foo()}), four_nodes(), {}, {kOk, kOk, kOk, kOk}});
  cases.push_back({"no existing pods, incoming pod doesn't match itself",
                   incoming(foo, {spread(1, "zone", kHard, exists("bar"))}),
                   four_nodes(),
                   {},
                   {kOk, kOk, kOk, kOk}});
  {
    // zone1 has 0 pods of the pod's namespace, zone2 has 2: zone2 skew 2 + 1 - 0 = 3 > 1.
    std::vector<Pod> existing;
    existing.push_back(make_pod("p-a1", foo, "node-a", "ns1"));
    existing.push_back(make_pod("p-b1", foo, "node-a", "ns2"));
    existing.push_back(make_pod("p-x1", foo, "node-x"));
    existing.push_back(make_pod("p-y1", foo, "node-y"));
    cases.push_back({"existing pods in a different namespace do not count",
                     incoming(foo, {zone_foo()}),
                     four_nodes(),
                     existing,
                     {kOk, kOk, kUnsched, kUnsched}});
  }
  // 3/3: every zone has skew 3 + 1 - 3 = 1.
  cases.push_back({"pods spread across zones as 3/3, all nodes fit",
                   incoming(foo, {zone_foo()}),
                   four_nodes(),
                   spread_2103(),
                   {kOk, kOk, kOk, kOk}});
  {
    // node-b has "zon", not "zone": it is no domain (1/2) and fails as unresolvable;
    // zone2: 2 + 1 - 1 = 2 > 1.
    std::vector<Node> nodes = four_nodes();
    nodes[1].labels = {{"zon", "zone1"}, {"node", "node-b"}};
    cases.push_back({"pods spread across zones as 1/2 due to absence of label 'zone' on node-b",
                     incoming(foo, {zone_foo()}),
                     nodes,
                     foo_pods({{"node-a", 1}, {"node-b", 1}, {"node-x", 1}, {"node-y", 1}}),
                     {kOk, kUnresolvable, kUnsched, kUnsched}});
  }
  cases.push_back({"pod cannot be scheduled as all nodes don't have label 'rack'",
                   incoming(foo, {spread(1, "rack", kHard, exists("foo"))}),
                   {make_node("node-a", {{"zone", "zone1"}, {"node", "node-a"}}),
                    make_node("node-x", {{"zone", "zone2"}, {"node", "node-x"}})},
                   {},
                   {kUnresolvable, kUnresolvable}});
  // 2/1/0/3, min 0: skews 3, 2, 1, 4.
  cases.push_back({"pods spread across nodes as 2/1/0/3, only node-x fits",
                   incoming(foo, {node_foo()}),
                   four_nodes(),
                   spread_2103(),
                   {kUnsched, kUnsched, kOk, kUnsched}});
  cases.push_back({"pods spread across nodes as 2/1/0/3, maxSkew is 2, node-b and node-x fit",
                   incoming(foo, {node_foo(2)}),
                   four_nodes(),
                   spread_2103(),
                   {kUnsched, kOk, kOk, kUnsched}});
  // No self match: skews 2, 1, 0, 3.
  cases.push_back({"pods spread across nodes as 2/1/0/3, but pod doesn't match itself",
                   incoming({{"bar", ""}}, {node_foo()}),
                   four_nodes(),
                   spread_2103(),
                   {kUnsched, kOk, kOk, kUnsched}});
  {
    // Only node-a and node-y pass the pod's node affinity, so the domains are
    // 2/~1~/~0~/3 with min 2: node-a 2 + 1 - 2 = 1 fits, node-y 3 + 1 - 2 = 2 fails;
    // node-b and node-x are no domain (0 + 1 - 2 < 1: NodeAffinity rejects them in reality).
    Pod p = incoming(foo, {node_foo()});
    p.spec.node_affinity.has_required = true;
    NodeSelectorTerm t;
    t.match_expressions.push_back(req("node", SelectorOp::kIn, {"node-a", "node-y"}));
    p.spec.node_affinity.required.push_back(t);
    cases.push_back({"incoming pod has nodeAffinity, pods spread as 2/~1~/~0~/3, hence node-a fits",
                     p,
                     four_nodes(),
                     spread_2103(),
                     {kOk, kOk, kOk, kUnsched}});
  }

  // TestMultipleConstraints.
  // zone 3/3 lets every node pass; node 2/1/0/3 only node-x.
  cases.push_back({"two Constraints on zone and node, spreads = [3/3, 2/1/0/3]",
                   incoming(foo, {zone_foo(), node_foo()}),
                   four_nodes(),
                   spread_2103(),
                   {kUnsched, kUnsched, kOk, kUnsched}});
  // zone 3/4 (min 3): only zone1 fits; node 2/1/0/4: only node-x fits -> no node.
  cases.push_back({"two Constraints on zone and node, spreads = [3/4, 2/1/0/4]",
                   incoming(foo, {zone_foo(), node_foo()}),
                   four_nodes(),
                   foo_pods({{"node-a", 2}, {"node-b", 1}, {"node-y", 4}}),
                   {kUnsched, kUnsched, kUnsched, kUnsched}});
  const Labels foo_bar{{"foo", ""}, {"bar", ""}};
  const auto node_bar = [] { return spread(1, "node", kHard, exists("bar")); };
  {
    // zone (foo) 1/0: zone2 only; node (bar) 1/0/0/1: node-a, node-b, node-x -> node-x.
    std::vector<Pod> existing;
    existing.push_back(make_pod("p-a1", foo, "node-a"));
    existing.push_back(make_pod("p-y1", {{"bar", ""}}, "node-y"));
    cases.push_back({"Constraints hold different labelSelectors, spreads = [1/0, 1/0/0/1]",
                     incoming(foo_bar, {zone_foo(), node_bar()}),
                     four_nodes(),
                     existing,
                     {kUnsched, kUnsched, kOk, kUnsched}});
  }
  {
    // zone (foo) 2/3: zone1 only; node (bar) 1/0/0/1: node-b, node-x -> node-b.
    std::vector<Pod> existing;
    existing.push_back(make_pod("p-a1", foo, "node-a"));
    existing.push_back(make_pod("p-a2", foo_bar, "node-a"));
    existing.push_back(make_pod("p-y1", foo, "node-y"));
    existing.push_back(make_pod("p-y2", foo_bar, "node-y"));
    existing.push_back(make_pod("p-y3", foo, "node-y"));
    cases.push_back({"Constraints hold different labelSelectors, spreads = [2/3, 1/0/0/1]",
                     incoming(foo_bar, {zone_foo(), node_bar()}),
                     four_nodes(),
                     existing,
                     {kUnsched, kOk, kUnsched, kUnsched}});
  }
  {
    // node-x lacks "node": unresolvable, and no domain; zone 1/1 lets all pass;
    // node 1/0/-/1 (min 0): only node-b.
    std::vector<Node> nodes = four_nodes();
    nodes[2].labels = {{"zone", "zone2"}};
    std::vector<Pod> existing;
    existing.push_back(make_pod("p-a1", foo, "node-a"));
    existing.push_back(make_pod("p-y3", foo, "node-y"));
    cases.push_back(
        {"two Constraints on zone and node, absence of label 'node' on node-x, "
         "spreads = [1/1, 1/0/0/1]",
         incoming(foo, {zone_foo(), node_foo()}),
         nodes,
         existing,
         {kUnsched, kOk, kUnresolvable, kUnsched}});
  }
  return cases;
}

}  // namespace

TEST_CASE("scheduler: PodTopologySpread: filter matches filtering_test.go tables") {
  const std::vector<FilterCase> cases = filter_cases();
  REQUIRE(cases.size() >= 8);
  for (const FilterCase& tc : cases) {
    DYNAMIC_SECTION(tc.name) {
      AffinityTestCluster cluster;
      cluster.add_nodes(tc.nodes);
      cluster.add_pods(tc.existing);
      PodTopologySpread plugin{PluginArgs{}};
      CHECK(codes(run_filter(plugin, tc.pod, cluster.snapshot())) == tc.want);
    }
  }
}

TEST_CASE("scheduler: PodTopologySpread: filter reasons use Kubernetes' wording") {
  AffinityTestCluster cluster;
  cluster.add_node(make_node("node-a", {{"zone", "zone1"}}));
  cluster.add_node(make_node("node-b", {{"zone", "zone2"}}));
  cluster.add_node(make_node("node-c", {}));
  cluster.add_pods(foo_pods({{"node-a", 2}}));
  PodTopologySpread plugin{PluginArgs{}};
  const std::vector<Status> st =
      run_filter(plugin, incoming({{"foo", ""}}, {spread(1, "zone", kHard, exists("foo"))}),
                 cluster.snapshot());
  REQUIRE(st.size() == 3);
  CHECK(st[0].reasons ==
        std::vector<std::string>{"node(s) didn't match pod topology spread constraints"});
  CHECK(st[1].ok());
  CHECK(st[2].reasons ==
        std::vector<std::string>{
            "node(s) didn't match pod topology spread constraints (missing required label)"});
}

TEST_CASE("scheduler: PodTopologySpread: minDomains above the domain count makes the minimum 0") {
  // test/integration/scheduler/filters/filters_test.go TestPodTopologySpreadFilter:
  // "pods spread across nodes as 2/2/1, maxSkew is 2, and the number of domains <
  // minDomains, then the third node fits". node-0 is excluded by node affinity, so
  // 3 domains < minDomains 4 and the global minimum is 0: node-1 2 + 1 - 0 = 3 > 2,
  // node-2 likewise, node-3 1 + 1 = 2 fits. (node-0 is no domain, 0 + 1 <= 2: the
  // NodeAffinity plugin rejects it in the integration test.)
  AffinityTestCluster cluster;
  for (int i = 0; i < 4; ++i) {
    const std::string name = "node-" + std::to_string(i);
    cluster.add_node(make_node(name, {{"node", name}, {"zone", "zone-" + std::to_string(i / 2)}}));
  }
  cluster.add_pods(foo_pods({{"node-1", 2}, {"node-2", 2}, {"node-3", 1}}));
  Pod p = incoming({{"foo", ""}}, {spread(2, "node", kHard, exists("foo"), 4)});
  p.spec.node_affinity.has_required = true;
  NodeSelectorTerm t;
  t.match_expressions.push_back(req("node", SelectorOp::kNotIn, {"node-0"}));
  p.spec.node_affinity.required.push_back(t);
  PodTopologySpread plugin{PluginArgs{}};
  CHECK(codes(run_filter(plugin, p, cluster.snapshot())) ==
        std::vector<StatusCode>{kOk, kUnsched, kUnsched, kOk});
  // Without minDomains the minimum is 1: node-1 and node-2 have skew 2 and fit.
  p.spec.topology_spread_constraints[0].min_domains.reset();
  CHECK(codes(run_filter(plugin, p, cluster.snapshot())) ==
        std::vector<StatusCode>{kOk, kOk, kOk, kOk});
}

TEST_CASE("scheduler: PodTopologySpread: PreFilter skips pods without hard constraints") {
  AffinityTestCluster cluster;
  cluster.add_node(make_node("node-a", {{kLabelHostname, "node-a"}}));
  PodTopologySpread plugin{PluginArgs{}};
  CycleState state;
  // System defaults are ScheduleAnyway only.
  Pod owned = make_pod("p", {{"foo", ""}});
  owned.owner = OwnerRef{"ReplicaSet", "rs"};
  CHECK(plugin.pre_filter(state, owned, cluster.snapshot()).skip());
  const Pod soft = incoming({{"foo", ""}},
                            {spread(1, "zone", WhenUnsatisfiable::kScheduleAnyway, exists("foo"))});
  CHECK(plugin.pre_filter(state, soft, cluster.snapshot()).skip());
}

}  // namespace kubesim
