// Nodes of a node pool: the loader builds a pool's nodes with make_pool_node,
// and so does an `addNodes` event at run time, so names and zones continue
// exactly where the loader stopped.
//
//   Scenario::NodePool& pool = scenario.node_pools[0];  // "general", count 6, zones [a, b, c]
//   Node n = make_pool_node(pool);  // "general-6", zone a; pool.count is now 7
//   api_server.create(std::move(n));
#pragma once

#include "models/objects/node.h"
#include "models/scenario/scenario.h"

namespace kubesim {

// The pool's next node: a copy of pool.node named <pool>-<count>, with the
// labels kubernetes.io/hostname (its name) and, when the pool has zones,
// topology.kubernetes.io/zone = zones[count % zones.size()]. Increments
// pool.count. The id is left unset (the object store assigns it).
Node make_pool_node(Scenario::NodePool& pool);

}  // namespace kubesim
