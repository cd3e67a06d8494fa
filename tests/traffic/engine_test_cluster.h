// A small cluster for the traffic engine's tests: the kubelet tests' cluster
// (5 ms watch latency, container start 1 s), Services selecting pods by
// label "app", kube-proxies with no propagation lag unless asked, the
// TrafficEngine, and every traffic record kept.
//
//   EngineTestCluster c;                       // one node
//   c.add_service("web");
//   PodId p = c.add_pod("web");                // running and Ready at t = 0
//   c.boot({c.replay("web", {0ms, 2ms}, "fixed(10ms)")});
//   c.run_for(Duration::seconds(1));
//   CHECK(c.latencies(0) == ...);
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "models/proxy/kube_proxy.h"
#include "models/records.h"
#include "models/traffic/traffic_engine.h"
#include "tests/kubelet/kubelet_test_cluster.h"

namespace kubesim::traffic_test {

using kubelet_test::KubeletTestCluster;

inline Duration ms(int64_t v) {
  return Duration::millis(v);
}
inline SimTime at_ms(int64_t v) {
  return SimTime::zero() + Duration::millis(v);
}
inline DurationDistribution dist(const char* text) {
  auto d = parse_duration_distribution(text);
  REQUIRE(d);
  return *d;
}

struct PodEventRecord {
  SimTime t;
  uint32_t service;
  PodId pod;
  PodRequestEvent event;
  Duration wait;
  Duration busy;
  double cpu_seconds;
};

class EngineTestCluster {
 public:
  explicit EngineTestCluster(int nodes = 1, uint64_t seed = 1)
      : c(nodes, kubelet_test::test_config(), seed) {
    for (auto& n : c.objects.nodes)
      n.images.push_back({{"app:1"}, 1});
  }

  void add_service(const std::string& name) {
    Service s;
    s.metadata.name = name;
    s.selector["app"] = name;
    c.objects.services.push_back(std::move(s));
  }
  // A pod of the Service, bound to the node and running (the kubelets take
  // it over at boot: Ready from t = 0).
  PodId add_pod(const std::string& service, std::map<std::string, std::string> annotations = {},
                uint32_t node = 0) {
    Pod p = KubeletTestCluster::make_pod(service + "-" + std::to_string(c.objects.pods.size()),
                                         "app:1");
    p.labels["app"] = service;
    p.annotations = std::move(annotations);
    p.node = NodeId{node};
    p.spec.node_name = c.objects.nodes[node].name;
    p.phase = PodPhase::kRunning;
    return c.objects.add_pod(std::move(p));
  }

  // Outside requests at start + each offset (replay of timestamps).
  static TrafficSpec replay(const std::string& service, std::vector<Duration> offsets,
                            const char* service_time, Duration start = Duration::zero()) {
    TrafficSpec t;
    t.where = "test:1";
    t.service = service;
    t.arrival.process = ArrivalSpec::Process::kReplay;
    t.arrival.timestamps = std::move(offsets);
    t.start = start;
    t.service_time = dist(service_time);
    return t;
  }
  // A Service only called by others.
  static TrafficSpec called(const std::string& service, const char* service_time) {
    TrafficSpec t;
    t.where = "test:1";
    t.service = service;
    t.service_time = dist(service_time);
    return t;
  }

  void boot(std::vector<TrafficSpec> traffic, KubeProxyConfig proxy = no_lag()) {
    c.boot();
    proxies = std::make_unique<KubeProxies>(*c.api, proxy);
    auto e = TrafficEngine::create(*c.api, *c.kubelets, *proxies, traffic);
    if (!e) FAIL(e.error().message);
    engine = std::move(*e);
    ObserverBus& bus = c.sim.bus();
    bus.topic<RequestArrivedRecord>().subscribe(
        [this](const RequestArrivedRecord& r) { arrived.push_back(r); });
    bus.topic<RequestEndedRecord>().subscribe(
        [this](const RequestEndedRecord& r) { ended.push_back(r); });
    bus.topic<PodRequestRecord>().subscribe([this](const PodRequestRecord& r) {
      pod_events.push_back({r.t, r.service, r.pod->id, r.event, r.wait, r.busy, r.cpu_seconds});
    });
    proxies->start();
    engine->start();
  }
  static KubeProxyConfig no_lag() {
    KubeProxyConfig k;
    k.propagation_delay = DurationDistribution::fixed(Duration::zero());
    return k;
  }

  void run_until(SimTime t) { c.sim.run_until(t); }
  void run_for(Duration d) { c.sim.run_until(c.sim.now() + d); }
  // Runs `f` at time t (inside the simulation).
  template <class F>
  void at(SimTime t, F f) {
    c.sim.schedule_at(t, std::move(f));
  }

  // ---- What the records say ----
  std::vector<const RequestEndedRecord*> ends(uint32_t service) const {
    std::vector<const RequestEndedRecord*> out;
    for (const auto& r : ended)
      if (r.service == service) out.push_back(&r);
    return out;
  }
  std::vector<Duration> latencies(uint32_t service) const {
    std::vector<Duration> out;
    for (const auto* r : ends(service))
      out.push_back(r->latency);
    return out;
  }
  std::vector<RequestOutcome> outcomes(uint32_t service) const {
    std::vector<RequestOutcome> out;
    for (const auto* r : ends(service))
      out.push_back(r->outcome);
    return out;
  }
  std::vector<PodEventRecord> pod_records(PodRequestEvent e) const {
    std::vector<PodEventRecord> out;
    for (const auto& r : pod_events)
      if (r.event == e) out.push_back(r);
    return out;
  }
  std::vector<Duration> waits() const {
    std::vector<Duration> out;
    for (const auto& r : pod_records(PodRequestEvent::kServed))
      out.push_back(r.wait);
    return out;
  }
  std::size_t count(PodRequestEvent e) const { return pod_records(e).size(); }

  KubeletTestCluster c;
  std::unique_ptr<KubeProxies> proxies;
  std::unique_ptr<TrafficEngine> engine;
  std::vector<RequestArrivedRecord> arrived;
  std::vector<RequestEndedRecord> ended;
  std::vector<PodEventRecord> pod_events;
};

}  // namespace kubesim::traffic_test
