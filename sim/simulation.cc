#include "sim/simulation.h"

#include <stdexcept>

namespace kubesim {

Simulation::Simulation(uint64_t seed) : seed_(seed) {}

void Simulation::reject_past(SimTime t) const {
  throw std::invalid_argument("scheduling into the past: at " + to_string(t) + ", now " +
                              to_string(now_));
}

void Simulation::run() {
  stopped_ = false;
  while (!stopped_ && !queue_.empty())
    run_one();
}

void Simulation::run_until(SimTime t) {
  stopped_ = false;
  while (!stopped_ && !queue_.empty() && queue_.next_time() <= t)
    run_one();
  if (!stopped_ && now_ < t) now_ = t;
}

RandomStream& Simulation::rng(std::string_view stream) {
  auto it = streams_.find(stream);
  if (it == streams_.end()) {
    it = streams_
             .emplace(std::string(stream),
                      std::make_unique<RandomStream>(derive_stream_seed(seed_, stream)))
             .first;
  }
  return *it->second;
}

}  // namespace kubesim
