// NodePorts: a pod's host ports must be free on the node
// (pkg/scheduler/framework/plugins/nodeports/node_ports.go, conflict rules of
// pkg/scheduler/framework/types.go HostPortInfo.CheckConflict): same protocol
// and port conflict when either side binds 0.0.0.0 or both bind the same IP.
//
//   auto p = make_node_ports(PluginArgs{});
//   if (!p->pre_filter(state, pod, snapshot).skip()) p->filter(state, pod, node);
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "models/scheduler/framework.h"

namespace kubesim {

class NodePorts : public Plugin {
 public:
  static constexpr std::string_view kName = "NodePorts";
  static constexpr std::string_view kDescription =
      "the pod's host ports must be free on the node (0.0.0.0 conflicts with every IP)";
  static constexpr std::string_view kReason =
      "node(s) didn't have free ports for the requested pod ports";

  explicit NodePorts(const PluginArgs& args);

  std::string_view name() const override { return kName; }
  uint32_t extension_points() const override { return kPreFilter | kFilter; }
  // Skip when the pod asks for no host port.
  Status pre_filter(CycleState& state, const Pod& pod, const Snapshot& snapshot) override;
  Status filter(const CycleState& state, const Pod& pod, const NodeInfo& node) const override;
};

// The pod's container ports with a host port, sanitized (ip "0.0.0.0" and
// protocol "TCP" when unset), as nodeports.getContainerPorts.
std::vector<HostPort> wanted_host_ports(const Pod& pod);
// HostPortInfo.CheckConflict of `want` against the ports in use.
bool host_port_conflicts(const std::vector<HostPort>& used, const HostPort& want);

std::unique_ptr<Plugin> make_node_ports(const PluginArgs& args);

}  // namespace kubesim
