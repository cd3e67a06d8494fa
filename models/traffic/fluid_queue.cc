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
                                   const QueueSteadyState& steady, double seconds) {
  FluidQueueFlow f;
  const double hold = q.mean_hold_seconds;
  const double full = q.workers / hold;  // c mu: completions with every worker busy
  // No steady state: the fluid limit of the unbounded queue, W = E[hold].
  const bool stable = std::isfinite(steady.sojourn_seconds);
  const double w = stable ? steady.sojourn_seconds : hold;
  const double accepted = std::min(steady.accepted_rate, arrival_rate);
  const double target = accepted * w;  // where the content settles (if below knee)
  const double knee = full * w;        // content at which completions reach c mu
  f.arrived = arrival_rate * seconds;
  f.rejected = (arrival_rate - accepted) * seconds;
  double x = content;
  if (x > q.capacity) {  // not from this model (capacities never shrink): turn the excess away
    f.rejected += x - q.capacity;
    x = q.capacity;
  }
  double left = seconds;
  // One test decides whether the content grows past the knee, so that the
  // phases agree even when A W and c mu W round differently.
  const double growth = accepted - full;  // with every worker busy
  // At most three phases: relax, then grow linearly, then stay at the
  // capacity; or drain linearly to the knee, then relax.
  for (int phase = 0; phase < 3 && left > 0; ++phase) {
    if (x < knee || (x <= knee && growth <= 0)) {
      // Below the knee: x(t) = x* + (x0 - x*) e^{-t/W}, x* = A W; it reaches
      // the knee only if A > c mu, at t = W ln((x* - x0) / (x* - knee)).
      double t = left;
      if (growth > 0 && target > knee)
        t = std::min(left, w * std::log((target - x) / (target - knee)));
      double end = t == left ? target + (x - target) * std::exp(-t / w) : knee;
      if (growth <= 0) end = std::min(end, knee);
      const double done = accepted * t - (end - x);
      f.completed += done;
      f.latency_sum_seconds += done * w;
      x = end;
      left -= t;
      continue;
    }
    // At or past the knee: completions at c mu, the content changes at A - c mu.
    if (growth > 0 && x >= q.capacity) {
      // Full: what is not completed is turned away.
      f.completed += full * left;
      f.rejected += growth * left;
      f.latency_sum_seconds += full * left * (x / full);
      left = 0;
      break;
    }
    double t = left;
    if (growth > 0) t = std::min(left, (q.capacity - x) / growth);
    if (growth < 0) t = std::min(left, (x - knee) / -growth);
    const double end = t == left ? x + growth * t : (growth > 0 ? q.capacity : knee);
    // Content linear in time and completions steady: a completion's sojourn
    // is the mean content over c mu (Little's law on the phase).
    f.completed += full * t;
    f.latency_sum_seconds += full * t * ((x + end) / 2 / full);
    x = end;
    left -= t;
  }
  if (left > 0) {
    // Not reached (each phase above ends in the next one's domain); were it
    // reached, the content is held where it is and requests stay conserved.
    f.completed += accepted * left;
    f.latency_sum_seconds += accepted * left * w;
  }
  if (x < kEmpty) {
    f.completed += x;
    f.latency_sum_seconds += x * w;
    x = 0;
  }
  f.content = x;
  f.busy_worker_seconds = f.completed * hold;
  return f;
}

}  // namespace kubesim
