// NodeAffinity (pkg/scheduler/framework/plugins/nodeaffinity/node_affinity.go):
// Filter requires spec.nodeSelector and the required node affinity terms
// (ORed; requirements within a term ANDed); Score sums the weights of the
// preferred terms a node matches, normalized to 100 * raw / max.
//
//   auto p = make_node_affinity(PluginArgs{});
//   // PreFilter skips pods with neither a nodeSelector nor required terms.
#pragma once

#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "models/scheduler/framework.h"

namespace kubesim {

class NodeAffinityPlugin : public Plugin {
 public:
  static constexpr std::string_view kName = "NodeAffinity";
  static constexpr std::string_view kDescription =
      "nodeSelector and required node affinity must match; preferred terms add their weights";
  static constexpr std::string_view kReasonPod =
      "node(s) didn't match Pod's node affinity/selector";
  static constexpr std::string_view kReasonConflict = "pod affinity terms conflict";

  explicit NodeAffinityPlugin(const PluginArgs& args);

  std::string_view name() const override { return kName; }
  uint32_t extension_points() const override { return kPreFilter | kFilter | kPreScore | kScore; }

  Status pre_filter(CycleState& state, const Pod& pod, const Snapshot& snapshot) override;
  Status filter(const CycleState& state, const Pod& pod, const NodeInfo& node) const override;
  Status pre_score(CycleState& state, const Pod& pod, const Snapshot& snapshot,
                   std::span<const NodeInfo* const> feasible) override;
  int64_t score(const CycleState& state, const Pod& pod, const NodeInfo& node) const override;
  void normalize_scores(const CycleState& state, const Pod& pod,
                        std::vector<int64_t>& scores) const override;
};

// nodeaffinity.GetRequiredNodeAffinity(pod).Match(node): nodeSelector and, if
// present, the required terms.
bool matches_required_node_affinity(const Pod& pod, const Node& node);
// PreferredSchedulingTerms.Score: sum of weights of matching terms (weight 0 ignored).
int64_t preferred_node_affinity_score(const Pod& pod, const Node& node);

std::unique_ptr<Plugin> make_node_affinity(const PluginArgs& args);

}  // namespace kubesim
