// A small cluster for the kube-proxy tests: a Simulation, nodes, an ApiServer
// with a 5 ms watch latency and KubeProxies. Pods are written straight
// through the API server (no scheduler, no kubelet), so every time in a test
// is the time of a write plus the watch latency plus a node's lag.
//
//   ProxyTestCluster c(/*nodes=*/2, fixed_lag(Duration::seconds(1)));
//   const uint32_t web = c.add_service("web", {{"app", "web"}});
//   const PodId a = c.add_ready_pod("a", {{"app", "web"}});
//   c.start();                              // a is an endpoint from time zero
//   c.run_to(Duration::seconds(10));
//   c.api->delete_pod(a);                   // terminating at 10 s
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <ostream>
#include <string>

#include <catch2/catch.hpp>

#include "models/apiserver/api_server.h"
#include "models/proxy/kube_proxy.h"
#include "sim/simulation.h"

namespace kubesim {
// For Catch's messages.
inline std::ostream& operator<<(std::ostream& o, PodId p) {
  return p.valid() ? o << "pod#" << p.value : o << "no pod";
}
}  // namespace kubesim

namespace kubesim::proxy_test {

inline constexpr Duration kWatch = Duration::millis(5);

inline KubeProxyConfig fixed_lag(Duration lag, LoadBalancing lb = LoadBalancing::kRandom) {
  KubeProxyConfig c;
  c.propagation_delay = DurationDistribution::fixed(lag);
  c.load_balancing = lb;
  return c;
}

inline SimTime at(Duration d) {
  return SimTime::zero() + d;
}

class ProxyTestCluster {
 public:
  explicit ProxyTestCluster(int nodes = 1, KubeProxyConfig config = fixed_lag(Duration::zero()),
                            uint64_t seed = 1)
      : sim(seed) {
    for (int i = 0; i < nodes; ++i) {
      Node n;
      n.name = "node-" + std::to_string(i);
      n.labels[kLabelHostname] = n.name;
      n.allocatable.milli_cpu = 64'000;
      n.allocatable.memory = int64_t{256} << 30;
      n.allocatable.pods = 1000;
      n.capacity = n.allocatable;
      objects.add_node(std::move(n));
    }
    api = std::make_unique<ApiServer>(sim.context(), objects,
                                      ApiServerConfig{.watch_latency = kWatch});
    proxies = std::make_unique<KubeProxies>(*api, config);
  }

  static Service make_service(const std::string& name, Labels selector,
                              std::map<std::string, std::string> annotations = {},
                              const std::string& ns = "default") {
    Service s;
    s.metadata.name = name;
    s.metadata.namespace_ = ns;
    s.metadata.annotations = std::move(annotations);
    s.selector = std::move(selector);
    return s;
  }
  // Creates the Service and has the kube-proxies track it; returns its index.
  uint32_t add_service(Service s) {
    api->create_service(std::move(s));
    const auto index = static_cast<uint32_t>(objects.services.size() - 1);
    proxies->track(index);
    return index;
  }
  uint32_t add_service(const std::string& name, Labels selector,
                       std::map<std::string, std::string> annotations = {},
                       const std::string& ns = "default") {
    return add_service(make_service(name, std::move(selector), std::move(annotations), ns));
  }
  Service& service(uint32_t index) { return objects.services[index]; }

  // A pod created now, not bound.
  PodId add_pod(const std::string& name, Labels labels, const std::string& ns = "default") {
    Pod p;
    p.name = name;
    p.namespace_ = ns;
    p.labels = std::move(labels);
    return api->create_pod(std::move(p));
  }
  // Bound to `node`, Running and Ready, all now.
  PodId add_ready_pod(const std::string& name, Labels labels, uint32_t node = 0,
                      const std::string& ns = "default") {
    const PodId id = add_pod(name, std::move(labels), ns);
    REQUIRE(api->bind(id, NodeId{node}));
    set_ready(id, true);
    return id;
  }
  void set_ready(PodId id, bool ready) {
    REQUIRE(api->update_pod(id, 0, [&](Pod& p) {
      p.phase = PodPhase::kRunning;
      p.status.ready = ready;
    }));
  }

  void start() { proxies->start(); }
  void run_to(Duration d) { sim.run_until(at(d)); }
  void run_to(SimTime t) { sim.run_until(t); }

  bool in_view(uint32_t node, uint32_t service, PodId pod) {
    for (const PodId p : proxies->view(NodeId{node}, service))
      if (p == pod) return true;
    return false;
  }
  bool is_endpoint(uint32_t service, PodId pod) const {
    for (const PodId p : proxies->endpoints(service))
      if (p == pod) return true;
    return false;
  }

  Simulation sim;
  ClusterObjects objects;
  std::unique_ptr<ApiServer> api;
  std::unique_ptr<KubeProxies> proxies;
};

}  // namespace kubesim::proxy_test
