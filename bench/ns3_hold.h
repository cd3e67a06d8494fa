// The hold model on ns-3's Simulator, for bench/engine_bench. ns-3.37's
// headers do not compile as C++20, so this peer lives in its own C++17
// translation unit behind this plain interface.
#pragma once

#include <cstdint>

namespace kubesim::bench {

// Resets ns-3's Simulator with `scheduler` (e.g. "ns3::HeapScheduler") and n
// pending hold events drawn from a stream seeded with `seed`.
void ns3_hold_setup(const char* scheduler, int n, uint64_t seed);
// Runs `batch` events.
void ns3_hold_run(int64_t batch);
void ns3_hold_teardown();

}  // namespace kubesim::bench
