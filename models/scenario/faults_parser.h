// spec.faults (random failure processes) and spec.controllers (which
// controller set runs the cluster). docs/failures.md describes both.
#pragma once

#include <string>

#include <yaml-cpp/yaml.h>

#include "models/scenario/scenario.h"
#include "models/scenario/yaml_reader.h"

namespace kubesim::scenario_detail {

// spec.faults: a list of {containerCrashes: {...}} and {nodeFailures: {...}}.
// Deployment, pool names are checked against the scenario (call after the
// workloads and pools are resolved).
void parse_faults(YamlReader& r, const YAML::Node& n, const std::string& path, Scenario& s);

// spec.controllers: {set: kubernetes | manual, operator: {...}}.
void parse_controllers(YamlReader& r, const YAML::Node& n, const std::string& path,
                       ControllerSetConfig& out);

// The names `kubesim run --controllers` accepts.
inline constexpr const char* kControllerSets[] = {"kubernetes", "manual"};

}  // namespace kubesim::scenario_detail
