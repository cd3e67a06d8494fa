// ApiServer: the authoritative object store (kube-apiserver + etcd).
//
// Every write goes through it and is validated: a bind that would bind a pod
// twice or over-commit its node (requests of the node's active pods beyond
// allocatable, or more pods than allowed) is rejected and counted, as is an
// update whose expected resource version is stale (a Conflict). Each accepted
// write gets the next resource version and is announced to the watchers of
// its kind after the watch latency (one simulation event per write).
//
// Watchers read the store when the event arrives: the store is what their
// informer cache would hold, and the event's resource version says which
// write woke them (an object whose resource_version is newer has another
// event on the way).
//
//   ApiServer api(sim.context(), objects, {.watch_latency = Duration::millis(5)});
//   api.watch(Kind::kPod, [&](const WatchEvent& e) { ... api.objects().pods[e.index] ... });
//   PodId id = api.create_pod(std::move(pod));
//   if (!api.bind(id, node)) { /* rejected: counted in rejected_writes() */ }
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_set>
#include <vector>

#include "models/objects/cluster.h"
#include "models/records.h"
#include "sim/simulation.h"

namespace kubesim {

// kLease: the kubelets' Leases in kube-node-lease (coordination.k8s.io), keyed
// by node index (see NodeLease).
enum class Kind : uint8_t {
  kPod,
  kNode,
  kDeployment,
  kReplicaSet,
  kDaemonSet,
  kJob,
  kLease,
  kCount
};
const char* to_string(Kind k);

enum class WatchType : uint8_t { kAdded, kModified, kDeleted };

struct WatchEvent {
  Kind kind;
  WatchType type;
  uint32_t index;            // into the kind's store in ClusterObjects
  int64_t resource_version;  // of the write
};

struct ApiServerConfig {
  Duration watch_latency = Duration::millis(5);  // write -> watchers
  // The DefaultTolerationSeconds admission plugin (enabled by default in
  // kube-apiserver): kube-apiserver --default-not-ready-toleration-seconds and
  // --default-unreachable-toleration-seconds (RuntimeConfig has the same).
  bool default_toleration_seconds = true;
  int64_t default_not_ready_toleration_seconds = 300;
  int64_t default_unreachable_toleration_seconds = 300;
};

// A kubelet's Lease (kube-node-lease/<node>, spec.renewTime) as the API server
// holds it. A renewal is a write at its instant; a kubelet that renews
// lazily (DESIGN.md "Lazy but exact periodic loops") writes one renewal with
// the promise to renew again every `every` until the promise is withdrawn
// (ApiServer::stop_lease_renewals), and readers compute the renewals that
// promise stands for (ApiServer::lease_renew_time). A kubelet that renews
// tick by tick writes each renewal with no promise: both read the same.
struct NodeLease {
  bool exists = false;
  SimTime renewed;                 // the last renewal written
  Duration every;                  // zero: no promise
  SimTime until = SimTime::max();  // promised renewals stop before this instant
  bool has_previous = false;
  SimTime previous;  // the latest renewal before `renewed`
};

class ApiServer {
 public:
  using Watcher = std::function<void(const WatchEvent&)>;

  // `objects` holds what the scenario declares (the initial state); it must
  // outlive the server. Objects already in it are not announced.
  ApiServer(Context ctx, ClusterObjects& objects, ApiServerConfig config = {});
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  const ClusterObjects& objects() const { return *objects_; }
  Context context() const { return ctx_; }
  SimTime now() const { return ctx_.now(); }
  const ApiServerConfig& config() const { return config_; }

  // Watchers of a kind are called in registration order.
  void watch(Kind kind, Watcher w);

  // ---- Pods ----
  // Sets id, status.created and resource version; an empty name gets
  // generate_name + 5 random characters (names.SimpleNameGenerator).
  PodId create_pod(Pod pod, std::string_view generate_name = {});
  // The binding subresource: rejected if the pod is gone, terminating,
  // finished or already bound, or if the node is gone or cannot hold it.
  bool bind(PodId pod, NodeId node);
  // A status (or other) update; `mutate(Pod&)` must not change the binding.
  // expected_rv == 0: unconditional. Returns false on a conflict (counted).
  template <class F>
  bool update_pod(PodId id, int64_t expected_rv, F&& mutate) {
    Pod& p = objects_->pods[id.value];
    if (!check_update(p.status.deleted, p.resource_version, expected_rv, p.key())) return false;
    const bool was_active = p.active();
    mutate(p);
    if (was_active && !p.active()) release(p);
    p.resource_version = ++resource_version_;
    announce(Kind::kPod, WatchType::kModified, id.value);
    return true;
  }
  // Graceful deletion (kubectl delete): a pod on a node becomes terminating
  // and its kubelet finishes the deletion with remove_pod(); an unbound or
  // finished pod is removed at once. Deleting a terminating pod is a no-op.
  void delete_pod(PodId id);
  // Removes the object (kubelet: containers stopped; or force deletion).
  void remove_pod(PodId id);

  // ---- Nodes ----
  NodeId create_node(Node node);
  bool set_unschedulable(NodeId id, bool unschedulable);
  void delete_node(NodeId id);
  // Node status the kubelet reports: an image it pulled is cached on the node
  // (status.images, which the scheduler's ImageLocality reads). Announced as
  // Modified; ignored if the node is gone or already lists the image's first name.
  void add_node_image(NodeId id, ContainerImage image);
  // The Ready condition (status.conditions[Ready]); a change sets
  // ready_transition and publishes NodeNotReady or NodeReady (detail: reason,
  // e.g. "NodeStatusUnknown", "KubeletReady"). Returns false if the node is gone.
  bool set_node_ready(NodeId id, NodeReadyStatus status, std::string_view reason);
  // Adds a taint, or refreshes time_added of the taint with the same key and
  // effect (taints.go AddOrUpdateTaint). A new NoExecute taint publishes
  // NodeTainted (detail: key). Returns false if the node is gone.
  bool add_node_taint(NodeId id, Taint taint);
  // Removes the taint with this key and effect; a NoExecute one publishes
  // NodeUntainted. Returns false (and writes nothing) if there is none.
  bool remove_node_taint(NodeId id, std::string_view key, TaintEffect effect);
  // When the node was deleted (valid for deleted nodes).
  SimTime node_deleted_at(NodeId id) const { return node_deleted_at_[id.value]; }

  // ---- Node leases (kube-node-lease) ----
  // A renewal by the node's kubelet now, with the promise to renew every
  // `every` from now on (zero: no promise). Announced as Kind::kLease
  // (index: the node's). Ignored if the node is gone. Leases are their own
  // objects: their writes wake no Node watcher and do not take a resource
  // version, so that lazy and tick-by-tick kubelets leave the same trace.
  void renew_lease(NodeId id, Duration every = Duration::zero());
  // The kubelet stopped renewing (crashed, or cut off from the API server):
  // no renewal at or after now. A renewal written at this same instant is
  // withdrawn: its request did not get through. Announced as Kind::kLease.
  void stop_lease_renewals(NodeId id);
  // spec.renewTime as of `at`: the latest renewal at or before `at`, written
  // or promised; nullopt if none.
  std::optional<SimTime> lease_renew_time(NodeId id, SimTime at) const;
  const NodeLease& lease(NodeId id) const { return leases_[id.value]; }

  // Sum of pod_requests of the active pods bound to the node, as the API
  // server's validation counts them.
  const Resources& node_requested(NodeId id) const { return node_requested_[id.value]; }
  int64_t pods_on_node(NodeId id) const { return pods_on_node_[id.value]; }

  // ---- Services (no controller watches them yet) ----
  void create_service(Service s) { objects_->services.push_back(std::move(s)); }

  // ---- Deployments, ReplicaSets, DaemonSets, Jobs ----
  // T is one of Deployment, ReplicaSet, DaemonSet, Job. create() sets the
  // resource version and creation time (and a generated name if empty);
  // returns the index in the store.
  template <class T>
  uint32_t create(T obj, std::string_view generate_name = {});
  template <class T, class F>
  bool update(uint32_t index, int64_t expected_rv, F&& mutate) {
    T& obj = store<T>()[index];
    if (!check_update(obj.metadata.deleted, obj.metadata.resource_version, expected_rv,
                      obj.metadata.key()))
      return false;
    mutate(obj);
    obj.metadata.resource_version = ++resource_version_;
    announce(kind_of<T>(), WatchType::kModified, index);
    return true;
  }
  template <class T>
  void remove(uint32_t index);

  // ---- Bookkeeping ----
  int64_t resource_version() const { return resource_version_; }
  int64_t rejected_writes() const { return rejected_; }
  // Publishes a WriteRejectedRecord and counts it; for callers that validate
  // a write themselves (e.g. kubelet admission is not an API write).
  void reject(std::string_view operation, std::string_view object, std::string_view reason);

  template <class T>
  std::deque<T>& store();
  template <class T>
  static constexpr Kind kind_of();

 private:
  bool check_update(bool deleted, int64_t current_rv, int64_t expected_rv, const std::string& key);
  void announce(Kind kind, WatchType type, uint32_t index);
  void release(const Pod& p);  // pod stops counting against its node
  std::string unique_name(std::string_view prefix);
  void publish(PodEvent e, const Pod& p, std::string_view detail = {});
  void admit_default_tolerations(Pod& p) const;
  void grow_nodes();

  Context ctx_;
  ClusterObjects* objects_;
  ApiServerConfig config_;
  std::vector<Watcher> watchers_[static_cast<int>(Kind::kCount)];
  std::vector<Resources> node_requested_;  // per node, active bound pods
  std::vector<int64_t> pods_on_node_;      // per node, active bound pods
  std::vector<SimTime> node_deleted_at_;   // per node
  std::vector<NodeLease> leases_;          // per node
  std::unordered_set<std::string> names_;  // generated names in use
  int64_t resource_version_ = 0;
  int64_t rejected_ = 0;
};

template <>
inline std::deque<Deployment>& ApiServer::store<Deployment>() {
  return objects_->deployments;
}
template <>
inline std::deque<ReplicaSet>& ApiServer::store<ReplicaSet>() {
  return objects_->replica_sets;
}
template <>
inline std::deque<DaemonSet>& ApiServer::store<DaemonSet>() {
  return objects_->daemon_sets;
}
template <>
inline std::deque<Job>& ApiServer::store<Job>() {
  return objects_->jobs;
}

template <class T>
constexpr Kind ApiServer::kind_of() {
  if constexpr (std::is_same_v<T, Deployment>) return Kind::kDeployment;
  if constexpr (std::is_same_v<T, ReplicaSet>) return Kind::kReplicaSet;
  if constexpr (std::is_same_v<T, DaemonSet>) return Kind::kDaemonSet;
  if constexpr (std::is_same_v<T, Job>) return Kind::kJob;
  return Kind::kCount;
}

template <class T>
uint32_t ApiServer::create(T obj, std::string_view generate_name) {
  if (obj.metadata.name.empty()) obj.metadata.name = unique_name(generate_name);
  obj.metadata.created = now();
  obj.metadata.deleted = false;
  obj.metadata.resource_version = ++resource_version_;
  auto& s = store<T>();
  const auto index = static_cast<uint32_t>(s.size());
  s.push_back(std::move(obj));
  announce(kind_of<T>(), WatchType::kAdded, index);
  return index;
}

template <class T>
void ApiServer::remove(uint32_t index) {
  T& obj = store<T>()[index];
  if (obj.metadata.deleted) return;
  obj.metadata.deleted = true;
  obj.metadata.resource_version = ++resource_version_;
  announce(kind_of<T>(), WatchType::kDeleted, index);
}

}  // namespace kubesim
