#include "models/traffic/fluid_queue.h"

#include <algorithm>
#include <cmath>

namespace kubesim {

namespace {

// Content below this (a millionth of a request) is counted as completed and
// the pod as empty: the relaxation toward zero is exponential and would
// otherwise never end, and a draining pod could not be forgotten.
constexpr double kEmpty = 1e-6;

}  // namespace

FluidQueueFlow advance_fluid_queue(const FluidQueue& q, double content, double arrival_rate,
                                   double seconds, double stable_sojourn_seconds) {
  FluidQueueFlow f;
  const double lambda = arrival_rate;
  const double c = q.workers;
  const double mu = 1 / q.mean_hold_seconds;
  const double full = c * mu;  // completions per second with every worker busy
  const double target = lambda / mu;
  const double no_queue_sojourn =
      std::isfinite(stable_sojourn_seconds) ? stable_sojourn_seconds : q.mean_hold_seconds;
  f.arrived = lambda * seconds;
  double x = content;
  if (x > q.capacity) {  // not from this model (the capacity never shrinks): turn the excess away
    f.rejected += x - q.capacity;
    x = q.capacity;
  }
  double left = seconds;
  // One test decides whether the pod saturates, so that the phases agree
  // even when lambda / mu and c mu round differently.
  const double growth = lambda - full;  // of the backlog, with every worker busy
  // At most three phases: relax below c, then grow linearly to the capacity,
  // then stay there; or drain linearly to c, then relax below c.
  for (int phase = 0; phase < 3 && left > 0; ++phase) {
    if (x < c || (x <= c && growth <= 0)) {
      // Below c: x(t) = x* + (x0 - x*) e^{-mu t}, x* = lambda / mu; it reaches
      // c only if the pod saturates, at t_c = ln((x* - x0) / (x* - c)) / mu.
      double t = left;
      if (growth > 0 && target > c) t = std::min(left, std::log((target - x) / (target - c)) / mu);
      double end = t == left ? target + (x - target) * std::exp(-mu * t) : c;
      if (growth <= 0) end = std::min(end, c);
      // Completions = arrivals - change of content (no rejections below c).
      const double done = lambda * t - (end - x);
      f.completed += done;
      f.latency_sum_seconds += done * (growth < 0 ? no_queue_sojourn : q.mean_hold_seconds);
      x = end;
      left -= t;
      continue;
    }
    // At or above c, every worker busy: the backlog changes at lambda - c mu.
    if (growth > 0 && x >= q.capacity) {
      // Full: the pod takes what it completes and rejects the rest.
      f.completed += full * left;
      f.rejected += growth * left;
      f.latency_sum_seconds += full * left * ((x - c) / full + q.mean_hold_seconds);
      left = 0;
      break;
    }
    double t = left;
    if (growth > 0) t = std::min(left, (q.capacity - x) / growth);
    if (growth < 0) t = std::min(left, (x - c) / -growth);
    const double end = t == left ? x + growth * t : (growth > 0 ? q.capacity : c);
    // The backlog is linear in time and completions steady, so the mean
    // backlog a completion sees is the average of the two ends.
    const double mean_backlog = ((x - c) + (end - c)) / 2;
    f.completed += full * t;
    f.latency_sum_seconds += full * t * (mean_backlog / full + q.mean_hold_seconds);
    x = end;
    left -= t;
  }
  if (left > 0) {
    // Not reached (each phase above ends in the next one's domain); were it
    // reached, the content is held where it is and requests stay conserved.
    f.completed += lambda * left;
    f.latency_sum_seconds += lambda * left * q.mean_hold_seconds;
  }
  if (x < kEmpty) {
    f.completed += x;
    f.latency_sum_seconds += x * q.mean_hold_seconds;
    x = 0;
  }
  f.content = x;
  f.busy_worker_seconds = f.completed * q.mean_hold_seconds;
  return f;
}

}  // namespace kubesim
