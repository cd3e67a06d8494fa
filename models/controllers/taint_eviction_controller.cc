#include "models/controllers/taint_eviction_controller.h"

#include <limits>

namespace kubesim {
namespace {

constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();

bool same_taints(const std::vector<Taint>& a, const std::vector<Taint>& b) {
  // helper.Semantic.DeepEqual: timeAdded included.
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!(a[i] == b[i]) || a[i].time_added != b[i].time_added) return false;
  return true;
}

std::string taint_text(const Taint& t) {
  return t.key + ":" + to_string(t.effect);
}

}  // namespace

std::vector<Taint> no_execute_taints(const std::vector<Taint>& taints) {
  std::vector<Taint> out;
  for (const Taint& t : taints)
    if (t.effect == TaintEffect::kNoExecute) out.push_back(t);
  return out;
}

void PodsByNode::add(const Pod& p) {
  const uint32_t id = p.id.value;
  if (id >= node_of_.size()) node_of_.resize(id + 1, kNone);
  if (!p.node.valid() || p.status.deleted || node_of_[id] == p.node.value) return;
  node_of_[id] = p.node.value;
  if (p.node.value >= by_node_.size()) by_node_.resize(p.node.value + 1);
  by_node_[p.node.value].push_back(p.id);
}

const std::vector<PodId>& PodsByNode::of(uint32_t node) const {
  return node < by_node_.size() ? by_node_[node] : empty_;
}

void PodsByNode::compact(uint32_t node, const ClusterObjects& objects) {
  if (node >= by_node_.size()) return;
  std::erase_if(by_node_[node], [&](PodId id) {
    const Pod& p = objects.pods[id.value];
    if (!p.status.deleted && p.node.value == node) return false;
    if (node_of_[id.value] == node) node_of_[id.value] = kNone;
    return true;
  });
}

TaintEvictionController::TaintEvictionController(ApiServer& api) : api_(api) {
  api_.watch(Kind::kNode, [this](const WatchEvent& e) { on_node(e); });
  api_.watch(Kind::kPod, [this](const WatchEvent& e) { on_pod(e); });
}

void TaintEvictionController::start() {
  set_leader(true);
}

TaintEvictionController::Work& TaintEvictionController::work(uint32_t pod) {
  if (pod >= work_.size()) work_.resize(pod + 1);
  return work_[pod];
}

SimTime TaintEvictionController::eviction_at(PodId pod) const {
  if (pod.value >= work_.size() || !work_[pod.value].pending) return SimTime::max();
  return work_[pod.value].fire_at;
}

void TaintEvictionController::set_leader(bool has_leader) {
  if (has_leader == leader_) return;
  leader_ = has_leader;
  // Either way the controller's memory goes: a new leader starts from its
  // informers' lists (TimedWorkerQueue.CancelAndWait on shutdown).
  for (uint32_t i = 0; i < work_.size(); ++i)
    if (work_[i].pending) cancel(i);
  seen_.clear();
  tainted_.clear();
  pod_node_.clear();
  if (!leader_) return;
  const ClusterObjects& objects = api_.objects();
  for (const Pod& p : objects.pods)
    pods_.add(p);
  // Run(): the node update queue is drained before pod updates (worker()).
  for (uint32_t i = 0; i < objects.nodes.size(); ++i)
    if (!objects.nodes[i].deleted) handle_node_update(i);
  for (uint32_t i = 0; i < objects.pods.size(); ++i) {
    const Pod& p = objects.pods[i];
    if (p.status.deleted) continue;
    if (i >= pod_node_.size()) pod_node_.resize(i + 1, kNone);
    pod_node_[i] = p.node.valid() ? p.node.value : kNone;
    handle_pod_update(i);
  }
}

void TaintEvictionController::on_node(const WatchEvent& e) {
  if (!leader_) return;
  // NodeUpdated: only a change of the NoExecute taints matters.
  const Node& n = api_.objects().nodes[e.index];
  if (e.index >= seen_.size()) {
    seen_.resize(e.index + 1);
    tainted_.resize(e.index + 1, 0);
  }
  if (e.type == WatchType::kModified && !n.deleted &&
      same_taints(seen_[e.index], no_execute_taints(n.taints)))
    return;
  handle_node_update(e.index);
}

void TaintEvictionController::on_pod(const WatchEvent& e) {
  const Pod& p = api_.objects().pods[e.index];
  pods_.add(p);
  if (!leader_) return;
  // PodUpdated: a new pod, a deleted one, or a change of node (tolerations
  // do not change in kubesim).
  if (e.index >= pod_node_.size()) pod_node_.resize(e.index + 1, kNone);
  const uint32_t node = p.node.valid() ? p.node.value : kNone;
  if (e.type == WatchType::kModified && !p.status.deleted && pod_node_[e.index] == node) return;
  pod_node_[e.index] = node;
  handle_pod_update(e.index);
}

void TaintEvictionController::handle_node_update(uint32_t node) {
  const ClusterObjects& objects = api_.objects();
  if (node >= seen_.size()) {
    seen_.resize(node + 1);
    tainted_.resize(node + 1, 0);
  }
  const Node& n = objects.nodes[node];
  if (n.deleted) {
    seen_[node].clear();
    tainted_[node] = 0;
    return;
  }
  std::vector<Taint> taints = no_execute_taints(n.taints);
  seen_[node] = taints;
  tainted_[node] = taints.empty() ? 0 : 1;
  pods_.compact(node, objects);
  const std::vector<PodId> pods = pods_.of(node);
  if (taints.empty()) {
    for (PodId id : pods)
      cancel(id.value);
    return;
  }
  const SimTime now = api_.now();
  for (PodId id : pods)
    process_pod_on_node(id.value, taints, now);
}

void TaintEvictionController::handle_pod_update(uint32_t pod) {
  const Pod& p = api_.objects().pods[pod];
  if (p.status.deleted) {
    cancel(pod);
    return;
  }
  if (!p.node.valid()) return;
  const uint32_t node = p.node.value;
  if (node >= tainted_.size() || !tainted_[node]) return;
  process_pod_on_node(pod, seen_[node], api_.now());
}

void TaintEvictionController::process_pod_on_node(uint32_t pod, const std::vector<Taint>& taints,
                                                  SimTime now) {
  const Pod& p = api_.objects().pods[pod];
  if (taints.empty()) {
    cancel(pod);
    return;
  }
  // v1helper.GetMatchingTolerations: the first toleration matching each taint.
  const std::vector<Toleration>& tolerations = p.spec.tolerations;
  std::vector<std::pair<const Toleration*, const Taint*>> used;
  for (const Taint& taint : taints) {
    const Toleration* match = nullptr;
    for (const Toleration& t : tolerations) {
      if (tolerates(t, taint)) {
        match = &t;
        break;
      }
    }
    if (match == nullptr) {
      // Not all taints tolerated: delete at once.
      cancel(pod);
      evict(pod, taint_text(taint));
      return;
    }
    used.emplace_back(match, &taint);
  }
  // getMinTolerationTime: -1 (forever) if no used toleration has seconds;
  // 0 if one has seconds <= 0.
  int64_t min_seconds = std::numeric_limits<int64_t>::max();
  const Taint* by = nullptr;
  for (const auto& [t, taint] : used) {
    if (!t->toleration_seconds) continue;
    const int64_t s = std::max<int64_t>(*t->toleration_seconds, 0);
    if (s < min_seconds) {
      min_seconds = s;
      by = taint;
    }
  }
  if (by == nullptr) {
    cancel(pod);
    return;
  }
  const Duration min_toleration = Duration::seconds(min_seconds);
  SimTime start = now;
  const SimTime trigger = now + min_toleration;
  Work& w = work(pod);
  if (w.pending) {
    start = w.created;
    if (start + min_toleration < trigger) return;  // an earlier eviction stays
    cancel(pod);
  }
  add_work(pod, start, trigger, taint_text(*by));
}

void TaintEvictionController::add_work(uint32_t pod, SimTime created, SimTime fire_at,
                                       std::string taint) {
  // TimedWorkerQueue.AddWork: a worker whose delay is <= 0 runs at once.
  if (fire_at <= created) {
    evict(pod, taint);
    return;
  }
  Work& w = work(pod);
  w.pending = true;
  w.created = created;
  w.fire_at = api_.now() + (fire_at - created);
  w.taint = std::move(taint);
  w.timer = api_.context().schedule_at(w.fire_at, [this, pod] {
    Work& x = work_[pod];
    x.pending = false;
    x.timer = EventToken{};
    const std::string taint = std::move(x.taint);
    evict(pod, taint);
  });
}

void TaintEvictionController::cancel(uint32_t pod) {
  if (pod >= work_.size() || !work_[pod].pending) return;
  Work& w = work_[pod];
  api_.context().cancel(w.timer);
  w = Work{};
}

void TaintEvictionController::evict(uint32_t pod, const std::string& taint) {
  // deletePodHandler -> addConditionAndDeletePod (the DisruptionTarget
  // condition is not modelled).
  const Pod& p = api_.objects().pods[pod];
  if (p.status.deleted || p.status.terminating || !p.active()) return;
  const Node* node = p.node.valid() ? &api_.objects().nodes[p.node.value] : nullptr;
  api_.context().bus().topic<PodRecord>().publish(
      {api_.now(), PodEvent::kEvicted, &p, node, taint});
  api_.delete_pod(PodId{pod});
}

}  // namespace kubesim
