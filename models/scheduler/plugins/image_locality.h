// ImageLocality (pkg/scheduler/framework/plugins/imagelocality/image_locality.go):
// favours nodes that already hold the pod's images. Each present image counts
// size * nodesWithImage / totalNodes ("spread" scaling against node heating);
// the sum is clamped to [23 MiB, 1000 MiB * containers] (containers include
// init containers) and mapped linearly onto [0, 100].
//
//   auto p = make_image_locality(PluginArgs{});
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "models/scheduler/framework.h"

namespace kubesim {

class ImageLocality : public Plugin {
 public:
  static constexpr std::string_view kName = "ImageLocality";
  static constexpr std::string_view kDescription =
      "favours nodes that already have the pod's container images";

  explicit ImageLocality(const PluginArgs& args);

  std::string_view name() const override { return kName; }
  // PreScore only records the snapshot's image states and node count, which
  // Kubernetes reads from its snapshot lister inside Score.
  uint32_t extension_points() const override { return kPreScore | kScore; }

  Status pre_score(CycleState& state, const Pod& pod, const Snapshot& snapshot,
                   std::span<const NodeInfo* const> feasible) override;
  int64_t score(const CycleState& state, const Pod& pod, const NodeInfo& node) const override;
};

// normalizedImageName: appends ":latest" when the name has no tag.
std::string normalized_image_name(const std::string& name);
// calculatePriority(sumScores, numContainers).
int64_t image_locality_priority(int64_t sum_scores, int64_t num_containers);

std::unique_ptr<Plugin> make_image_locality(const PluginArgs& args);

}  // namespace kubesim
