// NodeName: a pod with spec.nodeName set fits only the node of that name
// (pkg/scheduler/framework/plugins/nodename/node_name.go).
//
//   auto p = make_node_name(PluginArgs{});
//   p->filter(state, pod, node);  // "node(s) didn't match the requested node name"
#pragma once

#include <memory>
#include <string_view>

#include "models/scheduler/framework.h"

namespace kubesim {

class NodeName : public Plugin {
 public:
  static constexpr std::string_view kName = "NodeName";
  static constexpr std::string_view kDescription =
      "a pod with spec.nodeName fits only the node of that name";
  static constexpr std::string_view kReason = "node(s) didn't match the requested node name";

  explicit NodeName(const PluginArgs& args);

  std::string_view name() const override { return kName; }
  uint32_t extension_points() const override { return kFilter; }
  Status filter(const CycleState& state, const Pod& pod, const NodeInfo& node) const override;
};

std::unique_ptr<Plugin> make_node_name(const PluginArgs& args);

}  // namespace kubesim
