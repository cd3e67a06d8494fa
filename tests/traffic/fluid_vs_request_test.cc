// Acceptance (issue 6, "fluid mode agrees with request mode on mean
// utilization and throughput"): one scenario run in request mode with
// several seeds and in fluid mode, through the TrafficEngine both times.
//
// Tolerance, from request mode's own spread by batch means (Law and Kelton,
// "Simulation Modeling and Analysis", 9.5.3; as
// tests/runtime/queueing_validation_test.cc): each request-mode run, after a
// warm-up, is cut into B = 20 batches of 50 s, far longer than the queues'
// relaxation time (M/M/1 at rho = 0.7, mu = 10: about
// 1 / (mu (1 - sqrt(rho))^2) = 3.7 s), so the batch means are nearly
// independent and normal; over S = 3 seeds that is n = 60 batch means, and
// (mean - fluid) / (s / sqrt(n)) follows Student's t with 59 degrees of
// freedom if fluid mode is right about the mean. We accept 4 standard
// errors: P(|t_59| > 4) = 0.0002. Each check also requires the standard
// error to be under 1% of the value, so that a fluid model off by more than
// about 4% cannot pass.
#include <catch2/catch.hpp>

#include <cmath>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "models/objects/annotations.h"
#include "models/proxy/kube_proxy.h"
#include "models/records.h"
#include "models/traffic/traffic_engine.h"
#include "tests/kubelet/kubelet_test_cluster.h"

using namespace kubesim;
using kubelet_test::KubeletTestCluster;

namespace {

constexpr int kPods = 10;
constexpr int kBatches = 20;
constexpr Duration kWarmUp = Duration::seconds(20);
constexpr Duration kBatch = Duration::seconds(50);

struct Setup {
  double rate_per_second;
  int32_t concurrency;
  const char* service_time;
  int32_t queue_capacity = -1;  // -1: unbounded
};

// Per batch: requests completed, busy worker-seconds, and the sum of the
// completed requests' latencies.
struct Batches {
  std::vector<double> completed = std::vector<double>(kBatches, 0.0);
  std::vector<double> busy = std::vector<double>(kBatches, 0.0);
  std::vector<double> latency = std::vector<double>(kBatches, 0.0);
};

// The batch that [t - length, t) falls in, or -1 (warm-up or after the run).
int batch_of(SimTime t) {
  const Duration since = t - (SimTime::zero() + kWarmUp);
  if (since < Duration::zero()) return -1;
  const int64_t b = since / kBatch;
  return b < kBatches ? static_cast<int>(b) : -1;
}

Batches run(const Setup& s, bool fluid, uint64_t seed) {
  KubeletTestCluster c(1, kubelet_test::test_config(), seed);
  c.objects.nodes[0].images.push_back({{"app:1"}, 1});
  Service svc;
  svc.metadata.name = "web";
  svc.selector["app"] = "web";
  c.objects.services.push_back(std::move(svc));
  for (int i = 0; i < kPods; ++i) {
    Pod p = KubeletTestCluster::make_pod("web-" + std::to_string(i), "app:1");
    p.labels["app"] = "web";
    p.annotations[kAnnotationConcurrency] = std::to_string(s.concurrency);
    if (s.queue_capacity >= 0)
      p.annotations[kAnnotationQueueCapacity] = std::to_string(s.queue_capacity);
    p.node = NodeId{0};
    p.spec.node_name = c.objects.nodes[0].name;
    p.phase = PodPhase::kRunning;
    c.objects.add_pod(std::move(p));
  }
  TrafficSpec t;
  t.where = "test:1";
  t.service = "web";
  t.fluid = fluid;
  t.arrival.process = ArrivalSpec::Process::kPoisson;
  t.arrival.rate_per_second = s.rate_per_second;
  auto st = parse_duration_distribution(s.service_time);
  REQUIRE(st);
  t.service_time = *st;

  c.boot();
  KubeProxyConfig k;  // iptables: random balancing
  k.propagation_delay = DurationDistribution::fixed(Duration::zero());
  KubeProxies proxies(*c.api, k);
  auto engine = TrafficEngine::create(*c.api, *c.kubelets, proxies, {t});
  REQUIRE(engine);

  Batches out;
  ObserverBus& bus = c.sim.bus();
  bus.topic<PodRequestRecord>().subscribe([&](const PodRequestRecord& r) {
    const int b = batch_of(r.t);
    if (r.event != PodRequestEvent::kServed || b < 0) return;
    out.completed[b] += 1;
    out.busy[b] += r.busy.to_seconds();
  });
  bus.topic<RequestEndedRecord>().subscribe([&](const RequestEndedRecord& r) {
    const int b = batch_of(r.t);
    if (r.outcome == RequestOutcome::kCompleted && b >= 0) out.latency[b] += r.latency.to_seconds();
  });
  bus.topic<FluidTrafficRecord>().subscribe([&](const FluidTrafficRecord& r) {
    // Fluid steps (10 s) tile the batches (50 s): a step is in one batch.
    const int b = batch_of(r.from);
    if (b < 0) return;
    out.completed[b] += r.completed;
    out.busy[b] += r.busy_worker_seconds;
    out.latency[b] += r.completed * r.mean_latency_seconds;
  });
  proxies.start();
  (*engine)->start();
  c.sim.run_until(SimTime::zero() + kWarmUp + kBatch * kBatches);
  return out;
}

double mean(const std::vector<double>& v) {
  return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

// |mean of the request-mode batch means - fluid| <= 4 standard errors, and
// the standard error under `max_se` of the mean.
void check_agrees(const char* what, const std::vector<double>& request, double fluid,
                  double max_se = 0.01) {
  const double m = mean(request);
  double ss = 0;
  for (double x : request)
    ss += (x - m) * (x - m);
  const double se = std::sqrt(ss / static_cast<double>(request.size() - 1)) /
                    std::sqrt(static_cast<double>(request.size()));
  INFO(what << ": request mode " << m << " +- " << se << " (standard error), fluid " << fluid);
  CHECK(se < max_se * m);
  CHECK(std::abs(m - fluid) <= 4 * se);
}

}  // namespace

TEST_CASE("fluid vs request: same mean utilization and throughput") {
  // 10 pods behind random balancing, Poisson arrivals, exponential service:
  // each pod is M/M/c with lambda / 10 (M/M/c/K with a queue capacity).
  // rho = lambda E[S] / (10 c).
  const Setup setup = GENERATE(Setup{70, 1, "exponential(100ms)"},   // rho 0.7
                               Setup{160, 2, "exponential(100ms)"},  // rho 0.8
                               // rho 0.9, K = 3: M/M/1/K turns away
                               // (1 - rho) rho^3 / (1 - rho^4) = 21%.
                               Setup{90, 1, "exponential(100ms)", 2});
  INFO("lambda " << setup.rate_per_second << " concurrency " << setup.concurrency);
  std::vector<double> completed, busy, latency;
  for (uint64_t seed : {1, 2, 3}) {
    const Batches b = run(setup, false, seed);
    completed.insert(completed.end(), b.completed.begin(), b.completed.end());
    busy.insert(busy.end(), b.busy.begin(), b.busy.end());
    for (int i = 0; i < kBatches; ++i)
      latency.push_back(b.latency[i] / b.completed[i]);
  }
  const Batches f = run(setup, true, 1);
  // Fluid mode is deterministic for Poisson arrivals and in steady state
  // after the warm-up: every batch is the same; compare their mean.
  const double seconds = kBatch.to_seconds();
  const double workers = kPods * setup.concurrency;
  check_agrees(
      "throughput per second",
      [&] {
        std::vector<double> v;
        for (double x : completed)
          v.push_back(x / seconds);
        return v;
      }(),
      mean(f.completed) / seconds);
  check_agrees(
      "utilization",
      [&] {
        std::vector<double> v;
        for (double x : busy)
          v.push_back(x / (seconds * workers));
        return v;
      }(),
      mean(f.busy) / (seconds * workers));
  // Not asked of fluid mode, but its latency is Erlang C's, which random
  // balancing makes exact here (each pod is M/M/c with lambda / 10): the
  // mean latency agrees too. Latency batch means vary more (sojourns are
  // exponential-tailed and correlated): the standard error may be up to
  // 2.5% of the mean, as in tests/runtime/queueing_validation_test.cc.
  const double fluid_latency = std::accumulate(f.latency.begin(), f.latency.end(), 0.0) /
                               std::accumulate(f.completed.begin(), f.completed.end(), 0.0);
  check_agrees("mean latency", latency, fluid_latency, 0.025);
  // And fluid mode's values are the textbook ones: throughput lambda (1 -
  // P_K), utilization that over 10 c mu.
  const double rho = setup.rate_per_second * 0.1 / workers;
  const double k = setup.concurrency + setup.queue_capacity;
  const double blocked =
      setup.queue_capacity < 0 ? 0 : (1 - rho) * std::pow(rho, k) / (1 - std::pow(rho, k + 1));
  CHECK(mean(f.completed) / seconds == Approx(setup.rate_per_second * (1 - blocked)));
  CHECK(mean(f.busy) / (seconds * workers) == Approx(rho * (1 - blocked)));
}
