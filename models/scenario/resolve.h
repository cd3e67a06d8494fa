// The validation stage: parsed nodes and manifests -> a resolved Scenario.
// Checks what needs the whole scenario: duplicate names, dangling references
// (nodeName, priorityClassName, HPA targets), bound pods fitting their nodes;
// resolves priorities (built-in classes, PriorityClass manifests, globalDefault).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "models/scenario/manifests.h"
#include "models/scenario/scenario.h"
#include "models/scenario/yaml_reader.h"

namespace kubesim::scenario_detail {

// The built-in classes (pkg/apis/scheduling/types.go SystemPriorityClasses).
std::map<std::string, int32_t> builtin_priority_classes();

// Sets spec.priority from spec.priorityClassName; errors go to `r`.
void resolve_priority(YamlReader& r, PodSpec& spec, const PodSpecRefs& refs,
                      const std::map<std::string, int32_t>& classes,
                      const std::optional<std::string>& global_default);

// Fills out.objects, out.priority_classes and out.global_default_priority_class
// from `nodes` (pool and cluster nodes, already ordered) and `manifests`.
void resolve_objects(YamlReader& r, std::vector<Entry<Node>> nodes, ManifestSet manifests,
                     Scenario& out);

}  // namespace kubesim::scenario_detail
