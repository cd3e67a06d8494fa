// ArrivalProcess: every process against its definition. Counts of a Poisson
// process over a window are Poisson with mean = the integral of the rate
// over the window (sd = its square root); the statistical checks accept
// within 5 sd, so a correct process fails one with probability about 6e-7
// (two-sided normal tail at 5 sd), while a wrong rate or a lost segment
// shifts the count by many sd at these lengths. Seeds are fixed: each check
// passes or fails deterministically.
#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "models/traffic/arrivals.h"
#include "sim/random.h"

using kubesim::ArrivalProcess;
using kubesim::ArrivalSpec;
using kubesim::Duration;
using kubesim::DurationDistribution;
using kubesim::RandomStream;
using kubesim::SimTime;
using Process = ArrivalSpec::Process;

namespace {

RandomStream stream(const std::string& name, uint64_t seed = 1) {
  return RandomStream(kubesim::derive_stream_seed(seed, name));
}

SimTime at(double seconds) {
  return SimTime::zero() + Duration::from_seconds(seconds);
}

// Every arrival before `end`, checking that each is >= the one before.
std::vector<SimTime> arrivals_until(ArrivalProcess& a, SimTime end) {
  std::vector<SimTime> out;
  bool ordered = true;
  for (SimTime t = a.next(); t < end; t = a.next()) {
    ordered = ordered && (out.empty() || t >= out.back());
    out.push_back(t);
  }
  CHECK(ordered);
  return out;
}

// Arrivals in [from, to).
int64_t count_in(const std::vector<SimTime>& ts, SimTime from, SimTime to) {
  int64_t n = 0;
  for (SimTime t : ts)
    n += t >= from && t < to;
  return n;
}

// |n - mean| within 5 sd of a Poisson count (sd = sqrt(mean)).
void check_poisson_count(int64_t n, double mean) {
  INFO("count " << n << ", expected " << mean << " +- 5 * " << std::sqrt(mean));
  CHECK(std::abs(static_cast<double>(n) - mean) <= 5 * std::sqrt(mean));
}

ArrivalSpec poisson(double rate) {
  ArrivalSpec s;
  s.process = Process::kPoisson;
  s.rate_per_second = rate;
  return s;
}

}  // namespace

TEST_CASE("arrivals: Poisson counts and their dispersion") {
  // lambda = 50/s over T = 2000 s: N has mean 100,000 and sd 316.
  RandomStream rng = stream("poisson");
  ArrivalProcess a(poisson(50), Duration::zero(), rng);
  const std::vector<SimTime> ts = arrivals_until(a, at(2000));
  check_poisson_count(static_cast<int64_t>(ts.size()), 50.0 * 2000);
  // Counts in k = 2000 one-second windows are independent Poisson(50): their
  // index of dispersion (variance / mean) is 1, and its sampling sd is about
  // sqrt(2 / (k - 1)) = 0.032 (the variance of a near-normal sample); within
  // 5 sd, 0.16. Arrivals at regular gaps would give 0, clumped ones > 1.
  std::vector<double> per_second(2000, 0);
  for (SimTime t : ts)
    per_second[static_cast<size_t>(t.count_micros() / 1'000'000)] += 1;
  double mean = 0, var = 0;
  for (double c : per_second)
    mean += c / 2000;
  for (double c : per_second)
    var += (c - mean) * (c - mean) / 1999;
  CHECK(std::abs(var / mean - 1) <= 5 * std::sqrt(2.0 / 1999));
}

TEST_CASE("arrivals: start delays the first arrival") {
  RandomStream rng = stream("start");
  ArrivalProcess a(poisson(100), Duration::seconds(30), rng);
  const std::vector<SimTime> ts = arrivals_until(a, at(130));
  REQUIRE_FALSE(ts.empty());
  CHECK(ts.front() >= at(30));
  check_poisson_count(static_cast<int64_t>(ts.size()), 100.0 * 100);  // 100/s over [30 s, 130 s)
  CHECK(a.rate_at(at(29.999999)) == 0);
  CHECK(a.rate_at(at(30)) == 100);
}

TEST_CASE("arrivals: no process, and a rate of zero, end the arrivals") {
  RandomStream rng = stream("none");
  ArrivalProcess none(ArrivalSpec{}, Duration::zero(), rng);
  CHECK(none.next() == SimTime::max());
  CHECK(none.next() == SimTime::max());
  CHECK(none.rate_at(at(5)) == 0);
  ArrivalProcess zero(poisson(0), Duration::zero(), rng);
  CHECK(zero.next() == SimTime::max());
}

TEST_CASE("arrivals: a schedule of rates gives the integral of the rate per step") {
  // Steps (offsets from start = 20 s): 10/s on [0, 100 s), 0 on [100, 200),
  // 40/s on [200, 300), 5/s from 300 s. Expected counts: 1000, 0, 4000, and
  // 5 * 700 = 3500 on [300, 1000).
  ArrivalSpec s;
  s.process = Process::kSchedule;
  s.schedule = {{Duration::zero(), 10},
                {Duration::seconds(100), 0},
                {Duration::seconds(200), 40},
                {Duration::seconds(300), 5}};
  RandomStream rng = stream("schedule");
  ArrivalProcess a(s, Duration::seconds(20), rng);
  const std::vector<SimTime> ts = arrivals_until(a, at(1020));
  CHECK(count_in(ts, at(0), at(20)) == 0);
  check_poisson_count(count_in(ts, at(20), at(120)), 1000);
  CHECK(count_in(ts, at(120), at(220)) == 0);
  check_poisson_count(count_in(ts, at(220), at(320)), 4000);
  check_poisson_count(count_in(ts, at(320), at(1020)), 3500);
  // rate_at: the step in force, a step's rate from its `at` on.
  CHECK(a.rate_at(at(19)) == 0);
  CHECK(a.rate_at(at(20)) == 10);
  CHECK(a.rate_at(at(119.999999)) == 10);
  CHECK(a.rate_at(at(120)) == 0);
  CHECK(a.rate_at(at(220)) == 40);
  CHECK(a.rate_at(at(5000)) == 5);
}

TEST_CASE("arrivals: a schedule that ends at rate 0 ends the arrivals") {
  ArrivalSpec s;
  s.process = Process::kSchedule;
  s.schedule = {{Duration::zero(), 10}, {Duration::seconds(50), 0}};
  RandomStream rng = stream("schedule-end");
  ArrivalProcess a(s, Duration::zero(), rng);
  const std::vector<SimTime> ts = arrivals_until(a, SimTime::max());
  REQUIRE_FALSE(ts.empty());
  CHECK(ts.back() < at(50));
  check_poisson_count(static_cast<int64_t>(ts.size()), 500);
  CHECK(a.next() == SimTime::max());
}

TEST_CASE("arrivals: a schedule whose first step is late has rate 0 before it") {
  // Built without the loader (which adds the {0s, 0} step itself).
  ArrivalSpec s;
  s.process = Process::kSchedule;
  s.schedule = {{Duration::seconds(100), 20}};
  RandomStream rng = stream("schedule-late");
  ArrivalProcess a(s, Duration::zero(), rng);
  const std::vector<SimTime> ts = arrivals_until(a, at(200));
  REQUIRE_FALSE(ts.empty());
  CHECK(ts.front() >= at(100));
  check_poisson_count(static_cast<int64_t>(ts.size()), 2000);
  CHECK(a.rate_at(at(99)) == 0);
}

TEST_CASE("arrivals: diurnal counts are the integral of the sinusoid") {
  // rate(t) = trough + (peak - trough) (1 + cos(2 pi (t - peakAt) / P)) / 2,
  // peak 20, trough 4, P = 1 h, peakAt = 30 min. Over one period the mean of
  // the cosine term is 1/2: (20 + 4) / 2 * 3600 = 43,200. Over the half
  // period around the peak, |t - peakAt| <= P/4: the integral of
  // (1 + cos theta)/2 is P/4 + P/(2 pi), so
  // 4 * 1800 + 16 * (900 + 3600 / (2 pi)) = 30,767.3; the other half 12,432.7.
  ArrivalSpec s;
  s.process = Process::kDiurnal;
  s.peak = 20;
  s.trough = 4;
  s.peak_at = Duration::minutes(30);
  s.period = Duration::hours(1);
  RandomStream rng = stream("diurnal");
  ArrivalProcess a(s, Duration::zero(), rng);
  const std::vector<SimTime> ts = arrivals_until(a, at(3600));
  const double near_peak = 4 * 1800 + 16 * (900 + 3600 / (2 * std::numbers::pi));
  check_poisson_count(static_cast<int64_t>(ts.size()), 43200);
  check_poisson_count(count_in(ts, at(900), at(2700)), near_peak);
  check_poisson_count(count_in(ts, at(0), at(900)) + count_in(ts, at(2700), at(3600)),
                      43200 - near_peak);
  CHECK(a.rate_at(at(1800)) == Approx(20));
  CHECK(a.rate_at(at(0)) == Approx(4));     // half a period from the peak
  CHECK(a.rate_at(at(900)) == Approx(12));  // a quarter: cos = 0
}

TEST_CASE("arrivals: diurnal follows the clock, not the start") {
  // Started at 10 min, the peak is still at 30 min: the rate there is the peak.
  ArrivalSpec s;
  s.process = Process::kDiurnal;
  s.peak = 20;
  s.trough = 4;
  s.peak_at = Duration::minutes(30);
  s.period = Duration::hours(1);
  RandomStream rng = stream("diurnal-start");
  ArrivalProcess a(s, Duration::minutes(10), rng);
  CHECK(a.rate_at(at(1800)) == Approx(20));
  CHECK(a.rate_at(at(599)) == 0);
  CHECK(a.next() >= at(600));
}

TEST_CASE("arrivals: bursty with fixed periods switches exactly") {
  // On 2 s at 100/s, off 8 s at 10/s, from start 5 s: over T = 20,000 s the
  // on windows [5 + 10k, 7 + 10k) hold 4,000 s (400,000 expected arrivals)
  // and the off windows 16,000 s (160,000).
  ArrivalSpec s;
  s.process = Process::kBursty;
  s.on_rate = 100;
  s.off_rate = 10;
  s.on_duration = DurationDistribution::fixed(Duration::seconds(2));
  s.off_duration = DurationDistribution::fixed(Duration::seconds(8));
  RandomStream rng = stream("bursty-fixed");
  ArrivalProcess a(s, Duration::seconds(5), rng);
  const std::vector<SimTime> ts = arrivals_until(a, at(20005));
  REQUIRE_FALSE(ts.empty());
  CHECK(ts.front() >= at(5));
  int64_t on = 0;
  for (SimTime t : ts)
    on += (t - at(5)).count_micros() % 10'000'000 < 2'000'000;
  check_poisson_count(on, 400000);
  check_poisson_count(static_cast<int64_t>(ts.size()) - on, 160000);
  // Long-run rate: (100 * 2 + 10 * 8) / (2 + 8) = 28/s.
  CHECK(a.rate_at(at(100)) == Approx(28));
}

TEST_CASE("arrivals: bursty with random periods has the long-run rate") {
  // On ~ exponential(2 s) at 100/s, off ~ exponential(8 s) at 10/s: the
  // long-run rate is (100 * 2 + 10 * 8) / 10 = 28/s, 560,000 over
  // T = 20,000 s. The count varies more than a Poisson count: given the on
  // time ON, N ~ Poisson(100 ON + 10 (T - ON)), so
  // Var N = E[mean] + 90^2 Var ON. For an alternating renewal process
  // (Takacs 1957) Var ON ~ T (m_off^2 s_on^2 + m_on^2 s_off^2) / (m_on + m_off)^3
  // = 20,000 * (64 * 4 + 4 * 64) / 1000 = 10,240 s^2, so
  // sd N = sqrt(560,000 + 8100 * 10,240) = 9,136; accept within 5 sd.
  ArrivalSpec s;
  s.process = Process::kBursty;
  s.on_rate = 100;
  s.off_rate = 10;
  s.on_duration = DurationDistribution(*kubesim::Distribution::exponential(2));
  s.off_duration = DurationDistribution(*kubesim::Distribution::exponential(8));
  RandomStream rng = stream("bursty-random");
  ArrivalProcess a(s, Duration::zero(), rng);
  const std::vector<SimTime> ts = arrivals_until(a, at(20000));
  const double sd = std::sqrt(560000 + 8100.0 * 10240);
  CHECK(std::abs(static_cast<double>(ts.size()) - 560000) <= 5 * sd);
  CHECK(a.rate_at(at(0)) == Approx(28));
}

TEST_CASE("arrivals: replayed timestamps are exact, and loop") {
  // Offsets 0.5, 1.5, 2, 2.25 s from start 10 s.
  ArrivalSpec s;
  s.process = Process::kReplay;
  s.timestamps = {Duration::millis(500), Duration::millis(1500), Duration::seconds(2),
                  Duration::millis(2250)};
  s.interval = Duration::seconds(1);
  RandomStream rng = stream("replay");
  ArrivalProcess once(s, Duration::seconds(10), rng);
  CHECK(arrivals_until(once, SimTime::max()) ==
        std::vector<SimTime>{at(10.5), at(11.5), at(12), at(12.25)});
  CHECK(once.next() == SimTime::max());
  // rate_at: arrivals per 1 s bin from the start: 1, 1, 2, then none.
  CHECK(once.rate_at(at(10.2)) == 1);
  CHECK(once.rate_at(at(11.9)) == 1);
  CHECK(once.rate_at(at(12.5)) == 2);
  CHECK(once.rate_at(at(13)) == 0);

  // Looped, the trace repeats every last + mean gap = 2.25 + (2.25 - 0.5) / 3 s
  // = 2,833,333 us (the gap rounded down to the microsecond).
  s.loop = true;
  ArrivalProcess looped(s, Duration::seconds(10), rng);
  const Duration period = Duration::micros(2'833'333);
  std::vector<SimTime> want;
  for (int64_t pass = 0; pass < 3; ++pass) {
    for (Duration offset : s.timestamps)
      want.push_back(SimTime::zero() + Duration::seconds(10) + period * pass + offset);
  }
  std::vector<SimTime> got;
  for (size_t i = 0; i < want.size(); ++i)
    got.push_back(looped.next());
  CHECK(got == want);
  // The third 1 s bin of a looped trace is what remains of the period, 0.833333 s.
  CHECK(looped.rate_at(at(12.5)) == Approx(2 / 0.833333));
  CHECK(looped.rate_at(SimTime::zero() + Duration::seconds(10) + period + Duration::millis(200)) ==
        1);

  // One timestamp t repeats every t.
  ArrivalSpec single;
  single.process = Process::kReplay;
  single.timestamps = {Duration::seconds(3)};
  single.loop = true;
  ArrivalProcess every3(single, Duration::zero(), rng);
  CHECK(every3.next() == at(3));
  CHECK(every3.next() == at(6));
  CHECK(every3.next() == at(9));
}

TEST_CASE("arrivals: replayed rates are Poisson per interval, and loop") {
  // Rates 10, 0, 2.5 per second over 100 s intervals: 1000, 0, 250 expected.
  ArrivalSpec s;
  s.process = Process::kReplay;
  s.interval_rates = {10, 0, 2.5};
  s.interval = Duration::seconds(100);
  RandomStream rng = stream("replay-rates");
  ArrivalProcess once(s, Duration::zero(), rng);
  const std::vector<SimTime> ts = arrivals_until(once, SimTime::max());
  REQUIRE_FALSE(ts.empty());
  CHECK(ts.back() < at(300));  // the trace is over after 3 intervals
  check_poisson_count(count_in(ts, at(0), at(100)), 1000);
  CHECK(count_in(ts, at(100), at(200)) == 0);
  check_poisson_count(count_in(ts, at(200), at(300)), 250);
  CHECK(once.rate_at(at(250)) == 2.5);
  CHECK(once.rate_at(at(300)) == 0);

  // Looped over 10 cycles (3000 s): 10,000, 0 and 2,500 per interval index.
  s.loop = true;
  ArrivalProcess looped(s, Duration::zero(), rng);
  const std::vector<SimTime> lt = arrivals_until(looped, at(3000));
  int64_t by_index[3] = {0, 0, 0};
  for (SimTime t : lt)
    ++by_index[(t.count_micros() / 100'000'000) % 3];
  check_poisson_count(by_index[0], 10000);
  CHECK(by_index[1] == 0);
  check_poisson_count(by_index[2], 2500);
  CHECK(looped.rate_at(at(2950)) == 2.5);  // interval 29 (2900 s to 3000 s): index 29 mod 3 = 2
  CHECK(looped.rate_at(at(3050)) == 10);   // interval 30: index 0
}

TEST_CASE("arrivals: the same seed gives the same arrivals, another seed others") {
  const ArrivalSpec s = poisson(20);
  auto first = [&](uint64_t seed) {
    RandomStream rng = stream("traffic/web/arrivals", seed);
    ArrivalProcess a(s, Duration::zero(), rng);
    return arrivals_until(a, at(100));
  };
  CHECK(first(7) == first(7));
  CHECK(first(7) != first(8));
}
