#include "models/traffic/fluid_latency.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace kubesim {

namespace {

// Erlang B by the recursion B_0 = 1, B_k = a B_{k-1} / (k + a B_{k-1}),
// which never overflows (unlike a^c / c!).
double erlang_b(int32_t workers, double a) {
  double b = 1;
  for (int32_t k = 1; k <= workers; ++k)
    b = a * b / (k + a * b);
  return b;
}

}  // namespace

double erlang_c(int32_t workers, double offered_load) {
  const double a = offered_load;
  const double rho = a / workers;
  if (rho >= 1) return 1;
  if (a <= 0) return 0;
  // C = B_c / (1 - rho (1 - B_c)) (/work/shared/VALIDATION.md; Kleinrock,
  // Queueing Systems vol. 1, 1975, sec. 3.5).
  const double b = erlang_b(workers, a);
  return b / (1 - rho * (1 - b));
}

double mgc_mean_sojourn_seconds(double arrival_rate, int32_t workers, double mean_service_seconds,
                                double service_scv) {
  const double mu = 1 / mean_service_seconds;
  const double spare = workers * mu - arrival_rate;  // c mu - lambda
  if (spare <= 0) return std::numeric_limits<double>::infinity();
  const double wait_mmc = erlang_c(workers, arrival_rate * mean_service_seconds) / spare;
  // Allen and Cunneen (Allen, Probability, Statistics and Queueing Theory,
  // 2nd ed. 1990, sec. 6.3): Wq(G/G/c) ~ Wq(M/M/c) (Ca^2 + Cs^2) / 2, with
  // Ca^2 = 1 for Poisson arrivals. For c = 1 this is Pollaczek-Khinchine's
  // rho (1 + Cs^2) E[S] / (2 (1 - rho)) exactly.
  return wait_mmc * (1 + service_scv) / 2 + mean_service_seconds;
}

QueueSteadyState queue_steady_state(double arrival_rate, int32_t workers,
                                    double mean_service_seconds, double service_scv,
                                    double capacity) {
  const double lambda = arrival_rate;
  if (lambda <= 0) return {.accepted_rate = 0, .sojourn_seconds = mean_service_seconds};
  if (!std::isfinite(capacity)) {
    return {.accepted_rate = lambda,
            .sojourn_seconds =
                mgc_mean_sojourn_seconds(lambda, workers, mean_service_seconds, service_scv)};
  }
  // M/M/c/K (Kleinrock vol. 1, sec. 3.7): p_n = p_0 a^n / n! for n <= c and
  // p_c rho^j for n = c + j, j = 1..m, m = K - c. Relative to the sum S of
  // p_0..p_c: p_c / S = B (Erlang B), and sum_{n <= c} n p_n / S = a (1 - B)
  // (the busy servers of Erlang's loss system). The queue's terms are
  // B rho^j; when rho > 1 they are taken relative to the largest, rho^m,
  // so that nothing overflows.
  const int64_t m = std::max<int64_t>(0, static_cast<int64_t>(capacity) - workers);
  const double c = workers;
  const double a = lambda * mean_service_seconds;
  const double rho = a / c;
  const double b = erlang_b(workers, a);
  const bool above = rho > 1;
  const double r = above ? 1 / rho : rho;  // ratio of consecutive terms, <= 1
  const double rm = std::pow(r, static_cast<double>(m));
  // g0 = sum of the queue's terms, g1 = sum of j times them: over the
  // largest term when above (term j is r^(m - j)), else r^j. The terms
  // shrink geometrically, so the sums stop once the rest cannot count.
  double g0 = 0, g1 = 0;
  if (r == 1 || m > 10'000'000) {
    // rho = 1, or a queue so long that summing would take too long: the
    // closed forms (sum r^j = r (1 - r^m) / (1 - r), sum j r^j = r (1 - (m +
    // 1) r^m + m r^(m+1)) / (1 - r)^2; at r = 1, m and m (m + 1) / 2).
    const double md = static_cast<double>(m);
    if (r == 1) {
      g0 = md;
      g1 = md * (md + 1) / 2;
    } else if (!above) {
      g0 = r * (1 - rm) / (1 - r);
      g1 = r * (1 - (md + 1) * rm + md * rm * r) / ((1 - r) * (1 - r));
    } else {
      // Terms r^i, i = m - j = 0..m-1, weighted by j = m - i.
      const double s0 = (1 - rm) / (1 - r);
      const double s1 = r * (1 - md * rm / r + (md - 1) * rm) / ((1 - r) * (1 - r));
      g0 = s0;
      g1 = md * s0 - s1;
    }
  } else if (above) {
    double t = 1;  // r^(m - j) for j = m, m - 1, ..., 1
    for (int64_t j = m; j >= 1 && t > 1e-18 * g0; --j) {
      g0 += t;
      g1 += static_cast<double>(j) * t;
      t *= r;
    }
  } else {
    double t = 1;
    for (int64_t j = 1; j <= m; ++j) {
      t *= r;
      g0 += t;
      g1 += static_cast<double>(j) * t;
      if (t < 1e-18 * g0 && static_cast<double>(j) * t < 1e-18 * g1) break;
    }
  }
  // Normalised over the same scale: the sum of p_0..p_c is 1 below, r^m above.
  const double head = above ? rm : 1.0;
  const double total = head + b * g0;
  const double blocking = b * (above ? 1.0 : rm) / total;  // p_K
  const double in_service = (a * (1 - b) * head + b * c * g0) / total;
  const double waiting = b * g1 / total;
  const double accepted = lambda * (1 - blocking);
  // Little's law on the accepted requests, the waiting part scaled as in
  // mgc_mean_sojourn_seconds.
  const double sojourn = (in_service + waiting * (1 + service_scv) / 2) / accepted;
  return {.accepted_rate = accepted, .sojourn_seconds = sojourn};
}

}  // namespace kubesim
