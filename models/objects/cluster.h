// ClusterObjects: everything a scenario declares, in owning stores. The API
// server (a later layer) owns one and validates every write.
#pragma once

#include <deque>
#include <string>
#include <vector>

#include "models/objects/node.h"
#include "models/objects/pod.h"
#include "models/objects/workloads.h"

namespace kubesim {

struct ClusterObjects {
  // Deques: references stay valid as objects are added (the scheduler's
  // snapshot and the records on the observer bus hold pointers to them).
  // Deleted objects stay as tombstones (status.deleted), so ids are indexes.
  std::deque<Node> nodes;  // nodes[i].id.value == i
  std::deque<Pod> pods;    // pods[i].id.value == i; spec.node_name set: bound
  std::deque<Deployment> deployments;
  std::deque<ReplicaSet> replica_sets;
  std::deque<DaemonSet> daemon_sets;
  std::deque<Job> jobs;
  std::deque<Service> services;
  std::deque<PodDisruptionBudget> pod_disruption_budgets;
  std::deque<HorizontalPodAutoscaler> horizontal_pod_autoscalers;

  // Adds with a fresh id; returns it.
  NodeId add_node(Node n);
  PodId add_pod(Pod p);
  const Node* find_node(const std::string& name) const;
};

}  // namespace kubesim
