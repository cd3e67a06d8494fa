// Test support shared by the scheduler plugin tests: a cluster that owns its
// objects and builds a Snapshot, and runners that drive one plugin the way
// SchedulingFramework does (models/scheduler/scheduler.cc).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "models/scheduler/framework.h"

namespace kubesim::test_support {

class TestCluster {
 public:
  void add_node(Node n) { objects_.add_node(std::move(n)); }
  void add_pod(Pod p) { objects_.add_pod(std::move(p)); }
  void add_nodes(std::vector<Node> ns) {
    for (Node& n : ns)
      add_node(std::move(n));
  }
  void add_pods(std::vector<Pod> ps) {
    for (Pod& p : ps)
      add_pod(std::move(p));
  }
  // Built on first use; add nothing afterwards (the snapshot borrows the objects).
  const Snapshot& snapshot() {
    if (!snapshot_) snapshot_ = std::make_unique<Snapshot>(Snapshot::build(objects_));
    return *snapshot_;
  }
  const ClusterObjects& objects() const { return objects_; }

 private:
  ClusterObjects objects_;
  std::unique_ptr<Snapshot> snapshot_;
};

// PreFilter once, then Filter on every node of the snapshot in order. A Skip
// from PreFilter means the plugin's Filter is not run: every node passes. A
// PreFilter failure fails every node.
inline std::vector<Status> run_filter(Plugin& plugin, const Pod& pod, const Snapshot& snapshot) {
  CycleState state;
  const Status pre = plugin.pre_filter(state, pod, snapshot);
  std::vector<Status> out;
  for (const NodeInfo& n : snapshot.nodes()) {
    if (pre.skip()) {
      out.emplace_back();
    } else if (!pre.ok()) {
      out.push_back(pre);
    } else {
      out.push_back(plugin.filter(state, pod, n));
    }
  }
  return out;
}

struct ScoreRun {
  Status pre_score;
  std::vector<int64_t> raw;
  std::vector<int64_t> normalized;
};

// PreScore over the feasible nodes (all, or those named), Score per node,
// NormalizeScore over the list. A non-success PreScore (Skip included) stops.
// With run_pre_score false, Score runs on an empty CycleState (Kubernetes'
// "PreScore not called" cases).
inline ScoreRun run_score(Plugin& plugin, const Pod& pod, const Snapshot& snapshot,
                          const std::vector<std::string>& feasible_names,
                          bool run_pre_score = true) {
  std::vector<const NodeInfo*> feasible;
  if (feasible_names.empty()) {
    for (const NodeInfo& n : snapshot.nodes())
      feasible.push_back(&n);
  } else {
    for (const std::string& name : feasible_names) {
      feasible.push_back(&snapshot.nodes().at(static_cast<size_t>(snapshot.index_of(name))));
    }
  }
  CycleState state;
  ScoreRun r;
  if (run_pre_score) {
    r.pre_score = plugin.pre_score(state, pod, snapshot, feasible);
    if (!r.pre_score.ok()) return r;
  }
  for (const NodeInfo* n : feasible)
    r.raw.push_back(plugin.score(state, pod, *n));
  r.normalized = r.raw;
  plugin.normalize_scores(state, pod, r.normalized);
  return r;
}

// Over every node.
inline ScoreRun run_score(Plugin& plugin, const Pod& pod, const Snapshot& snapshot,
                          bool run_pre_score = true) {
  return run_score(plugin, pod, snapshot, {}, run_pre_score);
}

}  // namespace kubesim::test_support
