// Fluid mode's mean sojourn (models/traffic/fluid_latency.h) against the
// closed forms of VALIDATION.md.
#include <catch2/catch.hpp>

#include <cmath>

#include "models/traffic/fluid_latency.h"

using namespace kubesim;

namespace {

// Erlang C from its textbook sum (Kleinrock vol. 1, eq. 3.40), independent of
// the recursion under test: P(wait) = (a^c / c!) / (1 - rho) over
// sum_{k<c} a^k / k! + (a^c / c!) / (1 - rho).
double erlang_c_by_sum(int c, double a) {
  double term = 1, sum = 0;  // term = a^k / k!
  for (int k = 0; k < c; ++k) {
    sum += term;
    term *= a / (k + 1);
  }
  const double tail = term / (1 - a / c);
  return tail / (sum + tail);
}

}  // namespace

TEST_CASE("fluid latency: Erlang C matches VALIDATION.md's example") {
  // c = 4, rho = 0.8, mu = 1: a = 3.2, C = 0.596432, W = C / (4 - 3.2) + 1
  // = 1.745541.
  CHECK(erlang_c(4, 3.2) == Approx(0.596432).epsilon(1e-6));
  CHECK(mgc_mean_sojourn_seconds(3.2, 4, 1.0, 1.0) == Approx(1.745541).epsilon(1e-6));
}

TEST_CASE("fluid latency: the recursion equals the textbook sum") {
  const int c = GENERATE(1, 2, 5, 16, 50);
  const double rho = GENERATE(0.1, 0.5, 0.9, 0.99);
  const double a = rho * c;
  INFO("c " << c << " rho " << rho);
  CHECK(erlang_c(c, a) == Approx(erlang_c_by_sum(c, a)).epsilon(1e-9));
  // And the sojourn built from it: Wq = C / (c mu - lambda) + E[S], here
  // with E[S] = 20 ms (mu = 50).
  const double mu = 50, lambda = a * mu;
  CHECK(mgc_mean_sojourn_seconds(lambda, c, 1 / mu, 1.0) ==
        Approx(erlang_c_by_sum(c, a) / (c * mu - lambda) + 1 / mu).epsilon(1e-9));
}

TEST_CASE("fluid latency: one worker is M/M/1, M/D/1 and M/G/1 (Pollaczek-Khinchine)") {
  // M/M/1, lambda = 0.5, mu = 1: W = 1 / (mu - lambda) = 2.
  CHECK(mgc_mean_sojourn_seconds(0.5, 1, 1.0, 1.0) == Approx(2.0));
  // M/D/1, rho = 0.5, mu = 1: Wq = rho / (2 mu (1 - rho)) = 0.5, W = 1.5.
  CHECK(mgc_mean_sojourn_seconds(0.5, 1, 1.0, 0.0) == Approx(1.5));
  // M/G/1 with Cs^2 = 4 (e.g. lognormal with sigma = sqrt(ln 5)), E[S] =
  // 10 ms, lambda = 80 (rho = 0.8): Wq = rho (1 + Cs^2) E[S] / (2 (1 - rho))
  // = 0.8 * 5 * 0.01 / 0.4 = 0.1, W = 0.11.
  CHECK(mgc_mean_sojourn_seconds(80, 1, 0.01, 4.0) == Approx(0.11));
}

TEST_CASE("fluid latency: an unstable queue has no finite mean") {
  CHECK(std::isinf(mgc_mean_sojourn_seconds(4.0, 4, 1.0, 1.0)));  // rho = 1
  CHECK(std::isinf(mgc_mean_sojourn_seconds(5.0, 4, 1.0, 1.0)));
  CHECK(erlang_c(4, 5.0) == 1);
  // No arrivals: nobody waits.
  CHECK(mgc_mean_sojourn_seconds(0, 3, 0.25, 1.0) == Approx(0.25));
}

TEST_CASE("fluid latency: a bounded queue is M/M/c/K") {
  // M/M/1/K (Kleinrock vol. 1, sec. 3.6): P_K = (1 - rho) rho^K /
  // (1 - rho^{K+1}), L = rho / (1 - rho) - (K + 1) rho^{K+1} / (1 - rho^{K+1}),
  // W = L / (lambda (1 - P_K)); mu = 10, K = 8, below and above rho = 1.
  const int k = 8;
  for (double rho : {0.5, 0.9, 1.3, 4.0}) {
    INFO("rho " << rho);
    const double lambda = 10 * rho;
    const double pk = (1 - rho) * std::pow(rho, k) / (1 - std::pow(rho, k + 1));
    const double l = rho / (1 - rho) - (k + 1) * std::pow(rho, k + 1) / (1 - std::pow(rho, k + 1));
    const QueueSteadyState s = queue_steady_state(lambda, 1, 0.1, 1.0, k);
    CHECK(s.accepted_rate == Approx(lambda * (1 - pk)));
    CHECK(s.sojourn_seconds == Approx(l / (lambda * (1 - pk))));
  }
  // At rho = 1 every state is equally likely: P_K = 1 / (K + 1), L = K / 2.
  const QueueSteadyState one = queue_steady_state(10, 1, 0.1, 1.0, k);
  CHECK(one.accepted_rate == Approx(10.0 * k / (k + 1)));
  CHECK(one.sojourn_seconds == Approx((k / 2.0) / (10.0 * k / (k + 1))));
}

TEST_CASE("fluid latency: no queue is Erlang B; a long queue is the unbounded one") {
  // K = c: Erlang's loss system. c = 3, a = 2: B = (a^3 / 3!) / (1 + a +
  // a^2 / 2 + a^3 / 6) = (8/6) / (19/3) = 4/19; nobody waits: W = E[S].
  const QueueSteadyState b = queue_steady_state(20, 3, 0.1, 1.0, 3);
  CHECK(b.accepted_rate == Approx(20 * (1 - 4.0 / 19)));
  CHECK(b.sojourn_seconds == Approx(0.1));
  // K = c + 10^4 at rho = 0.8 leaves rho^10000 of the tail: the unbounded
  // queue's sojourn, waiting scaled by Allen-Cunneen alike (scv = 0.25).
  const QueueSteadyState big = queue_steady_state(32, 4, 0.1, 0.25, 4 + 10000);
  CHECK(big.accepted_rate == Approx(32));
  CHECK(big.sojourn_seconds == Approx(mgc_mean_sojourn_seconds(32, 4, 0.1, 0.25)));
  // Far above capacity with a long queue nothing overflows: rho = 3, the
  // pod completes c mu = 10/s (accepts 1 - P_K ~ 1/3 of 30/s) and is
  // nearly full, so W ~ K / (c mu) = 500 s.
  const QueueSteadyState over = queue_steady_state(30, 1, 0.1, 1.0, 5000);
  CHECK(over.accepted_rate == Approx(10));
  CHECK(over.sojourn_seconds == Approx(5000 / 10.0).epsilon(1e-3));
  // And with a queue too long to sum (closed forms), the same answers.
  CHECK(queue_steady_state(30, 1, 0.1, 1.0, 2e7).accepted_rate == Approx(10));
  CHECK(queue_steady_state(32, 4, 0.1, 1.0, 2e7).sojourn_seconds ==
        Approx(mgc_mean_sojourn_seconds(32, 4, 0.1, 1.0)));
}
