// spec.traffic (request traffic per Service, TrafficSpec) and
// spec.cluster.kubeProxy (KubeProxyConfig); models/traffic/traffic_spec.h
// holds the structs and defaults, docs/scenario-reference.md the keys.
//
//   traffic:
//     - service: web
//       arrival: {process: poisson, ratePerSecond: 210}
//       serviceTime: exponential(10ms)
//       calls: [{service: api, probability: 0.5}]
//     - service: api              # no arrival: only called by web
//       serviceTime: 5ms
#pragma once

#include <string>

#include <yaml-cpp/yaml.h>

#include "models/scenario/scenario.h"
#include "models/scenario/yaml_reader.h"
#include "models/traffic/traffic_spec.h"

namespace kubesim::scenario_detail {

// spec.traffic into s.traffic. Checks that each Service exists (declared in
// s.objects or created by an `apply` of s.events: call after both are
// parsed), has one entry, that every called Service has an entry of the same
// mode, and that the call graph is acyclic (a cycle is an error naming it).
void parse_traffic(YamlReader& r, const YAML::Node& n, const std::string& path, Scenario& s);

// spec.cluster.kubeProxy: {mode, ipvs: {scheduler}, propagationDelay}.
void parse_kube_proxy(YamlReader& r, const YAML::Node& n, const std::string& path,
                      KubeProxyConfig& out);

}  // namespace kubesim::scenario_detail
