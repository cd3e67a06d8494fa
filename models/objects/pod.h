// v1.Pod, the parts the simulation models.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "models/objects/ids.h"
#include "models/objects/labels.h"
#include "models/objects/resources.h"
#include "sim/time.h"

namespace kubesim {

struct ContainerPort {
  int32_t container_port = 0;
  int32_t host_port = 0;  // 0: none
  std::string protocol = "TCP";
  std::string host_ip;  // "" means 0.0.0.0
};

// A v1.Probe: what the kubelet checks and how often (pkg/apis/core/v1/
// defaults.go SetDefaults_Probe). The handler (httpGet, tcpSocket, exec,
// grpc) is not modelled: the outcome comes from the container's behaviour
// (kubesim.io/behavior, docs/kubelet.md).
struct Probe {
  bool enabled = false;  // the container has this probe
  int32_t initial_delay_seconds = 0;
  int32_t period_seconds = 10;
  int32_t timeout_seconds = 1;
  int32_t success_threshold = 1;  // must be 1 for liveness and startup probes
  int32_t failure_threshold = 3;
  bool operator==(const Probe&) const = default;
};

struct Container {
  std::string name;
  std::string image;
  Resources requests;  // pods field unused
  Resources limits;
  std::vector<ContainerPort> ports;
  // Which of cpu/memory had an explicit request (for the scheduler's
  // non-zero defaults, pkg/scheduler/util/pod_resources.go).
  bool has_cpu_request = false;
  bool has_memory_request = false;
  Probe startup_probe;
  Probe readiness_probe;
  Probe liveness_probe;
};

struct WeightedNodeSelectorTerm {
  int32_t weight = 0;
  NodeSelectorTerm term;
};

struct NodeAffinity {
  std::vector<NodeSelectorTerm> required;  // requiredDuringSchedulingIgnoredDuringExecution
  bool has_required = false;               // a present but empty list matches nothing
  std::vector<WeightedNodeSelectorTerm> preferred;
};

struct PodAffinityTerm {
  std::optional<LabelSelector> label_selector;  // nullopt matches no pod
  std::vector<std::string> namespaces;          // empty: the pod's own namespace
  std::optional<LabelSelector> namespace_selector;
  std::string topology_key;
};

struct WeightedPodAffinityTerm {
  int32_t weight = 0;
  PodAffinityTerm term;
};

struct PodAffinity {
  std::vector<PodAffinityTerm> required;
  std::vector<WeightedPodAffinityTerm> preferred;
};

enum class WhenUnsatisfiable { kDoNotSchedule, kScheduleAnyway };
enum class NodeInclusionPolicy { kHonor, kIgnore };

struct TopologySpreadConstraint {
  int32_t max_skew = 1;
  std::string topology_key;
  WhenUnsatisfiable when_unsatisfiable = WhenUnsatisfiable::kDoNotSchedule;
  std::optional<LabelSelector> label_selector;
  std::optional<int32_t> min_domains;
  NodeInclusionPolicy node_affinity_policy = NodeInclusionPolicy::kHonor;
  NodeInclusionPolicy node_taints_policy = NodeInclusionPolicy::kIgnore;
  std::vector<std::string> match_label_keys;
};

enum class RestartPolicy { kAlways, kOnFailure, kNever };

struct PodSpec {
  std::vector<Container> containers;
  std::vector<Container> init_containers;
  std::string node_name;  // set: bound (or to be bound there, NodeName plugin)
  Labels node_selector;
  NodeAffinity node_affinity;
  PodAffinity pod_affinity;
  PodAffinity pod_anti_affinity;
  std::vector<Toleration> tolerations;
  std::vector<TopologySpreadConstraint> topology_spread_constraints;
  std::string priority_class_name;
  int32_t priority = 0;
  std::string scheduler_name = "default-scheduler";
  Resources overhead;
  RestartPolicy restart_policy = RestartPolicy::kAlways;
  int64_t termination_grace_period_seconds = 30;
};

enum class PodPhase { kPending, kRunning, kSucceeded, kFailed, kUnknown };

struct OwnerRef {
  std::string kind;  // "ReplicaSet", "DaemonSet", "Job", "Deployment", "" for none
  std::string name;
  uint32_t index = UINT32_MAX;  // into the owner kind's store (ClusterObjects)
  bool valid() const { return !kind.empty(); }
};

// What the API server, scheduler and kubelet record about a pod over its
// life (v1.PodStatus, metadata.deletionTimestamp), in simulated time.
struct PodStatus {
  bool ready = false;        // the Ready condition
  bool terminating = false;  // metadata.deletionTimestamp is set
  bool deleted = false;      // removed from the store; the slot is a tombstone
  SimTime created;
  SimTime bound;        // valid once spec.nodeName is set
  SimTime started;      // containers started (phase Running)
  SimTime ready_since;  // last transition of Ready to true
  SimTime deletion_requested;
  int32_t restarts = 0;
  int32_t scheduling_attempts = 0;
  std::string reason;  // "Completed", "Error", "OutOfcpu", ... (v1.PodStatus.reason)
};

struct Pod {
  PodId id;
  std::string name;
  std::string namespace_ = "default";
  Labels labels;
  std::map<std::string, std::string> annotations;
  OwnerRef owner;
  PodSpec spec;
  PodPhase phase = PodPhase::kPending;
  NodeId node;                   // bound node, invalid while unbound
  int64_t resource_version = 0;  // of the last write (API server)
  PodStatus status;

  // Counts against its node and appears in lists: not deleted and not finished.
  bool active() const {
    return !status.deleted && phase != PodPhase::kSucceeded && phase != PodPhase::kFailed;
  }
  std::string key() const { return namespace_ + "/" + name; }
};

// The pod's resource request as the scheduler's Fit filter counts it
// (pkg/api/v1/resource/helpers.go PodRequests): max(sum of containers,
// each init container) + overhead.
Resources pod_requests(const PodSpec& spec);

const char* to_string(PodPhase p);

}  // namespace kubesim
