// NodeUnschedulable: filters out cordoned nodes (spec.unschedulable) unless the
// pod tolerates the node.kubernetes.io/unschedulable:NoSchedule taint
// (pkg/scheduler/framework/plugins/nodeunschedulable/node_unschedulable.go).
//
//   auto p = make_node_unschedulable(PluginArgs{});
//   Status s = p->filter(state, pod, snapshot.nodes()[0]);  // "node(s) were unschedulable"
#pragma once

#include <memory>
#include <string_view>

#include "models/scheduler/framework.h"

namespace kubesim {

class NodeUnschedulable : public Plugin {
 public:
  static constexpr std::string_view kName = "NodeUnschedulable";
  static constexpr std::string_view kDescription =
      "filters out cordoned nodes unless the pod tolerates the unschedulable taint";
  static constexpr std::string_view kReasonUnschedulable = "node(s) were unschedulable";
  static constexpr std::string_view kTaintKey = "node.kubernetes.io/unschedulable";

  explicit NodeUnschedulable(const PluginArgs& args);

  std::string_view name() const override { return kName; }
  uint32_t extension_points() const override { return kFilter; }
  Status filter(const CycleState& state, const Pod& pod, const NodeInfo& node) const override;
};

std::unique_ptr<Plugin> make_node_unschedulable(const PluginArgs& args);

}  // namespace kubesim
