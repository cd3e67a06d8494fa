#include "models/objects/cluster.h"

namespace kubesim {

NodeId ClusterObjects::add_node(Node n) {
  n.id = NodeId{static_cast<uint32_t>(nodes.size())};
  nodes.push_back(std::move(n));
  return nodes.back().id;
}

PodId ClusterObjects::add_pod(Pod p) {
  p.id = PodId{static_cast<uint32_t>(pods.size())};
  pods.push_back(std::move(p));
  return pods.back().id;
}

const Node* ClusterObjects::find_node(const std::string& name) const {
  for (const Node& n : nodes) {
    if (n.name == name) return &n;
  }
  return nullptr;
}

}  // namespace kubesim
