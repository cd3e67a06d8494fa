#include "analysis/run_summary.h"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "models/apiserver/api_server.h"
#include "sim/simulation.h"

using namespace kubesim;

namespace {

constexpr int64_t kGi = 1024LL * 1024 * 1024;

Node make_node(std::string name, int64_t milli_cpu, int64_t memory) {
  Node n;
  n.name = std::move(name);
  n.allocatable.milli_cpu = milli_cpu;
  n.allocatable.memory = memory;
  n.allocatable.pods = 110;
  n.capacity = n.allocatable;
  return n;
}

Pod make_pod(std::string name, int64_t milli_cpu, int64_t memory) {
  Pod p;
  p.name = std::move(name);
  Container c;
  c.name = "main";
  c.requests.milli_cpu = milli_cpu;
  c.requests.memory = memory;
  c.has_cpu_request = c.has_memory_request = true;
  p.spec.containers.push_back(c);
  return p;
}

SimTime at_s(int64_t s) {
  return SimTime::zero() + Duration::seconds(s);
}

// What a kubelet does: write the status, then publish the record.
void kubelet_sets(ApiServer& api, PodId id, PodPhase phase, bool ready, PodEvent event) {
  REQUIRE(api.update_pod(id, 0, [&](Pod& p) {
    p.phase = phase;
    p.status.ready = ready;
  }));
  const Pod& p = api.objects().pods[id.value];
  api.context().bus().topic<PodRecord>().publish(
      {api.now(), event, &p, &api.objects().nodes[p.node.value]});
}

}  // namespace

TEST_CASE("run summary: nearest-rank percentiles") {
  // 1..10: p50 is rank ceil(0.5 * 10) = 5, p99 rank ceil(9.9) = 10.
  const std::vector<int64_t> ten{1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  CHECK(nearest_rank(ten, 50) == 5);
  CHECK(nearest_rank(ten, 99) == 10);
  CHECK(nearest_rank(ten, 100) == 10);
  CHECK(nearest_rank(ten, 1) == 1);  // rank ceil(0.1) = 1
  // 1..100: p50 = 50, p99 = 99 (no interpolation).
  std::vector<int64_t> hundred;
  for (int64_t i = 1; i <= 100; ++i)
    hundred.push_back(i);
  CHECK(nearest_rank(hundred, 50) == 50);
  CHECK(nearest_rank(hundred, 99) == 99);
  // 101 values: p99 rank ceil(99.99) = 100.
  hundred.push_back(101);
  CHECK(nearest_rank(hundred, 99) == 100);
  CHECK(nearest_rank(hundred, 50) == 51);  // ceil(50.5) = 51
  CHECK(nearest_rank({42}, 50) == 42);
  CHECK(nearest_rank({42}, 99) == 42);

  // latency_stats sorts: {3s, 1s, 2s} -> p50 rank ceil(1.5) = 2 -> 2s, p99 rank 3 -> 3s.
  const LatencyStats s = latency_stats({3'000'000, 1'000'000, 2'000'000});
  CHECK(s.count == 3);
  CHECK(*s.p50 == Duration::seconds(2));
  CHECK(*s.p99 == Duration::seconds(3));
  const LatencyStats none = latency_stats({});
  CHECK(none.count == 0);
  CHECK_FALSE(none.p50.has_value());
}

TEST_CASE("run summary: pods, latencies, utilization and rejected writes of a small run") {
  ClusterObjects objects;
  objects.add_node(make_node("n0", 4000, 8 * kGi));
  objects.add_node(make_node("n1", 4000, 8 * kGi));
  Simulation sim(1);
  ApiServer api(sim.context(), objects);
  RunSummaryCollector collector(sim.bus(), api.objects());

  // a (1 cpu, 2Gi) and b (2 cpu, 4Gi) are created at 0 and bound at 10 s and
  // 20 s; a is Ready at 12 s and succeeds at 30 s, b is Ready at 22 s. c (5
  // cpu) fits no node: its bind is rejected and it stays pending.
  const PodId a = api.create_pod(make_pod("a", 1000, 2 * kGi));
  const PodId b = api.create_pod(make_pod("b", 2000, 4 * kGi));
  sim.schedule_at(at_s(10), [&] { REQUIRE(api.bind(a, NodeId{0})); });
  sim.schedule_at(at_s(12),
                  [&] { kubelet_sets(api, a, PodPhase::kRunning, true, PodEvent::kReady); });
  sim.schedule_at(at_s(20), [&] { REQUIRE(api.bind(b, NodeId{1})); });
  sim.schedule_at(at_s(22),
                  [&] { kubelet_sets(api, b, PodPhase::kRunning, true, PodEvent::kReady); });
  sim.schedule_at(at_s(25), [&] {
    const PodId c = api.create_pod(make_pod("c", 5000, kGi));
    CHECK_FALSE(api.bind(c, NodeId{0}));
  });
  sim.schedule_at(at_s(30),
                  [&] { kubelet_sets(api, a, PodPhase::kSucceeded, false, PodEvent::kSucceeded); });
  sim.run_until(at_s(40));

  const RunSummary s = collector.summary(sim.now());
  CHECK(s.simulated == at_s(40));
  CHECK(s.pods.created == 3);
  CHECK(s.pods.running == 1);    // b
  CHECK(s.pods.succeeded == 1);  // a
  CHECK(s.pods.pending == 1);    // c
  CHECK(s.pods.failed == 0);
  CHECK(s.pods.deleted == 0);
  CHECK(s.rejected_writes == 1);

  // to bind: {10 s, 20 s}: p50 rank ceil(1) = 1 -> 10 s, p99 rank ceil(1.98) = 2 -> 20 s.
  CHECK(s.to_bind.count == 2);
  CHECK(*s.to_bind.p50 == Duration::seconds(10));
  CHECK(*s.to_bind.p99 == Duration::seconds(20));
  // to ready: {12 s, 22 s}.
  CHECK(s.to_ready.count == 2);
  CHECK(*s.to_ready.p50 == Duration::seconds(12));
  CHECK(*s.to_ready.p99 == Duration::seconds(22));

  // cpu requested / allocatable (8000m): 0 on [0, 10), 1000/8000 = 0.125 on
  // [10, 20), 3000/8000 = 0.375 on [20, 30), 2000/8000 = 0.25 on [30, 40).
  // mean = (0 * 10 + 0.125 * 10 + 0.375 * 10 + 0.25 * 10) / 40 = 7.5 / 40 = 0.1875.
  CHECK(s.cpu.end == Approx(0.25));
  CHECK(s.cpu.mean == Approx(0.1875));
  // memory (16Gi) goes through the same fractions: 2/16, 6/16, 4/16.
  CHECK(s.memory.end == Approx(0.25));
  CHECK(s.memory.mean == Approx(0.1875));

  // Later: the last fraction holds. At 80 s: (7.5 + 0.25 * 40) / 80 = 17.5 / 80 = 0.21875.
  CHECK(collector.summary(at_s(80)).cpu.mean == Approx(0.21875));
}

TEST_CASE(
    "run summary: nodes added and deleted change the allocatable; bound pods count from the "
    "start") {
  ClusterObjects objects;
  objects.add_node(make_node("n0", 4000, 8 * kGi));
  Pod db = make_pod("db-0", 1000, kGi);  // declared bound and running in the scenario
  db.node = NodeId{0};
  db.spec.node_name = "n0";
  db.phase = PodPhase::kRunning;
  objects.add_pod(db);
  Simulation sim(1);
  ApiServer api(sim.context(), objects);
  RunSummaryCollector collector(sim.bus(), api.objects());

  NodeId added;
  sim.schedule_at(at_s(10), [&] { added = api.create_node(make_node("n1", 4000, 8 * kGi)); });
  sim.schedule_at(at_s(20), [&] { api.delete_node(added); });
  sim.run_until(at_s(40));

  const RunSummary s = collector.summary(sim.now());
  // cpu: 1000/4000 = 0.25 on [0, 10), 1000/8000 = 0.125 on [10, 20), 0.25 on [20, 40):
  // mean = (2.5 + 1.25 + 5) / 40 = 0.21875.
  CHECK(s.cpu.end == Approx(0.25));
  CHECK(s.cpu.mean == Approx(0.21875));
  // memory: 1/8 = 0.125, 1/16 = 0.0625, 0.125: mean = (1.25 + 0.625 + 2.5) / 40 = 0.109375.
  CHECK(s.memory.end == Approx(0.125));
  CHECK(s.memory.mean == Approx(0.109375));
  CHECK(s.pods.created == 1);
  CHECK(s.pods.running == 1);
  CHECK(s.to_bind.count == 0);  // bound before the run: no latency to measure
}

TEST_CASE("run summary: a deleted pod stops counting and counts as deleted") {
  ClusterObjects objects;
  objects.add_node(make_node("n0", 4000, 8 * kGi));
  Simulation sim(1);
  ApiServer api(sim.context(), objects);
  RunSummaryCollector collector(sim.bus(), api.objects());
  const PodId a = api.create_pod(make_pod("a", 2000, 4 * kGi));
  REQUIRE(api.bind(a, NodeId{0}));
  // Bound at 0 with 2000/4000 = 0.5; removed at 10 s: 0 on [10, 20).
  sim.schedule_at(at_s(10), [&] { api.remove_pod(a); });
  sim.run_until(at_s(20));
  const RunSummary s = collector.summary(sim.now());
  CHECK(s.pods.created == 1);
  CHECK(s.pods.deleted == 1);
  CHECK(s.pods.pending == 0);
  CHECK(s.cpu.end == 0);
  CHECK(s.cpu.mean == Approx(0.25));  // 0.5 * 10 / 20
  CHECK(s.to_bind.count == 1);
  CHECK(*s.to_bind.p50 == Duration::zero());
}

TEST_CASE("run summary: rollouts and jobs are counted from workload records") {
  ClusterObjects objects;
  Simulation sim(1);
  RunSummaryCollector collector(sim.bus(), objects);
  ObjectMeta meta;
  meta.name = "web";
  auto& topic = sim.bus().topic<WorkloadRecord>();
  topic.publish({at_s(1), WorkloadEvent::kRolloutStarted, "Deployment", &meta, 1, 2});
  topic.publish({at_s(2), WorkloadEvent::kRolloutStarted, "Deployment", &meta, 2, 3});
  topic.publish({at_s(3), WorkloadEvent::kRolloutComplete, "Deployment", &meta, 0, 3});
  topic.publish({at_s(4), WorkloadEvent::kJobComplete, "Job", &meta, 0, 3});
  topic.publish({at_s(5), WorkloadEvent::kJobFailed, "Job", &meta, 0, 6});
  topic.publish({at_s(6), WorkloadEvent::kScaled, "Deployment", &meta, 3, 5});
  const RunSummary s = collector.summary(at_s(10));
  CHECK(s.rollouts_started == 2);
  CHECK(s.rollouts_completed == 1);
  CHECK(s.jobs_completed == 1);
  CHECK(s.jobs_failed == 1);
  CHECK(s.cpu.mean == 0);  // no nodes: nothing allocatable, utilization 0
}

TEST_CASE("run summary: JSON keys and table text") {
  RunSummary s;
  s.scenario = "quickstart";
  s.seed = 42;
  s.simulated = at_s(1800);
  s.wall_seconds = 0.5;
  s.events_processed = 12345;
  s.pods.created = 10;
  s.pods.running = 9;
  s.pods.pending = 1;
  s.to_bind = latency_stats({2'000, 7'000});
  s.cpu = {0.25, 0.1875};
  s.memory = {0.5, 0.4};

  const nlohmann::ordered_json j = summary_json(s);
  std::vector<std::string> keys;
  for (const auto& [k, v] : j.items())
    keys.push_back(k);
  CHECK(keys == std::vector<std::string>{
                    "scenario", "seed", "simulated_seconds", "wall_seconds", "speedup",
                    "events_processed", "pods", "scheduling_latency_seconds", "utilization",
                    "nodes", "rollouts", "jobs", "availability", "rejected_writes", "interrupted"});
  CHECK(j["speedup"].get<double>() == Approx(3600));  // 1800 s / 0.5 s
  CHECK(j["simulated_seconds"].get<double>() == 1800);
  CHECK(j["pods"]["created"] == 10);
  CHECK(j["pods"]["running"] == 9);
  CHECK(j["scheduling_latency_seconds"]["to_bind"]["p50"].get<double>() == Approx(0.002));
  CHECK(j["scheduling_latency_seconds"]["to_bind"]["p99"].get<double>() == Approx(0.007));
  // Printed as people write it: 7000 us / 1e6, not 7000 * 1e-6 = 0.006999999999999999.
  CHECK(j["scheduling_latency_seconds"]["to_bind"]["p99"].dump() == "0.007");
  CHECK(j["scheduling_latency_seconds"]["to_ready"]["p50"].is_null());  // no pod got there
  CHECK(j["utilization"]["cpu"]["end"].get<double>() == 0.25);
  CHECK(j["utilization"]["memory"]["mean"].get<double>() == 0.4);
  CHECK(j["interrupted"] == false);

  const std::string table = summary_table(s);
  CHECK_THAT(table, Catch::Contains("kubesim run: quickstart (seed 42)"));
  CHECK_THAT(table, Catch::Contains("1,800 s (30m)"));
  s.simulated = SimTime::from_micros(120'001'000);
  CHECK(summary_json(s)["simulated_seconds"].dump() == "120.001");
  CHECK_THAT(summary_table(s), Catch::Contains("120.001 s\n"));
  CHECK_THAT(table, Catch::Contains("speedup 3,600x"));
  CHECK_THAT(table, Catch::Contains("12,345"));
  CHECK_THAT(table, Catch::Contains("25.0%"));
  CHECK_THAT(table, Catch::Contains("7ms"));
  CHECK_THAT(table, Catch::Contains("rejected writes"));
  s.interrupted = true;
  CHECK_THAT(summary_table(s), Catch::Contains("INTERRUPTED"));
}

TEST_CASE("run summary: nodes in use count nodes with an active pod that is not a DaemonSet's") {
  // Four nodes: n0 runs a plain pod, n1 only a DaemonSet pod, n2 a pod that
  // finished, n3 nothing; then n3 is deleted. In use: n0 only, of 3 nodes.
  Simulation sim(1);
  ClusterObjects objects;
  for (int i = 0; i < 4; ++i)
    objects.add_node(make_node("n" + std::to_string(i), 4000, 8 * kGi));
  ApiServer api(sim.context(), objects);
  RunSummaryCollector collector(sim.bus(), api.objects());
  const PodId plain = api.create_pod(make_pod("plain", 100, kGi));
  Pod daemon = make_pod("agent", 100, kGi);
  daemon.owner = OwnerRef{"DaemonSet", "agent"};
  const PodId agent = api.create_pod(daemon);
  const PodId done = api.create_pod(make_pod("done", 100, kGi));
  REQUIRE(api.bind(plain, NodeId{0}));
  REQUIRE(api.bind(agent, NodeId{1}));
  REQUIRE(api.bind(done, NodeId{2}));
  kubelet_sets(api, done, PodPhase::kSucceeded, false, PodEvent::kSucceeded);
  api.delete_node(NodeId{3});
  const RunSummary s = collector.summary(sim.now());
  CHECK(s.nodes == 3);
  CHECK(s.nodes_in_use == 1);
  CHECK(summary_json(s)["nodes"]["in_use"] == 1);
}
