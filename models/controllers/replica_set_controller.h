// ReplicaSetController: kube-controller-manager's replicaset controller
// (pkg/controller/replicaset/replica_set.go). Keeps spec.replicas active pods
// per ReplicaSet: creates pods from the template, deletes the excess in
// Kubernetes' ActivePods order, writes status (replicas, ready, available),
// and deletes the pods of a removed ReplicaSet as the garbage collector does.
//
// Driven by watches only: ReplicaSet events and the events of its pods. A
// pod that is ready but not yet available (minReadySeconds) re-syncs its
// ReplicaSet at the exact time it becomes available.
//
//   ReplicaSetController rsc(api);   // registers the watches
//   rsc.start();                     // at t = 0: the informer's initial list
//
// The free functions below are the shared pod helpers of
// pkg/controller/controller_utils.go and pkg/api/v1/pod/util.go; the other
// workload controllers use them too.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <queue>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include "models/apiserver/api_server.h"
#include "models/controllers/workqueue.h"

namespace kubesim {

// controller.ActivePods order as a key: the pod with the smaller key is
// deleted first (see pod_deletion_precedes below).
struct PodDeletionKey {
  int8_t assigned = 0;      // unassigned < assigned
  int8_t phase = 0;         // Pending < Unknown < Running
  int8_t ready = 0;         // not ready < ready
  int64_t ready_since = 0;  // ready pods: more recently ready first (negated)
  int32_t restarts = 0;     // more restarts first (negated)
  int64_t created = 0;      // newer first (negated)
  int64_t id = 0;           // ties: higher pod id first (negated)
  auto operator<=>(const PodDeletionKey&) const = default;
  PodId pod() const { return PodId{static_cast<uint32_t>(-id)}; }
};
PodDeletionKey pod_deletion_key(const Pod& p);

class ReplicaSetController {
 public:
  explicit ReplicaSetController(ApiServer& api);
  ReplicaSetController(const ReplicaSetController&) = delete;
  ReplicaSetController& operator=(const ReplicaSetController&) = delete;

  // Records the pods already in the store and enqueues every ReplicaSet.
  void start();
  // Leader election (models/controlplane): false stops all work (queue and
  // timers dropped, watch events ignored); true starts afresh as a newly
  // elected kube-controller-manager: its caches rebuilt from the store and
  // every ReplicaSet enqueued, as start() does.
  void set_leader(bool has_leader);

  // Kubernetes' burstReplicas: at most this many creations or deletions per
  // sync (pkg/controller/replicaset/replica_set.go, BurstReplicas = 500).
  static constexpr int32_t kBurstReplicas = 500;

 private:
  // What the controller last saw of a pod, by pod id. The per-ReplicaSet
  // counts are kept from these marks as pod events arrive, so that a sync
  // costs O(1) and not O(pods) (a ReplicaSet may have tens of thousands).
  struct PodMark {
    bool counts = false;     // pod_counts_for_owner
    bool ready = false;      // counts and Ready
    bool available = false;  // ready for minReadySeconds
    bool deleted = false;
    SimTime ready_since;
    PodDeletionKey key;  // valid while `counts`
  };
  struct Counts {
    int32_t replicas = 0;
    int32_t ready = 0;
    int32_t available = 0;
    int32_t tombstones = 0;          // deleted pods still listed in pods_
    int32_t min_ready_seconds = -1;  // the value `available` was computed with
    // Ready pods not yet available: (the instant they will be, pod id).
    std::priority_queue<std::pair<SimTime, uint32_t>, std::vector<std::pair<SimTime, uint32_t>>,
                        std::greater<>>
        pending;
    // The pods that count, in deletion order (getPodsToDelete without a sort
    // of every pod at each scale-down).
    std::set<PodDeletionKey> by_deletion_order;
  };

  void on_pod(const WatchEvent& e);
  void sync(uint32_t index);
  Counts& counts(uint32_t rs);
  // Re-reads the pod from the store and updates its ReplicaSet's counts.
  void refresh(const Pod& p);

  ApiServer& api_;
  WorkQueue queue_;
  PodsByOwner pods_{"ReplicaSet"};
  std::vector<PodMark> marks_;  // by pod id
  std::vector<Counts> counts_;  // by ReplicaSet index
  bool leading_ = true;
};

// controller.FilterActivePods: the pod counts for its owner (not removed, not
// terminating, not finished).
bool pod_counts_for_owner(const Pod& p);
// podutil.IsPodAvailable: ready for at least min_ready_seconds. (Kubernetes
// requires lastTransitionTime + minReadySeconds to be strictly before now; in
// microsecond time kubesim counts the pod available from that instant on.)
bool pod_available(const Pod& p, int32_t min_ready_seconds, SimTime now);
// The instant a ready pod becomes available.
SimTime pod_available_at(const Pod& p, int32_t min_ready_seconds);
// controller.ActivePods Less: true if `a` should be deleted before `b`
// (unassigned < assigned; Pending < Unknown < Running; not ready < ready;
// more recently ready < longer ready; more restarts < fewer; newer < older).
// Ties fall back to the pod id, newer first, so the order is total.
inline bool pod_deletion_precedes(const Pod& a, const Pod& b) {
  return pod_deletion_key(a) < pod_deletion_key(b);
}
// Sorts pods into pod_deletion_precedes order.
void sort_for_deletion(std::vector<PodId>& ids, const ClusterObjects& objects);
// controller.GetPodFromTemplate: a pod with the template's labels,
// annotations and spec, in the owner's namespace, controlled by the owner.
Pod pod_from_template(const PodTemplate& t, const ObjectMeta& owner, std::string_view owner_kind,
                      uint32_t owner_index);

}  // namespace kubesim
