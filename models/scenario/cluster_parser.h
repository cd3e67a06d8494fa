// spec.cluster: node pools (expanded to nodes named <pool>-<index>, zones
// assigned round-robin), individual nodes, cluster-wide zones, and the
// provider / controlPlane sections kept for later layers.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "models/objects/node.h"
#include "models/scenario/manifests.h"
#include "models/scenario/yaml_reader.h"

namespace kubesim::scenario_detail {

struct ClusterSpec {
  std::vector<Entry<Node>> nodes;  // pool nodes first (in pool order), then cluster.nodes
  std::map<std::string, YAML::Node> deferred;  // "spec.cluster.provider", ...
};

ClusterSpec parse_cluster(YamlReader& r, const YAML::Node& n, const std::string& path);

}  // namespace kubesim::scenario_detail
