// Test helpers for the PodTopologySpread and InterPodAffinity tables: small
// builders for nodes, pods and selectors (in the spirit of Kubernetes'
// pkg/scheduler/testing wrappers), a cluster that owns them and builds the
// Snapshot, and runners that call a plugin the way the framework does:
// Filter only if PreFilter did not Skip; Score and NormalizeScore on the
// feasible nodes only, and not at all when PreScore Skips.
//
//   AffinityTestCluster c;
//   c.add_node(make_node("node-a", {{"zone", "zone1"}}));
//   c.add_pod(make_pod("p-a1", {{"foo", ""}}, "node-a"));
//   auto statuses = run_filter(*plugin, incoming, c.snapshot());
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/objects/cluster.h"
#include "models/scheduler/framework.h"
#include "tests/support/plugin_runner.h"

namespace kubesim::affinity_test {

// ---- selectors (metav1.LabelSelector) ----

inline SelectorRequirement req(std::string key, SelectorOp op,
                               std::vector<std::string> values = {}) {
  return SelectorRequirement{std::move(key), op, std::move(values)};
}
inline LabelSelector selector(std::vector<SelectorRequirement> exprs, Labels match_labels = {}) {
  LabelSelector s;
  s.match_labels = std::move(match_labels);
  s.match_expressions = std::move(exprs);
  return s;
}
inline LabelSelector exists(std::string key) {
  return selector({req(std::move(key), SelectorOp::kExists)});
}
inline LabelSelector in(std::string key, std::vector<std::string> values) {
  return selector({req(std::move(key), SelectorOp::kIn, std::move(values))});
}

// ---- nodes and pods ----

inline Node make_node(std::string name, Labels labels, std::vector<Taint> taints = {}) {
  Node n;
  n.name = std::move(name);
  n.labels = std::move(labels);
  n.taints = std::move(taints);
  n.allocatable.milli_cpu = 4000;
  n.allocatable.memory = 16LL << 30;
  n.allocatable.pods = 110;
  n.capacity = n.allocatable;
  return n;
}

// A pod; bound (phase Running) when node_name is set.
inline Pod make_pod(std::string name, Labels labels, std::string node_name = "",
                    std::string ns = "default") {
  Pod p;
  p.name = std::move(name);
  p.labels = std::move(labels);
  p.namespace_ = std::move(ns);
  p.spec.node_name = std::move(node_name);
  p.phase = p.spec.node_name.empty() ? PodPhase::kPending : PodPhase::kRunning;
  return p;
}

inline TopologySpreadConstraint spread(int32_t max_skew, std::string key, WhenUnsatisfiable when,
                                       std::optional<LabelSelector> sel,
                                       std::optional<int32_t> min_domains = std::nullopt) {
  TopologySpreadConstraint c;
  c.max_skew = max_skew;
  c.topology_key = std::move(key);
  c.when_unsatisfiable = when;
  c.label_selector = std::move(sel);
  c.min_domains = min_domains;
  return c;
}

inline PodAffinityTerm term(std::optional<LabelSelector> sel, std::string topology_key,
                            std::vector<std::string> namespaces = {}) {
  PodAffinityTerm t;
  t.label_selector = std::move(sel);
  t.topology_key = std::move(topology_key);
  t.namespaces = std::move(namespaces);
  return t;
}

inline WeightedPodAffinityTerm weighted(int32_t weight, PodAffinityTerm t) {
  return WeightedPodAffinityTerm{weight, std::move(t)};
}

// ---- cluster, snapshot and runners (tests/support/plugin_runner.h) ----

using AffinityTestCluster = test_support::TestCluster;
using test_support::run_filter;
using test_support::run_score;
using ScoreResult = test_support::ScoreRun;

inline std::vector<StatusCode> codes(const std::vector<Status>& statuses) {
  std::vector<StatusCode> out;
  for (const Status& s : statuses)
    out.push_back(s.code);
  return out;
}

}  // namespace kubesim::affinity_test
