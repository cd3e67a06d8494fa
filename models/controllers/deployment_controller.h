// DeploymentController: kube-controller-manager's deployment controller
// (pkg/controller/deployment/). A Deployment owns ReplicaSets named
// <deployment>-<pod-template-hash>, one per pod template it has had; the
// controller scales them (the ReplicaSetController makes the pods):
//   - RollingUpdate (rolling.go): maxSurge rounds up, maxUnavailable rounds
//     down, both 0 -> maxUnavailable 1 (util/deployment_util.go
//     ResolveFenceposts); reconcileNewReplicaSet, reconcileOldReplicaSets with
//     cleanupUnhealthyReplicas and scaleDownOldReplicaSetsForRollingUpdate;
//   - Recreate (recreate.go): old pods gone before new ones are created;
//   - proportional scaling when spec.replicas changes mid-rollout (sync.go
//     scale, via the desired-replicas/max-replicas annotations);
//   - revisionHistoryLimit cleanup of old ReplicaSets with no replicas;
//   - the Progressing condition and progressDeadlineSeconds (progress.go);
//   - status (replicas, updated, ready, available, unavailable, revision).
// Deleting a Deployment deletes its ReplicaSets (the garbage collector).
//
// It publishes WorkloadRecords: Created (a new ReplicaSet, to = replicas),
// Scaled (a ReplicaSet, from -> to), RolloutStarted (revision from -> to),
// RolloutComplete (to = revision), ProgressDeadlineExceeded, Deleted.
//
//   DeploymentController dc(api);   // registers the watches
//   ReplicaSetController rsc(api);
//   dc.start(); rsc.start();         // at t = 0
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "models/apiserver/api_server.h"
#include "models/controllers/workqueue.h"

namespace kubesim {

// Label and annotations the deployment controller maintains
// (k8s.io/api/apps/v1 DefaultDeploymentUniqueLabelKey,
// pkg/controller/deployment/util/deployment_util.go).
inline constexpr const char* kPodTemplateHashLabel = "pod-template-hash";
inline constexpr const char* kRevisionAnnotation = "deployment.kubernetes.io/revision";
inline constexpr const char* kDesiredReplicasAnnotation =
    "deployment.kubernetes.io/desired-replicas";
inline constexpr const char* kMaxReplicasAnnotation = "deployment.kubernetes.io/max-replicas";

class DeploymentController {
 public:
  explicit DeploymentController(ApiServer& api);
  DeploymentController(const DeploymentController&) = delete;
  DeploymentController& operator=(const DeploymentController&) = delete;

  // Records the ReplicaSets and pods already in the store and enqueues every
  // Deployment.
  void start();
  // Leader election (models/controlplane): false stops all work (queue and
  // timers dropped, watch events ignored); true starts afresh as a newly
  // elected kube-controller-manager: caches rebuilt from the store and every
  // Deployment enqueued, as start() does. The Progressing condition lives in
  // the Deployment's status, so it carries over.
  void set_leader(bool has_leader);

 private:
  // The reason of the Progressing condition (deployment_util.go).
  enum class Progress : uint8_t {
    kNone,                // no condition yet
    kNewReplicaSet,       // NewReplicaSetCreated
    kFoundNewReplicaSet,  // FoundNewReplicaSet
    kReplicaSetUpdated,   // ReplicaSetUpdated (progress seen)
    kNewRSAvailable,      // NewReplicaSetAvailable (rollout complete)
    kTimedOut,            // ProgressDeadlineExceeded
    kPaused,              // DeploymentPaused
    kResumed,             // DeploymentResumed
  };
  struct State {
    std::vector<uint32_t> replica_sets;  // owned ReplicaSets, creation order
    Progress progress = Progress::kNone;
    int64_t completed_revision = 0;  // last revision RolloutComplete was published for
  };
  static constexpr uint32_t kNoReplicaSet = UINT32_MAX;
  struct Sets {
    uint32_t new_rs = kNoReplicaSet;
    std::vector<uint32_t> old;  // every other ReplicaSet of the Deployment
  };

  void on_replica_set(const WatchEvent& e);
  void on_pod(const WatchEvent& e);
  // Keeps live_pods_ from a pod of a ReplicaSet.
  void note_pod(const Pod& p);
  void track_replica_set(uint32_t rs);
  State& state(uint32_t d);
  void sync(uint32_t d);
  void delete_dependents(uint32_t d);

  // sync.go
  Sets get_all_replica_sets_and_sync_revision(uint32_t d, const std::vector<uint32_t>& rs_list,
                                              bool create_if_not_existed);
  uint32_t create_new_replica_set(uint32_t d, const std::vector<uint32_t>& old,
                                  int64_t new_revision);
  bool is_scaling_event(uint32_t d, const std::vector<uint32_t>& rs_list);
  void sync_scale(uint32_t d, const std::vector<uint32_t>& rs_list);
  void scale(uint32_t d, uint32_t new_rs, std::vector<uint32_t> old);
  bool scale_replica_set_and_record_event(uint32_t d, uint32_t rs, int32_t new_scale);
  bool scale_replica_set(uint32_t d, uint32_t rs, int32_t new_scale);
  void cleanup_deployment(uint32_t d, std::vector<uint32_t> old);
  Deployment::Status calculate_status(uint32_t d, const std::vector<uint32_t>& all,
                                      uint32_t new_rs) const;
  void sync_deployment_status(uint32_t d, const std::vector<uint32_t>& all, uint32_t new_rs);
  // rolling.go
  void rollout_rolling(uint32_t d, const std::vector<uint32_t>& rs_list);
  bool reconcile_new_replica_set(uint32_t d, const std::vector<uint32_t>& all, uint32_t new_rs);
  bool reconcile_old_replica_sets(uint32_t d, const std::vector<uint32_t>& all,
                                  std::vector<uint32_t> old_active, uint32_t new_rs);
  int32_t cleanup_unhealthy_replicas(uint32_t d, std::vector<uint32_t>& old, int32_t max_cleanup);
  int32_t scale_down_old_replica_sets_for_rolling_update(uint32_t d,
                                                         const std::vector<uint32_t>& all,
                                                         std::vector<uint32_t> old);
  int32_t new_rs_new_replicas(uint32_t d, const std::vector<uint32_t>& all, uint32_t new_rs) const;
  // recreate.go
  void rollout_recreate(uint32_t d, const std::vector<uint32_t>& rs_list);
  bool old_pods_running(uint32_t new_rs, const std::vector<uint32_t>& rs_list);
  // progress.go
  void sync_rollout_status(uint32_t d, const std::vector<uint32_t>& all, uint32_t new_rs);
  void check_paused_conditions(uint32_t d);
  void set_condition(uint32_t d, Progress reason, Deployment::Status& st);
  void write_status(uint32_t d, Deployment::Status st);

  // Helpers over ReplicaSet indexes.
  const ReplicaSet& rs(uint32_t i) const { return api_.objects().replica_sets[i]; }
  const std::string& template_key_of(uint32_t rs);
  std::vector<uint32_t> active(const std::vector<uint32_t>& list) const;
  void sort_by_creation(std::vector<uint32_t>& list) const;

  ApiServer& api_;
  WorkQueue queue_;
  // Recreate's podMap, reduced to what oldPodsRunning asks: per ReplicaSet,
  // its pods in the store that have not finished (kept from pod events).
  std::vector<int32_t> live_pods_;            // by ReplicaSet index
  std::vector<uint8_t> pod_live_;             // by pod id
  std::vector<State> states_;                 // by Deployment index
  std::vector<uint8_t> rs_tracked_;           // by ReplicaSet index
  std::vector<std::string> rs_template_key_;  // by ReplicaSet index, "" until computed
  bool leading_ = true;
};

// deployment_util.go ResolveFenceposts: maxSurge of `desired` rounded up,
// maxUnavailable rounded down; both 0 -> maxUnavailable 1.
struct Fenceposts {
  int32_t max_surge = 0;
  int32_t max_unavailable = 0;
};
Fenceposts resolve_fenceposts(IntOrPercent max_surge, IntOrPercent max_unavailable,
                              int32_t desired);
// intstr.GetScaledValueFromIntOrPercent.
int32_t scaled_value(IntOrPercent v, int32_t total, bool round_up);
// deployment_util.go MaxSurge / MaxUnavailable (0 for Recreate; maxUnavailable
// capped at replicas, 0 when replicas is 0).
int32_t max_surge(const Deployment& d);
int32_t max_unavailable(const Deployment& d);

// k8s.io/apimachinery/pkg/util/rand SafeEncodeString: each byte of s mapped
// to "bcdfghjklmnpqrstvwxz2456789"[byte % 27].
std::string safe_encode_string(std::string_view s);
// The pod-template-hash: FNV-1a 32 of a canonical text of every template
// field kubesim models (the template's pod-template-hash label left out),
// printed in decimal and safe-encoded, as controller.ComputeHash does with
// DeepHashObject.
std::string pod_template_hash(const PodTemplate& t);
// The canonical text hashed above; two templates are equal ignoring the hash
// label (deployment_util.go EqualIgnoreHash) iff their texts are equal.
std::string pod_template_key(const PodTemplate& t);

}  // namespace kubesim
