// Fluid mode (docs/fluid-mode.md): each fluid entry's pods are fluid queues
// (fluid_queue.h) fed by the entry's outside rate (fluid_rate.h) and by its
// callers' completions, advanced in closed form between the instants at which
// something changes: a step boundary, a rate change, an endpoint change, a
// pod that stops or refuses connections.
#include "models/traffic/fluid_traffic.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>
#include <string_view>
#include <utility>

#include "models/objects/annotations.h"
#include "models/proxy/endpoints.h"
#include "models/records.h"
#include "models/traffic/fluid_latency.h"
#include "models/traffic/fluid_queue.h"
#include "models/traffic/fluid_rate.h"

namespace kubesim {

namespace {

// Holding a worker for less than the clock's resolution is holding it for
// none; a zero mean service time would make mu infinite.
constexpr double kMinHoldSeconds = 1e-6;

// A non-negative integer annotation; `fallback` when absent or not a number
// (the scenario loader has already rejected bad values).
int64_t annotation_int(const Pod& pod, const char* key, int64_t fallback) {
  auto it = pod.annotations.find(key);
  if (it == pod.annotations.end()) return fallback;
  int64_t v = 0;
  const std::string& s = it->second;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < 0) return fallback;
  return v;
}

struct PodFluid {
  PodId pod;
  FluidQueue queue;
  double content = 0;         // requests in the pod (in service and waiting)
  bool in_endpoints = false;  // in the Service's EndpointSlice: gets its share
  bool refusing = false;      // its share is refused (terminating, stopped, gone)
};

struct Call {
  uint32_t entry;  // index into Impl::entries_
  double probability;
  bool parallel;
};

struct Entry {
  const TrafficSpec* spec;
  uint32_t index;    // in spec.traffic: the records' `service`
  uint32_t service;  // in objects().services
  FluidOutsideRate outside;
  double mean_service_seconds;
  double service_variance;  // seconds^2
  double cpu_per_request_seconds;
  // Expected time a request spends in its downstream calls, from the callees'
  // latency over the previous step: the worker is held through them.
  double downstream_seconds = 0;
  std::vector<Call> calls = {};
  std::vector<PodId> endpoints = {};  // as last seen
  std::vector<PodFluid> pods = {};    // sorted by pod id; endpoints and draining pods

  // This step's sums, for its FluidTrafficRecord.
  double arrived = 0, completed = 0, rejected = 0, connection_errors = 0;
  double busy_worker_seconds = 0, latency_sum_seconds = 0;
  double pod_seconds = 0, worker_seconds = 0;  // of the pods fed
  double last_mean_latency_seconds = 0;

  double hold_seconds() const {
    return std::max(mean_service_seconds + downstream_seconds, kMinHoldSeconds);
  }
  // Var(hold) / E[hold]^2: the downstream time counted as a constant.
  double hold_scv() const {
    const double h = hold_seconds();
    return service_variance / (h * h);
  }
  PodFluid* find(PodId id) {
    auto it = std::lower_bound(pods.begin(), pods.end(), id,
                               [](const PodFluid& p, PodId v) { return p.pod < v; });
    return it != pods.end() && it->pod == id ? &*it : nullptr;
  }
};

// What one interval did, before it is applied (or, for cpu_seconds() between
// events, without applying it).
struct IntervalFlows {
  std::vector<std::vector<FluidQueueFlow>> pods;  // [entry][pod], as Entry::pods
  std::vector<double> arrived, connection_errors, calls_in;
  void resize(const std::vector<Entry>& entries) {
    pods.resize(entries.size());
    arrived.assign(entries.size(), 0);
    connection_errors.assign(entries.size(), 0);
    calls_in.assign(entries.size(), 0);
    for (std::size_t e = 0; e < entries.size(); ++e)
      pods[e].assign(entries[e].pods.size(), FluidQueueFlow{});
  }
};

}  // namespace

struct FluidTraffic::Impl {
  Impl(ApiServer& api, KubeProxies& proxies, const std::vector<TrafficSpec>& traffic,
       const std::vector<uint32_t>& entries, const std::vector<uint32_t>& service_index,
       Duration step);

  void start();
  double cpu_seconds(PodId pod) const;

  void sort_entries();
  void schedule_next();
  void on_tick();
  // Applies [last_, t) to the state; then the bursty rates move to t.
  void advance(SimTime t);
  void compute(SimTime from, SimTime to, IntervalFlows& out) const;
  void publish_step();
  void update_downstream();
  void sync_endpoints();
  void on_pod_watch(const WatchEvent& e);
  void on_pod_record(const PodRecord& r);
  void on_node_record(const NodeRecord& r);
  // The pod's containers stopped: what it held fails (connection errors).
  void fail(Entry& e, PodFluid& p);
  PodFluid make_pod(const Entry& e, PodId id) const;
  static bool forgettable(const PodFluid& p) { return !p.in_endpoints && p.content == 0; }

  ApiServer* api_;
  KubeProxies* proxies_;
  Context ctx_;
  Duration step_;
  std::vector<Entry> entries_;
  std::vector<uint32_t> order_;  // entries, callers before callees
  std::vector<double> cpu_;      // by pod index: CPU seconds of applied intervals
  Topic<FluidTrafficRecord>* records_ = nullptr;

  SimTime last_;        // the state is as of this instant
  SimTime step_start_;  // of the current record
  SimTime step_end_;
  bool started_ = false;
  IntervalFlows flows_;
  // cpu_seconds() between events: the flows of [last_, peek_at_) not applied.
  mutable IntervalFlows peek_;
  mutable SimTime peek_at_ = SimTime::max();
  mutable int64_t peek_version_ = -1;
  int64_t version_ = 0;  // bumped whenever the state changes
};

FluidTraffic::Impl::Impl(ApiServer& api, KubeProxies& proxies,
                         const std::vector<TrafficSpec>& traffic,
                         const std::vector<uint32_t>& entries,
                         const std::vector<uint32_t>& service_index, Duration step)
    : api_(&api), proxies_(&proxies), ctx_(api.context()), step_(step) {
  if (step_ <= Duration::zero()) step_ = Duration::seconds(10);
  entries_.reserve(entries.size());
  for (uint32_t i : entries) {
    const TrafficSpec& spec = traffic[i];
    const Distribution& st = spec.service_time.in_seconds();
    const double cpu = spec.cpu_per_request ? spec.cpu_per_request->in_seconds().mean() : st.mean();
    RandomStream& rng = ctx_.rng("traffic/" + spec.service + "/fluid");
    entries_.push_back(Entry{.spec = &spec,
                             .index = i,
                             .service = service_index[i],
                             .outside = FluidOutsideRate(spec, rng),
                             .mean_service_seconds = std::max(st.mean(), 0.0),
                             .service_variance = st.variance(),
                             .cpu_per_request_seconds = std::max(cpu, 0.0)});
  }
  // Calls reach the fluid entries of the callee Service (same namespace);
  // calls to a request-mode entry are not fluid work (docs/fluid-mode.md).
  for (Entry& e : entries_) {
    for (const CallSpec& call : e.spec->calls) {
      for (uint32_t j = 0; j < entries_.size(); ++j) {
        const TrafficSpec& callee = *entries_[j].spec;
        if (callee.service == call.service && callee.namespace_ == e.spec->namespace_) {
          e.calls.push_back({j, call.probability, call.parallel});
          break;
        }
      }
    }
  }
  sort_entries();
  for (Entry& e : entries_) {
    // Until the callees have a latency of their own: their service times.
    for (const Call& c : e.calls)
      e.downstream_seconds += c.probability * entries_[c.entry].mean_service_seconds;
  }
}

// Kahn's algorithm, taking the lowest-numbered ready entry first so that the
// order depends on the scenario only. The loader has checked the call graph
// is acyclic; were it not, the entries on a cycle are appended in index order.
void FluidTraffic::Impl::sort_entries() {
  const std::size_t n = entries_.size();
  std::vector<int32_t> callers(n, 0);
  for (const Entry& e : entries_)
    for (const Call& c : e.calls)
      ++callers[c.entry];
  std::vector<bool> placed(n, false);
  order_.clear();
  while (order_.size() < n) {
    uint32_t next = static_cast<uint32_t>(n);
    for (uint32_t i = 0; i < n && next == n; ++i)
      if (!placed[i] && callers[i] == 0) next = i;
    if (next == n) {
      for (uint32_t i = 0; i < n && next == n; ++i)
        if (!placed[i]) next = i;
    }
    placed[next] = true;
    order_.push_back(next);
    for (const Call& c : entries_[next].calls)
      --callers[c.entry];
  }
}

PodFluid FluidTraffic::Impl::make_pod(const Entry& e, PodId id) const {
  const Pod& pod = api_->objects().pods[id.value];
  PodFluid p;
  p.pod = id;
  p.queue.workers = static_cast<int32_t>(
      std::clamp<int64_t>(annotation_int(pod, kAnnotationConcurrency, 1), 1, 1 << 30));
  p.queue.mean_hold_seconds = e.hold_seconds();
  const int64_t queue = annotation_int(pod, kAnnotationQueueCapacity, -1);
  if (queue >= 0) p.queue.capacity = static_cast<double>(p.queue.workers + queue);
  p.refusing = !pod.active() || pod.status.terminating;
  return p;
}

void FluidTraffic::Impl::start() {
  if (started_) return;
  started_ = true;
  records_ = &ctx_.bus().topic<FluidTrafficRecord>();
  last_ = step_start_ = ctx_.now();
  step_end_ = SimTime::zero() + step_ * ((last_ - SimTime::zero()) / step_ + 1);
  for (Entry& e : entries_)
    e.outside.advance_to(last_);
  // KubeProxies' EndpointSlice controller updates its lists in its own pod
  // watcher, registered before this one: here the lists are current.
  api_->watch(Kind::kPod, [this](const WatchEvent& e) { on_pod_watch(e); });
  ctx_.bus().topic<PodRecord>().subscribe([this](const PodRecord& r) { on_pod_record(r); });
  ctx_.bus().topic<NodeRecord>().subscribe([this](const NodeRecord& r) { on_node_record(r); });
  // A new leader's EndpointSlice controller resyncs every list with no pod
  // watch event (KubeProxies::set_endpoints_leader): read them once whoever
  // tells KubeProxies has done so, later in this instant.
  ctx_.bus().topic<ControlPlaneRecord>().subscribe([this](const ControlPlaneRecord& r) {
    if (r.event == ControlPlaneEvent::kLeaderElected)
      ctx_.schedule(Duration::zero(), [this] { sync_endpoints(); });
  });
  sync_endpoints();
  schedule_next();
}

void FluidTraffic::Impl::schedule_next() {
  SimTime next = step_end_;
  for (const Entry& e : entries_)
    next = std::min(next, e.outside.next_change(last_));
  ctx_.schedule_at(next, [this] { on_tick(); });
}

void FluidTraffic::Impl::on_tick() {
  advance(ctx_.now());
  if (ctx_.now() >= step_end_) {
    publish_step();
    update_downstream();
    step_start_ = step_end_;
    step_end_ = step_end_ + step_;
  }
  // Also here, in case an EndpointSlice changed with no pod watch event.
  sync_endpoints();
  schedule_next();
}

void FluidTraffic::Impl::compute(SimTime from, SimTime to, IntervalFlows& out) const {
  out.resize(entries_);
  const double seconds = (to - from).to_seconds();
  if (seconds <= 0) return;
  // The steady state per distinct (workers, capacity) of an entry's pods:
  // they all get the same rate.
  struct Steady {
    int32_t workers;
    double capacity;
    QueueSteadyState state;
  };
  std::vector<Steady> steady;
  for (uint32_t ei : order_) {
    const Entry& e = entries_[ei];
    const double arrived = e.outside.mean_rate(from, to) * seconds + out.calls_in[ei];
    out.arrived[ei] = arrived;
    // kube-proxy's policies all share evenly among identical pods in the
    // fluid limit: each endpoint gets 1/n; a refusing one's share fails.
    int32_t endpoints = 0, refusing = 0;
    for (const PodFluid& p : e.pods) {
      endpoints += p.in_endpoints;
      refusing += p.in_endpoints && p.refusing;
    }
    const double share = endpoints > 0 ? arrived / endpoints : 0;
    out.connection_errors[ei] = endpoints == 0 ? arrived : share * refusing;
    const double rate = share / seconds;
    const double hold = e.hold_seconds(), scv = e.hold_scv();
    steady.clear();
    double completed = 0;
    for (std::size_t k = 0; k < e.pods.size(); ++k) {
      const PodFluid& p = e.pods[k];
      const bool fed = p.in_endpoints && !p.refusing;
      if (!fed && p.content == 0) continue;
      const FluidQueue& q = p.queue;
      QueueSteadyState idle{.accepted_rate = 0, .sojourn_seconds = hold};  // not fed: drains
      const QueueSteadyState* state = &idle;
      if (fed) {
        auto it = std::find_if(steady.begin(), steady.end(), [&](const Steady& s) {
          return s.workers == q.workers && s.capacity == q.capacity;
        });
        if (it == steady.end()) {
          steady.push_back(
              {q.workers, q.capacity, queue_steady_state(rate, q.workers, hold, scv, q.capacity)});
          it = steady.end() - 1;
        }
        state = &it->state;
      }
      out.pods[ei][k] = advance_fluid_queue(q, p.content, fed ? rate : 0, *state, seconds);
      completed += out.pods[ei][k].completed;
    }
    // Calls leave when the caller's own work is done; in the fluid limit the
    // callee sees the caller's completions over the interval, thinned by p.
    for (const Call& c : e.calls)
      out.calls_in[c.entry] += c.probability * completed;
  }
}

void FluidTraffic::Impl::advance(SimTime t) {
  if (t <= last_) return;
  compute(last_, t, flows_);
  const double seconds = (t - last_).to_seconds();
  for (uint32_t ei = 0; ei < entries_.size(); ++ei) {
    Entry& e = entries_[ei];
    e.arrived += flows_.arrived[ei];
    e.connection_errors += flows_.connection_errors[ei];
    for (std::size_t k = 0; k < e.pods.size(); ++k) {
      PodFluid& p = e.pods[k];
      const FluidQueueFlow& f = flows_.pods[ei][k];
      if (p.in_endpoints && !p.refusing) {
        e.pod_seconds += seconds;
        e.worker_seconds += seconds * p.queue.workers;
      }
      p.content = f.content;
      e.completed += f.completed;
      e.rejected += f.rejected;
      e.busy_worker_seconds += f.busy_worker_seconds;
      e.latency_sum_seconds += f.latency_sum_seconds;
      if (f.completed > 0) {
        if (cpu_.size() <= p.pod.value) cpu_.resize(p.pod.value + 1, 0.0);
        cpu_[p.pod.value] += f.completed * e.cpu_per_request_seconds;
      }
    }
    // A pod out of the endpoints that has drained is forgotten.
    std::erase_if(e.pods, forgettable);
  }
  last_ = t;
  ++version_;
  for (Entry& e : entries_)
    e.outside.advance_to(t);
}

void FluidTraffic::Impl::publish_step() {
  for (Entry& e : entries_) {
    double in_flight = 0;
    for (const PodFluid& p : e.pods)
      in_flight += p.content;
    const double latency = e.completed > 0 ? e.latency_sum_seconds / e.completed : 0;
    // The pods and workers that served, averaged over the step and rounded:
    // workers * step is the capacity a reader divides busy time by, right
    // to half a worker even while a rollout replaces every pod.
    const double length = (last_ - step_start_).to_seconds();
    const auto average = [&](double x) {
      return length > 0 ? static_cast<int32_t>(std::llround(x / length)) : 0;
    };
    const int32_t pods = average(e.pod_seconds), workers = average(e.worker_seconds);
    e.last_mean_latency_seconds = latency;
    records_->publish(FluidTrafficRecord{.from = step_start_,
                                         .to = last_,
                                         .service = e.index,
                                         .arrived = e.arrived,
                                         .completed = e.completed,
                                         .rejected = e.rejected,
                                         .connection_errors = e.connection_errors,
                                         .busy_worker_seconds = e.busy_worker_seconds,
                                         .mean_latency_seconds = latency,
                                         .in_flight = in_flight,
                                         .pods = pods,
                                         .workers = workers});
    e.arrived = e.completed = e.rejected = e.connection_errors = 0;
    e.busy_worker_seconds = e.latency_sum_seconds = 0;
    e.pod_seconds = e.worker_seconds = 0;
  }
}

// The time a request spends in its calls: each sequential call with
// probability p adds p W; the parallel ones together add E[max], which for
// latencies taken as their means W_1 >= W_2 >= ... is
// sum_k W_k p_k prod_{j<k} (1 - p_j) (the longest call that is made).
void FluidTraffic::Impl::update_downstream() {
  for (auto it = order_.rbegin(); it != order_.rend(); ++it) {
    Entry& e = entries_[*it];
    double sequential = 0;
    std::vector<std::pair<double, double>> parallel;  // (W, p)
    for (const Call& c : e.calls) {
      const Entry& callee = entries_[c.entry];
      // A callee that completed nothing this step has no latency to go by.
      const double w = callee.last_mean_latency_seconds > 0 ? callee.last_mean_latency_seconds
                                                            : callee.hold_seconds();
      if (c.parallel) {
        parallel.emplace_back(w, c.probability);
      } else {
        sequential += c.probability * w;
      }
    }
    std::sort(parallel.begin(), parallel.end(), std::greater<>());
    double longest = 0, none_longer = 1;
    for (const auto& [w, p] : parallel) {
      longest += w * p * none_longer;
      none_longer *= 1 - p;
    }
    e.downstream_seconds = sequential + longest;
    for (PodFluid& p : e.pods)
      p.queue.mean_hold_seconds = e.hold_seconds();
  }
  ++version_;
}

// Only a Service that selects the pod can have changed: the other lists are
// not compared (a large run has many pod writes and long lists).
void FluidTraffic::Impl::on_pod_watch(const WatchEvent& w) {
  const Pod& pod = api_->objects().pods[w.index];
  const auto& services = api_->objects().services;
  for (const Entry& e : entries_) {
    if (service_selects(services[e.service], pod)) {
      sync_endpoints();
      return;
    }
  }
}

void FluidTraffic::Impl::sync_endpoints() {
  bool changed = false;
  for (const Entry& e : entries_)
    changed = changed || proxies_->endpoints(e.service) != e.endpoints;
  if (!changed) return;
  advance(ctx_.now());
  for (Entry& e : entries_) {
    const std::vector<PodId>& now = proxies_->endpoints(e.service);
    if (now == e.endpoints) continue;
    e.endpoints = now;
    std::vector<PodId> sorted = now;
    std::sort(sorted.begin(), sorted.end());
    // Merge: pods that stay keep their content; new ones start empty; those
    // that left keep draining what they hold (docs/fluid-mode.md).
    std::vector<PodFluid> merged;
    merged.reserve(sorted.size() + e.pods.size());
    auto old = e.pods.begin();
    for (PodId id : sorted) {
      for (; old != e.pods.end() && old->pod < id; ++old) {
        old->in_endpoints = false;
        merged.push_back(*old);
      }
      if (old != e.pods.end() && old->pod == id) {
        old->in_endpoints = true;
        merged.push_back(*old++);
      } else {
        merged.push_back(make_pod(e, id));
        merged.back().in_endpoints = true;
      }
    }
    for (; old != e.pods.end(); ++old) {
      old->in_endpoints = false;
      merged.push_back(*old);
    }
    std::erase_if(merged, forgettable);
    e.pods = std::move(merged);
  }
  ++version_;
}

void FluidTraffic::Impl::fail(Entry& e, PodFluid& p) {
  e.connection_errors += p.content;
  p.content = 0;
  p.refusing = true;
}

void FluidTraffic::Impl::on_pod_record(const PodRecord& r) {
  bool stops = false, refuses = false, serves = false;
  switch (r.event) {
    case PodEvent::kCrashed:    // a container exited with an error
    case PodEvent::kKilling:    // liveness or startup failure: killed
    case PodEvent::kFailed:     // finished
    case PodEvent::kSucceeded:  // finished
    case PodEvent::kDeleted:    // gone
      stops = true;
      break;
    case PodEvent::kNotReady:  // "NodeDown": the machine died with its containers
      if (r.detail != "NodeDown") return;
      stops = true;
      break;
    case PodEvent::kTerminating:  // deletion requested: new connections refused
      refuses = true;
      break;
    case PodEvent::kStarted:
    case PodEvent::kRestarted:
    case PodEvent::kReady:
      serves = true;
      break;
    default:
      return;
  }
  bool touched = false;
  for (Entry& e : entries_)
    touched = touched || e.find(r.pod->id) != nullptr;
  if (!touched) return;
  advance(ctx_.now());
  for (Entry& e : entries_) {
    PodFluid* p = e.find(r.pod->id);
    if (!p) continue;
    if (stops) fail(e, *p);
    if (refuses) p->refusing = true;
    if (serves) p->refusing = !r.pod->active() || r.pod->status.terminating;
  }
  ++version_;
}

void FluidTraffic::Impl::on_node_record(const NodeRecord& r) {
  if (r.event != NodeEvent::kCrashed) return;  // the machine and its containers are gone
  advance(ctx_.now());
  const auto& pods = api_->objects().pods;
  for (Entry& e : entries_)
    for (PodFluid& p : e.pods)
      if (pods[p.pod.value].node == r.node->id) fail(e, p);
  ++version_;
}

double FluidTraffic::Impl::cpu_seconds(PodId pod) const {
  double cpu = pod.value < cpu_.size() ? cpu_[pod.value] : 0;
  const SimTime now = ctx_.now();
  if (!started_ || now <= last_) return cpu;
  // Between events: the work of [last_, now) as it will be applied, computed
  // once per instant for every pod.
  if (peek_at_ != now || peek_version_ != version_) {
    compute(last_, now, peek_);
    peek_at_ = now;
    peek_version_ = version_;
  }
  for (uint32_t ei = 0; ei < entries_.size(); ++ei) {
    const std::vector<PodFluid>& pods = entries_[ei].pods;
    auto it = std::lower_bound(pods.begin(), pods.end(), pod,
                               [](const PodFluid& p, PodId v) { return p.pod < v; });
    if (it != pods.end() && it->pod == pod)
      cpu += peek_.pods[ei][it - pods.begin()].completed * entries_[ei].cpu_per_request_seconds;
  }
  return cpu;
}

FluidTraffic::FluidTraffic(ApiServer& api, KubeProxies& proxies,
                           const std::vector<TrafficSpec>& traffic, std::vector<uint32_t> entries,
                           std::vector<uint32_t> service_index, Duration step)
    : impl_(std::make_unique<Impl>(api, proxies, traffic, entries, service_index, step)) {}

FluidTraffic::~FluidTraffic() = default;

void FluidTraffic::start() {
  impl_->start();
}

double FluidTraffic::cpu_seconds(PodId pod) const {
  return impl_->cpu_seconds(pod);
}

}  // namespace kubesim
