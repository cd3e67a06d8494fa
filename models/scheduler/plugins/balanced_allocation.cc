// pkg/scheduler/framework/plugins/noderesources/balanced_allocation.go
#include "models/scheduler/plugins/balanced_allocation.h"

#include <algorithm>

#include "models/scheduler/plugins/resource_scoring.h"

namespace kubesim {
namespace {

constexpr StateKey kPreScoreKey{"PreScoreNodeResourcesBalancedAllocation"};

struct BalancedPreScoreState : StateData {
  std::vector<scoring::ResolvedResource> resources;  // the configured ones, with the pod's requests
};

bool is_best_effort(std::span<const scoring::ResolvedResource> resources) {
  return std::all_of(resources.begin(), resources.end(),
                     [](const scoring::ResolvedResource& r) { return r.pod_request == 0; });
}

}  // namespace

BalancedAllocation::BalancedAllocation(const PluginArgs& args)
    : resources_(args.balanced_resources) {}

Status BalancedAllocation::pre_score(CycleState& state, const Pod& pod, const Snapshot&,
                                     std::span<const NodeInfo* const>) {
  auto s = std::make_unique<BalancedPreScoreState>();
  s->resources = scoring::resolve_resources(pod.spec, resources_, /*use_requested=*/true);
  // Best-effort pods are skipped so they do not all pile onto one node
  // (kubernetes/kubernetes#129138).
  if (is_best_effort(s->resources)) return Status::skipped();
  state.write(kPreScoreKey, std::move(s));
  return {};
}

int64_t BalancedAllocation::score(const CycleState& state, const Pod& pod,
                                  const NodeInfo& node) const {
  if (resources_.empty()) return 0;
  const BalancedPreScoreState* s = state.read<BalancedPreScoreState>(kPreScoreKey);
  std::vector<scoring::ResolvedResource> computed;  // without PreScore only
  if (s == nullptr) {
    computed = scoring::resolve_resources(pod.spec, resources_, true);
    if (is_best_effort(computed)) return 0;
  }
  return scoring::balanced_resource_score(
      node, s ? std::span<const scoring::ResolvedResource>(s->resources) : computed);
}

std::unique_ptr<Plugin> make_node_resources_balanced_allocation(const PluginArgs& args) {
  return std::make_unique<BalancedAllocation>(args);
}

}  // namespace kubesim
