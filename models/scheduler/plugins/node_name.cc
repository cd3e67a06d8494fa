// pkg/scheduler/framework/plugins/nodename/node_name.go
#include "models/scheduler/plugins/node_name.h"

namespace kubesim {

NodeName::NodeName(const PluginArgs&) {}

Status NodeName::filter(const CycleState&, const Pod& pod, const NodeInfo& node) const {
  // Fits: len(pod.Spec.NodeName) == 0 || pod.Spec.NodeName == node.Name
  if (pod.spec.node_name.empty() || pod.spec.node_name == node.node->name) return {};
  return Status::unresolvable(std::string(kReason));
}

std::unique_ptr<Plugin> make_node_name(const PluginArgs& args) {
  return std::make_unique<NodeName>(args);
}

}  // namespace kubesim
