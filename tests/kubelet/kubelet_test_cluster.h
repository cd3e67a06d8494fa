// A small cluster for the kubelet tests: a Simulation, nodes, an ApiServer
// with a 5 ms watch latency, the Kubelets, and every PodRecord kept.
//
//   KubeletTestCluster c;                 // one node "node-0", nothing cached
//   c.boot();
//   PodId id = c.bind_now(c.make_pod("web", "nginx:1.25"), c.node(0));
//   c.run_for(Duration::seconds(10));
//   CHECK(c.first(PodEvent::kStarted, "web") == c.at(Duration::millis(1005)));
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "models/apiserver/api_server.h"
#include "models/kubelet/kubelet.h"
#include "models/records.h"
#include "models/scenario/scenario.h"
#include "sim/simulation.h"

namespace kubesim::kubelet_test {

inline constexpr int64_t kMiB = 1024 * 1024;
inline constexpr Duration kWatch = Duration::millis(5);

// Pinned so that the expected times below do not depend on RuntimeConfig's
// defaults: start 1 s, pull 500 ms + size / 50 MiB/s, images 100 MiB.
inline RuntimeConfig test_config() {
  RuntimeConfig c;
  c.watch_latency = kWatch;
  c.container_start = DurationDistribution::fixed(Duration::seconds(1));
  c.image_pull_bytes_per_second = 50 * kMiB;
  c.image_pull_overhead = Duration::millis(500);
  c.default_image_size = 100 * kMiB;
  return c;
}

struct Record {
  SimTime t;
  PodEvent event;
  std::string pod;
  std::string detail;
};

class KubeletTestCluster {
 public:
  explicit KubeletTestCluster(int nodes = 1, RuntimeConfig config = test_config(),
                              uint64_t seed = 1)
      : sim(seed), config_(std::move(config)) {
    for (int i = 0; i < nodes; ++i)
      objects.add_node(make_node("node-" + std::to_string(i)));
  }

  static Node make_node(std::string name, int64_t milli_cpu = 4000, int64_t memory = 8192 * kMiB,
                        int64_t pods = 110) {
    Node n;
    n.name = std::move(name);
    n.allocatable.milli_cpu = milli_cpu;
    n.allocatable.memory = memory;
    n.allocatable.pods = pods;
    n.capacity = n.allocatable;
    n.labels[kLabelHostname] = n.name;
    return n;
  }

  static Pod make_pod(std::string name, std::string image, int64_t milli_cpu = 100,
                      int64_t memory = 128 * kMiB) {
    Pod p;
    p.name = std::move(name);
    Container c;
    c.name = "main";
    c.image = std::move(image);
    c.requests.milli_cpu = milli_cpu;
    c.requests.memory = memory;
    c.has_cpu_request = c.has_memory_request = true;
    p.spec.containers.push_back(std::move(c));
    return p;
  }

  // Builds the API server and the kubelets over `objects`, then start().
  void boot() {
    api = std::make_unique<ApiServer>(sim.context(), objects,
                                      ApiServerConfig{.watch_latency = config_.watch_latency});
    kubelets = std::make_unique<Kubelets>(*api, config_);
    sim.bus().topic<PodRecord>().subscribe([this](const PodRecord& r) {
      records.push_back({r.t, r.event, r.pod->name, std::string(r.detail)});
    });
    kubelets->start();
  }

  NodeId node(uint32_t i) const { return NodeId{i}; }
  const Node& node_object(uint32_t i) const { return api->objects().nodes[i]; }
  const Pod& pod(PodId id) const { return api->objects().pods[id.value]; }

  // Creates the pod now and binds it now.
  PodId bind_now(Pod p, NodeId n) {
    const PodId id = api->create_pod(std::move(p));
    REQUIRE(api->bind(id, n));
    return id;
  }
  // Creates the pod now and binds it at `t`.
  PodId bind_at(Duration t, Pod p, NodeId n) {
    const PodId id = api->create_pod(std::move(p));
    sim.schedule_at(at(t), [this, id, n] { api->bind(id, n); });
    return id;
  }
  void delete_at(Duration t, PodId id) {
    sim.schedule_at(at(t), [this, id] { api->delete_pod(id); });
  }

  void run_for(Duration d) { sim.run_until(sim.now() + d); }

  static SimTime at(Duration d) { return SimTime::zero() + d; }
  static SimTime at_ms(int64_t ms) { return at(Duration::millis(ms)); }

  // Times of the pod's records of one kind, in order.
  std::vector<SimTime> times(PodEvent e, const std::string& pod_name) const {
    std::vector<SimTime> out;
    for (const Record& r : records)
      if (r.event == e && r.pod == pod_name) out.push_back(r.t);
    return out;
  }
  SimTime first(PodEvent e, const std::string& pod_name) const {
    auto v = times(e, pod_name);
    return v.empty() ? SimTime::max() : v.front();
  }
  std::vector<PodEvent> events(const std::string& pod_name) const {
    std::vector<PodEvent> out;
    for (const Record& r : records)
      if (r.pod == pod_name) out.push_back(r.event);
    return out;
  }
  std::vector<std::string> details(PodEvent e, const std::string& pod_name) const {
    std::vector<std::string> out;
    for (const Record& r : records)
      if (r.event == e && r.pod == pod_name) out.push_back(r.detail);
    return out;
  }

  Simulation sim;
  ClusterObjects objects;
  std::unique_ptr<ApiServer> api;
  std::unique_ptr<Kubelets> kubelets;
  std::vector<Record> records;

 private:
  RuntimeConfig config_;
};

}  // namespace kubesim::kubelet_test
