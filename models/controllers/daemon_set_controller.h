// DaemonSetController: kube-controller-manager's daemonset controller
// (pkg/controller/daemon/daemon_controller.go). One pod per node that the
// pod's nodeSelector and required node affinity select and whose NoSchedule
// and NoExecute taints the pod tolerates (NodeShouldRunDaemonPod), with the
// automatic DaemonSet tolerations (pkg/controller/daemon/util/
// daemonset_util.go AddOrUpdateDaemonPodTolerations). Pods are placed by the
// default scheduler through a required node affinity on metadata.name
// (ReplaceDaemonSetPodNodeNameNodeAffinity). Nodes added later get a pod;
// pods on nodes that no longer qualify, or are gone, are deleted; failed
// daemon pods are replaced with Kubernetes' per-node back-off.
// Status: desiredNumberScheduled, currentNumberScheduled, numberReady.
//
//   DaemonSetController dsc(api);   // registers the watches
//   dsc.start();                    // at t = 0
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "models/apiserver/api_server.h"
#include "models/controllers/workqueue.h"

namespace kubesim {

class DaemonSetController {
 public:
  explicit DaemonSetController(ApiServer& api);
  DaemonSetController(const DaemonSetController&) = delete;
  DaemonSetController& operator=(const DaemonSetController&) = delete;

  // Records the pods already in the store and enqueues every DaemonSet.
  void start();
  // Leader election (models/controlplane): false stops all work (queue and
  // timers dropped, watch events ignored); true starts afresh as a newly
  // elected kube-controller-manager: caches rebuilt from the store, the
  // failed-pod back-off forgotten (it is in memory in Kubernetes too) and
  // every DaemonSet enqueued, as start() does.
  void set_leader(bool has_leader);

  // daemon_controller.go BurstReplicas: creations per sync.
  static constexpr int32_t kBurstReplicas = 250;
  // failedPodsBackoff: flowcontrol.NewBackOff(1s, 15min).
  static constexpr Duration kFailedPodBackoffInitial = Duration::seconds(1);
  static constexpr Duration kFailedPodBackoffMax = Duration::minutes(15);

 private:
  struct NodeView {  // what NodeShouldRunDaemonPod reads of a node
    Labels labels;
    std::vector<Taint> taints;
    bool deleted = false;
  };
  struct Backoff {  // client-go flowcontrol.Backoff entry
    Duration delay;
    SimTime last_update;
  };
  // One node as one DaemonSet sees it: its daemon pods (getNodesToDaemonPods)
  // and what it last contributed to the status.
  struct NodeSlot {
    std::vector<PodId> pods;
    bool desired = false;
    bool current = false;
    bool ready = false;
  };
  // Kubernetes re-examines every node at every sync; kubesim re-examines the
  // nodes whose pods, or which themselves, changed (all of them when the
  // DaemonSet's spec changes), and keeps the status counts per node. The
  // decisions are the same; a sync costs O(changed nodes), not O(nodes).
  struct State {
    std::vector<NodeSlot> nodes;      // by node id
    std::vector<PodId> no_node;       // pods whose target node does not exist
    std::vector<uint32_t> dirty;      // nodes to re-examine
    std::vector<uint8_t> dirty_flag;  // by node id
    bool all_dirty = true;
    int64_t generation = -1;  // of the spec `spec` was built from
    PodSpec spec;             // daemon_pod_spec of the template
    int32_t desired = 0, current = 0, ready = 0;
  };

  void on_daemon_set(const WatchEvent& e);
  void on_pod(const WatchEvent& e);
  void on_node(const WatchEvent& e);
  State& state(uint32_t ds);
  void mark_dirty(State& s, uint32_t node);
  // Files the pod under its target node (its node once bound, else the node
  // its affinity names: util.GetTargetNodeName) and marks that node dirty.
  void place(uint32_t ds, const Pod& p);
  uint32_t target_node(const Pod& p) const;
  void sync(uint32_t index);

  ApiServer& api_;
  WorkQueue queue_;
  PodsByOwner pods_{"DaemonSet"};
  std::vector<State> states_;                       // by DaemonSet index
  std::vector<NodeView> nodes_seen_;                // by node id
  std::unordered_map<uint32_t, uint32_t> slot_of_;  // pod id -> node id it is filed under
  std::unordered_map<uint64_t, Backoff> backoff_;   // (daemon set, node) -> back-off
  bool leading_ = true;
};

// The DaemonSet pod template as NewPod builds it for NodeShouldRunDaemonPod:
// the template's spec with the automatic tolerations added.
PodSpec daemon_pod_spec(const PodSpec& template_spec);
// NodeShouldRunDaemonPod: {should run, should continue running}.
struct DaemonPlacement {
  bool should_run = false;
  bool should_continue_running = false;
};
DaemonPlacement node_should_run_daemon_pod(const Node& node, const PodSpec& daemon_spec);

}  // namespace kubesim
