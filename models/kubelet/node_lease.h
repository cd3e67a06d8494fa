// NodeLeases: the kubelets' node heartbeats -- the Lease each kubelet renews in
// kube-node-lease (pkg/kubelet/nodelease/controller.go, which runs
// staging/src/k8s.io/component-helpers/apimachinery/lease/controller.go) --
// and the Ready condition the kubelet's node status update posts.
//
//   NodeLeases leases(api, scenario.runtime);   // watches nodes
//   leases.start();                              // at t = 0: every node renews now
//   leases.stop(node);                           // kubelet crashed or cut off
//   leases.resume(node);                         // kubelet back
//
// Renewals: a live kubelet renews at its start (t = 0 for the nodes in the
// store at start(); for a node added later, when its Added event reaches the
// kubelet, i.e. creation + watch latency) and every node_lease_renew_interval
// after. The lease controller runs wait.JitterUntil(sync, renewInterval,
// 0.04, sliding): kubesim leaves out the 4% jitter.
//
// By default (DESIGN.md "Lazy but exact periodic loops") a kubelet writes one
// renewal with the promise to renew every interval (ApiServer::renew_lease),
// and no event happens per renewal; with RuntimeConfig::naive_timers each
// renewal is a write of its own. Readers see the same lease either way.
//
// stop(): no renewal at or after now (a renewal of this same instant is
// withdrawn). resume(): the first renewal is immediate and the interval counts
// from it -- after a restart the lease controller's first sync runs at once,
// and after a partition heals its backoffEnsureLease retry (at most 7 s apart)
// gets through; kubesim takes resume() as that instant. Deleted nodes stop.
//
// Ready condition: the kubelet posts Ready=True (reason KubeletReady) when it
// sees its node's condition is not True: at resume() if the not-True value is
// visible to it (written at least one watch latency before), else at its next
// status sync, which kubesim puts on the renewal ticks (nodeStatusUpdateFrequency
// = the renew interval, RuntimeConfig).
#pragma once

#include <cstdint>
#include <vector>

#include "models/apiserver/api_server.h"
#include "models/scenario/scenario.h"

namespace kubesim {

class NodeLeases {
 public:
  // Watches nodes from now on; `api` must outlive the object.
  NodeLeases(ApiServer& api, const RuntimeConfig& config);
  NodeLeases(const NodeLeases&) = delete;
  NodeLeases& operator=(const NodeLeases&) = delete;

  // Every node in the store renews now (call at t = 0).
  void start();
  // The node's kubelet stops renewing (crash or partition). No-op if stopped.
  void stop(NodeId node);
  // Renewals resume now (first renewal immediate). No-op if not stopped.
  void resume(NodeId node);

  bool renewing(NodeId node) const {
    return node.value < kubelets_.size() && kubelets_[node.value].live;
  }

 private:
  struct Kubelet {
    bool started = false;
    bool live = false;
    SimTime phase;     // renewals at phase + k * interval
    EventToken timer;  // naive: the next renewal; lazy: a pending status fix
  };

  Kubelet& kubelet(NodeId node);
  void begin(NodeId node);    // first renewal now
  void renew(uint32_t node);  // naive: one renewal tick
  void on_node(const WatchEvent& e);
  void fix_status(uint32_t node);  // lazy: the status sync on a renewal tick
  // The node's Ready condition is not True and the kubelet can see it.
  bool sees_not_ready(const Node& n) const;
  SimTime next_tick(const Kubelet& k, SimTime t) const;  // first renewal tick >= t

  ApiServer& api_;
  Duration interval_;
  bool naive_;
  std::vector<Kubelet> kubelets_;  // by node id
};

}  // namespace kubesim
