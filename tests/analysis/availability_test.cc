#include "analysis/availability.h"

#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "analysis/run_summary.h"

using namespace kubesim;

namespace {

SimTime at_s(int64_t s) {
  return SimTime::zero() + Duration::seconds(s);
}

// A cluster written by hand and records published on a bus, as the kubelet,
// the controllers, the fault injector and the timeline would publish them.
struct Cluster {
  ClusterObjects objects;
  ObserverBus bus;
  std::unique_ptr<AvailabilityCollector> collector;

  Cluster() {
    for (int i = 0; i < 3; ++i) {
      Node n;
      n.name = "n" + std::to_string(i);
      objects.add_node(n);
    }
  }

  // A Deployment and its ReplicaSet; returns the Deployment's index.
  uint32_t deployment(const std::string& name, int32_t replicas) {
    Deployment d;
    d.metadata.name = name;
    d.replicas = replicas;
    objects.deployments.push_back(d);
    const auto di = static_cast<uint32_t>(objects.deployments.size() - 1);
    ReplicaSet rs;
    rs.metadata.name = name + "-1";
    rs.metadata.owner = OwnerRef{"Deployment", name, di};
    rs.replicas = replicas;
    objects.replica_sets.push_back(rs);
    return di;
  }

  // A pod of the Deployment's ReplicaSet, bound to node `node`, running.
  PodId pod(uint32_t deployment_index, const std::string& name, uint32_t node) {
    Pod p;
    p.name = name;
    const std::string& d = objects.deployments[deployment_index].metadata.name;
    p.owner = OwnerRef{"ReplicaSet", d + "-1", deployment_index};  // one ReplicaSet each
    p.node = NodeId{node};
    p.phase = PodPhase::kRunning;
    return objects.add_pod(p);
  }

  void start() { collector = std::make_unique<AvailabilityCollector>(bus, objects); }

  void publish(int64_t t, PodEvent e, PodId id) {
    Pod& p = objects.pods[id.value];
    // What the API server and kubelet write before publishing.
    if (e == PodEvent::kReady) p.status.ready = true;
    if (e == PodEvent::kNotReady) p.status.ready = false;
    if (e == PodEvent::kTerminating) p.status.terminating = true;
    if (e == PodEvent::kDeleted) p.status.deleted = true;
    bus.topic<PodRecord>().publish({at_s(t), e, &p, &objects.nodes[p.node.value]});
  }

  void publish(int64_t t, NodeEvent e, uint32_t node) {
    bus.topic<NodeRecord>().publish({at_s(t), e, &objects.nodes[node]});
  }

  // The timeline's scale action: write the spec, then publish.
  void scale(int64_t t, uint32_t deployment_index, int32_t replicas) {
    objects.deployments[deployment_index].replicas = replicas;
    bus.topic<TimelineRecord>().publish({at_s(t), "scale", "deployment"});
  }

  AvailabilitySummary summary(int64_t t) const { return collector->summary(at_s(t)); }
};

const WorkloadAvailability& workload(const AvailabilitySummary& a, const std::string& name) {
  for (const WorkloadAvailability& w : a.workloads)
    if (w.name == name) return w;
  FAIL("no workload " << name);
  return a.workloads.front();
}

}  // namespace

TEST_CASE("availability: one replica restarting in place after a crash and a liveness kill") {
  Cluster c;
  const uint32_t web = c.deployment("web", 1);
  const PodId a = c.pod(web, "web-a", 0);
  c.start();
  // Ready at 10 s: the window is [10, 100] = 90 s (the rollout before is not
  // downtime). Crash at 30 s, restarted and ready at 40 s; liveness kill at
  // 70 s, ready at 90 s.
  c.publish(10, PodEvent::kReady, a);
  c.publish(30, PodEvent::kCrashed, a);
  c.publish(30, PodEvent::kNotReady, a);
  c.publish(40, PodEvent::kRestarted, a);
  c.publish(40, PodEvent::kReady, a);
  c.publish(70, PodEvent::kUnhealthy, a);
  c.publish(70, PodEvent::kKilling, a);
  c.publish(70, PodEvent::kNotReady, a);
  c.publish(90, PodEvent::kRestarted, a);
  c.publish(90, PodEvent::kReady, a);
  c.publish(95, PodEvent::kMarkedNotReady, a);  // the API's view: not a serving change

  const AvailabilitySummary s = c.summary(100);
  REQUIRE(s.workloads.size() == 1);
  const WorkloadAvailability& w = s.workloads[0];
  CHECK(w.kind == "Deployment");
  CHECK(w.name == "default/web");
  CHECK(w.in_service_since == at_s(10));
  CHECK(w.window_start == at_s(10));
  CHECK(w.window_end == at_s(100));
  // Down [30, 40) and [70, 90): 30 s of 90. Up 60 / 90 = 2/3; with one
  // replica desired, full = any.
  CHECK(w.availability_any == Approx(60.0 / 90.0));
  CHECK(w.availability_full == Approx(60.0 / 90.0));
  CHECK(w.downtime == std::vector<DowntimeInterval>{{at_s(30), at_s(40)}, {at_s(70), at_s(90)}});
  CHECK(w.downtime_total == Duration::seconds(30));
  // Repairs {10 s, 20 s}: mean 15 s, p50 rank ceil(1) = 1 -> 10 s, max 20 s.
  CHECK(w.failures == 2);
  CHECK(w.repair.count == 2);
  CHECK(*w.repair.mean == Duration::seconds(15));
  CHECK(*w.repair.p50 == Duration::seconds(10));
  CHECK(*w.repair.max == Duration::seconds(20));
  CHECK(w.repair.in_place == 2);
  CHECK(w.repair.replaced == 0);
  CHECK(w.repair.open == 0);
  CHECK(w.restarts == 2);
  CHECK(w.crashes == 1);
  // A = MTTF / (MTTF + MTTR) holds by construction: up 60 s over 2 failures
  // (MTTF 30 s), MTTR 15 s: 30 / 45 = 2/3.
  CHECK(w.availability_any == Approx(30.0 / (30.0 + 15.0)));
  CHECK(s.restarts == 2);
  CHECK(s.crashes == 1);
  CHECK(s.failures == 2);
  CHECK(*s.repair.mean == Duration::seconds(15));
  CHECK(s.min_availability_any == Approx(2.0 / 3.0));
}

TEST_CASE("availability: a replacement repairs a failure; deletions on purpose are not failures") {
  Cluster c;
  const uint32_t web = c.deployment("web", 2);
  const PodId a = c.pod(web, "web-a", 0);
  const PodId b = c.pod(web, "web-b", 1);
  const PodId cc = c.pod(web, "web-c", 1);
  const PodId d = c.pod(web, "web-d", 2);
  c.start();
  c.publish(0, PodEvent::kReady, a);
  c.publish(0, PodEvent::kReady, b);
  // a fails at 20 s (not deleted: a failure) and is deleted later; c, a new
  // pod, is ready at 35 s: replaced after 15 s.
  c.publish(20, PodEvent::kNotReady, a);
  c.publish(25, PodEvent::kTerminating, a);
  c.publish(26, PodEvent::kDeleted, a);
  c.publish(35, PodEvent::kReady, cc);
  // b is deleted on purpose at 50 s (a rollout): it stops serving, no failure.
  c.publish(50, PodEvent::kTerminating, b);
  c.publish(50, PodEvent::kNotReady, b);
  c.publish(51, PodEvent::kDeleted, b);
  c.publish(55, PodEvent::kReady, d);

  const WorkloadAvailability& w = c.summary(100).workloads.at(0);
  // Window [0, 100]. Two ready on [0, 20), [35, 50), [55, 100]: 20 + 15 + 45
  // = 80 s -> full 0.8. Never zero ready: any 1, no downtime.
  CHECK(w.availability_full == Approx(0.8));
  CHECK(w.availability_any == 1.0);
  CHECK(w.downtime.empty());
  CHECK(w.failures == 1);
  CHECK(w.repair.count == 1);
  CHECK(*w.repair.mean == Duration::seconds(15));
  CHECK(w.repair.replaced == 1);
  CHECK(w.repair.in_place == 0);
  CHECK(w.eventful());  // a failure: the table shows it
}

TEST_CASE("availability: an evicted pod counts as a failure, and the count of evictions") {
  Cluster c;
  const uint32_t web = c.deployment("web", 1);
  const PodId a = c.pod(web, "web-a", 0);
  const PodId b = c.pod(web, "web-b", 1);
  c.start();
  c.publish(0, PodEvent::kReady, a);
  // Taint eviction at 10 s: deleted (terminating), but forced, so a failure.
  c.publish(10, PodEvent::kEvicted, a);
  c.publish(10, PodEvent::kTerminating, a);
  c.publish(12, PodEvent::kNotReady, a);
  c.publish(20, PodEvent::kReady, b);
  const AvailabilitySummary s = c.summary(40);
  const WorkloadAvailability& w = s.workloads.at(0);
  // Down [12, 20): 8 s of 40 -> 0.8; repaired by b after 8 s.
  CHECK(w.evictions == 1);
  CHECK(s.evictions == 1);
  CHECK(w.failures == 1);
  CHECK(*w.repair.max == Duration::seconds(8));
  CHECK(w.repair.replaced == 1);
  CHECK(w.availability_any == Approx(0.8));
}

TEST_CASE("availability: scale events change the desired count; fewer desired covers a failure") {
  Cluster c;
  const uint32_t web = c.deployment("web", 2);
  const PodId a = c.pod(web, "web-a", 0);
  const PodId b = c.pod(web, "web-b", 1);
  const PodId p3 = c.pod(web, "web-c", 2);
  const PodId e = c.pod(web, "web-e", 2);
  c.start();
  c.publish(0, PodEvent::kReady, a);
  c.publish(0, PodEvent::kReady, b);
  c.scale(10, web, 3);                     // 2 of 3 ready: not full
  c.publish(20, PodEvent::kReady, p3);     // full again
  c.publish(30, PodEvent::kNotReady, p3);  // a failure: 2 of 3
  c.scale(40, web, 2);                     // 2 of 2: the failure is covered after 10 s
  // Scaled to zero by a Deployment record (as an autoscaler would publish it).
  c.objects.deployments[web].replicas = 0;
  c.bus.topic<WorkloadRecord>().publish(
      {at_s(50), WorkloadEvent::kScaled, "Deployment", &c.objects.deployments[web].metadata, 2, 0});
  c.publish(55, PodEvent::kTerminating, a);
  c.publish(55, PodEvent::kNotReady, a);
  c.publish(55, PodEvent::kTerminating, b);
  c.publish(55, PodEvent::kNotReady, b);
  c.scale(70, web, 1);  // wanted again, nothing ready: down from 70 s
  c.publish(80, PodEvent::kReady, e);

  const WorkloadAvailability& w = c.summary(100).workloads.at(0);
  // Full (ready >= desired): [0, 10) 2>=2, [20, 30) 3>=3, [40, 50) 2>=2,
  // [50, 70) desired 0, [80, 100] 1>=1: 10 + 10 + 10 + 20 + 20 = 70 s of 100.
  CHECK(w.availability_full == Approx(0.7));
  // Any: all but [70, 80) (desired 0 counts as available): 90 of 100.
  CHECK(w.availability_any == Approx(0.9));
  CHECK(w.downtime == std::vector<DowntimeInterval>{{at_s(70), at_s(80)}});
  CHECK(w.failures == 1);
  CHECK(w.repair.count == 1);
  CHECK(w.repair.covered == 1);
  CHECK(*w.repair.mean == Duration::seconds(10));
  CHECK(w.desired == 1);
  CHECK(w.ready == 1);
}

TEST_CASE("availability: a node crash, its pods replaced elsewhere") {
  Cluster c;
  const uint32_t web = c.deployment("web", 2);
  const uint32_t api = c.deployment("api", 1);
  const PodId a = c.pod(web, "web-a", 0);
  const PodId b = c.pod(web, "web-b", 1);
  const PodId x = c.pod(api, "api-x", 0);
  const PodId a2 = c.pod(web, "web-a2", 1);
  const PodId x2 = c.pod(api, "api-x2", 2);
  c.start();
  c.publish(0, PodEvent::kReady, a);
  c.publish(0, PodEvent::kReady, b);
  c.publish(0, PodEvent::kReady, x);
  // n0 crashes at 100 s with a and x serving on it. The kubelet's PodNotReady
  // comes before the node record for a and after it for x: both count.
  c.publish(100, PodEvent::kNotReady, a);
  c.publish(100, NodeEvent::kCrashed, 0);
  c.publish(100, PodEvent::kNotReady, x);
  c.publish(140, NodeEvent::kNotReady, 0);  // the controller's view: ignored here
  c.publish(140, PodEvent::kMarkedNotReady, a);
  // Evicted at 400 s, replacements ready at 410 s (web) and 430 s (api).
  c.publish(400, PodEvent::kEvicted, a);
  c.publish(400, PodEvent::kEvicted, x);
  c.publish(401, PodEvent::kDeleted, a);
  c.publish(401, PodEvent::kDeleted, x);
  c.publish(410, PodEvent::kReady, a2);
  c.publish(430, PodEvent::kReady, x2);
  c.publish(500, NodeEvent::kRecovered, 0);

  const AvailabilitySummary s = c.summary(1000);
  const WorkloadAvailability& w = workload(s, "default/web");
  const WorkloadAvailability& y = workload(s, "default/api");
  // web: 1 of 2 on [100, 410): full (1000 - 310) / 1000 = 0.69; never zero ready.
  CHECK(w.availability_full == Approx(0.69));
  CHECK(w.availability_any == 1.0);
  CHECK(*w.repair.mean == Duration::seconds(310));
  CHECK(w.repair.replaced == 1);
  // api: down [100, 430): 330 s -> 670 / 1000 = 0.67.
  CHECK(y.availability_any == Approx(0.67));
  CHECK(y.downtime == std::vector<DowntimeInterval>{{at_s(100), at_s(430)}});
  CHECK(*y.repair.mean == Duration::seconds(330));
  CHECK(s.evictions == 2);
  // Pooled MTTR {310, 330}: mean 320, p50 310, max 330.
  CHECK(*s.repair.mean == Duration::seconds(320));
  CHECK(*s.repair.p50 == Duration::seconds(310));
  CHECK(*s.repair.max == Duration::seconds(330));
  CHECK(s.min_availability_any == Approx(0.67));
  CHECK(s.min_availability_full == Approx(0.67));

  const NodeFailureStats& nf = s.node_failures;
  CHECK(nf.count == 1);
  CHECK(nf.with_pods == 1);
  CHECK(nf.all_back == 1);
  REQUIRE(nf.failures.size() == 1);
  CHECK(nf.failures[0].node == "n0");
  CHECK(nf.failures[0].cause == NodeEvent::kCrashed);
  CHECK(nf.failures[0].pods == 2);
  // First back: a2 at 410 s (310 s after); all back: x2 at 430 s (330 s).
  CHECK(*nf.failures[0].first_back == Duration::seconds(310));
  CHECK(*nf.failures[0].all_back == Duration::seconds(330));
  CHECK(*nf.first_back_mean == Duration::seconds(310));
  CHECK(*nf.all_back_max == Duration::seconds(330));
}

TEST_CASE("availability: a node that crashes and recovers brings its pods back in place") {
  Cluster c;
  const uint32_t web = c.deployment("web", 1);
  const PodId a = c.pod(web, "web-a", 0);
  c.start();
  c.publish(0, PodEvent::kReady, a);
  c.publish(50, NodeEvent::kCrashed, 0);
  c.publish(50, PodEvent::kNotReady, a);
  c.publish(60, NodeEvent::kCrashed, 0);  // already down: not a second failure
  c.publish(80, NodeEvent::kRecovered, 0);
  c.publish(90, PodEvent::kReady, a);  // the kubelet started it again
  const AvailabilitySummary s = c.summary(100);
  // Down [50, 90): 40 s of 100; repaired in place after 40 s; the node's pod
  // back 40 s after the crash.
  CHECK(s.workloads.at(0).availability_any == Approx(0.6));
  CHECK(s.workloads.at(0).repair.in_place == 1);
  CHECK(s.node_failures.count == 1);
  CHECK(*s.node_failures.failures[0].all_back == Duration::seconds(40));
}

TEST_CASE("availability: a partitioned node's pods keep serving and are back when it heals") {
  Cluster c;
  const uint32_t web = c.deployment("web", 1);
  const PodId a = c.pod(web, "web-a", 0);
  c.start();
  c.publish(0, PodEvent::kReady, a);
  c.publish(100, NodeEvent::kPartitioned, 0);
  c.publish(160, NodeEvent::kHealed, 0);
  c.publish(200, NodeEvent::kCrashed, 1);  // no serving pod on n1
  const AvailabilitySummary s = c.summary(300);
  // The kubelet kept the pod ready: no failure, availability 1.
  CHECK(s.workloads.at(0).availability_any == 1.0);
  CHECK(s.workloads.at(0).failures == 0);
  const NodeFailureStats& nf = s.node_failures;
  CHECK(nf.count == 2);
  CHECK(nf.with_pods == 1);
  CHECK(nf.all_back == 1);
  CHECK(nf.failures[0].cause == NodeEvent::kPartitioned);
  // Back with the node, 60 s after the partition.
  CHECK(*nf.failures[0].first_back == Duration::seconds(60));
  CHECK(*nf.failures[0].all_back == Duration::seconds(60));
  CHECK(nf.failures[1].pods == 0);
  CHECK_FALSE(nf.failures[1].all_back.has_value());
  CHECK(*nf.all_back_mean == Duration::seconds(60));
  CHECK(s.eventful());  // node failures are shown
  const std::string table = availability_table(s);
  CHECK_THAT(table, Catch::Contains("availability            1 workload: no failure"));
  CHECK_THAT(table, Catch::Contains("2 (1 crashed, 1 partitioned), 1 with serving pods"));
  CHECK_THAT(table, Catch::Contains("every pod back: mean 1m, max 1m (1 of 1)"));
}

TEST_CASE("availability: a partitioned node's pods replaced before it heals") {
  Cluster c;
  const uint32_t web = c.deployment("web", 1);
  const PodId a = c.pod(web, "web-a", 0);
  const PodId b = c.pod(web, "web-b", 1);
  c.start();
  c.publish(0, PodEvent::kReady, a);
  c.publish(100, NodeEvent::kPartitioned, 0);
  // The control plane evicts a (still serving: its kubelet cannot hear) and
  // its replacement b is ready at 460 s: the node's pod is back after 360 s.
  c.publish(450, PodEvent::kEvicted, a);
  c.publish(450, PodEvent::kTerminating, a);
  c.publish(460, PodEvent::kReady, b);
  // At the heal the kubelet learns of the deletion and stops a: a failure
  // (an eviction), but b already serves, so nothing is left to repair.
  c.publish(700, NodeEvent::kHealed, 0);
  c.publish(700, PodEvent::kNotReady, a);
  c.publish(701, PodEvent::kDeleted, a);
  const AvailabilitySummary s = c.summary(1000);
  const WorkloadAvailability& w = s.workloads.at(0);
  CHECK(w.availability_any == 1.0);
  CHECK(w.availability_full == 1.0);
  CHECK(w.failures == 1);
  CHECK(w.repair.absorbed == 1);
  CHECK(w.repair.count == 0);  // failures = count + open + absorbed = 0 + 0 + 1
  CHECK(w.repair.open == 0);
  CHECK(*s.node_failures.failures[0].all_back == Duration::seconds(360));
}

TEST_CASE("availability: a failure still open at the end is not in the MTTR") {
  Cluster c;
  const uint32_t web = c.deployment("web", 2);
  const PodId a = c.pod(web, "web-a", 0);
  const PodId b = c.pod(web, "web-b", 1);
  c.start();
  c.publish(0, PodEvent::kReady, a);
  c.publish(0, PodEvent::kReady, b);
  c.publish(50, PodEvent::kNotReady, a);
  const WorkloadAvailability& w = c.summary(100).workloads.at(0);
  CHECK(w.failures == 1);
  CHECK(w.repair.count == 0);
  CHECK(w.repair.open == 1);
  CHECK_FALSE(w.repair.mean.has_value());
  CHECK(w.availability_full == Approx(0.5));
}

TEST_CASE("availability: a workload that never served is down from its creation") {
  Cluster c;
  c.deployment("stuck", 2);
  const uint32_t ok = c.deployment("ok", 1);
  const PodId a = c.pod(ok, "ok-a", 0);
  c.start();
  c.publish(5, PodEvent::kReady, a);
  const AvailabilitySummary s = c.summary(100);
  const WorkloadAvailability& stuck = workload(s, "default/stuck");
  CHECK_FALSE(stuck.in_service_since.has_value());
  CHECK(stuck.window_start == at_s(0));
  CHECK(stuck.availability_any == 0.0);
  CHECK(stuck.downtime == std::vector<DowntimeInterval>{{at_s(0), at_s(100)}});
  // "ok" took 5 s to start: not downtime, the window starts at 5 s.
  const WorkloadAvailability& fine = workload(s, "default/ok");
  CHECK(fine.availability_any == 1.0);
  CHECK(fine.downtime.empty());
  CHECK(fine.window_start == at_s(5));
  CHECK_FALSE(fine.eventful());
}

TEST_CASE("availability: a deleted workload's window ends at its deletion") {
  Cluster c;
  const uint32_t web = c.deployment("web", 1);
  const PodId a = c.pod(web, "web-a", 0);
  c.start();
  c.publish(0, PodEvent::kReady, a);
  c.publish(20, PodEvent::kNotReady, a);  // failure at 20 s, never repaired
  c.objects.deployments[web].metadata.deleted = true;
  c.bus.topic<TimelineRecord>().publish({at_s(40), "delete", "deployment default/web"});
  c.publish(45, PodEvent::kTerminating, a);
  const WorkloadAvailability& w = c.summary(100).workloads.at(0);
  CHECK(w.deleted);
  CHECK(w.window_end == at_s(40));
  // Up [0, 20) of [0, 40): 0.5; the outage [20, 40) ends with the window.
  CHECK(w.availability_any == Approx(0.5));
  CHECK(w.downtime == std::vector<DowntimeInterval>{{at_s(20), at_s(40)}});
  CHECK(w.repair.open == 1);
}

TEST_CASE("availability: JSON keys and the table section") {
  Cluster c;
  const uint32_t web = c.deployment("web", 1);
  c.deployment("quiet", 1);
  const PodId a = c.pod(web, "web-a", 0);
  const PodId q = c.pod(1, "quiet-a", 1);
  c.start();
  c.publish(0, PodEvent::kReady, a);
  c.publish(0, PodEvent::kReady, q);
  const AvailabilitySummary calm = c.summary(10);
  CHECK_FALSE(calm.eventful());
  CHECK(availability_table(calm).empty());  // a run without failures keeps its short table

  c.publish(10, PodEvent::kCrashed, a);
  c.publish(10, PodEvent::kNotReady, a);
  c.publish(12, PodEvent::kReady, a);
  c.publish(50, NodeEvent::kCrashed, 2);
  const AvailabilitySummary s = c.summary(100);
  const std::string table = availability_table(s);
  CHECK_THAT(table, Catch::Contains("deploy/web"));
  CHECK_THAT(table, Catch::Contains("98.000%"));  // down 2 s of 100
  CHECK_THAT(table, Catch::Contains("1 (2s)"));   // one outage of 2 s
  CHECK_THAT(table, Catch::Contains("1 other workload: no failure"));
  CHECK_THAT(table, Catch::Contains("node failures"));

  const nlohmann::ordered_json j = availability_json(s);
  std::vector<std::string> keys;
  for (const auto& [k, v] : j.items())
    keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"workloads", "min_availability_any",
                                         "min_availability_full", "failures", "mttr_seconds",
                                         "restarts", "crashes", "evictions", "node_failures"});
  const auto& w = j["workloads"][1];  // sorted by name: quiet, web
  std::vector<std::string> wkeys;
  for (const auto& [k, v] : w.items())
    wkeys.push_back(k);
  CHECK(wkeys == std::vector<std::string>{"kind", "name", "in_service_since", "window_seconds",
                                          "deleted", "desired", "ready", "availability_any",
                                          "availability_full", "downtime", "mttr_seconds",
                                          "failures", "restarts", "crashes", "evictions"});
  CHECK(w["name"] == "default/web");
  CHECK(w["availability_any"].get<double>() == Approx(0.98));
  CHECK(w["downtime"]["intervals"].dump() == "[[10.0,12.0]]");
  CHECK(w["mttr_seconds"]["mean"].get<double>() == 2.0);
  CHECK(w["mttr_seconds"]["in_place"] == 1);
  CHECK(j["node_failures"]["count"] == 1);
  CHECK(j["node_failures"]["with_pods"] == 0);
  CHECK(j["node_failures"]["all_back_seconds"]["mean"].is_null());
  CHECK(j["node_failures"]["failures"][0]["cause"] == "NodeCrashed");
}

TEST_CASE("availability: the run summary carries it in the table and summary.json") {
  Cluster c;
  const uint32_t web = c.deployment("web", 1);
  const PodId a = c.pod(web, "web-a", 0);
  RunSummaryCollector collector(c.bus, c.objects);
  c.collector = std::make_unique<AvailabilityCollector>(c.bus, c.objects);
  c.publish(0, PodEvent::kReady, a);
  const RunSummary calm = collector.summary(at_s(10));
  CHECK(calm.availability.workloads.size() == 1);
  CHECK(summary_json(calm)["availability"]["workloads"][0]["availability_any"] == 1.0);
  CHECK_THAT(summary_table(calm), !Catch::Contains("availability"));
  c.publish(10, PodEvent::kNotReady, a);
  const RunSummary s = collector.summary(at_s(20));
  CHECK(s.availability.failures == 1);
  CHECK_THAT(summary_table(s), Catch::Contains("deploy/web"));
}
