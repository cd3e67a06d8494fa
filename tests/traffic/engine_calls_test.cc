// Downstream calls: a request of `front` calls Services `a` and `b` after its
// own work, holding its worker; latencies with fixed service times are
// derived by hand.
#include <catch2/catch.hpp>

#include "models/traffic/call_graph.h"
#include "tests/traffic/engine_test_cluster.h"

using namespace kubesim;
using namespace kubesim::traffic_test;

namespace {

// front (10 ms) -> a (20 ms), b (30 ms); one pod each, one request at 0.
struct CallCluster {
  CallCluster(bool parallel, bool b_has_pod = true) {
    c.add_service("front");
    c.add_service("a");
    c.add_service("b");
    front_pod = c.add_pod("front");
    c.add_pod("a");
    if (b_has_pod) c.add_pod("b");
    TrafficSpec front = EngineTestCluster::replay("front", {ms(0)}, "fixed(10ms)");
    front.calls = {CallSpec{"a", 1, parallel}, CallSpec{"b", 1, parallel}};
    c.boot({front, EngineTestCluster::called("a", "fixed(20ms)"),
            EngineTestCluster::called("b", "fixed(30ms)")});
  }
  EngineTestCluster c;
  PodId front_pod;
};

}  // namespace

TEST_CASE("traffic engine: sequential calls add up, parallel calls take the longest") {
  SECTION("sequential") {
    CallCluster k(false);
    k.c.run_until(at_ms(35));
    // The front pod's worker is held while it waits for its calls.
    CHECK(k.c.engine->requests_in(k.front_pod) == 1);
    k.c.run_for(Duration::seconds(1));
    // 10 ms of work, then a (10-30), then b (30-60): 60 ms.
    CHECK(k.c.latencies(0) == std::vector<Duration>{ms(60)});
    CHECK(k.c.latencies(1) == std::vector<Duration>{ms(20)});
    CHECK(k.c.latencies(2) == std::vector<Duration>{ms(30)});
  }
  SECTION("parallel") {
    CallCluster k(true);
    k.c.run_for(Duration::seconds(1));
    // 10 ms of work, then a (10-30) and b (10-40) together: 40 ms.
    CHECK(k.c.latencies(0) == std::vector<Duration>{ms(40)});
  }
}

TEST_CASE("traffic engine: calls are requests of the callee, not from outside") {
  CallCluster k(false);
  k.c.run_for(Duration::seconds(1));
  REQUIRE(k.c.arrived.size() == 3);
  CHECK(k.c.arrived[0].service == 0);
  CHECK(k.c.arrived[0].external);
  CHECK(k.c.arrived[1].service == 1);
  CHECK_FALSE(k.c.arrived[1].external);
  CHECK(k.c.arrived[1].t == at_ms(10));
  CHECK(k.c.arrived[2].service == 2);
  CHECK(k.c.arrived[2].t == at_ms(30));
  for (const auto& r : k.c.ended)
    CHECK(r.outcome == RequestOutcome::kCompleted);
  CHECK(k.c.ended[0].external == false);  // a's call ends first
}

TEST_CASE("traffic engine: a failed call fails the caller with a downstream error") {
  CallCluster k(false, /*b_has_pod=*/false);
  k.c.run_for(Duration::seconds(1));
  // a answers at 30 ms; b has no endpoint: its call fails at once, and the
  // front request answers with the failure at 30 ms.
  CHECK(k.c.outcomes(2) == std::vector<RequestOutcome>{RequestOutcome::kConnectionError});
  CHECK(k.c.outcomes(0) == std::vector<RequestOutcome>{RequestOutcome::kDownstream});
  CHECK(k.c.latencies(0) == std::vector<Duration>{ms(30)});
  CHECK(k.c.engine->requests_in(k.front_pod) == 0);
}

TEST_CASE("traffic engine: a caller that crashes abandons its calls, which still end") {
  CallCluster k(false);
  k.c.at(at_ms(20), [&] { k.c.c.kubelets->crash_container(k.front_pod, 1, "test"); });
  k.c.run_for(Duration::seconds(1));
  // At 20 ms the front pod dies while a's call (10-30) runs: the front
  // request fails at 20 ms; a's request still completes at 30; b is never
  // called.
  CHECK(k.c.outcomes(0) == std::vector<RequestOutcome>{RequestOutcome::kConnectionError});
  CHECK(k.c.latencies(0) == std::vector<Duration>{ms(20)});
  CHECK(k.c.outcomes(1) == std::vector<RequestOutcome>{RequestOutcome::kCompleted});
  CHECK(k.c.ends(2).empty());
}

TEST_CASE("call graph: consecutive parallel calls form one group") {
  std::vector<TrafficSpec> t(5);
  const char* names[] = {"front", "a", "b", "c", "d"};
  for (int i = 0; i < 5; ++i)
    t[static_cast<std::size_t>(i)].service = names[i];
  t[0].calls = {CallSpec{"a", 1, false}, CallSpec{"b", 0.5, true}, CallSpec{"c", 1, true},
                CallSpec{"d", 1, false}, CallSpec{"a", 1, true}};
  auto plan = traffic::plan_calls(t);
  REQUIRE(plan);
  // [a] [b, c] [d] [a]: the parallel run b, c is one group; a parallel call
  // after a sequential one starts a group of its own.
  const auto& groups = (*plan)[0];
  REQUIRE(groups.size() == 4);
  CHECK(groups[0].size() == 1);
  CHECK(groups[1].size() == 2);
  CHECK(groups[1][0].callee == 2);
  CHECK(groups[1][0].probability == 0.5);
  CHECK(groups[1][1].callee == 3);
  CHECK(groups[2][0].callee == 4);
  CHECK(groups[3][0].callee == 1);
  t[1].calls = {CallSpec{"nowhere", 1, false}};
  t[1].where = "s.yaml:7";
  auto bad = traffic::plan_calls(t);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message ==
        "s.yaml:7: traffic of Service \"a\" calls \"nowhere\", which has no traffic entry in "
        "namespace \"default\"");
}
