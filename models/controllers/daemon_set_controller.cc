#include "models/controllers/daemon_set_controller.h"

#include <algorithm>
#include <string>
#include <utility>

#include "models/controllers/replica_set_controller.h"

namespace kubesim {
namespace {

constexpr std::string_view kKind = "DaemonSet";
constexpr uint32_t kNoNode = UINT32_MAX;

// k8s.io/api/core/v1 well-known taint keys.
constexpr const char* kTaintNotReady = "node.kubernetes.io/not-ready";
constexpr const char* kTaintUnreachable = "node.kubernetes.io/unreachable";
constexpr const char* kTaintDiskPressure = "node.kubernetes.io/disk-pressure";
constexpr const char* kTaintMemoryPressure = "node.kubernetes.io/memory-pressure";
constexpr const char* kTaintPidPressure = "node.kubernetes.io/pid-pressure";
constexpr const char* kTaintUnschedulable = "node.kubernetes.io/unschedulable";

// pkg/apis/core/v1/helper AddOrUpdateTolerationInPodSpec: a toleration with
// the same key, operator, value and effect (MatchToleration) is replaced.
void add_or_update_toleration(PodSpec& spec, Toleration t) {
  for (Toleration& have : spec.tolerations) {
    if (have.key == t.key && have.op == t.op && have.value == t.value && have.effect == t.effect) {
      have = std::move(t);
      return;
    }
  }
  spec.tolerations.push_back(std::move(t));
}

Toleration exists_toleration(const char* key, TaintEffect effect) {
  Toleration t;
  t.key = key;
  t.op = TolerationOp::kExists;
  t.effect = effect;
  return t;
}

bool untolerated(const std::vector<Taint>& taints, const std::vector<Toleration>& tolerations,
                 bool no_execute_only) {
  // v1helper.FindMatchingUntoleratedTaint with an effect filter.
  for (const Taint& taint : taints) {
    const bool considered = no_execute_only ? taint.effect == TaintEffect::kNoExecute
                                            : taint.effect != TaintEffect::kPreferNoSchedule;
    if (considered && !tolerates_any(tolerations, taint)) return true;
  }
  return false;
}

// daemon_controller.go podByCreationTimestampAndPhase: scheduled first, then
// older first, then by name.
bool daemon_pod_older(const Pod& a, const Pod& b) {
  if (a.node.valid() != b.node.valid()) return a.node.valid();
  if (a.status.created != b.status.created) return a.status.created < b.status.created;
  if (a.name != b.name) return a.name < b.name;
  return a.id < b.id;
}

uint64_t backoff_key(uint32_t ds, uint32_t node) {
  return (static_cast<uint64_t>(ds) << 32) | node;
}

}  // namespace

PodSpec daemon_pod_spec(const PodSpec& template_spec) {
  // pkg/controller/daemon/util/daemonset_util.go AddOrUpdateDaemonPodTolerations:
  // DaemonSet pods survive node problems (not-ready and unreachable,
  // NoExecute) and tolerate the TaintNodesByCondition taints (NoSchedule).
  // (network-unavailable is added only for hostNetwork pods, which kubesim
  // does not model.)
  PodSpec spec = template_spec;
  add_or_update_toleration(spec, exists_toleration(kTaintNotReady, TaintEffect::kNoExecute));
  add_or_update_toleration(spec, exists_toleration(kTaintUnreachable, TaintEffect::kNoExecute));
  add_or_update_toleration(spec, exists_toleration(kTaintDiskPressure, TaintEffect::kNoSchedule));
  add_or_update_toleration(spec, exists_toleration(kTaintMemoryPressure, TaintEffect::kNoSchedule));
  add_or_update_toleration(spec, exists_toleration(kTaintPidPressure, TaintEffect::kNoSchedule));
  add_or_update_toleration(spec, exists_toleration(kTaintUnschedulable, TaintEffect::kNoSchedule));
  return spec;
}

DaemonPlacement node_should_run_daemon_pod(const Node& node, const PodSpec& spec) {
  // daemon_controller.go NodeShouldRunDaemonPod and predicates().
  if (!spec.node_name.empty() && spec.node_name != node.name) return {};
  // nodeaffinity.GetRequiredNodeAffinity(pod).Match(node): the nodeSelector
  // and the required terms.
  for (const auto& [k, v] : spec.node_selector) {
    auto it = node.labels.find(k);
    if (it == node.labels.end() || it->second != v) return {};
  }
  if (spec.node_affinity.has_required &&
      !matches_any(spec.node_affinity.required, node.labels, node.name))
    return {};
  if (untolerated(node.taints, spec.tolerations, /*no_execute_only=*/false)) {
    // "Scheduled daemon pods should continue running if they tolerate
    // NoExecute taint."
    return {false, !untolerated(node.taints, spec.tolerations, /*no_execute_only=*/true)};
  }
  return {true, true};
}

DaemonSetController::DaemonSetController(ApiServer& api)
    : api_(api), queue_(api.context(), [this](uint32_t i) { sync(i); }) {
  api_.watch(Kind::kDaemonSet, [this](const WatchEvent& e) { on_daemon_set(e); });
  api_.watch(Kind::kPod, [this](const WatchEvent& e) { on_pod(e); });
  api_.watch(Kind::kNode, [this](const WatchEvent& e) { on_node(e); });
}

void DaemonSetController::set_leader(bool has_leader) {
  if (leading_ == has_leader) return;
  leading_ = has_leader;
  queue_.set_leader(has_leader);
  if (!has_leader) return;
  pods_ = PodsByOwner("DaemonSet");
  states_.clear();
  nodes_seen_.clear();
  slot_of_.clear();
  backoff_.clear();
  start();
}

void DaemonSetController::start() {
  const ClusterObjects& objects = api_.objects();
  for (const Node& n : objects.nodes) {
    if (n.id.value >= nodes_seen_.size()) nodes_seen_.resize(n.id.value + 1);
    nodes_seen_[n.id.value] = NodeView{n.labels, n.taints, n.deleted};
  }
  for (const Pod& p : objects.pods) {
    if (p.owner.kind != kKind || p.owner.index == UINT32_MAX) continue;
    pods_.add(p);
    place(p.owner.index, p);
  }
  for (uint32_t i = 0; i < objects.daemon_sets.size(); ++i)
    queue_.add(i);
}

DaemonSetController::State& DaemonSetController::state(uint32_t ds) {
  if (ds >= states_.size()) states_.resize(ds + 1);
  return states_[ds];
}

void DaemonSetController::mark_dirty(State& s, uint32_t node) {
  if (node == kNoNode) return;
  if (node >= s.dirty_flag.size()) s.dirty_flag.resize(node + 1, 0);
  if (s.dirty_flag[node]) return;
  s.dirty_flag[node] = 1;
  s.dirty.push_back(node);
}

void DaemonSetController::on_daemon_set(const WatchEvent& e) {
  // add/update/deleteDaemonset enqueue it; a spec change (a new generation)
  // makes the sync re-examine every node.
  if (leading_) queue_.add(e.index);
}

void DaemonSetController::on_pod(const WatchEvent& e) {
  const Pod& p = api_.objects().pods[e.index];
  if (!leading_ || p.owner.kind != kKind || p.owner.index == UINT32_MAX) return;
  pods_.add(p);
  place(p.owner.index, p);
  queue_.add(p.owner.index);
}

void DaemonSetController::on_node(const WatchEvent& e) {
  // addNode/updateNode; a deleted node's pods are found when the node is
  // re-examined. An update matters only if it changes what
  // NodeShouldRunDaemonPod reads (shouldIgnoreNodeUpdate): labels and taints.
  if (!leading_) return;
  const Node& n = api_.objects().nodes[e.index];
  if (e.index >= nodes_seen_.size()) nodes_seen_.resize(e.index + 1);
  NodeView& seen = nodes_seen_[e.index];
  const bool changed = e.type != WatchType::kModified || seen.labels != n.labels ||
                       seen.taints != n.taints || seen.deleted != n.deleted;
  seen = NodeView{n.labels, n.taints, n.deleted};
  if (!changed) return;
  const auto& store = api_.objects().daemon_sets;
  for (uint32_t i = 0; i < store.size(); ++i) {
    if (store[i].metadata.deleted) continue;
    mark_dirty(state(i), e.index);
    queue_.add(i);
  }
}

uint32_t DaemonSetController::target_node(const Pod& p) const {
  if (p.node.valid()) return p.node.value;
  auto it = slot_of_.find(p.id.value);
  if (it != slot_of_.end()) return it->second;
  // util.GetTargetNodeName: the metadata.name the pod's affinity asks for.
  for (const NodeSelectorTerm& t : p.spec.node_affinity.required) {
    for (const SelectorRequirement& r : t.match_fields) {
      if (r.key == "metadata.name" && r.op == SelectorOp::kIn && r.values.size() == 1) {
        if (const Node* n = api_.objects().find_node(r.values[0])) return n->id.value;
      }
    }
  }
  return kNoNode;
}

void DaemonSetController::place(uint32_t ds, const Pod& p) {
  State& s = state(ds);
  const uint32_t id = p.id.value;
  const uint32_t target = target_node(p);
  auto it = slot_of_.find(id);
  if (it != slot_of_.end()) {
    if (it->second == target) {
      mark_dirty(s, target);
      return;
    }
    // Filed under another node before it was bound: move it.
    std::vector<PodId>& old = it->second == kNoNode ? s.no_node : s.nodes[it->second].pods;
    std::erase(old, p.id);
    mark_dirty(s, it->second);
  }
  if (target == kNoNode) {
    s.no_node.push_back(p.id);
  } else {
    if (target >= s.nodes.size()) s.nodes.resize(target + 1);
    s.nodes[target].pods.push_back(p.id);
    mark_dirty(s, target);
  }
  slot_of_[id] = target;
}

void DaemonSetController::sync(uint32_t index) {
  auto& store = api_.store<DaemonSet>();
  if (index >= store.size()) return;
  const ClusterObjects& objects = api_.objects();
  const DaemonSet& ds = store[index];
  if (ds.metadata.deleted) {
    // Garbage collector: the dependents go with their owner.
    pods_.drop_deleted(index, objects);
    const std::vector<PodId> ids = pods_.of(index);
    for (PodId id : ids)
      api_.delete_pod(id);
    return;
  }
  State& s = state(index);
  if (s.generation != ds.metadata.generation) {
    s.generation = ds.metadata.generation;
    s.spec = daemon_pod_spec(ds.template_.spec);
    s.all_dirty = true;
  }
  const SimTime now = api_.now();
  const size_t node_count = objects.nodes.size();
  if (s.nodes.size() < node_count) s.nodes.resize(node_count);

  // The nodes to re-examine, ascending.
  std::vector<uint32_t> examine;
  if (s.all_dirty) {
    s.all_dirty = false;
    examine.resize(node_count);
    for (uint32_t n = 0; n < node_count; ++n)
      examine[n] = n;
    for (uint32_t n : s.dirty)
      s.dirty_flag[n] = 0;
    s.dirty.clear();
  } else {
    examine.swap(s.dirty);
    for (uint32_t n : examine)
      s.dirty_flag[n] = 0;
    std::sort(examine.begin(), examine.end());
  }
  // getNodesToDaemonPods: the pods still in the store, oldest first.
  auto prune = [&](NodeSlot& slot) {
    std::erase_if(slot.pods, [&](PodId id) {
      if (!objects.pods[id.value].status.deleted) return false;
      slot_of_.erase(id.value);
      return true;
    });
    std::sort(slot.pods.begin(), slot.pods.end(), [&](PodId a, PodId b) {
      return daemon_pod_older(objects.pods[a.value], objects.pods[b.value]);
    });
  };

  // manage -> podsShouldBeOnNode for every node examined.
  std::vector<uint32_t> nodes_needing_pods;
  std::vector<uint32_t> retry;  // nodes to look at again later (back-off)
  std::vector<PodId> to_delete;
  std::vector<PodId> to_remove;  // bound to a node that is gone
  for (uint32_t n : examine) {
    NodeSlot& slot = s.nodes[n];
    prune(slot);
    const Node& node = objects.nodes[n];
    if (node.deleted) {
      // Pods bound to a node that no longer exists are force-deleted by the
      // pod garbage collector (pkg/controller/podgc/gc_controller.go
      // gcOrphaned); unscheduled ones by the DaemonSet controller
      // (getUnscheduledPodsWithoutNode).
      for (PodId id : slot.pods)
        (objects.pods[id.value].node.valid() ? to_remove : to_delete).push_back(id);
      continue;
    }
    const DaemonPlacement place_on = node_should_run_daemon_pod(node, s.spec);
    const bool exists = !slot.pods.empty();
    if (place_on.should_run && !exists) {
      nodes_needing_pods.push_back(n);
    } else if (place_on.should_continue_running) {
      std::vector<PodId> running;
      for (PodId id : slot.pods) {
        const Pod& p = objects.pods[id.value];
        if (p.status.terminating) continue;
        if (p.phase == PodPhase::kFailed) {
          // "This is a critical place where DS is often fighting with
          // kubelet that rejects pods. We need to avoid hot looping and
          // backoff." (client-go flowcontrol.Backoff)
          auto it = backoff_.find(backoff_key(index, n));
          const bool expired =
              it == backoff_.end() || now - it->second.last_update > kFailedPodBackoffMax * 2;
          if (!expired && now - it->second.last_update < it->second.delay) {
            queue_.add_after(index, it->second.delay);
            retry.push_back(n);
            continue;
          }
          if (expired) {
            backoff_[backoff_key(index, n)] = Backoff{kFailedPodBackoffInitial, now};
          } else {
            it->second.delay = std::min(it->second.delay * 2, kFailedPodBackoffMax);
            it->second.last_update = now;
          }
          to_delete.push_back(id);
        } else if (p.phase == PodPhase::kSucceeded) {
          to_delete.push_back(id);
        } else {
          running.push_back(id);
        }
      }
      // Without surge, more than one running pod on a node: keep the oldest.
      for (size_t i = 1; i < running.size(); ++i)
        to_delete.push_back(running[i]);
    } else if (exists) {
      // The node no longer qualifies: delete its daemon pods.
      for (PodId id : slot.pods)
        if (!objects.pods[id.value].status.terminating) to_delete.push_back(id);
    }
  }
  // Pods whose target node does not exist at all.
  std::erase_if(s.no_node, [&](PodId id) {
    if (objects.pods[id.value].status.deleted) {
      slot_of_.erase(id.value);
      return true;
    }
    to_delete.push_back(id);
    return false;
  });

  // syncNodes: create (at most burstReplicas) and delete.
  const std::string generate_name = ds.metadata.name + "-";
  const size_t creations = std::min<size_t>(nodes_needing_pods.size(), kBurstReplicas);
  for (size_t i = 0; i < creations; ++i) {
    const Node& node = objects.nodes[nodes_needing_pods[i]];
    Pod pod = pod_from_template(ds.template_, ds.metadata, kKind, index);
    pod.spec = s.spec;
    // util.ReplaceDaemonSetPodNodeNameNodeAffinity: the required terms become
    // one term, matchFields metadata.name In [node]; the default scheduler
    // does the binding.
    SelectorRequirement req;
    req.key = "metadata.name";
    req.op = SelectorOp::kIn;
    req.values = {node.name};
    NodeSelectorTerm term;
    term.match_fields.push_back(std::move(req));
    pod.spec.node_affinity.required = {std::move(term)};
    pod.spec.node_affinity.has_required = true;
    const PodId id = api_.create_pod(std::move(pod), generate_name);
    pods_.add(objects.pods[id.value]);
    slot_of_[id.value] = node.id.value;
    s.nodes[node.id.value].pods.push_back(id);
  }
  for (size_t i = creations; i < nodes_needing_pods.size(); ++i)
    retry.push_back(nodes_needing_pods[i]);  // the rest in the next sync
  if (creations < nodes_needing_pods.size()) queue_.add(index);
  for (PodId id : to_delete)
    api_.delete_pod(id);
  for (PodId id : to_remove)
    api_.remove_pod(id);

  // updateDaemonSetStatus, from the store after this sync's writes: each
  // examined node's part of desiredNumberScheduled, currentNumberScheduled
  // and numberReady (judged by the oldest pod on the node).
  for (uint32_t n : examine) {
    NodeSlot& slot = s.nodes[n];
    prune(slot);
    const Node& node = objects.nodes[n];
    const bool desired = !node.deleted && node_should_run_daemon_pod(node, s.spec).should_run;
    const bool current = desired && !slot.pods.empty();
    const bool ready = current && objects.pods[slot.pods.front().value].status.ready;
    s.desired += static_cast<int32_t>(desired) - static_cast<int32_t>(slot.desired);
    s.current += static_cast<int32_t>(current) - static_cast<int32_t>(slot.current);
    s.ready += static_cast<int32_t>(ready) - static_cast<int32_t>(slot.ready);
    slot.desired = desired;
    slot.current = current;
    slot.ready = ready;
  }
  for (uint32_t n : retry)
    mark_dirty(s, n);

  DaemonSet::Status st;
  st.desired_number_scheduled = s.desired;
  st.current_number_scheduled = s.current;
  st.number_ready = s.ready;
  const DaemonSet::Status& old = ds.status;
  if (old.desired_number_scheduled != st.desired_number_scheduled ||
      old.current_number_scheduled != st.current_number_scheduled ||
      old.number_ready != st.number_ready) {
    api_.update<DaemonSet>(index, 0, [&](DaemonSet& d) { d.status = st; });
  }
}

}  // namespace kubesim
