#include "models/controllers/deployment_controller.h"

#include <algorithm>
#include <charconv>
#include <limits>

#include "models/controllers/replica_set_controller.h"

namespace kubesim {
namespace {

constexpr std::string_view kKind = "Deployment";
constexpr std::string_view kReplicaSetKind = "ReplicaSet";

// ---- The canonical template text (pod_template_key) ----

void put(std::string& out, std::string_view s) {
  out += std::to_string(s.size());
  out += ':';
  out += s;
}
void put(std::string& out, int64_t v) {
  out += std::to_string(v);
  out += ';';
}
void put(std::string& out, const Labels& m) {
  put(out, static_cast<int64_t>(m.size()));
  for (const auto& [k, v] : m) {
    put(out, k);
    put(out, v);
  }
}
void put(std::string& out, const std::vector<std::string>& v) {
  put(out, static_cast<int64_t>(v.size()));
  for (const std::string& s : v)
    put(out, s);
}
void put(std::string& out, const Resources& r) {
  put(out, r.milli_cpu);
  put(out, r.memory);
  put(out, r.ephemeral_storage);
  put(out, r.pods);
  put(out, static_cast<int64_t>(r.scalar.size()));
  for (const auto& [name, value] : r.scalar) {
    put(out, name);
    put(out, value);
  }
}
void put(std::string& out, const std::vector<SelectorRequirement>& reqs) {
  put(out, static_cast<int64_t>(reqs.size()));
  for (const SelectorRequirement& r : reqs) {
    put(out, r.key);
    put(out, static_cast<int64_t>(r.op));
    put(out, r.values);
  }
}
void put(std::string& out, const LabelSelector& s) {
  put(out, s.match_labels);
  put(out, s.match_expressions);
}
void put(std::string& out, const std::optional<LabelSelector>& s) {
  put(out, s.has_value() ? 1 : 0);
  if (s) put(out, *s);
}
void put(std::string& out, const NodeSelectorTerm& t) {
  put(out, t.match_expressions);
  put(out, t.match_fields);
}
void put(std::string& out, const std::vector<Container>& cs) {
  put(out, static_cast<int64_t>(cs.size()));
  for (const Container& c : cs) {
    put(out, c.name);
    put(out, c.image);
    put(out, c.requests);
    put(out, c.limits);
    put(out, static_cast<int64_t>(c.ports.size()));
    for (const ContainerPort& p : c.ports) {
      put(out, p.container_port);
      put(out, p.host_port);
      put(out, p.protocol);
      put(out, p.host_ip);
    }
    put(out, c.has_cpu_request ? 1 : 0);
    put(out, c.has_memory_request ? 1 : 0);
  }
}
void put(std::string& out, const PodAffinityTerm& t) {
  put(out, t.label_selector);
  put(out, t.namespaces);
  put(out, t.namespace_selector);
  put(out, t.topology_key);
}
void put(std::string& out, const PodAffinity& a) {
  put(out, static_cast<int64_t>(a.required.size()));
  for (const PodAffinityTerm& t : a.required)
    put(out, t);
  put(out, static_cast<int64_t>(a.preferred.size()));
  for (const WeightedPodAffinityTerm& w : a.preferred) {
    put(out, w.weight);
    put(out, w.term);
  }
}

// ---- Annotations ----

// deployment_util.go Revision / getIntFromAnnotation: a missing or bad
// annotation reads as absent.
bool int_annotation(const ObjectMeta& m, const char* key, int64_t& out) {
  auto it = m.annotations.find(key);
  if (it == m.annotations.end()) return false;
  const std::string& s = it->second;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}
int64_t revision_of(const ReplicaSet& rs) {
  int64_t v = 0;
  return int_annotation(rs.metadata, kRevisionAnnotation, v) ? v : 0;
}

// deployment_util.go annotationsToSkip: not copied from the Deployment to its
// ReplicaSets.
bool skip_annotation(const std::string& key) {
  return key == "kubectl.kubernetes.io/last-applied-configuration" || key == kRevisionAnnotation ||
         key == "deployment.kubernetes.io/revision-history" || key == kDesiredReplicasAnnotation ||
         key == kMaxReplicasAnnotation || key == "deprecated.deployment.rollback.to";
}

bool has_progress_deadline(const Deployment& d) {
  // deployment_util.go HasProgressDeadline (MaxInt32 means none); kubesim
  // also treats a non-positive value as none.
  return d.progress_deadline_seconds > 0 &&
         d.progress_deadline_seconds != std::numeric_limits<int32_t>::max();
}

// deployment_util.go DeploymentComplete.
bool deployment_complete(const Deployment& d, const Deployment::Status& st) {
  return st.updated_replicas == d.replicas && st.replicas == d.replicas &&
         st.available_replicas == d.replicas && st.observed_generation >= d.metadata.generation;
}

// deployment_util.go DeploymentProgressing: compared with the stored status.
bool deployment_progressing(const Deployment& d, const Deployment::Status& st) {
  const Deployment::Status& old = d.status;
  const int32_t old_old_replicas = old.replicas - old.updated_replicas;
  const int32_t new_old_replicas = st.replicas - st.updated_replicas;
  return st.updated_replicas > old.updated_replicas || new_old_replicas < old_old_replicas ||
         st.ready_replicas > old.ready_replicas || st.available_replicas > old.available_replicas;
}

bool same_status(const Deployment::Status& a, const Deployment::Status& b) {
  return a.observed_generation == b.observed_generation && a.replicas == b.replicas &&
         a.updated_replicas == b.updated_replicas && a.ready_replicas == b.ready_replicas &&
         a.available_replicas == b.available_replicas &&
         a.unavailable_replicas == b.unavailable_replicas && a.revision == b.revision &&
         a.progress_deadline_exceeded == b.progress_deadline_exceeded && a.complete == b.complete &&
         a.last_progress == b.last_progress;
}

// kubesim guards against the informer lag (see docs/controllers.md): a
// ReplicaSet whose status has not caught up with a scale-down still counts
// the pods it has, and a scale-down the ReplicaSet controller has not carried
// out yet already counts as unavailability (its controller deletes the
// unavailable pods first).
int32_t pods_bound(const ReplicaSet& rs) {
  return std::max(rs.replicas, rs.status.replicas);
}
int32_t available_bound(const ReplicaSet& rs) {
  return std::min(rs.status.available_replicas, rs.replicas);
}

}  // namespace

// ---------------------------------------------------------------------------
// Free functions

int32_t scaled_value(IntOrPercent v, int32_t total, bool round_up) {
  if (!v.percent) return v.value;
  // intstr.GetScaledValueFromIntOrPercent: ceil/floor(value * total / 100).
  const int64_t product = static_cast<int64_t>(v.value) * total;
  if (round_up) return static_cast<int32_t>((product + 99) / 100);
  return static_cast<int32_t>(product / 100);
}

Fenceposts resolve_fenceposts(IntOrPercent surge, IntOrPercent unavailable, int32_t desired) {
  // pkg/controller/deployment/util/deployment_util.go ResolveFenceposts.
  Fenceposts f;
  f.max_surge = scaled_value(surge, desired, true);
  f.max_unavailable = scaled_value(unavailable, desired, false);
  if (f.max_surge == 0 && f.max_unavailable == 0) {
    // "If both fenceposts resolve to zero, then we should set maxUnavailable
    // to 1 on the theory that surge might not work due to quota."
    f.max_unavailable = 1;
  }
  return f;
}

int32_t max_surge(const Deployment& d) {
  if (d.recreate) return 0;
  return resolve_fenceposts(d.max_surge, d.max_unavailable, d.replicas).max_surge;
}

int32_t max_unavailable(const Deployment& d) {
  if (d.recreate || d.replicas == 0) return 0;
  const int32_t mu = resolve_fenceposts(d.max_surge, d.max_unavailable, d.replicas).max_unavailable;
  return std::min(mu, d.replicas);
}

std::string safe_encode_string(std::string_view s) {
  static constexpr std::string_view kAlphanums = "bcdfghjklmnpqrstvwxz2456789";
  std::string r(s.size(), ' ');
  for (size_t i = 0; i < s.size(); ++i)
    r[i] = kAlphanums[static_cast<unsigned char>(s[i]) % kAlphanums.size()];
  return r;
}

std::string pod_template_key(const PodTemplate& t) {
  std::string out;
  out.reserve(512);
  Labels labels = t.metadata.labels;
  labels.erase(kPodTemplateHashLabel);
  out += 'L';
  put(out, labels);
  out += 'A';
  put(out, t.metadata.annotations);
  const PodSpec& s = t.spec;
  out += 'C';
  put(out, s.containers);
  out += 'I';
  put(out, s.init_containers);
  out += 'N';
  put(out, s.node_name);
  put(out, s.node_selector);
  out += 'F';
  put(out, s.node_affinity.has_required ? 1 : 0);
  put(out, static_cast<int64_t>(s.node_affinity.required.size()));
  for (const NodeSelectorTerm& term : s.node_affinity.required)
    put(out, term);
  put(out, static_cast<int64_t>(s.node_affinity.preferred.size()));
  for (const WeightedNodeSelectorTerm& w : s.node_affinity.preferred) {
    put(out, w.weight);
    put(out, w.term);
  }
  out += 'P';
  put(out, s.pod_affinity);
  put(out, s.pod_anti_affinity);
  out += 'T';
  put(out, static_cast<int64_t>(s.tolerations.size()));
  for (const Toleration& tol : s.tolerations) {
    put(out, tol.key);
    put(out, static_cast<int64_t>(tol.op));
    put(out, tol.value);
    put(out, tol.effect ? static_cast<int64_t>(*tol.effect) : -1);
    put(out, tol.toleration_seconds ? 1 : 0);
    put(out, tol.toleration_seconds.value_or(0));
  }
  out += 'S';
  put(out, static_cast<int64_t>(s.topology_spread_constraints.size()));
  for (const TopologySpreadConstraint& c : s.topology_spread_constraints) {
    put(out, c.max_skew);
    put(out, c.topology_key);
    put(out, static_cast<int64_t>(c.when_unsatisfiable));
    put(out, c.label_selector);
    put(out, c.min_domains ? 1 : 0);
    put(out, c.min_domains.value_or(0));
    put(out, static_cast<int64_t>(c.node_affinity_policy));
    put(out, static_cast<int64_t>(c.node_taints_policy));
    put(out, c.match_label_keys);
  }
  out += 'R';
  put(out, s.priority_class_name);
  put(out, s.priority);
  put(out, s.scheduler_name);
  put(out, s.overhead);
  put(out, static_cast<int64_t>(s.restart_policy));
  put(out, s.termination_grace_period_seconds);
  // Probes are part of the template (a rollout that changes one makes a new
  // revision). Written only when some container has one, so that the hash of
  // a template without probes stays what it was.
  std::string probes;
  bool any_probe = false;
  for (const std::vector<Container>* list : {&s.containers, &s.init_containers}) {
    for (const Container& c : *list) {
      for (const Probe* p : {&c.startup_probe, &c.readiness_probe, &c.liveness_probe}) {
        put(probes, p->enabled ? 1 : 0);
        if (!p->enabled) continue;
        any_probe = true;
        put(probes, p->initial_delay_seconds);
        put(probes, p->period_seconds);
        put(probes, p->timeout_seconds);
        put(probes, p->success_threshold);
        put(probes, p->failure_threshold);
      }
    }
  }
  if (any_probe) {
    out += 'Q';
    out += probes;
  }
  return out;
}

std::string pod_template_hash(const PodTemplate& t) {
  // pkg/controller/controller_utils.go ComputeHash: fnv.New32a over the
  // template, rand.SafeEncodeString(fmt.Sprint(hash.Sum32())).
  uint32_t h = 2166136261u;
  for (unsigned char c : pod_template_key(t)) {
    h ^= c;
    h *= 16777619u;
  }
  return safe_encode_string(std::to_string(h));
}

// ---------------------------------------------------------------------------
// Watches

DeploymentController::DeploymentController(ApiServer& api)
    : api_(api), queue_(api.context(), [this](uint32_t i) { sync(i); }) {
  // addDeployment/updateDeployment/deleteDeployment enqueue the Deployment.
  api_.watch(Kind::kDeployment, [this](const WatchEvent& e) {
    if (leading_) queue_.add(e.index);
  });
  api_.watch(Kind::kReplicaSet, [this](const WatchEvent& e) { on_replica_set(e); });
  api_.watch(Kind::kPod, [this](const WatchEvent& e) { on_pod(e); });
}

void DeploymentController::set_leader(bool has_leader) {
  if (leading_ == has_leader) return;
  leading_ = has_leader;
  queue_.set_leader(has_leader);
  if (!has_leader) return;
  // A new process lists the ReplicaSets and pods again. What State keeps
  // besides the ReplicaSet list mirrors the Deployment's status (the
  // Progressing condition, the revision whose completion was reported), which
  // a new leader reads from the API server.
  for (State& s : states_)
    s.replica_sets.clear();
  live_pods_.clear();
  pod_live_.clear();
  rs_tracked_.clear();
  start();
}

void DeploymentController::start() {
  const ClusterObjects& objects = api_.objects();
  for (uint32_t i = 0; i < objects.replica_sets.size(); ++i)
    track_replica_set(i);
  for (const Pod& p : objects.pods)
    if (p.owner.kind == kReplicaSetKind && p.owner.index != UINT32_MAX) note_pod(p);
  for (uint32_t i = 0; i < objects.deployments.size(); ++i)
    queue_.add(i);
}

DeploymentController::State& DeploymentController::state(uint32_t d) {
  if (d >= states_.size()) states_.resize(d + 1);
  return states_[d];
}

void DeploymentController::track_replica_set(uint32_t i) {
  const ReplicaSet& r = rs(i);
  if (r.metadata.owner.kind != kKind || r.metadata.owner.index == UINT32_MAX) return;
  if (i >= rs_tracked_.size()) rs_tracked_.resize(i + 1, 0);
  if (rs_tracked_[i]) return;
  rs_tracked_[i] = 1;
  state(r.metadata.owner.index).replica_sets.push_back(i);
}

void DeploymentController::on_replica_set(const WatchEvent& e) {
  if (!leading_) return;
  // addReplicaSet/updateReplicaSet/deleteReplicaSet enqueue the owner.
  track_replica_set(e.index);
  const OwnerRef& owner = rs(e.index).metadata.owner;
  if (owner.kind == kKind && owner.index != UINT32_MAX) queue_.add(owner.index);
}

void DeploymentController::on_pod(const WatchEvent& e) {
  if (!leading_) return;
  const Pod& p = api_.objects().pods[e.index];
  if (p.owner.kind != kReplicaSetKind || p.owner.index == UINT32_MAX) return;
  note_pod(p);
  // deletePod: a Recreate Deployment waits for its old pods to be gone.
  if (e.type != WatchType::kDeleted || p.owner.index >= api_.objects().replica_sets.size()) return;
  const OwnerRef& owner = rs(p.owner.index).metadata.owner;
  if (owner.kind != kKind || owner.index >= api_.objects().deployments.size()) return;
  if (api_.objects().deployments[owner.index].recreate) queue_.add(owner.index);
}

void DeploymentController::note_pod(const Pod& p) {
  const uint32_t id = p.id.value;
  if (id >= pod_live_.size()) pod_live_.resize(id + 1, 0);
  if (p.owner.index >= live_pods_.size()) live_pods_.resize(p.owner.index + 1, 0);
  const bool live =
      !p.status.deleted && p.phase != PodPhase::kSucceeded && p.phase != PodPhase::kFailed;
  live_pods_[p.owner.index] += static_cast<int32_t>(live) - static_cast<int32_t>(pod_live_[id]);
  pod_live_[id] = live ? 1 : 0;
}

const std::string& DeploymentController::template_key_of(uint32_t i) {
  if (i >= rs_template_key_.size()) rs_template_key_.resize(i + 1);
  // A ReplicaSet's template never changes once its Deployment created it.
  if (rs_template_key_[i].empty()) rs_template_key_[i] = pod_template_key(rs(i).template_);
  return rs_template_key_[i];
}

std::vector<uint32_t> DeploymentController::active(const std::vector<uint32_t>& list) const {
  // controller.FilterActiveReplicaSets: spec.replicas > 0.
  std::vector<uint32_t> out;
  for (uint32_t i : list)
    if (i != kNoReplicaSet && rs(i).replicas > 0) out.push_back(i);
  return out;
}

void DeploymentController::sort_by_creation(std::vector<uint32_t>& list) const {
  // controller.ReplicaSetsByCreationTimestamp: older first, then by name.
  std::sort(list.begin(), list.end(), [this](uint32_t a, uint32_t b) {
    const ObjectMeta& x = rs(a).metadata;
    const ObjectMeta& y = rs(b).metadata;
    if (x.created != y.created) return x.created < y.created;
    return x.name < y.name;
  });
}

// ---------------------------------------------------------------------------
// deployment_controller.go syncDeployment

void DeploymentController::sync(uint32_t di) {
  auto& store = api_.store<Deployment>();
  if (di >= store.size()) return;
  if (store[di].metadata.deleted) {
    delete_dependents(di);
    return;
  }
  // getReplicaSetsForDeployment: the ReplicaSets it controls (kubesim
  // follows owner references only: no adoption or orphaning by selector).
  std::vector<uint32_t> rs_list;
  for (uint32_t i : state(di).replica_sets)
    if (!rs(i).metadata.deleted) rs_list.push_back(i);

  check_paused_conditions(di);
  const Deployment& d = store[di];
  if (d.paused) {
    sync_scale(di, rs_list);
    return;
  }
  if (is_scaling_event(di, rs_list)) {
    sync_scale(di, rs_list);
    return;
  }
  if (d.recreate) {
    rollout_recreate(di, rs_list);
  } else {
    rollout_rolling(di, rs_list);
  }
}

void DeploymentController::delete_dependents(uint32_t di) {
  // The garbage collector's background cascading deletion: the ReplicaSets
  // go, and the ReplicaSet controller deletes their pods in turn.
  for (uint32_t i : state(di).replica_sets) {
    if (rs(i).metadata.deleted) continue;
    api_.remove<ReplicaSet>(i);
    publish_workload(api_.context(), WorkloadEvent::kDeleted, kReplicaSetKind, rs(i).metadata);
  }
}

// ---------------------------------------------------------------------------
// sync.go

DeploymentController::Sets DeploymentController::get_all_replica_sets_and_sync_revision(
    uint32_t di, const std::vector<uint32_t>& rs_list, bool create_if_not_existed) {
  const Deployment& d = api_.objects().deployments[di];
  // deployment_util.go FindNewReplicaSet: the oldest ReplicaSet whose
  // template equals the Deployment's, ignoring the hash label.
  std::vector<uint32_t> sorted = rs_list;
  sort_by_creation(sorted);
  const std::string key = pod_template_key(d.template_);
  Sets sets;
  for (uint32_t i : sorted) {
    if (sets.new_rs == kNoReplicaSet && template_key_of(i) == key) {
      sets.new_rs = i;
    } else {
      sets.old.push_back(i);  // FindOldReplicaSets' allRSs
    }
  }
  // getNewReplicaSet.
  int64_t max_old_revision = 0;
  for (uint32_t i : sets.old)
    max_old_revision = std::max(max_old_revision, revision_of(rs(i)));
  const int64_t new_revision = max_old_revision + 1;

  if (sets.new_rs != kNoReplicaSet) {
    const ReplicaSet& existing = rs(sets.new_rs);
    // SetNewReplicaSetAnnotations(..., exists = true): copy the Deployment's
    // annotations, raise the revision to maxOldRevision + 1.
    bool annotations_updated = false;
    for (const auto& [k, v] : d.metadata.annotations) {
      if (skip_annotation(k)) continue;
      auto it = existing.metadata.annotations.find(k);
      if (it == existing.metadata.annotations.end() || it->second != v) annotations_updated = true;
    }
    const int64_t old_revision = revision_of(existing);
    const bool revision_raised = old_revision < new_revision;
    const bool min_ready_needs_update = existing.min_ready_seconds != d.min_ready_seconds;
    if (annotations_updated || revision_raised || min_ready_needs_update) {
      api_.update<ReplicaSet>(sets.new_rs, 0, [&](ReplicaSet& r) {
        for (const auto& [k, v] : d.metadata.annotations)
          if (!skip_annotation(k)) r.metadata.annotations[k] = v;
        if (revision_raised)
          r.metadata.annotations[kRevisionAnnotation] = std::to_string(new_revision);
        if (min_ready_needs_update) {
          r.min_ready_seconds = d.min_ready_seconds;
          ++r.metadata.generation;
        }
      });
      // An old template came back (a rollback by template): a new revision.
      if (revision_raised && old_revision != 0) {
        publish_workload(api_.context(), WorkloadEvent::kRolloutStarted, kKind, d.metadata,
                         d.status.revision, new_revision);
      }
      return sets;  // sync.go returns the updated ReplicaSet here
    }
    // SetDeploymentRevision with the ReplicaSet's revision, and
    // FoundNewReplicaSet if no Progressing condition exists yet.
    Deployment::Status st = d.status;
    st.revision = revision_of(existing);
    if (has_progress_deadline(d) && state(di).progress == Progress::kNone)
      set_condition(di, Progress::kFoundNewReplicaSet, st);
    write_status(di, st);
    return sets;
  }
  if (!create_if_not_existed) return sets;
  sets.new_rs = create_new_replica_set(di, sets.old, new_revision);
  return sets;
}

uint32_t DeploymentController::create_new_replica_set(uint32_t di, const std::vector<uint32_t>& old,
                                                      int64_t new_revision) {
  const Deployment& d = api_.objects().deployments[di];
  const std::string hash = pod_template_hash(d.template_);
  ReplicaSet r;
  r.template_ = d.template_;
  r.template_.metadata.labels[kPodTemplateHashLabel] = hash;
  r.selector = d.selector;
  r.selector.match_labels[kPodTemplateHashLabel] = hash;
  // "Make the name deterministic, to ensure idempotence."
  r.metadata.name = d.metadata.name + "-" + hash;
  r.metadata.namespace_ = d.metadata.namespace_;
  r.metadata.labels = r.template_.metadata.labels;
  r.metadata.owner = OwnerRef{std::string(kKind), d.metadata.name, di};
  r.min_ready_seconds = d.min_ready_seconds;
  // NewRSNewReplicas over the old ReplicaSets plus the new one at 0.
  r.replicas = new_rs_new_replicas(di, old, kNoReplicaSet);
  // SetNewReplicaSetAnnotations(..., exists = false) and SetReplicasAnnotations.
  for (const auto& [k, v] : d.metadata.annotations)
    if (!skip_annotation(k)) r.metadata.annotations[k] = v;
  r.metadata.annotations[kRevisionAnnotation] = std::to_string(new_revision);
  r.metadata.annotations[kDesiredReplicasAnnotation] = std::to_string(d.replicas);
  r.metadata.annotations[kMaxReplicasAnnotation] = std::to_string(d.replicas + max_surge(d));
  const int32_t replicas = r.replicas;
  const uint32_t index = api_.create<ReplicaSet>(std::move(r));
  track_replica_set(index);
  const Deployment& dd = api_.objects().deployments[di];
  publish_workload(api_.context(), WorkloadEvent::kCreated, kReplicaSetKind, rs(index).metadata, 0,
                   replicas);
  publish_workload(api_.context(), WorkloadEvent::kRolloutStarted, kKind, dd.metadata,
                   dd.status.revision, new_revision);
  // SetDeploymentRevision, and the NewReplicaSetCreated condition.
  Deployment::Status st = dd.status;
  st.revision = new_revision;
  set_condition(di, Progress::kNewReplicaSet, st);
  write_status(di, st);
  return index;
}

bool DeploymentController::is_scaling_event(uint32_t di, const std::vector<uint32_t>& rs_list) {
  // deployment_controller.go isScalingEvent: an active ReplicaSet whose
  // desired-replicas annotation differs from spec.replicas.
  Sets sets = get_all_replica_sets_and_sync_revision(di, rs_list, false);
  const Deployment& d = api_.objects().deployments[di];
  std::vector<uint32_t> all = sets.old;
  if (sets.new_rs != kNoReplicaSet) all.push_back(sets.new_rs);
  for (uint32_t i : active(all)) {
    int64_t desired = 0;
    if (!int_annotation(rs(i).metadata, kDesiredReplicasAnnotation, desired)) continue;
    if (desired != d.replicas) return true;
  }
  return false;
}

void DeploymentController::sync_scale(uint32_t di, const std::vector<uint32_t>& rs_list) {
  // sync.go sync: scaling events and paused Deployments.
  Sets sets = get_all_replica_sets_and_sync_revision(di, rs_list, false);
  scale(di, sets.new_rs, sets.old);
  // "Clean up the deployment when it's paused and no rollback is in flight."
  if (api_.objects().deployments[di].paused) cleanup_deployment(di, sets.old);
  std::vector<uint32_t> all = sets.old;
  if (sets.new_rs != kNoReplicaSet) all.push_back(sets.new_rs);
  sync_deployment_status(di, all, sets.new_rs);
}

void DeploymentController::scale(uint32_t di, uint32_t new_rs, std::vector<uint32_t> old) {
  const Deployment& d = api_.objects().deployments[di];
  // deployment_util.go FindActiveOrLatest: the only active ReplicaSet, or,
  // when none is active, the new (else the newest) one.
  uint32_t active_or_latest = kNoReplicaSet;
  if (new_rs != kNoReplicaSet || !old.empty()) {
    sort_by_creation(old);
    std::reverse(old.begin(), old.end());
    std::vector<uint32_t> all = old;
    all.push_back(new_rs);
    std::vector<uint32_t> act = active(all);
    if (act.empty()) {
      active_or_latest = new_rs != kNoReplicaSet ? new_rs : old.front();
    } else if (act.size() == 1) {
      active_or_latest = act.front();
    }
  }
  if (active_or_latest != kNoReplicaSet) {
    if (rs(active_or_latest).replicas == d.replicas) return;
    scale_replica_set_and_record_event(di, active_or_latest, d.replicas);
    return;
  }
  // deployment_util.go IsSaturated: the new ReplicaSet has all the replicas,
  // wants them and has them available; the old ones go to 0.
  if (new_rs != kNoReplicaSet) {
    const ReplicaSet& n = rs(new_rs);
    int64_t desired = 0;
    if (int_annotation(n.metadata, kDesiredReplicasAnnotation, desired) &&
        n.replicas == d.replicas && desired == d.replicas &&
        n.status.available_replicas == d.replicas) {
      for (uint32_t i : active(old))
        scale_replica_set_and_record_event(di, i, 0);
      return;
    }
  }
  if (d.recreate) return;
  // Proportional scaling of every active ReplicaSet (rolling updates).
  std::vector<uint32_t> all = old;
  all.push_back(new_rs);
  all = active(all);
  int32_t all_replicas = 0;
  for (uint32_t i : all)
    all_replicas += rs(i).replicas;
  const int32_t allowed_size = d.replicas > 0 ? d.replicas + max_surge(d) : 0;
  const int32_t to_add = allowed_size - all_replicas;
  auto by_creation_less = [this](uint32_t a, uint32_t b) {
    const ObjectMeta& x = rs(a).metadata;
    const ObjectMeta& y = rs(b).metadata;
    if (x.created != y.created) return x.created < y.created;
    return x.name < y.name;
  };
  if (to_add > 0) {
    // controller.ReplicaSetsBySizeNewer: larger first, newer first on ties.
    std::sort(all.begin(), all.end(), [&](uint32_t a, uint32_t b) {
      if (rs(a).replicas == rs(b).replicas) return by_creation_less(b, a);
      return rs(a).replicas > rs(b).replicas;
    });
  } else if (to_add < 0) {
    // controller.ReplicaSetsBySizeOlder: larger first, older first on ties.
    std::sort(all.begin(), all.end(), [&](uint32_t a, uint32_t b) {
      if (rs(a).replicas == rs(b).replicas) return by_creation_less(a, b);
      return rs(a).replicas > rs(b).replicas;
    });
  }
  // deployment_util.go GetProportion / getReplicaSetFraction.
  auto fraction = [&](const ReplicaSet& r) -> int32_t {
    if (d.replicas == 0) return -r.replicas;
    const int64_t deployment_max = d.replicas + max_surge(d);
    int64_t annotated = 0;
    if (!int_annotation(r.metadata, kMaxReplicasAnnotation, annotated) || annotated == 0) {
      annotated = d.status.replicas;
      if (annotated == 0) return 0;
    }
    // integer.RoundToInt32(float64(replicas * max) / annotated), i.e. round
    // half up for these non-negative values, in exact integer arithmetic.
    const int64_t num = static_cast<int64_t>(r.replicas) * deployment_max;
    const int64_t rounded = (2 * num + annotated) / (2 * annotated);
    return static_cast<int32_t>(rounded - r.replicas);
  };
  int32_t added = 0;
  std::vector<int32_t> sizes(all.size());
  for (size_t k = 0; k < all.size(); ++k) {
    const ReplicaSet& r = rs(all[k]);
    if (to_add == 0) {
      sizes[k] = r.replicas;
      continue;
    }
    int32_t proportion = 0;
    if (r.replicas != 0 && to_add != added) {
      const int32_t f = fraction(r);
      const int32_t allowed = to_add - added;
      proportion = to_add > 0 ? std::min(f, allowed) : std::max(f, allowed);
    }
    sizes[k] = r.replicas + proportion;
    added += proportion;
  }
  for (size_t k = 0; k < all.size(); ++k) {
    // "Add/remove any leftovers to the largest replica set."
    if (k == 0 && to_add != 0) sizes[0] = std::max(0, sizes[0] + (to_add - added));
    scale_replica_set(di, all[k], sizes[k]);
  }
}

bool DeploymentController::scale_replica_set_and_record_event(uint32_t di, uint32_t i,
                                                              int32_t new_scale) {
  if (rs(i).replicas == new_scale) return false;
  return scale_replica_set(di, i, new_scale);
}

bool DeploymentController::scale_replica_set(uint32_t di, uint32_t i, int32_t new_scale) {
  // sync.go scaleReplicaSet: the new size and the replicas annotations.
  const Deployment& d = api_.objects().deployments[di];
  const ReplicaSet& r = rs(i);
  const int32_t from = r.replicas;
  const bool size_needs_update = from != new_scale;
  const int64_t desired = d.replicas;
  const int64_t max_replicas = d.replicas + max_surge(d);
  int64_t have_desired = 0, have_max = 0;
  const bool annotations_need_update =
      !int_annotation(r.metadata, kDesiredReplicasAnnotation, have_desired) ||
      have_desired != desired || !int_annotation(r.metadata, kMaxReplicasAnnotation, have_max) ||
      have_max != max_replicas;
  if (!size_needs_update && !annotations_need_update) return false;
  api_.update<ReplicaSet>(i, 0, [&](ReplicaSet& x) {
    if (size_needs_update) {
      x.replicas = new_scale;
      ++x.metadata.generation;  // a spec change
    }
    x.metadata.annotations[kDesiredReplicasAnnotation] = std::to_string(desired);
    x.metadata.annotations[kMaxReplicasAnnotation] = std::to_string(max_replicas);
  });
  if (size_needs_update) {
    publish_workload(api_.context(), WorkloadEvent::kScaled, kReplicaSetKind, rs(i).metadata, from,
                     new_scale);
  }
  return size_needs_update;
}

void DeploymentController::cleanup_deployment(uint32_t di, std::vector<uint32_t> old) {
  // sync.go cleanupDeployment.
  const Deployment& d = api_.objects().deployments[di];
  if (d.revision_history_limit < 0 ||
      d.revision_history_limit == std::numeric_limits<int32_t>::max())
    return;
  std::erase_if(old, [this](uint32_t i) { return rs(i).metadata.deleted; });
  const int64_t diff = static_cast<int64_t>(old.size()) - d.revision_history_limit;
  if (diff <= 0) return;
  // deployment_util.go ReplicaSetsByRevision: lower revision first, creation
  // order on ties.
  std::sort(old.begin(), old.end(), [this](uint32_t a, uint32_t b) {
    const int64_t ra = revision_of(rs(a)), rb = revision_of(rs(b));
    if (ra != rb) return ra < rb;
    const ObjectMeta& x = rs(a).metadata;
    const ObjectMeta& y = rs(b).metadata;
    if (x.created != y.created) return x.created < y.created;
    return x.name < y.name;
  });
  for (int64_t k = 0; k < diff; ++k) {
    const uint32_t i = old[static_cast<size_t>(k)];
    const ReplicaSet& r = rs(i);
    // "Avoid delete replica set with non-zero replica counts."
    if (r.status.replicas != 0 || r.replicas != 0 ||
        r.metadata.generation > r.status.observed_generation)
      continue;
    api_.remove<ReplicaSet>(i);
    publish_workload(api_.context(), WorkloadEvent::kDeleted, kReplicaSetKind, r.metadata);
  }
}

Deployment::Status DeploymentController::calculate_status(uint32_t di,
                                                          const std::vector<uint32_t>& all,
                                                          uint32_t new_rs) const {
  // sync.go calculateStatus.
  const Deployment& d = api_.objects().deployments[di];
  Deployment::Status st = d.status;
  int32_t total_spec = 0, actual = 0, ready = 0, available = 0;
  for (uint32_t i : all) {
    const ReplicaSet& r = rs(i);
    total_spec += r.replicas;
    actual += r.status.replicas;
    ready += r.status.ready_replicas;
    available += r.status.available_replicas;
  }
  st.observed_generation = d.metadata.generation;
  st.replicas = actual;
  st.updated_replicas = new_rs != kNoReplicaSet ? rs(new_rs).status.replicas : 0;
  st.ready_replicas = ready;
  st.available_replicas = available;
  st.unavailable_replicas = std::max(0, total_spec - available);
  return st;
}

void DeploymentController::sync_deployment_status(uint32_t di, const std::vector<uint32_t>& all,
                                                  uint32_t new_rs) {
  write_status(di, calculate_status(di, all, new_rs));
}

// ---------------------------------------------------------------------------
// rolling.go

void DeploymentController::rollout_rolling(uint32_t di, const std::vector<uint32_t>& rs_list) {
  Sets sets = get_all_replica_sets_and_sync_revision(di, rs_list, true);
  std::vector<uint32_t> all = sets.old;
  all.push_back(sets.new_rs);
  // Scale up, if we can.
  if (reconcile_new_replica_set(di, all, sets.new_rs)) {
    sync_rollout_status(di, all, sets.new_rs);
    return;
  }
  // Scale down, if we can.
  if (reconcile_old_replica_sets(di, all, active(sets.old), sets.new_rs)) {
    sync_rollout_status(di, all, sets.new_rs);
    return;
  }
  const Deployment& d = api_.objects().deployments[di];
  if (deployment_complete(d, d.status)) cleanup_deployment(di, sets.old);
  sync_rollout_status(di, all, sets.new_rs);
}

bool DeploymentController::reconcile_new_replica_set(uint32_t di, const std::vector<uint32_t>& all,
                                                     uint32_t new_rs) {
  const Deployment& d = api_.objects().deployments[di];
  const ReplicaSet& n = rs(new_rs);
  if (n.replicas == d.replicas) return false;  // scaling not required
  if (n.replicas > d.replicas) return scale_replica_set_and_record_event(di, new_rs, d.replicas);
  return scale_replica_set_and_record_event(di, new_rs, new_rs_new_replicas(di, all, new_rs));
}

int32_t DeploymentController::new_rs_new_replicas(uint32_t di, const std::vector<uint32_t>& all,
                                                  uint32_t new_rs) const {
  // deployment_util.go NewRSNewReplicas.
  const Deployment& d = api_.objects().deployments[di];
  const int32_t new_spec = new_rs != kNoReplicaSet ? rs(new_rs).replicas : 0;
  if (d.recreate) return d.replicas;
  const int32_t surge = scaled_value(d.max_surge, d.replicas, true);
  // Find the total number of pods (kubesim: pods_bound, see above).
  int32_t current = 0;
  for (uint32_t i : all)
    if (i != kNoReplicaSet) current += pods_bound(rs(i));
  const int32_t max_total = d.replicas + surge;
  if (current >= max_total) return new_spec;  // cannot scale up
  // Scale up, but not beyond the desired number of replicas.
  const int32_t scale_up = std::min(max_total - current, d.replicas - new_spec);
  return new_spec + scale_up;
}

bool DeploymentController::reconcile_old_replica_sets(uint32_t di, const std::vector<uint32_t>& all,
                                                      std::vector<uint32_t> old_active,
                                                      uint32_t new_rs) {
  const Deployment& d = api_.objects().deployments[di];
  int32_t old_pods = 0;
  for (uint32_t i : old_active)
    old_pods += rs(i).replicas;
  if (old_pods == 0) return false;  // can't scale down further
  int32_t all_pods = 0;
  for (uint32_t i : all)
    all_pods += rs(i).replicas;
  // maxScaledDown := allPodsCount - minAvailable - newReplicaSetPodsUnavailable
  const int32_t min_available = d.replicas - max_unavailable(d);
  const ReplicaSet& n = rs(new_rs);
  const int32_t new_unavailable = n.replicas - available_bound(n);
  const int32_t max_scaled_down = all_pods - min_available - new_unavailable;
  if (max_scaled_down <= 0) return false;
  // Clean up unhealthy replicas first, otherwise unhealthy replicas will
  // block the deployment (kubernetes/kubernetes#16737).
  const int32_t cleaned = cleanup_unhealthy_replicas(di, old_active, max_scaled_down);
  const int32_t scaled = scale_down_old_replica_sets_for_rolling_update(di, all, old_active);
  return cleaned + scaled > 0;
}

int32_t DeploymentController::cleanup_unhealthy_replicas(uint32_t di, std::vector<uint32_t>& old,
                                                         int32_t max_cleanup) {
  sort_by_creation(old);
  int32_t total = 0;
  for (uint32_t i : old) {
    if (total >= max_cleanup) break;
    const ReplicaSet& r = rs(i);
    if (r.replicas == 0) continue;  // cannot scale down this replica set
    const int32_t available = available_bound(r);
    if (r.replicas == available) continue;  // no unhealthy replicas
    const int32_t count = std::min(max_cleanup - total, r.replicas - available);
    scale_replica_set_and_record_event(di, i, r.replicas - count);
    total += count;
  }
  return total;
}

int32_t DeploymentController::scale_down_old_replica_sets_for_rolling_update(
    uint32_t di, const std::vector<uint32_t>& all, std::vector<uint32_t> old) {
  const Deployment& d = api_.objects().deployments[di];
  const int32_t min_available = d.replicas - max_unavailable(d);
  int32_t available = 0;
  for (uint32_t i : all)
    available += available_bound(rs(i));
  if (available <= min_available) return 0;  // cannot scale down
  sort_by_creation(old);
  int32_t total = 0;
  const int32_t total_scale_down = available - min_available;
  for (uint32_t i : old) {
    if (total >= total_scale_down) break;
    const ReplicaSet& r = rs(i);
    if (r.replicas == 0) continue;
    const int32_t count = std::min(r.replicas, total_scale_down - total);
    scale_replica_set_and_record_event(di, i, r.replicas - count);
    total += count;
  }
  return total;
}

// ---------------------------------------------------------------------------
// recreate.go

void DeploymentController::rollout_recreate(uint32_t di, const std::vector<uint32_t>& rs_list) {
  // "Don't create a new RS if not already existed, so that we avoid scaling
  // up before scaling down."
  Sets sets = get_all_replica_sets_and_sync_revision(di, rs_list, false);
  auto all_of = [](const Sets& s) {
    std::vector<uint32_t> all = s.old;
    if (s.new_rs != kNoReplicaSet) all.push_back(s.new_rs);
    return all;
  };
  // Scale down old replica sets.
  bool scaled_down = false;
  for (uint32_t i : active(sets.old))
    scaled_down |= scale_replica_set_and_record_event(di, i, 0);
  if (scaled_down) {
    sync_rollout_status(di, all_of(sets), sets.new_rs);
    return;
  }
  // Do not process a deployment when it has old pods running.
  if (old_pods_running(sets.new_rs, rs_list)) {
    sync_rollout_status(di, all_of(sets), sets.new_rs);
    return;
  }
  if (sets.new_rs == kNoReplicaSet)
    sets = get_all_replica_sets_and_sync_revision(di, rs_list, true);
  scale_replica_set_and_record_event(di, sets.new_rs, api_.objects().deployments[di].replicas);
  const Deployment& d = api_.objects().deployments[di];
  if (deployment_complete(d, d.status)) cleanup_deployment(di, sets.old);
  sync_rollout_status(di, all_of(sets), sets.new_rs);
}

bool DeploymentController::old_pods_running(uint32_t new_rs, const std::vector<uint32_t>& rs_list) {
  // recreate.go oldPodsRunning: an old ReplicaSet reports pods, or a pod of
  // an old ReplicaSet is still in the store and not finished.
  for (uint32_t i : rs_list) {
    if (i == new_rs) continue;
    if (rs(i).status.replicas > 0) return true;
    if (i < live_pods_.size() && live_pods_[i] > 0) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------
// progress.go

void DeploymentController::set_condition(uint32_t di, Progress reason, Deployment::Status& st) {
  // deployment_util.go SetDeploymentCondition: the same reason (and so the
  // same status) leaves the condition, and its lastUpdateTime, as it is.
  State& s = state(di);
  if (s.progress == reason) return;
  s.progress = reason;
  st.last_progress = api_.now();
}

void DeploymentController::check_paused_conditions(uint32_t di) {
  const Deployment& d = api_.objects().deployments[di];
  if (!has_progress_deadline(d)) return;
  const Progress cur = state(di).progress;
  // "If we have reported lack of progress, do not overwrite it with a paused
  // condition."
  if (cur == Progress::kTimedOut) return;
  const bool paused_cond_exists = cur == Progress::kPaused;
  Deployment::Status st = d.status;
  if (d.paused && !paused_cond_exists) {
    set_condition(di, Progress::kPaused, st);
  } else if (!d.paused && paused_cond_exists) {
    set_condition(di, Progress::kResumed, st);
  } else {
    return;
  }
  write_status(di, st);
}

void DeploymentController::sync_rollout_status(uint32_t di, const std::vector<uint32_t>& all,
                                               uint32_t new_rs) {
  const Deployment& d = api_.objects().deployments[di];
  Deployment::Status st = calculate_status(di, all, new_rs);
  State& s = state(di);
  const Progress cur = s.progress;
  const bool has_deadline = has_progress_deadline(d);
  // "If there is only one replica set that is active then that means we are
  // not running a new rollout and this is a resync where we don't need to
  // estimate any progress." kubesim follows the condition even without a
  // deadline (for RolloutComplete), but only times out with one.
  const bool is_complete_deployment =
      st.replicas == st.updated_replicas && cur == Progress::kNewRSAvailable;
  if (!is_complete_deployment) {
    if (deployment_complete(d, st)) {
      set_condition(di, Progress::kNewRSAvailable, st);
    } else if (deployment_progressing(d, st)) {
      // The Progressing condition is re-added: lastUpdateTime moves on.
      s.progress = Progress::kReplicaSetUpdated;
      st.last_progress = api_.now();
    } else if (has_deadline && cur != Progress::kNone && cur != Progress::kNewRSAvailable) {
      // deployment_util.go DeploymentTimedOut: lastUpdateTime + deadline is
      // strictly before now.
      const bool timed_out =
          cur == Progress::kTimedOut ||
          d.status.last_progress + Duration::seconds(d.progress_deadline_seconds) < api_.now();
      if (timed_out) set_condition(di, Progress::kTimedOut, st);
    }
  }
  if (s.progress == Progress::kTimedOut && cur != Progress::kTimedOut) {
    publish_workload(api_.context(), WorkloadEvent::kProgressDeadlineExceeded, kKind, d.metadata, 0,
                     d.progress_deadline_seconds, "ProgressDeadlineExceeded");
  }
  if (deployment_complete(d, st) && s.completed_revision != st.revision) {
    s.completed_revision = st.revision;
    publish_workload(api_.context(), WorkloadEvent::kRolloutComplete, kKind, d.metadata, 0,
                     st.revision);
  }
  write_status(di, st);

  // requeueStuckDeployment: check again when the deadline would pass
  // (lastUpdateTime + progressDeadlineSeconds, plus the second Kubernetes
  // adds "to avoid milliseconds skew in AddAfter").
  if (!has_deadline || s.progress == Progress::kNone || s.progress == Progress::kTimedOut) return;
  // A completed rollout that lost availability (a pod of a dead node marked
  // not ready): Kubernetes requeues it rate-limited (after < 1 s), but those
  // syncs skip the progress estimate (isCompleteDeployment) and change
  // nothing; the watch events that change its status sync it anyway. Not
  // simulated (DESIGN.md, lazy periodic loops); requeuing at a past deadline
  // would loop at one instant.
  if (is_complete_deployment) return;
  const Deployment& now_d = api_.objects().deployments[di];
  if (deployment_complete(now_d, now_d.status)) return;
  queue_.add_at(di, now_d.status.last_progress + Duration::seconds(d.progress_deadline_seconds) +
                        Duration::seconds(1));
}

void DeploymentController::write_status(uint32_t di, Deployment::Status st) {
  const Progress p = state(di).progress;
  st.complete = p == Progress::kNewRSAvailable;
  st.progress_deadline_exceeded = p == Progress::kTimedOut;
  const Deployment& d = api_.objects().deployments[di];
  const std::string revision = std::to_string(st.revision);
  auto it = d.metadata.annotations.find(kRevisionAnnotation);
  const bool annotation_stale =
      st.revision > 0 && (it == d.metadata.annotations.end() || it->second != revision);
  if (same_status(d.status, st) && !annotation_stale) return;
  api_.update<Deployment>(di, 0, [&](Deployment& x) {
    x.status = st;
    if (st.revision > 0) x.metadata.annotations[kRevisionAnnotation] = revision;
  });
}

}  // namespace kubesim
