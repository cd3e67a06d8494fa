// A small cluster for fluid mode's tests: the kubelet tests' cluster (5 ms
// watch latency), Services selecting pods by label "app", kube-proxies, a
// FluidTraffic over every traffic entry, and every FluidTrafficRecord kept.
//
//   FluidTestCluster c;
//   c.add_service("web");
//   c.add_pod("web", {{"kubesim.io/concurrency", "2"}});   // Ready from t = 0
//   c.boot({FluidTestCluster::poisson("web", 48, "exponential(100ms)")});
//   c.run_for(Duration::seconds(100));
//   CHECK(c.records_of(0).size() == 10);
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "models/proxy/kube_proxy.h"
#include "models/records.h"
#include "models/traffic/fluid_traffic.h"
#include "tests/kubelet/kubelet_test_cluster.h"

namespace kubesim::fluid_test {

using kubelet_test::KubeletTestCluster;

inline DurationDistribution dist(const char* text) {
  auto d = parse_duration_distribution(text);
  REQUIRE(d);
  return *d;
}

class FluidTestCluster {
 public:
  explicit FluidTestCluster(int nodes = 1, uint64_t seed = 1)
      : c(nodes, kubelet_test::test_config(), seed) {
    for (auto& n : c.objects.nodes)
      n.images.push_back({{"app:1"}, 1});
  }

  // Returns the Service's index.
  uint32_t add_service(const std::string& name) {
    Service s;
    s.metadata.name = name;
    s.selector["app"] = name;
    c.objects.services.push_back(std::move(s));
    return static_cast<uint32_t>(c.objects.services.size() - 1);
  }
  // A pod of the Service, bound and running: Ready from t = 0.
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

  static TrafficSpec poisson(const std::string& service, double rate, const char* service_time) {
    TrafficSpec t;
    t.where = "test:1";
    t.service = service;
    t.fluid = true;
    t.arrival.process = ArrivalSpec::Process::kPoisson;
    t.arrival.rate_per_second = rate;
    t.service_time = dist(service_time);
    return t;
  }
  // Piecewise-constant rates: {offset from the start, rate}.
  static TrafficSpec schedule(const std::string& service,
                              std::vector<std::pair<Duration, double>> steps,
                              const char* service_time) {
    TrafficSpec t = poisson(service, 0, service_time);
    t.arrival.process = ArrivalSpec::Process::kSchedule;
    for (auto [at, rate] : steps)
      t.arrival.schedule.push_back({at, rate});
    return t;
  }
  static TrafficSpec called(const std::string& service, const char* service_time) {
    TrafficSpec t = poisson(service, 0, service_time);
    t.arrival.process = ArrivalSpec::Process::kNone;
    return t;
  }

  // Every entry is fluid; entry i's Service is the one named by it.
  void boot(std::vector<TrafficSpec> t, Duration step = Duration::seconds(10)) {
    traffic = std::move(t);
    c.boot();
    KubeProxyConfig k;
    k.propagation_delay = DurationDistribution::fixed(Duration::zero());
    proxies = std::make_unique<KubeProxies>(*c.api, k);
    std::vector<uint32_t> entries, services;
    for (uint32_t i = 0; i < traffic.size(); ++i) {
      entries.push_back(i);
      uint32_t s = 0;
      while (c.objects.services[s].metadata.name != traffic[i].service)
        ++s;
      services.push_back(s);
      proxies->track(s);
    }
    fluid = std::make_unique<FluidTraffic>(*c.api, *proxies, traffic, entries, services, step);
    c.sim.bus().topic<FluidTrafficRecord>().subscribe(
        [this](const FluidTrafficRecord& r) { records.push_back(r); });
    proxies->start();
    fluid->start();
  }

  void run_for(Duration d) { c.sim.run_until(c.sim.now() + d); }
  template <class F>
  void at(Duration t, F f) {
    c.sim.schedule_at(SimTime::zero() + t, std::move(f));
  }

  // The records of spec.traffic[entry].
  std::vector<FluidTrafficRecord> records_of(uint32_t entry) const {
    std::vector<FluidTrafficRecord> out;
    for (const auto& r : records)
      if (r.service == entry) out.push_back(r);
    return out;
  }

  KubeletTestCluster c;
  std::vector<TrafficSpec> traffic;
  std::unique_ptr<KubeProxies> proxies;
  std::unique_ptr<FluidTraffic> fluid;
  std::vector<FluidTrafficRecord> records;
};

}  // namespace kubesim::fluid_test
