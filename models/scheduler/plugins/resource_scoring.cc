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

std::vector<int64_t> pod_request_list(const PodSpec& spec,
                                      const std::vector<ResourceWeight>& resources,
                                      bool use_requested) {
  std::vector<int64_t> out;
  out.reserve(resources.size());
  for (const ResourceWeight& r : resources) {
    out.push_back(pod_resource_request(spec, r.name, use_requested));
  }
  return out;
}

namespace {

// calculateResourceAllocatableRequest: {allocatable, requested incl. the pod}.
std::pair<int64_t, int64_t> allocatable_and_requested(const NodeInfo& node,
                                                      const std::string& resource,
                                                      int64_t pod_request, bool use_requested) {
  const Resources& requested = use_requested ? node.requested : node.non_zero_requested;
  // A scalar resource the pod does not request is bypassed: (0, 0).
  if (pod_request == 0 && is_scalar_resource_name(resource)) return {0, 0};
  const Resources& alloc = node.node->allocatable;
  if (resource == kResourceCpu) return {alloc.milli_cpu, requested.milli_cpu + pod_request};
  if (resource == kResourceMemory) return {alloc.memory, requested.memory + pod_request};
  if (resource == kResourceEphemeralStorage) {
    return {alloc.ephemeral_storage, node.requested.ephemeral_storage + pod_request};
  }
  if (resource == kResourcePods) return {0, 0};
  const int64_t a = alloc.scalar_value(resource);
  if (a == 0) return {0, 0};  // not on the node: omitted
  return {a, node.requested.scalar_value(resource) + pod_request};
}

}  // namespace

ResourceVectors node_resource_vectors(const NodeInfo& node,
                                      const std::vector<ResourceWeight>& resources,
                                      const std::vector<int64_t>& pod_requests,
                                      bool use_requested) {
  ResourceVectors v;
  v.requested.assign(resources.size(), 0);
  v.allocatable.assign(resources.size(), 0);
  for (size_t i = 0; i < resources.size(); ++i) {
    const auto [alloc, req] =
        allocatable_and_requested(node, resources[i].name, pod_requests[i], use_requested);
    if (alloc == 0) continue;  // only fill non-zero entries
    v.allocatable[i] = alloc;
    v.requested[i] = req;
  }
  return v;
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

template <class F>
int64_t weighted_mean(const ResourceVectors& v, const std::vector<ResourceWeight>& resources,
                      F per_resource) {
  int64_t node_score = 0, weight_sum = 0;
  for (size_t i = 0; i < v.requested.size(); ++i) {
    if (v.allocatable[i] == 0) continue;
    const int64_t weight = resources[i].weight;
    node_score += per_resource(v.requested[i], v.allocatable[i]) * weight;
    weight_sum += weight;
  }
  if (weight_sum == 0) return 0;
  return node_score / weight_sum;
}

}  // namespace

int64_t least_allocated_score(const ResourceVectors& v,
                              const std::vector<ResourceWeight>& resources) {
  return weighted_mean(v, resources, least_requested_score);
}

int64_t most_allocated_score(const ResourceVectors& v,
                             const std::vector<ResourceWeight>& resources) {
  return weighted_mean(v, resources, most_requested_score);
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

int64_t requested_to_capacity_ratio_score(const ResourceVectors& v,
                                          const std::vector<ResourceWeight>& resources,
                                          const std::vector<ShapePoint>& shape) {
  std::vector<ShapePoint> scaled = shape;
  for (ShapePoint& p : scaled)
    p.score *= kMaxNodeScore / kMaxCustomPriorityScore;
  const auto resource_score = [&](int64_t requested, int64_t capacity) {
    if (capacity == 0 || requested > capacity) return broken_linear(scaled, kMaxUtilization);
    return broken_linear(scaled, scaled_utilization(requested, capacity));
  };
  int64_t node_score = 0, weight_sum = 0;
  for (size_t i = 0; i < v.requested.size(); ++i) {
    if (v.allocatable[i] == 0) continue;
    const int64_t weight = resources[i].weight;
    const int64_t s = resource_score(v.requested[i], v.allocatable[i]);
    if (s > 0) {
      node_score += s * weight;
      weight_sum += weight;
    }
  }
  if (weight_sum == 0) return 0;
  return static_cast<int64_t>(
      std::round(static_cast<double>(node_score) / static_cast<double>(weight_sum)));
}

int64_t balanced_resource_score(const ResourceVectors& v) {
  std::vector<double> fractions;
  double total = 0;
  for (size_t i = 0; i < v.requested.size(); ++i) {
    if (v.allocatable[i] == 0) continue;
    double f = static_cast<double>(v.requested[i]) / static_cast<double>(v.allocatable[i]);
    if (f > 1) f = 1;
    total += f;
    fractions.push_back(f);
  }
  double std_dev = 0.0;
  if (fractions.size() == 2) {
    std_dev = std::abs((fractions[0] - fractions[1]) / 2);
  } else if (fractions.size() > 2) {
    const double mean = total / static_cast<double>(fractions.size());
    double sum = 0;
    for (double f : fractions)
      sum = sum + (f - mean) * (f - mean);
    std_dev = std::sqrt(sum / static_cast<double>(fractions.size()));
  }
  return static_cast<int64_t>((1 - std_dev) * static_cast<double>(kMaxNodeScore));
}

}  // namespace kubesim::scoring
