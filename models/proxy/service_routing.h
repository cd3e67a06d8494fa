// How kube-proxy balances one Service: the kubesim.io/load-balancer and
// kubesim.io/lb-choices annotations (models/objects/annotations.h) over the
// cluster's policy, and ClientIP session affinity from the Service spec.
//
//   ServiceRouting r = service_routing(api.objects().services[i], config);
#pragma once

#include <optional>
#include <string_view>

#include "models/objects/workloads.h"
#include "models/proxy/kube_proxy.h"

namespace kubesim {

// "random", "round-robin", "least-connections", "power-of-d", "source-hash"
// (the names to_string(LoadBalancing) gives); nullopt for anything else.
std::optional<LoadBalancing> parse_load_balancing(std::string_view name);

// Annotation values the scenario loader would have rejected fall back to the
// cluster's policy and to d = 2.
ServiceRouting service_routing(const Service& s, const KubeProxyConfig& config);

}  // namespace kubesim
