// spec.scheduler: `profile: NAME` of a built-in profile, or `profiles:` in
// the KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1) shape, with
// plugin sets, weights and pluginConfig (pkg/scheduler/apis/config/v1/types.go,
// validation in pkg/scheduler/apis/config/validation/validation_pluginargs.go).
#pragma once

#include <string>

#include <yaml-cpp/yaml.h>

#include "models/scenario/scenario.h"
#include "models/scenario/yaml_reader.h"

namespace kubesim::scenario_detail {

SchedulerConfig parse_scheduler_config(YamlReader& r, const YAML::Node& n, const std::string& path);

}  // namespace kubesim::scenario_detail
