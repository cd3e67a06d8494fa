// Long-run availability of one replica with exponential crashes against the
// renewal-reward formula A = MTTF / (MTTF + MTTR), for the MTTR that the
// kubelet's restart timing implies (VALIDATION.md, "Availability").
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "models/runtime/cluster_runtime.h"
#include "models/scenario/scenario.h"
#include "tests/runtime/registries.h"

using namespace kubesim;

namespace {

// Time-weighted "ready" of the single pod, per batch of the run.
struct ReadyTracker {
  SimTime since = SimTime::zero();
  bool ready = false;
  int64_t crashes = 0;
  std::vector<double> ready_in_batch;  // seconds ready per batch
  Duration batch;

  void add(SimTime from, SimTime to) {
    // Splits [from, to) over the batches.
    while (from < to) {
      const int64_t b = (from - SimTime::zero()).count_micros() / batch.count_micros();
      const SimTime end = SimTime::zero() + Duration::micros((b + 1) * batch.count_micros());
      const SimTime stop = to < end ? to : end;
      if (static_cast<std::size_t>(b) >= ready_in_batch.size()) ready_in_batch.resize(b + 1, 0.0);
      ready_in_batch[b] += (stop - from).to_seconds();
      from = stop;
    }
  }
  void on(const PodRecord& r) {
    if (r.event == PodEvent::kCrashed) ++crashes;
    if (r.event != PodEvent::kReady && r.event != PodEvent::kNotReady) return;
    const bool now_ready = r.event == PodEvent::kReady;
    if (ready && !now_ready) add(since, r.t);
    if (now_ready != ready) since = r.t;
    ready = now_ready;
  }
};

}  // namespace

TEST_CASE("validation: one replica with exponential crashes, A = MTTF / (MTTF + MTTR)") {
  LoadResult loaded =
      load_scenario(KUBESIM_SOURCE_DIR "/tests/runtime/fixtures/one_replica_crashes.yaml");
  for (const LoadError& e : loaded.errors)
    UNSCOPED_INFO(e.to_string());
  REQUIRE(loaded.scenario.has_value());
  const Duration run = loaded.scenario->duration;  // 1000 days
  auto rt = ClusterRuntime::create(std::move(*loaded.scenario), {}, testing::builtin_plugins(),
                                   testing::builtin_profiles());
  REQUIRE(rt);
  ReadyTracker t;
  constexpr int kBatches = 20;
  t.batch = Duration::micros(run.count_micros() / kBatches);
  (*rt)->simulation().bus().topic<PodRecord>().subscribe([&t](const PodRecord& r) { t.on(r); });
  REQUIRE((*rt)->run());
  if (t.ready) t.add(t.since, (*rt)->end_time());

  // Derivation. The container runs T ~ exponential(MTTF = 1200 s) from the
  // moment it is Ready (start), crashes (NotReady), waits the back-off delay d
  // and takes L = 1 s to start again: downtime D = d + L per crash. The
  // kubelet's back-off (backoff.h): the restart decision at crash time c uses
  // the entry updated at the previous restart decision r; it has expired when
  // c - r > 600 s, and c - r = L + T. So a run is "short" with probability
  // p = P(T <= 599 s) = 1 - exp(-599/1200). After a long run d = 0; after k
  // short runs in a row d = v(k) = 10, 20, 40, 80, 160, 300, 300, ... s. In
  // the stationary regime the streak before a crash is k with probability
  // (1 - p) p^k, so E[D] = L + sum_k (1 - p) p^k v(k). By renewal-reward,
  // A = E[T] / (E[T] + E[D]).
  const double mttf = 1200.0, start = 1.0;
  const double p = 1.0 - std::exp(-599.0 / mttf);
  double delay = 0.0, v = 10.0;
  for (int k = 1; k < 200; ++k) {
    delay += (1.0 - p) * std::pow(p, k) * v;
    v = std::min(2 * v, 300.0);
  }
  const double mttr = start + delay;  // about 8.9 s
  const double unavailability = mttr / (mttf + mttr);

  // Tolerance from the run itself: batch means over 20 batches of 50 days
  // (about 3,600 crash cycles each, so batches are nearly independent); the
  // observed unavailability must be within 4 standard errors of the formula.
  REQUIRE(t.ready_in_batch.size() >= kBatches);
  const double batch_s = t.batch.to_seconds();
  std::vector<double> u;
  for (int b = 0; b < kBatches; ++b)
    u.push_back(1.0 - t.ready_in_batch[b] / batch_s);
  double mean = 0;
  for (double x : u)
    mean += x / kBatches;
  double var = 0;
  for (double x : u)
    var += (x - mean) * (x - mean) / (kBatches - 1);
  const double se = std::sqrt(var / kBatches);
  INFO("crashes " << t.crashes << ", unavailability observed " << mean << " +- " << se
                  << ", formula " << unavailability << " (MTTR " << mttr << " s)");
  // About 1000 days / 1210 s = 71,400 crashes.
  CHECK(t.crashes > 68'000);
  CHECK(std::abs(mean - unavailability) < 4 * se);
  // The standard error is small enough for the check to mean something: a
  // model without the start latency (MTTR 1 s shorter) would be off by more
  // than 4 standard errors, one without back-off (MTTR = L) by far more.
  CHECK(1.0 / (mttf + mttr) > 4 * se);
  CHECK(unavailability - start / (mttf + start) > 20 * se);
}
