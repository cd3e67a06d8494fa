// pkg/scheduler/framework/plugins/noderesources/balanced_allocation.go
#include "models/scheduler/plugins/balanced_allocation.h"

#include <algorithm>

#include "models/scheduler/plugins/resource_scoring.h"

namespace kubesim {
namespace {

constexpr const char* kPreScoreKey = "PreScoreNodeResourcesBalancedAllocation";

struct BalancedPreScoreState : StateData {
  std::vector<int64_t> pod_requests;
};

bool is_best_effort(const std::vector<int64_t>& requests) {
  return std::all_of(requests.begin(), requests.end(), [](int64_t r) { return r == 0; });
}

}  // namespace

BalancedAllocation::BalancedAllocation(const PluginArgs& args)
    : resources_(args.balanced_resources) {}

Status BalancedAllocation::pre_score(CycleState& state, const Pod& pod, const Snapshot&,
                                     std::span<const NodeInfo* const>) {
  auto s = std::make_unique<BalancedPreScoreState>();
  s->pod_requests = scoring::pod_request_list(pod.spec, resources_, /*use_requested=*/true);
  // Best-effort pods are skipped so they do not all pile onto one node
  // (kubernetes/kubernetes#129138).
  if (is_best_effort(s->pod_requests)) return Status::skipped();
  state.write(kPreScoreKey, std::move(s));
  return {};
}

int64_t BalancedAllocation::score(const CycleState& state, const Pod& pod,
                                  const NodeInfo& node) const {
  if (resources_.empty()) return 0;
  const BalancedPreScoreState* s = state.read<BalancedPreScoreState>(kPreScoreKey);
  const std::vector<int64_t> pod_req =
      s ? s->pod_requests : scoring::pod_request_list(pod.spec, resources_, true);
  if (!s && is_best_effort(pod_req)) return 0;
  return scoring::balanced_resource_score(
      scoring::node_resource_vectors(node, resources_, pod_req, /*use_requested=*/true));
}

std::unique_ptr<Plugin> make_node_resources_balanced_allocation(const PluginArgs& args) {
  return std::make_unique<BalancedAllocation>(args);
}

}  // namespace kubesim
