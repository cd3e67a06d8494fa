// pkg/scheduler/framework/plugins/nodeunschedulable/node_unschedulable.go
#include "models/scheduler/plugins/node_unschedulable.h"

namespace kubesim {

NodeUnschedulable::NodeUnschedulable(const PluginArgs&) {}

Status NodeUnschedulable::filter(const CycleState&, const Pod& pod, const NodeInfo& node) const {
  if (!node.node->unschedulable) return {};
  // A pod that tolerates the unschedulable taint also tolerates spec.unschedulable.
  const Taint taint{std::string(kTaintKey), "", TaintEffect::kNoSchedule, {}};
  if (tolerates_any(pod.spec.tolerations, taint)) return {};
  return Status::unresolvable(std::string(kReasonUnschedulable));
}

std::unique_ptr<Plugin> make_node_unschedulable(const PluginArgs& args) {
  return std::make_unique<NodeUnschedulable>(args);
}

}  // namespace kubesim
