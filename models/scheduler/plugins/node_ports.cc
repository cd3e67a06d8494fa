// pkg/scheduler/framework/plugins/nodeports/node_ports.go and
// pkg/scheduler/framework/types.go (HostPortInfo).
#include "models/scheduler/plugins/node_ports.h"

namespace kubesim {
namespace {

constexpr StateKey kStateKey{"PreFilterNodePorts"};
constexpr const char* kBindAllHostIp = "0.0.0.0";

struct PortsState : StateData {
  std::vector<HostPort> ports;
};

}  // namespace

std::vector<HostPort> wanted_host_ports(const Pod& pod) {
  std::vector<HostPort> out;
  for (const Container& c : pod.spec.containers) {
    for (const ContainerPort& p : c.ports) {
      if (p.host_port <= 0) continue;  // only ports with a host port
      out.push_back(HostPort{p.host_ip.empty() ? kBindAllHostIp : p.host_ip,
                             p.protocol.empty() ? "TCP" : p.protocol, p.host_port});
    }
  }
  return out;
}

bool host_port_conflicts(const std::vector<HostPort>& used, const HostPort& want) {
  if (want.port <= 0) return false;
  const std::string ip = want.ip.empty() ? kBindAllHostIp : want.ip;
  const std::string protocol = want.protocol.empty() ? "TCP" : want.protocol;
  for (const HostPort& u : used) {
    if (u.port != want.port || u.protocol != protocol) continue;
    // 0.0.0.0 conflicts with every IP's (protocol, port); another IP only
    // with itself and 0.0.0.0.
    if (ip == kBindAllHostIp || u.ip == kBindAllHostIp || u.ip == ip) return true;
  }
  return false;
}

NodePorts::NodePorts(const PluginArgs&) {}

Status NodePorts::pre_filter(CycleState& state, const Pod& pod, const Snapshot&) {
  auto s = std::make_unique<PortsState>();
  s->ports = wanted_host_ports(pod);
  if (s->ports.empty()) return Status::skipped();
  state.write(kStateKey, std::move(s));
  return {};
}

Status NodePorts::filter(const CycleState& state, const Pod& pod, const NodeInfo& node) const {
  const PortsState* s = state.read<PortsState>(kStateKey);
  const std::vector<HostPort> computed = s ? std::vector<HostPort>{} : wanted_host_ports(pod);
  const std::vector<HostPort>& wanted = s ? s->ports : computed;
  for (const HostPort& want : wanted) {
    if (host_port_conflicts(node.used_ports, want)) {
      return Status::unschedulable(std::string(kReason));
    }
  }
  return {};
}

std::unique_ptr<Plugin> make_node_ports(const PluginArgs& args) {
  return std::make_unique<NodePorts>(args);
}

}  // namespace kubesim
