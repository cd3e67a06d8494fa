// spec.cluster: node pools (expanded to nodes named <pool>-<index>, zones
// assigned round-robin, by make_pool_node), individual nodes, cluster-wide
// zones, the control plane, kubelet and registry settings (runtime_parser.h),
// kube-proxy (traffic_parser.h), and the provider section kept for later layers.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "models/objects/node.h"
#include "models/scenario/manifests.h"
#include "models/scenario/scenario.h"
#include "models/scenario/yaml_reader.h"

namespace kubesim::scenario_detail {

struct ClusterSpec {
  std::vector<Entry<Node>> nodes;         // pool nodes first (in pool order), then cluster.nodes
  std::vector<Scenario::NodePool> pools;  // count: the nodes made at load
  RuntimeConfig runtime;                  // controlPlane, kubelet, registry
  KubeProxyConfig kube_proxy;             // kubeProxy
  std::map<std::string, YAML::Node> deferred;  // "spec.cluster.provider"
};

ClusterSpec parse_cluster(YamlReader& r, const YAML::Node& n, const std::string& path);

}  // namespace kubesim::scenario_detail
