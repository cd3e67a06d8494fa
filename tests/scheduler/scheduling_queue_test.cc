// SchedulingQueue against kube-scheduler's PriorityQueue
// (pkg/scheduler/backend/queue/scheduling_queue.go): order, back-off, moves.
#include <catch2/catch.hpp>

#include <vector>

#include "models/scheduler/scheduling_queue.h"
#include "sim/simulation.h"

namespace kubesim {
namespace {

struct QueueFixture {
  Simulation sim{1};
  std::deque<Pod> pods;
  std::vector<double> active_at;  // times a pod entered activeQ
  SchedulingQueue queue{sim.context(), pods, SchedulingQueueConfig{},
                        [this] { active_at.push_back(sim.now().to_seconds()); }};

  PodId add_pod(int32_t priority = 0) {
    Pod p;
    p.id = PodId{static_cast<uint32_t>(pods.size())};
    p.name = "p" + std::to_string(pods.size());
    p.spec.priority = priority;
    pods.push_back(p);
    return p.id;
  }
};

TEST_CASE("activeQ pops higher priority first, then first queued") {
  QueueFixture f;
  const PodId low = f.add_pod(0), high = f.add_pod(100), low2 = f.add_pod(0);
  f.queue.add(low);
  f.queue.add(high);
  f.queue.add(low2);
  CHECK(f.queue.pop() == high);
  CHECK(f.queue.pop() == low);
  CHECK(f.queue.pop() == low2);
  CHECK(f.queue.empty_active());
  CHECK_FALSE(f.queue.pop().valid());
}

TEST_CASE("back-off doubles from 1 s to the 10 s cap") {
  // calculateBackoffDuration: 1, 2, 4, 8, 10, 10 s for attempts 1..6. Each
  // failure is followed at once by a cluster event, so the pod waits exactly
  // its back-off in backoffQ: it re-enters activeQ at 0+1, 1+2, 3+4, 7+8,
  // 15+10, 25+10.
  QueueFixture f;
  const PodId id = f.add_pod();
  f.queue.add(id);
  for (int attempt = 1; attempt <= 6; ++attempt) {
    REQUIRE(f.queue.pop() == id);
    f.queue.add_unschedulable(id);
    f.queue.move_all_to_active_or_backoff();
    while (f.queue.empty_active() && f.sim.step()) {
    }
  }
  CHECK(f.active_at == std::vector<double>{0, 1, 3, 7, 15, 25, 35});
}

TEST_CASE("an unschedulable pod waits for a cluster event, or the 5 min leftover flush") {
  QueueFixture f;
  const PodId id = f.add_pod();
  f.sim.schedule(Duration::seconds(7), [&] {
    f.queue.add(id);
    f.queue.pop();
    f.queue.add_unschedulable(id);
  });
  SECTION("no event: the first 30 s tick more than 5 min after the failure") {
    // failure at 7 s; 7 + 300 = 307 s; the ticks are at multiples of 30 s: 330 s.
    f.sim.run_until(SimTime::zero() + Duration::minutes(20));
    REQUIRE(f.active_at.size() == 2);
    CHECK(f.active_at[1] == 330.0);
  }
  SECTION("a cluster event after the back-off moves it at once") {
    f.sim.schedule(Duration::seconds(20), [&] { f.queue.move_all_to_active_or_backoff(); });
    f.sim.run_until(SimTime::zero() + Duration::minutes(1));
    REQUIRE(f.active_at.size() == 2);
    CHECK(f.active_at[1] == 20.0);
    CHECK(f.queue.unschedulable_count() == 0);
  }
  SECTION("a cluster event within the back-off moves it to backoffQ until it expires") {
    f.sim.schedule(Duration::millis(7500), [&] { f.queue.move_all_to_active_or_backoff(); });
    f.sim.run_until(SimTime::zero() + Duration::minutes(1));
    REQUIRE(f.active_at.size() == 2);
    CHECK(f.active_at[1] == 8.0);  // failure 7 s + 1 s back-off
  }
}

TEST_CASE("a cluster event during the cycle sends the pod to backoffQ, not unschedulable") {
  // moveRequestCycle >= the pod's scheduling cycle (AddUnschedulableIfNotPresent).
  QueueFixture f;
  const PodId id = f.add_pod();
  f.queue.add(id);
  REQUIRE(f.queue.pop() == id);
  f.queue.move_all_to_active_or_backoff();  // e.g. a node was added meanwhile
  f.queue.add_unschedulable(id);
  CHECK(f.queue.unschedulable_count() == 0);
  f.sim.run_until(SimTime::zero() + Duration::seconds(5));
  CHECK(f.active_at == std::vector<double>{0, 1});
}

TEST_CASE("a removed pod leaves every queue") {
  QueueFixture f;
  const PodId a = f.add_pod(), b = f.add_pod();
  f.queue.add(a);
  f.queue.add(b);
  f.queue.remove(a);
  CHECK(f.queue.size() == 1);
  CHECK(f.queue.pop() == b);
  f.queue.add_unschedulable(b);
  f.queue.remove(b);
  CHECK(f.queue.size() == 0);
  f.queue.move_all_to_active_or_backoff();
  CHECK(f.queue.empty_active());
}

}  // namespace
}  // namespace kubesim
