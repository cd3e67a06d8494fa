// DefaultPreemption (pkg/scheduler/framework/plugins/defaultpreemption/
// default_preemption.go and framework/preemption/preemption.go), as a what-if:
// which pods on which node would be evicted so that the pod fits.
//
// Simplifications, documented: every candidate node is examined (kube-
// scheduler samples max(10% of nodes, 100) from a random offset);
// PodDisruptionBudgets and start times do not enter the choice yet.
#include <algorithm>

#include "models/scheduler/scheduler.h"

namespace kubesim {

bool SchedulingFramework::fits(const Pod& pod, const Snapshot& snapshot, int index) {
  CycleState state;
  std::vector<const Instance*> filters;
  ScheduleResult scratch;
  if (!run_pre_filter(state, pod, snapshot, filters, scratch)) return false;
  return run_filters(state, pod, snapshot.nodes()[index], filters).ok();
}

PreemptionResult SchedulingFramework::preempt(const Pod& pod, const Snapshot& snapshot,
                                              const ScheduleResult& result) {
  struct Candidate {
    int node;
    std::vector<const Pod*> victims;
    int32_t highest = 0;
    int64_t sum = 0;
  };
  std::vector<Candidate> candidates;
  for (const NodeVerdict& v : result.nodes) {
    // Only nodes that failed with a resolvable status are candidates
    // (nodesWherePreemptionMightHelp).
    if (!v.evaluated || v.feasible || v.code != StatusCode::kUnschedulable) continue;
    const NodeInfo& info = snapshot.nodes()[v.node];
    std::vector<const Pod*> lower;
    for (const Pod* p : info.pods) {
      if (p->spec.priority < pod.spec.priority) lower.push_back(p);
    }
    if (lower.empty()) continue;
    // selectVictimsOnNode: remove every lower-priority pod; if the pod still
    // does not fit, this node cannot help.
    Snapshot trial = snapshot;
    NodeInfo& node = trial.nodes()[v.node];
    for (const Pod* p : lower)
      node.remove_pod(p);
    if (!fits(pod, trial, v.node)) continue;
    // Reprieve as many as possible, most important first (higher priority first).
    std::stable_sort(lower.begin(), lower.end(), [](const Pod* a, const Pod* b) {
      return a->spec.priority > b->spec.priority;
    });
    Candidate c{v.node, {}, 0, 0};
    for (const Pod* p : lower) {
      node.add_pod(p);
      if (!fits(pod, trial, v.node)) {
        node.remove_pod(p);
        c.victims.push_back(p);
      }
    }
    if (c.victims.empty()) continue;
    c.highest = c.victims.front()->spec.priority;
    for (const Pod* p : c.victims) {
      c.highest = std::max(c.highest, p->spec.priority);
      c.sum += p->spec.priority;
    }
    candidates.push_back(std::move(c));
  }
  if (candidates.empty()) return {};
  // pickOneNodeForPreemption: lowest highest-priority victim, then lowest sum
  // of priorities, then fewest victims, then the first such node.
  const auto better = [](const Candidate& a, const Candidate& b) {
    if (a.highest != b.highest) return a.highest < b.highest;
    if (a.sum != b.sum) return a.sum < b.sum;
    if (a.victims.size() != b.victims.size()) return a.victims.size() < b.victims.size();
    return a.node < b.node;
  };
  const Candidate& best = *std::min_element(candidates.begin(), candidates.end(), better);
  return PreemptionResult{best.node, best.victims};
}

}  // namespace kubesim
