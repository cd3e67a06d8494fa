// SchedulingFramework: one scheduling cycle of kube-scheduler
// (pkg/scheduler/schedule_one.go) over a Snapshot, with a resolved Profile.
//
//   SchedulingFramework fw(profile, plugins);   // plugins: the registry
//   ScheduleResult r = fw.schedule(pod, snapshot, ctx.rng("scheduler"));
//   if (r.selected >= 0) bind(pod, snapshot.nodes()[r.selected]);
//
// With explain = true every node is filtered and every feasible node scored,
// and per-node reasons and per-plugin scores are returned (kubesim schedule).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "models/scheduler/framework.h"
#include "models/scheduler/profile.h"
#include "models/scheduler/registry.h"
#include "sim/expected.h"
#include "sim/random.h"

namespace kubesim {

struct PluginScore {
  std::string plugin;
  int64_t raw = 0;
  int64_t normalized = 0;
  int32_t weight = 0;
};

struct NodeVerdict {
  int node = -1;  // index into the snapshot
  bool evaluated = false;
  bool feasible = false;
  StatusCode code = StatusCode::kSuccess;  // of the failing plugin
  std::string failed_plugin;
  std::vector<std::string> reasons;
  bool scored = false;
  std::vector<PluginScore> scores;
  int64_t total = 0;
};

struct PreemptionResult {
  int node = -1;  // -1: preemption cannot help
  std::vector<const Pod*> victims;
};

struct ScheduleResult {
  int selected = -1;  // index into the snapshot, -1: unschedulable
  int feasible_nodes = 0;
  int evaluated_nodes = 0;
  std::vector<NodeVerdict> nodes;  // one per snapshot node (explain) or per evaluated node;
                                   // NodeVerdict::scores only with explain
  std::string message;             // Kubernetes' FitError text when unschedulable
  PreemptionResult preemption;
};

// kube-scheduler's numFeasibleNodesToFind (schedule_one.go): how many
// feasible nodes to find before scoring.
int32_t num_feasible_nodes_to_find(int32_t percentage_of_nodes_to_score, int32_t num_all_nodes);

class SchedulingFramework {
 public:
  // Instantiates the profile's plugins; an unknown plugin name is an error.
  static Expected<std::unique_ptr<SchedulingFramework>> create(const Profile& profile,
                                                               const PluginRegistry& registry);

  ScheduleResult schedule(const Pod& pod, Snapshot& snapshot, RandomStream& rng,
                          bool explain = false);
  const Profile& profile() const { return profile_; }

 private:
  struct Instance {
    std::string name;
    Plugin* plugin;
    int32_t weight;
  };
  SchedulingFramework() = default;

  // Runs PreFilter; returns false (and fills result) if the pod is rejected.
  // `filters` receives the filter plugins to run, in order: those whose
  // PreFilter did not skip.
  bool run_pre_filter(CycleState& state, const Pod& pod, const Snapshot& snapshot,
                      std::vector<const Instance*>& filters, ScheduleResult& result);
  Status run_filters(const CycleState& state, const Pod& pod, const NodeInfo& node,
                     const std::vector<const Instance*>& filters) const;
  void run_scores(CycleState& state, const Pod& pod, const Snapshot& snapshot,
                  std::vector<NodeVerdict*>& feasible, bool explain);
  int select_host(const std::vector<NodeVerdict*>& feasible, RandomStream& rng);
  PreemptionResult preempt(const Pod& pod, const Snapshot& snapshot, const ScheduleResult& result);
  // Whether pod fits on node `index` of snapshot (PreFilter on the whole snapshot, then Filter).
  bool fits(const Pod& pod, const Snapshot& snapshot, int index);
  static std::string fit_error(const ScheduleResult& result, int num_nodes);

  Profile profile_;
  std::vector<std::unique_ptr<Plugin>> owned_;
  std::vector<Instance> pre_filter_, filter_, pre_score_, score_;
  std::size_t next_start_node_ = 0;  // rotating start index (schedule_one.go)
  std::size_t round_robin_next_ = 0;
};

}  // namespace kubesim
