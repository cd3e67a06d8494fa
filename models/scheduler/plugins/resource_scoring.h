// Shared arithmetic of kube-scheduler's resource scoring plugins, kept in one
// place so that NodeResourcesFit's three strategies and
// NodeResourcesBalancedAllocation read a node's numbers the same way:
//   pkg/scheduler/framework/plugins/noderesources/resource_allocation.go
//   pkg/scheduler/framework/plugins/noderesources/{least,most}_allocated.go
//   pkg/scheduler/framework/plugins/noderesources/requested_to_capacity_ratio.go
//   pkg/scheduler/framework/plugins/helper/{normalize_score,shape_score}.go
//
// PreScore resolves the configured resources once per cycle (names to fields,
// the pod's requests); Score then reads each node's numbers without string
// comparisons or allocations:
//   std::vector<ResolvedResource> rs = resolve_resources(pod.spec, args.fit_resources, false);
//   int64_t s = least_allocated_score(node, rs);
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "models/scheduler/framework.h"

namespace kubesim::scoring {

// helper.DefaultNormalizeScore: scales [0, max(scores)] onto [0, max_priority]
// (integer division); reverse subtracts from max_priority. All zero: reverse
// gives max_priority everywhere, otherwise the scores stay 0.
void default_normalize_scores(int64_t max_priority, bool reverse, std::vector<int64_t>& scores);

// cpu, memory, ephemeral-storage and pods are native; everything else
// (nvidia.com/gpu, hugepages-2Mi, ...) is a scalar resource
// (schedutil.IsScalarResourceName).
bool is_scalar_resource_name(const std::string& name);

// resourceAllocationScorer.calculatePodResourceRequest: the pod's request of
// `resource` (cpu in millicores). With use_requested == false (the Fit
// strategies) containers without a cpu/memory request count 100m / 200Mi.
int64_t pod_resource_request(const PodSpec& spec, const std::string& resource, bool use_requested);

// A configured resource, resolved once per cycle: which field of Resources
// it reads, its weight, and the pod's request of it.
enum class ResourceField { kCpu, kMemory, kEphemeralStorage, kPods, kScalar };
struct ResolvedResource {
  ResourceField field = ResourceField::kScalar;
  const std::string* name = nullptr;  // the configured name; scalar resources look it up
  int64_t weight = 1;
  int64_t pod_request = 0;  // pod_resource_request
};
// `resources` must outlive the result (names are borrowed).
std::vector<ResolvedResource> resolve_resources(const PodSpec& spec,
                                                const std::vector<ResourceWeight>& resources,
                                                bool use_requested);

// resourceAllocationScorer.score + calculateResourceAllocatableRequest: the
// node's allocatable and requested (existing pods plus the incoming pod) of
// one resource. Allocatable 0 (a scalar resource the pod does not request, or
// the node does not have; pods) means the resource is skipped by every scorer.
struct AllocatableRequested {
  int64_t allocatable = 0;
  int64_t requested = 0;
};
AllocatableRequested allocatable_and_requested(const NodeInfo& node, const ResolvedResource& r,
                                               bool use_requested);

// The Fit strategies read non-zero requests (use_requested == false).
// least_allocated.go: (cap - req) * 100 / cap, 0 when req > cap; weighted mean.
int64_t least_requested_score(int64_t requested, int64_t capacity);
int64_t least_allocated_score(const NodeInfo& node, std::span<const ResolvedResource> resources);
// most_allocated.go: min(req, cap) * 100 / cap; weighted mean.
int64_t most_requested_score(int64_t requested, int64_t capacity);
int64_t most_allocated_score(const NodeInfo& node, std::span<const ResolvedResource> resources);

// helper.BuildBrokenLinearFunction over (utilization, score) points, integer
// interpolation, clamped to the first/last score outside the points.
int64_t broken_linear(const std::vector<ShapePoint>& shape, int64_t p);
// requested_to_capacity_ratio.go: shape scores are scaled x10 (MaxNodeScore /
// MaxCustomPriorityScore), once, by scale_shape; utilization = req * 100 / cap
// (100 when req >= cap); only resources with a positive score enter the
// weighted mean, which is rounded (math.Round).
std::vector<ShapePoint> scale_shape(const std::vector<ShapePoint>& shape);
int64_t requested_to_capacity_ratio_score(const NodeInfo& node,
                                          std::span<const ResolvedResource> resources,
                                          const std::vector<ShapePoint>& scaled_shape);

// balanced_allocation.go (v1.24-v1.35), actual requests (use_requested ==
// true): fractions min(req/alloc, 1) in float64; two resources: std = |f1 -
// f2| / 2; more: population std; int64((1 - std) * 100).
int64_t balanced_resource_score(const NodeInfo& node, std::span<const ResolvedResource> resources);

}  // namespace kubesim::scoring
