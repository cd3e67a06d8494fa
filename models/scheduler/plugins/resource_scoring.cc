#include "models/scheduler/plugins/resource_scoring.h"

#include <algorithm>
#include <cmath>

namespace kubesim::scoring {

void default_normalize_scores(int64_t max_priority, bool reverse, std::vector<int64_t>& scores) {
  // pkg/scheduler/framework/plugins/helper/normalize_score.go
  int64_t max_count = 0;
  for (int64_t s : scores)
    max_count = std::max(max_count, s);
  if (max_count == 0) {
    if (reverse) std::fill(scores.begin(), scores.end(), max_priority);
    return;
  }
  for (int64_t& s : scores) {
    s = max_priority * s / max_count;
    if (reverse) s = max_priority - s;
  }
}

bool is_scalar_resource_name(const std::string& name) {
  return name != kResourceCpu && name != kResourceMemory && name != kResourceEphemeralStorage &&
         name != kResourcePods;
}

int64_t pod_resource_request(const PodSpec& spec, const std::string& resource, bool use_requested) {
  // resource_allocation.go calculatePodResourceRequest: PodRequests, with
  // NonMissingContainerRequests {cpu: 100m, memory: 200Mi} unless useRequested.
  if (!use_requested && (resource == kResourceCpu || resource == kResourceMemory)) {
    const Resources nz = non_zero_requests(spec);
    return resource == kResourceCpu ? nz.milli_cpu : nz.memory;
  }
  if (resource == kResourcePods) return 0;
  return resource_amount(pod_requests(spec), resource);
}

std::vector<ResolvedResource> resolve_resources(const PodSpec& spec,
                                                const std::vector<ResourceWeight>& resources,
                                                bool use_requested) {
  std::vector<ResolvedResource> out;
  out.reserve(resources.size());
  for (const ResourceWeight& r : resources) {
    ResolvedResource rr;
    if (r.name == kResourceCpu) {
      rr.field = ResourceField::kCpu;
    } else if (r.name == kResourceMemory) {
      rr.field = ResourceField::kMemory;
    } else if (r.name == kResourceEphemeralStorage) {
      rr.field = ResourceField::kEphemeralStorage;
    } else if (r.name == kResourcePods) {
      rr.field = ResourceField::kPods;
    } else {
      rr.field = ResourceField::kScalar;  // is_scalar_resource_name
    }
    rr.name = &r.name;
    rr.weight = r.weight;
    rr.pod_request = pod_resource_request(spec, r.name, use_requested);
    out.push_back(rr);
  }
  return out;
}

AllocatableRequested allocatable_and_requested(const NodeInfo& node, const ResolvedResource& r,
                                               bool use_requested) {
  // calculateResourceAllocatableRequest.
  const Resources& requested = use_requested ? node.requested : node.non_zero_requested;
  const Resources& alloc = node.node->allocatable;
  switch (r.field) {
    case ResourceField::kCpu:
      return {alloc.milli_cpu, requested.milli_cpu + r.pod_request};
    case ResourceField::kMemory:
      return {alloc.memory, requested.memory + r.pod_request};
    case ResourceField::kEphemeralStorage:
      return {alloc.ephemeral_storage, node.requested.ephemeral_storage + r.pod_request};
    case ResourceField::kPods:
      return {0, 0};
    case ResourceField::kScalar: {
      // A scalar resource the pod does not request is bypassed.
      if (r.pod_request == 0) return {0, 0};
      const int64_t a = alloc.scalar_value(*r.name);
      if (a == 0) return {0, 0};  // not on the node: omitted
      return {a, node.requested.scalar_value(*r.name) + r.pod_request};
    }
  }
  return {0, 0};
}

int64_t least_requested_score(int64_t requested, int64_t capacity) {
  if (capacity == 0) return 0;
  if (requested > capacity) return 0;
  return ((capacity - requested) * kMaxNodeScore) / capacity;
}

int64_t most_requested_score(int64_t requested, int64_t capacity) {
  if (capacity == 0) return 0;
  // requested may exceed capacity because of the non-zero defaults.
  if (requested > capacity) requested = capacity;
  return (requested * kMaxNodeScore) / capacity;
}

namespace {

// The Fit strategies' weighted mean over the resources the node has.
template <class F>
int64_t weighted_mean(const NodeInfo& node, std::span<const ResolvedResource> resources,
                      F per_resource) {
  int64_t node_score = 0, weight_sum = 0;
  for (const ResolvedResource& r : resources) {
    const AllocatableRequested ar = allocatable_and_requested(node, r, /*use_requested=*/false);
    if (ar.allocatable == 0) continue;
    node_score += per_resource(ar.requested, ar.allocatable) * r.weight;
    weight_sum += r.weight;
  }
  if (weight_sum == 0) return 0;
  return node_score / weight_sum;
}

}  // namespace

int64_t least_allocated_score(const NodeInfo& node, std::span<const ResolvedResource> resources) {
  return weighted_mean(node, resources, least_requested_score);
}

int64_t most_allocated_score(const NodeInfo& node, std::span<const ResolvedResource> resources) {
  return weighted_mean(node, resources, most_requested_score);
}

int64_t broken_linear(const std::vector<ShapePoint>& shape, int64_t p) {
  // helper/shape_score.go BuildBrokenLinearFunction.
  for (size_t i = 0; i < shape.size(); ++i) {
    if (p <= shape[i].utilization) {
      if (i == 0) return shape[0].score;
      return shape[i - 1].score + (shape[i].score - shape[i - 1].score) *
                                      (p - shape[i - 1].utilization) /
                                      (shape[i].utilization - shape[i - 1].utilization);
    }
  }
  return shape.empty() ? 0 : shape.back().score;
}

namespace {

constexpr int64_t kMaxUtilization = 100;
constexpr int64_t kMaxCustomPriorityScore = 10;  // apis/config: MaxCustomPriorityScore
__extension__ typedef __int128 Int128;           // GCC/Clang; -Wpedantic-clean

// requested * max / capacity, exact, requested clamped to [0, capacity]
// (scaledUtilization; the 128-bit product avoids int64 overflow).
int64_t scaled_utilization(int64_t requested, int64_t capacity) {
  if (capacity <= 0 || requested <= 0) return 0;
  if (requested >= capacity) return kMaxUtilization;
  return static_cast<int64_t>(static_cast<Int128>(requested) * kMaxUtilization / capacity);
}

}  // namespace

std::vector<ShapePoint> scale_shape(const std::vector<ShapePoint>& shape) {
  std::vector<ShapePoint> scaled = shape;
  for (ShapePoint& p : scaled)
    p.score *= kMaxNodeScore / kMaxCustomPriorityScore;
  return scaled;
}

int64_t requested_to_capacity_ratio_score(const NodeInfo& node,
                                          std::span<const ResolvedResource> resources,
                                          const std::vector<ShapePoint>& scaled_shape) {
  const auto resource_score = [&](int64_t requested, int64_t capacity) {
    if (capacity == 0 || requested > capacity) return broken_linear(scaled_shape, kMaxUtilization);
    return broken_linear(scaled_shape, scaled_utilization(requested, capacity));
  };
  int64_t node_score = 0, weight_sum = 0;
  for (const ResolvedResource& r : resources) {
    const AllocatableRequested ar = allocatable_and_requested(node, r, /*use_requested=*/false);
    if (ar.allocatable == 0) continue;
    const int64_t s = resource_score(ar.requested, ar.allocatable);
    if (s > 0) {
      node_score += s * r.weight;
      weight_sum += r.weight;
    }
  }
  if (weight_sum == 0) return 0;
  return static_cast<int64_t>(
      std::round(static_cast<double>(node_score) / static_cast<double>(weight_sum)));
}

int64_t balanced_resource_score(const NodeInfo& node, std::span<const ResolvedResource> resources) {
  // The fractions are computed twice (for the mean, then for the deviations)
  // instead of being stored: no allocation per node, and the same values.
  const auto fraction = [](const AllocatableRequested& ar) {
    double f = static_cast<double>(ar.requested) / static_cast<double>(ar.allocatable);
    return f > 1 ? 1.0 : f;
  };
  double total = 0;
  size_t count = 0;
  double first = 0, second = 0;
  for (const ResolvedResource& r : resources) {
    const AllocatableRequested ar = allocatable_and_requested(node, r, /*use_requested=*/true);
    if (ar.allocatable == 0) continue;
    const double f = fraction(ar);
    total += f;
    if (count == 0) first = f;
    if (count == 1) second = f;
    ++count;
  }
  double std_dev = 0.0;
  if (count == 2) {
    std_dev = std::abs((first - second) / 2);
  } else if (count > 2) {
    const double mean = total / static_cast<double>(count);
    double sum = 0;
    for (const ResolvedResource& r : resources) {
      const AllocatableRequested ar = allocatable_and_requested(node, r, /*use_requested=*/true);
      if (ar.allocatable == 0) continue;
      const double f = fraction(ar);
      sum = sum + (f - mean) * (f - mean);
    }
    std_dev = std::sqrt(sum / static_cast<double>(count));
  }
  return static_cast<int64_t>((1 - std_dev) * static_cast<double>(kMaxNodeScore));
}

}  // namespace kubesim::scoring
