// An entry's outside rate as fluid mode holds it (models/traffic/fluid_rate.h):
// its change instants must include every change of ArrivalProcess::rate_at,
// or fluid mode would hold a stale rate over part of an interval.
#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include "models/traffic/arrivals.h"
#include "models/traffic/fluid_rate.h"
#include "sim/random.h"

using namespace kubesim;

namespace {

SimTime at_ms(int64_t ms) {
  return SimTime::zero() + Duration::millis(ms);
}

// Walks the pieces [t, next_change(t)) up to `horizon` and checks that
// rate_at is the same at a piece's first and last microsecond and middle
// (so no change falls inside), and that mean_rate is that rate.
void check_pieces(const TrafficSpec& spec, SimTime horizon) {
  RandomStream rng(1), unused(2);
  FluidOutsideRate fluid(spec, rng);
  const ArrivalProcess truth(spec.arrival, spec.start, unused);
  SimTime t = SimTime::zero();
  int pieces = 0;
  while (t < horizon) {
    const SimTime next = std::min(fluid.next_change(t), horizon);
    REQUIRE(next > t);
    INFO("piece [" << t << ", " << next << ")");
    const double r = truth.rate_at(t);
    CHECK(truth.rate_at(next - Duration::micros(1)) == r);
    CHECK(truth.rate_at(t + (next - t) / 2) == r);
    CHECK(fluid.mean_rate(t, next) == r);
    t = next;
    ++pieces;
  }
  CHECK(pieces > 1);
}

TrafficSpec replay_rates(std::vector<double> rates, Duration interval, bool loop) {
  TrafficSpec s;
  s.arrival.process = ArrivalSpec::Process::kReplay;
  s.arrival.interval_rates = std::move(rates);
  s.arrival.interval = interval;
  s.arrival.loop = loop;
  return s;
}

}  // namespace

TEST_CASE("fluid rate: interval rates change at each interval from the start, then stop") {
  // Rates 10, 20, 5 over 4 s intervals from t = 2 s: changes at 2, 6, 10,
  // 14 s; after 14 s the trace is over (rate 0) and nothing changes again.
  TrafficSpec s = replay_rates({10, 20, 5}, Duration::seconds(4), false);
  s.start = Duration::seconds(2);
  RandomStream rng(1);
  FluidOutsideRate r(s, rng);
  CHECK(r.next_change(at_ms(0)) == at_ms(2000));
  CHECK(r.next_change(at_ms(2000)) == at_ms(6000));
  CHECK(r.next_change(at_ms(7000)) == at_ms(10000));
  CHECK(r.next_change(at_ms(10000)) == at_ms(14000));
  CHECK(r.next_change(at_ms(14000)) == SimTime::max());
  CHECK(r.mean_rate(at_ms(0), at_ms(2000)) == 0);
  CHECK(r.mean_rate(at_ms(6000), at_ms(10000)) == 20);
  CHECK(r.mean_rate(at_ms(14000), at_ms(20000)) == 0);
  check_pieces(s, at_ms(30000));
}

TEST_CASE("fluid rate: a looped trace of timestamps changes at its bins and passes") {
  // Timestamps 0.5, 1.5, 2.5, 3.5 s, bins of 1 s, looped: the mean gap is
  // 1 s, so a pass lasts 3.5 + 1 = 4.5 s (arrivals.h); bins [0, 1) .. [3, 4)
  // hold one each (1/s) and [4, 4.5) none. Changes at 1, 2, 3, 4, 4.5, then
  // 5.5, 6.5, ... from the second pass's start.
  TrafficSpec s;
  s.arrival.process = ArrivalSpec::Process::kReplay;
  for (int64_t ms : {500, 1500, 2500, 3500})
    s.arrival.timestamps.push_back(Duration::millis(ms));
  s.arrival.interval = Duration::seconds(1);
  s.arrival.loop = true;
  RandomStream rng(1);
  FluidOutsideRate r(s, rng);
  CHECK(r.next_change(at_ms(4200)) == at_ms(4500));
  CHECK(r.next_change(at_ms(4500)) == at_ms(5500));
  CHECK(r.next_change(at_ms(8600)) == at_ms(9000));
  CHECK(r.mean_rate(at_ms(4000), at_ms(4500)) == 0);
  CHECK(r.mean_rate(at_ms(4500), at_ms(5500)) == 1);
  check_pieces(s, at_ms(20000));
}

TEST_CASE("fluid rate: every piecewise process is constant between the changes it names") {
  SECTION("schedule from a late start") {
    TrafficSpec s;
    s.arrival.process = ArrivalSpec::Process::kSchedule;
    s.arrival.schedule = {
        {Duration::zero(), 5}, {Duration::millis(2500), 50}, {Duration::seconds(7), 0}};
    s.start = Duration::millis(1300);
    check_pieces(s, at_ms(20000));
  }
  SECTION("looped interval rates") {
    check_pieces(replay_rates({1, 2, 3, 4, 5}, Duration::millis(700), true), at_ms(20000));
  }
  SECTION("timestamps once, bins of the default width") {
    TrafficSpec s;
    s.arrival.process = ArrivalSpec::Process::kReplay;
    s.arrival.interval = Duration::zero();  // rate_at bins by 60 s then
    for (int64_t sec : {1, 2, 3, 70, 130})
      s.arrival.timestamps.push_back(Duration::seconds(sec));
    check_pieces(s, at_ms(400000));
  }
  SECTION("looped timestamps with uneven gaps") {
    TrafficSpec s;
    s.arrival.process = ArrivalSpec::Process::kReplay;
    s.arrival.interval = Duration::millis(300);
    s.arrival.loop = true;
    for (int64_t ms : {100, 150, 900, 1000, 1730})
      s.arrival.timestamps.push_back(Duration::millis(ms));
    check_pieces(s, at_ms(15000));
  }
}

TEST_CASE("fluid rate: bursty periods alternate, starting on") {
  // On 2 s at 40/s, off 3 s at 4/s, fixed, from t = 1 s: on [1, 3),
  // off [3, 6), on [6, 8), ...
  TrafficSpec s;
  s.arrival.process = ArrivalSpec::Process::kBursty;
  s.arrival.on_rate = 40;
  s.arrival.off_rate = 4;
  s.arrival.on_duration = DurationDistribution::fixed(Duration::seconds(2));
  s.arrival.off_duration = DurationDistribution::fixed(Duration::seconds(3));
  s.start = Duration::seconds(1);
  RandomStream rng(1);
  FluidOutsideRate r(s, rng);
  CHECK(r.next_change(at_ms(0)) == at_ms(1000));
  CHECK(r.mean_rate(at_ms(0), at_ms(1000)) == 0);
  r.advance_to(at_ms(1000));
  CHECK(r.next_change(at_ms(1000)) == at_ms(3000));
  CHECK(r.mean_rate(at_ms(1000), at_ms(3000)) == 40);
  r.advance_to(at_ms(3000));
  CHECK(r.next_change(at_ms(3000)) == at_ms(6000));
  CHECK(r.mean_rate(at_ms(3000), at_ms(6000)) == 4);
  r.advance_to(at_ms(7000));
  CHECK(r.mean_rate(at_ms(7000), at_ms(8000)) == 40);
  CHECK(r.next_change(at_ms(7000)) == at_ms(8000));
}
