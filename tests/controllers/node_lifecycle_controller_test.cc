// Node heartbeats, the node lifecycle controller and taint-based eviction.
//
// Defaults behind every instant below (RuntimeConfig, KUBERNETES.md): leases
// renewed every 10 s from t = 0 (R), monitor pass every 5 s from t = 0 (P),
// grace period 50 s, watch latency 5 ms (L), tainting pass every 100 ms,
// eviction QPS 0.1 per zone (burst 1), default tolerationSeconds 300.
//
// The worked example (stop at 100 s), used throughout:
//   renewals at 0, 10, ..., 90; the one at 100 s does not happen (stop wins
//   the tie); 90 s is visible at 90.005 s, first seen by the pass at 95 s:
//   probeTimestamp 95 s. Stale at the first pass after 95 + 50 = 145 s:
//   150 s -> NodeNotReady, PodMarkedNotReady. processTaintBaseEviction sees
//   the Unknown condition at the next pass, 155 s -> tainting queue; the
//   tainting pass at 155.1 s has a token -> NodeTainted. The taint eviction
//   controller sees it at 155.105 s -> pods with the default toleration are
//   evicted at 155.105 + 300 = 455.105 s.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <random>
#include <string>
#include <vector>

#include "models/controllers/node_lifecycle_controller.h"
#include "models/controllers/replica_set_controller.h"
#include "models/controllers/taint_eviction_controller.h"
#include "models/kubelet/node_lease.h"
#include "tests/controllers/fake_cluster.h"

using namespace kubesim;
using kubesim::testing::FakeNodes;
using kubesim::testing::make_node;
using kubesim::testing::make_template;

namespace {

SimTime at_s(double s) {
  return SimTime::zero() + Duration::from_seconds(s);
}

struct Recorded {
  SimTime t;
  std::string what;    // "PodEvicted", "NodeTainted", ...
  std::string object;  // pod key or node name
  std::string detail;
};

// A cluster with node heartbeats and both controllers. Nodes are named
// "<zone>-<i>" and labelled with their zone; the fake kubelets finish a
// graceful deletion 1 s after it, but only on a node whose kubelet runs.
struct World {
  World(std::vector<std::pair<std::string, int>> zones, RuntimeConfig rc = {},
        ApiServerConfig ac = {}) {
    for (const auto& [zone, count] : zones)
      for (int i = 0; i < count; ++i)
        objects.add_node(make_node(zone + "-" + std::to_string(i), {{kLabelZone, zone}}));
    ac.watch_latency = rc.watch_latency;
    api = std::make_unique<ApiServer>(sim.context(), objects, ac);
    fake = std::make_unique<FakeNodes>(*api);
    leases = std::make_unique<NodeLeases>(*api, rc);
    nlc = std::make_unique<NodeLifecycleController>(*api, rc);
    tec = std::make_unique<TaintEvictionController>(*api);
    rsc = std::make_unique<ReplicaSetController>(*api);
    fake->stop_delay_for = [this](const Pod& p) {
      return p.node.valid() && !leases->renewing(p.node) ? Duration::days(1000)
                                                         : Duration::seconds(1);
    };
    sim.bus().topic<PodRecord>().subscribe([this](const PodRecord& r) {
      log.push_back({r.t, to_string(r.event), r.pod->key(), std::string(r.detail)});
    });
    sim.bus().topic<NodeRecord>().subscribe([this](const NodeRecord& r) {
      log.push_back({r.t, to_string(r.event), r.node->name, std::string(r.detail)});
    });
  }

  void start() {
    leases->start();
    nlc->start();
    tec->start();
    rsc->start();
  }
  NodeId node(const std::string& name) const { return objects.find_node(name)->id; }
  void stop_at(const std::string& name, double s) {
    sim.schedule_at(at_s(s), [this, id = node(name)] { leases->stop(id); });
  }
  void resume_at(const std::string& name, double s) {
    sim.schedule_at(at_s(s), [this, id = node(name)] { leases->resume(id); });
  }
  void run_until(double s) { sim.run_until(at_s(s)); }
  // A pod bound to the node (through the API, so admission applies).
  PodId pod_on(const std::string& node_name, const std::string& name,
               std::vector<Toleration> tolerations = {}) {
    Pod p;
    p.name = name;
    p.spec = make_template(name, "app:v1").spec;
    p.spec.node_name = node_name;
    p.spec.tolerations = std::move(tolerations);
    const PodId id = api->create_pod(std::move(p));
    // Started and Ready at once (FakeNodes starts only the pods it binds).
    api->update_pod(id, 0, [&](Pod& x) {
      x.phase = PodPhase::kRunning;
      x.status.started = api->now();
      x.status.ready = true;
      x.status.ready_since = api->now();
    });
    return id;
  }
  uint32_t replica_set(const std::string& name, int32_t replicas) {
    ReplicaSet rs;
    rs.metadata.name = name;
    rs.replicas = replicas;
    rs.template_ = make_template(name, "app:v1");
    rs.selector.match_labels = rs.template_.metadata.labels;
    return api->create<ReplicaSet>(std::move(rs));
  }
  std::vector<Recorded> records(const std::string& what) const {
    std::vector<Recorded> out;
    for (const Recorded& r : log)
      if (r.what == what) out.push_back(r);
    return out;
  }
  std::vector<Recorded> records(const std::string& what, const std::string& object) const {
    std::vector<Recorded> out;
    for (const Recorded& r : log)
      if (r.what == what && r.object == object) out.push_back(r);
    return out;
  }
  const Node& node_obj(const std::string& name) const { return *objects.find_node(name); }
  bool has_taint(const std::string& name, const std::string& key, TaintEffect effect) const {
    for (const Taint& t : node_obj(name).taints)
      if (t.key == key && t.effect == effect) return true;
    return false;
  }

  Simulation sim{11};
  ClusterObjects objects;
  std::unique_ptr<ApiServer> api;
  std::unique_ptr<FakeNodes> fake;
  std::unique_ptr<NodeLeases> leases;
  std::unique_ptr<NodeLifecycleController> nlc;
  std::unique_ptr<TaintEvictionController> tec;
  std::unique_ptr<ReplicaSetController> rsc;
  std::vector<Recorded> log;
};

constexpr const char* kUnreachable = "node.kubernetes.io/unreachable";
constexpr const char* kNotReady = "node.kubernetes.io/not-ready";

Toleration unreachable_for(int64_t seconds) {
  Toleration t;
  t.key = kUnreachable;
  t.op = TolerationOp::kExists;
  t.effect = TaintEffect::kNoExecute;
  t.toleration_seconds = seconds;
  return t;
}

}  // namespace

TEST_CASE(
    "node lifecycle: a stopped node is Unknown, tainted and its pods evicted at the derived "
    "instants") {
  World w({{"a", 3}});
  w.start();
  const PodId dflt = w.pod_on("a-0", "dflt");                       // default 300 s
  const PodId own = w.pod_on("a-0", "own", {unreachable_for(60)});  // own 60 s
  const PodId other = w.pod_on("a-1", "other");                     // healthy node
  w.stop_at("a-0", 100);

  w.run_until(149.9);
  CHECK(w.records("NodeNotReady").empty());
  CHECK(w.objects.pods[dflt.value].status.ready);

  w.run_until(150);
  // Stale at 150 s (see the file comment).
  const auto not_ready = w.records("NodeNotReady");
  REQUIRE(not_ready.size() == 1);
  CHECK(not_ready[0].t == at_s(150));
  CHECK(not_ready[0].object == "a-0");
  CHECK(not_ready[0].detail == "NodeStatusUnknown");
  CHECK(w.node_obj("a-0").ready == NodeReadyStatus::kUnknown);
  REQUIRE(w.records("PodMarkedNotReady").size() == 2);
  CHECK(w.records("PodMarkedNotReady")[0].t == at_s(150));
  CHECK_FALSE(w.objects.pods[dflt.value].status.ready);
  CHECK(w.objects.pods[other.value].status.ready);

  w.run_until(156);
  // TaintNodesByCondition follows the Unknown write at 150.005 s.
  CHECK(w.has_taint("a-0", kUnreachable, TaintEffect::kNoSchedule));
  // Queued by the pass at 155 s, tainted by the tainting pass at 155.1 s.
  const auto tainted = w.records("NodeTainted");
  REQUIRE(tainted.size() == 1);
  CHECK(tainted[0].t == at_s(155.1));
  CHECK(tainted[0].detail == kUnreachable);
  CHECK(w.node_obj("a-0").taints.back().time_added == at_s(155.1));
  // Evictions count from when the taint eviction controller processes the
  // update (155.105 s), not from timeAdded.
  CHECK(w.tec->eviction_at(dflt) == at_s(455.105));
  CHECK(w.tec->eviction_at(own) == at_s(215.105));

  w.run_until(500);
  const auto evicted = w.records("PodEvicted");
  REQUIRE(evicted.size() == 2);
  CHECK(evicted[0].object == "default/own");
  CHECK(evicted[0].t == at_s(215.105));
  CHECK(evicted[0].detail == "node.kubernetes.io/unreachable:NoExecute");
  CHECK(evicted[1].object == "default/dflt");
  CHECK(evicted[1].t == at_s(455.105));
  // Graceful deletion: the unreachable kubelet never finishes it.
  CHECK(w.objects.pods[dflt.value].status.terminating);
  CHECK_FALSE(w.objects.pods[dflt.value].status.deleted);
  // Healthy nodes are untouched.
  CHECK(w.records("NodeNotReady", "a-1").empty());
  CHECK(w.objects.pods[other.value].active());
}

TEST_CASE("node lifecycle: a pod without a toleration is evicted as soon as the taint is seen") {
  ApiServerConfig no_admission;
  no_admission.default_toleration_seconds = false;
  World w({{"a", 2}}, {}, no_admission);
  w.start();
  const PodId bare = w.pod_on("a-0", "bare");
  CHECK(w.objects.pods[bare.value].spec.tolerations.empty());
  w.stop_at("a-0", 100);
  w.run_until(200);
  // Tainted at 155.1 s, seen at 155.105 s: deleted at once.
  const auto evicted = w.records("PodEvicted");
  REQUIRE(evicted.size() == 1);
  CHECK(evicted[0].t == at_s(155.105));
  CHECK(w.objects.pods[bare.value].status.terminating);
}

TEST_CASE("node lifecycle: the ReplicaSet replaces an evicted pod at once") {
  World w({{"a", 2}});
  const uint32_t rs = w.replica_set("web", 2);
  w.start();
  w.run_until(10);
  // FakeNodes binds round-robin: one replica per node.
  std::vector<PodId> on_a0;
  for (const Pod& p : w.objects.pods)
    if (p.node.valid() && w.objects.nodes[p.node.value].name == "a-0") on_a0.push_back(p.id);
  REQUIRE(on_a0.size() == 1);
  w.stop_at("a-0", 100);
  w.run_until(455.105);
  CHECK(w.objects.pods.size() == 2);
  // Evicted at 455.105 s (terminating: no longer active); the ReplicaSet
  // sees it 5 ms later and creates the replacement in the same instant.
  w.run_until(455.110);
  REQUIRE(w.objects.pods.size() == 3);
  const Pod& replacement = w.objects.pods[2];
  CHECK(replacement.owner.index == rs);
  CHECK(replacement.status.created == at_s(455.110));
  CHECK(w.objects.pods[on_a0[0].value].status.terminating);
}

TEST_CASE("node lifecycle: renewals that resume within the grace period change nothing") {
  World w({{"a", 2}});
  w.start();
  w.pod_on("a-0", "p");
  w.stop_at("a-0", 100);
  // Back at 130 s: renewal at 130 s, seen by the pass at 135 s; the node
  // would have been stale only after 145 s.
  w.resume_at("a-0", 130);
  w.run_until(600);
  CHECK(w.records("NodeNotReady").empty());
  CHECK(w.records("NodeTainted").empty());
  CHECK(w.records("PodEvicted").empty());
  CHECK(w.api->lease_renew_time(w.node("a-0"), at_s(145)) == at_s(140));
}

TEST_CASE(
    "node lifecycle: renewals that resume after the taint remove it and cancel the evictions") {
  World w({{"a", 2}});
  w.start();
  const PodId p = w.pod_on("a-0", "p");
  w.stop_at("a-0", 100);
  w.resume_at("a-0", 200);
  w.run_until(199);
  CHECK(w.tec->eviction_at(p) == at_s(455.105));
  w.run_until(600);
  // The kubelet sees the Unknown condition (written at 150 s) and posts
  // Ready at 200 s; the controller sees it at the pass at 205 s and removes
  // the taint; the eviction pending for 455.105 s is cancelled at 205.005 s.
  const auto ready = w.records("NodeReady");
  REQUIRE(ready.size() == 1);
  CHECK(ready[0].t == at_s(200));
  CHECK(ready[0].detail == "KubeletReady");
  const auto untainted = w.records("NodeUntainted");
  REQUIRE(untainted.size() == 1);
  CHECK(untainted[0].t == at_s(205));
  CHECK(untainted[0].detail == kUnreachable);
  CHECK(w.tec->eviction_at(p) == SimTime::max());
  CHECK(w.records("PodEvicted").empty());
  CHECK(w.node_obj("a-0").taints.empty());
}

TEST_CASE(
    "node lifecycle: a fully disrupted zone is tainted at the normal rate while another zone is "
    "healthy") {
  World w({{"a", 3}, {"b", 2}});
  w.start();
  for (int i = 0; i < 3; ++i)
    w.stop_at("a-" + std::to_string(i), 100);
  w.run_until(300);
  CHECK(w.nlc->zone_state(NodeLifecycleController::zone_key(w.node_obj("a-0"))) ==
        ZoneState::kFullDisruption);
  CHECK(w.nlc->zone_state(NodeLifecycleController::zone_key(w.node_obj("b-0"))) ==
        ZoneState::kNormal);
  // Full disruption of one zone keeps evictionLimiterQPS (HealthyQPSFunc):
  // the bucket (full since t = 0) gives a token at 155.1 s, then one every
  // 10 s (10 s x float32(0.1) = 1.0000000149 tokens).
  const auto tainted = w.records("NodeTainted");
  REQUIRE(tainted.size() == 3);
  CHECK(tainted[0].t == at_s(155.1));
  CHECK(tainted[1].t == at_s(165.1));
  CHECK(tainted[2].t == at_s(175.1));
  CHECK(tainted[0].object == "a-0");
  CHECK(tainted[2].object == "a-2");
}

TEST_CASE(
    "node lifecycle: when every zone is fully disrupted nothing is tainted until a node returns") {
  World w({{"a", 3}});
  w.start();
  for (int i = 0; i < 3; ++i)
    w.stop_at("a-" + std::to_string(i), 100);
  w.resume_at("a-2", 300);
  w.run_until(299);
  CHECK(w.records("NodeNotReady").size() == 3);
  CHECK(w.records("NodeTainted").empty());
  CHECK(w.nlc->zone_state(NodeLifecycleController::zone_key(w.node_obj("a-0"))) ==
        ZoneState::kFullDisruption);
  w.run_until(400);
  // a-2 posts Ready at 300 s, seen at the pass at 305 s: the zone is Normal
  // again (1 of 3 ready; not more than 2 unready), every probeTimestamp is
  // 305 s, the limiter is swapped back to 0.1 and drained (the old one had
  // no token): tokens at 315 s and 325 s.
  const auto tainted = w.records("NodeTainted");
  REQUIRE(tainted.size() == 2);
  CHECK(tainted[0].t == at_s(315));
  CHECK(tainted[0].object == "a-0");
  CHECK(tainted[1].t == at_s(325));
  CHECK(tainted[1].object == "a-1");
}

TEST_CASE("node lifecycle: a partially disrupted large zone is tainted at the secondary rate") {
  // 60 nodes (> largeClusterSizeThreshold 50), 40 stop: 40/60 >= 0.55.
  World w({{"a", 60}, {"b", 1}});
  w.start();
  for (int i = 0; i < 40; ++i)
    w.stop_at("a-" + std::to_string(i), 100);
  w.run_until(400);
  CHECK(w.nlc->zone_state(NodeLifecycleController::zone_key(w.node_obj("a-0"))) ==
        ZoneState::kPartialDisruption);
  // Swapped at 150 s to 0.01 QPS; the old bucket still had its token, so the
  // new one is not drained: first taint 155.1 s. float32(0.01) x 100 s =
  // 0.99999998 tokens, so the next token comes at the 100 ms tick after
  // 100 s: 255.2 s, then 355.3 s.
  const auto tainted = w.records("NodeTainted");
  REQUIRE(tainted.size() == 3);
  CHECK(tainted[0].t == at_s(155.1));
  CHECK(tainted[1].t == at_s(255.2));
  CHECK(tainted[2].t == at_s(355.3));
  CHECK(w.nlc->queued(NodeLifecycleController::zone_key(w.node_obj("a-0"))) == 37);
}

TEST_CASE("node lifecycle: a partially disrupted small zone is not tainted") {
  World w({{"a", 10}, {"b", 1}});
  w.start();
  for (int i = 0; i < 6; ++i)
    w.stop_at("a-" + std::to_string(i), 100);
  w.run_until(600);
  // 6/10 >= 0.55 and more than 2: PartialDisruption; 10 nodes <= 50: QPS 0.
  CHECK(w.nlc->zone_state(NodeLifecycleController::zone_key(w.node_obj("a-0"))) ==
        ZoneState::kPartialDisruption);
  CHECK(w.records("NodeNotReady").size() == 6);
  CHECK(w.records("NodeTainted").empty());
}

TEST_CASE("node lifecycle: a normal zone taints at 0.1 per second") {
  World w({{"a", 10}});
  w.start();
  for (int i = 0; i < 3; ++i)
    w.stop_at("a-" + std::to_string(i), 100);
  w.run_until(300);
  // 3/10 < 0.55: Normal.
  const auto tainted = w.records("NodeTainted");
  REQUIRE(tainted.size() == 3);
  CHECK(tainted[0].t == at_s(155.1));
  CHECK(tainted[1].t == at_s(165.1));
  CHECK(tainted[2].t == at_s(175.1));
}

TEST_CASE("node lifecycle: DefaultTolerationSeconds admission") {
  RuntimeConfig rc;
  ApiServerConfig ac;
  ac.default_unreachable_toleration_seconds = 120;
  World w({{"a", 1}}, rc, ac);
  // plugin/pkg/admission/defaulttolerationseconds: both added with the
  // configured seconds when the pod has neither.
  const Pod& plain = w.objects.pods[w.pod_on("a-0", "plain").value];
  REQUIRE(plain.spec.tolerations.size() == 2);
  CHECK(plain.spec.tolerations[0].key == kNotReady);
  CHECK(plain.spec.tolerations[0].op == TolerationOp::kExists);
  CHECK(plain.spec.tolerations[0].effect == TaintEffect::kNoExecute);
  CHECK(plain.spec.tolerations[0].toleration_seconds == 300);
  CHECK(plain.spec.tolerations[1].key == kUnreachable);
  CHECK(plain.spec.tolerations[1].toleration_seconds == 120);
  // Its own unreachable toleration stays; only not-ready is added.
  const Pod& own = w.objects.pods[w.pod_on("a-0", "own", {unreachable_for(5)}).value];
  REQUIRE(own.spec.tolerations.size() == 2);
  CHECK(own.spec.tolerations[0].toleration_seconds == 5);
  CHECK(own.spec.tolerations[1].key == kNotReady);
  // An empty key with no effect tolerates both: nothing added.
  Toleration all;
  all.op = TolerationOp::kExists;
  const Pod& wide = w.objects.pods[w.pod_on("a-0", "wide", {all}).value];
  CHECK(wide.spec.tolerations.size() == 1);
  // A NoSchedule toleration for the key does not count.
  Toleration ns = unreachable_for(1);
  ns.effect = TaintEffect::kNoSchedule;
  ns.toleration_seconds.reset();
  const Pod& sched = w.objects.pods[w.pod_on("a-0", "sched", {ns}).value];
  CHECK(sched.spec.tolerations.size() == 3);
}

TEST_CASE(
    "node lifecycle: without a leader nothing is tainted or evicted; a new leader starts fresh") {
  World w({{"a", 3}});
  w.start();
  const PodId p = w.pod_on("a-0", "p");
  w.stop_at("a-0", 100);
  w.sim.schedule_at(at_s(120), [&] {
    w.nlc->set_leader(false);
    w.tec->set_leader(false);
  });
  w.run_until(399);
  CHECK(w.records("NodeNotReady").empty());
  CHECK(w.records("NodeTainted").empty());
  w.sim.schedule_at(at_s(400), [&] {
    w.tec->set_leader(true);
    w.nlc->set_leader(true);
  });
  w.run_until(1000);
  // Every probeTimestamp is 400 s: the healthy nodes stay Ready; a-0 is
  // stale at the first pass after 450 s (455 s), queued at 460 s, tainted at
  // 460.1 s, evicted 300 s after 460.105 s.
  const auto not_ready = w.records("NodeNotReady");
  REQUIRE(not_ready.size() == 1);
  CHECK(not_ready[0].object == "a-0");
  CHECK(not_ready[0].t == at_s(455));
  const auto tainted = w.records("NodeTainted");
  REQUIRE(tainted.size() == 1);
  CHECK(tainted[0].t == at_s(460.1));
  const auto evicted = w.records("PodEvicted");
  REQUIRE(evicted.size() == 1);
  CHECK(evicted[0].t == at_s(760.105));
  CHECK(w.objects.pods[p.value].status.terminating);
}

TEST_CASE(
    "node lifecycle: losing the leader cancels pending evictions; the new one restarts the clock") {
  World w({{"a", 3}});
  w.start();
  const PodId p = w.pod_on("a-0", "p");
  w.stop_at("a-0", 100);
  w.sim.schedule_at(at_s(200), [&] {
    w.nlc->set_leader(false);
    w.tec->set_leader(false);
  });
  w.sim.schedule_at(at_s(600), [&] {
    w.tec->set_leader(true);
    w.nlc->set_leader(true);
  });
  w.run_until(599);
  CHECK(w.records("PodEvicted").empty());  // 455.105 s was cancelled
  w.run_until(1000);
  // At 600 s the new node lifecycle controller meets a-0 as a new node:
  // its taint is removed (markNodeAsReachable) and, the node still being
  // Unknown, queued again and tainted at the next tainting pass (600.1 s,
  // a new zone queue with a full bucket). The taint eviction controller
  // restarted at 600 s, saw the removal at 600.005 s (cancel) and the new
  // taint at 600.105 s: eviction at 900.105 s.
  const auto untainted = w.records("NodeUntainted");
  REQUIRE(untainted.size() == 1);
  CHECK(untainted[0].t == at_s(600));
  const auto tainted = w.records("NodeTainted");
  REQUIRE(tainted.size() == 2);
  CHECK(tainted[1].t == at_s(600.1));
  const auto evicted = w.records("PodEvicted");
  REQUIRE(evicted.size() == 1);
  CHECK(evicted[0].t == at_s(900.105));
  CHECK(w.objects.pods[p.value].status.terminating);
}

TEST_CASE("node lifecycle: DaemonSet-style tolerations (no tolerationSeconds) keep the pod") {
  World w({{"a", 2}});
  w.start();
  Toleration forever;
  forever.key = kUnreachable;
  forever.op = TolerationOp::kExists;
  forever.effect = TaintEffect::kNoExecute;
  const PodId p = w.pod_on("a-0", "ds", {forever});
  w.stop_at("a-0", 100);
  w.run_until(1000);
  CHECK(w.records("NodeTainted").size() == 1);
  CHECK(w.records("PodEvicted").empty());
  CHECK(w.objects.pods[p.value].active());
}

namespace {

// One run with random stops and resumes; returns the pod and node records.
std::vector<std::string> random_run(uint64_t seed, bool naive, uint64_t* passes) {
  RuntimeConfig rc;
  rc.naive_timers = naive;
  World w({{"a", 4}, {"b", 3}, {"c", 2}}, rc);
  w.replica_set("web", 12);
  w.start();
  std::mt19937_64 rng(seed);
  std::vector<std::string> names;
  for (const Node& n : w.objects.nodes)
    names.push_back(n.name);
  for (size_t i = 0; i < names.size(); ++i) {
    // Pods of each kind of toleration on every node.
    w.pod_on(names[i], "short-" + names[i], {unreachable_for(30 + 10 * static_cast<int64_t>(i))});
    w.pod_on(names[i], "dflt-" + names[i]);
  }
  // Random outages; half of the instants on whole seconds (ties with the
  // 5 s passes and 10 s renewals), half anywhere to the microsecond.
  std::uniform_int_distribution<int> pick(0, static_cast<int>(names.size()) - 1);
  std::uniform_int_distribution<int64_t> start_us(20'000'000, 1'500'000'000);
  std::uniform_int_distribution<int64_t> length_us(1'000'000, 400'000'000);
  std::bernoulli_distribution whole(0.5);
  for (int k = 0; k < 14; ++k) {
    const std::string& name = names[pick(rng)];
    int64_t a = start_us(rng);
    int64_t b = a + length_us(rng);
    if (whole(rng)) {
      a -= a % 5'000'000;
      b -= b % 1'000'000;
    }
    w.stop_at(name, static_cast<double>(a) / 1e6);
    w.resume_at(name, static_cast<double>(b) / 1e6);
  }
  w.run_until(2400);
  *passes = w.nlc->monitor_passes();
  std::vector<std::string> out;
  for (const Recorded& r : w.log)
    out.push_back(fmt::format("{} {} {} {}", r.t.count_micros(), r.what, r.object, r.detail));
  return out;
}

}  // namespace

TEST_CASE("node lifecycle: lazy and naive timers give the same records over random outages") {
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    uint64_t lazy_passes = 0;
    uint64_t naive_passes = 0;
    const std::vector<std::string> lazy = random_run(seed, false, &lazy_passes);
    const std::vector<std::string> naive = random_run(seed, true, &naive_passes);
    INFO("seed " << seed);
    REQUIRE(lazy.size() == naive.size());
    for (size_t i = 0; i < lazy.size(); ++i) {
      INFO("record " << i);
      REQUIRE(lazy[i] == naive[i]);
    }
    // Something happened, and the lazy controller skipped most passes
    // (naive: one every 5 s for 2400 s).
    CHECK(naive_passes == 481);
    CHECK(lazy_passes < naive_passes / 4);
    bool tainted = false;
    for (const std::string& r : lazy)
      tainted = tainted || r.find("NodeTainted") != std::string::npos;
    CHECK(tainted);
  }
}
