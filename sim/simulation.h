// Simulation: the event loop. A plain object: no globals, so any number of
// simulations can live in one process without interfering.
//
//   Simulation sim(/*seed=*/42);
//   Context ctx = sim.context();
//   ctx.schedule(Duration::seconds(1), [&] { ... ctx.now() ... });
//   sim.run_until(SimTime::zero() + Duration::hours(1));
//
// Components never see the Simulation; they get a Context (DSLab's pattern):
// now(), schedule(), cancel(), rng(stream), bus().
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "sim/observer.h"
#include "sim/radix_event_queue.h"
#include "sim/random.h"
#include "sim/time.h"

namespace kubesim {

class Context;

class Simulation {
 public:
  explicit Simulation(uint64_t seed);
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  SimTime now() const { return now_; }
  uint64_t seed() const { return seed_; }

  // Schedules cb at absolute time t. Throws std::invalid_argument if t < now():
  // scheduling into the past is a bug in the caller.
  // cb is any `void()` callable (see callback.h), stored in place.
  template <class F>
  EventToken schedule_at(SimTime t, F&& cb) {
    if (t < now_) reject_past(t);
    return queue_.push(t, std::forward<F>(cb));
  }
  // Schedules cb `delay` from now; delay must be >= 0.
  template <class F>
  EventToken schedule(Duration delay, F&& cb) {
    return schedule_at(now_ + delay, std::forward<F>(cb));
  }
  // True if the event was pending and is now cancelled.
  bool cancel(EventToken token) { return queue_.cancel(token); }

  // Runs the next event. Returns false when none is pending.
  bool step() {
    if (queue_.empty()) return false;
    run_one();
    return true;
  }
  // Runs until no event is pending or stop() is called.
  void run();
  // Runs every event with time <= t (those exactly at t included), then moves
  // the clock to t, unless stop() was called first.
  void run_until(SimTime t);
  // Makes run()/run_until() return after the current event. Pending events
  // stay queued; a later run() resumes with them.
  void stop() { stopped_ = true; }

  uint64_t events_processed() const { return events_processed_; }
  std::size_t events_pending() const { return queue_.size(); }
  // A hash of the times of every event run so far, in order (OMNeT++'s
  // fingerprint): equal fingerprints mean equal traces, with high probability.
  uint64_t fingerprint() const { return fingerprint_; }

  // The named random stream, created on first use (see random.h).
  RandomStream& rng(std::string_view stream);
  ObserverBus& bus() { return bus_; }
  Context context();

  // Pre-sizes the event queue for n pending events.
  void reserve_events(std::size_t n) { queue_.reserve(n); }

 private:
  [[noreturn]] void reject_past(SimTime t) const;
  void run_one() {
    queue_.run_next([this](SimTime t) {
      now_ = t;
      ++events_processed_;
      // FNV-1a over the event times: order-sensitive, one multiply per event.
      fingerprint_ = (fingerprint_ ^ static_cast<uint64_t>(t.count_micros())) * 0x100000001B3ULL;
    });
  }

  RadixEventQueue queue_;
  SimTime now_ = SimTime::zero();
  uint64_t seed_;
  uint64_t events_processed_ = 0;
  uint64_t fingerprint_ = 0xCBF29CE484222325ULL;
  bool stopped_ = false;
  std::map<std::string, std::unique_ptr<RandomStream>, std::less<>> streams_;
  ObserverBus bus_;
};

// What a component sees of the simulation. Cheap to copy; valid while the
// Simulation lives.
class Context {
 public:
  explicit Context(Simulation& sim) : sim_(&sim) {}

  SimTime now() const { return sim_->now(); }
  template <class F>
  EventToken schedule(Duration delay, F&& cb) const {
    return sim_->schedule(delay, std::forward<F>(cb));
  }
  template <class F>
  EventToken schedule_at(SimTime t, F&& cb) const {
    return sim_->schedule_at(t, std::forward<F>(cb));
  }
  bool cancel(EventToken token) const { return sim_->cancel(token); }
  RandomStream& rng(std::string_view stream) const { return sim_->rng(stream); }
  ObserverBus& bus() const { return sim_->bus(); }

 private:
  Simulation* sim_;
};

inline Context Simulation::context() {
  return Context(*this);
}

}  // namespace kubesim
