// Request traffic against queueing theory (VALIDATION.md, "Queues"): long
// runs of tests/runtime/fixtures/queueing.yaml with the pods, load balancer
// and traffic set for each model.
//
// Tolerances come from batch means (Law and Kelton, "Simulation Modeling and
// Analysis", 9.5.3): the run after a warm-up batch is cut into B = 20 batches
// of equal simulated length; with batches much longer than the queue's
// relaxation time their means are nearly independent and normal, so
// (mean - truth) / (s / sqrt(B)) follows Student's t with B - 1 = 19 degrees of
// freedom. We accept |mean - truth| <= 4 standard errors: P(|t_19| > 4) =
// 0.0008, so a correct model fails about once in 1,250 seeds (the seeds are
// fixed, so a run either passes or not). Each test also requires the standard
// error to be under 2.5% of the truth, so a model that is off by more than
// ~10% cannot pass.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <string>
#include <vector>

#include "models/objects/annotations.h"
#include "models/records.h"
#include "models/runtime/cluster_runtime.h"
#include "models/scenario/scenario.h"
#include "tests/runtime/registries.h"

using namespace kubesim;

namespace {

constexpr int kBatches = 20;
// Traffic starts once every pod is Ready (image pull ~2.5 s + start 1 s).
constexpr Duration kTrafficStart = Duration::seconds(20);

struct Setup {
  int32_t replicas = 1;
  int32_t concurrency = 1;
  std::string load_balancer;  // Service annotation; "" for the cluster's (random)
  int32_t lb_choices = 2;
  uint64_t seed = 1;
};

Setup pods(int32_t replicas, int32_t concurrency, uint64_t seed, std::string load_balancer = "",
           int32_t lb_choices = 2) {
  Setup s;
  s.replicas = replicas;
  s.concurrency = concurrency;
  s.seed = seed;
  s.load_balancer = std::move(load_balancer);
  s.lb_choices = lb_choices;
  return s;
}

// Per batch sums of what the records say, and per-pod accepted counts.
struct Measured {
  std::vector<double> sojourn_sum, wait_sum;
  std::vector<int64_t> sojourn_n, wait_n;
  std::map<uint32_t, int64_t> accepted;  // pod id -> attempts accepted
  std::vector<double> sojourns;          // completed requests' latency, in order
  int64_t failed = 0;

  std::vector<double> batch_means(const std::vector<double>& sum,
                                  const std::vector<int64_t>& n) const {
    std::vector<double> m;
    for (std::size_t b = 1; b < sum.size(); ++b)  // batch 0 is the warm-up
      if (n[b] > 0) m.push_back(sum[b] / static_cast<double>(n[b]));
    return m;
  }
};

Scenario load_fixture() {
  LoadResult loaded = load_scenario(KUBESIM_SOURCE_DIR "/tests/runtime/fixtures/queueing.yaml");
  for (const LoadError& e : loaded.errors)
    UNSCOPED_INFO(e.to_string());
  REQUIRE(loaded.scenario.has_value());
  return std::move(*loaded.scenario);
}

TrafficSpec poisson(double rate, DurationDistribution service_time) {
  TrafficSpec t;
  t.service = "web";
  t.arrival.process = ArrivalSpec::Process::kPoisson;
  t.arrival.rate_per_second = rate;
  t.start = kTrafficStart;
  t.service_time = std::move(service_time);
  return t;
}

// Runs `traffic` for `measure` after the warm-up batch, which is as long as
// one of the kBatches measured batches.
Measured run(const Setup& setup, TrafficSpec traffic, Duration measure) {
  Scenario s = load_fixture();
  s.objects.deployments[0].replicas = setup.replicas;
  s.objects.deployments[0].template_.metadata.annotations[kAnnotationConcurrency] =
      std::to_string(setup.concurrency);
  if (!setup.load_balancer.empty()) {
    s.objects.services[0].metadata.annotations[kAnnotationLoadBalancer] = setup.load_balancer;
    s.objects.services[0].metadata.annotations[kAnnotationLbChoices] =
        std::to_string(setup.lb_choices);
  }
  const Duration batch = Duration::micros(measure.count_micros() / kBatches);
  s.duration = kTrafficStart + batch + measure;
  s.traffic.push_back(std::move(traffic));
  RunOptions options;
  options.seed = setup.seed;
  auto rt = ClusterRuntime::create(std::move(s), options, testing::builtin_plugins(),
                                   testing::builtin_profiles());
  REQUIRE(rt);
  Measured m;
  m.sojourn_sum.assign(kBatches + 1, 0.0);
  m.wait_sum.assign(kBatches + 1, 0.0);
  m.sojourn_n.assign(kBatches + 1, 0);
  m.wait_n.assign(kBatches + 1, 0);
  const SimTime t0 = SimTime::zero() + kTrafficStart;
  auto batch_of = [&](SimTime t) {
    const int64_t b = (t - t0).count_micros() / batch.count_micros();
    return static_cast<std::size_t>(std::clamp<int64_t>(b, 0, kBatches));
  };
  ObserverBus& bus = (*rt)->simulation().bus();
  bus.topic<RequestEndedRecord>().subscribe([&](const RequestEndedRecord& r) {
    if (r.outcome != RequestOutcome::kCompleted) {
      ++m.failed;
      return;
    }
    const std::size_t b = batch_of(r.t);
    m.sojourn_sum[b] += r.latency.to_seconds();
    ++m.sojourn_n[b];
    if (b > 0) m.sojourns.push_back(r.latency.to_seconds());
  });
  bus.topic<PodRequestRecord>().subscribe([&](const PodRequestRecord& r) {
    if (r.event == PodRequestEvent::kAccepted) ++m.accepted[r.pod->id.value];
    if (r.event != PodRequestEvent::kServed) return;
    const std::size_t b = batch_of(r.t);
    m.wait_sum[b] += r.wait.to_seconds();
    ++m.wait_n[b];
  });
  (*rt)->run();
  return m;
}

struct Estimate {
  double mean = 0;
  double standard_error = 0;
};

Estimate estimate(const std::vector<double>& batch_means) {
  REQUIRE(batch_means.size() == static_cast<std::size_t>(kBatches));
  const double n = static_cast<double>(batch_means.size());
  const double mean = std::accumulate(batch_means.begin(), batch_means.end(), 0.0) / n;
  double ss = 0;
  for (double x : batch_means)
    ss += (x - mean) * (x - mean);
  return {mean, std::sqrt(ss / (n - 1)) / std::sqrt(n)};
}

// The check the header derives: within 4 standard errors, and a standard error
// small enough for the test to have power.
void check_against(const std::vector<double>& batch_means, double truth, const char* what) {
  const Estimate e = estimate(batch_means);
  INFO(what << ": measured " << e.mean << " +- " << e.standard_error << " (s.e.), theory "
            << truth);
  CHECK(e.standard_error < 0.025 * truth);
  CHECK(std::abs(e.mean - truth) <= 4 * e.standard_error);
}

// Erlang C (VALIDATION.md): the probability that an arrival waits in M/M/c,
// by the stable recursion B_0 = 1, B_k = a B_{k-1} / (k + a B_{k-1}).
double erlang_c(int c, double a) {
  double b = 1;
  for (int k = 1; k <= c; ++k)
    b = a * b / (k + a * b);
  const double rho = a / c;
  return b / (1 - rho * (1 - b));
}

}  // namespace

TEST_CASE("validation: Erlang C is VALIDATION.md's example") {
  // c = 4, rho = 0.8, mu = 1: C = 0.596432, W = C / (c mu - lambda) + 1/mu = 1.745541.
  const double c = erlang_c(4, 3.2);
  CHECK(c == Approx(0.596432).epsilon(1e-6));
  CHECK(c / (4 - 3.2) + 1 == Approx(1.745541).epsilon(1e-6));
}

TEST_CASE("validation: one pod with c workers is M/M/c (Erlang C)") {
  // Service rate mu = 100/s per worker (exponential, mean 10 ms); lambda = rho c mu.
  constexpr double kMu = 100;
  const auto service = *parse_duration_distribution("exponential(10ms)");
  for (int c : {1, 2, 4}) {
    for (double rho : {0.5, 0.8}) {
      const double lambda = rho * c * kMu;
      // About 1,000,000 measured requests per case.
      const Duration measure = Duration::from_seconds(1e6 / lambda);
      Measured m = run(pods(1, c, static_cast<uint64_t>(10 * c + 10 * rho)),
                       poisson(lambda, service), measure);
      const double wq = erlang_c(c, lambda / kMu) / (c * kMu - lambda);
      INFO("c = " << c << ", rho = " << rho);
      CHECK(m.failed == 0);
      check_against(m.batch_means(m.wait_sum, m.wait_n), wq, "Wq");
      check_against(m.batch_means(m.sojourn_sum, m.sojourn_n), wq + 1 / kMu, "W");
    }
  }
}

TEST_CASE("validation: M/M/1 sojourn times are exponential with rate mu - lambda") {
  // Quantile p of the sojourn time: -ln(1 - p) / (mu - lambda). The batch
  // means of the indicator "sojourn <= that quantile" estimate p.
  constexpr double kMu = 100, kLambda = 70;
  const auto service = *parse_duration_distribution("exponential(10ms)");
  Measured m = run(pods(1, 1, 5), poisson(kLambda, service), Duration::seconds(10000));
  for (double p : {0.5, 0.9, 0.99}) {
    const double q = -std::log(1 - p) / (kMu - kLambda);
    const auto below = static_cast<double>(
        std::count_if(m.sojourns.begin(), m.sojourns.end(), [&](double x) { return x <= q; }));
    const double n = static_cast<double>(m.sojourns.size());
    // Binomial-like standard error, inflated 3x for the correlation of
    // successive sojourns at rho = 0.7 (checked: the batch-means estimate is
    // below that); 4 such errors as above.
    const double se = 3 * std::sqrt(p * (1 - p) / n);
    INFO("p = " << p << ": fraction below " << q << " s is " << below / n);
    CHECK(std::abs(below / n - p) <= 4 * se);
  }
}

TEST_CASE("validation: M/D/1 and M/G/1 waits match Pollaczek-Khinchine") {
  // Wq = rho (1 + Cs^2) E[S] / (2 (1 - rho)); deterministic S: Cs^2 = 0;
  // uniform(0, 20ms): E[S] = 10 ms, Var = 0.02^2 / 12, Cs^2 = 1/3.
  constexpr double kMeanS = 0.010;
  struct Case {
    const char* service;
    double cs2;
  };
  for (const Case& k : {Case{"fixed(10ms)", 0.0}, Case{"uniform(0ms, 20ms)", 1.0 / 3}}) {
    for (double rho : {0.5, 0.8}) {
      const double lambda = rho / kMeanS;
      const double wq = rho * (1 + k.cs2) * kMeanS / (2 * (1 - rho));
      Measured m = run(pods(1, 1, static_cast<uint64_t>(100 * rho)),
                       poisson(lambda, *parse_duration_distribution(k.service)),
                       Duration::from_seconds(1e6 / lambda));
      INFO(k.service << ", rho = " << rho);
      check_against(m.batch_means(m.wait_sum, m.wait_n), wq, "Wq");
    }
  }
}

TEST_CASE("validation: random balancing over n pods is n independent M/M/1 queues") {
  // iptables' random choice splits Poisson(lambda) into n Poisson(lambda/n)
  // streams; each single-worker pod is M/M/1: W = 1 / (mu - lambda/n).
  constexpr double kMu = 100;
  constexpr int kPods = 4;
  constexpr double kPerPod = 70;
  const auto service = *parse_duration_distribution("exponential(10ms)");
  TrafficSpec t = poisson(kPods * kPerPod, service);
  t.clients = 1000;  // entering through every node's kube-proxy
  Measured m = run(pods(kPods, 1, 3), t, Duration::seconds(2000));
  check_against(m.batch_means(m.sojourn_sum, m.sojourn_n), 1 / (kMu - kPerPod), "W");
  // Each pod's share of the attempts: binomial(N, 1/n), within 4 sd.
  REQUIRE(m.accepted.size() == kPods);
  int64_t total = 0;
  for (auto& [pod, n] : m.accepted)
    total += n;
  const double expected = static_cast<double>(total) / kPods;
  const double sd = std::sqrt(total * (1.0 / kPods) * (1 - 1.0 / kPods));
  for (auto& [pod, n] : m.accepted)
    CHECK(std::abs(static_cast<double>(n) - expected) <= 4 * sd);
}

TEST_CASE("validation: round-robin gives every pod the same count, to within one") {
  // IPVS rr through one node (one client): pod k gets requests k, k + n, ...
  constexpr int kPods = 5;
  TrafficSpec t = poisson(500, *parse_duration_distribution("fixed(1ms)"));
  Measured m = run(pods(kPods, 1, 4, "round-robin"), t, Duration::seconds(40));
  REQUIRE(m.accepted.size() == kPods);
  int64_t lo = INT64_MAX, hi = 0, total = 0;
  for (auto& [pod, n] : m.accepted) {
    lo = std::min(lo, n);
    hi = std::max(hi, n);
    total += n;
  }
  CHECK(total > 20000);  // 500/s over ~42 s
  CHECK(hi - lo <= 1);
}

TEST_CASE("validation: power-of-2-choices over 100 pods approaches Mitzenmacher's limit") {
  // Mitzenmacher (2001), n -> infinity, mu = 1, per-pod load lambda:
  // T_d = sum_{i>=1} lambda^((d^i - d)/(d - 1)); d = 2, lambda = 0.9: 2.6141
  // service times, against 1/(1 - lambda) = 10 for random.
  //
  // Finite n sits above the limit. Our runs (1,000,000 requests each) gave
  // T = 2.694 +- 0.018 at n = 100 and 2.663 +- 0.015 at n = 400 (excess 3.0%
  // and 1.9%), so n = 100 must be within 5% of the limit (plus 4 standard
  // errors, as above), n = 400 no farther from it than n = 100 (within their
  // combined error), and both far below random's 10.
  constexpr double kMu = 100;
  constexpr double kLoad = 0.9;
  double limit = 0;
  for (int i = 1; i < 30; ++i)
    limit += std::pow(kLoad, (std::pow(2.0, i) - 2) / (2 - 1));
  REQUIRE(limit == Approx(2.6141).epsilon(1e-4));
  const auto service = *parse_duration_distribution("exponential(10ms)");
  std::vector<Estimate> t;  // in service times
  for (int n : {100, 400}) {
    const double lambda = n * kLoad * kMu;
    Measured m = run(pods(n, 1, 7, "power-of-d", 2), poisson(lambda, service),
                     Duration::from_seconds(1e6 / lambda));
    const Estimate e = estimate(m.batch_means(m.sojourn_sum, m.sojourn_n));
    t.push_back({e.mean * kMu, e.standard_error * kMu});
    INFO("n = " << n << ": T = " << t.back().mean << " +- " << t.back().standard_error);
    CHECK(t.back().standard_error < 0.025 * limit);
  }
  INFO("n = 100: " << t[0].mean << ", n = 400: " << t[1].mean << ", limit " << limit);
  CHECK(std::abs(t[0].mean - limit) <= 0.05 * limit + 4 * t[0].standard_error);
  CHECK(t[1].mean - limit <=
        t[0].mean - limit + 4 * std::hypot(t[0].standard_error, t[1].standard_error));
  CHECK(t[0].mean < 0.3 * 10);
}
