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
//
// Times: `start` delays the first arrival; schedule steps, replay timestamps
// and replay intervals are offsets from `start`; the diurnal sinusoid follows
// the clock (peak_at is a time of day, t = 0 being midnight), so a late start
// does not shift it. A looped trace of timestamps repeats every last
// timestamp + mean gap ((last - first) / (n - 1); one timestamp t: every t).
// rate_at() of a trace of timestamps is its count per `interval`-wide bin.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

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
  SimTime finish();  // no more arrivals: returns SimTime::max() from now on
  SimTime piecewise_next();
  // The piecewise-constant rate from the current position, and where it ends.
  double segment_rate() const;
  SimTime segment_end() const;
  SimTime diurnal_next();
  SimTime bursty_next();
  SimTime timestamps_next();
  double diurnal_rate(SimTime t) const;

  ArrivalSpec spec_;  // a copy: only rng must outlive the process
  Duration start_;
  RandomStream* rng_;
  double clock_s_;  // the process's exact time in seconds (arrivals round it)
  bool done_ = false;
  std::size_t index_ = 0;  // replay timestamps / schedule step / interval
  int64_t pass_ = 0;       // replay with loop: how many times the trace has restarted
  Duration loop_period_;   // replay timestamps with loop
  bool on_ = true;         // bursty
  SimTime switch_at_;      // bursty: end of the current period
  // replay timestamps: the trace binned into `interval`-wide rates (rate_at).
  std::vector<double> bin_rates_;
};

}  // namespace kubesim
