// The outside arrival rate of one fluid traffic entry over time, as fluid
// mode holds it (docs/fluid-mode.md): constant between the instants at which
// it may change (next_change), and for a diurnal sinusoid the rate at the
// middle of the interval it is asked for.
//
//   FluidOutsideRate r(spec, ctx.rng("traffic/web/fluid"));
//   r.advance_to(now);                      // bursty: the on/off period of `now`
//   double lambda = r.mean_rate(now, end);  // with end <= r.next_change(now)
#pragma once

#include <optional>

#include "models/traffic/arrivals.h"
#include "models/traffic/traffic_spec.h"
#include "sim/random.h"
#include "sim/time.h"

namespace kubesim {

class FluidOutsideRate {
 public:
  // `spec` and `rng` must outlive this. Bursty on/off periods are drawn from
  // `rng`; other processes draw nothing.
  FluidOutsideRate(const TrafficSpec& spec, RandomStream& rng);

  // Bursty: moves to the on/off period that holds `t` (t never decreases).
  void advance_to(SimTime t);
  // The first instant after `t` at which the rate may change; SimTime::max()
  // if never. Extra instants are harmless: the rate is the same on both sides.
  SimTime next_change(SimTime t) const;
  // The mean rate over [from, to), for an interval with no change inside.
  double mean_rate(SimTime from, SimTime to) const;

 private:
  const ArrivalSpec* spec_;
  SimTime start_;
  RandomStream* rng_;
  std::optional<ArrivalProcess> process_;  // rate_at for every process but bursty
  bool on_ = true;                         // bursty
  SimTime switch_at_ = SimTime::max();     // bursty: end of the current period
};

}  // namespace kubesim
