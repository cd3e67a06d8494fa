// spec.cluster.controlPlane, spec.cluster.kubelet and spec.cluster.registry:
// how the control plane and the kubelets behave in time (RuntimeConfig).
// Every key is optional; the defaults are RuntimeConfig's initialisers.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "models/objects/node.h"
#include "models/scenario/scenario.h"
#include "models/scenario/yaml_reader.h"

namespace kubesim::scenario_detail {

void parse_control_plane(YamlReader& r, const YAML::Node& n, const std::string& path,
                         RuntimeConfig& out);
void parse_kubelet(YamlReader& r, const YAML::Node& n, const std::string& path, RuntimeConfig& out);
void parse_registry(YamlReader& r, const YAML::Node& n, const std::string& path,
                    RuntimeConfig& out);

// map[key], a bandwidth in bytes per second (a quantity such as 50Mi), > 0.
std::optional<int64_t> get_bandwidth(YamlReader& r, const YAML::Node& map, const std::string& path,
                                     std::string_view key);

// Sizes of the images that nodes list, for names the registry does not list
// (the first node that gives a size wins).
void add_node_image_sizes(const std::deque<Node>& nodes, RuntimeConfig& out);

}  // namespace kubesim::scenario_detail
