// Mean sojourn time of a stable many-server queue, for fluid mode's latency
// (docs/fluid-mode.md): M/M/c exactly (Erlang C), and M/G/c by the
// Allen-Cunneen approximation.
//
//   double c = erlang_c(4, 3.2);                                 // 0.596432
//   double w = mgc_mean_sojourn_seconds(3.2, 4, 1.0, 1.0);      // 1.745541 s
#pragma once

#include <cstdint>

namespace kubesim {

// The probability that an arrival waits in M/M/c with `workers` servers and
// offered load a = lambda / mu (Erlang C), for a < workers; 1 otherwise.
double erlang_c(int32_t workers, double offered_load);

// Mean time in system of Poisson arrivals at `arrival_rate` to `workers`
// servers whose service time has mean `mean_service_seconds` and squared
// coefficient of variation `service_scv` (variance / mean^2):
// Wq(M/M/c) * (1 + scv) / 2 + E[S]. Exact for exponential service (scv = 1)
// and for one server (Pollaczek-Khinchine); an approximation otherwise.
// Infinity when the queue is not stable (arrival_rate >= workers / E[S]).
double mgc_mean_sojourn_seconds(double arrival_rate, int32_t workers, double mean_service_seconds,
                                double service_scv);

}  // namespace kubesim
