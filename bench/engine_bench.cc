// The classic hold model (Vaucher & Duval 1975; Jones 1986): N events pending;
// each step pops the earliest and schedules one new event at now + Exp(1 s).
// Every peer draws the same exponential numbers from the same stream, so they
// run the same event sequence; only the event-set machinery differs.
//
// Each benchmark iteration runs a batch of kBatch events; items_per_second is
// events per second.
//
//   build/release/bench/engine_bench --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true
#include <functional>
#include <queue>
#include <vector>

#include <benchmark/benchmark.h>

#include "sim/dary_heap_event_queue.h"
#include "sim/radix_event_queue.h"
#include "sim/random.h"
#include "sim/simulation.h"

#ifdef KUBESIM_BENCH_NS3
#include "bench/ns3_hold.h"
#endif

namespace {

using namespace kubesim;

constexpr int64_t kBatch = 100'000;
constexpr uint64_t kSeed = 12345;

Duration exp1(RandomStream& rng) {
  return Duration::from_seconds(rng.exponential(1.0));
}

// kubesim's engine: Simulation + Context, exactly as models use it.
void BM_Hold_Kubesim(benchmark::State& state) {
  const auto n = static_cast<int>(state.range(0));
  Simulation sim(kSeed);
  Context ctx = sim.context();
  RandomStream rng(kSeed);
  struct Hold {
    Context ctx;
    RandomStream* rng;
    void fire() {
      ctx.schedule(exp1(*rng), [this] { fire(); });
    }
  } hold{ctx, &rng};
  sim.reserve_events(n);
  for (int i = 0; i < n; ++i)
    hold.fire();
  for (auto _ : state) {
    for (int64_t i = 0; i < kBatch; ++i)
      sim.step();
  }
  benchmark::DoNotOptimize(sim.fingerprint());
  state.SetItemsProcessed(state.iterations() * kBatch);
}

// One event queue on its own (no Simulation around it), same hold loop.
template <class Queue>
void BM_Hold_Queue(benchmark::State& state) {
  const auto n = static_cast<int>(state.range(0));
  Queue queue;
  RandomStream rng(kSeed);
  SimTime now = SimTime::zero();
  struct Hold {
    Queue* q;
    RandomStream* rng;
    SimTime* now;
    void fire() {
      q->push(*now + exp1(*rng), [this] { fire(); });
    }
  } hold{&queue, &rng, &now};
  queue.reserve(n);
  for (int i = 0; i < n; ++i)
    hold.fire();
  for (auto _ : state) {
    for (int64_t i = 0; i < kBatch; ++i)
      queue.run_next([&](SimTime t) { now = t; });
  }
  benchmark::DoNotOptimize(now);
  state.SetItemsProcessed(state.iterations() * kBatch);
}

// Baseline: std::priority_queue of (time, seq, std::function) entries.
void BM_Hold_StdFunctionPriorityQueue(benchmark::State& state) {
  const auto n = static_cast<int>(state.range(0));
  struct Event {
    int64_t time_us;
    uint64_t seq;
    std::function<void()> fn;
    bool operator>(const Event& o) const {
      return time_us > o.time_us || (time_us == o.time_us && seq > o.seq);
    }
  };
  std::priority_queue<Event, std::vector<Event>, std::greater<>> queue;
  RandomStream rng(kSeed);
  int64_t now = 0;
  uint64_t seq = 0;
  std::function<void()> fire = [&] {
    queue.push(Event{now + exp1(rng).count_micros(), seq++, [&] { fire(); }});
  };
  for (int i = 0; i < n; ++i)
    fire();
  for (auto _ : state) {
    for (int64_t i = 0; i < kBatch; ++i) {
      // Move out of the top (the strongest form of this baseline; copying is slower).
      Event ev = std::move(const_cast<Event&>(queue.top()));
      queue.pop();
      now = ev.time_us;
      ev.fn();
    }
  }
  benchmark::DoNotOptimize(now);
  state.SetItemsProcessed(state.iterations() * kBatch);
}

#ifdef KUBESIM_BENCH_NS3
// ns-3's Simulator with one of its schedulers (src/core/model/*-scheduler.h).
void BM_Hold_Ns3(benchmark::State& state, const char* scheduler) {
  bench::ns3_hold_setup(scheduler, static_cast<int>(state.range(0)), kSeed);
  for (auto _ : state)
    bench::ns3_hold_run(kBatch);
  bench::ns3_hold_teardown();
  state.SetItemsProcessed(state.iterations() * kBatch);
}
#endif

void HoldSizes(benchmark::internal::Benchmark* b) {
  for (int n : {1'000, 10'000, 100'000, 1'000'000})
    b->Arg(n);
  b->Unit(benchmark::kMillisecond);
}

}  // namespace

BENCHMARK(BM_Hold_Kubesim)->Name("hold/kubesim")->Apply(HoldSizes);
BENCHMARK(BM_Hold_Queue<RadixEventQueue>)->Name("hold/radix_queue_alone")->Apply(HoldSizes);
BENCHMARK(BM_Hold_Queue<DaryHeapEventQueue>)->Name("hold/dary_heap_queue_alone")->Apply(HoldSizes);
BENCHMARK(BM_Hold_StdFunctionPriorityQueue)
    ->Name("hold/std_function_priority_queue")
    ->Apply(HoldSizes);
#ifdef KUBESIM_BENCH_NS3
BENCHMARK_CAPTURE(BM_Hold_Ns3, heap, "ns3::HeapScheduler")->Name("hold/ns3_heap")->Apply(HoldSizes);
BENCHMARK_CAPTURE(BM_Hold_Ns3, map, "ns3::MapScheduler")->Name("hold/ns3_map")->Apply(HoldSizes);
BENCHMARK_CAPTURE(BM_Hold_Ns3, calendar, "ns3::CalendarScheduler")
    ->Name("hold/ns3_calendar")
    ->Apply(HoldSizes);
BENCHMARK_CAPTURE(BM_Hold_Ns3, priority_queue, "ns3::PriorityQueueScheduler")
    ->Name("hold/ns3_priority_queue")
    ->Apply(HoldSizes);
#endif

BENCHMARK_MAIN();
