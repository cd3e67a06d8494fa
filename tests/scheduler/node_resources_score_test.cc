// NodeResourcesFit scoring strategies and NodeResourcesBalancedAllocation,
// reproducing Kubernetes' own tables:
//   pkg/scheduler/framework/plugins/noderesources/least_allocated_test.go
//   pkg/scheduler/framework/plugins/noderesources/most_allocated_test.go
//   pkg/scheduler/framework/plugins/noderesources/requested_to_capacity_ratio_test.go
//   pkg/scheduler/framework/plugins/noderesources/balanced_allocation_test.go
// Argument-validation cases (weights <= 0 or > 100) and DRA cases are not
// reproduced: kubesim validates weights in the scenario loader and has no DRA.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "models/scheduler/plugins/balanced_allocation.h"
#include "models/scheduler/plugins/node_resources_fit.h"
#include "models/scheduler/plugins/resource_scoring.h"
#include "test_cluster.h"

using namespace kubesim;
using namespace kubesim::plugin_test;

namespace {

const std::vector<ResourceWeight> kDefaultResources{{"cpu", 1}, {"memory", 1}};
const std::string kExtendedRes = "abc.com/xyz";
const std::vector<ResourceWeight> kExtendedResourceSet{
    {"cpu", 1}, {"memory", 1}, {kExtendedRes, 1}};

struct ScoreCase {
  std::string name;
  Pod pod;
  std::vector<Node> nodes;
  std::vector<Pod> existing;
  std::vector<ResourceWeight> resources;
  std::vector<int64_t> want;
};

std::vector<int64_t> fit_scores(const ScoreCase& c, ScoringStrategy strategy,
                                std::vector<ShapePoint> shape = {}) {
  PluginTestCluster cluster;
  for (const Node& n : c.nodes)
    cluster.add_node(n);
  for (const Pod& p : c.existing)
    cluster.add_pod(p);
  PluginArgs args;
  args.fit_strategy = strategy;
  args.fit_resources = c.resources;
  args.fit_shape = std::move(shape);
  auto plugin = make_node_resources_fit(args);
  ScoreRun r = run_score(*plugin, c.pod, cluster.snapshot());
  REQUIRE(r.pre_score.ok());
  return r.normalized;
}

// st.MakePod().Req({"cpu": "1000", "memory": "2000"}).Req({"cpu": "2000", "memory": "3000"})
Pod pod_3000_5000() {
  return PodBuilder().req({cores(1000), 2000}).req({cores(2000), 3000});
}

}  // namespace

TEST_CASE("scheduler: NodeResourcesFit: LeastAllocated matches least_allocated_test.go") {
  const std::vector<ScoreCase> cases = {
      // (4000-0)*100/4000 = 100 for both resources on both nodes.
      {"nothing scheduled, nothing requested",
       PodBuilder(),
       {make_node("node1", cores(4000), 10000), make_node("node2", cores(4000), 10000)},
       {},
       kDefaultResources,
       {100, 100}},
      // node1: cpu (4000-3000)*100/4000 = 25, mem (10000-5000)*100/10000 = 50 -> 75/2 = 37
      // node2: cpu (6000-3000)*100/6000 = 50, mem 50 -> 50
      {"nothing scheduled, resources requested, differently sized nodes",
       pod_3000_5000(),
       {make_node("node1", cores(4000), 10000), make_node("node2", cores(6000), 10000)},
       {},
       kDefaultResources,
       {37, 50}},
      // resources nil: Kubernetes returns an Error status and score 0.
      {"Resources not set, pods scheduled with error",
       pod_3000_5000(),
       {make_node("node1", cores(4000), 10000), make_node("node2", cores(6000), 10000)},
       {},
       {},
       {0, 0}},
      // Existing pods without containers request nothing (no non-zero defaults).
      {"no resources requested, pods scheduled",
       PodBuilder(),
       {make_node("node1", cores(4000), 10000), make_node("node2", cores(4000), 10000)},
       {PodBuilder().on("node1"), PodBuilder().on("node1"), PodBuilder().on("node2"),
        PodBuilder().on("node2")},
       kDefaultResources,
       {100, 100}},
      // node1: cpu (10000-6000)*100/10000 = 40, mem 100 -> 70
      // node2: cpu 40, mem (20000-5000)*100/20000 = 75 -> 115/2 = 57
      {"no resources requested, pods scheduled with resources",
       PodBuilder(),
       {make_node("node1", cores(10000), 20000), make_node("node2", cores(10000), 20000)},
       {PodBuilder().req({cores(3000), 0}).on("node1"),
        PodBuilder().req({cores(3000), 0}).on("node1"),
        PodBuilder().req({cores(3000), 0}).on("node2"),
        PodBuilder().req({cores(3000), 5000}).on("node2")},
       kDefaultResources,
       {70, 57}},
      // node1: cpu 40, mem 75 -> 57; node2: cpu 40, mem (20000-10000)*100/20000 = 50 -> 45
      {"resources requested, pods scheduled with resources",
       pod_3000_5000(),
       {make_node("node1", cores(10000), 20000), make_node("node2", cores(10000), 20000)},
       {PodBuilder().req({cores(3000), 0}).on("node1"),
        PodBuilder().req({cores(3000), 5000}).on("node2")},
       kDefaultResources,
       {57, 45}},
      // node2: cpu 40, mem (50000-10000)*100/50000 = 80 -> 60
      {"resources requested, pods scheduled with resources, differently sized nodes",
       pod_3000_5000(),
       {make_node("node1", cores(10000), 20000), make_node("node2", cores(10000), 50000)},
       {PodBuilder().req({cores(3000), 0}).on("node1"),
        PodBuilder().req({cores(3000), 5000}).on("node2")},
       kDefaultResources,
       {57, 60}},
      // cpu 6000 > 4000 -> 0; node1 mem 100 -> 50; node2 mem 50 -> 25
      {"requested resources exceed node capacity",
       PodBuilder().req({cores(3000), 0}),
       {make_node("node1", cores(4000), 10000), make_node("node2", cores(4000), 10000)},
       {PodBuilder().req({cores(3000), 0}).on("node1"),
        PodBuilder().req({cores(3000), 5000}).on("node2")},
       kDefaultResources,
       {50, 25}},
      {"zero node resources, pods scheduled with resources",
       PodBuilder(),
       {make_node("node1"), make_node("node2")},
       {PodBuilder().req({cores(3000), 0}).on("node1"),
        PodBuilder().req({cores(3000), 5000}).on("node2")},
       kDefaultResources,
       {0, 0}},
      // node1: (25*1 + 50*2) / 3 = 41; node2: (50 + 100) / 3 = 50
      {"nothing scheduled, resources requested with different weight on CPU and memory",
       pod_3000_5000(),
       {make_node("node1", cores(4000), 10000), make_node("node2", cores(6000), 10000)},
       {},
       {{"memory", 2}, {"cpu", 1}},
       {41, 50}},
      // The pod does not request abc.com/xyz: the resource is bypassed -> (50+50)/2.
      {"bypass extended resource if the pod does not request",
       pod_3000_5000(),
       {make_node("node1", cores(6000), 10000),
        make_node("node2", cores(6000), 10000, {{kExtendedRes, 4}})},
       {},
       kExtendedResourceSet,
       {50, 50}},
      // node1 xyz (4-2)*100/4 = 50 -> 150/3 = 50; node2 (10-2)*100/10 = 80 -> 180/3 = 60
      {"honor extended resource if the pod requests",
       PodBuilder().req({cores(3000), 5000, {{kExtendedRes, 2}}}),
       {make_node("node1", cores(6000), 10000, {{kExtendedRes, 4}}),
        make_node("node2", cores(6000), 10000, {{kExtendedRes, 10}})},
       {},
       kExtendedResourceSet,
       {50, 60}},
      // cpu 50, mem (10000-4000)*100/10000 = 60; xyz not requested -> (50+60)/2 = 55
      {"if the node doesn't have a resource",
       PodBuilder().req({cores(3000), 4000}),
       {make_node("node1", cores(6000), 10000),
        make_node("node2", cores(6000), 10000, {{kExtendedRes, 4}})},
       {},
       {{kExtendedRes, 2}, {"cpu", 1}, {"memory", 1}},
       {55, 55}},
  };
  for (const ScoreCase& c : cases) {
    SECTION(c.name) {
      CHECK(fit_scores(c, ScoringStrategy::kLeastAllocated) == c.want);
    }
  }
}

TEST_CASE("scheduler: NodeResourcesFit: MostAllocated matches most_allocated_test.go") {
  const std::vector<ScoreCase> cases = {
      {"nothing scheduled, nothing requested",
       PodBuilder(),
       {make_node("node1", cores(4000), 10000), make_node("node2", cores(4000), 10000)},
       {},
       kDefaultResources,
       {0, 0}},
      // node1: cpu 3000*100/4000 = 75, mem 50 -> 62; node2: 50, 50 -> 50
      {"nothing scheduled, resources requested, differently sized nodes",
       pod_3000_5000(),
       {make_node("node1", cores(4000), 10000), make_node("node2", cores(6000), 10000)},
       {},
       kDefaultResources,
       {62, 50}},
      {"Resources not set, pods scheduled with error",
       pod_3000_5000(),
       {make_node("node1", cores(4000), 10000), make_node("node2", cores(6000), 10000)},
       {},
       {},
       {0, 0}},
      // node1: cpu 60, mem 0 -> 30; node2: cpu 60, mem 25 -> 42
      {"no resources requested, pods scheduled with resources",
       PodBuilder(),
       {make_node("node1", cores(10000), 20000), make_node("node2", cores(10000), 20000)},
       {PodBuilder().req({cores(3000), 0}).on("node1"),
        PodBuilder().req({cores(3000), 0}).on("node1"),
        PodBuilder().req({cores(3000), 0}).on("node2"),
        PodBuilder().req({cores(3000), 5000}).on("node2")},
       kDefaultResources,
       {30, 42}},
      // node1: cpu 60, mem 25 -> 42; node2: cpu 60, mem 50 -> 55
      {"resources requested, pods scheduled with resources",
       pod_3000_5000(),
       {make_node("node1", cores(10000), 20000), make_node("node2", cores(10000), 20000)},
       {PodBuilder().req({cores(3000), 0}).on("node1"),
        PodBuilder().req({cores(3000), 5000}).on("node2")},
       kDefaultResources,
       {42, 55}},
      // node1: cpu 5000/5000 = 100, mem 90 -> 95; node2: cpu 50, mem 9000/9000 = 100 -> 75
      {"resources requested equal node capacity",
       PodBuilder().req({cores(2000), 4000}).req({cores(3000), 5000}),
       {make_node("node1", cores(5000), 10000), make_node("node2", cores(10000), 9000)},
       {},
       kDefaultResources,
       {95, 75}},
      // node1: (75 + 50*2)/3 = 58; node2: (50 + 100)/3 = 50
      {"nothing scheduled, resources requested, different weights",
       pod_3000_5000(),
       {make_node("node1", cores(4000), 10000), make_node("node2", cores(6000), 10000)},
       {},
       {{"memory", 2}, {"cpu", 1}},
       {58, 50}},
      // Containers without requests count 100m / 200Mi. node1: cpu 300m of 250m -> 100,
      // mem 600Mi of 1000Mi -> 60 -> 80; node2: cpu 100/250 = 40, mem 20 -> 30
      {"no resources requested, pods scheduled, nonzero request for resource",
       PodBuilder().req({}),
       {make_node("node1", 250, 1000 * kMiB), make_node("node2", 250, 1000 * kMiB)},
       {PodBuilder().req({}).on("node1"), PodBuilder().req({}).on("node1")},
       kDefaultResources,
       {80, 30}},
      {"bypass extended resource if the pod does not request",
       pod_3000_5000(),
       {make_node("node1", cores(6000), 10000),
        make_node("node2", cores(6000), 10000, {{kExtendedRes, 4}})},
       {},
       kExtendedResourceSet,
       {50, 50}},
      // node1 xyz 2*100/4 = 50 -> 50; node2 2*100/10 = 20 -> 120/3 = 40
      {"honor extended resource if the pod request",
       PodBuilder().req({cores(3000), 5000, {{kExtendedRes, 2}}}),
       {make_node("node1", cores(6000), 10000, {{kExtendedRes, 4}}),
        make_node("node2", cores(6000), 10000, {{kExtendedRes, 10}})},
       {},
       kExtendedResourceSet,
       {50, 40}},
      // cpu 50, mem 40 -> 45
      {"if the node doesn't have a resource",
       PodBuilder().req({cores(3000), 4000}),
       {make_node("node1", cores(6000), 10000),
        make_node("node2", cores(6000), 10000, {{kExtendedRes, 4}})},
       {},
       {{kExtendedRes, 2}, {"cpu", 1}, {"memory", 1}},
       {45, 45}},
  };
  for (const ScoreCase& c : cases) {
    SECTION(c.name) {
      CHECK(fit_scores(c, ScoringStrategy::kMostAllocated) == c.want);
    }
  }
}

TEST_CASE(
    "scheduler: NodeResourcesFit: RequestedToCapacityRatio matches "
    "requested_to_capacity_ratio_test.go") {
  // Shape {0: 10, 100: 0} is scaled x10: f(u) = 100 - u.
  const std::vector<ShapePoint> shape{{0, 10}, {100, 0}};
  const std::vector<ScoreCase> cases = {
      {"nothing scheduled, nothing requested (default - least requested nodes have priority)",
       PodBuilder(),
       {make_node("node1", cores(4000), 10000), make_node("node2", cores(4000), 10000)},
       {PodBuilder().on("node1"), PodBuilder().on("node1")},
       kDefaultResources,
       {100, 100}},
      // node1: cpu u = 75 -> 25, mem u = 50 -> 50; round(75/2) = 38. node2: 50, 50 -> 50
      {"nothing scheduled, resources requested, differently sized nodes",
       pod_3000_5000(),
       {make_node("node1", cores(4000), 10000), make_node("node2", cores(6000), 10000)},
       {PodBuilder().on("node1"), PodBuilder().on("node1")},
       kDefaultResources,
       {38, 50}},
      {"no resources requested, pods scheduled with resources",
       PodBuilder(),
       {make_node("node1", cores(4000), 10000), make_node("node2", cores(6000), 10000)},
       {PodBuilder().req({cores(3000), 5000}).on("node1"),
        PodBuilder().req({cores(3000), 5000}).on("node2")},
       kDefaultResources,
       {38, 50}},
  };
  for (const ScoreCase& c : cases) {
    SECTION(c.name) {
      CHECK(fit_scores(c, ScoringStrategy::kRequestedToCapacityRatio, shape) == c.want);
    }
  }
}

TEST_CASE("scheduler: NodeResourcesFit: broken linear shape matches TestBrokenLinearFunction") {
  // requested_to_capacity_ratio_test.go TestBrokenLinearFunction: (p, expected).
  struct Table {
    std::vector<ShapePoint> points;
    std::vector<std::pair<int64_t, int64_t>> assertions;
  };
  const std::vector<Table> tables = {
      {{{10, 1}, {90, 9}},
       {{-10, 1},
        {0, 1},
        {9, 1},
        {10, 1},
        {15, 1},
        {19, 1},
        {20, 2},
        {89, 8},
        {90, 9},
        {99, 9},
        {100, 9},
        {110, 9}}},
      {{{0, 2}, {40, 10}, {100, 0}},
       {{-10, 2}, {0, 2}, {20, 6}, {30, 8}, {40, 10}, {70, 5}, {100, 0}, {110, 0}}},
      {{{0, 2}, {40, 2}, {100, 2}},
       {{-10, 2}, {0, 2}, {20, 2}, {30, 2}, {40, 2}, {70, 2}, {100, 2}, {110, 2}}},
  };
  for (const Table& t : tables) {
    for (const auto& [p, want] : t.assertions) {
      INFO("p = " << p);
      CHECK(scoring::broken_linear(t.points, p) == want);
    }
  }
}

TEST_CASE(
    "scheduler: NodeResourcesFit: RequestedToCapacityRatio bin-packs extended resources "
    "(TestResourceBinPackingSingleExtended, MultipleExtended)") {
  const std::vector<ShapePoint> shape{{0, 0}, {100, 1}};  // f(u) = u / 10
  const std::string foo = "intel.com/foo", bar = "intel.com/bar";
  const auto node = [](std::string name, std::vector<std::pair<std::string, int64_t>> ext) {
    return make_node(std::move(name), 4000, 10000 * kMiB, std::move(ext));
  };
  SECTION("single extended resource") {
    const std::vector<ResourceWeight> res{{foo, 1}};
    const std::vector<Node> nodes{node("node1", {{foo, 8}}), node("node2", {{foo, 4}})};
    const std::vector<ScoreCase> cases = {
        // The pod does not request intel.com/foo: bypassed on both nodes.
        {"nothing scheduled, nothing requested", PodBuilder(), nodes, {}, res, {0, 0}},
        // node1: 2/8 -> u 25 -> 2; node2: 2/4 -> u 50 -> 5
        {"resources requested, pods scheduled with less resources",
         PodBuilder().req({{}, {}, {{foo, 2}}}),
         nodes,
         {PodBuilder()},
         res,
         {2, 5}},
        // node2: (2+2)/4 -> u 100 -> 10
        {"resources requested, pods scheduled with resources, on node with existing pod running",
         PodBuilder().req({{}, {}, {{foo, 2}}}),
         nodes,
         {PodBuilder().req({{}, {}, {{foo, 2}}}).on("node2")},
         res,
         {2, 10}},
        // node1: 4/8 -> 5; node2: 4/4 -> 10
        {"resources requested, pods scheduled with more resources",
         PodBuilder().req({{}, {}, {{foo, 4}}}),
         nodes,
         {PodBuilder()},
         res,
         {5, 10}},
    };
    for (const ScoreCase& c : cases) {
      SECTION(c.name) {
        CHECK(fit_scores(c, ScoringStrategy::kRequestedToCapacityRatio, shape) == c.want);
      }
    }
  }
  SECTION("multiple extended resources") {
    const std::vector<ResourceWeight> res{{foo, 3}, {bar, 5}};
    const std::vector<Node> nodes{node("node1", {{foo, 8}, {bar, 4}}),
                                  node("node2", {{foo, 4}, {bar, 8}})};
    const Req pod1{{}, {}, {{foo, 2}, {bar, 2}}};
    const Req pod2{{}, {}, {{foo, 4}, {bar, 2}}};
    const std::vector<ScoreCase> cases = {
        {"nothing scheduled, nothing requested", PodBuilder(), nodes, {}, res, {0, 0}},
        // node1: foo 25 -> 2, bar 50 -> 5: round((2*3 + 5*5)/8) = round(3.875) = 4
        // node2: foo 50 -> 5, bar 25 -> 2: round((15 + 10)/8) = round(3.125) = 3
        {"resources requested, pods scheduled with less resources",
         PodBuilder().req(pod1),
         nodes,
         {PodBuilder()},
         res,
         {4, 3}},
        // node2 already runs foo 4, bar 2: foo (4+2)/4 -> 100 -> 10, bar 4/8 -> 5:
        // round((30 + 25)/8) = round(6.875) = 7
        {"resources requested, pods scheduled with resources, on node with existing pod running",
         PodBuilder().req(pod1),
         nodes,
         {PodBuilder().req(pod2).on("node2")},
         res,
         {4, 7}},
        // node1: foo 4/8 -> 5, bar 2/4 -> 5 -> 5; node2: foo 4/4 -> 10, bar 2/8 -> 2:
        // round((30 + 10)/8) = 5
        {"resources requested, pods scheduled with more resources",
         PodBuilder().req(pod2),
         nodes,
         {PodBuilder()},
         res,
         {5, 5}},
    };
    for (const ScoreCase& c : cases) {
      SECTION(c.name) {
        CHECK(fit_scores(c, ScoringStrategy::kRequestedToCapacityRatio, shape) == c.want);
      }
    }
  }
}

namespace {

std::vector<int64_t> balanced_scores(const ScoreCase& c, bool run_pre_score = true,
                                     Status* pre = nullptr) {
  PluginTestCluster cluster;
  for (const Node& n : c.nodes)
    cluster.add_node(n);
  for (const Pod& p : c.existing)
    cluster.add_pod(p);
  PluginArgs args;
  args.balanced_resources = c.resources;
  auto plugin = make_node_resources_balanced_allocation(args);
  ScoreRun r = run_score(*plugin, c.pod, cluster.snapshot(), run_pre_score);
  if (pre) *pre = r.pre_score;
  return r.normalized;
}

// balanced_allocation_test.go pod specs.
Pod cpu_and_memory(const std::string& node = "") {
  PodBuilder b;
  b.req({1000, 2000}).req({2000, 3000});
  if (!node.empty()) b.on(node);
  return b;
}
Pod cpu_only(const std::string& node = "") {
  PodBuilder b;
  b.req({1000, 0}).req({2000, 0});
  if (!node.empty()) b.on(node);
  return b;
}
Pod cpu_and_memory_and_gpu(const std::string& node) {
  return PodBuilder().req({1000, 2000}).req({2000, 3000, {{"nvidia.com/gpu", 3}}}).on(node);
}

}  // namespace

TEST_CASE("scheduler: NodeResourcesBalancedAllocation: matches balanced_allocation_test.go") {
  const std::vector<ResourceWeight> with_gpu{{"cpu", 1}, {"memory", 1}, {"nvidia.com/gpu", 1}};
  const std::vector<std::pair<std::string, int64_t>> gpu8{{"nvidia.com/gpu", 8}};

  SECTION("nothing scheduled, nothing requested, skip in PreScore") {
    Status pre;
    balanced_scores({"",
                     PodBuilder(),
                     {make_node("node1", 4000, 10000), make_node("node2", 4000, 10000)},
                     {},
                     kDefaultResources,
                     {}},
                    true, &pre);
    CHECK(pre.code == StatusCode::kSkip);
  }
  const std::vector<ScoreCase> cases = {
      // node1: cpu 3000/4000 = 0.75, mem 5000/10000 = 0.5, std 0.125 -> 87
      // node2: 0.5, 0.5 -> 100
      {"nothing scheduled, resources requested, differently sized nodes",
       cpu_and_memory(),
       {make_node("node1", 4000, 10000), make_node("node2", 6000, 10000)},
       {},
       kDefaultResources,
       {87, 100}},
      // node1 (cpuOnly there): 0.6, 0.25 -> std 0.175 -> 82; node2: 0.6, 0.5 -> 95
      {"resources requested, pods scheduled with resources",
       cpu_and_memory(),
       {make_node("node1", 10000, 20000), make_node("node2", 10000, 20000)},
       {cpu_only("node1"), cpu_and_memory("node2")},
       kDefaultResources,
       {82, 95}},
      // node2: 0.6, 10000/50000 = 0.2 -> std 0.2 -> 80
      {"resources requested, pods scheduled with resources, differently sized nodes",
       cpu_and_memory(),
       {make_node("node1", 10000, 20000), make_node("node2", 10000, 50000)},
       {cpu_only("node1"), cpu_and_memory("node2")},
       kDefaultResources,
       {82, 80}},
      // node1: 6000/6000 = 1, 0 -> std 0.5 -> 50; node2: 1, 0.5 -> 75
      {"requested resources at node capacity",
       cpu_only(),
       {make_node("node1", 6000, 10000), make_node("node2", 6000, 10000)},
       {cpu_only("node1"), cpu_and_memory("node2")},
       kDefaultResources,
       {50, 75}},
      // node1: 3000/3500, 5000/40000, gpu (3+1)/8 -> population std 0.3002 -> 70
      // node2: 3000/3500, 5000/40000, 1/8 -> std 0.345 -> 65
      {"include scalar resource on a node for balanced resource allocation",
       PodBuilder().req({{}, 0, {{"nvidia.com/gpu", 1}}}),
       {make_node("node1", 3500, 40000, gpu8), make_node("node2", 3500, 40000, gpu8)},
       {cpu_and_memory("node2"), cpu_and_memory_and_gpu("node1")},
       with_gpu,
       {70, 65}},
      // The pod requests no gpu: skipped on both nodes. 0.857, 0.125 -> std 0.366 -> 63
      {"node without the scalar resource should skip the scalar resource",
       cpu_and_memory(),
       {make_node("node1", 3500, 40000, gpu8), make_node("node2", 3500, 40000)},
       {},
       with_gpu,
       {63, 63}},
  };
  for (const ScoreCase& c : cases) {
    SECTION(c.name) {
      CHECK(balanced_scores(c) == c.want);
    }
  }
  SECTION("resources requested, pods scheduled with resources if PreScore not called") {
    const ScoreCase c{"",
                      cpu_and_memory(),
                      {make_node("node1", 10000, 20000), make_node("node2", 10000, 20000)},
                      {cpu_only("node1"), cpu_and_memory("node2")},
                      kDefaultResources,
                      {82, 95}};
    CHECK(balanced_scores(c, /*run_pre_score=*/false) == c.want);
  }
}

TEST_CASE("scheduler: resource scoring: the KUBERNETES.md examples") {
  // Nodes (4000m, 10000) and (6000m, 10000), pod (3000m, 5000).
  const ScoreCase c{"",
                    PodBuilder().req({3000, 5000}),
                    {make_node("node1", 4000, 10000), make_node("node2", 6000, 10000)},
                    {},
                    kDefaultResources,
                    {}};
  CHECK(fit_scores(c, ScoringStrategy::kLeastAllocated) == std::vector<int64_t>{37, 50});
  CHECK(fit_scores(c, ScoringStrategy::kMostAllocated) == std::vector<int64_t>{62, 50});
  CHECK(balanced_scores(c) == std::vector<int64_t>{87, 100});
}
