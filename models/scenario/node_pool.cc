#include "models/scenario/node_pool.h"

#include <string>

namespace kubesim {

Node make_pool_node(Scenario::NodePool& pool) {
  Node n = pool.node;
  n.id = NodeId{};
  n.name = pool.name + "-" + std::to_string(pool.count);
  n.pool = pool.name;
  n.labels[kLabelHostname] = n.name;
  if (!pool.zones.empty()) {
    n.labels[kLabelZone] = pool.zones[static_cast<size_t>(pool.count) % pool.zones.size()];
  }
  ++pool.count;
  return n;
}

}  // namespace kubesim
