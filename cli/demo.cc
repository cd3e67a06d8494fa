#include "cli/demo.h"

#include <chrono>
#include <deque>

#include <fmt/core.h>

#include "sim/simulation.h"

namespace kubesim::cli {
namespace {

// One FIFO server fed by Poisson arrivals: the smallest model that exercises
// scheduling, random streams and the clock, with a closed-form answer.
class MM1 {
 public:
  MM1(Context ctx, double lambda, double mu) : ctx_(ctx), lambda_(lambda), mu_(mu) {}

  void start() { schedule_arrival(); }
  uint64_t completed() const { return completed_; }
  double mean_sojourn_s() const { return completed_ == 0 ? 0 : sojourn_sum_s_ / completed_; }

 private:
  void schedule_arrival() {
    ctx_.schedule(Duration::from_seconds(ctx_.rng("arrivals").exponential(1 / lambda_)), [this] {
      queue_.push_back(ctx_.now());
      if (queue_.size() == 1) start_service();
      schedule_arrival();
    });
  }
  void start_service() {
    ctx_.schedule(Duration::from_seconds(ctx_.rng("service").exponential(1 / mu_)), [this] {
      sojourn_sum_s_ += (ctx_.now() - queue_.front()).to_seconds();
      ++completed_;
      queue_.pop_front();
      if (!queue_.empty()) start_service();
    });
  }

  Context ctx_;
  double lambda_, mu_;
  std::deque<SimTime> queue_;
  uint64_t completed_ = 0;
  double sojourn_sum_s_ = 0;
};

}  // namespace

int run_demo(const DemoOptions& o) {
  auto duration = parse_duration(o.duration);
  if (!duration) {
    fmt::print(stderr, "kubesim: error: --duration: {}\n", duration.error().message);
    return 2;
  }
  if (!(o.arrival_rate > 0) || !(o.service_rate > o.arrival_rate)) {
    fmt::print(stderr, "kubesim: error: need 0 < --lambda < --mu for a stable queue\n");
    return 2;
  }
  Simulation sim(o.seed);
  MM1 model(sim.context(), o.arrival_rate, o.service_rate);
  model.start();
  const auto wall_start = std::chrono::steady_clock::now();
  sim.run_until(SimTime::zero() + *duration);
  const double wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();

  const double theory = 1 / (o.service_rate - o.arrival_rate);  // M/M/1: W = 1/(mu - lambda)
  fmt::print("kubesim engine demo: an M/M/1 queue (lambda={}/s, mu={}/s, seed {})\n",
             o.arrival_rate, o.service_rate, o.seed);
  fmt::print("  simulated time      {}\n", to_string(sim.now()));
  fmt::print("  events processed    {}\n", sim.events_processed());
  fmt::print("  wall time           {:.3f} s ({:.3g}x real time)\n", wall_s,
             wall_s > 0 ? duration->to_seconds() / wall_s : 0.0);
  fmt::print("  requests completed  {}\n", model.completed());
  fmt::print("  mean time in system {:.3f} s (theory 1/(mu - lambda) = {:.3f} s)\n",
             model.mean_sojourn_s(), theory);
  fmt::print("  trace fingerprint   {:016x}\n", sim.fingerprint());
  return 0;
}

}  // namespace kubesim::cli
