// register_builtin_plugins: every plugin kubesim ships, added explicitly.
#include "models/scheduler/plugins/balanced_allocation.h"
#include "models/scheduler/plugins/image_locality.h"
#include "models/scheduler/plugins/inter_pod_affinity.h"
#include "models/scheduler/plugins/node_affinity.h"
#include "models/scheduler/plugins/node_name.h"
#include "models/scheduler/plugins/node_ports.h"
#include "models/scheduler/plugins/node_resources_fit.h"
#include "models/scheduler/plugins/node_unschedulable.h"
#include "models/scheduler/plugins/pod_topology_spread.h"
#include "models/scheduler/plugins/taint_toleration.h"
#include "models/scheduler/registry.h"

namespace kubesim {
namespace {

template <class P>
PluginEntry entry(std::unique_ptr<Plugin> (*make)(const PluginArgs&)) {
  const PluginArgs defaults;
  return PluginEntry{std::string(P::kName), std::string(P::kDescription),
                     make(defaults)->extension_points(), make};
}

}  // namespace

void register_builtin_plugins(PluginRegistry& r) {
  r.add(entry<NodeUnschedulable>(&make_node_unschedulable));
  r.add(entry<NodeName>(&make_node_name));
  r.add(entry<TaintToleration>(&make_taint_toleration));
  r.add(entry<NodeAffinityPlugin>(&make_node_affinity));
  r.add(entry<NodePorts>(&make_node_ports));
  r.add(entry<NodeResourcesFit>(&make_node_resources_fit));
  r.add(entry<PodTopologySpread>(&make_pod_topology_spread));
  r.add(entry<InterPodAffinity>(&make_inter_pod_affinity));
  r.add(entry<BalancedAllocation>(&make_node_resources_balanced_allocation));
  r.add(entry<ImageLocality>(&make_image_locality));
}

}  // namespace kubesim
