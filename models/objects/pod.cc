#include "models/objects/pod.h"

#include <algorithm>

namespace kubesim {

namespace {
// Element-wise max, as resource helpers' SetMaxResource.
void set_max(Resources& r, const Resources& o) {
  r.milli_cpu = std::max(r.milli_cpu, o.milli_cpu);
  r.memory = std::max(r.memory, o.memory);
  r.ephemeral_storage = std::max(r.ephemeral_storage, o.ephemeral_storage);
  for (const auto& [name, v] : o.scalar) r.set_scalar(name, std::max(r.scalar_value(name), v));
}
}  // namespace

Resources pod_requests(const PodSpec& spec) {
  // k8s.io/component-helpers/resource/helpers.go PodRequests (no sidecars):
  // max(sum(containers), max(init containers)) + overhead.
  Resources sum;
  for (const Container& c : spec.containers) sum.add(c.requests);
  for (const Container& c : spec.init_containers) set_max(sum, c.requests);
  sum.add(spec.overhead);
  sum.pods = 0;
  return sum;
}

const char* to_string(PodPhase p) {
  switch (p) {
    case PodPhase::kPending: return "Pending";
    case PodPhase::kRunning: return "Running";
    case PodPhase::kSucceeded: return "Succeeded";
    case PodPhase::kFailed: return "Failed";
    case PodPhase::kUnknown: return "Unknown";
  }
  return "Unknown";
}

}  // namespace kubesim
