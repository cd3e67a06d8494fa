// v1.Node, the parts the simulation models.
#pragma once

#include <string>
#include <vector>

#include "models/objects/ids.h"
#include "models/objects/labels.h"
#include "models/objects/resources.h"
#include "sim/time.h"

namespace kubesim {

struct ContainerImage {
  std::vector<std::string> names;  // e.g. {"nginx:1.25", "docker.io/library/nginx:1.25"}
  int64_t size_bytes = 0;
};

// The Ready condition as the node lifecycle controller and the kubelet
// write it (v1.NodeCondition, type Ready).
enum class NodeReadyStatus : uint8_t { kTrue, kFalse, kUnknown };

struct Node {
  NodeId id;
  std::string name;
  std::string pool;  // node pool it came from, "" for individual nodes
  Labels labels;     // includes kubernetes.io/hostname and topology.kubernetes.io/zone
  Resources capacity;
  Resources allocatable;
  std::vector<Taint> taints;
  bool unschedulable = false;  // spec.unschedulable (cordoned)
  std::vector<ContainerImage> images;
  // kubelet image pulls: bytes per second from the registry (0: the cluster default).
  int64_t image_pull_bytes_per_second = 0;
  int64_t resource_version = 0;  // of the last write (API server)
  SimTime created;
  bool deleted = false;  // removed from the store; the slot is a tombstone
  // Bumped by the API server whenever a pod on the node is bound, starts
  // terminating, finishes or is removed (lets the scheduler's plugins keep
  // per-node memos exact).
  uint64_t pods_version = 0;
  // status.conditions[Ready] and its lastTransitionTime.
  NodeReadyStatus ready = NodeReadyStatus::kTrue;
  SimTime ready_transition;
  // The kubelet's Lease (coordination.k8s.io, kube-node-lease): spec.renewTime
  // of the last renewal the API server has seen.
  SimTime lease_renew_time;

  bool has_image(const std::string& name) const {
    for (const ContainerImage& img : images)
      for (const std::string& n : img.names)
        if (n == name) return true;
    return false;
  }
};

inline constexpr const char* kLabelHostname = "kubernetes.io/hostname";
inline constexpr const char* kLabelZone = "topology.kubernetes.io/zone";
inline constexpr const char* kLabelRegion = "topology.kubernetes.io/region";

}  // namespace kubesim
