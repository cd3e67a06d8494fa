#include "sim/simulation.h"

#include <stdexcept>

namespace kubesim {

Simulation::Simulation(uint64_t seed) : seed_(seed) {}

void Simulation::reject_past(SimTime t) const {
  throw std::invalid_argument("scheduling into the past: at " + to_string(t) + ", now " +
                              to_string(now_));
}

void Simulation::run_one() {
  queue_.run_next([this](SimTime t) {
    now_ = t;
    ++events_processed_;
    fingerprint_ = splitmix64(fingerprint_ ^ static_cast<uint64_t>(t.count_micros()));
  });
}

bool Simulation::step() {
  if (queue_.empty()) return false;
  run_one();
  return true;
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
