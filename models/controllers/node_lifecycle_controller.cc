#include "models/controllers/node_lifecycle_controller.h"

#include <algorithm>
#include <cmath>

namespace kubesim {
namespace {

// k8s.io/api/core/v1 well-known taints.
constexpr const char* kTaintUnreachable = "node.kubernetes.io/unreachable";
constexpr const char* kTaintNotReady = "node.kubernetes.io/not-ready";
// node_lifecycle_controller.go labelNodeDisruptionExclusion.
constexpr const char* kLabelExcludeDisruption = "node.kubernetes.io/exclude-disruption";
constexpr const char* kLabelZoneBeta = "failure-domain.beta.kubernetes.io/zone";
constexpr const char* kLabelRegionBeta = "failure-domain.beta.kubernetes.io/region";

// time.Duration.Seconds() of a duration in microseconds.
double go_seconds(Duration d) {
  const int64_t us = d.count_micros();
  const int64_t sec = us / 1'000'000;
  const int64_t rem_ns = (us % 1'000'000) * 1000;
  return static_cast<double>(sec) + static_cast<double>(rem_ns) / 1e9;
}

}  // namespace

const char* to_string(ZoneState s) {
  switch (s) {
    case ZoneState::kInitial:
      return "Initial";
    case ZoneState::kNormal:
      return "Normal";
    case ZoneState::kFullDisruption:
      return "FullDisruption";
    case ZoneState::kPartialDisruption:
      return "PartialDisruption";
  }
  return "?";
}

NodeLifecycleSettings NodeLifecycleSettings::from(const RuntimeConfig& config) {
  NodeLifecycleSettings s;
  s.node_monitor_period = config.node_monitor_period;
  s.node_monitor_grace_period = config.node_monitor_grace_period;
  s.node_lease_renew_interval = config.node_lease_renew_interval;
  s.naive_timers = config.naive_timers;
  return s;
}

// ---- Token bucket and queue ----

double NodeLifecycleController::TokenBucket::tokens_at(SimTime t) const {
  // x/time/rate Limiter.advance: tokens + elapsed.Seconds() * limit, capped
  // at the burst (1); the limit is the float32 QPS widened to float64.
  const Duration elapsed = t > last ? t - last : Duration::zero();
  const double v = tokens + go_seconds(elapsed) * static_cast<double>(qps);
  return std::min(v, static_cast<double>(kEvictionRateLimiterBurst));
}

bool NodeLifecycleController::TokenBucket::would_accept(SimTime t) const {
  return qps > 0 && tokens_at(t) - 1.0 >= 0.0;
}

bool NodeLifecycleController::TokenBucket::try_accept(SimTime t) {
  // AllowN(now, 1): the state changes only when a token is granted.
  if (!would_accept(t)) return false;
  tokens = tokens_at(t) - 1.0;
  last = t;
  return true;
}

bool NodeLifecycleController::TaintQueue::add(uint32_t n) {
  if (!members.insert(n).second) return false;
  heap.insert(n);
  return true;
}

bool NodeLifecycleController::TaintQueue::remove(uint32_t n) {
  if (members.erase(n) == 0) return false;
  heap.erase(n);
  return true;
}

void NodeLifecycleController::TaintQueue::swap_limiter(float qps, SimTime now) {
  // rate_limited_queue.go SwapLimiter.
  if (limiter.qps == qps || (limiter.qps <= 0 && qps <= 0)) return;
  TokenBucket fresh;
  if (qps > 0) {
    fresh.qps = qps;
    fresh.tokens = kEvictionRateLimiterBurst;
    fresh.last = now;
    // "If we're currently waiting on limiter, we drain the new one."
    if (!limiter.try_accept(now)) fresh.try_accept(now);
  }
  limiter = fresh;
}

// ---- Construction and leadership ----

NodeLifecycleController::NodeLifecycleController(ApiServer& api, const RuntimeConfig& config)
    : NodeLifecycleController(api, NodeLifecycleSettings::from(config)) {}

NodeLifecycleController::NodeLifecycleController(ApiServer& api, NodeLifecycleSettings settings)
    : api_(api),
      settings_(settings),
      watch_latency_(api.config().watch_latency),
      // A live kubelet renews at least once per grace period only if the
      // interval is at most the grace period; otherwise healthy nodes can go
      // stale between renewals and the monitor must tick.
      lazy_monitor_(!settings.naive_timers &&
                    settings.node_lease_renew_interval <= settings.node_monitor_grace_period),
      lazy_taint_(!settings.naive_timers) {
  api_.watch(Kind::kNode, [this](const WatchEvent& e) { on_node(e); });
  api_.watch(Kind::kLease, [this](const WatchEvent& e) { on_lease(e); });
  api_.watch(Kind::kPod, [this](const WatchEvent& e) { on_pod(e); });
}

void NodeLifecycleController::start() {
  set_leader(true);
}

void NodeLifecycleController::set_leader(bool has_leader) {
  if (has_leader == leader_) return;
  leader_ = has_leader;
  if (driver_.valid()) api_.context().cancel(driver_);
  driver_ = EventToken{};
  driver_at_ = SimTime::max();
  monitor_requests_.clear();
  health_.clear();
  known_.clear();
  own_.clear();
  zone_states_.clear();
  tainters_.clear();
  if (!leader_) return;
  const ClusterObjects& objects = api_.objects();
  origin_ = api_.now();
  listed_ = static_cast<uint32_t>(objects.nodes.size());
  last_drive_ = SimTime::max();
  next_naive_monitor_ = origin_;
  next_naive_taint_ = origin_;
  for (const Pod& p : objects.pods)
    pods_.add(p);
  // The node informer's initial list reaches doNoScheduleTaintingPass.
  for (uint32_t i = 0; i < objects.nodes.size(); ++i)
    on_node(WatchEvent{Kind::kNode, WatchType::kAdded, i, 0});
  // Run(): both loops start at once (wait.UntilWithContext).
  request_monitor(origin_);
}

// ---- Watches ----

void NodeLifecycleController::on_pod(const WatchEvent& e) {
  pods_.add(api_.objects().pods[e.index]);
}

void NodeLifecycleController::on_node(const WatchEvent& e) {
  if (!leader_) return;
  const Node& n = api_.objects().nodes[e.index];
  if (!n.deleted) {
    // doNoScheduleTaintingPass: the Ready condition's NoSchedule taint.
    const char* want = n.ready == NodeReadyStatus::kUnknown ? kTaintUnreachable
                       : n.ready == NodeReadyStatus::kFalse ? kTaintNotReady
                                                            : nullptr;
    for (const char* key : {kTaintUnreachable, kTaintNotReady}) {
      const bool have = std::any_of(n.taints.begin(), n.taints.end(), [&](const Taint& t) {
        return t.key == key && t.effect == TaintEffect::kNoSchedule;
      });
      const bool should = want != nullptr && std::string_view(want) == key;
      if (have && !should) api_.remove_node_taint(NodeId{e.index}, key, TaintEffect::kNoSchedule);
      if (!have && should)
        api_.add_node_taint(NodeId{e.index}, Taint{key, "", TaintEffect::kNoSchedule, {}});
    }
  }
  if (!lazy_monitor_) return;
  if (e.type == WatchType::kAdded) {
    request_monitor(e.index < listed_ ? api_.now() : n.created + watch_latency_);
  } else if (e.type == WatchType::kDeleted || n.deleted) {
    request_monitor(api_.node_deleted_at(NodeId{e.index}) + watch_latency_);
  } else if (e.index < own_.size() && e.index < known_.size() && known_[e.index] &&
             n.ready_transition > own_[e.index].written) {
    // The kubelet posted its status: the pass that first sees it.
    request_monitor(n.ready_transition + watch_latency_);
  }
}

void NodeLifecycleController::on_lease(const WatchEvent& e) {
  if (!leader_ || !lazy_monitor_) return;
  if (const std::optional<SimTime> t = stale_tick(e.index)) request_monitor(*t);
}

// ---- Time grids and the driver ----

SimTime NodeLifecycleController::tick_at_or_after(SimTime x) const {
  if (x <= origin_) return origin_;
  const Duration p = settings_.node_monitor_period;
  return origin_ + p * (((x - origin_) + p - Duration::micros(1)) / p);
}

SimTime NodeLifecycleController::taint_tick_at_or_after(SimTime x) const {
  if (x <= origin_) return origin_;
  const Duration p = kNodeEvictionPeriod;
  return origin_ + p * (((x - origin_) + p - Duration::micros(1)) / p);
}

void NodeLifecycleController::request_monitor(SimTime t) {
  if (!leader_) return;
  SimTime at = tick_at_or_after(std::max(t, api_.now()));
  monitor_requests_.insert(at);
  if (at < driver_at_) schedule_driver();
}

SimTime NodeLifecycleController::next_taint_tick() const {
  const SimTime now = api_.now();
  // The tainting slot of an instant where the driver already ran is used.
  const SimTime from = taint_tick_at_or_after(last_drive_ == now ? now + Duration::micros(1) : now);
  SimTime best = SimTime::max();
  for (const auto& [zone, q] : tainters_) {
    if (q.heap.empty() || q.limiter.qps <= 0) continue;
    // The first tick at which the bucket holds a token: estimated, then
    // checked with the bucket's own arithmetic.
    SimTime t = from;
    const double missing = 1.0 - q.limiter.tokens;
    if (missing > 0) {
      const double wait_s = missing / static_cast<double>(q.limiter.qps);
      const SimTime estimate =
          q.limiter.last + Duration::from_seconds(wait_s) - Duration::millis(200);
      if (estimate > t) t = taint_tick_at_or_after(estimate);
    }
    while (!q.limiter.would_accept(t))
      t += kNodeEvictionPeriod;
    best = std::min(best, t);
  }
  return best;
}

void NodeLifecycleController::schedule_driver() {
  if (!leader_) return;
  SimTime next = SimTime::max();
  if (lazy_monitor_) {
    if (!monitor_requests_.empty()) next = *monitor_requests_.begin();
  } else {
    next = next_naive_monitor_;
  }
  next = std::min(next, lazy_taint_ ? next_taint_tick() : next_naive_taint_);
  if (next == driver_at_ && driver_.valid()) return;
  if (driver_.valid()) api_.context().cancel(driver_);
  driver_ = EventToken{};
  driver_at_ = next;
  if (next == SimTime::max()) return;
  driver_ = api_.context().schedule_at(next, [this] { drive(); });
}

void NodeLifecycleController::drive() {
  driver_ = EventToken{};
  driver_at_ = SimTime::max();
  const SimTime t = api_.now();
  const bool first_at_t = last_drive_ != t;
  last_drive_ = t;
  // doNoExecuteTaintingPass before monitorNodeHealth at a shared instant.
  if (lazy_taint_) {
    if (first_at_t && taint_tick_at_or_after(t) == t) tainting_pass();
  } else if (t == next_naive_taint_) {
    tainting_pass();
    next_naive_taint_ = t + kNodeEvictionPeriod;
  }
  if (lazy_monitor_) {
    if (!monitor_requests_.empty() && *monitor_requests_.begin() <= t) {
      while (!monitor_requests_.empty() && *monitor_requests_.begin() <= t)
        monitor_requests_.erase(monitor_requests_.begin());
      monitor_pass();
    }
  } else if (t == next_naive_monitor_) {
    monitor_pass();
    next_naive_monitor_ = t + settings_.node_monitor_period;
  }
  schedule_driver();
}

// ---- What the informers show ----

bool NodeLifecycleController::visible(uint32_t n, SimTime t) const {
  const auto& nodes = api_.objects().nodes;
  if (n >= nodes.size()) return false;
  const Node& node = nodes[n];
  if (node.deleted && api_.node_deleted_at(NodeId{n}) + watch_latency_ <= t) return false;
  return n < listed_ || node.created + watch_latency_ <= t;
}

NodeLifecycleController::ReadyView NodeLifecycleController::ready_view(uint32_t n,
                                                                       SimTime t) const {
  // The controller knows its own writes at once (UpdateStatus returns the
  // node); the kubelet's reach it through the node informer.
  const Node& node = api_.objects().nodes[n];
  const ReadyView& own = own_[n];
  if (node.ready_transition > own.written && node.ready_transition + watch_latency_ <= t)
    return ReadyView{node.ready, node.ready_transition};
  return own;
}

NodeLifecycleController::Health& NodeLifecycleController::health(uint32_t n) {
  if (n >= health_.size()) health_.resize(n + 1);
  return health_[n];
}

bool NodeLifecycleController::has_taint(uint32_t n, std::string_view key) const {
  for (const Taint& t : api_.objects().nodes[n].taints)
    if (t.key == key && t.effect == TaintEffect::kNoExecute) return true;
  return false;
}

std::string NodeLifecycleController::zone_key(const Node& n) {
  // k8s.io/component-helpers/node/topology GetZoneKey.
  auto label = [&](const char* ga, const char* beta) -> std::string {
    if (auto it = n.labels.find(ga); it != n.labels.end()) return it->second;
    if (auto it = n.labels.find(beta); it != n.labels.end()) return it->second;
    return {};
  };
  const std::string zone = label(kLabelZone, kLabelZoneBeta);
  const std::string region = label(kLabelRegion, kLabelRegionBeta);
  if (region.empty() && zone.empty()) return {};
  return region + std::string(":\0:", 3) + zone;
}

std::optional<ZoneState> NodeLifecycleController::zone_state(std::string_view key) const {
  const auto it = zone_states_.find(std::string(key));
  if (it == zone_states_.end()) return std::nullopt;
  return it->second;
}

std::size_t NodeLifecycleController::queued(std::string_view key) const {
  const auto it = tainters_.find(std::string(key));
  return it == tainters_.end() ? 0 : it->second.heap.size();
}

// ---- monitorNodeHealth ----

void NodeLifecycleController::add_zone(const std::string& key) {
  // addPodEvictorForNewZone: a new zone gets a fresh queue with a full bucket.
  if (zone_states_.count(key) != 0) return;
  zone_states_[key] = ZoneState::kInitial;
  TaintQueue q;
  q.limiter.qps = settings_.eviction_limiter_qps;
  q.limiter.tokens = kEvictionRateLimiterBurst;
  q.limiter.last = api_.now();
  tainters_[key] = std::move(q);
}

void NodeLifecycleController::set_ready(uint32_t n, NodeReadyStatus s, std::string_view reason) {
  api_.set_node_ready(NodeId{n}, s, reason);
  own_[n] = ReadyView{s, api_.now()};
  health(n).status_write = api_.now();
}

void NodeLifecycleController::swap_taint(uint32_t n, const char* add, const char* remove) {
  // controllerutil.SwapNodeControllerTaint: timeAdded = now.
  api_.add_node_taint(NodeId{n}, Taint{add, "", TaintEffect::kNoExecute, api_.now()});
  api_.remove_node_taint(NodeId{n}, remove, TaintEffect::kNoExecute);
}

bool NodeLifecycleController::mark_for_tainting(uint32_t n, NodeReadyStatus s) {
  const auto it = tainters_.find(zone_key(api_.objects().nodes[n]));
  if (it == tainters_.end()) return false;
  TaintQueue& q = it->second;
  if (s == NodeReadyStatus::kFalse && !has_taint(n, kTaintNotReady)) q.remove(n);
  if (s == NodeReadyStatus::kUnknown && !has_taint(n, kTaintUnreachable)) q.remove(n);
  return q.add(n);
}

void NodeLifecycleController::mark_reachable(uint32_t n) {
  api_.remove_node_taint(NodeId{n}, kTaintUnreachable, TaintEffect::kNoExecute);
  api_.remove_node_taint(NodeId{n}, kTaintNotReady, TaintEffect::kNoExecute);
  const auto it = tainters_.find(zone_key(api_.objects().nodes[n]));
  if (it != tainters_.end()) it->second.remove(n);
}

void NodeLifecycleController::mark_pods_not_ready(uint32_t n) {
  // controllerutil.MarkPodsNotReady: the Ready condition of each pod on the
  // node is set False (pods whose condition is already False are skipped).
  const ClusterObjects& objects = api_.objects();
  pods_.compact(n, objects);
  const std::vector<PodId> pods = pods_.of(n);
  for (PodId id : pods) {
    const Pod& p = objects.pods[id.value];
    if (p.status.deleted || p.node.value != n || !p.status.ready) continue;
    api_.update_pod(id, 0, [](Pod& x) { x.status.ready = false; });
    api_.context().bus().topic<PodRecord>().publish(
        {api_.now(), PodEvent::kMarkedNotReady, &p, &objects.nodes[n], "NodeNotReady"});
  }
}

float NodeLifecycleController::reduced_qps(int zone_size) const {
  // ReducedQPSFunc.
  if (zone_size > settings_.large_cluster_size_threshold)
    return settings_.secondary_eviction_limiter_qps;
  return 0;
}

void NodeLifecycleController::set_limiter(const std::string& zone, int zone_size, ZoneState s) {
  // setLimiterInZone; enterFullDisruptionFunc is HealthyQPSFunc.
  auto it = tainters_.find(zone);
  if (it == tainters_.end()) return;
  switch (s) {
    case ZoneState::kNormal:
    case ZoneState::kFullDisruption:
      it->second.swap_limiter(settings_.eviction_limiter_qps, api_.now());
      break;
    case ZoneState::kPartialDisruption:
      it->second.swap_limiter(reduced_qps(zone_size), api_.now());
      break;
    case ZoneState::kInitial:
      break;
  }
}

void NodeLifecycleController::monitor_pass() {
  ++monitor_passes_;
  const SimTime t = api_.now();
  const ClusterObjects& objects = api_.objects();
  const Duration grace = settings_.node_monitor_grace_period;
  const int64_t rv_before = api_.resource_version();
  bool changed = false;
  if (known_.size() < objects.nodes.size()) known_.resize(objects.nodes.size(), 0);
  if (own_.size() < objects.nodes.size()) own_.resize(objects.nodes.size());

  // classifyNodes, in node id order (the lister's order is unspecified).
  std::vector<uint32_t> nodes;
  for (uint32_t i = 0; i < objects.nodes.size(); ++i)
    if (visible(i, t)) nodes.push_back(i);
  for (uint32_t n : nodes)
    if (known_[n]) add_zone(zone_key(objects.nodes[n]));
  for (uint32_t n : nodes) {
    if (known_[n]) continue;
    known_[n] = 1;
    own_[n] = ReadyView{objects.nodes[n].ready, objects.nodes[n].ready_transition};
    add_zone(zone_key(objects.nodes[n]));
    mark_reachable(n);
  }
  for (uint32_t i = 0; i < known_.size(); ++i)
    if (known_[i] && !visible(i, t)) known_[i] = 0;

  std::map<std::string, std::vector<NodeReadyStatus>> zone_conditions;
  for (uint32_t n : nodes) {
    const Node& node = objects.nodes[n];
    // tryUpdateNodeHealth.
    const ReadyView view = ready_view(n, t);
    const NodeReadyStatus observed = view.status;
    NodeReadyStatus current = observed;
    Health& h = health(n);
    if (!h.has) {
      h = Health{};
      h.has = true;
      h.probe = t;
      h.status_write = view.written;
    } else if (view.written != h.status_write) {
      // A new status from the kubelet: probeTimestamp = the pass that saw it.
      h.probe = std::max(h.probe, tick_at_or_after(view.written + watch_latency_));
      h.status_write = view.written;
    }
    // "Always update the probe time if node lease is renewed": the lease
    // informer holds renewals one watch latency old; the pass that first saw
    // this renewTime is the tick at or after renewTime + latency (exactly
    // now when every tick runs).
    if (const std::optional<SimTime> lease = api_.lease_renew_time(NodeId{n}, t - watch_latency_);
        lease && (!h.has_lease || h.lease < *lease)) {
      h.has_lease = true;
      h.lease = *lease;
      h.probe = std::max(h.probe, tick_at_or_after(*lease + watch_latency_));
    }
    if (t > h.probe + grace && observed != NodeReadyStatus::kUnknown) {
      set_ready(n, NodeReadyStatus::kUnknown, "NodeStatusUnknown");
      current = NodeReadyStatus::kUnknown;
    }
    if (node.labels.count(kLabelExcludeDisruption) == 0)
      zone_conditions[zone_key(node)].push_back(current);

    // processTaintBaseEviction, with the condition as observed before this pass.
    const std::string zone = zone_key(node);
    const auto qit = tainters_.find(zone);
    const bool was_member = qit != tainters_.end() && qit->second.members.count(n) != 0;
    switch (observed) {
      case NodeReadyStatus::kFalse:
        if (has_taint(n, kTaintUnreachable)) {
          swap_taint(n, kTaintNotReady, kTaintUnreachable);
        } else {
          mark_for_tainting(n, NodeReadyStatus::kFalse);
        }
        break;
      case NodeReadyStatus::kUnknown:
        if (has_taint(n, kTaintNotReady)) {
          swap_taint(n, kTaintUnreachable, kTaintNotReady);
        } else {
          mark_for_tainting(n, NodeReadyStatus::kUnknown);
        }
        break;
      case NodeReadyStatus::kTrue:
        mark_reachable(n);
        break;
    }
    const bool is_member = qit != tainters_.end() && qit->second.members.count(n) != 0;
    changed = changed || was_member != is_member;
    if (current != NodeReadyStatus::kTrue && observed == NodeReadyStatus::kTrue)
      mark_pods_not_ready(n);
  }

  std::map<std::string, ZoneState> states_before = zone_states_;
  std::vector<float> qps_before;
  for (const auto& [zone, q] : tainters_)
    qps_before.push_back(q.limiter.qps);
  handle_disruption(zone_conditions, nodes);
  std::vector<float> qps_after;
  for (const auto& [zone, q] : tainters_)
    qps_after.push_back(q.limiter.qps);
  changed = changed || states_before != zone_states_ || qps_before != qps_after ||
            api_.resource_version() != rv_before;

  if (lazy_monitor_) {
    // A pass that changed something may leave work for the next one (a node
    // that turned Unknown joins the tainting queue one pass later).
    if (changed) request_monitor(t + settings_.node_monitor_period);
    request_stale_checks();
  }
}

void NodeLifecycleController::handle_disruption(
    const std::map<std::string, std::vector<NodeReadyStatus>>& zone_conditions,
    const std::vector<uint32_t>& nodes) {
  const SimTime now = api_.now();
  std::map<std::string, ZoneState> new_states;
  bool all_are_fully_disrupted = true;
  for (const auto& [zone, conditions] : zone_conditions) {
    // ComputeZoneState.
    int ready = 0;
    int not_ready = 0;
    for (NodeReadyStatus s : conditions)
      (s == NodeReadyStatus::kTrue ? ready : not_ready) += 1;
    ZoneState state = ZoneState::kNormal;
    if (ready == 0 && not_ready > 0) {
      state = ZoneState::kFullDisruption;
    } else if (not_ready > 2 &&
               static_cast<float>(not_ready) / static_cast<float>(not_ready + ready) >=
                   settings_.unhealthy_zone_threshold) {
      state = ZoneState::kPartialDisruption;
    }
    if (state != ZoneState::kFullDisruption) all_are_fully_disrupted = false;
    new_states[zone] = state;
    if (zone_states_.count(zone) == 0) zone_states_[zone] = ZoneState::kInitial;
  }

  bool all_was_fully_disrupted = true;
  for (auto it = zone_states_.begin(); it != zone_states_.end();) {
    if (zone_conditions.count(it->first) == 0) {
      it = zone_states_.erase(it);
      continue;
    }
    if (it->second != ZoneState::kFullDisruption) {
      all_was_fully_disrupted = false;
      break;
    }
    ++it;
  }

  if (all_are_fully_disrupted && all_was_fully_disrupted) return;
  auto zone_size = [&](const std::string& zone) {
    const auto it = zone_conditions.find(zone);
    return it == zone_conditions.end() ? 0 : static_cast<int>(it->second.size());
  };
  if (all_are_fully_disrupted) {
    // Entering master disruption mode: no evictions anywhere.
    for (uint32_t n : nodes)
      mark_reachable(n);
    for (auto& [zone, state] : zone_states_) {
      if (auto q = tainters_.find(zone); q != tainters_.end()) q->second.swap_limiter(0, now);
    }
    for (auto& [zone, state] : zone_states_)
      state = ZoneState::kFullDisruption;
    return;
  }
  if (all_was_fully_disrupted) {
    // Exiting it: every probeTimestamp is now.
    for (uint32_t n : nodes)
      health(n).probe = now;
    for (auto& [zone, state] : zone_states_) {
      const auto ns = new_states.find(zone);
      if (ns == new_states.end()) continue;
      set_limiter(zone, zone_size(zone), ns->second);
      state = ns->second;
    }
    return;
  }
  for (auto& [zone, state] : zone_states_) {
    const auto ns = new_states.find(zone);
    if (ns == new_states.end() || state == ns->second) continue;
    set_limiter(zone, zone_size(zone), ns->second);
    state = ns->second;
  }
}

// ---- doNoExecuteTaintingPass ----

void NodeLifecycleController::tainting_pass() {
  ++tainting_passes_;
  const SimTime t = api_.now();
  for (auto& [zone, q] : tainters_) {
    // RateLimitedTimedQueue.Try: a token per item; every item is due.
    while (!q.heap.empty()) {
      if (!q.limiter.try_accept(t)) break;
      const uint32_t n = *q.heap.begin();
      if (visible(n, t) && !api_.objects().nodes[n].deleted) {
        switch (ready_view(n, t).status) {
          case NodeReadyStatus::kFalse:
            swap_taint(n, kTaintNotReady, kTaintUnreachable);
            break;
          case NodeReadyStatus::kUnknown:
            swap_taint(n, kTaintUnreachable, kTaintNotReady);
            break;
          case NodeReadyStatus::kTrue:
            break;  // ready again: no taint
        }
      }
      q.remove_from_queue(n);
    }
  }
}

// ---- Lazy: when a stopped kubelet's node goes stale ----

std::optional<SimTime> NodeLifecycleController::stale_tick(uint32_t n) const {
  if (n >= health_.size() || !health_[n].has || n >= known_.size() || !known_[n]) return {};
  const SimTime now = api_.now();
  if (!visible(n, now)) return {};
  const ReadyView view = ready_view(n, now);
  if (view.status == NodeReadyStatus::kUnknown) return {};
  const NodeLease& lease = api_.lease(NodeId{n});
  // A kubelet still renewing (with a promise) keeps its node fresh: the
  // renew interval is at most the grace period (else the monitor ticks).
  if (lease.exists && lease.every > Duration::zero() && lease.until == SimTime::max()) return {};
  const Health& h = health_[n];
  SimTime probe = h.probe;
  if (view.written != h.status_write)
    probe = std::max(probe, tick_at_or_after(view.written + watch_latency_));
  if (const std::optional<SimTime> last = api_.lease_renew_time(NodeId{n}, SimTime::max()))
    probe = std::max(probe, tick_at_or_after(*last + watch_latency_));
  // The first tick strictly after probeTimestamp + grace period.
  return tick_at_or_after(probe + settings_.node_monitor_grace_period + Duration::micros(1));
}

void NodeLifecycleController::request_stale_checks() {
  const SimTime now = api_.now();
  for (uint32_t n = 0; n < known_.size(); ++n) {
    if (!known_[n]) continue;
    if (const std::optional<SimTime> t = stale_tick(n))
      request_monitor(*t > now ? *t : now + Duration::micros(1));
  }
}

}  // namespace kubesim
