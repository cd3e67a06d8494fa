#include "models/kubelet/node_lease.h"

namespace kubesim {

NodeLeases::NodeLeases(ApiServer& api, const RuntimeConfig& config)
    : api_(api), interval_(config.node_lease_renew_interval), naive_(config.naive_timers) {
  api_.watch(Kind::kNode, [this](const WatchEvent& e) { on_node(e); });
}

NodeLeases::Kubelet& NodeLeases::kubelet(NodeId node) {
  if (node.value >= kubelets_.size()) kubelets_.resize(node.value + 1);
  return kubelets_[node.value];
}

void NodeLeases::start() {
  const auto& nodes = api_.objects().nodes;
  for (uint32_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].deleted || kubelet(NodeId{i}).started) continue;
    begin(NodeId{i});
  }
}

void NodeLeases::begin(NodeId node) {
  Kubelet& k = kubelet(node);
  k.started = true;
  k.live = true;
  k.phase = api_.now();
  if (k.timer.valid()) api_.context().cancel(k.timer);
  k.timer = EventToken{};
  if (naive_) {
    renew(node.value);
    return;
  }
  api_.renew_lease(node, interval_);
}

SimTime NodeLeases::next_tick(const Kubelet& k, SimTime t) const {
  if (t <= k.phase) return k.phase;
  const int64_t n = ((t - k.phase) + interval_ - Duration::micros(1)) / interval_;
  return k.phase + interval_ * n;
}

bool NodeLeases::sees_not_ready(const Node& n) const {
  // The kubelet's node informer holds writes made a watch latency ago.
  return n.ready != NodeReadyStatus::kTrue &&
         n.ready_transition + api_.config().watch_latency <= api_.now();
}

void NodeLeases::renew(uint32_t node) {
  Kubelet& k = kubelets_[node];
  k.timer = EventToken{};
  const Node& n = api_.objects().nodes[node];
  if (!k.live || n.deleted) return;
  api_.renew_lease(NodeId{node});
  if (sees_not_ready(n)) api_.set_node_ready(NodeId{node}, NodeReadyStatus::kTrue, "KubeletReady");
  k.timer = api_.context().schedule(interval_, [this, node] { renew(node); });
}

void NodeLeases::stop(NodeId node) {
  Kubelet& k = kubelet(node);
  if (!k.live) return;
  k.live = false;
  if (k.timer.valid()) api_.context().cancel(k.timer);
  k.timer = EventToken{};
  api_.stop_lease_renewals(node);
}

void NodeLeases::resume(NodeId node) {
  Kubelet& k = kubelet(node);
  if (k.live || !k.started) return;
  const Node& n = api_.objects().nodes[node.value];
  if (n.deleted) return;
  // Ready first, then the lease (the order of two writes at one instant
  // shows only in the record stream).
  if (sees_not_ready(n)) api_.set_node_ready(node, NodeReadyStatus::kTrue, "KubeletReady");
  if (naive_) {
    // renew() would post Ready again only if it were still not True.
    k.started = true;
    k.live = true;
    k.phase = api_.now();
    renew(node.value);
    return;
  }
  begin(node);
}

void NodeLeases::on_node(const WatchEvent& e) {
  const Node& n = api_.objects().nodes[e.index];
  const NodeId id{e.index};
  if (e.type == WatchType::kDeleted || n.deleted) {
    if (e.index < kubelets_.size()) {
      Kubelet& k = kubelets_[e.index];
      k.live = false;
      if (k.timer.valid()) api_.context().cancel(k.timer);
      k.timer = EventToken{};
    }
    return;
  }
  if (e.type == WatchType::kAdded) {
    if (!kubelet(id).started) begin(id);
    return;
  }
  // Lazy: a node whose Ready condition is not True while its kubelet runs
  // gets Ready=True at the kubelet's next status sync (a renewal tick). In
  // naive mode every renewal tick checks.
  if (naive_ || e.index >= kubelets_.size()) return;
  Kubelet& k = kubelets_[e.index];
  if (!k.live || n.ready == NodeReadyStatus::kTrue || k.timer.valid()) return;
  const SimTime at = next_tick(k, api_.now());
  k.timer = api_.context().schedule_at(at, [this, i = e.index] { fix_status(i); });
}

void NodeLeases::fix_status(uint32_t node) {
  Kubelet& k = kubelets_[node];
  k.timer = EventToken{};
  const Node& n = api_.objects().nodes[node];
  if (!k.live || n.deleted) return;
  if (sees_not_ready(n)) {
    api_.set_node_ready(NodeId{node}, NodeReadyStatus::kTrue, "KubeletReady");
  } else if (n.ready != NodeReadyStatus::kTrue) {
    // Written too recently to be seen: the following status sync.
    k.timer = api_.context().schedule_at(next_tick(k, api_.now() + Duration::micros(1)),
                                         [this, node] { fix_status(node); });
  }
}

}  // namespace kubesim
