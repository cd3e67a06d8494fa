// TaintEvictionController: kube-controller-manager's taint-eviction-controller
// (pkg/controller/tainteviction/taint_eviction.go, a controller of its own
// since v1.29, SeparateTaintEvictionController). Deletes the pods on nodes
// with NoExecute taints:
//   - a pod that does not tolerate every NoExecute taint of its node is
//     deleted at once;
//   - a pod that tolerates them all is deleted after the smallest
//     tolerationSeconds among the tolerations used (GetMatchingTolerations
//     takes the first toleration matching each taint); no tolerationSeconds
//     at all: never;
//   - the time counts from when the controller processes the node (or pod)
//     update -- processPodOnNode's `now`, not the taint's timeAdded -- and a
//     pending eviction keeps its start when the taints change again;
//   - all NoExecute taints removed, or the pod gone: the eviction is cancelled.
// Deletion is graceful (ApiServer::delete_pod): on an unreachable node the pod
// stays terminating until its kubelet comes back, and its owner replaces it
// because terminating pods are not active. Each deletion publishes PodEvicted
// (detail: the taint, "key:NoExecute") just before the pod turns Terminating;
// pods already terminating or finished are left alone (Kubernetes would
// delete them again: a no-op).
//
//   TaintEvictionController tec(api);   // registers the watches
//   tec.start();                        // at t = 0 (= set_leader(true))
//   tec.set_leader(false);              // no leader: nothing happens
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/apiserver/api_server.h"

namespace kubesim {

// The informer index "spec.nodeName" both node controllers keep: pods by the
// node they are bound to, recorded from pod watch events (deleted pods stay
// until compact()).
class PodsByNode {
 public:
  // Records the pod under its node if it is bound and not recorded yet.
  void add(const Pod& p);
  const std::vector<PodId>& of(uint32_t node) const;
  // Forgets the node's pods that are gone or moved.
  void compact(uint32_t node, const ClusterObjects& objects);

 private:
  std::vector<std::vector<PodId>> by_node_;
  std::vector<uint32_t> node_of_;  // by pod id; UINT32_MAX: none
  std::vector<PodId> empty_;
};

class TaintEvictionController {
 public:
  explicit TaintEvictionController(ApiServer& api);
  TaintEvictionController(const TaintEvictionController&) = delete;
  TaintEvictionController& operator=(const TaintEvictionController&) = delete;

  // At t = 0: set_leader(true).
  void start();
  // false: every pending eviction is cancelled and watch events are ignored.
  // true: starts as a newly elected kube-controller-manager does: every node
  // with NoExecute taints is processed now (so evictions count from now),
  // then every pod.
  void set_leader(bool has_leader);
  bool leader() const { return leader_; }

  // The instant the pod's pending eviction fires, SimTime::max() if none.
  SimTime eviction_at(PodId pod) const;

 private:
  struct Work {
    bool pending = false;
    SimTime created;
    SimTime fire_at;
    EventToken timer;
    std::string taint;  // "key:NoExecute", the record's detail
  };

  void on_node(const WatchEvent& e);
  void on_pod(const WatchEvent& e);
  void handle_node_update(uint32_t node);
  void handle_pod_update(uint32_t pod);
  void process_pod_on_node(uint32_t pod, const std::vector<Taint>& taints, SimTime now);
  void cancel(uint32_t pod);
  void add_work(uint32_t pod, SimTime created, SimTime fire_at, std::string taint);
  void evict(uint32_t pod, const std::string& taint);
  Work& work(uint32_t pod);

  ApiServer& api_;
  bool leader_ = false;
  PodsByNode pods_;
  std::vector<Work> work_;                // by pod id
  std::vector<std::vector<Taint>> seen_;  // by node: NoExecute taints last processed
  std::vector<uint8_t> tainted_;          // by node: in taintedNodes
  std::vector<uint32_t> pod_node_;        // by pod id: node last processed (PodUpdated)
};

// The node's NoExecute taints, in order (getNoExecuteTaints).
std::vector<Taint> no_execute_taints(const std::vector<Taint>& taints);

}  // namespace kubesim
