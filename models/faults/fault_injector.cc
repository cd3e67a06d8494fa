#include "models/faults/fault_injector.h"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

namespace kubesim {

FaultInjector::FaultInjector(ApiServer& api, const Scenario& scenario, FaultTargets targets)
    : api_(api),
      ctx_(api.context()),
      scenario_(scenario),
      targets_(std::move(targets)),
      rng_pick_(&ctx_.rng("faults/crashPod")) {}

// ---- Random processes ----

void FaultInjector::start() {
  processes_.reserve(scenario_.faults.size());
  for (std::size_t i = 0; i < scenario_.faults.size(); ++i) {
    const std::string stream = fmt::format("faults/{}", i);
    processes_.push_back(
        Process{&scenario_.faults[i], &ctx_.rng(stream), fmt::format("spec.faults[{}]", i), {}});
  }
  bool pods = false;
  for (std::size_t i = 0; i < processes_.size(); ++i) {
    const FaultProcess& f = *processes_[i].spec;
    if (f.kind == FaultProcess::Kind::kContainerCrashes) {
      pods = true;
      // Pods already running at t = 0 (the scenario's bound pods) run from now.
      for (const Pod& p : api_.objects().pods) {
        if (p.status.deleted || !p.active() || p.phase != PodPhase::kRunning) continue;
        if (!pod_matches(f, p)) continue;
        on_pod(PodRecord{ctx_.now(), PodEvent::kStarted, &p});
      }
    } else {
      const auto& nodes = api_.objects().nodes;
      for (std::size_t n = 0; n < nodes.size(); ++n) {
        if (!nodes[n].deleted && node_matches(f, nodes[n])) arm_node(i, NodeId{uint32_t(n)});
      }
    }
  }
  if (pods) ctx_.bus().topic<PodRecord>().subscribe([this](const PodRecord& r) { on_pod(r); });
  ctx_.bus().topic<NodeRecord>().subscribe([this](const NodeRecord& r) { on_node(r); });
}

bool FaultInjector::pod_matches(const FaultProcess& f, const Pod& p) const {
  if (p.namespace_ != f.namespace_) return false;
  if (f.deployment.empty()) return matches(f.selector, p.labels);
  // Pod -> ReplicaSet -> Deployment.
  if (p.owner.kind != "ReplicaSet") return false;
  const auto& sets = api_.objects().replica_sets;
  if (p.owner.index >= sets.size()) return false;
  const OwnerRef& d = sets[p.owner.index].metadata.owner;
  return d.kind == "Deployment" && d.name == f.deployment;
}

bool FaultInjector::node_matches(const FaultProcess& f, const Node& n) const {
  return f.pool.empty() || n.pool == f.pool;
}

void FaultInjector::on_pod(const PodRecord& r) {
  const Pod& p = *r.pod;
  const uint32_t id = p.id.value;
  for (Process& proc : processes_) {
    const FaultProcess& f = *proc.spec;
    if (f.kind != FaultProcess::Kind::kContainerCrashes) continue;
    switch (r.event) {
      case PodEvent::kStarted:
      case PodEvent::kRestarted: {
        if (!pod_matches(f, p)) break;
        // The time to failure counts from each (re)start of the containers.
        auto [it, fresh] = proc.pod_crash.try_emplace(id);
        if (!fresh) ctx_.cancel(it->second);
        const Duration ttf = f.time_to_failure.sample(*proc.rng);
        const int32_t code = f.exit_code;
        const std::string* label = &proc.label;
        it->second = ctx_.schedule(ttf, [this, &proc, id, code, label] {
          proc.pod_crash.erase(id);
          targets_.crash_container(PodId{id}, code, *label);
        });
        break;
      }
      case PodEvent::kCrashed:
      case PodEvent::kKilling:
      case PodEvent::kTerminating:
      case PodEvent::kFailed:
      case PodEvent::kSucceeded:
      case PodEvent::kDeleted:
        // Not running any more (or about to stop): the next draw starts
        // with the next (re)start.
        if (auto it = proc.pod_crash.find(id); it != proc.pod_crash.end()) {
          ctx_.cancel(it->second);
          proc.pod_crash.erase(it);
        }
        break;
      default:
        break;
    }
  }
}

void FaultInjector::on_node(const NodeRecord& r) {
  if (in_node_record_ || r.event != NodeEvent::kAdded) return;
  // A node added later (addNodes, apply) joins the processes of its pool.
  for (std::size_t i = 0; i < processes_.size(); ++i) {
    const FaultProcess& f = *processes_[i].spec;
    if (f.kind == FaultProcess::Kind::kNodeFailures && node_matches(f, *r.node))
      arm_node(i, r.node->id);
  }
}

void FaultInjector::arm_node(std::size_t process, NodeId node) {
  Process& proc = processes_[process];
  const Duration ttf = proc.spec->time_to_failure.sample(*proc.rng);
  ctx_.schedule(ttf, [this, process, node] { fail_node(process, node); });
}

void FaultInjector::fail_node(std::size_t process, NodeId node) {
  if (api_.objects().nodes[node.value].deleted) return;
  Process& proc = processes_[process];
  const FaultProcess& f = *proc.spec;
  if (state(node) != NodeState::kUp) {
    // Already failed by something else: this failure is absorbed; the
    // process goes on from now.
    arm_node(process, node);
    return;
  }
  if (f.partition) {
    partition_node(node, proc.label);
  } else {
    crash_node(node, proc.label);
  }
  if (!f.time_to_repair) return;  // stays failed (a human may replace it)
  const Duration ttr = f.time_to_repair->sample(*proc.rng);
  ctx_.schedule(ttr, [this, process, node] { repair_node(process, node); });
}

void FaultInjector::repair_node(std::size_t process, NodeId node) {
  if (api_.objects().nodes[node.value].deleted) return;
  const Process& proc = processes_[process];
  if (proc.spec->partition) {
    heal_node(node, proc.label);
  } else {
    recover_node(node, proc.label);
  }
  arm_node(process, node);
}

// ---- Scheduled faults ----

void FaultInjector::apply(const TimelineEvent& e) {
  using A = TimelineEvent::Action;
  const auto after = [&](auto fn) {
    if (e.recover_after) ctx_.schedule(*e.recover_after, std::move(fn));
  };
  const std::string until =
      e.recover_after ? " for " + to_string(*e.recover_after) : std::string(" for good");
  switch (e.action) {
    case A::kCrashPod:
      crash_pods(e);
      return;
    case A::kCrashNode:
    case A::kPartitionNode: {
      const auto& nodes = api_.objects().nodes;
      auto it = std::find_if(nodes.begin(), nodes.end(),
                             [&](const Node& n) { return !n.deleted && n.name == e.name; });
      if (it == nodes.end()) {
        record(e, fmt::format("node {} not found: nothing happens", e.name));
        return;
      }
      const NodeId id = it->id;
      const bool crash = e.action == A::kCrashNode;
      record(e, fmt::format("node {} {}{}", e.name, crash ? "crashes" : "is partitioned", until));
      if (crash) {
        crash_node(id, "crashNode event");
        after([this, id] { recover_node(id, "crashNode event"); });
      } else {
        partition_node(id, "partitionNode event");
        after([this, id] { heal_node(id, "partitionNode event"); });
      }
      return;
    }
    case A::kFailZone: {
      const std::vector<NodeId> ids = zone_nodes(e.zone);
      record(e, fmt::format("zone {} fails: {} nodes{}", e.zone, ids.size(), until));
      const std::string why = "zone " + e.zone;
      std::vector<NodeId> crashed;
      for (NodeId id : ids) {
        if (state(id) != NodeState::kUp) continue;
        crash_node(id, why);
        crashed.push_back(id);
      }
      const std::size_t outage = zone_outages_.size();
      zone_outages_.push_back(std::move(crashed));
      const TimelineEvent* ev = &e;
      after([this, outage, ev] {
        for (NodeId id : zone_outages_[outage])
          recover_node(id, "zone " + ev->zone);
      });
      return;
    }
    case A::kCrashControlPlane: {
      const int32_t replica = e.replica;
      record(e, fmt::format("{}{}",
                            replica < 0 ? std::string("every control-plane replica crashes")
                                        : fmt::format("control-plane replica {} crashes", replica),
                            until));
      if (targets_.crash_control_plane) targets_.crash_control_plane(replica);
      after([this, replica] {
        if (targets_.recover_control_plane) targets_.recover_control_plane(replica);
      });
      return;
    }
    default:
      return;  // not a fault
  }
}

void FaultInjector::crash_pods(const TimelineEvent& e) {
  std::vector<PodId> candidates;
  for (const Pod& p : api_.objects().pods) {
    if (p.status.deleted || !p.active() || p.status.terminating || p.phase != PodPhase::kRunning)
      continue;
    if (p.namespace_ != e.namespace_) continue;
    if (e.kind == "Pod" ? p.name != e.name : !matches(e.selector, p.labels)) continue;
    if (p.node.valid() && state(p.node) == NodeState::kDown) continue;  // nothing runs there
    candidates.push_back(p.id);
  }
  // count: a uniform random subset (partial Fisher-Yates), in store order.
  std::size_t n = candidates.size();
  if (e.count > 0 && static_cast<std::size_t>(e.count) < n) {
    for (std::size_t i = 0; i < static_cast<std::size_t>(e.count); ++i) {
      const std::size_t j = i + rng_pick_->uniform_int(n - i);
      std::swap(candidates[i], candidates[j]);
    }
    n = static_cast<std::size_t>(e.count);
    candidates.resize(n);
    std::sort(candidates.begin(), candidates.end(),
              [](PodId a, PodId b) { return a.value < b.value; });
  }
  record(e, fmt::format("{} pod{} crash (exit code {})", n, n == 1 ? "" : "s", e.exit_code));
  for (PodId id : candidates)
    targets_.crash_container(id, e.exit_code, "crashPod event");
}

std::vector<NodeId> FaultInjector::zone_nodes(const std::string& zone) const {
  std::vector<NodeId> ids;
  for (const Node& n : api_.objects().nodes) {
    if (n.deleted) continue;
    auto it = n.labels.find(kLabelZone);
    if (it != n.labels.end() && it->second == zone) ids.push_back(n.id);
  }
  return ids;
}

// ---- Machine-level actions ----

void FaultInjector::crash_node(NodeId node, std::string_view why) {
  NodeState& s = state(node);
  if (s == NodeState::kDown) return;
  s = NodeState::kDown;
  // The containers die with the machine: pending crash draws are void.
  for (Process& proc : processes_) {
    if (proc.pod_crash.empty()) continue;
    for (const Pod& p : api_.objects().pods) {
      if (p.node != node) continue;
      if (auto it = proc.pod_crash.find(p.id.value); it != proc.pod_crash.end()) {
        ctx_.cancel(it->second);
        proc.pod_crash.erase(it);
      }
    }
  }
  publish(NodeEvent::kCrashed, node, why);
  if (targets_.node_down) targets_.node_down(node);
}

void FaultInjector::recover_node(NodeId node, std::string_view why) {
  NodeState& s = state(node);
  if (s != NodeState::kDown || api_.objects().nodes[node.value].deleted) return;
  s = NodeState::kUp;
  publish(NodeEvent::kRecovered, node, why);
  if (targets_.node_up) targets_.node_up(node);
}

void FaultInjector::partition_node(NodeId node, std::string_view why) {
  NodeState& s = state(node);
  if (s != NodeState::kUp) return;
  s = NodeState::kPartitioned;
  publish(NodeEvent::kPartitioned, node, why);
  if (targets_.partition) targets_.partition(node);
}

void FaultInjector::heal_node(NodeId node, std::string_view why) {
  NodeState& s = state(node);
  if (s != NodeState::kPartitioned || api_.objects().nodes[node.value].deleted) return;
  s = NodeState::kUp;
  publish(NodeEvent::kHealed, node, why);
  if (targets_.heal) targets_.heal(node);
}

FaultInjector::NodeState FaultInjector::node_state(NodeId node) const {
  return node.value < nodes_.size() ? nodes_[node.value] : NodeState::kUp;
}

FaultInjector::NodeState& FaultInjector::state(NodeId node) {
  if (node.value >= nodes_.size())
    nodes_.resize(std::max<std::size_t>(node.value + 1, api_.objects().nodes.size()),
                  NodeState::kUp);
  return nodes_[node.value];
}

void FaultInjector::record(const TimelineEvent& e, const std::string& description) {
  const char* action = "fault";
  switch (e.action) {
    case TimelineEvent::Action::kCrashPod:
      action = "crashPod";
      break;
    case TimelineEvent::Action::kCrashNode:
      action = "crashNode";
      break;
    case TimelineEvent::Action::kPartitionNode:
      action = "partitionNode";
      break;
    case TimelineEvent::Action::kFailZone:
      action = "failZone";
      break;
    case TimelineEvent::Action::kCrashControlPlane:
      action = "crashControlPlane";
      break;
    default:
      break;
  }
  ctx_.bus().topic<TimelineRecord>().publish({ctx_.now(), action, description});
}

void FaultInjector::publish(NodeEvent e, NodeId node, std::string_view why) {
  in_node_record_ = true;
  ctx_.bus().topic<NodeRecord>().publish({ctx_.now(), e, &api_.objects().nodes[node.value], why});
  in_node_record_ = false;
}

}  // namespace kubesim
