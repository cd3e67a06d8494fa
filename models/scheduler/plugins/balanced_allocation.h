// NodeResourcesBalancedAllocation: favours nodes whose cpu and memory (and any
// configured resource) fractions stay close to each other after placing the
// pod (pkg/scheduler/framework/plugins/noderesources/balanced_allocation.go,
// v1.24-v1.35 formula): f_i = min(requested_i / allocatable_i, 1) from actual
// requests (no non-zero defaults); score = int64((1 - std(f)) * 100). A pod
// requesting none of the resources is skipped at PreScore.
//
//   auto p = make_node_resources_balanced_allocation(PluginArgs{});
#pragma once

#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "models/scheduler/framework.h"

namespace kubesim {

class BalancedAllocation : public Plugin {
 public:
  static constexpr std::string_view kName = "NodeResourcesBalancedAllocation";
  static constexpr std::string_view kDescription =
      "favours nodes whose resource fractions stay balanced (1 - std dev)";

  explicit BalancedAllocation(const PluginArgs& args);

  std::string_view name() const override { return kName; }
  uint32_t extension_points() const override { return kPreScore | kScore; }

  Status pre_score(CycleState& state, const Pod& pod, const Snapshot& snapshot,
                   std::span<const NodeInfo* const> feasible) override;
  int64_t score(const CycleState& state, const Pod& pod, const NodeInfo& node) const override;

 private:
  std::vector<ResourceWeight> resources_;
};

std::unique_ptr<Plugin> make_node_resources_balanced_allocation(const PluginArgs& args);

}  // namespace kubesim
