// Malformed scenarios of every shape give errors, never exceptions or crashes.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "models/scenario/scenario.h"
#include "tests/support/scenario_text.h"

namespace {

kubesim::LoadResult load_text(const std::string& text) {
  return kubesim::testing::load_scenario_text(text, "scenario_robustness");
}

const std::string& kHead = kubesim::testing::kScenarioHead;

}  // namespace

TEST_CASE("scenario: malformed documents give errors, never exceptions") {
  const std::string body = GENERATE(
      as<std::string>{}, "", "[]", "just a string",
      "apiVersion: 3\nkind: [a]\nmetadata: 1\nspec: 2\n",
      "apiVersion: kubesim.io/v1\nkind: Scenario\n", "---\na: 1\n---\nb: 2\n",
      "spec:\n  cluster: [1, 2]\n", "spec:\n  cluster: {nodePools: {a: 1}}\n",
      "spec:\n  cluster: {nodePools: [1, [2], {name: [x]}]}\n",
      "spec:\n  cluster: {nodePools: [{name: p, count: 2, capacity: 3}]}\n",
      "spec:\n  cluster: {nodes: [{capacity: {cpu: [1]}}]}\n", "spec:\n  workloads: {a: b}\n",
      "spec:\n  workloads: [1, null, [], {include: [x]}, {include: x, extra: 1}]\n",
      "spec:\n  workloads: [{kind: Pod}, {apiVersion: v1}, {apiVersion: v1, kind: Pod}]\n",
      "spec:\n  workloads: [{apiVersion: v1, kind: Pod, metadata: {name: p}, spec: []}]\n",
      "spec:\n  workloads: [{apiVersion: v1, kind: Pod, metadata: {name: p}, spec: "
      "{containers: [1, {name: [a]}], affinity: {nodeAffinity: 3, podAffinity: [1]}, "
      "tolerations: [3], topologySpreadConstraints: {a: 1}}}]\n",
      "spec:\n  workloads: [{apiVersion: apps/v1, kind: Deployment, metadata: {name: d}, "
      "spec: {selector: 1, template: 2, strategy: {rollingUpdate: 3}}}]\n",
      "spec:\n  workloads: [{apiVersion: autoscaling/v2, kind: HorizontalPodAutoscaler, "
      "metadata: {name: h}, spec: {scaleTargetRef: 1, metrics: [1, {type: Resource}]}}]\n",
      "spec:\n  scheduler: {profiles: [1, {plugins: 2, pluginConfig: [1, {name: 3}]}]}\n",
      "spec:\n  scheduler: {profiles: [{pluginConfig: [{name: NodeResourcesFit, args: "
      "{scoringStrategy: {type: RequestedToCapacityRatio, requestedToCapacityRatio: "
      "{shape: 1}}}}]}]}\n",
      "spec:\n  seed: -1\n  duration: 0s\n", "spec:\n  seed: 99999999999999999999999\n",
      "spec: {&a x: *a}\n", "spec:\n  ? [complex, key]\n  : 1\n",
      "spec:\n  cluster: {controlPlane: 1, kubelet: [1], registry: {images: [1, {names: 2}]}}\n",
      "spec:\n  cluster: {kubelet: {containerStartLatency: [1], imagePullBandwidth: {a: 1}}}\n",
      "spec:\n  cluster: {kubelet: {containerStartLatency: empirical(no-such-file.csv)}}\n",
      "spec:\n  cluster: {registry: {defaultImageSize: -1, images: {a: 1}}}\n",
      "spec:\n  events: {a: 1}\n", "spec:\n  events: [1, [], null, {at: [1]}, {? [k] : 1}]\n",
      "spec:\n  events: [{at: 1m, scale: 1}, {at: 1m, rollout: []}, {at: 1m, apply: 3}, "
      "{at: 1m, delete: {kind: [x]}}, {at: 1m, addNodes: {pool: [p], count: x}}, "
      "{at: 1m, drain: {node: {a: 1}}}]\n",
      "spec:\n  events: [{at: 1m, apply: {manifests: [1, {kind: Pod}]}}, "
      "{at: 1m, apply: {include: [x]}}, {at: 1m, rollout: {deployment: d, requests: 1, "
      "labels: [1], annotations: {kubesim.io/run-time: [1]}}}]\n");
  INFO(body);
  kubesim::LoadResult r = load_text(kHead + body);
  CHECK_FALSE(r.scenario.has_value());
  CHECK_FALSE(r.errors.empty());
  for (const auto& e : r.errors) {
    INFO(e.to_string());
    CHECK_THAT(e.message, !Catch::Contains("internal error"));
  }
}

TEST_CASE("scenario: a scenario with only the wrapper loads with defaults") {
  kubesim::LoadResult r = load_text(kHead + "spec: {}\n");
  REQUIRE(r.scenario.has_value());
  CHECK(r.scenario->seed == 1);
  CHECK(r.scenario->duration == kubesim::Duration::hours(1));
  CHECK(r.scenario->scheduler.profile == "default");
  CHECK(r.scenario->objects.nodes.empty());
}
