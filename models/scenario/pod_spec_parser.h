// Parsers for the Kubernetes object parts shared by every kind: ObjectMeta,
// label selectors, taints and tolerations, resource lists, and the PodSpec
// (containers, affinity, topology spread, priority, ...). Fields Kubernetes
// defines but kubesim does not model are accepted and noted as ignored.
#pragma once

#include <optional>
#include <string>

#include <yaml-cpp/yaml.h>

#include "models/objects/pod.h"
#include "models/objects/workloads.h"
#include "models/scenario/yaml_reader.h"

namespace kubesim::scenario_detail {

// Where a PodSpec's cross references were written, for the validation stage.
struct PodSpecRefs {
  std::optional<Origin> node_name;       // spec.nodeName
  std::optional<Origin> priority_class;  // spec.priorityClassName
  std::optional<Origin> priority;        // spec.priority
};

// Object names (pods, nodes, workloads): k8s.io/apimachinery/pkg/util/validation
// IsDNS1123Subdomain.
bool is_dns1123_subdomain(const std::string& s);
inline constexpr const char* kDns1123SubdomainRule =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character";

// metadata: name (required unless name_optional), namespace, labels, annotations.
// `name_at` receives the location of metadata.name (or of metadata).
void parse_object_meta(YamlReader& r, const YAML::Node& n, const std::string& path, ObjectMeta& out,
                       Origin& name_at, bool name_optional = false);

LabelSelector parse_label_selector(YamlReader& r, const YAML::Node& n, const std::string& path);
std::vector<SelectorRequirement> parse_requirements(YamlReader& r, const YAML::Node& n,
                                                    const std::string& path, bool node_operators);
Taint parse_taint(YamlReader& r, const YAML::Node& n, const std::string& path);
std::vector<Taint> parse_taints(YamlReader& r, const YAML::Node& n, const std::string& path);
Toleration parse_toleration(YamlReader& r, const YAML::Node& n, const std::string& path);
// A ResourceList (requests, limits, capacity): cpu in millicores, the rest as Value().
// Sets *has_cpu / *has_memory when given.
Resources parse_resource_list(YamlReader& r, const YAML::Node& n, const std::string& path,
                              bool* has_cpu = nullptr, bool* has_memory = nullptr);
TopologySpreadConstraint parse_spread_constraint(YamlReader& r, const YAML::Node& n,
                                                 const std::string& path,
                                                 bool selector_allowed = true);

PodSpec parse_pod_spec(YamlReader& r, const YAML::Node& n, const std::string& path,
                       PodSpecRefs& refs);
// A pod template: metadata (no name needed) and spec.
PodTemplate parse_pod_template(YamlReader& r, const YAML::Node& n, const std::string& path,
                               PodSpecRefs& refs);

// intstr.IntOrString as used by maxSurge, maxUnavailable, minAvailable: 3 or "25%".
std::optional<IntOrPercent> parse_int_or_percent(YamlReader& r, const YAML::Node& n,
                                                 const std::string& path);

}  // namespace kubesim::scenario_detail
