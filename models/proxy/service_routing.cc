#include "models/proxy/service_routing.h"

#include <charconv>
#include <string>

#include "models/objects/annotations.h"

namespace kubesim {

std::optional<LoadBalancing> parse_load_balancing(std::string_view name) {
  for (const LoadBalancing lb :
       {LoadBalancing::kRandom, LoadBalancing::kRoundRobin, LoadBalancing::kLeastConnections,
        LoadBalancing::kPowerOfD, LoadBalancing::kSourceHash}) {
    if (name == to_string(lb)) return lb;
  }
  return std::nullopt;
}

ServiceRouting service_routing(const Service& s, const KubeProxyConfig& config) {
  ServiceRouting r;
  r.policy = config.load_balancing;
  const auto& annotations = s.metadata.annotations;
  if (const auto it = annotations.find(kAnnotationLoadBalancer); it != annotations.end()) {
    if (const std::optional<LoadBalancing> lb = parse_load_balancing(it->second)) r.policy = *lb;
  }
  if (const auto it = annotations.find(kAnnotationLbChoices); it != annotations.end()) {
    const std::string& v = it->second;
    int32_t d = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
    if (ec == std::errc() && end == v.data() + v.size() && d >= 1) r.choices = d;
  }
  // v1.ServiceSpec sessionAffinity ClientIP, sessionAffinityConfig.clientIP.
  // timeoutSeconds (default 10800: pkg/apis/core/v1/defaults.go).
  r.client_ip_affinity = s.session_affinity_client_ip;
  r.affinity_timeout = Duration::seconds(s.session_affinity_timeout_seconds);
  return r;
}

}  // namespace kubesim
