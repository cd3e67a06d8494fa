// pkg/scheduler/framework/plugins/noderesources/fit.go (Filter, Score) with the
// scorers of least_allocated.go, most_allocated.go and
// requested_to_capacity_ratio.go (see resource_scoring.cc).
#include "models/scheduler/plugins/node_resources_fit.h"

#include <string_view>

#include "models/scheduler/plugins/resource_scoring.h"

namespace kubesim {
namespace {

constexpr StateKey kPreFilterKey{"PreFilterNodeResourcesFit"};
constexpr StateKey kPreScoreKey{"PreScoreNodeResourcesFit"};

struct FitPreFilterState : StateData {
  Resources request;
};
struct FitPreScoreState : StateData {
  std::vector<scoring::ResolvedResource> resources;  // the configured ones, with the pod's requests
};

// Out of line, so that the checks in insufficient_resources stay small; names
// become strings only for the resources that do not fit.
void add_insufficient(std::vector<InsufficientResource>& out, std::string_view name, int64_t want,
                      int64_t used, int64_t alloc) {
  out.push_back({std::string(name), std::string("Insufficient ").append(name), want, used, alloc,
                 want > alloc});
}

}  // namespace

std::vector<InsufficientResource> insufficient_resources(const Resources& pod_request,
                                                         const NodeInfo& node) {
  std::vector<InsufficientResource> out;
  const Resources& alloc = node.node->allocatable;
  const Resources& used = node.requested;
  const int64_t pods = static_cast<int64_t>(node.pods.size());
  if (pods + 1 > alloc.pods) {
    out.push_back({kResourcePods, std::string(NodeResourcesFit::kReasonTooManyPods), 1, pods,
                   alloc.pods, false});
  }
  bool any_scalar = false;
  for (const auto& [name, v] : pod_request.scalar)
    any_scalar = any_scalar || v != 0;
  if (pod_request.milli_cpu == 0 && pod_request.memory == 0 && pod_request.ephemeral_storage == 0 &&
      !any_scalar) {
    return out;
  }
  const auto check = [&](std::string_view name, int64_t want, int64_t have_used,
                         int64_t have_alloc) {
    if (want > 0 && want > have_alloc - have_used)
      add_insufficient(out, name, want, have_used, have_alloc);
  };
  check(kResourceCpu, pod_request.milli_cpu, used.milli_cpu, alloc.milli_cpu);
  check(kResourceMemory, pod_request.memory, used.memory, alloc.memory);
  check(kResourceEphemeralStorage, pod_request.ephemeral_storage, used.ephemeral_storage,
        alloc.ephemeral_storage);
  for (const auto& [name, want] : pod_request.scalar) {
    if (want == 0) continue;
    check(name, want, used.scalar_value(name), alloc.scalar_value(name));
  }
  return out;
}

NodeResourcesFit::NodeResourcesFit(const PluginArgs& args)
    : strategy_(args.fit_strategy),
      resources_(args.fit_resources),
      scaled_shape_(scoring::scale_shape(args.fit_shape)) {}

Status NodeResourcesFit::pre_filter(CycleState& state, const Pod& pod, const Snapshot&) {
  auto s = std::make_unique<FitPreFilterState>();
  s->request = pod_requests(pod.spec);
  state.write(kPreFilterKey, std::move(s));
  return {};
}

Status NodeResourcesFit::filter(const CycleState& state, const Pod& pod,
                                const NodeInfo& node) const {
  const FitPreFilterState* s = state.read<FitPreFilterState>(kPreFilterKey);
  const std::vector<InsufficientResource> missing =
      s ? insufficient_resources(s->request, node)
        : insufficient_resources(pod_requests(pod.spec), node);
  if (missing.empty()) return {};
  Status st;
  st.code = StatusCode::kUnschedulable;
  for (const InsufficientResource& r : missing) {
    st.reasons.push_back(r.reason);
    if (r.unresolvable) st.code = StatusCode::kUnschedulableAndUnresolvable;
  }
  return st;
}

Status NodeResourcesFit::pre_score(CycleState& state, const Pod& pod, const Snapshot&,
                                   std::span<const NodeInfo* const>) {
  auto s = std::make_unique<FitPreScoreState>();
  s->resources = scoring::resolve_resources(pod.spec, resources_, /*use_requested=*/false);
  state.write(kPreScoreKey, std::move(s));
  return {};
}

int64_t NodeResourcesFit::score(const CycleState& state, const Pod& pod,
                                const NodeInfo& node) const {
  // Kubernetes returns an Error status when no resources are configured.
  if (resources_.empty()) return 0;
  const FitPreScoreState* s = state.read<FitPreScoreState>(kPreScoreKey);
  std::vector<scoring::ResolvedResource> computed;  // without PreScore only
  if (s == nullptr) computed = scoring::resolve_resources(pod.spec, resources_, false);
  const std::span<const scoring::ResolvedResource> resources =
      s ? std::span<const scoring::ResolvedResource>(s->resources) : computed;
  switch (strategy_) {
    case ScoringStrategy::kLeastAllocated:
      return scoring::least_allocated_score(node, resources);
    case ScoringStrategy::kMostAllocated:
      return scoring::most_allocated_score(node, resources);
    case ScoringStrategy::kRequestedToCapacityRatio:
      return scoring::requested_to_capacity_ratio_score(node, resources, scaled_shape_);
  }
  return 0;
}

std::unique_ptr<Plugin> make_node_resources_fit(const PluginArgs& args) {
  return std::make_unique<NodeResourcesFit>(args);
}

}  // namespace kubesim
