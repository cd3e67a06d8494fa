// A test cluster for the controller tests: a Simulation, nodes, an ApiServer
// and a tiny stand-in for kube-scheduler and the kubelets (FakeNodes), which
//   - binds a pending pod when its Added event arrives: to the node its
//     required affinity names (metadata.name In [node], as DaemonSet pods
//     ask), else round-robin over the schedulable nodes;
//   - start_delay after binding marks it Running and, if becomes_ready(pod),
//     Ready (ready_since = now); if finishes(pod) says so, the pod ends in
//     the given phase that long after starting (Job pods);
//   - stop_delay after a pod turns terminating removes it (the kubelet
//     finishing a graceful deletion).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "models/apiserver/api_server.h"
#include "sim/simulation.h"

namespace kubesim::testing {

struct Finish {
  PodPhase phase = PodPhase::kSucceeded;
  Duration after;  // after the pod started
};

class FakeNodes {
 public:
  explicit FakeNodes(ApiServer& api) : api_(api) {
    api_.watch(Kind::kPod, [this](const WatchEvent& e) { on_pod(e); });
  }

  Duration start_delay = Duration::seconds(2);
  Duration stop_delay = Duration::seconds(1);
  // Per-pod delays, when set (override the two above).
  std::function<Duration(const Pod&)> start_delay_for;
  std::function<Duration(const Pod&)> stop_delay_for;
  std::function<bool(const Pod&)> becomes_ready = [](const Pod&) { return true; };
  std::function<std::optional<Finish>(const Pod&)> finishes = [](const Pod&) {
    return std::optional<Finish>{};
  };

 private:
  const Pod& pod(uint32_t i) const { return api_.objects().pods[i]; }

  void on_pod(const WatchEvent& e) {
    const Pod& p = pod(e.index);
    if (p.status.deleted) return;
    if (p.status.terminating) {
      if (stopping_.insert(e.index).second) {
        api_.context().schedule(stop_delay_for ? stop_delay_for(p) : stop_delay,
                                [this, i = e.index] {
                                  if (!pod(i).status.deleted) api_.remove_pod(PodId{i});
                                });
      }
      return;
    }
    if (p.node.valid() || !p.active() || bound_.count(e.index) != 0) return;
    const std::optional<NodeId> node = choose(p);
    if (!node || !api_.bind(p.id, *node)) return;
    bound_.insert(e.index);
    api_.context().schedule(start_delay_for ? start_delay_for(p) : start_delay,
                            [this, i = e.index] { start(i); });
  }

  std::optional<NodeId> choose(const Pod& p) {
    const auto& nodes = api_.objects().nodes;
    for (const NodeSelectorTerm& t : p.spec.node_affinity.required) {
      for (const SelectorRequirement& r : t.match_fields) {
        if (r.key != "metadata.name" || r.values.empty()) continue;
        const Node* n = api_.objects().find_node(r.values[0]);
        if (n == nullptr || n->deleted) return std::nullopt;
        return n->id;
      }
    }
    for (size_t tries = 0; tries < nodes.size(); ++tries) {
      const Node& n = nodes[next_++ % nodes.size()];
      if (!n.deleted && !n.unschedulable) return n.id;
    }
    return std::nullopt;
  }

  void start(uint32_t i) {
    const Pod& p = pod(i);
    if (p.status.deleted || p.status.terminating || !p.active()) return;
    const bool ready = becomes_ready(p);
    api_.update_pod(p.id, 0, [&](Pod& x) {
      x.phase = PodPhase::kRunning;
      x.status.started = api_.now();
      if (ready) {
        x.status.ready = true;
        x.status.ready_since = api_.now();
      }
    });
    if (const std::optional<Finish> f = finishes(p)) {
      const PodPhase phase = f->phase;
      api_.context().schedule(f->after, [this, i, phase] {
        const Pod& q = pod(i);
        if (q.status.deleted || q.status.terminating || !q.active()) return;
        api_.update_pod(q.id, 0, [&](Pod& x) {
          x.phase = phase;
          x.status.ready = false;
        });
      });
    }
  }

  ApiServer& api_;
  size_t next_ = 0;
  std::unordered_set<uint32_t> bound_;
  std::unordered_set<uint32_t> stopping_;
};

inline Node make_node(const std::string& name, Labels labels = {}, std::vector<Taint> taints = {}) {
  Node n;
  n.name = name;
  n.labels = std::move(labels);
  n.labels[kLabelHostname] = name;
  n.capacity.milli_cpu = 64'000;
  n.capacity.memory = int64_t{256} << 30;
  n.capacity.pods = 110;
  n.allocatable = n.capacity;
  n.taints = std::move(taints);
  return n;
}

inline PodTemplate make_template(const std::string& app, const std::string& image) {
  PodTemplate t;
  t.metadata.labels["app"] = app;
  Container c;
  c.name = "main";
  c.image = image;
  c.requests.milli_cpu = 100;
  c.requests.memory = 64 << 20;
  c.has_cpu_request = c.has_memory_request = true;
  t.spec.containers.push_back(std::move(c));
  return t;
}

// A Simulation, nodes, an ApiServer and FakeNodes, wired in that order.
struct Cluster {
  explicit Cluster(int node_count) {
    for (int i = 0; i < node_count; ++i)
      objects.add_node(make_node("node-" + std::to_string(i)));
    api = std::make_unique<ApiServer>(sim.context(), objects);
    fake = std::make_unique<FakeNodes>(*api);
  }
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  void run_until(Duration d) { sim.run_until(SimTime::zero() + d); }
  // Runs event by event until `d`, calling check() after every event.
  template <class F>
  void run_checked(Duration d, F&& check) {
    bool stop = false;
    sim.schedule_at(SimTime::zero() + d, [&stop] { stop = true; });
    while (!stop && sim.step())
      check();
  }

  Simulation sim{7};
  ClusterObjects objects;
  std::unique_ptr<ApiServer> api;
  std::unique_ptr<FakeNodes> fake;
};

}  // namespace kubesim::testing
