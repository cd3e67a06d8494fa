#include "models/traffic/fluid_rate.h"

#include <algorithm>
#include <vector>

namespace kubesim {

namespace {

using Process = ArrivalSpec::Process;

// A drawn period: at least a microsecond, so that the on/off loop moves on
// even when a distribution gives zero.
Duration period(const std::optional<DurationDistribution>& d, RandomStream& rng) {
  if (!d) return Duration::max();
  return std::max(d->sample(rng), Duration::micros(1));
}

// The first multiple of `every` after origin that is after t.
SimTime next_multiple(SimTime t, SimTime origin, Duration every) {
  if (t < origin) return origin;
  return origin + every * ((t - origin) / every + 1);
}

}  // namespace

FluidOutsideRate::FluidOutsideRate(const TrafficSpec& spec, RandomStream& rng)
    : spec_(&spec.arrival), start_(SimTime::zero() + spec.start), rng_(&rng) {
  if (spec_->process == Process::kBursty) {
    // As the request-mode process: it starts in an on period.
    const Duration on = period(spec_->on_duration, *rng_);
    switch_at_ = on == Duration::max() ? SimTime::max() : start_ + on;
  } else {
    process_.emplace(*spec_, spec.start, rng);
  }
}

void FluidOutsideRate::advance_to(SimTime t) {
  while (switch_at_ != SimTime::max() && switch_at_ <= t) {
    on_ = !on_;
    const Duration d = period(on_ ? spec_->on_duration : spec_->off_duration, *rng_);
    switch_at_ = d == Duration::max() ? SimTime::max() : switch_at_ + d;
  }
}

SimTime FluidOutsideRate::next_change(SimTime t) const {
  if (t < start_) return start_;
  SimTime next = SimTime::max();
  switch (spec_->process) {
    case Process::kNone:
    case Process::kPoisson:
    case Process::kDiurnal:  // held over each step instead
      break;
    case Process::kBursty:
      next = switch_at_;
      break;
    case Process::kSchedule:
      // Steps are offsets from the entry's start (arrivals.h).
      for (const ArrivalSpec::Step& s : spec_->schedule)
        if (start_ + s.at > t) next = std::min(next, start_ + s.at);
      break;
    case Process::kReplay: {
      // Interval rates, or a trace of timestamps binned as rate_at() bins
      // them: `interval`-wide from the entry's start, and for a looped trace
      // of timestamps from the start of each pass (arrivals.h).
      const std::vector<Duration>& ts = spec_->timestamps;
      const bool binned = spec_->interval_rates.empty();
      const Duration width = spec_->interval > Duration::zero() ? spec_->interval
                             : binned                           ? Duration::seconds(60)
                                                                : Duration::zero();
      if (width <= Duration::zero()) break;
      Duration length = width * static_cast<int64_t>(spec_->interval_rates.size());
      if (binned && !ts.empty()) {
        // Looped: a pass lasts the last timestamp plus the mean gap; once:
        // the bins up to the one holding the last timestamp.
        const int64_t n = static_cast<int64_t>(ts.size());
        const Duration mean_gap = n > 1 ? (ts.back() - ts.front()) / (n - 1) : ts.front();
        length = spec_->loop ? ts.back() + mean_gap : width * (ts.back() / width + 1);
      }
      if (length <= Duration::zero()) break;
      const Duration since = t - start_;
      const int64_t pass = spec_->loop ? since / length : 0;
      const SimTime origin = start_ + length * pass;
      const SimTime bin = next_multiple(t, origin, width);
      if (bin < origin + length) {
        next = bin;
      } else if (spec_->loop || t < origin + length) {
        next = origin + length;  // the next pass, or the end of the trace
      }
      break;
    }
  }
  return next;
}

double FluidOutsideRate::mean_rate(SimTime from, SimTime to) const {
  if (from < start_) return 0;
  if (spec_->process == Process::kBursty) return on_ ? spec_->on_rate : spec_->off_rate;
  // The middle of the interval: exact for the piecewise-constant processes
  // (no change inside), and for the diurnal sinusoid the midpoint rule, whose
  // relative error over a 10 s step of a 24 h period is about
  // (2 pi 10 / 86400)^2 / 24 = 2e-8.
  return process_->rate_at(from + (to - from) / 2);
}

}  // namespace kubesim
