// TaintToleration, NodeAffinity and ImageLocality, reproducing
//   pkg/scheduler/framework/plugins/tainttoleration/taint_toleration_test.go
//   pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go
//   pkg/scheduler/framework/plugins/imagelocality/image_locality_test.go
// Not reproduced: the alpha Gt/Lt toleration operators
// (TaintTolerationComparisonOperators), NodeAffinityArgs.AddedAffinity, and
// label-validation errors (invalid keys/values are rejected by the loader).
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "models/scheduler/plugins/image_locality.h"
#include "models/scheduler/plugins/node_affinity.h"
#include "models/scheduler/plugins/taint_toleration.h"
#include "test_cluster.h"

using namespace kubesim;
using namespace kubesim::plugin_test;

namespace {

Taint taint(std::string key, std::string value, TaintEffect effect) {
  return Taint{std::move(key), std::move(value), effect, {}};
}
Toleration tol_equal(std::string key, std::string value, std::optional<TaintEffect> effect) {
  Toleration t;
  t.key = std::move(key);
  t.op = TolerationOp::kEqual;
  t.value = std::move(value);
  t.effect = effect;
  return t;
}
Toleration tol_exists(std::string key, std::optional<TaintEffect> effect) {
  Toleration t;
  t.key = std::move(key);
  t.op = TolerationOp::kExists;
  t.effect = effect;
  return t;
}
Node tainted(std::string name, std::vector<Taint> taints) {
  Node n = make_node(std::move(name));
  n.taints = std::move(taints);
  return n;
}
Pod tolerating(std::initializer_list<Toleration> ts) {
  Pod p = PodBuilder("pod1");
  p.spec.tolerations.assign(ts.begin(), ts.end());
  return p;
}

constexpr TaintEffect kNoSchedule = TaintEffect::kNoSchedule;
constexpr TaintEffect kPrefer = TaintEffect::kPreferNoSchedule;

}  // namespace

TEST_CASE("scheduler: TaintToleration: Score matches TestTaintTolerationScore") {
  struct Case {
    std::string name;
    Pod pod;
    std::vector<Node> nodes;
    std::vector<int64_t> want;
  };
  const std::vector<Case> cases = {
      {"node with taints tolerated by the pod, gets a higher score than those node with "
       "intolerable taints",
       tolerating({tol_equal("foo", "bar", kPrefer)}),
       {tainted("nodeA", {taint("foo", "bar", kPrefer)}),
        tainted("nodeB", {taint("foo", "blah", kPrefer)})},
       {100, 0}},
      {"the nodes that all of their taints are tolerated by the pod, get the same score, no "
       "matter how many tolerable taints a node has",
       tolerating(
           {tol_equal("cpu-type", "arm64", kPrefer), tol_equal("disk-type", "ssd", kPrefer)}),
       {tainted("nodeA", {}), tainted("nodeB", {taint("cpu-type", "arm64", kPrefer)}),
        tainted("nodeC",
                {taint("cpu-type", "arm64", kPrefer), taint("disk-type", "ssd", kPrefer)})},
       {100, 100, 100}},
      // raw 0, 1, 2 untolerated; reversed: 100 - 100*raw/2.
      {"the more intolerable taints a node has, the lower score it gets.",
       tolerating({tol_equal("foo", "bar", kPrefer)}),
       {tainted("nodeA", {}), tainted("nodeB", {taint("cpu-type", "arm64", kPrefer)}),
        tainted("nodeC",
                {taint("cpu-type", "arm64", kPrefer), taint("disk-type", "ssd", kPrefer)})},
       {100, 50, 0}},
      {"only taints and tolerations that have effect PreferNoSchedule are checked by "
       "taints-tolerations priority function",
       tolerating({tol_equal("cpu-type", "arm64", kNoSchedule),
                   tol_equal("disk-type", "ssd", kNoSchedule)}),
       {tainted("nodeA", {}), tainted("nodeB", {taint("cpu-type", "arm64", kNoSchedule)}),
        tainted("nodeC",
                {taint("cpu-type", "arm64", kPrefer), taint("disk-type", "ssd", kPrefer)})},
       {100, 100, 0}},
      {"Default behaviour No taints and tolerations, lands on node with no taints",
       tolerating({}),
       {tainted("nodeA", {}), tainted("nodeB", {taint("cpu-type", "arm64", kPrefer)})},
       {100, 0}},
  };
  for (const Case& c : cases) {
    SECTION(c.name) {
      PluginTestCluster cluster;
      for (const Node& n : c.nodes)
        cluster.add_node(n);
      auto plugin = make_taint_toleration(PluginArgs{});
      const ScoreRun r = run_score(*plugin, c.pod, cluster.snapshot());
      REQUIRE(r.pre_score.ok());
      CHECK(r.normalized == c.want);
    }
  }
}

TEST_CASE("scheduler: TaintToleration: Filter matches TestTaintTolerationFilter") {
  struct Case {
    std::string name;
    Pod pod;
    Node node;
    bool fits;
  };
  const std::vector<Case> cases = {
      {"A pod having no tolerations can't be scheduled onto a node with nonempty taints",
       tolerating({}), tainted("nodeA", {taint("dedicated", "user1", kNoSchedule)}), false},
      {"A pod which can be scheduled on a dedicated node assigned to user1 with effect NoSchedule",
       tolerating({tol_equal("dedicated", "user1", kNoSchedule)}),
       tainted("nodeA", {taint("dedicated", "user1", kNoSchedule)}), true},
      {"A pod which can't be scheduled on a dedicated node assigned to user2 with effect "
       "NoSchedule",
       tolerating({tol_equal("dedicated", "user2", kNoSchedule)}),
       tainted("nodeA", {taint("dedicated", "user1", kNoSchedule)}), false},
      {"A pod can be scheduled onto the node, with a toleration uses operator Exists that "
       "tolerates the taints on the node",
       tolerating({tol_exists("foo", kNoSchedule)}),
       tainted("nodeA", {taint("foo", "bar", kNoSchedule)}), true},
      {"A pod has multiple tolerations, node has multiple taints, all the taints are tolerated, "
       "pod can be scheduled onto the node",
       tolerating({tol_equal("dedicated", "user2", kNoSchedule), tol_exists("foo", kNoSchedule)}),
       tainted("nodeA",
               {taint("dedicated", "user2", kNoSchedule), taint("foo", "bar", kNoSchedule)}),
       true},
      {"A pod has a toleration that keys and values match the taint on the node, but (non-empty) "
       "effect doesn't match, can't be scheduled onto the node",
       tolerating({tol_equal("foo", "bar", kPrefer)}),
       tainted("nodeA", {taint("foo", "bar", kNoSchedule)}), false},
      {"The pod has a toleration that keys and values match the taint on the node, the effect of "
       "toleration is empty, and the effect of taint is NoSchedule. Pod can be scheduled onto the "
       "node",
       tolerating({tol_equal("foo", "bar", std::nullopt)}),
       tainted("nodeA", {taint("foo", "bar", kNoSchedule)}), true},
      {"The pod has a toleration that key and value don't match the taint on the node, but the "
       "effect of taint on node is PreferNoSchedule. Pod can be scheduled onto the node",
       tolerating({tol_equal("dedicated", "user2", kNoSchedule)}),
       tainted("nodeA", {taint("dedicated", "user1", kPrefer)}), true},
      {"The pod has no toleration, but the effect of taint on node is PreferNoSchedule. Pod can be "
       "scheduled onto the node",
       tolerating({}), tainted("nodeA", {taint("dedicated", "user1", kPrefer)}), true},
  };
  auto plugin = make_taint_toleration(PluginArgs{});
  for (const Case& c : cases) {
    SECTION(c.name) {
      PluginTestCluster cluster;
      cluster.add_node(c.node);
      const Status s = run_filter(*plugin, c.pod, cluster.snapshot()).at(0);
      CHECK(s.ok() == c.fits);
      if (!c.fits) CHECK(s.code == StatusCode::kUnschedulableAndUnresolvable);
    }
  }
  SECTION("the reason names the first untolerated taint (v1.24-v1.34 wording)") {
    PluginTestCluster cluster;
    cluster.add_node(tainted("nodeA", {taint("dedicated", "user1", kNoSchedule)}));
    const Status s = run_filter(*plugin, tolerating({}), cluster.snapshot()).at(0);
    CHECK(s.reasons ==
          std::vector<std::string>{"node(s) had untolerated taint {dedicated: user1}"});
  }
}

namespace {

SelectorRequirement req(std::string key, SelectorOp op, std::vector<std::string> values = {}) {
  return SelectorRequirement{std::move(key), op, std::move(values)};
}
NodeSelectorTerm term(std::vector<SelectorRequirement> exprs,
                      std::vector<SelectorRequirement> fields = {}) {
  NodeSelectorTerm t;
  t.match_expressions = std::move(exprs);
  t.match_fields = std::move(fields);
  return t;
}
Pod required(std::vector<NodeSelectorTerm> terms, Labels node_selector = {}) {
  Pod p = PodBuilder();
  p.spec.node_affinity.has_required = true;
  p.spec.node_affinity.required = std::move(terms);
  p.spec.node_selector = std::move(node_selector);
  return p;
}
Pod selector(Labels node_selector) {
  Pod p = PodBuilder();
  p.spec.node_selector = std::move(node_selector);
  return p;
}
Node labelled(std::string name, Labels labels) {
  Node n = make_node(std::move(name));
  for (auto& [k, v] : labels)
    n.labels[k] = v;
  return n;
}

}  // namespace

TEST_CASE("scheduler: NodeAffinity: Filter matches TestNodeAffinity") {
  struct Case {
    std::string name;
    Pod pod;
    Labels labels;
    std::string node_name = "node1";
    StatusCode code = StatusCode::kSuccess;
    bool pre_filter_skip = false;
  };
  constexpr StatusCode kFail = StatusCode::kUnschedulableAndUnresolvable;
  const std::vector<Case> cases = {
      {"missing labels", selector({{"foo", "bar"}}), {}, "node1", kFail},
      {"same labels", selector({{"foo", "bar"}}), {{"foo", "bar"}}},
      {"node labels are superset", selector({{"foo", "bar"}}), {{"foo", "bar"}, {"baz", "blah"}}},
      {"node labels are subset",
       selector({{"foo", "bar"}, {"baz", "blah"}}),
       {{"foo", "bar"}},
       "node1",
       kFail},
      {"Pod with matchExpressions using In operator that matches the existing node",
       required({term({req("foo", SelectorOp::kIn, {"bar", "value2"})})}),
       {{"foo", "bar"}}},
      {"Pod with matchExpressions using Gt operator that matches the existing node",
       required({term({req("kernel-version", SelectorOp::kGt, {"0204"})})}),
       {{"kernel-version", "0206"}}},
      {"Pod with matchExpressions using NotIn operator that matches the existing node",
       required({term({req("mem-type", SelectorOp::kNotIn, {"DDR", "DDR2"})})}),
       {{"mem-type", "DDR3"}}},
      {"Pod with matchExpressions using Exists operator that matches the existing node",
       required({term({req("GPU", SelectorOp::kExists)})}),
       {{"GPU", "NVIDIA-GRID-K1"}}},
      {"Pod with affinity that don't match node's labels won't schedule onto the node",
       required({term({req("foo", SelectorOp::kIn, {"value1", "value2"})})}),
       {{"foo", "bar"}},
       "node1",
       kFail},
      {"Pod with empty MatchExpressions is not a valid value will match no objects and won't "
       "schedule onto the node",
       required({term({})}),
       {{"foo", "bar"}},
       "node1",
       kFail},
      {"Pod with no Affinity will schedule onto a node",
       PodBuilder(),
       {{"foo", "bar"}},
       "node1",
       StatusCode::kSuccess,
       true},
      {"Pod with multiple matchExpressions ANDed that matches the existing node",
       required({term(
           {req("GPU", SelectorOp::kExists), req("GPU", SelectorOp::kNotIn, {"AMD", "INTER"})})}),
       {{"GPU", "NVIDIA-GRID-K1"}}},
      {"Pod with multiple matchExpressions ANDed that doesn't match the existing node",
       required({term(
           {req("GPU", SelectorOp::kExists), req("GPU", SelectorOp::kIn, {"AMD", "INTER"})})}),
       {{"GPU", "NVIDIA-GRID-K1"}},
       "node1",
       kFail},
      {"Pod with multiple NodeSelectorTerms ORed in affinity, matches the node's labels and will "
       "schedule onto the node",
       required({term({req("foo", SelectorOp::kIn, {"bar", "value2"})}),
                 term({req("diffkey", SelectorOp::kIn, {"wrong", "value2"})})}),
       {{"foo", "bar"}}},
      {"Pod with an Affinity and a PodSpec.NodeSelector both are satisfied, will schedule onto "
       "the node",
       required({term({req("foo", SelectorOp::kExists)})}, {{"foo", "bar"}}),
       {{"foo", "bar"}}},
      {"Pod with an Affinity matches node's labels but the PodSpec.NodeSelector is not "
       "satisfied, won't schedule onto the node",
       required({term({req("foo", SelectorOp::kExists)})}, {{"foo", "bar"}}),
       {{"foo", "barrrrrr"}},
       "node1",
       kFail},
      {"Pod with matchFields using In operator that matches the existing node",
       required({term({}, {req("metadata.name", SelectorOp::kIn, {"node1"})})}),
       {},
       "node1"},
      {"Pod with matchFields using In operator that does not match the existing node",
       required({term({}, {req("metadata.name", SelectorOp::kIn, {"node1"})})}),
       {},
       "node2",
       kFail},
      {"Pod with two terms: matchFields does not match, but matchExpressions matches",
       required({term({}, {req("metadata.name", SelectorOp::kIn, {"node1"}),
                           req("metadata.name", SelectorOp::kIn, {"node2"})}),
                 term({req("foo", SelectorOp::kIn, {"bar"})})}),
       {{"foo", "bar"}},
       "node2"},
  };
  auto plugin = make_node_affinity(PluginArgs{});
  for (const Case& c : cases) {
    SECTION(c.name) {
      PluginTestCluster cluster;
      cluster.add_node(labelled(c.node_name, c.labels));
      CycleState state;
      const Status pre = plugin->pre_filter(state, c.pod, cluster.snapshot());
      CHECK(pre.skip() == c.pre_filter_skip);
      const Status s = run_filter(*plugin, c.pod, cluster.snapshot()).at(0);
      CHECK(s.code == c.code);
      if (c.code != StatusCode::kSuccess) {
        CHECK(s.reasons ==
              std::vector<std::string>{"node(s) didn't match Pod's node affinity/selector"});
      }
    }
  }
  SECTION("matchFields terms naming disjoint nodes conflict at PreFilter") {
    PluginTestCluster cluster;
    cluster.add_node(labelled("node1", {}));
    CycleState state;
    const Pod pod = required({term({}, {req("metadata.name", SelectorOp::kIn, {"node1"}),
                                        req("metadata.name", SelectorOp::kIn, {"node2"})})});
    const Status pre = plugin->pre_filter(state, pod, cluster.snapshot());
    CHECK(pre.code == StatusCode::kUnschedulableAndUnresolvable);
    CHECK(pre.reasons == std::vector<std::string>{"pod affinity terms conflict"});
  }
}

TEST_CASE("scheduler: NodeAffinity: Score matches TestNodeAffinityPriority") {
  const Labels label1{{"foo", "bar"}}, label2{{"key", "value"}}, label3{{"az", "az1"}},
      label4{{"abc", "az11"}, {"def", "az22"}},
      label5{{"foo", "bar"}, {"key", "value"}, {"az", "az1"}};
  const auto preferred = [](std::vector<WeightedNodeSelectorTerm> terms) {
    Pod p = PodBuilder();
    p.spec.node_affinity.preferred = std::move(terms);
    return p;
  };
  const Pod affinity1 = preferred({{2, term({req("foo", SelectorOp::kIn, {"bar"})})}});
  const Pod affinity2 = preferred(
      {{2, term({req("foo", SelectorOp::kIn, {"bar"})})},
       {4, term({req("key", SelectorOp::kIn, {"value"})})},
       {5, term({req("foo", SelectorOp::kIn, {"bar"}), req("key", SelectorOp::kIn, {"value"}),
                 req("az", SelectorOp::kIn, {"az1"})})}});
  struct Case {
    std::string name;
    Pod pod;
    std::vector<Node> nodes;
    std::vector<int64_t> want;
    bool run_pre_score = true;
  };
  const std::vector<Case> cases = {
      {"all nodes are same priority as NodeAffinity is nil",
       PodBuilder(),
       {labelled("node1", label1), labelled("node2", label2), labelled("node3", label3)},
       {0, 0, 0},
       false},
      {"no node matches preferred scheduling requirements in NodeAffinity of pod so all nodes' "
       "priority is zero",
       affinity1,
       {labelled("node1", label4), labelled("node2", label2), labelled("node3", label3)},
       {0, 0, 0}},
      {"only node1 matches the preferred scheduling requirements of pod",
       affinity1,
       {labelled("node1", label1), labelled("node2", label2), labelled("node3", label3)},
       {100, 0, 0}},
      // raw node1 2, node5 2+4+5 = 11, node2 4: 100*2/11 = 18, 100, 100*4/11 = 36.
      {"all nodes matches the preferred scheduling requirements of pod but with different "
       "priorities",
       affinity2,
       {labelled("node1", label1), labelled("node5", label5), labelled("node2", label2)},
       {18, 100, 36}},
      {"calculate the priorities correctly even if PreScore is not called",
       affinity2,
       {labelled("node1", label1), labelled("node5", label5), labelled("node2", label2)},
       {18, 100, 36},
       false},
  };
  auto plugin = make_node_affinity(PluginArgs{});
  for (const Case& c : cases) {
    SECTION(c.name) {
      PluginTestCluster cluster;
      for (const Node& n : c.nodes)
        cluster.add_node(n);
      const ScoreRun r = run_score(*plugin, c.pod, cluster.snapshot(), c.run_pre_score);
      CHECK(r.normalized == c.want);
    }
  }
  SECTION("Skip is returned in PreScore when NodeAffinity is nil") {
    PluginTestCluster cluster;
    cluster.add_node(labelled("node1", label1));
    const ScoreRun r = run_score(*plugin, PodBuilder(), cluster.snapshot());
    CHECK(r.pre_score.code == StatusCode::kSkip);
  }
}

namespace {

Node image_node(std::string name, std::vector<ContainerImage> images) {
  Node n = make_node(std::move(name));
  n.images = std::move(images);
  return n;
}
ContainerImage image(std::vector<std::string> names, int64_t mib) {
  return ContainerImage{std::move(names), mib * kMiB};
}

}  // namespace

TEST_CASE("scheduler: ImageLocality: matches TestImageLocalityPriority") {
  const std::vector<ContainerImage> node403002000{
      image({"gcr.io/40:latest", "gcr.io/40:v1", "gcr.io/40:v1"}, 40),
      image({"gcr.io/300:latest", "gcr.io/300:v1"}, 300), image({"gcr.io/2000:latest"}, 2000)};
  const std::vector<ContainerImage> node25010{image({"gcr.io/250:latest"}, 250),
                                              image({"gcr.io/10:latest", "gcr.io/10:v1"}, 10)};
  const std::vector<ContainerImage> node60040900{image({"gcr.io/600:latest"}, 600),
                                                 image({"gcr.io/40:latest"}, 40),
                                                 image({"gcr.io/900:latest"}, 900)};
  const std::vector<ContainerImage> node300600900{image({"gcr.io/300:latest"}, 300),
                                                  image({"gcr.io/600:latest"}, 600),
                                                  image({"gcr.io/900:latest"}, 900)};
  const std::vector<ContainerImage> node400030{image({"gcr.io/4000:latest"}, 4000),
                                               image({"gcr.io/30:latest"}, 30)};
  const std::vector<ContainerImage> node203040{image({"gcr.io/20:latest"}, 20),
                                               image({"gcr.io/30:latest"}, 30),
                                               image({"gcr.io/40:latest"}, 40)};
  const Pod test40250 = PodBuilder().image("gcr.io/40").image("gcr.io/250");
  const Pod test40300 = PodBuilder().image("gcr.io/40").image("gcr.io/300");
  const Pod testMinMax = PodBuilder().image("gcr.io/10").image("gcr.io/4000");
  const Pod test300600900 =
      PodBuilder().image("gcr.io/300").image("gcr.io/600").image("gcr.io/900");
  const Pod test3040 = PodBuilder().image("gcr.io/30").image("gcr.io/40");
  const Pod test30Init300 = PodBuilder().image("gcr.io/30").init_image("gcr.io/300");
  struct Case {
    std::string name;
    Pod pod;
    std::vector<Node> nodes;
    std::vector<int64_t> want;
  };
  const std::vector<Case> cases = {
      // node1: 40M/2 < 23M -> 0; node2: 100 * (250M/2 - 23M) / (1000M*2 - 23M) = 5
      {"two images spread on two nodes, prefer the larger image one",
       test40250,
       {image_node("node1", node403002000), image_node("node2", node25010)},
       {0, 5}},
      // node1: 100 * ((40M + 300M)/2 - 23M) / (2000M - 23M) = 7
      {"two images on one node, prefer this node",
       test40300,
       {image_node("node1", node403002000), image_node("node2", node25010)},
       {7, 0}},
      // node1: 4000M/2 >= 2000M -> 100
      {"if exceed limit, use limit",
       testMinMax,
       {image_node("node1", node400030), image_node("node2", node25010)},
       {100, 0}},
      // node1: 100 * (4000M/3 - 23M) / (2000M - 23M) = 66
      {"if exceed limit, use limit (with node which has no images present)",
       testMinMax,
       {image_node("node1", node400030), image_node("node2", node25010), image_node("node3", {})},
       {66, 0, 0}},
      // node1: 100 * (600M*2/3 + 900M*2/3 - 23M) / (3000M - 23M) = 32; node2 adds 300M/3 -> 36
      {"pod with multiple large images, node2 is preferred",
       test300600900,
       {image_node("node1", node60040900), image_node("node2", node300600900),
        image_node("node3", {})},
       {32, 36, 0}},
      // node1: 100 * (30M/2... both nodes hold gcr.io/30: 30M + 40M/2 - 23M) / 1977M = 1
      {"pod with multiple small images",
       test3040,
       {image_node("node1", node203040), image_node("node2", node400030)},
       {1, 0}},
      // Init containers count: node1 100 * (300M/2 - 23M) / (2000M - 23M) = 6
      {"include InitContainers: two images spread on two nodes, prefer the larger image one",
       test30Init300,
       {image_node("node1", node403002000), image_node("node2", node203040)},
       {6, 0}},
  };
  auto plugin = make_image_locality(PluginArgs{});
  for (const Case& c : cases) {
    SECTION(c.name) {
      PluginTestCluster cluster;
      for (const Node& n : c.nodes)
        cluster.add_node(n);
      const ScoreRun r = run_score(*plugin, c.pod, cluster.snapshot());
      REQUIRE(r.pre_score.ok());
      CHECK(r.normalized == c.want);
    }
  }
}

TEST_CASE("scheduler: ImageLocality: normalized image names match TestNormalizedImageName") {
  CHECK(normalized_image_name("root") == "root:latest");
  CHECK(normalized_image_name("gcr.io:5000/root") == "gcr.io:5000/root:latest");
  CHECK(normalized_image_name("root:tag") == "root:tag");
  CHECK(normalized_image_name("root@sha256:abc") == "root@sha256:abc");
}
