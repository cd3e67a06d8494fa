// One pod as a fluid queue (models/traffic/fluid_queue.h): the closed-form
// solution of dx/dt = lambda - mu min(x, c) against numbers worked by hand.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "models/traffic/fluid_latency.h"
#include "models/traffic/fluid_queue.h"

using namespace kubesim;

namespace {

// Requests are conserved: what arrived and was neither completed nor
// rejected is still in the pod. Only rounding may differ.
void check_conserved(const FluidQueueFlow& f, double content_before) {
  const double scale = std::max(1.0, f.arrived);
  CHECK(f.arrived - f.completed - f.rejected - (f.content - content_before) ==
        Approx(0).margin(1e-9 * scale));
}

}  // namespace

TEST_CASE("fluid queue: below capacity, throughput is lambda and busy is lambda E[S] T") {
  // c = 4, E[S] = 1 s (mu = 1), lambda = 3.2 (rho = 0.8), starting in
  // equilibrium x = lambda / mu = 3.2: over T = 100 s the pod completes
  // lambda T = 320 and its workers are busy lambda E[S] T = 320 s.
  const FluidQueue q{.workers = 4, .mean_hold_seconds = 1.0};
  const double w = mgc_mean_sojourn_seconds(3.2, 4, 1.0, 1.0);
  const FluidQueueFlow f = advance_fluid_queue(q, 3.2, 3.2, 100, w);
  CHECK(f.arrived == Approx(320));
  CHECK(f.completed == Approx(320));
  CHECK(f.rejected == 0);
  CHECK(f.busy_worker_seconds == Approx(320));
  CHECK(f.content == Approx(3.2));
  // Every completion had no backlog to wait for: the Erlang C sojourn,
  // 1.745541 s for c = 4, rho = 0.8, mu = 1 (VALIDATION.md).
  CHECK(f.latency_sum_seconds / f.completed == Approx(1.745541).epsilon(1e-6));
  check_conserved(f, 3.2);
}

TEST_CASE("fluid queue: from empty, the content relaxes to the offered load") {
  // x(t) = x* (1 - e^{-mu t}) with x* = lambda / mu = 0.5 (lambda = 50,
  // E[S] = 10 ms): after 20 ms (two time constants) x = 0.5 (1 - e^-2) =
  // 0.432332, and the completions are the arrivals (50 * 0.02 = 1) less that.
  const FluidQueue q{.workers = 1, .mean_hold_seconds = 0.01};
  const FluidQueueFlow f = advance_fluid_queue(q, 0, 50, 0.02, 0.02);
  CHECK(f.content == Approx(0.5 * (1 - std::exp(-2.0))));
  CHECK(f.completed == Approx(1 - 0.5 * (1 - std::exp(-2.0))));
  CHECK(f.busy_worker_seconds == Approx(f.completed * 0.01));
  check_conserved(f, 0);
}

TEST_CASE("fluid queue: overload grows the backlog at lambda - c mu, which then drains") {
  // c = 2, E[S] = 0.1 s: capacity c mu = 20/s. At lambda = 30 from x = c = 2
  // (all busy, no backlog), the backlog grows at 10/s: after 10 s x = 102,
  // completions 20 * 10 = 200, and a completion waited for the mean backlog
  // (0 + 100) / 2 = 50 at 20/s: 2.5 s, plus E[S]: 2.6 s.
  const FluidQueue q{.workers = 2, .mean_hold_seconds = 0.1};
  const FluidQueueFlow up = advance_fluid_queue(q, 2, 30, 10, 0.1);
  CHECK(up.content == Approx(102));
  CHECK(up.completed == Approx(200));
  CHECK(up.busy_worker_seconds == Approx(20));  // both workers, 10 s
  CHECK(up.latency_sum_seconds / up.completed == Approx(2.6));
  check_conserved(up, 2);

  // Then lambda = 10: the backlog of 100 drains at 20 - 10 = 10/s, in 10 s;
  // then x relaxes from c = 2 to lambda / mu = 1 with time constant 0.1 s,
  // so after 20 s in all x = 1 + e^{-100} = 1. Completions: arrivals
  // 10 * 20 = 200 less the change of content 1 - 102 = -101: 301.
  const double w = mgc_mean_sojourn_seconds(10, 2, 0.1, 1.0);
  const FluidQueueFlow down = advance_fluid_queue(q, up.content, 10, 20, w);
  CHECK(down.content == Approx(1));
  CHECK(down.completed == Approx(301));
  check_conserved(down, up.content);
  // Halfway through the drain (5 s) the backlog is 100 - 10 * 5 = 50.
  CHECK(advance_fluid_queue(q, up.content, 10, 5, w).content == Approx(52));
}

TEST_CASE("fluid queue: saturation from empty takes ln(x* / (x* - c)) / mu") {
  // c = 1, mu = 1, lambda = 2: x* = 2 > c, so x(t) = 2 (1 - e^-t) reaches
  // c = 1 at t = ln 2; then grows at lambda - c mu = 1/s: at T = 10,
  // x = 1 + (10 - ln 2).
  const FluidQueue q{.workers = 1, .mean_hold_seconds = 1.0};
  const FluidQueueFlow f = advance_fluid_queue(q, 0, 2, 10, mgc_mean_sojourn_seconds(2, 1, 1, 1));
  CHECK(f.content == Approx(1 + 10 - std::log(2.0)));
  check_conserved(f, 0);
}

TEST_CASE("fluid queue: a full queue rejects the excess") {
  // c = 1, E[S] = 0.1 s (mu = 10), queue capacity 5: the pod holds at most
  // 6. At lambda = 15 from x = 1 the backlog grows at 5/s and is full at
  // t = 1 s; the remaining 9 s reject 5/s: 45, while 10/s complete: 100 in
  // all. A completion at the full pod waited 5 / 10 = 0.5 s, plus 0.1 s.
  const FluidQueue q{.workers = 1, .mean_hold_seconds = 0.1, .capacity = 6};
  const FluidQueueFlow f = advance_fluid_queue(q, 1, 15, 10, 0.1);
  CHECK(f.content == Approx(6));
  CHECK(f.rejected == Approx(45));
  CHECK(f.completed == Approx(100));
  check_conserved(f, 1);
  // Steady at the full pod: latency 0.6 s exactly.
  const FluidQueueFlow full = advance_fluid_queue(q, 6, 15, 10, 0.1);
  CHECK(full.latency_sum_seconds / full.completed == Approx(0.6));
  CHECK(full.rejected == Approx(50));

  // Queue capacity 0: the workers are all there is; beyond c mu = 10/s,
  // everything is rejected.
  const FluidQueue none{.workers = 1, .mean_hold_seconds = 0.1, .capacity = 1};
  const FluidQueueFlow g = advance_fluid_queue(none, 1, 15, 10, 0.1);
  CHECK(g.rejected == Approx(50));
  CHECK(g.completed == Approx(100));
}

TEST_CASE("fluid queue: a drained pod empties (no endless exponential tail)") {
  // With no arrivals x = x0 e^{-mu t}; after 100 time constants it is below
  // a millionth of a request and counted as done: the pod can be forgotten.
  const FluidQueue q{.workers = 2, .mean_hold_seconds = 0.01};
  const FluidQueueFlow f = advance_fluid_queue(q, 1.5, 0, 1.0, 0.01);
  CHECK(f.content == 0);
  CHECK(f.completed == Approx(1.5));
  check_conserved(f, 1.5);
}

TEST_CASE("fluid queue: requests are conserved in every regime") {
  // (workers, E[S], capacity, x0, lambda, seconds): below, at and above
  // capacity, from empty, saturated and full, short and long intervals.
  const double inf = std::numeric_limits<double>::infinity();
  struct Case {
    int32_t c;
    double hold, capacity, x0, lambda, seconds;
  };
  const Case cases[] = {
      {1, 0.01, inf, 0, 50, 10}, {1, 0.01, inf, 0, 150, 10},   {4, 0.5, 20, 0, 100, 3},
      {4, 0.5, 20, 20, 1, 0.7},  {8, 0.02, inf, 30, 400, 1},   {8, 0.02, inf, 30, 300, 0.05},
      {2, 1.0, 2, 2, 5, 100},    {3, 0.1, inf, 1.5, 30, 1e-3}, {16, 0.005, 50, 0, 3200, 60},
  };
  for (const Case& k : cases) {
    const FluidQueue q{.workers = k.c, .mean_hold_seconds = k.hold, .capacity = k.capacity};
    const FluidQueueFlow f = advance_fluid_queue(
        q, k.x0, k.lambda, k.seconds, mgc_mean_sojourn_seconds(k.lambda, k.c, k.hold, 1));
    INFO("c " << k.c << " hold " << k.hold << " x0 " << k.x0 << " lambda " << k.lambda);
    check_conserved(f, k.x0);
    CHECK(f.content <= k.capacity);
    CHECK(f.content >= 0);
    CHECK(f.busy_worker_seconds <= k.c * k.seconds * (1 + 1e-12));
  }
}

TEST_CASE("fluid queue: arrivals at exactly c mu keep a full pod where it is") {
  // c = 3, E[S] = 0.1 s: c mu = 30/s. At lambda = 30 from x = c (and from a
  // backlog of 5) nothing grows or drains: 30 T complete, x stays.
  const FluidQueue q{.workers = 3, .mean_hold_seconds = 0.1};
  for (double x0 : {3.0, 8.0}) {
    const FluidQueueFlow f = advance_fluid_queue(q, x0, 30, 10, 0.1);
    CHECK(f.content == Approx(x0));
    CHECK(f.completed == Approx(300));
    check_conserved(f, x0);
  }
  // And rates a rounding away from it, both ways, at every step of a long
  // run: the content stays within rounding of c and requests are conserved.
  for (double lambda : {std::nextafter(30.0, 0.0), std::nextafter(30.0, 100.0)}) {
    double x = 3;
    for (int i = 0; i < 1000; ++i) {
      const FluidQueueFlow f = advance_fluid_queue(q, x, lambda, 0.01, 0.1);
      check_conserved(f, x);
      x = f.content;
    }
    CHECK(x == Approx(3));
  }
}
