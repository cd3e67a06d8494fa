// Counts heap allocations by replacing the global operator new, so this file
// is built into its own test binary.
#include <atomic>
#include <cstdlib>
#include <new>

#include <catch2/catch.hpp>

#include "sim/simulation.h"

namespace {
std::atomic<long> g_allocations{0};
}

void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

using namespace kubesim;

TEST_CASE("engine: no heap allocation per event in steady state") {
  // The hold model: 1,000 pending events; each event schedules one more at
  // now + Exp(1 s), drawn from a named stream. After a warm-up that grows the
  // heap and slot pool to their peak, 100,000 schedule/pop pairs must not
  // allocate at all.
  Simulation sim(1);
  Context ctx = sim.context();
  RandomStream& rng = ctx.rng("hold");
  struct Hold {
    Context ctx;
    RandomStream* rng;
    void fire() {
      ctx.schedule(Duration::from_seconds(rng->exponential(1.0)), [this] { fire(); });
    }
  } hold{ctx, &rng};
  for (int i = 0; i < 1'000; ++i)
    hold.fire();
  for (int i = 0; i < 200'000; ++i)
    sim.step();  // warm-up

  const long before = g_allocations.load();
  for (int i = 0; i < 100'000; ++i)
    REQUIRE(sim.step());
  const long during = g_allocations.load() - before;
  CHECK(during == 0);
  CHECK(sim.events_processed() == 300'000);
  CHECK(sim.events_pending() == 1'000);

  // The counter itself works: a vector allocation is seen.
  auto* probe = new int(1);
  CHECK(g_allocations.load() - before == 1);
  delete probe;
}
