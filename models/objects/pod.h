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

namespace kubesim {

struct ContainerPort {
  int32_t container_port = 0;
  int32_t host_port = 0;  // 0: none
  std::string protocol = "TCP";
  std::string host_ip;  // "" means 0.0.0.0
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
  std::vector<std::string> namespaces;           // empty: the pod's own namespace
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
  std::string kind;  // "ReplicaSet", "DaemonSet", "Job", "" for none
  std::string name;
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
  NodeId node;  // bound node, invalid while unbound
};

// The pod's resource request as the scheduler's Fit filter counts it
// (pkg/api/v1/resource/helpers.go PodRequests): max(sum of containers,
// each init container) + overhead.
Resources pod_requests(const PodSpec& spec);

const char* to_string(PodPhase p);

}  // namespace kubesim
