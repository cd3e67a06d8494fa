#include "models/traffic/fluid_latency.h"

#include <limits>

namespace kubesim {

double erlang_c(int32_t workers, double offered_load) {
  const double a = offered_load;
  const double rho = a / workers;
  if (rho >= 1) return 1;
  if (a <= 0) return 0;
  // Erlang B by the recursion B_0 = 1, B_k = a B_{k-1} / (k + a B_{k-1}),
  // which never overflows (unlike a^c / c!), then
  // C = B_c / (1 - rho (1 - B_c)) (/work/shared/VALIDATION.md; Kleinrock,
  // Queueing Systems vol. 1, 1975, sec. 3.5).
  double b = 1;
  for (int32_t k = 1; k <= workers; ++k)
    b = a * b / (k + a * b);
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

}  // namespace kubesim
