#include "models/traffic/arrivals.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace kubesim {
namespace {

using Process = ArrivalSpec::Process;

// The arrival at `seconds` since the start of the run, rounded to the
// microsecond; SimTime::max() when beyond the representable.
SimTime at_seconds(double seconds) {
  if (!(seconds < SimTime::max().to_seconds())) return SimTime::max();
  return SimTime::zero() + Duration::from_seconds(seconds);
}

SimTime add(SimTime t, Duration d) {
  if (t == SimTime::max() || d >= SimTime::max() - t) return SimTime::max();
  return t + d;
}

}  // namespace

ArrivalProcess::ArrivalProcess(const ArrivalSpec& spec, Duration start, RandomStream& rng)
    : spec_(spec),
      start_(start),
      rng_(&rng),
      clock_s_((SimTime::zero() + start).to_seconds()),
      switch_at_(SimTime::zero() + start) {
  if (spec_.process == Process::kBursty) {
    switch_at_ =
        spec_.on_duration ? add(switch_at_, spec_.on_duration->sample(*rng_)) : SimTime::max();
  }
  // Before the first step the rate is 0 (the loader adds this step already).
  if (!spec_.schedule.empty() && spec_.schedule.front().at > Duration::zero()) {
    spec_.schedule.insert(spec_.schedule.begin(), ArrivalSpec::Step{Duration::zero(), 0});
  }
  if (spec_.process != Process::kReplay || spec_.timestamps.empty()) return;
  // The loop period of a trace of timestamps: its last timestamp plus its
  // mean gap, so that the gap at the seam is the trace's mean gap (a trace
  // of one timestamp t repeats every t).
  const std::vector<Duration>& ts = spec_.timestamps;
  const size_t n = ts.size();
  loop_period_ =
      n > 1 ? ts.back() + (ts.back() - ts.front()) / static_cast<int64_t>(n - 1) : ts.front();
  // rate_at: arrivals per `interval`-wide bin over the trace (the last bin of
  // a looped trace is as wide as what remains of the period).
  const Duration width = spec_.interval > Duration::zero() ? spec_.interval : Duration::seconds(60);
  const bool looped = spec_.loop && loop_period_ > Duration::zero();
  const Duration span = looped ? loop_period_ : ts.back() + Duration::micros(1);
  const size_t bins = static_cast<size_t>((span - Duration::micros(1)) / width) + 1;
  bin_rates_.assign(bins, 0);
  for (Duration t : ts)
    bin_rates_[std::min(bins - 1, static_cast<size_t>(t / width))] += 1;
  for (size_t i = 0; i < bins; ++i) {
    const Duration w = looped ? std::min(width, span - width * static_cast<int64_t>(i)) : width;
    bin_rates_[i] /= w.to_seconds();
  }
}

SimTime ArrivalProcess::finish() {
  done_ = true;
  return SimTime::max();
}

SimTime ArrivalProcess::next() {
  if (done_) return SimTime::max();
  switch (spec_.process) {
    case Process::kNone:
      return finish();
    case Process::kPoisson:
    case Process::kSchedule:
      return piecewise_next();
    case Process::kDiurnal:
      return diurnal_next();
    case Process::kBursty:
      return bursty_next();
    case Process::kReplay:
      return spec_.interval_rates.empty() ? timestamps_next() : piecewise_next();
  }
  return finish();
}

// poisson: one segment forever; schedule: step index_; replay rates: interval index_.
double ArrivalProcess::segment_rate() const {
  switch (spec_.process) {
    case Process::kPoisson:
      return spec_.rate_per_second;
    case Process::kSchedule:
      return spec_.schedule[index_].rate;
    default:
      return spec_.interval_rates[index_ % spec_.interval_rates.size()];
  }
}

SimTime ArrivalProcess::segment_end() const {
  const SimTime origin = SimTime::zero() + start_;
  switch (spec_.process) {
    case Process::kPoisson:
      return SimTime::max();
    case Process::kSchedule:
      return index_ + 1 < spec_.schedule.size() ? add(origin, spec_.schedule[index_ + 1].at)
                                                : SimTime::max();
    default:
      return add(origin, spec_.interval * static_cast<int64_t>(index_ + 1));
  }
}

// A Poisson process whose rate is constant between changes: from the
// current position, draw an exponential gap at the segment's rate; if it
// ends past the segment, move to the segment's end and draw again at the
// next rate. The exponential is memoryless, so the restarted draw is exact.
SimTime ArrivalProcess::piecewise_next() {
  if (spec_.process == Process::kSchedule && spec_.schedule.empty()) return finish();
  const bool looped_rates = spec_.process == Process::kReplay && spec_.loop;
  if (looped_rates && std::none_of(spec_.interval_rates.begin(), spec_.interval_rates.end(),
                                   [](double r) { return r > 0; })) {
    return finish();
  }
  for (;;) {
    if (spec_.process == Process::kReplay && !spec_.loop && index_ >= spec_.interval_rates.size()) {
      return finish();
    }
    const double rate = segment_rate();
    const SimTime end = segment_end();
    if (rate > 0) {
      const double t = clock_s_ + rng_->exponential(1.0 / rate);
      if (t < end.to_seconds()) {
        clock_s_ = t;
        return at_seconds(t);
      }
    }
    if (end == SimTime::max()) return finish();  // rate 0 from here on
    clock_s_ = end.to_seconds();
    ++index_;
  }
}

double ArrivalProcess::diurnal_rate(SimTime t) const {
  const double phase = (t.to_seconds() - spec_.peak_at.to_seconds()) / spec_.period.to_seconds();
  return spec_.trough +
         (spec_.peak - spec_.trough) * (1 + std::cos(2 * std::numbers::pi * phase)) / 2;
}

// Thinning (Lewis and Shedler 1979): candidates at the peak rate, each kept
// with probability rate(t) / peak.
SimTime ArrivalProcess::diurnal_next() {
  if (spec_.peak <= 0 || spec_.period <= Duration::zero()) return finish();
  for (;;) {
    clock_s_ += rng_->exponential(1.0 / spec_.peak);
    const SimTime t = at_seconds(clock_s_);
    if (t == SimTime::max()) return finish();
    if (rng_->uniform01() * spec_.peak < diurnal_rate(t)) return t;
  }
}

// On and off periods alternate, starting with on at `start`; within each, a
// Poisson process at that period's rate, restarted at each switch (exact, as
// in piecewise_next).
SimTime ArrivalProcess::bursty_next() {
  if (spec_.on_rate <= 0 && spec_.off_rate <= 0) return finish();
  for (;;) {
    const double rate = on_ ? spec_.on_rate : spec_.off_rate;
    if (rate > 0) {
      const double t = clock_s_ + rng_->exponential(1.0 / rate);
      if (t < switch_at_.to_seconds()) {
        clock_s_ = t;
        return at_seconds(t);
      }
    }
    if (switch_at_ == SimTime::max()) return finish();
    clock_s_ = switch_at_.to_seconds();
    on_ = !on_;
    const auto& period = on_ ? spec_.on_duration : spec_.off_duration;
    switch_at_ = period ? add(switch_at_, period->sample(*rng_)) : SimTime::max();
  }
}

SimTime ArrivalProcess::timestamps_next() {
  const std::vector<Duration>& ts = spec_.timestamps;
  if (index_ == ts.size()) {
    if (!spec_.loop || ts.empty() || loop_period_ <= Duration::zero()) return finish();
    index_ = 0;
    ++pass_;
  }
  const Duration offset = ts[index_++];
  const SimTime pass_origin = add(SimTime::zero() + start_, loop_period_ * pass_);
  const SimTime t = add(pass_origin, offset);
  if (t == SimTime::max()) return finish();
  return t;
}

double ArrivalProcess::rate_at(SimTime t) const {
  const SimTime origin = SimTime::zero() + start_;
  if (t < origin) return 0;
  const Duration since = t - origin;
  switch (spec_.process) {
    case Process::kNone:
      return 0;
    case Process::kPoisson:
      return spec_.rate_per_second;
    case Process::kSchedule: {
      // The last step with at <= since.
      auto it = std::upper_bound(spec_.schedule.begin(), spec_.schedule.end(), since,
                                 [](Duration d, const ArrivalSpec::Step& s) { return d < s.at; });
      return it == spec_.schedule.begin() ? 0 : std::prev(it)->rate;
    }
    case Process::kDiurnal:
      return spec_.period > Duration::zero() ? diurnal_rate(t) : 0;
    case Process::kBursty: {
      if (!spec_.on_duration) return spec_.on_rate;
      if (!spec_.off_duration) return spec_.off_rate;
      const double on = spec_.on_duration->in_seconds().mean();
      const double off = spec_.off_duration->in_seconds().mean();
      if (on + off <= 0) return spec_.on_rate;
      return (spec_.on_rate * on + spec_.off_rate * off) / (on + off);
    }
    case Process::kReplay: {
      if (!spec_.interval_rates.empty()) {
        if (spec_.interval <= Duration::zero()) return 0;
        const auto i = static_cast<size_t>(since / spec_.interval);
        const size_t n = spec_.interval_rates.size();
        if (i >= n && !spec_.loop) return 0;
        return spec_.interval_rates[i % n];
      }
      if (bin_rates_.empty()) return 0;
      const Duration width =
          spec_.interval > Duration::zero() ? spec_.interval : Duration::seconds(60);
      Duration position = since;
      if (spec_.loop && loop_period_ > Duration::zero()) position = since % loop_period_;
      const auto i = static_cast<size_t>(position / width);
      return i < bin_rates_.size() ? bin_rates_[i] : 0;
    }
  }
  return 0;
}

}  // namespace kubesim
