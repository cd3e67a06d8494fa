// One contract, run against every event-queue implementation (after ns-3).
#include "sim/dary_heap_event_queue.h"
#include "sim/radix_event_queue.h"

#include <set>
#include <stdexcept>
#include <vector>

#include <catch2/catch.hpp>

#include "sim/random.h"

using namespace kubesim;

namespace {
SimTime at(int64_t us) {
  return SimTime::from_micros(us);
}

template <class Q>
std::vector<int> drain(Q& q, std::vector<int>& log) {
  Callback cb;
  while (!q.empty()) {
    q.pop(cb);
    cb();
  }
  return log;
}
}  // namespace

TEMPLATE_TEST_CASE("event queue: pops in time order, FIFO among equal times", "", RadixEventQueue,
                   DaryHeapEventQueue) {
  TestType q;
  std::vector<int> log;
  q.push(at(30), [&] { log.push_back(30); });
  q.push(at(10), [&] { log.push_back(10); });
  q.push(at(20), [&] { log.push_back(21); });
  q.push(at(20), [&] { log.push_back(22); });
  q.push(at(20), [&] { log.push_back(23); });
  q.push(at(0), [&] { log.push_back(0); });
  CHECK(drain(q, log) == std::vector<int>{0, 10, 21, 22, 23, 30});
}

TEMPLATE_TEST_CASE("event queue: random pushes pop sorted by (time, insertion order)", "",
                   RadixEventQueue, DaryHeapEventQueue) {
  // 20,000 events on 50 distinct times: many ties, so FIFO is exercised at depth.
  TestType q;
  RandomStream rng(7);
  struct Rec {
    int64_t t;
    int id;
  };
  std::vector<Rec> popped;
  for (int i = 0; i < 20'000; ++i) {
    const auto t = static_cast<int64_t>(rng.uniform_int(50));
    q.push(at(t), [&popped, t, i] { popped.push_back({t, i}); });
  }
  Callback cb;
  while (!q.empty()) {
    q.pop(cb);
    cb();
  }
  REQUIRE(popped.size() == 20'000);
  for (size_t i = 1; i < popped.size(); ++i) {
    const bool ordered = popped[i - 1].t < popped[i].t ||
                         (popped[i - 1].t == popped[i].t && popped[i - 1].id < popped[i].id);
    REQUIRE(ordered);
  }
}

TEMPLATE_TEST_CASE("event queue: cancel before firing removes the event; after firing is a no-op",
                   "", RadixEventQueue, DaryHeapEventQueue) {
  TestType q;
  std::vector<int> log;
  const EventToken a = q.push(at(1), [&] { log.push_back(1); });
  const EventToken b = q.push(at(2), [&] { log.push_back(2); });
  q.push(at(3), [&] { log.push_back(3); });
  CHECK(q.cancel(b));
  CHECK_FALSE(q.cancel(b));  // twice: already cancelled
  CHECK(q.size() == 2);
  Callback cb;
  CHECK(q.pop(cb) == at(1));
  cb();
  CHECK_FALSE(q.cancel(a));  // after firing
  CHECK_FALSE(q.cancel(EventToken{}));
  drain(q, log);
  CHECK(log == std::vector<int>{1, 3});
}

TEMPLATE_TEST_CASE("event queue: a reused slot is not cancelled by an old token", "",
                   RadixEventQueue, DaryHeapEventQueue) {
  TestType q;
  int fired = 0;
  const EventToken old = q.push(at(1), [] {});
  Callback cb;
  q.pop(cb);
  q.push(at(2), [&] { ++fired; });  // reuses old's slot
  CHECK_FALSE(q.cancel(old));
  q.pop(cb);
  cb();
  CHECK(fired == 1);
}

TEMPLATE_TEST_CASE("event queue: mass cancellation compacts and keeps order", "", RadixEventQueue,
                   DaryHeapEventQueue) {
  TestType q;
  std::vector<EventToken> tokens;
  std::vector<int64_t> fired;
  for (int i = 0; i < 10'000; ++i) {
    const int64_t t = 10'000 - i;
    tokens.push_back(q.push(at(t), [&fired, t] { fired.push_back(t); }));
  }
  for (int i = 0; i < 10'000; ++i) {
    if (i % 10 != 0) CHECK(q.cancel(tokens[i]));
  }
  CHECK(q.size() == 1'000);
  Callback cb;
  while (!q.empty()) {
    q.pop(cb);
    cb();
  }
  REQUIRE(fired.size() == 1'000);
  for (size_t i = 1; i < fired.size(); ++i)
    REQUIRE(fired[i - 1] < fired[i]);
  CHECK(q.next_time() == SimTime::max());
}

TEST_CASE(
    "event queue: the heap's renumbering of sequence numbers keeps time order, FIFO and tokens") {
  // Sequence numbers run out every 8 pushes here (2^40 in production); the
  // heap renumbers pending events in order, so FIFO among equal times holds
  // across renumberings and tokens stay valid. (The radix queue has none.)
  DaryHeapEventQueue q = DaryHeapEventQueue::with_sequence_limit(8);
  std::vector<int> fired;
  std::vector<EventToken> tokens;
  for (int i = 0; i < 40; ++i) {
    tokens.push_back(q.push(at(i % 3), [&fired, i] { fired.push_back(i); }));
  }
  CHECK(q.cancel(tokens[4]));
  Callback cb;
  while (!q.empty()) {
    q.pop(cb);
    cb();
  }
  std::vector<int> expected;
  for (int t = 0; t < 3; ++t) {
    for (int i = t; i < 40; i += 3) {
      if (i != 4) expected.push_back(i);
    }
  }
  CHECK(fired == expected);
}

TEMPLATE_TEST_CASE("event queue: interleaved pushes, pops and cancels match a reference model", "",
                   RadixEventQueue, DaryHeapEventQueue) {
  // A hold-like workload with ties (times on a coarse grid) and random
  // cancellations; the reference is a std::set ordered by (time, push index).
  TestType q;
  RandomStream rng(11);
  std::set<std::pair<int64_t, int>> reference;
  std::vector<std::pair<EventToken, std::pair<int64_t, int>>> live_tokens;
  std::pair<int64_t, int> fired{-1, -1};
  int64_t now = 0;
  int next_id = 0;
  for (int step = 0; step < 50'000; ++step) {
    const uint64_t action = rng.uniform_int(10);
    if (action < 5 || reference.empty()) {  // push at now + {0, 100, ..., 900} us
      const int64_t t = now + 100 * static_cast<int64_t>(rng.uniform_int(10));
      const int id = next_id++;
      const EventToken tok = q.push(at(t), [&fired, t, id] { fired = {t, id}; });
      reference.insert({t, id});
      live_tokens.push_back({tok, {t, id}});
    } else if (action < 8) {  // pop
      Callback cb;
      const SimTime t = q.pop(cb);
      cb();
      REQUIRE(fired == *reference.begin());
      REQUIRE(t.count_micros() == fired.first);
      reference.erase(reference.begin());
      now = fired.first;
    } else {  // cancel a random token (it may have fired already)
      const size_t i = rng.uniform_int(live_tokens.size());
      const bool pending = reference.count(live_tokens[i].second) == 1;
      REQUIRE(q.cancel(live_tokens[i].first) == pending);
      reference.erase(live_tokens[i].second);
      live_tokens[i] = live_tokens.back();
      live_tokens.pop_back();
    }
    REQUIRE(q.size() == reference.size());
    if (!reference.empty()) REQUIRE(q.next_time().count_micros() == reference.begin()->first);
  }
}

TEMPLATE_TEST_CASE("event queue: peeking does not stop an earlier push from popping first", "",
                   RadixEventQueue, DaryHeapEventQueue) {
  // Simulation::run_until peeks at the next time, stops before it, and may
  // then schedule something earlier.
  TestType q;
  std::vector<int> log;
  q.push(at(1'000'000), [&] { log.push_back(2); });
  CHECK(q.next_time() == at(1'000'000));
  q.push(at(500), [&] { log.push_back(1); });
  CHECK(q.next_time() == at(500));
  drain(q, log);
  CHECK(log == std::vector<int>{1, 2});
}

TEST_CASE("event queue: the radix queue rejects a push before the last pop") {
  RadixEventQueue q;
  q.push(at(10), [] {});
  Callback cb;
  q.pop(cb);
  CHECK_THROWS_AS(q.push(at(9), [] {}), std::invalid_argument);
  CHECK_NOTHROW(q.push(at(10), [] {}));
}
