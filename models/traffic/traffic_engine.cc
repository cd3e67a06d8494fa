// Request-mode traffic: the life of each request and of its attempts
// (traffic_engine.h, docs/traffic.md). Per request O(1) events: its arrival,
// its service end, and its timeout (cancelled when the answer comes first);
// state lives in slabs (requests.h) and events capture indexes.
#include "models/traffic/traffic_engine.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "models/traffic/arrivals.h"
#include "models/traffic/call_graph.h"
#include "models/traffic/fluid_traffic.h"
#include "models/traffic/pod_server.h"
#include "models/traffic/requests.h"

namespace kubesim {

using traffic::Attempt;
using traffic::CallGroup;
using traffic::kNone;
using traffic::PodServer;
using traffic::Request;
using traffic::Slab;
using Stage = traffic::Attempt::Stage;

namespace {

// The prefix of an entry's random streams: "traffic/<service>" (with the
// namespace when it is not "default"); a second entry of the same Service
// gets "#<index>", so that adding an entry perturbs no other entry's draws.
std::string stream_prefix(const std::vector<TrafficSpec>& traffic, std::size_t i) {
  const TrafficSpec& t = traffic[i];
  std::string name = "traffic/";
  if (t.namespace_ != "default") name += t.namespace_ + "/";
  name += t.service;
  for (std::size_t j = 0; j < i; ++j) {
    if (traffic[j].service == t.service && traffic[j].namespace_ == t.namespace_) {
      name += "#" + std::to_string(i);
      break;
    }
  }
  return name;
}

}  // namespace

struct TrafficEngine::Impl {
  struct Entry {
    uint32_t service = 0;  // in objects().services
    std::optional<ArrivalProcess> arrivals;
    RandomStream* rng_arrivals = nullptr;
    RandomStream* rng_clients = nullptr;
    RandomStream* rng_service = nullptr;
    RandomStream* rng_cpu = nullptr;
    RandomStream* rng_retries = nullptr;
    RandomStream* rng_calls = nullptr;
    std::vector<CallGroup> calls;
    int64_t in_flight = 0;  // requests of this entry alive now
  };

  Impl(ApiServer& a, Kubelets& k, KubeProxies& p, std::vector<TrafficSpec> t)
      : api(a),
        kubelets(k),
        proxies(p),
        ctx(a.context()),
        traffic(std::move(t)),
        arrived_topic(&ctx.bus().topic<RequestArrivedRecord>()),
        ended_topic(&ctx.bus().topic<RequestEndedRecord>()),
        pod_topic(&ctx.bus().topic<PodRequestRecord>()) {}

  // ---- Arrivals ----
  void schedule_arrival(uint32_t e);
  void on_arrival(uint32_t e);

  // ---- Requests and attempts ----
  uint32_t new_request(uint32_t e, bool external, uint64_t client, NodeId via, uint32_t parent);
  void start_attempt(uint32_t r);
  void attempt_failed(uint32_t r, RequestOutcome why);
  void end_request(uint32_t r, RequestOutcome outcome);
  void start_service(uint32_t a);
  void on_service_end(uint32_t a);
  void continue_calls(uint32_t a);
  void on_call_end(uint32_t parent, uint32_t parent_gen, RequestOutcome outcome);
  // The worker is done with the attempt: the pod answers (outcome) or, if
  // the app hangs, holds it.
  void respond(uint32_t a, RequestOutcome outcome);
  // The client has its result (or gave up): the connection closes.
  void client_result(uint32_t a, RequestOutcome outcome);
  void on_timeout(uint32_t a);
  void leave_pod(uint32_t a);
  void free_if_done(uint32_t a);
  // The pod's containers stopped: everything it holds fails.
  void abort_pod(PodId pod);

  // ---- Helpers ----
  NodeId entry_node(uint64_t client);
  bool accepts(PodId pod);
  // The pod's server, created on its first request (grows `servers`: hold
  // no PodServer reference across it).
  PodServer& server_for(PodId pod);
  // A pod that has had a request.
  PodServer& server(PodId pod) { return servers[pod.value]; }
  double in_service_cpu(const Attempt& x) const;
  void publish_pod(uint32_t e, PodId pod, PodRequestEvent ev, Duration wait = Duration::zero(),
                   Duration busy = Duration::zero(), double cpu = 0);

  ApiServer& api;
  Kubelets& kubelets;
  KubeProxies& proxies;
  Context ctx;
  std::vector<TrafficSpec> traffic;  // the entries' specs (arrivals point into them)
  std::vector<Entry> entries;
  Topic<RequestArrivedRecord>* arrived_topic;
  Topic<RequestEndedRecord>* ended_topic;
  Topic<PodRequestRecord>* pod_topic;
  Slab<Request> requests;
  Slab<Attempt> attempts;
  std::vector<PodServer> servers;  // by PodId
  std::unique_ptr<FluidTraffic> fluid;
};

// ---- Arrivals ----

void TrafficEngine::Impl::schedule_arrival(uint32_t e) {
  const SimTime t = entries[e].arrivals->next();
  if (t == SimTime::max()) return;
  ctx.schedule_at(std::max(t, ctx.now()), [this, e] { on_arrival(e); });
}

void TrafficEngine::Impl::on_arrival(uint32_t e) {
  schedule_arrival(e);  // one arrival event pending per entry
  const TrafficSpec& spec = traffic[e];
  const uint64_t clients = static_cast<uint64_t>(std::max<int32_t>(spec.clients, 1));
  const uint64_t client = clients == 1 ? 0 : entries[e].rng_clients->uniform_int(clients);
  arrived_topic->publish({ctx.now(), e, true});
  start_attempt(new_request(e, true, client, NodeId{}, kNone));
}

// ---- Requests and attempts ----

uint32_t TrafficEngine::Impl::new_request(uint32_t e, bool external, uint64_t client, NodeId via,
                                          uint32_t parent) {
  const uint32_t r = requests.add();
  Request& q = requests[r];
  q.arrived = ctx.now();
  q.client = client;
  q.entry = e;
  q.via = via;
  q.external = external;
  q.parent = parent;
  q.parent_gen = parent == kNone ? 0 : attempts[parent].gen;
  ++entries[e].in_flight;
  return r;
}

void TrafficEngine::Impl::start_attempt(uint32_t r) {
  Request& q = requests[r];
  ++q.attempts;
  const uint32_t e = q.entry;
  const uint32_t svc = entries[e].service;
  const NodeId via = q.external ? entry_node(q.client) : q.via;
  if (!via.valid()) return attempt_failed(r, RequestOutcome::kConnectionError);
  const PodId pod = proxies.pick(via, svc, q.client);
  if (!pod.valid()) return attempt_failed(r, RequestOutcome::kConnectionError);
  if (!accepts(pod)) {
    publish_pod(e, pod, PodRequestEvent::kRefused);
    proxies.closed(via, svc, pod);
    return attempt_failed(r, RequestOutcome::kConnectionError);
  }
  PodServer& s = server_for(pod);
  // FIFO: a request waits if anyone waits (or no worker is idle, or the
  // hung app takes no new work).
  const bool start_now = s.worker_idle() && s.queue_empty() && kubelets.app_answers(pod);
  if (!start_now && s.queue_full()) {
    publish_pod(e, pod, PodRequestEvent::kRejected);
    proxies.closed(via, svc, pod);
    return attempt_failed(r, RequestOutcome::kRejected);
  }
  const uint32_t a = attempts.add();
  Attempt& x = attempts[a];
  x.request = r;
  x.entry = e;
  x.pod = pod;
  x.via = via;
  x.accepted = ctx.now();
  x.client_waiting = true;
  x.pos = s.enter(a);
  if (traffic[e].timeout)
    x.timeout = ctx.schedule(*traffic[e].timeout, [this, a] { on_timeout(a); });
  publish_pod(e, pod, PodRequestEvent::kAccepted);
  if (start_now) {
    start_service(a);
  } else {
    s.enqueue(a);
  }
}

void TrafficEngine::Impl::attempt_failed(uint32_t r, RequestOutcome why) {
  const Request& q = requests[r];
  const TrafficSpec& spec = traffic[q.entry];
  if (q.attempts > spec.retry_attempts) return end_request(r, why);
  const Duration backoff = spec.retry_backoff.sample(*entries[q.entry].rng_retries);
  ctx.schedule(backoff, [this, r] { start_attempt(r); });
}

void TrafficEngine::Impl::end_request(uint32_t r, RequestOutcome outcome) {
  const Request q = requests[r];
  requests.remove(r);
  --entries[q.entry].in_flight;
  ended_topic->publish(
      {ctx.now(), q.entry, outcome, ctx.now() - q.arrived, q.attempts, q.external});
  if (q.parent != kNone) on_call_end(q.parent, q.parent_gen, outcome);
}

void TrafficEngine::Impl::start_service(uint32_t a) {
  Attempt& x = attempts[a];
  const Entry& entry = entries[x.entry];
  const TrafficSpec& spec = traffic[x.entry];
  server(x.pod).take_worker();
  x.stage = Stage::kServing;
  x.service_start = ctx.now();
  x.service = spec.service_time.sample(*entry.rng_service);
  x.cpu_seconds = spec.cpu_per_request ? spec.cpu_per_request->sample(*entry.rng_cpu).to_seconds()
                                       : x.service.to_seconds();
  x.service_end = ctx.schedule(x.service, [this, a] { on_service_end(a); });
}

void TrafficEngine::Impl::on_service_end(uint32_t a) {
  Attempt& x = attempts[a];
  x.service_end = {};
  server(x.pod).cpu_done += x.cpu_seconds;
  if (!kubelets.app_answers(x.pod)) {
    x.stage = Stage::kHeld;  // the work is done, the answer never comes
    return;
  }
  publish_pod(x.entry, x.pod, PodRequestEvent::kServed, x.service_start - x.accepted, x.service,
              x.cpu_seconds);
  x.next_group = 0;
  continue_calls(a);
}

void TrafficEngine::Impl::continue_calls(uint32_t a) {
  const uint32_t e = attempts[a].entry;
  const std::vector<CallGroup>& groups = entries[e].calls;
  while (attempts[a].next_group < groups.size()) {
    const CallGroup& group = groups[attempts[a].next_group++];
    std::vector<uint32_t> calls;
    for (const auto& call : group) {
      const bool made = call.probability >= 1 ||
                        (call.probability > 0 && entries[e].rng_calls->bernoulli(call.probability));
      if (!made) continue;
      // A call leaves through the calling pod's node, from the pod's address.
      const PodId pod = attempts[a].pod;
      const NodeId node = api.objects().pods[pod.value].node;
      calls.push_back(new_request(call.callee, false, pod.value, node, a));
    }
    if (calls.empty()) continue;
    Attempt& x = attempts[a];
    x.stage = Stage::kCalling;
    x.calls_pending = static_cast<uint32_t>(calls.size());
    x.call_failed = false;
    // A call may end at once (refused, no retry left) and move this attempt
    // on: only indexes are used from here.
    for (uint32_t r : calls) {
      arrived_topic->publish({ctx.now(), requests[r].entry, false});
      start_attempt(r);
    }
    return;
  }
  respond(a, RequestOutcome::kCompleted);
}

void TrafficEngine::Impl::on_call_end(uint32_t parent, uint32_t parent_gen,
                                      RequestOutcome outcome) {
  Attempt& x = attempts[parent];
  // The caller may be gone (its container stopped) or reused since.
  if (x.gen != parent_gen || x.stage != Stage::kCalling) return;
  if (outcome != RequestOutcome::kCompleted) x.call_failed = true;
  if (--x.calls_pending > 0) return;
  if (x.call_failed) return respond(parent, RequestOutcome::kDownstream);
  continue_calls(parent);
}

void TrafficEngine::Impl::respond(uint32_t a, RequestOutcome outcome) {
  const PodId pod = attempts[a].pod;
  if (!kubelets.app_answers(pod)) {
    attempts[a].stage = Stage::kHeld;
    return;
  }
  leave_pod(a);
  PodServer& s = server(pod);
  s.free_worker();
  // The worker takes the FIFO head (its client may have given up: the work
  // is done all the same).
  if (!s.queue_empty()) start_service(s.dequeue());
  if (attempts[a].client_waiting) client_result(a, outcome);
  free_if_done(a);
}

void TrafficEngine::Impl::client_result(uint32_t a, RequestOutcome outcome) {
  Attempt& x = attempts[a];
  x.client_waiting = false;
  ctx.cancel(x.timeout);
  x.timeout = {};
  proxies.closed(x.via, entries[x.entry].service, x.pod);
  const uint32_t r = x.request;
  x.request = kNone;
  if (outcome == RequestOutcome::kCompleted) return end_request(r, outcome);
  attempt_failed(r, outcome);
}

void TrafficEngine::Impl::on_timeout(uint32_t a) {
  Attempt& x = attempts[a];
  x.timeout = {};
  x.client_waiting = false;
  // The client gives up; the pod keeps the request (it does not know).
  proxies.closed(x.via, entries[x.entry].service, x.pod);
  const uint32_t r = x.request;
  x.request = kNone;
  attempt_failed(r, RequestOutcome::kTimeout);
}

void TrafficEngine::Impl::leave_pod(uint32_t a) {
  Attempt& x = attempts[a];
  const uint32_t moved = server(x.pod).leave(x.pos);
  if (moved != kNone) attempts[moved].pos = x.pos;
  x.pos = kNone;
  x.stage = Stage::kDone;
}

void TrafficEngine::Impl::free_if_done(uint32_t a) {
  const Attempt& x = attempts[a];
  if (!x.client_waiting && x.stage == Stage::kDone) attempts.remove(a);
}

void TrafficEngine::Impl::abort_pod(PodId pod) {
  if (pod.value >= servers.size()) return;
  PodServer& s = servers[pod.value];
  if (s.held().empty()) return;
  const std::vector<uint32_t> held = s.take_all();
  // First the pod lets go of everything, then the clients learn of it: a
  // client's reaction (its caller moving on) must find this pod empty.
  for (uint32_t a : held) {
    Attempt& x = attempts[a];
    if (x.stage == Stage::kServing) {
      ctx.cancel(x.service_end);
      x.service_end = {};
      s.cpu_done += in_service_cpu(x);  // burned until now
    }
    x.stage = Stage::kDone;
    x.pos = kNone;
  }
  for (uint32_t a : held) {
    publish_pod(attempts[a].entry, pod, PodRequestEvent::kAborted);
    if (attempts[a].client_waiting) client_result(a, RequestOutcome::kConnectionError);
    free_if_done(a);
  }
}

// ---- Helpers ----

NodeId TrafficEngine::Impl::entry_node(uint64_t client) {
  // Client c enters through node c mod N, or the next one whose machine is
  // up, in index order.
  const auto& nodes = api.objects().nodes;
  const auto n = static_cast<uint32_t>(nodes.size());
  if (n == 0) return NodeId{};
  uint32_t i = static_cast<uint32_t>(client % n);
  for (uint32_t k = 0; k < n; ++k) {
    if (!nodes[i].deleted && !kubelets.node_is_down(NodeId{i})) return NodeId{i};
    i = i + 1 == n ? 0 : i + 1;
  }
  return NodeId{};
}

bool TrafficEngine::Impl::accepts(PodId pod) {
  const auto& pods = api.objects().pods;
  if (pod.value >= pods.size()) return false;
  const Pod& p = pods[pod.value];
  // The kubelet's view decides the rest: containers running, no SIGTERM
  // yet, the app listening (Kubelets::app_accepts).
  return !p.status.deleted && p.node.valid() && kubelets.app_accepts(pod);
}

PodServer& TrafficEngine::Impl::server_for(PodId pod) {
  if (pod.value >= servers.size()) servers.resize(pod.value + 1);
  PodServer& s = servers[pod.value];
  if (!s.configured()) s = PodServer(api.objects().pods[pod.value]);
  return s;
}

double TrafficEngine::Impl::in_service_cpu(const Attempt& x) const {
  const Duration elapsed = ctx.now() - x.service_start;
  if (x.service <= Duration::zero() || elapsed >= x.service) return x.cpu_seconds;
  return x.cpu_seconds * (elapsed.to_seconds() / x.service.to_seconds());
}

void TrafficEngine::Impl::publish_pod(uint32_t e, PodId pod, PodRequestEvent ev, Duration wait,
                                      Duration busy, double cpu) {
  if (!pod_topic->has_subscribers()) return;
  pod_topic->publish({ctx.now(), e, &api.objects().pods[pod.value], ev, wait, busy, cpu});
}

// ---- TrafficEngine ----

Expected<std::unique_ptr<TrafficEngine>> TrafficEngine::create(
    ApiServer& api, Kubelets& kubelets, KubeProxies& proxies,
    const std::vector<TrafficSpec>& traffic) {
  auto plans = kubesim::traffic::plan_calls(traffic);
  if (!plans) return plans.error();
  auto impl = std::make_unique<Impl>(api, kubelets, proxies, traffic);
  const auto& services = api.objects().services;
  std::vector<uint32_t> service_index;
  std::vector<uint32_t> fluid_entries;
  for (std::size_t i = 0; i < impl->traffic.size(); ++i) {
    const TrafficSpec& t = impl->traffic[i];
    uint32_t svc = kNone;
    for (std::size_t k = 0; k < services.size() && svc == kNone; ++k) {
      if (services[k].metadata.name == t.service && services[k].metadata.namespace_ == t.namespace_)
        svc = static_cast<uint32_t>(k);
    }
    if (svc == kNone) {
      return Error{t.where + ": traffic for Service \"" + t.namespace_ + "/" + t.service +
                   "\", which does not exist"};
    }
    service_index.push_back(svc);
    if (t.fluid) fluid_entries.push_back(static_cast<uint32_t>(i));
  }
  Context ctx = api.context();
  impl->entries.resize(impl->traffic.size());
  for (std::size_t i = 0; i < impl->traffic.size(); ++i) {
    const TrafficSpec& t = impl->traffic[i];
    Impl::Entry& e = impl->entries[i];
    const std::string prefix = stream_prefix(impl->traffic, i);
    e.service = service_index[i];
    e.calls = std::move((*plans)[i]);
    proxies.track(e.service);
    if (t.fluid) continue;
    e.rng_arrivals = &ctx.rng(prefix + "/arrivals");
    e.rng_clients = &ctx.rng(prefix + "/clients");
    e.rng_service = &ctx.rng(prefix + "/service");
    e.rng_cpu = &ctx.rng(prefix + "/cpu");
    e.rng_retries = &ctx.rng(prefix + "/retries");
    e.rng_calls = &ctx.rng(prefix + "/calls");
    e.arrivals.emplace(t.arrival, t.start, *e.rng_arrivals);
  }
  if (!fluid_entries.empty()) {
    impl->fluid = std::make_unique<FluidTraffic>(api, proxies, impl->traffic,
                                                 std::move(fluid_entries), service_index);
  }
  Impl* raw = impl.get();
  proxies.set_load([raw](PodId pod) {
    return raw->servers.size() > pod.value
               ? static_cast<int32_t>(raw->servers[pod.value].held().size())
               : 0;
  });
  kubelets.watch_app([raw](PodId pod, Kubelets::AppChange change) {
    if (change == Kubelets::AppChange::kStopped) raw->abort_pod(pod);
  });
  return std::unique_ptr<TrafficEngine>(new TrafficEngine(std::move(impl)));
}

TrafficEngine::TrafficEngine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TrafficEngine::~TrafficEngine() = default;

void TrafficEngine::start() {
  for (uint32_t e = 0; e < impl_->entries.size(); ++e) {
    if (!impl_->traffic[e].fluid) impl_->schedule_arrival(e);
  }
  if (impl_->fluid) impl_->fluid->start();
}

double TrafficEngine::cpu_seconds(PodId pod) const {
  double total = impl_->fluid ? impl_->fluid->cpu_seconds(pod) : 0.0;
  if (pod.value >= impl_->servers.size()) return total;
  const PodServer& s = impl_->servers[pod.value];
  total += s.cpu_done;
  for (uint32_t a : s.held()) {
    const Attempt& x = impl_->attempts[a];
    if (x.stage == Stage::kServing) total += impl_->in_service_cpu(x);
  }
  return total;
}

int32_t TrafficEngine::requests_in(PodId pod) const {
  if (pod.value >= impl_->servers.size()) return 0;
  return static_cast<int32_t>(impl_->servers[pod.value].held().size());
}

int64_t TrafficEngine::requests_in_flight(uint32_t entry) const {
  if (entry >= impl_->entries.size()) return 0;
  return impl_->entries[entry].in_flight;
}

}  // namespace kubesim
