#include "sim/simulation.h"

#include <stdexcept>
#include <vector>

#include <catch2/catch.hpp>

using namespace kubesim;

namespace {
SimTime at_s(int64_t s) {
  return SimTime::zero() + Duration::seconds(s);
}

// A small random model: each of 3 agents wakes after Exp(mean 1 s) from its own
// stream, 1,000 times; returns the simulation's trace fingerprint.
uint64_t random_model_fingerprint(uint64_t seed, std::vector<int64_t>* times = nullptr) {
  Simulation sim(seed);
  Context ctx = sim.context();
  struct Agent {
    Context ctx;
    RandomStream* rng;
    int left = 1'000;
    std::vector<int64_t>* times;
    void wake() {
      if (times != nullptr) times->push_back(ctx.now().count_micros());
      if (--left > 0)
        ctx.schedule(Duration::from_seconds(rng->exponential(1.0)), [this] { wake(); });
    }
  };
  std::vector<Agent> agents;
  agents.reserve(3);
  for (int i = 0; i < 3; ++i) {
    agents.push_back(Agent{ctx, &ctx.rng("agent-" + std::to_string(i)), 1'000, times});
    ctx.schedule(Duration::zero(), [a = &agents.back()] { a->wake(); });
  }
  sim.run();
  return sim.fingerprint();
}
}  // namespace

TEST_CASE("simulation: the clock follows events; equal times run FIFO") {
  Simulation sim(1);
  std::vector<std::pair<int64_t, int>> log;
  for (int i = 0; i < 3; ++i) {
    sim.schedule(Duration::seconds(5), [&, i] { log.emplace_back(sim.now().count_micros(), i); });
  }
  sim.schedule(Duration::seconds(1), [&] {
    log.emplace_back(sim.now().count_micros(), 9);
    // Zero delay: runs at the same time, after everything already due then.
    sim.schedule(Duration::zero(), [&] { log.emplace_back(sim.now().count_micros(), 10); });
  });
  sim.run();
  CHECK(log ==
        std::vector<std::pair<int64_t, int>>{
            {1'000'000, 9}, {1'000'000, 10}, {5'000'000, 0}, {5'000'000, 1}, {5'000'000, 2}});
  CHECK(sim.events_processed() == 5);
  CHECK(sim.now() == at_s(5));
}

TEST_CASE("simulation: scheduling into the past is rejected") {
  Simulation sim(1);
  sim.schedule(Duration::seconds(10), [] {});
  sim.run();
  CHECK_THROWS_AS(sim.schedule_at(at_s(9), [] {}), std::invalid_argument);
  CHECK_THROWS_AS(sim.schedule(-Duration::micros(1), [] {}), std::invalid_argument);
  CHECK_NOTHROW(sim.schedule_at(at_s(10), [] {}));  // now itself is allowed
}

TEST_CASE("simulation: run_until includes events exactly at the boundary") {
  Simulation sim(1);
  std::vector<int> fired;
  sim.schedule_at(at_s(10) - Duration::micros(1), [&] { fired.push_back(1); });
  sim.schedule_at(at_s(10), [&] { fired.push_back(2); });
  sim.schedule_at(at_s(10) + Duration::micros(1), [&] { fired.push_back(3); });
  sim.run_until(at_s(10));
  CHECK(fired == std::vector<int>{1, 2});
  CHECK(sim.now() == at_s(10));
  CHECK(sim.events_pending() == 1);
  // With nothing due, the clock still moves to the boundary.
  sim.run_until(at_s(10) + Duration::micros(1) - Duration::micros(1));
  CHECK(sim.now() == at_s(10));
  sim.run_until(at_s(20));
  CHECK(fired == std::vector<int>{1, 2, 3});
  CHECK(sim.now() == at_s(20));
}

TEST_CASE("simulation: step runs exactly one event") {
  Simulation sim(1);
  int n = 0;
  sim.schedule(Duration::seconds(1), [&] { ++n; });
  sim.schedule(Duration::seconds(2), [&] { ++n; });
  CHECK(sim.step());
  CHECK(n == 1);
  CHECK(sim.now() == at_s(1));
  CHECK(sim.step());
  CHECK_FALSE(sim.step());
  CHECK(n == 2);
}

TEST_CASE("simulation: stop() returns after the current event and run() resumes") {
  Simulation sim(1);
  std::vector<int> fired;
  for (int i = 1; i <= 5; ++i) {
    sim.schedule(Duration::seconds(i), [&, i] {
      fired.push_back(i);
      if (i == 2) sim.stop();
    });
  }
  sim.run();
  CHECK(fired == std::vector<int>{1, 2});
  CHECK(sim.now() == at_s(2));
  sim.run_until(at_s(100));
  CHECK(fired == std::vector<int>{1, 2, 3, 4, 5});
}

TEST_CASE("simulation: cancel through the context") {
  Simulation sim(1);
  Context ctx = sim.context();
  bool fired = false;
  const EventToken t = ctx.schedule(Duration::seconds(1), [&] { fired = true; });
  CHECK(ctx.cancel(t));
  sim.run();
  CHECK_FALSE(fired);
  CHECK(sim.events_processed() == 0);
}

TEST_CASE("simulation: two simulations in one process are independent") {
  // Interleave two simulations step by step; each must produce exactly the
  // trace it produces alone.
  const uint64_t alone_a = random_model_fingerprint(11);
  const uint64_t alone_b = random_model_fingerprint(12);
  Simulation a(11), b(12);
  int count_a = 0, count_b = 0;
  std::function<void()> tick_a = [&] {
    if (++count_a < 100)
      a.schedule(Duration::from_seconds(a.rng("x").exponential(1)), [&] { tick_a(); });
  };
  std::function<void()> tick_b = [&] {
    if (++count_b < 100)
      b.schedule(Duration::from_seconds(b.rng("x").exponential(1)), [&] { tick_b(); });
  };
  a.schedule(Duration::zero(), [&] { tick_a(); });
  b.schedule(Duration::zero(), [&] { tick_b(); });
  while (a.step() | b.step()) {
  }
  CHECK(count_a == 100);
  CHECK(count_b == 100);
  CHECK(a.fingerprint() != b.fingerprint());
  // The sequential runs after the interleaving are unchanged by it.
  CHECK(random_model_fingerprint(11) == alone_a);
  CHECK(random_model_fingerprint(12) == alone_b);
}

TEST_CASE("simulation: same seed, same trace; different seed, different trace") {
  std::vector<int64_t> t1, t2, t3;
  const uint64_t f1 = random_model_fingerprint(42, &t1);
  const uint64_t f2 = random_model_fingerprint(42, &t2);
  const uint64_t f3 = random_model_fingerprint(43, &t3);
  CHECK(t1 == t2);
  CHECK(f1 == f2);
  CHECK(t1 != t3);
  CHECK(f1 != f3);
}
