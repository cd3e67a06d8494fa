// One pod as a fluid queue (docs/fluid-mode.md). Its content x (requests in
// service and waiting) relaxes toward the steady state of its queue,
//
//   dx/dt = A - min(x / W, c mu),    c workers, mu = 1 / E[hold],
//
// where A is the accepted rate and W the mean sojourn of the steady state
// (fluid_latency.h: M/M/c with Allen-Cunneen, M/M/c/K with a finite queue).
// Completions run at x / W, by Little's law, capped at c mu with every worker
// busy, so the content settles at A W = L, the steady state's mean number in
// the pod; the arrivals a full queue turns away, lambda - A, are rejected.
// With no steady state (an unbounded queue at lambda >= c mu) W is E[hold]
// and the backlog grows at lambda - c mu; when the rate falls it drains at
// c mu - A, then relaxes. Over an interval with constant rates the solution is
// closed-form: any length costs a few exponentials, never a step per request.
//
//   FluidQueue q{.workers = 4, .mean_hold_seconds = 1.0};
//   QueueSteadyState s = queue_steady_state(3.2, 4, 1.0, 1.0);
//   FluidQueueFlow f = advance_fluid_queue(q, /*content=*/0, 3.2, s, /*seconds=*/10.0);
//   // f.completed + f.rejected + (f.content - 0) == 3.2 * 10
#pragma once

#include <cstdint>
#include <limits>

#include "models/traffic/fluid_latency.h"

namespace kubesim {

struct FluidQueue {
  int32_t workers = 1;
  double mean_hold_seconds = 0.01;  // 1 / mu
  // Most requests the pod holds (workers + queue capacity); infinity: no limit.
  double capacity = std::numeric_limits<double>::infinity();
};

// What a fluid queue did over an interval, in expected requests.
struct FluidQueueFlow {
  double content = 0;              // x at the end
  double arrived = 0;              // lambda * seconds
  double completed = 0;            // integral of min(x / W, c mu)
  double rejected = 0;             // (lambda - A) * seconds
  double busy_worker_seconds = 0;  // completed * E[hold]
  double latency_sum_seconds = 0;  // sum over completions of their mean sojourn
};

// Advances the queue from content `content` over `seconds` at arrival rate
// `arrival_rate`, whose steady state is `steady` (queue_steady_state for the
// same rate). A completion while the content relaxes took W; while the
// workers are all busy, content / (c mu). arrived - completed - rejected
// equals the change of content (up to rounding).
FluidQueueFlow advance_fluid_queue(const FluidQueue& q, double content, double arrival_rate,
                                   const QueueSteadyState& steady, double seconds);

}  // namespace kubesim
