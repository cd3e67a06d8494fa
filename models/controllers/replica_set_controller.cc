#include "models/controllers/replica_set_controller.h"

#include <algorithm>
#include <string>

namespace kubesim {
namespace {

constexpr std::string_view kKind = "ReplicaSet";

// pkg/controller/controller_utils.go podPhaseToOrdinal; other phases map to 0
// as a missing map key does in Go.
int phase_ordinal(PodPhase p) {
  switch (p) {
    case PodPhase::kPending:
      return 0;
    case PodPhase::kUnknown:
      return 1;
    case PodPhase::kRunning:
      return 2;
    default:
      return 0;
  }
}

}  // namespace

bool pod_counts_for_owner(const Pod& p) {
  // pkg/controller/controller_utils.go IsPodActive:
  // phase != Succeeded && phase != Failed && DeletionTimestamp == nil.
  return p.active() && !p.status.terminating;
}

SimTime pod_available_at(const Pod& p, int32_t min_ready_seconds) {
  return p.status.ready_since + Duration::seconds(min_ready_seconds);
}

bool pod_available(const Pod& p, int32_t min_ready_seconds, SimTime now) {
  // pkg/api/v1/pod/util.go IsPodAvailable.
  if (!p.status.ready) return false;
  return min_ready_seconds == 0 || pod_available_at(p, min_ready_seconds) <= now;
}

PodDeletionKey pod_deletion_key(const Pod& p) {
  // pkg/controller/controller_utils.go ActivePods.Less, criterion by
  // criterion, as a lexicographic key.
  PodDeletionKey k;
  // 1. Unassigned < assigned.
  k.assigned = p.node.valid() ? 1 : 0;
  // 2. PodPending < PodUnknown < PodRunning.
  k.phase = static_cast<int8_t>(phase_ordinal(p.phase));
  // 3. Not ready < ready.
  k.ready = p.status.ready ? 1 : 0;
  // 4. Been ready for less time < more time (compared only when both are ready).
  k.ready_since = p.status.ready ? -p.status.ready_since.count_micros() : 0;
  // 5. More container restarts < fewer.
  k.restarts = -p.status.restarts;
  // 6. Newer < older.
  k.created = -p.status.created.count_micros();
  // kubesim: a total order for determinism (Go's sort is not stable either).
  k.id = -static_cast<int64_t>(p.id.value);
  return k;
}

void sort_for_deletion(std::vector<PodId>& ids, const ClusterObjects& objects) {
  std::sort(ids.begin(), ids.end(), [&](PodId x, PodId y) {
    return pod_deletion_precedes(objects.pods[x.value], objects.pods[y.value]);
  });
}

Pod pod_from_template(const PodTemplate& t, const ObjectMeta& owner, std::string_view owner_kind,
                      uint32_t owner_index) {
  // pkg/controller/controller_utils.go GetPodFromTemplate.
  Pod p;
  p.namespace_ = owner.namespace_;
  p.labels = t.metadata.labels;
  p.annotations = t.metadata.annotations;
  p.spec = t.spec;
  p.owner = OwnerRef{std::string(owner_kind), owner.name, owner_index};
  return p;
}

ReplicaSetController::ReplicaSetController(ApiServer& api)
    : api_(api), queue_(api.context(), [this](uint32_t i) { sync(i); }) {
  api_.watch(Kind::kReplicaSet, [this](const WatchEvent& e) {
    if (leading_) queue_.add(e.index);
  });
  api_.watch(Kind::kPod, [this](const WatchEvent& e) { on_pod(e); });
}

void ReplicaSetController::set_leader(bool has_leader) {
  if (leading_ == has_leader) return;
  leading_ = has_leader;
  queue_.set_leader(has_leader);
  if (!has_leader) return;
  // A new process: the informer caches are listed again (the pods' marks
  // and the counts are derived from them).
  pods_ = PodsByOwner("ReplicaSet");
  marks_.clear();
  counts_.clear();
  start();
}

void ReplicaSetController::start() {
  for (const Pod& p : api_.objects().pods) {
    if (p.owner.kind != kKind || p.owner.index == UINT32_MAX) continue;
    pods_.add(p);
    refresh(p);
  }
  const auto& store = api_.store<ReplicaSet>();
  for (uint32_t i = 0; i < store.size(); ++i)
    queue_.add(i);
}

void ReplicaSetController::on_pod(const WatchEvent& e) {
  // addPod/updatePod/deletePod all enqueue the pod's controller.
  const Pod& p = api_.objects().pods[e.index];
  if (!leading_ || p.owner.kind != kKind || p.owner.index == UINT32_MAX) return;
  pods_.add(p);
  refresh(p);
  queue_.add(p.owner.index);
}

ReplicaSetController::Counts& ReplicaSetController::counts(uint32_t rs) {
  if (rs >= counts_.size()) counts_.resize(rs + 1);
  return counts_[rs];
}

void ReplicaSetController::refresh(const Pod& p) {
  const uint32_t id = p.id.value;
  if (id >= marks_.size()) marks_.resize(id + 1);
  Counts& c = counts(p.owner.index);
  PodMark& m = marks_[id];
  PodMark n;
  n.counts = pod_counts_for_owner(p);
  n.ready = n.counts && p.status.ready;
  n.available = n.ready && pod_available(p, std::max(c.min_ready_seconds, 0), api_.now());
  n.deleted = p.status.deleted;
  n.ready_since = p.status.ready_since;
  if (n.counts) n.key = pod_deletion_key(p);
  if (m.counts && (!n.counts || m.key != n.key)) c.by_deletion_order.erase(m.key);
  if (n.counts && (!m.counts || m.key != n.key)) c.by_deletion_order.insert(n.key);
  c.replicas += static_cast<int32_t>(n.counts) - static_cast<int32_t>(m.counts);
  c.ready += static_cast<int32_t>(n.ready) - static_cast<int32_t>(m.ready);
  c.available += static_cast<int32_t>(n.available) - static_cast<int32_t>(m.available);
  c.tombstones += static_cast<int32_t>(n.deleted) - static_cast<int32_t>(m.deleted);
  const bool was_pending = m.ready && !m.available && m.ready_since == n.ready_since;
  if (n.ready && !n.available && !was_pending)
    c.pending.emplace(pod_available_at(p, std::max(c.min_ready_seconds, 0)), id);
  m = n;
}

void ReplicaSetController::sync(uint32_t index) {
  auto& store = api_.store<ReplicaSet>();
  if (index >= store.size()) return;
  const ClusterObjects& objects = api_.objects();
  const ReplicaSet& rs = store[index];

  if (rs.metadata.deleted) {
    // The garbage collector's background cascading deletion
    // (pkg/controller/garbagecollector/garbagecollector.go): every dependent
    // pod is deleted once its owner is gone.
    pods_.drop_deleted(index, objects);
    const std::vector<PodId> ids = pods_.of(index);
    for (PodId id : ids)
      api_.delete_pod(id);
    return;
  }

  Counts& c = counts(index);
  const SimTime now = api_.now();
  if (c.min_ready_seconds != rs.min_ready_seconds) {
    // minReadySeconds changed (or first sync): recount availability.
    c.min_ready_seconds = rs.min_ready_seconds;
    for (PodId id : pods_.of(index))
      refresh(objects.pods[id.value]);
  }
  // Pods whose minReadySeconds have passed since the last sync.
  while (!c.pending.empty() && c.pending.top().first <= now) {
    const uint32_t id = c.pending.top().second;
    c.pending.pop();
    refresh(objects.pods[id]);
  }

  // syncReplicaSet -> manageReplicas (replica_set.go).
  const int64_t diff = static_cast<int64_t>(c.replicas) - rs.replicas;
  if (diff < 0) {
    // Creations never fail in kubesim, so Kubernetes' slow-start batches
    // (1, 2, 4, ...) would all succeed: only the burst limit matters.
    const int64_t n = std::min<int64_t>(-diff, kBurstReplicas);
    const std::string generate_name = rs.metadata.name + "-";
    for (int64_t i = 0; i < n; ++i) {
      const PodId id = api_.create_pod(pod_from_template(rs.template_, rs.metadata, kKind, index),
                                       generate_name);
      const Pod& p = objects.pods[id.value];
      pods_.add(p);
      refresh(p);
    }
  } else if (diff > 0) {
    // getPodsToDelete: the first `diff` pods in ActivePods order.
    const int64_t n = std::min<int64_t>(diff, kBurstReplicas);
    std::vector<PodId> victims;
    for (auto it = c.by_deletion_order.begin();
         it != c.by_deletion_order.end() && static_cast<int64_t>(victims.size()) < n; ++it)
      victims.push_back(it->pod());
    for (PodId id : victims) {
      api_.delete_pod(id);
      refresh(objects.pods[id.value]);
    }
  }
  if (c.tombstones > c.replicas + 64) {
    pods_.drop_deleted(index, objects);
    c.tombstones = 0;
  }

  // calculateStatus, from the counts after this sync's writes (the API
  // server's writes are synchronous, so this is what the next informer
  // events will show).
  ReplicaSet::Status st;
  st.observed_generation = rs.metadata.generation;
  st.replicas = c.replicas;
  st.ready_replicas = c.ready;
  st.available_replicas = c.available;
  const ReplicaSet::Status& old = rs.status;
  if (old.observed_generation != st.observed_generation || old.replicas != st.replicas ||
      old.ready_replicas != st.ready_replicas || old.available_replicas != st.available_replicas) {
    api_.update<ReplicaSet>(index, 0, [&](ReplicaSet& r) { r.status = st; });
  }
  // Kubernetes re-queues the ReplicaSet minReadySeconds after a pod turns
  // ready (updatePod: enqueueAfter(rs, minReadySeconds)); kubesim schedules
  // one event at the instant the first such pod becomes available.
  if (!c.pending.empty()) queue_.add_at(index, c.pending.top().first);
}

}  // namespace kubesim
