#include "models/kubelet/admission.h"

#include <fmt/format.h>

namespace kubesim {

namespace {

// predicate.go: OutOfCPU, OutOfMemory, OutOfEphemeralStorage, OutOfPods, and
// InsufficientResourcePrefix + name for the others.
AdmissionFailure insufficient(const std::string& resource, int64_t requested, int64_t used,
                              int64_t capacity) {
  return {"OutOf" + resource,
          fmt::format("Node didn't have enough resource: {}, requested: {}, used: {}, capacity: {}",
                      resource, requested, used, capacity)};
}

}  // namespace

std::optional<AdmissionFailure> check_admission(const Resources& request, const Node& node,
                                                const Resources& used, int64_t pods) {
  const Resources& alloc = node.allocatable;
  // fit.go fitsRequest: the pod count first ...
  if (pods + 1 > alloc.pods) return insufficient(kResourcePods, 1, pods, alloc.pods);
  // ... then each requested resource; a zero request always fits.
  const auto over = [](int64_t want, int64_t have_used, int64_t have_alloc) {
    return want > 0 && want > have_alloc - have_used;
  };
  if (over(request.milli_cpu, used.milli_cpu, alloc.milli_cpu))
    return insufficient(kResourceCpu, request.milli_cpu, used.milli_cpu, alloc.milli_cpu);
  if (over(request.memory, used.memory, alloc.memory))
    return insufficient(kResourceMemory, request.memory, used.memory, alloc.memory);
  if (over(request.ephemeral_storage, used.ephemeral_storage, alloc.ephemeral_storage)) {
    return insufficient(kResourceEphemeralStorage, request.ephemeral_storage,
                        used.ephemeral_storage, alloc.ephemeral_storage);
  }
  for (const auto& [name, want] : request.scalar) {
    // predicate.go removeMissingExtendedResources: an extended resource the
    // node does not report at all is not checked by the kubelet.
    bool known = false;
    for (const auto& [n, v] : alloc.scalar)
      known = known || n == name;
    if (!known) continue;
    const int64_t u = used.scalar_value(name);
    const int64_t a = alloc.scalar_value(name);
    if (over(want, u, a)) return insufficient(name, want, u, a);
  }
  return std::nullopt;
}

}  // namespace kubesim
