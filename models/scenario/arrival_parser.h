// The `arrival` block of a spec.traffic[] entry (ArrivalSpec in
// models/traffic/traffic_spec.h), including the CSV trace of `replay`, and
// the value readers the traffic and kube-proxy sections share.
//
//   arrival: {process: poisson, ratePerSecond: 210}
//   arrival: {process: replay, file: trace.csv, format: rates, interval: 1m, loop: true}
//
// docs/scenario-reference.md ("Traffic") lists every key and default.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "models/scenario/yaml_reader.h"
#include "models/traffic/traffic_spec.h"
#include "sim/distribution.h"

namespace kubesim::scenario_detail {

// spec.traffic[i].arrival. A replay file is relative to the scenario file;
// errors in it name the CSV's file:line:column.
ArrivalSpec parse_arrival(YamlReader& r, const YAML::Node& n, const std::string& path);

// map[key]: a duration distribution in the scenario syntax ("exponential(10ms)",
// "empirical(file.csv)" relative to the scenario file), or a plain duration
// ("8ms"), which means fixed(8ms).
std::optional<DurationDistribution> get_duration_distribution(YamlReader& r, const YAML::Node& map,
                                                              const std::string& path,
                                                              std::string_view key);

// map[key]: a plain YAML number (not quoted), finite and >= 0.
std::optional<double> get_non_negative_number(YamlReader& r, const YAML::Node& map,
                                              const std::string& path, std::string_view key);

}  // namespace kubesim::scenario_detail
