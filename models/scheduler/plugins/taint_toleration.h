// TaintToleration (pkg/scheduler/framework/plugins/tainttoleration/taint_toleration.go):
// Filter rejects a node with a NoSchedule or NoExecute taint the pod does not
// tolerate; Score counts the PreferNoSchedule taints it does not tolerate, and
// NormalizeScore reverses the counts (fewest untolerated taints -> 100).
//
//   auto p = make_taint_toleration(PluginArgs{});
//   p->filter(state, pod, node);  // "node(s) had untolerated taint {dedicated: gpu}"
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "models/scheduler/framework.h"

namespace kubesim {

class TaintToleration : public Plugin {
 public:
  static constexpr std::string_view kName = "TaintToleration";
  static constexpr std::string_view kDescription =
      "NoSchedule/NoExecute taints must be tolerated; fewer untolerated PreferNoSchedule is better";

  explicit TaintToleration(const PluginArgs& args);

  std::string_view name() const override { return kName; }
  uint32_t extension_points() const override { return kFilter | kPreScore | kScore; }

  Status filter(const CycleState& state, const Pod& pod, const NodeInfo& node) const override;
  Status pre_score(CycleState& state, const Pod& pod, const Snapshot& snapshot,
                   std::span<const NodeInfo* const> feasible) override;
  int64_t score(const CycleState& state, const Pod& pod, const NodeInfo& node) const override;
  void normalize_scores(const CycleState& state, const Pod& pod,
                        std::vector<int64_t>& scores) const override;
};

// The Filter reason for an untolerated taint (v1.24-v1.34 wording).
std::string untolerated_taint_reason(const Taint& taint);

std::unique_ptr<Plugin> make_taint_toleration(const PluginArgs& args);

}  // namespace kubesim
