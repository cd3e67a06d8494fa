// Steady state of a pod's queue, for fluid mode (docs/fluid-mode.md): the
// mean sojourn of M/M/c exactly (Erlang C) and of M/G/c by the Allen-Cunneen
// approximation; with a finite queue, M/M/c/K's blocking and sojourn.
//
//   double c = erlang_c(4, 3.2);                                 // 0.596432
//   double w = mgc_mean_sojourn_seconds(3.2, 4, 1.0, 1.0);      // 1.745541 s
//   QueueSteadyState s = queue_steady_state(0.8, 1, 1.0, 1.0, /*capacity=*/1);
//   // s.accepted_rate = 0.8 / 1.8 (Erlang B), s.sojourn_seconds = 1
#pragma once

#include <cstdint>
#include <limits>

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

struct QueueSteadyState {
  double accepted_rate = 0;  // arrivals not turned away by a full queue
  // Mean time in system of an accepted request; infinity if the queue has
  // no steady state (unbounded and arrival_rate >= workers / E[S]).
  double sojourn_seconds = 0;
};

// The steady state of Poisson arrivals to `workers` servers holding at most
// `capacity` requests (workers + queue capacity; infinity: unbounded).
// Unbounded: everything is accepted, sojourn as mgc_mean_sojourn_seconds.
// Bounded (M/M/c/K, K = capacity): blocking P_K, and the time waiting scaled
// by (1 + scv) / 2 as Allen-Cunneen scales it, so that a large capacity gives
// the unbounded answer. With no queue (K = c) the blocking is Erlang B, which
// holds for any service time distribution (Erlang's loss formula is
// insensitive to it).
QueueSteadyState queue_steady_state(double arrival_rate, int32_t workers,
                                    double mean_service_seconds, double service_scv,
                                    double capacity = std::numeric_limits<double>::infinity());

}  // namespace kubesim
