// Kubelet admission of a pod bound to its node: the resource part of the
// kubelet's predicate admit handler (pkg/kubelet/lifecycle/predicate.go
// Admit -> generalFilter -> scheduler.AdmissionCheck -> noderesources.Fits,
// pkg/scheduler/framework/plugins/noderesources/fit.go fitsRequest).
//
// The pod's requests (pod_requests) must fit the node's allocatable minus the
// requests of the pods the kubelet already admitted and that are still
// active, and one more pod must fit the node's pod count. The first failure,
// in fitsRequest's order (pods, cpu, memory, ephemeral-storage, extended
// resources by name), becomes the rejection: reason "OutOf<resource>"
// ("OutOfpods", "OutOfcpu", "OutOfmemory", ...) and message
// InsufficientResourceError.Error().
//
//   std::optional<AdmissionFailure> f = check_admission(request, node, used, pods);
//   if (f) { /* phase Failed, reason f->reason */ }
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "models/objects/node.h"
#include "models/objects/resources.h"

namespace kubesim {

struct AdmissionFailure {
  std::string reason;   // "OutOfcpu"
  std::string message;  // "Node didn't have enough resource: cpu, requested: 2000, used: 3000,
                        // capacity: 4000"
};

// `used`: sum of pod_requests of the admitted active pods; `pods`: their number.
std::optional<AdmissionFailure> check_admission(const Resources& request, const Node& node,
                                                const Resources& used, int64_t pods);

}  // namespace kubesim
