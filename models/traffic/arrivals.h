// ArrivalProcess: the times at which requests of one traffic entry arrive
// from outside the cluster (ArrivalSpec in traffic_spec.h).
//
//   ArrivalProcess a(spec.arrival, spec.start, sim.rng("traffic/web/arrivals"));
//   for (SimTime t = a.next(); t != SimTime::max() && t < end; t = a.next()) { ... }
//
// Non-homogeneous Poisson processes (schedule, diurnal, replay of rates) are
// drawn exactly: piecewise-constant rates by restarting the exponential draw
// at each change, the diurnal sinusoid by thinning (Lewis and Shedler) against
// its peak rate.
#pragma once

#include <cstddef>

#include "models/traffic/traffic_spec.h"
#include "sim/random.h"
#include "sim/time.h"

namespace kubesim {

class ArrivalProcess {
 public:
  // `rng` must outlive the process. Arrivals start at zero + start.
  ArrivalProcess(const ArrivalSpec& spec, Duration start, RandomStream& rng);

  // The next arrival time (each call returns a time >= the previous one), or
  // SimTime::max() when no more requests arrive (kNone, a replay without loop
  // that is over, a rate of zero from some time on).
  SimTime next();

  // The rate at time t in requests per second, when it is known in advance
  // (every process but bursty, whose on/off periods are random; for bursty
  // it is the long-run mean on_rate * E[on] + off_rate * E[off] over E[on] + E[off]).
  double rate_at(SimTime t) const;

 private:
  // defined in arrivals.cc
  const ArrivalSpec* spec_;
  Duration start_;
  RandomStream* rng_;
  SimTime last_;
  std::size_t index_ = 0;  // replay timestamps / schedule step / interval
  bool on_ = true;         // bursty
  SimTime switch_at_;      // bursty: end of the current period
};

}  // namespace kubesim
