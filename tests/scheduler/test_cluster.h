// Test helpers for the scheduler plugin tables: builders for nodes and pods in
// the spirit of Kubernetes' pkg/scheduler/testing wrappers (st.MakeNode(),
// st.MakePod().Req(...)), a cluster that owns them and builds the Snapshot,
// and runners that call a plugin the way the framework does: Filter only when
// PreFilter did not Skip; PreScore, Score per node, NormalizeScore over all.
//
//   PluginTestCluster c;
//   c.add_node(make_node("node1", cores(4000), 10000));
//   c.add_pod(make_pod().req(cores(3000), 5000).on("node1"));
//   ScoreRun r = run_score(*plugin, incoming, c.snapshot());
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "models/objects/cluster.h"
#include "models/scheduler/framework.h"
#include "tests/support/plugin_runner.h"

namespace kubesim::plugin_test {

// Kubernetes' test quantities: "cpu": "4000" is 4000 cores = 4,000,000 millicores.
inline int64_t cores(int64_t n) {
  return n * 1000;
}
inline constexpr int64_t kMiB = 1024 * 1024;

// st.MakeNode().Capacity(...) / noderesources makeNode(): capacity == allocatable.
inline Node make_node(std::string name, int64_t milli_cpu = 0, int64_t memory = 0,
                      std::vector<std::pair<std::string, int64_t>> scalars = {},
                      int64_t pods = 110) {
  Node n;
  n.name = std::move(name);
  n.allocatable.milli_cpu = milli_cpu;
  n.allocatable.memory = memory;
  n.allocatable.pods = pods;
  for (auto& [k, v] : scalars)
    n.allocatable.set_scalar(k, v);
  n.capacity = n.allocatable;
  n.labels[kLabelHostname] = n.name;
  return n;
}

// A container's requests; a field left nullopt is "not requested" (it gets
// the scheduler's non-zero default when scoring with the Fit strategies).
struct Req {
  std::optional<int64_t> milli_cpu;
  std::optional<int64_t> memory;
  std::vector<std::pair<std::string, int64_t>> scalars = {};
  int64_t ephemeral_storage = 0;
};

inline Container make_container(const Req& r, std::string image = "") {
  Container c;
  c.name = "c";
  c.image = std::move(image);
  if (r.milli_cpu) {
    c.requests.milli_cpu = *r.milli_cpu;
    c.has_cpu_request = true;
  }
  if (r.memory) {
    c.requests.memory = *r.memory;
    c.has_memory_request = true;
  }
  c.requests.ephemeral_storage = r.ephemeral_storage;
  for (const auto& [k, v] : r.scalars)
    c.requests.set_scalar(k, v);
  return c;
}

// Fluent pod builder: PodBuilder().req({...}).req({...}).on("node1").
class PodBuilder {
 public:
  explicit PodBuilder(std::string name = "pod") { pod_.name = std::move(name); }
  // st.MakePod().Req(): one more container with these requests.
  PodBuilder& req(const Req& r) {
    pod_.spec.containers.push_back(make_container(r));
    return *this;
  }
  PodBuilder& init_req(const Req& r) {
    pod_.spec.init_containers.push_back(make_container(r));
    return *this;
  }
  PodBuilder& image(std::string image) {
    pod_.spec.containers.push_back(make_container(Req{}, std::move(image)));
    return *this;
  }
  PodBuilder& init_image(std::string image) {
    pod_.spec.init_containers.push_back(make_container(Req{}, std::move(image)));
    return *this;
  }
  PodBuilder& on(std::string node) {
    pod_.spec.node_name = std::move(node);
    pod_.phase = PodPhase::kRunning;
    return *this;
  }
  PodBuilder& overhead(int64_t milli_cpu, int64_t memory) {
    pod_.spec.overhead.milli_cpu = milli_cpu;
    pod_.spec.overhead.memory = memory;
    return *this;
  }
  PodBuilder& toleration(Toleration t) {
    pod_.spec.tolerations.push_back(std::move(t));
    return *this;
  }
  // "TCP/127.0.0.1/8080"-style host ports, one container.
  PodBuilder& host_ports(const std::vector<ContainerPort>& ports) {
    Container c = make_container(Req{});
    c.ports = ports;
    pod_.spec.containers.push_back(std::move(c));
    return *this;
  }
  Pod& pod() { return pod_; }
  operator Pod() const { return pod_; }

 private:
  Pod pod_;
};

inline ContainerPort host_port(std::string protocol, std::string ip, int32_t port) {
  ContainerPort p;
  p.container_port = port;
  p.host_port = port;
  p.protocol = std::move(protocol);
  p.host_ip = std::move(ip);
  return p;
}

using PluginTestCluster = test_support::TestCluster;
using test_support::run_filter;
using test_support::run_score;
using test_support::ScoreRun;

}  // namespace kubesim::plugin_test
