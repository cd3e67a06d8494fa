#include "models/apiserver/api_server.h"

#include <algorithm>

#include <fmt/format.h>

namespace kubesim {

const char* to_string(Kind k) {
  switch (k) {
    case Kind::kPod:
      return "Pod";
    case Kind::kNode:
      return "Node";
    case Kind::kDeployment:
      return "Deployment";
    case Kind::kReplicaSet:
      return "ReplicaSet";
    case Kind::kDaemonSet:
      return "DaemonSet";
    case Kind::kJob:
      return "Job";
    case Kind::kLease:
      return "Lease";
    case Kind::kCount:
      break;
  }
  return "?";
}

ApiServer::ApiServer(Context ctx, ClusterObjects& objects, ApiServerConfig config)
    : ctx_(ctx), objects_(&objects), config_(config) {
  grow_nodes();
  for (Pod& p : objects.pods) {
    // The scenario's pods count as created through the API: admission applies.
    admit_default_tolerations(p);
    names_.insert(p.key());
    if (p.node.valid() && p.active()) {
      node_requested_[p.node.value].add(pod_requests(p.spec));
      ++pods_on_node_[p.node.value];
    }
  }
}

void ApiServer::watch(Kind kind, Watcher w) {
  watchers_[static_cast<int>(kind)].push_back(std::move(w));
}

void ApiServer::announce(Kind kind, WatchType type, uint32_t index) {
  const auto& ws = watchers_[static_cast<int>(kind)];
  if (ws.empty()) return;
  const WatchEvent e{kind, type, index, resource_version_};
  ctx_.schedule(config_.watch_latency, [this, e] {
    for (const Watcher& w : watchers_[static_cast<int>(e.kind)])
      w(e);
  });
}

bool ApiServer::check_update(bool deleted, int64_t current_rv, int64_t expected_rv,
                             const std::string& key) {
  if (deleted) {
    reject("update", key, "NotFound: the object has been deleted");
    return false;
  }
  if (expected_rv != 0 && expected_rv != current_rv) {
    reject("update", key,
           fmt::format("Conflict: resource version {} is stale (current {})", expected_rv,
                       current_rv));
    return false;
  }
  return true;
}

void ApiServer::reject(std::string_view operation, std::string_view object,
                       std::string_view reason) {
  ++rejected_;
  ctx_.bus().topic<WriteRejectedRecord>().publish({now(), operation, object, reason});
}

void ApiServer::publish(PodEvent e, const Pod& p, std::string_view detail) {
  const Node* node = p.node.valid() ? &objects_->nodes[p.node.value] : nullptr;
  ctx_.bus().topic<PodRecord>().publish({now(), e, &p, node, detail});
}

std::string ApiServer::unique_name(std::string_view prefix) {
  // k8s.io/apiserver/pkg/storage/names/generate.go: base + utilrand.String(5),
  // whose alphabet (k8s.io/apimachinery/pkg/util/rand/rand.go) leaves out
  // vowels and confusable characters.
  static constexpr std::string_view kAlphabet = "bcdfghjklmnpqrstvwxz2456789";
  RandomStream& rng = ctx_.rng("apiserver/names");
  for (;;) {
    std::string name(prefix);
    for (int i = 0; i < 5; ++i)
      name.push_back(kAlphabet[rng.uniform_int(kAlphabet.size())]);
    if (names_.insert(name).second) return name;
  }
}

void ApiServer::grow_nodes() {
  const size_t n = objects_->nodes.size();
  node_requested_.resize(n);
  pods_on_node_.resize(n);
  node_deleted_at_.resize(n);
  leases_.resize(n);
}

void ApiServer::admit_default_tolerations(Pod& p) const {
  // plugin/pkg/admission/defaulttolerationseconds/admission.go: a pod that
  // does not tolerate not-ready:NoExecute (resp. unreachable:NoExecute) --
  // a toleration with that key or an empty key, and effect NoExecute or
  // empty, whatever its operator -- gets an Exists toleration for it with
  // the configured tolerationSeconds.
  if (!config_.default_toleration_seconds) return;
  static constexpr std::string_view kNotReady = "node.kubernetes.io/not-ready";
  static constexpr std::string_view kUnreachable = "node.kubernetes.io/unreachable";
  bool not_ready = false;
  bool unreachable = false;
  for (const Toleration& t : p.spec.tolerations) {
    const bool no_execute = !t.effect || *t.effect == TaintEffect::kNoExecute;
    if (!no_execute) continue;
    not_ready = not_ready || t.key.empty() || t.key == kNotReady;
    unreachable = unreachable || t.key.empty() || t.key == kUnreachable;
  }
  auto add = [&](std::string_view key, int64_t seconds) {
    Toleration t;
    t.key = std::string(key);
    t.op = TolerationOp::kExists;
    t.effect = TaintEffect::kNoExecute;
    t.toleration_seconds = seconds;
    p.spec.tolerations.push_back(std::move(t));
  };
  if (!not_ready) add(kNotReady, config_.default_not_ready_toleration_seconds);
  if (!unreachable) add(kUnreachable, config_.default_unreachable_toleration_seconds);
}

PodId ApiServer::create_pod(Pod pod, std::string_view generate_name) {
  if (pod.name.empty()) pod.name = unique_name(generate_name);
  admit_default_tolerations(pod);
  names_.insert(pod.key());
  pod.status = PodStatus{};
  pod.status.created = now();
  pod.phase = PodPhase::kPending;
  pod.node = NodeId{};
  pod.resource_version = ++resource_version_;
  const PodId id = objects_->add_pod(std::move(pod));
  Pod& p = objects_->pods[id.value];
  // A pod created with spec.nodeName skips the scheduler: the API server
  // binds it (the kubelet's admission then decides).
  publish(PodEvent::kCreated, p);
  announce(Kind::kPod, WatchType::kAdded, id.value);
  if (!p.spec.node_name.empty()) {
    if (const Node* n = objects_->find_node(p.spec.node_name); n != nullptr && !n->deleted) {
      p.spec.node_name.clear();
      bind(id, n->id);
    }
  }
  return id;
}

bool ApiServer::bind(PodId id, NodeId node_id) {
  Pod& p = objects_->pods[id.value];
  const char* reason = nullptr;
  std::string detail;
  if (p.status.deleted) {
    reason = "NotFound: the pod has been deleted";
  } else if (p.status.terminating) {
    reason = "the pod is being deleted";
  } else if (!p.active()) {
    reason = "the pod has finished";
  } else if (p.node.valid()) {
    detail =
        fmt::format("Conflict: pod is already bound to {}", objects_->nodes[p.node.value].name);
  } else if (node_id.value >= objects_->nodes.size() || objects_->nodes[node_id.value].deleted) {
    reason = "NotFound: the node does not exist";
  } else {
    const Node& n = objects_->nodes[node_id.value];
    Resources after = node_requested_[node_id.value];
    after.add(pod_requests(p.spec));
    if (after.milli_cpu > n.allocatable.milli_cpu) {
      reason = "would over-commit the node's cpu";
    } else if (after.memory > n.allocatable.memory) {
      reason = "would over-commit the node's memory";
    } else if (after.ephemeral_storage > n.allocatable.ephemeral_storage &&
               after.ephemeral_storage > 0 && n.allocatable.ephemeral_storage > 0) {
      reason = "would over-commit the node's ephemeral-storage";
    } else if (pods_on_node_[node_id.value] + 1 > n.allocatable.pods) {
      reason = "would exceed the node's pod limit";
    } else {
      for (const auto& [name, value] : after.scalar) {
        if (value > n.allocatable.scalar_value(name)) {
          detail = fmt::format("would over-commit the node's {}", name);
          break;
        }
      }
    }
  }
  if (reason != nullptr || !detail.empty()) {
    reject("bind", p.key(),
           reason != nullptr ? std::string_view(reason) : std::string_view(detail));
    return false;
  }
  const Node& n = objects_->nodes[node_id.value];
  p.node = node_id;
  p.spec.node_name = n.name;
  ++objects_->nodes[node_id.value].pods_version;
  p.status.bound = now();
  node_requested_[node_id.value].add(pod_requests(p.spec));
  ++pods_on_node_[node_id.value];
  p.resource_version = ++resource_version_;
  publish(PodEvent::kScheduled, p);
  announce(Kind::kPod, WatchType::kModified, id.value);
  return true;
}

void ApiServer::release(const Pod& p) {
  if (!p.node.valid()) return;
  ++objects_->nodes[p.node.value].pods_version;
  node_requested_[p.node.value].subtract(pod_requests(p.spec));
  --pods_on_node_[p.node.value];
}

void ApiServer::delete_pod(PodId id) {
  Pod& p = objects_->pods[id.value];
  if (p.status.deleted || p.status.terminating) return;
  if (!p.node.valid() || !p.active()) {
    remove_pod(id);
    return;
  }
  p.status.terminating = true;
  p.status.deletion_requested = now();
  ++objects_->nodes[p.node.value].pods_version;
  p.resource_version = ++resource_version_;
  publish(PodEvent::kTerminating, p);
  announce(Kind::kPod, WatchType::kModified, id.value);
}

void ApiServer::remove_pod(PodId id) {
  Pod& p = objects_->pods[id.value];
  if (p.status.deleted) return;
  if (p.active()) release(p);
  p.status.deleted = true;
  p.status.ready = false;
  names_.erase(p.key());
  p.resource_version = ++resource_version_;
  publish(PodEvent::kDeleted, p);
  announce(Kind::kPod, WatchType::kDeleted, id.value);
}

NodeId ApiServer::create_node(Node node) {
  node.created = now();
  node.deleted = false;
  node.resource_version = ++resource_version_;
  const NodeId id = objects_->add_node(std::move(node));
  grow_nodes();
  ctx_.bus().topic<NodeRecord>().publish({now(), NodeEvent::kAdded, &objects_->nodes[id.value]});
  announce(Kind::kNode, WatchType::kAdded, id.value);
  return id;
}

bool ApiServer::set_unschedulable(NodeId id, bool unschedulable) {
  Node& n = objects_->nodes[id.value];
  if (n.deleted) {
    reject("update", n.name, "NotFound: the node has been deleted");
    return false;
  }
  if (n.unschedulable == unschedulable) return true;
  n.unschedulable = unschedulable;
  n.resource_version = ++resource_version_;
  ctx_.bus().topic<NodeRecord>().publish(
      {now(), unschedulable ? NodeEvent::kCordoned : NodeEvent::kUncordoned, &n});
  announce(Kind::kNode, WatchType::kModified, id.value);
  return true;
}

void ApiServer::add_node_image(NodeId id, ContainerImage image) {
  Node& n = objects_->nodes[id.value];
  if (n.deleted || image.names.empty() || n.has_image(image.names.front())) return;
  n.images.push_back(std::move(image));
  n.resource_version = ++resource_version_;
  announce(Kind::kNode, WatchType::kModified, id.value);
}

void ApiServer::delete_node(NodeId id) {
  Node& n = objects_->nodes[id.value];
  if (n.deleted) return;
  n.deleted = true;
  node_deleted_at_[id.value] = now();
  n.resource_version = ++resource_version_;
  ctx_.bus().topic<NodeRecord>().publish({now(), NodeEvent::kDeleted, &n});
  announce(Kind::kNode, WatchType::kDeleted, id.value);
}

bool ApiServer::set_node_ready(NodeId id, NodeReadyStatus status, std::string_view reason) {
  Node& n = objects_->nodes[id.value];
  if (n.deleted) {
    reject("update", n.name, "NotFound: the node has been deleted");
    return false;
  }
  if (n.ready == status) return true;
  n.ready = status;
  n.ready_transition = now();
  n.resource_version = ++resource_version_;
  ctx_.bus().topic<NodeRecord>().publish(
      {now(), status == NodeReadyStatus::kTrue ? NodeEvent::kReady : NodeEvent::kNotReady, &n,
       reason});
  announce(Kind::kNode, WatchType::kModified, id.value);
  return true;
}

bool ApiServer::add_node_taint(NodeId id, Taint taint) {
  Node& n = objects_->nodes[id.value];
  if (n.deleted) {
    reject("update", n.name, "NotFound: the node has been deleted");
    return false;
  }
  // pkg/util/taints/taints.go AddOrUpdateTaint: MatchTaint compares key and effect.
  bool added = true;
  for (Taint& have : n.taints) {
    if (have.key == taint.key && have.effect == taint.effect) {
      have = taint;
      added = false;
      break;
    }
  }
  if (added) n.taints.push_back(taint);
  n.resource_version = ++resource_version_;
  if (added && taint.effect == TaintEffect::kNoExecute)
    ctx_.bus().topic<NodeRecord>().publish({now(), NodeEvent::kTainted, &n, taint.key});
  announce(Kind::kNode, WatchType::kModified, id.value);
  return true;
}

bool ApiServer::remove_node_taint(NodeId id, std::string_view key, TaintEffect effect) {
  Node& n = objects_->nodes[id.value];
  if (n.deleted) return false;
  const auto it = std::find_if(n.taints.begin(), n.taints.end(),
                               [&](const Taint& t) { return t.key == key && t.effect == effect; });
  if (it == n.taints.end()) return false;
  const std::string removed = it->key;
  n.taints.erase(it);
  n.resource_version = ++resource_version_;
  if (effect == TaintEffect::kNoExecute)
    ctx_.bus().topic<NodeRecord>().publish({now(), NodeEvent::kUntainted, &n, removed});
  announce(Kind::kNode, WatchType::kModified, id.value);
  return true;
}

std::optional<SimTime> ApiServer::lease_renew_time(NodeId id, SimTime at) const {
  const NodeLease& l = leases_[id.value];
  if (!l.exists) return std::nullopt;
  if (at >= l.renewed) {
    if (l.every <= Duration::zero()) return l.renewed;
    // The latest promised renewal renewed + k * every <= at, before `until`.
    SimTime last = at;
    if (l.until != SimTime::max() && l.until - Duration::micros(1) < last)
      last = l.until - Duration::micros(1);
    if (last < l.renewed) return l.has_previous ? std::optional<SimTime>(l.previous) : std::nullopt;
    return l.renewed + l.every * ((last - l.renewed) / l.every);
  }
  if (l.has_previous && at >= l.previous) return l.previous;
  return std::nullopt;
}

void ApiServer::renew_lease(NodeId id, Duration every) {
  if (objects_->nodes[id.value].deleted) return;
  NodeLease& l = leases_[id.value];
  const SimTime t = now();
  if (const std::optional<SimTime> before = lease_renew_time(id, t - Duration::micros(1))) {
    l.has_previous = true;
    l.previous = *before;
  } else {
    l.has_previous = false;
  }
  l.exists = true;
  l.renewed = t;
  l.every = every;
  l.until = SimTime::max();
  objects_->nodes[id.value].lease_renew_time = t;
  announce(Kind::kLease, WatchType::kModified, id.value);
}

void ApiServer::stop_lease_renewals(NodeId id) {
  NodeLease& l = leases_[id.value];
  if (!l.exists) return;
  const SimTime t = now();
  if (l.renewed == t) {
    // Withdraw the renewal of this instant (and its promise).
    if (!l.has_previous) {
      l = NodeLease{};
    } else {
      l.renewed = l.previous;
      l.every = Duration::zero();
      l.until = SimTime::max();
    }
  } else if (l.until > t) {
    l.until = t;
  }
  if (l.exists) {
    Node& n = objects_->nodes[id.value];
    if (const std::optional<SimTime> last = lease_renew_time(id, t)) n.lease_renew_time = *last;
  }
  announce(Kind::kLease, WatchType::kModified, id.value);
}

}  // namespace kubesim
