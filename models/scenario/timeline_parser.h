// spec.events: the timeline of actions applied to the cluster during a run
// (scale, rollout, apply, delete, addNodes, cordon, uncordon, drain). Each
// entry is parsed, then checked in time order against what exists at its
// time: the scenario's objects, plus what earlier events applied or added,
// minus what earlier events deleted.
#pragma once

#include <string>

#include <yaml-cpp/yaml.h>

#include "models/scenario/scenario.h"
#include "models/scenario/yaml_reader.h"

namespace kubesim::scenario_detail {

// Fills s.events (in time order, stable among equal times) from `n`, the
// value of spec.events. Reads s.objects, s.node_pools, s.priority_classes
// and s.duration, which must be loaded already.
void parse_events(YamlReader& r, const YAML::Node& n, const std::string& path, Scenario& s);

}  // namespace kubesim::scenario_detail
