// Random runs of the traffic engine: the accounting identity under failures,
// determinism per seed, and a quick M/M/1 sanity check (the long queueing
// validation is tests/runtime/queueing_validation_test.cc).
#include <catch2/catch.hpp>

#include <cmath>
#include <numeric>

#include "models/objects/annotations.h"
#include "tests/traffic/engine_test_cluster.h"

using namespace kubesim;
using namespace kubesim::traffic_test;

namespace {

// front: Poisson at 200/s for 20 s, then nothing; 3 pods with 2 workers and
// 3 queue slots; half its requests call `back` (2 pods). Timeouts and
// retries on both; a crash, a deletion and a machine failure on the way.
struct BusyCluster {
  explicit BusyCluster(uint64_t seed) : c(3, seed) {
    c.add_service("front");
    c.add_service("back");
    const std::map<std::string, std::string> small{{kAnnotationConcurrency, "2"},
                                                   {kAnnotationQueueCapacity, "3"}};
    for (uint32_t n = 0; n < 3; ++n)
      front_pods.push_back(c.add_pod("front", small, n));
    for (uint32_t n = 0; n < 2; ++n)
      back_pods.push_back(c.add_pod("back", {}, n));
    TrafficSpec front;
    front.where = "test:1";
    front.service = "front";
    front.arrival.process = ArrivalSpec::Process::kSchedule;
    front.arrival.schedule = {{Duration::zero(), 200}, {Duration::seconds(20), 0}};
    front.clients = 50;
    front.service_time = dist("exponential(8ms)");
    front.cpu_per_request = dist("exponential(4ms)");
    front.timeout = ms(50);
    front.retry_attempts = 2;
    front.retry_backoff = dist("exponential(10ms)");
    front.calls = {CallSpec{"back", 0.5, false}};
    TrafficSpec back = EngineTestCluster::called("back", "exponential(5ms)");
    back.timeout = ms(30);
    back.retry_attempts = 1;
    c.boot({front, back});
    c.at(at_ms(5000), [this] { c.c.kubelets->crash_container(front_pods[0], 1, "test"); });
    c.at(at_ms(7000), [this] { c.c.kubelets->crash_container(back_pods[1], 1, "test"); });
    c.at(at_ms(10000), [this] { c.c.api->delete_pod(front_pods[1]); });
    c.at(at_ms(12000), [this] { c.c.kubelets->node_down(NodeId{2}); });
  }
  EngineTestCluster c;
  std::vector<PodId> front_pods, back_pods;
};

}  // namespace

TEST_CASE("traffic engine: every request that arrived ends exactly once") {
  BusyCluster k(7);
  auto& c = k.c;
  // Mid-run: nothing ends that did not arrive.
  c.run_until(at_ms(10500));
  for (uint32_t s : {0u, 1u}) {
    std::size_t arrived = 0;
    for (const auto& r : c.arrived)
      arrived += r.service == s ? 1 : 0;
    CHECK(c.ends(s).size() <= arrived);
  }
  // Arrivals stop at 20 s; every request has a timeout per attempt and a
  // bounded number of attempts, so by 60 s all have ended.
  c.run_until(at_ms(60000));
  for (uint32_t s : {0u, 1u}) {
    std::size_t arrived = 0;
    for (const auto& r : c.arrived)
      arrived += r.service == s ? 1 : 0;
    INFO("service " << s);
    CHECK(arrived > 0);
    CHECK(c.ends(s).size() == arrived);
  }
  // About 200/s x 20 s = 4000 outside requests (Poisson: sd 63).
  std::size_t outside = 0;
  for (const auto& r : c.arrived)
    outside += r.external ? 1 : 0;
  CHECK(outside > 3700);
  CHECK(outside < 4300);
  std::map<RequestOutcome, int> by_outcome;
  for (const auto& r : c.ended) {
    ++by_outcome[r.outcome];
    CHECK(r.attempts >= 1);
    CHECK(r.attempts <= (r.service == 0 ? 3 : 2));
    CHECK(r.latency >= Duration::zero());
  }
  CHECK(by_outcome[RequestOutcome::kCompleted] > 3000);
  // The set-up provokes each failure at a pod: full queues, refusals (the
  // crashed, deleted and downed pods while the endpoints still list them:
  // no node lifecycle controller runs here) and requests cut by a crash.
  CHECK(by_outcome[RequestOutcome::kConnectionError] > 0);
  CHECK(by_outcome[RequestOutcome::kRejected] > 0);
  CHECK(c.count(PodRequestEvent::kRejected) > 0);
  CHECK(c.count(PodRequestEvent::kRefused) > 0);
  CHECK(c.count(PodRequestEvent::kAborted) > 0);
  // Nothing is left in any pod.
  for (const Pod& p : c.c.api->objects().pods)
    CHECK(c.engine->requests_in(p.id) == 0);
  // Every accepted attempt left its pod: served or aborted (an attempt cut
  // during its calls is both).
  CHECK(c.count(PodRequestEvent::kAccepted) <=
        c.count(PodRequestEvent::kServed) + c.count(PodRequestEvent::kAborted));
}

TEST_CASE("traffic engine: the same seed gives the same records") {
  auto trace = [](uint64_t seed) {
    BusyCluster k(seed);
    k.c.run_until(at_ms(30000));
    std::vector<int64_t> out;
    for (const auto& r : k.c.ended) {
      out.push_back(r.t.count_micros());
      out.push_back(static_cast<int64_t>(r.outcome));
    }
    return out;
  };
  const auto a = trace(3);
  CHECK(a == trace(3));
  CHECK(a != trace(4));
}

TEST_CASE("traffic engine: one pod under Poisson arrivals and exponential service is M/M/1") {
  // lambda = 50/s, mu = 100/s (exponential 10 ms): rho = 0.5 and the mean
  // sojourn is W = 1 / (mu - lambda) = 20 ms (VALIDATION.md).
  constexpr double kLambda = 50, kMu = 100;
  const double truth = 1 / (kMu - kLambda);
  EngineTestCluster c;
  c.add_service("web");
  c.add_pod("web");
  TrafficSpec t;
  t.where = "test:1";
  t.service = "web";
  t.arrival.process = ArrivalSpec::Process::kPoisson;
  t.arrival.rate_per_second = kLambda;
  t.service_time = dist("exponential(10ms)");
  c.boot({t});
  // Batch means: 20 batches of 40 s (2,000 requests each) after a 40 s
  // warm-up. The queue's relaxation time, 1 / (mu (1 - sqrt(rho))^2) = 0.12 s,
  // is far shorter than a batch, so the batch means are close to independent
  // normal draws: (mean - W) / s.e. is Student's t with 19 degrees of
  // freedom, and |t| <= 4 fails with probability 0.0008 for a correct model.
  // The standard error must be under 5% of W so that a model off by 20%
  // cannot pass.
  constexpr int kBatches = 20;
  const Duration batch = Duration::seconds(40);
  std::vector<double> sum(kBatches + 1, 0.0), n(kBatches + 1, 0.0);
  c.c.sim.bus().topic<RequestEndedRecord>().subscribe([&](const RequestEndedRecord& r) {
    const auto b = static_cast<std::size_t>(r.t.since_start() / batch);
    if (b > kBatches) return;
    sum[b] += r.latency.to_seconds();
    n[b] += 1;
  });
  c.run_until(SimTime::zero() + batch * (kBatches + 1));
  std::vector<double> means;
  for (int b = 1; b <= kBatches; ++b)
    means.push_back(sum[static_cast<std::size_t>(b)] / n[static_cast<std::size_t>(b)]);
  const double mean = std::accumulate(means.begin(), means.end(), 0.0) / kBatches;
  double ss = 0;
  for (double m : means)
    ss += (m - mean) * (m - mean);
  const double se = std::sqrt(ss / (kBatches - 1) / kBatches);
  INFO("mean sojourn " << mean << " s +- " << se << " (s.e.), theory " << truth);
  CHECK(se < 0.05 * truth);
  CHECK(std::abs(mean - truth) <= 4 * se);
  for (const auto& r : c.ended)
    CHECK(r.outcome == RequestOutcome::kCompleted);
}
