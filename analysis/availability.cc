#include "analysis/availability.h"

#include <algorithm>
#include <numeric>

#include <fmt/format.h>

#include "analysis/run_summary.h"

namespace kubesim {
namespace {

constexpr int32_t kUnresolved = -2;
constexpr int32_t kNone = -1;

// summary.json lists at most this many downtime intervals per workload and
// node failures: a crash-looping pod over a day would otherwise fill pages.
// The counts and totals always cover every one.
constexpr std::size_t kListed = 100;

template <class T>
T& grow_to(std::vector<T>& v, uint32_t index) {
  if (index >= v.size()) v.resize(static_cast<std::size_t>(index) + 1);
  return v[index];
}

double fraction_of(int64_t part, int64_t whole) {
  return whole > 0 ? static_cast<double>(part) / static_cast<double>(whole) : 1.0;
}

RepairStats repair_stats(std::vector<int64_t> micros) {
  RepairStats r;
  r.count = static_cast<int64_t>(micros.size());
  if (micros.empty()) return r;
  std::sort(micros.begin(), micros.end());
  const int64_t sum = std::accumulate(micros.begin(), micros.end(), int64_t{0});
  r.mean = Duration::micros(sum / r.count);
  r.p50 = Duration::micros(nearest_rank(micros, 50));
  r.max = Duration::micros(micros.back());
  return r;
}

}  // namespace

bool WorkloadAvailability::eventful() const {
  return failures > 0 || restarts > 0 || crashes > 0 || evictions > 0 || !downtime.empty() ||
         availability_full < 1.0;
}

bool AvailabilitySummary::eventful() const {
  if (node_failures.count > 0) return true;
  return std::any_of(workloads.begin(), workloads.end(),
                     [](const WorkloadAvailability& w) { return w.eventful(); });
}

AvailabilityCollector::AvailabilityCollector(ObserverBus& bus, const ClusterObjects& objects,
                                             SimTime start)
    : objects_(&objects), start_(start) {
  discover();
  // Pods declared ready (or ready before the collector started) serve from `start`.
  for (const Pod& p : objects.pods) {
    if (!p.active() || !p.status.ready) continue;
    const int32_t w = workload_of(p);
    PodState& s = pod_state(p);
    s.workload = w;
    if (w >= 0)
      became_ready(p, s, workloads_[w], p.node.valid() ? p.node.value : UINT32_MAX, start);
  }
  bus.topic<PodRecord>().subscribe([this](const PodRecord& r) { on_pod(r); });
  bus.topic<NodeRecord>().subscribe([this](const NodeRecord& r) { on_node(r); });
  bus.topic<WorkloadRecord>().subscribe([this](const WorkloadRecord& r) { on_workload(r); });
  bus.topic<TimelineRecord>().subscribe([this](const TimelineRecord& r) { on_timeline(r); });
}

AvailabilityCollector::PodState& AvailabilityCollector::pod_state(const Pod& p) {
  return grow_to(pods_, p.id.value);
}

AvailabilityCollector::NodeState& AvailabilityCollector::node_state(uint32_t node) {
  return grow_to(nodes_, node);
}

// ---- Workloads ----

int32_t AvailabilityCollector::find_by_key(Kind kind, const std::string& key) {
  const auto k = static_cast<std::size_t>(kind);
  auto& map = by_key_[k];
  // Indexed as the store grows; a name used again (deleted, then created)
  // maps to the newest object.
  auto index_all = [&](const auto& store) {
    for (; keyed_[k] < store.size(); ++keyed_[k])
      map.insert_or_assign(store[keyed_[k]].metadata.key(), static_cast<uint32_t>(keyed_[k]));
  };
  switch (kind) {
    case Kind::kDeployment:
      index_all(objects_->deployments);
      break;
    case Kind::kReplicaSet:
      index_all(objects_->replica_sets);
      break;
    case Kind::kDaemonSet:
      index_all(objects_->daemon_sets);
      break;
  }
  const auto it = map.find(key);
  return it == map.end() ? kNone : static_cast<int32_t>(it->second);
}

int32_t AvailabilityCollector::slot(Kind kind, uint32_t index) {
  std::vector<int32_t>& table = kind == Kind::kDeployment   ? deployment_slot_
                                : kind == Kind::kReplicaSet ? replica_set_slot_
                                                            : daemon_set_slot_;
  if (index >= table.size()) table.resize(static_cast<std::size_t>(index) + 1, kNone);
  if (table[index] >= 0) return table[index];
  const ObjectMeta& meta = kind == Kind::kDeployment   ? objects_->deployments[index].metadata
                           : kind == Kind::kReplicaSet ? objects_->replica_sets[index].metadata
                                                       : objects_->daemon_sets[index].metadata;
  if (meta.deleted) return kNone;  // gone before it was seen: nothing to measure
  Workload w;
  w.kind = kind;
  w.index = index;
  w.created = std::max(meta.created, start_);
  w.last = w.created;
  w.desired = desired_in_store(w);
  workloads_.push_back(std::move(w));
  const auto id = static_cast<int32_t>(workloads_.size() - 1);
  table[index] = id;
  settle(workloads_.back(), workloads_.back().created);
  return id;
}

int64_t AvailabilityCollector::desired_in_store(const Workload& w) const {
  switch (w.kind) {
    case Kind::kDeployment:
      return objects_->deployments[w.index].replicas;
    case Kind::kReplicaSet:
      return objects_->replica_sets[w.index].replicas;
    case Kind::kDaemonSet:
      return objects_->daemon_sets[w.index].status.desired_number_scheduled;
  }
  return 0;
}

void AvailabilityCollector::discover() {
  for (; deployments_seen_ < objects_->deployments.size(); ++deployments_seen_)
    slot(Kind::kDeployment, static_cast<uint32_t>(deployments_seen_));
  for (; replica_sets_seen_ < objects_->replica_sets.size(); ++replica_sets_seen_) {
    // A Deployment's ReplicaSets are measured as the Deployment.
    if (objects_->replica_sets[replica_sets_seen_].metadata.owner.kind == "Deployment") continue;
    slot(Kind::kReplicaSet, static_cast<uint32_t>(replica_sets_seen_));
  }
  for (; daemon_sets_seen_ < objects_->daemon_sets.size(); ++daemon_sets_seen_)
    slot(Kind::kDaemonSet, static_cast<uint32_t>(daemon_sets_seen_));
}

int32_t AvailabilityCollector::workload_of(const Pod& p) {
  if (p.owner.kind == "ReplicaSet") {
    const auto& sets = objects_->replica_sets;
    int32_t rs = static_cast<int32_t>(p.owner.index);
    if (p.owner.index >= sets.size() || sets[p.owner.index].metadata.name != p.owner.name ||
        sets[p.owner.index].metadata.namespace_ != p.namespace_) {
      rs = find_by_key(Kind::kReplicaSet, p.namespace_ + "/" + p.owner.name);
      if (rs < 0) return kNone;
    }
    const ObjectMeta& meta = sets[static_cast<uint32_t>(rs)].metadata;
    if (meta.owner.kind != "Deployment") return slot(Kind::kReplicaSet, static_cast<uint32_t>(rs));
    const auto& deployments = objects_->deployments;
    int32_t d = static_cast<int32_t>(meta.owner.index);
    if (meta.owner.index >= deployments.size() ||
        deployments[meta.owner.index].metadata.name != meta.owner.name ||
        deployments[meta.owner.index].metadata.namespace_ != meta.namespace_) {
      d = find_by_key(Kind::kDeployment, meta.namespace_ + "/" + meta.owner.name);
      if (d < 0) return kNone;
    }
    return slot(Kind::kDeployment, static_cast<uint32_t>(d));
  }
  if (p.owner.kind == "DaemonSet") {
    const auto& sets = objects_->daemon_sets;
    int32_t ds = static_cast<int32_t>(p.owner.index);
    if (p.owner.index >= sets.size() || sets[p.owner.index].metadata.name != p.owner.name ||
        sets[p.owner.index].metadata.namespace_ != p.namespace_) {
      ds = find_by_key(Kind::kDaemonSet, p.namespace_ + "/" + p.owner.name);
      if (ds < 0) return kNone;
    }
    return slot(Kind::kDaemonSet, static_cast<uint32_t>(ds));
  }
  return kNone;  // Jobs run to completion and bare pods have no replacement
}

void AvailabilityCollector::advance(Workload& w, SimTime t) {
  if (w.ended || t <= w.last) return;
  const int64_t dt = (t - w.last).count_micros();
  w.window_us += dt;
  if (w.desired <= 0 || w.ready > 0) w.any_us += dt;
  if (w.ready >= w.desired) w.full_us += dt;
  w.last = t;
}

void AvailabilityCollector::close_downtime(Workload& w, SimTime t) {
  if (!w.down) return;
  w.down = false;
  if (t > w.down_since) {
    w.downtime.push_back({w.down_since, t});
    w.downtime_us += (t - w.down_since).count_micros();
  }
}

void AvailabilityCollector::settle(Workload& w, SimTime t) {
  const bool down_now = w.desired > 0 && w.ready <= 0;
  if (down_now && !w.down) {
    w.down = true;
    w.down_since = t;
  } else if (!down_now) {
    close_downtime(w, t);
  }
  // Back at the desired ready count: every failure still waiting is repaired
  // (e.g. the workload was scaled down, or surge pods stood in).
  if (w.open_episodes > 0 && w.ready >= w.desired) {
    for (const Episode& e : w.episodes) {
      const PodState& s = pods_[e.pod];
      if (!s.episode_open || s.episode_start != e.start) continue;
      close_episode(w, e.pod, t);
      ++w.covered;
    }
    w.episodes.clear();
  }
}

void AvailabilityCollector::set_desired(int32_t id, SimTime t, int64_t desired) {
  Workload& w = workloads_[static_cast<std::size_t>(id)];
  if (w.ended || w.desired == desired) return;
  advance(w, t);
  w.desired = desired;
  settle(w, t);
}

void AvailabilityCollector::end_window(int32_t id, SimTime t) {
  Workload& w = workloads_[static_cast<std::size_t>(id)];
  if (w.ended) return;
  advance(w, t);
  // The outage, if any, ends with the window; open failures stay open (the
  // deletion repaired nothing).
  close_downtime(w, t);
  w.ended = true;
}

void AvailabilityCollector::refresh(int32_t id, SimTime t) {
  const Workload& w = workloads_[static_cast<std::size_t>(id)];
  if (w.ended) return;
  const ObjectMeta& meta = w.kind == Kind::kDeployment   ? objects_->deployments[w.index].metadata
                           : w.kind == Kind::kReplicaSet ? objects_->replica_sets[w.index].metadata
                                                         : objects_->daemon_sets[w.index].metadata;
  if (meta.deleted) {
    end_window(id, t);
    return;
  }
  set_desired(id, t, desired_in_store(w));
}

// ---- Serving ----

void AvailabilityCollector::close_episode(Workload& w, uint32_t pod, SimTime t) {
  PodState& s = pods_[pod];
  s.episode_open = false;
  --w.open_episodes;
  w.repair_us.push_back((t - s.episode_start).count_micros());
}

void AvailabilityCollector::back(int32_t failure, uint32_t pod, SimTime t) {
  PodState& s = pods_[pod];
  if (s.node_failure != failure) return;
  s.node_failure = kNone;
  NodeFailureState& f = node_failures_[static_cast<std::size_t>(failure)];
  if (!f.first_back) f.first_back = t;
  if (--f.remaining == 0) f.all_back = t;
}

void AvailabilityCollector::became_ready(const Pod& p, PodState& s, Workload& w, uint32_t node,
                                         SimTime t) {
  const uint32_t pod = p.id.value;
  s.ready = true;
  if (node != UINT32_MAX) {
    NodeState& n = node_state(node);
    s.node = node;
    s.pos_on_node = static_cast<uint32_t>(n.serving.size());
    n.serving.push_back(pod);
  }
  if (w.ended) return;
  advance(w, t);
  ++w.ready;
  if (!w.in_service) {
    // The window starts now: what came before was the initial rollout.
    w.in_service = true;
    w.in_service_since = t;
    w.window_us = w.any_us = w.full_us = 0;
    w.downtime.clear();
    w.downtime_us = 0;
    w.down = false;
  }
  // A failure is repaired by the failed pod itself, else by this pod standing
  // in for the oldest failed pod still waiting.
  if (s.episode_open) {
    close_episode(w, pod, t);
    ++w.in_place;
  } else {
    while (!w.episodes.empty()) {
      const Episode e = w.episodes.front();
      w.episodes.pop_front();
      const PodState& other = pods_[e.pod];
      if (!other.episode_open || other.episode_start != e.start) continue;  // stale
      close_episode(w, e.pod, t);
      ++w.replaced;
      break;
    }
  }
  // The same for the pods of a failed node.
  if (s.node_failure >= 0) {
    back(s.node_failure, pod, t);
  } else {
    while (!w.node_pending.empty()) {
      const NodePending e = w.node_pending.front();
      w.node_pending.pop_front();
      if (pods_[e.pod].node_failure != e.failure) continue;  // stale
      back(e.failure, e.pod, t);
      break;
    }
  }
  settle(w, t);
}

void AvailabilityCollector::stopped_serving(const Pod& p, PodState& s, Workload& w, bool failure,
                                            SimTime t) {
  const uint32_t pod = p.id.value;
  s.ready = false;
  if (s.node != UINT32_MAX) {
    NodeState& n = nodes_[s.node];
    const uint32_t moved = n.serving.back();
    n.serving[s.pos_on_node] = moved;
    pods_[moved].pos_on_node = s.pos_on_node;
    n.serving.pop_back();
    if (failure) {
      // Remembered for a node failure published after its pods' PodNotReady
      // at the same instant.
      if (n.stopped_at != t) n.stopped.clear();
      n.stopped_at = t;
      n.stopped.push_back(pod);
    }
    s.node = UINT32_MAX;
  }
  if (w.ended) return;
  advance(w, t);
  --w.ready;
  if (failure) {
    ++w.failures;
    if (w.ready >= w.desired) {
      ++w.absorbed;  // the desired number still serve: nothing to repair
    } else if (!s.episode_open) {
      s.episode_open = true;
      s.episode_start = t;
      w.episodes.push_back({pod, t});
      ++w.open_episodes;
    }
  }
  settle(w, t);
}

// ---- Handlers ----

void AvailabilityCollector::on_pod(const PodRecord& r) {
  const Pod& p = *r.pod;
  switch (r.event) {
    case PodEvent::kRestarted:
      ++restarts_;
      break;
    case PodEvent::kCrashed:
      ++crashes_;
      break;
    case PodEvent::kEvicted:
      ++evictions_;
      break;
    default:
      break;
  }
  if (pod_state(p).workload == kUnresolved) {
    const int32_t w = workload_of(p);  // may add a workload (and a pod state)
    pod_state(p).workload = w;
  }
  PodState& s = pod_state(p);
  if (s.workload < 0) return;
  const int32_t id = s.workload;
  refresh(id, r.t);
  Workload& w = workloads_[static_cast<std::size_t>(id)];
  switch (r.event) {
    case PodEvent::kRestarted:
      ++w.restarts;
      break;
    case PodEvent::kCrashed:
      ++w.crashes;
      break;
    case PodEvent::kEvicted:
      ++w.evictions;
      s.evicted = true;
      break;
    case PodEvent::kReady:
      if (!s.ready) {
        const uint32_t node = r.node != nullptr ? r.node->id.value
                              : p.node.valid()  ? p.node.value
                                                : UINT32_MAX;
        became_ready(p, s, w, node, r.t);
      }
      break;
    case PodEvent::kNotReady:
    case PodEvent::kSucceeded:
    case PodEvent::kFailed:
    case PodEvent::kDeleted:
      if (s.ready) {
        // Deleted on purpose (scale-down, rollout, drain, the workload's
        // deletion) or finished: not a failure. An eviction is one: the node
        // or its taints forced it.
        const bool finished = p.phase == PodPhase::kSucceeded || r.event == PodEvent::kSucceeded;
        const bool deleted = (p.status.terminating || r.event == PodEvent::kDeleted) && !s.evicted;
        stopped_serving(p, s, w, !finished && !deleted, r.t);
      }
      break;
    default:
      break;
  }
}

void AvailabilityCollector::on_node(const NodeRecord& r) {
  const uint32_t node = r.node->id.value;
  switch (r.event) {
    case NodeEvent::kCrashed:
    case NodeEvent::kPartitioned: {
      NodeState& n = node_state(node);
      if (n.down) return;  // already failed: one failure until it is back
      n.down = true;
      const auto id = static_cast<int32_t>(node_failures_.size());
      NodeFailureState f{node, r.event, r.t, {}, 0, std::nullopt, std::nullopt};
      auto add = [&](uint32_t pod) {
        PodState& s = pods_[pod];
        if (s.workload < 0 || s.node_failure >= 0) return;
        Workload& w = workloads_[static_cast<std::size_t>(s.workload)];
        if (w.ended) return;
        s.node_failure = id;
        f.pods.push_back(pod);
        w.node_pending.push_back({id, pod});
      };
      for (uint32_t pod : n.serving)
        add(pod);
      if (n.stopped_at == r.t) {
        for (uint32_t pod : n.stopped)
          if (!pods_[pod].ready) add(pod);
      }
      f.remaining = static_cast<int64_t>(f.pods.size());
      node_failures_.push_back(std::move(f));
      n.failure = id;
      return;
    }
    case NodeEvent::kRecovered:
    case NodeEvent::kHealed: {
      NodeState& n = node_state(node);
      if (!n.down) return;
      n.down = false;
      // Pods that kept serving through it (a partition's) are back with the node.
      if (n.failure >= 0) {
        for (uint32_t pod : node_failures_[static_cast<std::size_t>(n.failure)].pods)
          if (pods_[pod].ready) back(n.failure, pod, r.t);
      }
      return;
    }
    default:
      return;
  }
}

void AvailabilityCollector::on_workload(const WorkloadRecord& r) {
  Kind kind;
  if (r.kind == "Deployment") {
    kind = Kind::kDeployment;
  } else if (r.kind == "ReplicaSet") {
    kind = Kind::kReplicaSet;
  } else if (r.kind == "DaemonSet") {
    kind = Kind::kDaemonSet;
  } else {
    return;
  }
  const int32_t index = find_by_key(kind, r.meta->key());
  if (index < 0) return;
  if (kind == Kind::kReplicaSet) {
    const ObjectMeta& meta = objects_->replica_sets[static_cast<uint32_t>(index)].metadata;
    if (meta.owner.kind == "Deployment") {
      // A Deployment's ReplicaSet changed: the Deployment may have been scaled.
      const int32_t d = find_by_key(Kind::kDeployment, meta.namespace_ + "/" + meta.owner.name);
      if (d < 0) return;
      const int32_t id = slot(Kind::kDeployment, static_cast<uint32_t>(d));
      if (id >= 0) refresh(id, r.t);
      return;
    }
  }
  const int32_t id = slot(kind, static_cast<uint32_t>(index));
  if (id < 0) return;
  switch (r.event) {
    case WorkloadEvent::kCreated:
    case WorkloadEvent::kScaled:
      // `to` is the desired replica count of a Deployment or ReplicaSet.
      if (kind == Kind::kDaemonSet) {
        refresh(id, r.t);
      } else {
        set_desired(id, r.t, r.to);
      }
      return;
    case WorkloadEvent::kDeleted:
      end_window(id, r.t);
      return;
    default:
      refresh(id, r.t);
      return;
  }
}

void AvailabilityCollector::on_timeline(const TimelineRecord& r) {
  // A timeline action (scale, apply, delete) wrote to the store just before:
  // pick up new workloads and the desired counts of all. Rare records, so a
  // pass over the workloads is cheap.
  discover();
  for (std::size_t i = 0; i < workloads_.size(); ++i)
    refresh(static_cast<int32_t>(i), r.t);
}

// ---- Summary ----

AvailabilitySummary AvailabilityCollector::summary(SimTime now) const {
  AvailabilitySummary a;
  std::vector<int64_t> pooled;
  for (const Workload& w : workloads_) {
    WorkloadAvailability x;
    const ObjectMeta& meta = w.kind == Kind::kDeployment ? objects_->deployments[w.index].metadata
                             : w.kind == Kind::kReplicaSet
                                 ? objects_->replica_sets[w.index].metadata
                                 : objects_->daemon_sets[w.index].metadata;
    x.kind = w.kind == Kind::kDeployment   ? "Deployment"
             : w.kind == Kind::kReplicaSet ? "ReplicaSet"
                                           : "DaemonSet";
    x.name = meta.key();
    if (w.in_service) x.in_service_since = w.in_service_since;
    x.window_start = w.in_service ? w.in_service_since : w.created;
    x.deleted = w.ended;
    x.window_end = w.ended ? w.last : std::max(now, w.last);
    x.desired = w.desired;
    x.ready = w.ready;
    // The state since the last change holds until the end of the window.
    const int64_t tail = (x.window_end - w.last).count_micros();
    const int64_t window = w.window_us + tail;
    const int64_t any = w.any_us + (w.desired <= 0 || w.ready > 0 ? tail : 0);
    const int64_t full = w.full_us + (w.ready >= w.desired ? tail : 0);
    x.availability_any = fraction_of(any, window);
    x.availability_full = fraction_of(full, window);
    x.downtime = w.downtime;
    int64_t downtime_us = w.downtime_us;
    if (!w.ended && w.down && x.window_end > w.down_since) {
      x.downtime.push_back({w.down_since, x.window_end});  // still down
      downtime_us += (x.window_end - w.down_since).count_micros();
    }
    x.downtime_total = Duration::micros(downtime_us);
    x.repair = repair_stats(w.repair_us);
    x.repair.open = w.open_episodes;
    x.repair.in_place = w.in_place;
    x.repair.replaced = w.replaced;
    x.repair.covered = w.covered;
    x.repair.absorbed = w.absorbed;
    x.failures = w.failures;
    x.restarts = w.restarts;
    x.crashes = w.crashes;
    x.evictions = w.evictions;

    pooled.insert(pooled.end(), w.repair_us.begin(), w.repair_us.end());
    a.repair.open += x.repair.open;
    a.repair.in_place += x.repair.in_place;
    a.repair.replaced += x.repair.replaced;
    a.repair.covered += x.repair.covered;
    a.repair.absorbed += x.repair.absorbed;
    a.failures += x.failures;
    a.min_availability_any = std::min(a.min_availability_any, x.availability_any);
    a.min_availability_full = std::min(a.min_availability_full, x.availability_full);
    a.workloads.push_back(std::move(x));
  }
  std::sort(a.workloads.begin(), a.workloads.end(),
            [](const WorkloadAvailability& l, const WorkloadAvailability& r) {
              return l.name != r.name ? l.name < r.name : l.kind < r.kind;
            });
  const RepairStats counts = a.repair;
  a.repair = repair_stats(std::move(pooled));
  a.repair.open = counts.open;
  a.repair.in_place = counts.in_place;
  a.repair.replaced = counts.replaced;
  a.repair.covered = counts.covered;
  a.repair.absorbed = counts.absorbed;
  a.restarts = restarts_;
  a.crashes = crashes_;
  a.evictions = evictions_;

  NodeFailureStats& nf = a.node_failures;
  int64_t first_sum = 0, first_n = 0, all_sum = 0;
  Duration first_max, all_max;
  for (const NodeFailureState& f : node_failures_) {
    NodeFailure x;
    x.node = objects_->nodes[f.node].name;
    x.cause = f.cause;
    x.start = f.start;
    x.pods = static_cast<int64_t>(f.pods.size());
    if (f.first_back) x.first_back = *f.first_back - f.start;
    if (f.all_back) x.all_back = *f.all_back - f.start;
    ++nf.count;
    if (x.pods > 0) ++nf.with_pods;
    if (x.first_back) {
      first_sum += x.first_back->count_micros();
      ++first_n;
      first_max = std::max(first_max, *x.first_back);
    }
    if (x.all_back) {
      all_sum += x.all_back->count_micros();
      ++nf.all_back;
      all_max = std::max(all_max, *x.all_back);
    }
    nf.failures.push_back(std::move(x));
  }
  if (first_n > 0) {
    nf.first_back_mean = Duration::micros(first_sum / first_n);
    nf.first_back_max = first_max;
  }
  if (nf.all_back > 0) {
    nf.all_back_mean = Duration::micros(all_sum / nf.all_back);
    nf.all_back_max = all_max;
  }
  return a;
}

// ---- Output ----

namespace {

double seconds(Duration d) {
  return static_cast<double>(d.count_micros()) / 1e6;
}

double seconds(SimTime t) {
  return static_cast<double>(t.count_micros()) / 1e6;
}

nlohmann::ordered_json seconds_or_null(const std::optional<Duration>& d) {
  if (!d) return nullptr;
  return seconds(*d);
}

nlohmann::ordered_json repair_json(const RepairStats& r) {
  nlohmann::ordered_json j;
  j["count"] = r.count;
  j["mean"] = seconds_or_null(r.mean);
  j["p50"] = seconds_or_null(r.p50);
  j["max"] = seconds_or_null(r.max);
  j["open"] = r.open;
  j["in_place"] = r.in_place;
  j["replaced"] = r.replaced;
  j["covered"] = r.covered;
  j["absorbed"] = r.absorbed;
  return j;
}

std::string text(const std::optional<Duration>& d) {
  return d ? to_string(*d) : "-";
}

// "99.931%": availability differences live in the third decimal.
std::string percent3(double f) {
  return fmt::format("{:.3f}%", f * 100.0);
}

// kubectl's short kinds: "deploy/web", "rs/db", "ds/agent" (the namespace
// shown only when it is not "default").
std::string short_name(const WorkloadAvailability& w) {
  const char* kind = w.kind == "Deployment" ? "deploy" : w.kind == "ReplicaSet" ? "rs" : "ds";
  std::string_view name = w.name;
  if (name.starts_with("default/")) name.remove_prefix(8);
  return fmt::format("{}/{}", kind, name);
}

}  // namespace

std::string availability_table(const AvailabilitySummary& a) {
  if (!a.eventful()) return "";
  constexpr int kLabel = 24;
  std::string out;
  std::vector<const WorkloadAvailability*> rows;
  for (const WorkloadAvailability& w : a.workloads)
    if (w.eventful()) rows.push_back(&w);

  if (!rows.empty()) {
    int name_col = kLabel - 2;
    for (const WorkloadAvailability* w : rows)
      name_col = std::max(name_col, static_cast<int>(short_name(*w).size()) + 2);
    struct Cells {
      std::string any, full, downtime, failures, mean, max, restarts;
    };
    std::vector<Cells> cells;
    Cells head{"serving", "full", "downtime", "failures", "MTTR mean", "max", "restarts"};
    std::size_t widths[7] = {};
    auto measure = [&](const Cells& c) {
      const std::string* v[7] = {&c.any,  &c.full, &c.downtime, &c.failures,
                                 &c.mean, &c.max,  &c.restarts};
      for (int i = 0; i < 7; ++i)
        widths[i] = std::max(widths[i], v[i]->size() + 2);
    };
    measure(head);
    for (const WorkloadAvailability* w : rows) {
      Cells c;
      c.any = percent3(w->availability_any);
      c.full = percent3(w->availability_full);
      c.downtime = w->downtime.empty()
                       ? "-"
                       : fmt::format("{} ({})", w->downtime.size(), to_string(w->downtime_total));
      c.failures = std::to_string(w->failures);
      if (w->repair.open > 0) c.failures += fmt::format(" ({} open)", w->repair.open);
      c.mean = text(w->repair.mean);
      c.max = text(w->repair.max);
      c.restarts = std::to_string(w->restarts);
      measure(c);
      cells.push_back(std::move(c));
    }
    auto line = [&](std::string_view label, const Cells& c) {
      out += fmt::format("  {:<{}}{:<{}}{:<{}}{:<{}}{:<{}}{:<{}}{:<{}}{}\n", label, name_col + 2,
                         c.any, widths[0], c.full, widths[1], c.downtime, widths[2], c.failures,
                         widths[3], c.mean, widths[4], c.max, widths[5], c.restarts);
    };
    line("availability", head);
    for (std::size_t i = 0; i < rows.size(); ++i)
      line("  " + short_name(*rows[i]), cells[i]);
  }
  const std::size_t others = a.workloads.size() - rows.size();
  if (others > 0) {
    if (rows.empty()) {
      out += fmt::format("  {:<{}}{} workload{}: no failure, restart or downtime\n", "availability",
                         kLabel, others, others == 1 ? "" : "s");
    } else {
      out += fmt::format("    {} other workload{}: no failure, restart or downtime\n", others,
                         others == 1 ? "" : "s");
    }
  }
  const NodeFailureStats& nf = a.node_failures;
  if (nf.count > 0) {
    int64_t crashed = 0;
    for (const NodeFailure& f : nf.failures)
      if (f.cause == NodeEvent::kCrashed) ++crashed;
    out +=
        fmt::format("  {:<{}}{} ({} crashed, {} partitioned), {} with serving pods\n",
                    "node failures", kLabel, nf.count, crashed, nf.count - crashed, nf.with_pods);
    if (nf.with_pods > 0) {
      out += fmt::format("  {:<{}}first pod back: mean {}, max {}\n", "", kLabel,
                         text(nf.first_back_mean), text(nf.first_back_max));
      out += fmt::format("  {:<{}}every pod back: mean {}, max {} ({} of {})\n", "", kLabel,
                         text(nf.all_back_mean), text(nf.all_back_max), nf.all_back, nf.with_pods);
    }
  }
  out +=
      "  serving: time with a ready replica; full: with the desired number ready; "
      "MTTR: failure -> ready again or replaced\n";
  return out;
}

nlohmann::ordered_json availability_json(const AvailabilitySummary& a) {
  nlohmann::ordered_json j;
  nlohmann::ordered_json workloads = nlohmann::ordered_json::array();
  for (const WorkloadAvailability& w : a.workloads) {
    nlohmann::ordered_json x;
    x["kind"] = w.kind;
    x["name"] = w.name;
    x["in_service_since"] =
        w.in_service_since ? nlohmann::ordered_json(seconds(*w.in_service_since)) : nullptr;
    x["window_seconds"] = seconds(w.window_end - w.window_start);
    x["deleted"] = w.deleted;
    x["desired"] = w.desired;
    x["ready"] = w.ready;
    x["availability_any"] = w.availability_any;
    x["availability_full"] = w.availability_full;
    nlohmann::ordered_json intervals = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < w.downtime.size() && i < kListed; ++i)
      intervals.push_back({seconds(w.downtime[i].start), seconds(w.downtime[i].end)});
    x["downtime"] = {{"count", static_cast<int64_t>(w.downtime.size())},
                     {"total_seconds", seconds(w.downtime_total)},
                     {"intervals", std::move(intervals)}};
    x["mttr_seconds"] = repair_json(w.repair);
    x["failures"] = w.failures;
    x["restarts"] = w.restarts;
    x["crashes"] = w.crashes;
    x["evictions"] = w.evictions;
    workloads.push_back(std::move(x));
  }
  j["workloads"] = std::move(workloads);
  j["min_availability_any"] = a.min_availability_any;
  j["min_availability_full"] = a.min_availability_full;
  j["failures"] = a.failures;
  j["mttr_seconds"] = repair_json(a.repair);
  j["restarts"] = a.restarts;
  j["crashes"] = a.crashes;
  j["evictions"] = a.evictions;

  const NodeFailureStats& nf = a.node_failures;
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < nf.failures.size() && i < kListed; ++i) {
    const NodeFailure& f = nf.failures[i];
    nlohmann::ordered_json x;
    x["node"] = f.node;
    x["cause"] = to_string(f.cause);
    x["t"] = seconds(f.start);
    x["pods"] = f.pods;
    x["first_back_seconds"] = seconds_or_null(f.first_back);
    x["all_back_seconds"] = seconds_or_null(f.all_back);
    list.push_back(std::move(x));
  }
  nlohmann::ordered_json n;
  n["count"] = nf.count;
  n["with_pods"] = nf.with_pods;
  n["all_back"] = nf.all_back;
  n["first_back_seconds"] = {{"mean", seconds_or_null(nf.first_back_mean)},
                             {"max", seconds_or_null(nf.first_back_max)}};
  n["all_back_seconds"] = {{"mean", seconds_or_null(nf.all_back_mean)},
                           {"max", seconds_or_null(nf.all_back_max)}};
  n["failures"] = std::move(list);
  j["node_failures"] = std::move(n);
  return j;
}

}  // namespace kubesim
