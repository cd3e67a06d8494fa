// PodTopologySpread: kube-scheduler's pod topology spread plugin
// (pkg/scheduler/framework/plugins/podtopologyspread/{common,filtering,scoring,plugin}.go).
//
// Filter (DoNotSchedule constraints): a node fails when
//   matching pods in its domain + (1 if the pod matches itself) - global minimum > maxSkew.
// Score (ScheduleAnyway constraints): raw = round(sum cnt * ln(domains + 2) + (maxSkew - 1)),
// normalized 100 * (max + min - raw) / max, so emptier domains score higher.
//
//   PluginArgs args;  // args.spread_system_defaulting: hostname/3 and zone/5 soft defaults
//   std::unique_ptr<Plugin> p = make_pod_topology_spread(args);
//   CycleState state;
//   if (!p->pre_filter(state, pod, snapshot).skip()) p->filter(state, pod, snapshot.nodes()[0]);
#pragma once

#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "models/scheduler/framework.h"
#include "models/scheduler/plugins/pod_topology_spread_common.h"

namespace kubesim {

class PodTopologySpread : public Plugin {
 public:
  static constexpr std::string_view kName = "PodTopologySpread";
  static constexpr std::string_view kDescription =
      "spreads matching pods evenly across topology domains (maxSkew, hostname/zone defaults)";

  // Reasons, pkg/scheduler/framework/plugins/podtopologyspread/plugin.go.
  static constexpr std::string_view kReasonConstraintsNotMatch =
      "node(s) didn't match pod topology spread constraints";
  static constexpr std::string_view kReasonNodeLabelNotMatch =
      "node(s) didn't match pod topology spread constraints (missing required label)";

  explicit PodTopologySpread(const PluginArgs& args);

  std::string_view name() const override { return kName; }
  uint32_t extension_points() const override { return kPreFilter | kFilter | kPreScore | kScore; }

  Status pre_filter(CycleState& state, const Pod& pod, const Snapshot& snapshot) override;
  Status filter(const CycleState& state, const Pod& pod, const NodeInfo& node) const override;
  Status pre_score(CycleState& state, const Pod& pod, const Snapshot& snapshot,
                   std::span<const NodeInfo* const> feasible) override;
  int64_t score(const CycleState& state, const Pod& pod, const NodeInfo& node) const override;
  void normalize_scores(const CycleState& state, const Pod& pod,
                        std::vector<int64_t>& scores) const override;

 private:
  static constexpr size_t kMaxRememberedSelectors = 4096;
  bool system_defaulted_ = false;
  std::vector<TopologySpreadConstraint> default_constraints_;
  pts_detail::MatchCountCache counts_;  // matching-pod counts remembered across cycles
};

std::unique_ptr<Plugin> make_pod_topology_spread(const PluginArgs& args);

}  // namespace kubesim
