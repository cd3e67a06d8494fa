// One pod's workers and FIFO queue under the traffic engine, with
// deterministic arrivals (replayed timestamps) and fixed service times, so
// that every wait and latency is derived by hand in a comment.
#include <catch2/catch.hpp>

#include "models/objects/annotations.h"
#include "tests/traffic/engine_test_cluster.h"

using namespace kubesim;
using namespace kubesim::traffic_test;

TEST_CASE("traffic engine: one worker serves FIFO with the exact waits") {
  EngineTestCluster c;
  c.add_service("web");
  const PodId pod = c.add_pod("web");
  c.boot(
      {EngineTestCluster::replay("web", {ms(0), ms(2), ms(4), ms(40)}, "fixed(10ms)", ms(1000))});
  c.run_for(Duration::seconds(2));
  // Arrivals at 1000, 1002, 1004, 1040 ms; 10 ms each, one at a time:
  // served 1000-1010, 1010-1020, 1020-1030, 1040-1050. Waits 0, 8, 16, 0;
  // latencies (wait + 10 ms) 10, 18, 26, 10.
  CHECK(c.waits() == std::vector<Duration>{ms(0), ms(8), ms(16), ms(0)});
  CHECK(c.latencies(0) == std::vector<Duration>{ms(10), ms(18), ms(26), ms(10)});
  CHECK(c.outcomes(0) == std::vector<RequestOutcome>(4, RequestOutcome::kCompleted));
  CHECK(c.arrived.size() == 4);
  CHECK(c.count(PodRequestEvent::kAccepted) == 4);
  for (const auto& r : c.ended) {
    CHECK(r.attempts == 1);
    CHECK(r.external);
  }
  // Without cpuPerRequest the CPU is the service time: 4 x 10 ms.
  CHECK(c.engine->cpu_seconds(pod) == Approx(0.040));
  CHECK(c.engine->requests_in(pod) == 0);
}

TEST_CASE("traffic engine: a full queue rejects exactly") {
  EngineTestCluster c;
  c.add_service("web");
  c.add_pod("web", {{kAnnotationQueueCapacity, "1"}});
  c.boot({EngineTestCluster::replay("web", {ms(0), ms(1), ms(2), ms(3), ms(15)}, "fixed(10ms)")});
  c.run_for(Duration::seconds(1));
  // One worker, one queue slot. 0 ms: served (0-10); 1 ms: queued; 2 and
  // 3 ms: the queue is full, rejected at once (latency 0). 10 ms: the
  // queued one starts (10-20, latency 19); 15 ms: queued again (the slot is
  // free), served 20-30 (latency 15).
  CHECK(c.outcomes(0) ==
        std::vector<RequestOutcome>{RequestOutcome::kRejected, RequestOutcome::kRejected,
                                    RequestOutcome::kCompleted, RequestOutcome::kCompleted,
                                    RequestOutcome::kCompleted});
  CHECK(c.latencies(0) == std::vector<Duration>{ms(0), ms(0), ms(10), ms(19), ms(15)});
  CHECK(c.count(PodRequestEvent::kRejected) == 2);
  CHECK(c.count(PodRequestEvent::kAccepted) == 3);
  CHECK(c.waits() == std::vector<Duration>{ms(0), ms(9), ms(5)});
}

TEST_CASE("traffic engine: concurrency c serves c requests at once") {
  EngineTestCluster c;
  c.add_service("web");
  c.add_pod("web", {{kAnnotationConcurrency, "3"}});
  c.boot({EngineTestCluster::replay("web", {ms(0), ms(1), ms(2), ms(3), ms(4)}, "fixed(10ms)")});
  c.run_for(Duration::seconds(1));
  // Three workers: 0, 1, 2 ms start at once (end 10, 11, 12). 3 ms waits
  // for the first free worker (10 ms: wait 7, end 20); 4 ms for the next
  // (11 ms: wait 7, end 21).
  CHECK(c.waits() == std::vector<Duration>{ms(0), ms(0), ms(0), ms(7), ms(7)});
  CHECK(c.latencies(0) == std::vector<Duration>{ms(10), ms(10), ms(10), ms(17), ms(17)});
}

TEST_CASE("traffic engine: requests_in counts queued and in-service requests") {
  EngineTestCluster c;
  c.add_service("web");
  const PodId pod = c.add_pod("web", {{kAnnotationConcurrency, "2"}});
  c.boot({EngineTestCluster::replay("web", {ms(0), ms(1), ms(2), ms(3)}, "fixed(10ms)")});
  // At 5 ms: two in service, two queued. At 10.5 ms the first two ended
  // (10 and 11 ms: not yet the second) -> 3; at 15 ms: the two queued ones
  // run (10-20, 11-21) -> 2; at 25 ms: none.
  c.run_until(at_ms(5));
  CHECK(c.engine->requests_in(pod) == 4);
  c.run_until(SimTime::zero() + Duration::micros(10500));
  CHECK(c.engine->requests_in(pod) == 3);
  c.run_until(at_ms(15));
  CHECK(c.engine->requests_in(pod) == 2);
  c.run_until(at_ms(25));
  CHECK(c.engine->requests_in(pod) == 0);
}

TEST_CASE("traffic engine: cpu_seconds counts the work in service pro rata") {
  EngineTestCluster c;
  c.add_service("web");
  const PodId pod = c.add_pod("web");
  TrafficSpec t = EngineTestCluster::replay("web", {ms(0), ms(200)}, "fixed(100ms)");
  t.cpu_per_request = dist("fixed(40ms)");
  c.boot({t});
  // 40 ms of CPU over 100 ms of service: 0.4 CPU seconds per second of it.
  c.run_until(at_ms(25));
  CHECK(c.engine->cpu_seconds(pod) == Approx(0.010));
  c.run_until(at_ms(100));
  CHECK(c.engine->cpu_seconds(pod) == Approx(0.040));
  c.run_until(at_ms(150));
  CHECK(c.engine->cpu_seconds(pod) == Approx(0.040));
  // The second request (200-300 ms) is cut at 250 ms by a crash: half its
  // work was done, 20 ms of CPU, and stays counted.
  c.at(at_ms(250), [&] { c.c.kubelets->crash_container(pod, 1, "test"); });
  c.run_until(at_ms(400));
  CHECK(c.engine->cpu_seconds(pod) == Approx(0.060));
  const auto served = c.pod_records(PodRequestEvent::kServed);
  REQUIRE(served.size() == 1);
  CHECK(served[0].cpu_seconds == Approx(0.040));
  CHECK(served[0].busy == ms(100));
  // An unknown pod burned nothing.
  CHECK(c.engine->cpu_seconds(PodId{99}) == 0);
}
