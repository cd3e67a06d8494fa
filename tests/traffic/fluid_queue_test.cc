// One pod as a fluid queue (models/traffic/fluid_queue.h): the closed-form
// solution of dx/dt = A - min(x / W, c mu) against numbers worked by hand.
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

// The pod's steady state at `lambda` (exponential service unless `scv`).
FluidQueueFlow advance(const FluidQueue& q, double x0, double lambda, double seconds,
                       double scv = 1) {
  const QueueSteadyState s =
      queue_steady_state(lambda, q.workers, q.mean_hold_seconds, scv, q.capacity);
  return advance_fluid_queue(q, x0, lambda, s, seconds);
}

}  // namespace

TEST_CASE("fluid queue: in steady state, throughput is lambda, busy lambda E[S] T, L = lambda W") {
  // c = 4, E[S] = 1 s (mu = 1), lambda = 3.2 (rho = 0.8): Erlang C's
  // W = 1.745541 s (VALIDATION.md), so the pod holds L = lambda W = 5.585731
  // (Little's law). From there, over T = 100 s it completes lambda T = 320,
  // its workers are busy lambda E[S] T = 320 s, and it still holds L.
  const FluidQueue q{.workers = 4, .mean_hold_seconds = 1.0};
  const double w = 1.745541, l = 3.2 * w;
  const FluidQueueFlow f = advance(q, l, 3.2, 100);
  CHECK(f.arrived == Approx(320));
  CHECK(f.completed == Approx(320));
  CHECK(f.rejected == 0);
  CHECK(f.busy_worker_seconds == Approx(320));
  CHECK(f.content == Approx(l).epsilon(1e-6));
  CHECK(f.latency_sum_seconds / f.completed == Approx(w).epsilon(1e-6));
  check_conserved(f, l);
}

TEST_CASE("fluid queue: from empty, the content relaxes to L with time constant W") {
  // One worker, E[S] = 10 ms, lambda = 50: M/M/1 at rho = 0.5, W = 1 / (100
  // - 50) = 0.02 s, L = 1. x(t) = L (1 - e^{-t/W}): after 40 ms (two time
  // constants) x = 1 - e^-2, and the completions are the arrivals
  // (50 * 0.04 = 2) less that.
  const FluidQueue q{.workers = 1, .mean_hold_seconds = 0.01};
  const FluidQueueFlow f = advance(q, 0, 50, 0.04);
  CHECK(f.content == Approx(1 - std::exp(-2.0)));
  CHECK(f.completed == Approx(2 - (1 - std::exp(-2.0))));
  CHECK(f.busy_worker_seconds == Approx(f.completed * 0.01));
  check_conserved(f, 0);
}

TEST_CASE("fluid queue: overload grows the backlog at lambda - c mu, which then drains") {
  // c = 2, E[S] = 0.1 s: capacity c mu = 20/s. At lambda = 30 the queue has
  // no steady state: from x = c = 2 (all busy) the content grows at 10/s:
  // after 10 s x = 102, completions 20 * 10 = 200, and a completion's
  // sojourn is the mean content (2 + 102) / 2 = 52 over 20/s: 2.6 s.
  const FluidQueue q{.workers = 2, .mean_hold_seconds = 0.1};
  const FluidQueueFlow up = advance(q, 2, 30, 10);
  CHECK(up.content == Approx(102));
  CHECK(up.completed == Approx(200));
  CHECK(up.busy_worker_seconds == Approx(20));  // both workers, 10 s
  CHECK(up.latency_sum_seconds / up.completed == Approx(2.6));
  check_conserved(up, 2);

  // Then lambda = 10: M/M/2 at rho = 0.5, C = 2 rho^2 / (1 + rho) = 1/3,
  // W = 0.1 + (1/3) / (20 - 10) = 0.13333 s, L = 1.3333. Completions stay at
  // c mu while x > c mu W = 2.6667: the content drains at 20 - 10 = 10/s
  // for 9.93 s, then relaxes to L with time constant W. After 20 s x = L:
  // completions = arrivals 200 - (1.3333 - 102).
  const double w = 0.1 + 1.0 / 30;
  const FluidQueueFlow down = advance(q, up.content, 10, 20);
  CHECK(down.content == Approx(10 * w));
  CHECK(down.completed == Approx(200 - (10 * w - 102)));
  check_conserved(down, up.content);
  // Halfway through the drain (5 s) the content is 102 - 10 * 5 = 52.
  CHECK(advance(q, up.content, 10, 5).content == Approx(52));
}

TEST_CASE("fluid queue: saturation from empty takes ln(x* / (x* - c)) / mu") {
  // c = 1, mu = 1, lambda = 2, unbounded: no steady state, so the content
  // follows the fluid limit x(t) = 2 (1 - e^-t) up to c = 1, reached at
  // t = ln 2; then it grows at lambda - c mu = 1/s: at T = 10,
  // x = 1 + (10 - ln 2).
  const FluidQueue q{.workers = 1, .mean_hold_seconds = 1.0};
  const FluidQueueFlow f = advance(q, 0, 2, 10);
  CHECK(f.content == Approx(1 + 10 - std::log(2.0)));
  check_conserved(f, 0);
}

TEST_CASE("fluid queue: a bounded queue rejects as M/M/c/K does") {
  // c = 1, E[S] = 0.1 s (mu = 10), queue capacity 5: K = 6. At lambda = 15
  // (rho = 1.5) M/M/1/K (Kleinrock vol. 1, sec. 3.6) turns away
  // P_K = (1 - rho) rho^K / (1 - rho^{K+1}) of the arrivals and holds
  // L = rho / (1 - rho) - (K + 1) rho^{K+1} / (1 - rho^{K+1}).
  const double rho = 1.5;
  const int k = 6;
  const double pk = (1 - rho) * std::pow(rho, k) / (1 - std::pow(rho, k + 1));
  const double l = rho / (1 - rho) - (k + 1) * std::pow(rho, k + 1) / (1 - std::pow(rho, k + 1));
  const FluidQueue q{.workers = 1, .mean_hold_seconds = 0.1, .capacity = k};
  // From L over 10 s: 150 arrive, 150 P_K are rejected, the rest complete,
  // each after W = L / (lambda (1 - P_K)) (Little's law).
  const FluidQueueFlow f = advance(q, l, 15, 10);
  CHECK(f.rejected == Approx(150 * pk));
  CHECK(f.completed == Approx(150 * (1 - pk)));
  CHECK(f.content == Approx(l));
  CHECK(f.latency_sum_seconds / f.completed == Approx(l / (15 * (1 - pk))));
  check_conserved(f, l);
  // From empty the content relaxes to L and nothing exceeds K.
  const FluidQueueFlow g = advance(q, 0, 15, 100);
  CHECK(g.content == Approx(l));
  CHECK(g.content <= k);
  check_conserved(g, 0);

  // Queue capacity 0: the workers are all there is: Erlang's loss formula,
  // B(1, a) = a / (1 + a) with a = 1.5: 60% turned away, whatever the service
  // time distribution (deterministic here).
  const FluidQueue none{.workers = 1, .mean_hold_seconds = 0.1, .capacity = 1};
  const FluidQueueFlow h = advance(none, 0, 15, 10, /*scv=*/0);
  CHECK(h.rejected == Approx(150 * 0.6));
}

TEST_CASE("fluid queue: a drained pod empties (no endless exponential tail)") {
  // With no arrivals and x below c, x = x0 e^{-mu t}; after 100 time
  // constants it is below a millionth of a request and counted as done.
  const FluidQueue q{.workers = 2, .mean_hold_seconds = 0.01};
  const FluidQueueFlow f = advance(q, 1.5, 0, 1.0);
  CHECK(f.content == 0);
  CHECK(f.completed == Approx(1.5));
  check_conserved(f, 1.5);
  // A backlog drains at full speed first: 12 requests on 2 workers of 10 ms
  // go down at 200/s to c = 2 in 50 ms.
  CHECK(advance(q, 12, 0, 0.025).content == Approx(7));
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
      {1, 0.01, inf, 0, 50, 10},    {1, 0.01, inf, 0, 150, 10},   {4, 0.5, 20, 0, 100, 3},
      {4, 0.5, 20, 20, 1, 0.7},     {8, 0.02, inf, 30, 400, 1},   {8, 0.02, inf, 30, 300, 0.05},
      {2, 1.0, 2, 2, 5, 100},       {3, 0.1, inf, 1.5, 30, 1e-3}, {16, 0.005, 50, 0, 3200, 60},
      {2, 0.1, inf, 500, 19.9, 30}, {1, 0.1, 4, 3, 9.99, 2},
  };
  for (const Case& k : cases) {
    const FluidQueue q{.workers = k.c, .mean_hold_seconds = k.hold, .capacity = k.capacity};
    const FluidQueueFlow f = advance(q, k.x0, k.lambda, k.seconds);
    INFO("c " << k.c << " hold " << k.hold << " x0 " << k.x0 << " lambda " << k.lambda);
    check_conserved(f, k.x0);
    CHECK(f.content <= k.capacity);
    CHECK(f.content >= 0);
    CHECK(f.rejected >= 0);
    CHECK(f.busy_worker_seconds <= k.c * k.seconds * (1 + 1e-12));
  }
}

TEST_CASE("fluid queue: arrivals at exactly c mu keep a saturated pod where it is") {
  // c = 3, E[S] = 0.1 s: c mu = 30/s. At lambda = 30 an unbounded queue has
  // no steady state; from x = c (and from a backlog of 5) nothing grows or
  // drains: 30 T complete, x stays.
  const FluidQueue q{.workers = 3, .mean_hold_seconds = 0.1};
  for (double x0 : {3.0, 8.0}) {
    const FluidQueueFlow f = advance(q, x0, 30, 10);
    CHECK(f.content == Approx(x0));
    CHECK(f.completed == Approx(300));
    check_conserved(f, x0);
  }
  // Rates a rounding away from it, both ways, at every step of a long run:
  // requests are conserved and the content stays finite and non-negative.
  for (double lambda : {std::nextafter(30.0, 0.0), std::nextafter(30.0, 100.0)}) {
    double x = 3;
    for (int i = 0; i < 1000; ++i) {
      const FluidQueueFlow f = advance(q, x, lambda, 0.01);
      check_conserved(f, x);
      x = f.content;
    }
    CHECK(std::isfinite(x));
    CHECK(x >= 0);
  }
}
