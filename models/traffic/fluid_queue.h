// One pod as a fluid queue (docs/fluid-mode.md): its content x (requests in
// service and waiting) follows the fluid limit of a many-server queue,
//
//   dx/dt = lambda - mu min(x, c),   0 <= x <= capacity,
//
// with c workers and mu = 1 / E[hold]. Below c every request has a worker and
// the content relaxes to lambda / mu (the offered load) with time constant
// 1/mu; at c the workers are all busy, completions run at c mu and the
// backlog x - c grows at lambda - c mu, or drains when that is negative; at
// the capacity (c + queue capacity) the excess arrivals are rejected. The
// solution over an interval with a constant lambda is closed-form, so an
// interval of any length costs a few exponentials, never a step per request.
//
//   FluidQueue q{.workers = 4, .mean_hold_seconds = 1.0};
//   FluidQueueFlow f = advance_fluid_queue(q, /*content=*/0, /*lambda=*/3.2, 10.0, w);
//   // f.completed + f.rejected + (f.content - 0) == 3.2 * 10
#pragma once

#include <cstdint>
#include <limits>

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
  double completed = 0;            // integral of mu min(x, c)
  double rejected = 0;             // arrivals while x was at the capacity
  double busy_worker_seconds = 0;  // integral of min(x, c) = completed / mu
  double latency_sum_seconds = 0;  // sum over completions of their mean sojourn
};

// Advances the queue from content `content` over `seconds` at arrival rate
// `arrival_rate`. `stable_sojourn_seconds` is the mean sojourn of a request
// while the pod has no backlog and arrival_rate < c mu (fluid_latency.h); a
// request that completes while there is a backlog b took b / (c mu) to reach
// a worker, plus E[hold]. arrived - completed - rejected equals the change of
// content (up to rounding).
FluidQueueFlow advance_fluid_queue(const FluidQueue& q, double content, double arrival_rate,
                                   double seconds, double stable_sojourn_seconds);

}  // namespace kubesim
