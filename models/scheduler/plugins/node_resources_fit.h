// NodeResourcesFit: the pod's requests must fit the node's allocatable minus
// what its pods request (Filter), and nodes are scored by one of three
// strategies (pkg/scheduler/framework/plugins/noderesources/fit.go,
// least_allocated.go, most_allocated.go, requested_to_capacity_ratio.go).
//
// Filter collects every insufficient resource, in Kubernetes' order: "Too many
// pods", "Insufficient cpu", "Insufficient memory", "Insufficient
// ephemeral-storage", "Insufficient <scalar>" (scalars by name). The status is
// UnschedulableAndUnresolvable when a request exceeds the whole allocatable
// (preemption cannot help), Unschedulable otherwise.
//
//   PluginArgs args;
//   args.fit_strategy = ScoringStrategy::kMostAllocated;
//   auto p = make_node_resources_fit(args);
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "models/scheduler/framework.h"

namespace kubesim {

class NodeResourcesFit : public Plugin {
 public:
  static constexpr std::string_view kName = "NodeResourcesFit";
  static constexpr std::string_view kDescription =
      "requests must fit allocatable; scores LeastAllocated, MostAllocated or "
      "RequestedToCapacityRatio";
  static constexpr std::string_view kReasonTooManyPods = "Too many pods";

  explicit NodeResourcesFit(const PluginArgs& args);

  std::string_view name() const override { return kName; }
  uint32_t extension_points() const override { return kPreFilter | kFilter | kPreScore | kScore; }

  Status pre_filter(CycleState& state, const Pod& pod, const Snapshot& snapshot) override;
  Status filter(const CycleState& state, const Pod& pod, const NodeInfo& node) const override;
  Status pre_score(CycleState& state, const Pod& pod, const Snapshot& snapshot,
                   std::span<const NodeInfo* const> feasible) override;
  int64_t score(const CycleState& state, const Pod& pod, const NodeInfo& node) const override;

 private:
  ScoringStrategy strategy_;
  std::vector<ResourceWeight> resources_;
  std::vector<ShapePoint> scaled_shape_;  // RequestedToCapacityRatio, scores x10
};

// fit.go InsufficientResource.
struct InsufficientResource {
  std::string resource;
  std::string reason;
  int64_t requested = 0;
  int64_t used = 0;
  int64_t capacity = 0;
  bool unresolvable = false;
};
// fit.go fitsRequest: every resource the pod (request `pod_request`, from
// pod_requests()) does not fit on the node.
std::vector<InsufficientResource> insufficient_resources(const Resources& pod_request,
                                                         const NodeInfo& node);

std::unique_ptr<Plugin> make_node_resources_fit(const PluginArgs& args);

}  // namespace kubesim
