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

class PluginTestCluster {
 public:
  void add_node(Node n) { objects_.add_node(std::move(n)); }
  void add_pod(Pod p) { objects_.add_pod(std::move(p)); }
  // Built on first use; add nothing afterwards (the snapshot borrows the objects).
  const Snapshot& snapshot() {
    if (!snapshot_) snapshot_ = std::make_unique<Snapshot>(Snapshot::build(objects_));
    return *snapshot_;
  }

 private:
  ClusterObjects objects_;
  std::unique_ptr<Snapshot> snapshot_;
};

// PreFilter once, then Filter on every node (Skip: every node passes; a
// PreFilter failure fails every node).
inline std::vector<Status> run_filter(Plugin& plugin, const Pod& pod, const Snapshot& snapshot) {
  CycleState state;
  const Status pre = plugin.pre_filter(state, pod, snapshot);
  std::vector<Status> out;
  for (const NodeInfo& n : snapshot.nodes()) {
    if (pre.skip()) {
      out.emplace_back();
    } else if (!pre.ok()) {
      out.push_back(pre);
    } else {
      out.push_back(plugin.filter(state, pod, n));
    }
  }
  return out;
}

struct ScoreRun {
  Status pre_score;
  std::vector<int64_t> raw;
  std::vector<int64_t> normalized;
};

// PreScore over all nodes, Score per node, NormalizeScore over the list. With
// run_pre_score false, Score runs on an empty CycleState (Kubernetes'
// "PreScore not called" cases).
inline ScoreRun run_score(Plugin& plugin, const Pod& pod, const Snapshot& snapshot,
                          bool run_pre_score = true) {
  std::vector<const NodeInfo*> feasible;
  for (const NodeInfo& n : snapshot.nodes())
    feasible.push_back(&n);
  CycleState state;
  ScoreRun r;
  if (run_pre_score) {
    r.pre_score = plugin.pre_score(state, pod, snapshot, feasible);
    if (!r.pre_score.ok()) return r;
  }
  for (const NodeInfo* n : feasible)
    r.raw.push_back(plugin.score(state, pod, *n));
  r.normalized = r.raw;
  plugin.normalize_scores(state, pod, r.normalized);
  return r;
}

}  // namespace kubesim::plugin_test
