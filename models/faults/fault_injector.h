// FaultInjector: what breaks, and when (docs/failures.md). It applies the
// scenario's fault events (crashPod, crashNode, partitionNode, failZone,
// crashControlPlane) at their times and runs the random failure processes
// of spec.faults, each from its own rng stream ("faults/<index>"), so adding
// a process does not change the draws of the others.
//
// Faults act on the machines, not through the API server: the injector calls
// FaultTargets (wired by ClusterRuntime to the kubelets, the node leases and
// the control plane) and publishes what happened to the machines as
// NodeRecords (NodeCrashed, NodeRecovered, NodePartitioned, NodeHealed).
// Crashed containers are reported by the kubelet (PodCrashed).
//
//   FaultInjector faults(api, scenario, targets);
//   timeline.set_fault_handler([&](const TimelineEvent& e) { faults.apply(e); });
//   faults.start();   // at t = 0: arms the random processes
//
// A node is up, down (crashed) or partitioned. A crash of a down node, a
// partition of a node that is not up, a recovery of a node that is not down
// and a heal of a node that is not partitioned do nothing; so overlapping
// faults (a zone outage over a random node failure) compose: the first
// recovery brings the node back.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "models/apiserver/api_server.h"
#include "models/records.h"
#include "models/scenario/scenario.h"
#include "sim/simulation.h"

namespace kubesim {

// The machine-level actions faults need.
struct FaultTargets {
  // Every running container of the pod exits now with `exit_code`.
  std::function<void(PodId, int32_t exit_code, std::string_view cause)> crash_container;
  std::function<void(NodeId)> node_down;  // machine crash: containers and kubelet gone
  std::function<void(NodeId)> node_up;    // machine back: the kubelet starts again
  std::function<void(NodeId)> partition;  // kubelet alive, cut off from the control plane
  std::function<void(NodeId)> heal;
  std::function<void(int32_t replica)> crash_control_plane;    // -1: every replica
  std::function<void(int32_t replica)> recover_control_plane;  // -1: every crashed replica
};

class FaultInjector {
 public:
  enum class NodeState : uint8_t { kUp, kDown, kPartitioned };

  // `scenario` and `api` must outlive the injector.
  FaultInjector(ApiServer& api, const Scenario& scenario, FaultTargets targets);
  FaultInjector(const FaultInjector&) = delete;
  FaultInjector& operator=(const FaultInjector&) = delete;

  // Arms spec.faults (call once, at t = 0).
  void start();
  // Applies one fault event now (the timeline runner's fault handler).
  void apply(const TimelineEvent& e);

  // Machine-level actions, also for the manual operator (replacing a machine
  // brings it up). Each publishes its NodeRecord; `why` is its detail.
  void crash_node(NodeId node, std::string_view why);
  void recover_node(NodeId node, std::string_view why);
  void partition_node(NodeId node, std::string_view why);
  void heal_node(NodeId node, std::string_view why);

  NodeState node_state(NodeId node) const;

 private:
  // One spec.faults entry, armed.
  struct Process {
    const FaultProcess* spec;
    RandomStream* rng;
    std::string label;                                   // "spec.faults[2]", for record details
    std::unordered_map<uint32_t, EventToken> pod_crash;  // containerCrashes: by pod
  };

  void on_pod(const PodRecord& r);
  void on_node(const NodeRecord& r);
  bool pod_matches(const FaultProcess& f, const Pod& p) const;
  bool node_matches(const FaultProcess& f, const Node& n) const;
  void arm_node(std::size_t process, NodeId node);
  void fail_node(std::size_t process, NodeId node);
  void repair_node(std::size_t process, NodeId node);
  void crash_pods(const TimelineEvent& e);
  std::vector<NodeId> zone_nodes(const std::string& zone) const;
  void record(const TimelineEvent& e, const std::string& description);
  void publish(NodeEvent e, NodeId node, std::string_view why);
  NodeState& state(NodeId node);

  ApiServer& api_;
  Context ctx_;
  const Scenario& scenario_;
  FaultTargets targets_;
  RandomStream* rng_pick_;
  std::vector<Process> processes_;
  std::vector<NodeState> nodes_;                   // by NodeId
  std::vector<std::vector<NodeId>> zone_outages_;  // the nodes each failZone took down
  bool in_node_record_ = false;                    // our own NodeRecord is being published
};

}  // namespace kubesim
