// KubeScheduler in simulated time: the watch latency, one decision at a time,
// binding through the API server, and retries after cluster events.
#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <vector>

#include "models/apiserver/api_server.h"
#include "models/scheduler/kube_scheduler.h"
#include "models/scheduler/registry.h"
#include "tests/scheduler/test_cluster.h"

namespace kubesim {
namespace {

using plugin_test::make_node;

struct SchedulerFixture {
  Simulation sim{3};
  ClusterObjects objects;
  std::unique_ptr<ApiServer> api;
  std::unique_ptr<KubeScheduler> scheduler;
  std::vector<std::pair<int64_t, std::string>> scheduled;  // time in us, pod
  std::vector<int64_t> failed;  // us

  explicit SchedulerFixture(std::vector<Node> nodes) {
    for (Node& n : nodes)
      objects.add_node(std::move(n));
    api = std::make_unique<ApiServer>(sim.context(), objects,
                                      ApiServerConfig{Duration::millis(5)});
    PluginRegistry plugins;
    register_builtin_plugins(plugins);
    ProfileRegistry profiles;
    register_builtin_profiles(profiles);
    std::map<std::string, std::unique_ptr<SchedulingFramework>> fws;
    auto fw = SchedulingFramework::create(profiles.find("default")->make(), plugins);
    REQUIRE(fw);
    fws["default-scheduler"] = std::move(*fw);
    scheduler = std::make_unique<KubeScheduler>(
        *api, std::move(fws), KubeSchedulerConfig{Duration::millis(2), {}});
    sim.bus().topic<PodRecord>().subscribe([this](const PodRecord& r) {
      if (r.event == PodEvent::kScheduled) scheduled.emplace_back(r.t.count_micros(), r.pod->name);
      if (r.event == PodEvent::kFailedScheduling) failed.push_back(r.t.count_micros());
    });
    scheduler->start();
  }

  PodId create(const std::string& name, int64_t milli_cpu) {
    Pod p;
    p.name = name;
    Container c;
    c.name = "c";
    c.requests.milli_cpu = milli_cpu;
    c.has_cpu_request = true;
    p.spec.containers.push_back(c);
    return api->create_pod(std::move(p));
  }
};

TEST_CASE("pods are bound one decision at a time after the watch latency") {
  SchedulerFixture f({make_node("n1", 4000, 1LL << 30)});
  f.create("a", 100);
  f.create("b", 100);
  f.sim.run_until(SimTime::zero() + Duration::seconds(1));
  // Both are seen at 5 ms (watch latency); decisions take 2 ms each: 7 ms, 9 ms.
  REQUIRE(f.scheduled.size() == 2);
  CHECK(f.scheduled[0] == std::pair<int64_t, std::string>{7'000, "a"});
  CHECK(f.scheduled[1] == std::pair<int64_t, std::string>{9'000, "b"});
  CHECK(f.api->rejected_writes() == 0);
}

TEST_CASE("an unschedulable pod is bound after a node is added") {
  SchedulerFixture f({make_node("small", 1000, 1LL << 30)});
  f.create("big", 2000);
  f.sim.schedule(Duration::seconds(30), [&] { f.api->create_node(make_node("large", 4000, 1LL << 30)); });
  f.sim.run_until(SimTime::zero() + Duration::minutes(2));
  // Fails at 7 ms; the node's watch event arrives at 30.005 s, after the 1 s
  // back-off, so the pod goes straight to activeQ and is bound at 30.007 s.
  CHECK(f.failed == std::vector<int64_t>{7'000});
  REQUIRE(f.scheduled.size() == 1);
  CHECK(f.scheduled[0] == std::pair<int64_t, std::string>{30'007'000, "big"});
  CHECK(f.objects.pods[0].spec.node_name == "large");
}

TEST_CASE("the scheduler never over-commits a node, and the API server agrees") {
  // 10 pods of 300m on a 1000m node: 3 fit; the rest stay pending.
  SchedulerFixture f({make_node("n", 1000, 1LL << 30)});
  for (int i = 0; i < 10; ++i)
    f.create("p" + std::to_string(i), 300);
  f.sim.run_until(SimTime::zero() + Duration::minutes(1));
  CHECK(f.scheduled.size() == 3);
  CHECK(f.api->node_requested(NodeId{0}).milli_cpu == 900);
  CHECK(f.api->rejected_writes() == 0);
}

TEST_CASE("a deleted bound pod frees room for a pending one") {
  SchedulerFixture f({make_node("n", 1000, 1LL << 30)});
  const PodId first = f.create("first", 800);
  f.create("second", 800);
  f.sim.schedule(Duration::seconds(60), [&] { f.api->remove_pod(first); });
  f.sim.run_until(SimTime::zero() + Duration::minutes(2));
  // second fails at 9 ms; the delete's watch event at 60.005 s moves it.
  REQUIRE(f.scheduled.size() == 2);
  CHECK(f.scheduled[1] == std::pair<int64_t, std::string>{60'007'000, "second"});
}

TEST_CASE("the API server rejects a double bind and an over-commit, and counts them") {
  Simulation sim{1};
  ClusterObjects objects;
  objects.add_node(make_node("n", 1000, 1LL << 30));
  ApiServer api(sim.context(), objects);
  Pod p;
  p.name = "p";
  Container c;
  c.requests.milli_cpu = 600;
  p.spec.containers.push_back(c);
  const PodId a = api.create_pod(p);
  p.name = "q";
  const PodId b = api.create_pod(p);
  CHECK(api.bind(a, NodeId{0}));
  CHECK_FALSE(api.bind(a, NodeId{0}));  // already bound
  CHECK_FALSE(api.bind(b, NodeId{0}));  // 1200m > 1000m
  CHECK(api.rejected_writes() == 2);
  // A stale resource version is a conflict.
  const int64_t rv = objects.pods[a.value].resource_version;
  CHECK(api.update_pod(a, rv, [](Pod&) {}));
  CHECK_FALSE(api.update_pod(a, rv, [](Pod&) {}));
  CHECK(api.rejected_writes() == 3);
}

}  // namespace
}  // namespace kubesim
