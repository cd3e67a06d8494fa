// ClusterObjects: everything a scenario declares, in owning stores. The API
// server (a later layer) owns one and validates every write.
#pragma once

#include <string>
#include <vector>

#include "models/objects/node.h"
#include "models/objects/pod.h"
#include "models/objects/workloads.h"

namespace kubesim {

struct ClusterObjects {
  std::vector<Node> nodes;  // nodes[i].id.value == i
  std::vector<Pod> pods;    // pods[i].id.value == i; spec.node_name set: bound
  std::vector<Deployment> deployments;
  std::vector<ReplicaSet> replica_sets;
  std::vector<DaemonSet> daemon_sets;
  std::vector<Job> jobs;
  std::vector<Service> services;
  std::vector<PodDisruptionBudget> pod_disruption_budgets;
  std::vector<HorizontalPodAutoscaler> horizontal_pod_autoscalers;

  // Adds with a fresh id; returns it.
  NodeId add_node(Node n);
  PodId add_pod(Pod p);
  const Node* find_node(const std::string& name) const;
};

}  // namespace kubesim
