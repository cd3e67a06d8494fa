// Timeouts, retries and the failures of pods under the traffic engine:
// every time is derived by hand in a comment (watch latency 5 ms, no
// kube-proxy lag unless stated, fixed service times).
#include <catch2/catch.hpp>

#include "models/kubelet/behavior.h"
#include "models/objects/annotations.h"
#include "tests/traffic/engine_test_cluster.h"

using namespace kubesim;
using namespace kubesim::traffic_test;

TEST_CASE("traffic engine: timeouts and retries are counted per attempt") {
  EngineTestCluster c;
  c.add_service("web");
  const PodId pod = c.add_pod("web");
  TrafficSpec t = EngineTestCluster::replay("web", {ms(0)}, "fixed(100ms)");
  t.timeout = ms(30);
  t.retry_attempts = 2;
  t.retry_backoff = dist("fixed(10ms)");
  c.boot({t});
  // Attempt 1 at 0 (served 0-100), the client gives up at 30; after 10 ms
  // of back-off attempt 2 at 40 queues behind it, gives up at 70; attempt
  // 3 at 80, gives up at 110: the request fails with a timeout after 110 ms
  // and 3 attempts. The pod does not know: it serves all three, one after
  // the other, 0-100, 100-200 (waited 60), 200-300 (waited 120).
  c.run_until(at_ms(150));
  CHECK(c.engine->requests_in(pod) == 2);
  c.run_until(at_ms(1000));
  REQUIRE(c.ended.size() == 1);
  CHECK(c.ended[0].outcome == RequestOutcome::kTimeout);
  CHECK(c.ended[0].latency == ms(110));
  CHECK(c.ended[0].attempts == 3);
  CHECK(c.arrived.size() == 1);
  CHECK(c.waits() == std::vector<Duration>{ms(0), ms(60), ms(120)});
  CHECK(c.engine->cpu_seconds(pod) == Approx(0.300));
  CHECK(c.engine->requests_in(pod) == 0);
}

TEST_CASE("traffic engine: a retry after a rejection succeeds") {
  EngineTestCluster c;
  c.add_service("web");
  c.add_pod("web", {{kAnnotationQueueCapacity, "0"}});
  TrafficSpec t = EngineTestCluster::replay("web", {ms(0), ms(5)}, "fixed(10ms)");
  t.retry_attempts = 1;
  t.retry_backoff = dist("fixed(20ms)");
  c.boot({t});
  c.run_for(Duration::seconds(1));
  // No queue: the request at 5 ms finds the worker busy (0-10) and is
  // rejected; retried at 25 ms, served 25-35: latency 30 ms, 2 attempts.
  CHECK(c.outcomes(0) ==
        std::vector<RequestOutcome>{RequestOutcome::kCompleted, RequestOutcome::kCompleted});
  CHECK(c.latencies(0) == std::vector<Duration>{ms(10), ms(30)});
  CHECK(c.ended[1].attempts == 2);
  CHECK(c.count(PodRequestEvent::kRejected) == 1);
}

TEST_CASE("traffic engine: a crash fails the requests in the pod with a connection error") {
  EngineTestCluster c;
  c.add_service("web");
  const PodId pod = c.add_pod("web");
  c.boot({EngineTestCluster::replay("web", {ms(0), ms(10), ms(52), ms(70)}, "fixed(100ms)")});
  c.at(at_ms(50), [&] { c.c.kubelets->crash_container(pod, 1, "test"); });
  c.run_for(Duration::seconds(1));
  // At 50 ms the container dies: the request in service (since 0) and the
  // queued one (since 10) fail at once: latencies 50 and 40. The kubelet
  // marks the pod NotReady at 50 ms; the endpoints learn of it one watch
  // latency later (55 ms): the request at 52 ms still reaches the pod, which
  // refuses it (its container is restarting); at 70 ms the Service has no
  // endpoint: a connection error without reaching any pod.
  CHECK(c.outcomes(0) == std::vector<RequestOutcome>(4, RequestOutcome::kConnectionError));
  CHECK(c.latencies(0) == std::vector<Duration>{ms(50), ms(40), ms(0), ms(0)});
  CHECK(c.count(PodRequestEvent::kAborted) == 2);
  CHECK(c.count(PodRequestEvent::kRefused) == 1);
  CHECK(c.count(PodRequestEvent::kServed) == 0);
  CHECK(c.engine->requests_in(pod) == 0);
}

TEST_CASE(
    "traffic engine: a terminating pod refuses new requests and runs its own until it stops") {
  EngineTestCluster c;
  c.add_service("web");
  const PodId pod = c.add_pod("web", {{kAnnotationShutdownTime, "fixed(300ms)"}});
  // Every node's kube-proxy lags 1 s behind the endpoints: it keeps sending
  // to the pod after its deletion.
  KubeProxyConfig lagging = EngineTestCluster::no_lag();
  lagging.propagation_delay = DurationDistribution::fixed(Duration::seconds(1));
  c.boot({EngineTestCluster::replay("web", {ms(0), ms(101), ms(102), ms(106), ms(600)},
                                    "fixed(200ms)")},
         lagging);
  c.c.delete_at(ms(100), pod);
  c.run_for(Duration::seconds(3));
  // Deleted at 100 ms; its kubelet learns of it at 105 ms (SIGTERM: no new
  // connection) and the container exits 300 ms later, at 405 ms; the
  // endpoints drop the pod at 105 ms, the kube-proxy 1 s later. One worker,
  // 200 ms each: 0 ms served 0-200; 101 and 102 ms were accepted before
  // SIGTERM: 101 is served 200-400 (latency 299), 102 starts at 400 and is
  // cut by the container's exit at 405 (latency 303). 106 ms is refused;
  // 600 ms finds the pod gone (still in the kube-proxy's view): refused.
  CHECK(c.outcomes(0) ==
        std::vector<RequestOutcome>{RequestOutcome::kConnectionError, RequestOutcome::kCompleted,
                                    RequestOutcome::kCompleted, RequestOutcome::kConnectionError,
                                    RequestOutcome::kConnectionError});
  CHECK(c.latencies(0) == std::vector<Duration>{ms(0), ms(200), ms(299), ms(303), ms(0)});
  CHECK(c.count(PodRequestEvent::kRefused) == 2);
  CHECK(c.count(PodRequestEvent::kAborted) == 1);
}

TEST_CASE("traffic engine: a hung app holds requests until a timeout or its container stops") {
  EngineTestCluster c;
  c.add_service("web");
  const PodId pod = c.add_pod("web", {{kAnnotationBehavior, "hang-after: fixed(1s)"}});
  TrafficSpec t = EngineTestCluster::replay("web", {ms(500), ms(990), ms(1500)}, "fixed(20ms)");
  t.timeout = ms(200);
  c.boot({t});
  c.at(at_ms(2000), [&] { c.c.kubelets->crash_container(pod, 1, "test"); });
  // The container runs from 0 and hangs at 1 s. 500 ms: served (20 ms). 990
  // ms: in service until 1010 ms, after the hang: no answer, the client gives
  // up at 1190. 1500 ms: accepted (the hung app still listens), never
  // served: timeout at 1700. Both stay in the pod until the crash at 2 s.
  c.run_until(at_ms(1900));
  CHECK(c.outcomes(0) == std::vector<RequestOutcome>{RequestOutcome::kCompleted,
                                                     RequestOutcome::kTimeout,
                                                     RequestOutcome::kTimeout});
  CHECK(c.latencies(0) == std::vector<Duration>{ms(20), ms(200), ms(200)});
  CHECK(c.engine->requests_in(pod) == 2);
  CHECK(c.count(PodRequestEvent::kServed) == 1);
  c.run_until(at_ms(2500));
  CHECK(c.engine->requests_in(pod) == 0);
  CHECK(c.count(PodRequestEvent::kAborted) == 2);
  CHECK(c.ended.size() == 3);  // the clients had already given up
}

TEST_CASE("traffic engine: outside clients enter through a node that is up") {
  // Two nodes; the pod on node 1. Client 0 enters through node 0; when node
  // 0's machine is down, through the next node up (1). With least-connections
  // each node's kube-proxy counts its own connections, so which node a
  // request entered through is not visible in the records: we check that no
  // request fails while node 0 is down.
  EngineTestCluster c(2);
  c.add_service("web");
  c.add_pod("web", {}, 1);
  TrafficSpec t = EngineTestCluster::replay("web", {ms(100), ms(200), ms(300)}, "fixed(10ms)");
  c.boot({t});
  c.at(at_ms(150), [&] { c.c.kubelets->node_down(NodeId{0}); });
  c.at(at_ms(250), [&] { c.c.kubelets->node_down(NodeId{1}); });
  c.run_for(Duration::seconds(1));
  // 100 ms: via node 0; 200 ms: node 0 down, via node 1; 300 ms: both down:
  // no way in, a connection error.
  CHECK(c.outcomes(0) == std::vector<RequestOutcome>{RequestOutcome::kCompleted,
                                                     RequestOutcome::kCompleted,
                                                     RequestOutcome::kConnectionError});
  CHECK(c.pod_events.size() == 4);  // accepted + served, twice; none at 300 ms
}
