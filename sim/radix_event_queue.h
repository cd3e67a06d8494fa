// RadixEventQueue: the engine's event queue, a radix heap (Ahuja, Mehlhorn,
// Orlin & Tarjan 1990) over 64-bit times, with FIFO among equal times.
//
// A discrete-event simulation never schedules before the last event it ran,
// so its keys are monotone, which is what a radix heap needs. Bucket b holds
// the events whose time first differs from `last_` (the time of the last pop)
// in bit b-1, as an intrusive doubly-linked list threaded through per-slot
// nodes. Push is O(1); pop is amortised O(log of the time span), an event
// moving down at most once per bucket; cancel unlinks at once, in O(1).
// Events with equal times always share a bucket and keep their push order
// when moved, so equal times pop FIFO with no sequence numbers. Nothing
// allocates once the slot pool has grown to the run's peak.
//
// bench/engine_bench measures it against a 4-ary heap (DaryHeapEventQueue)
// and std::priority_queue on the hold model; docs/performance.md has figures.
// Contract (one test runs over both): push(t) requires t >= the time of the
// last pop.
//
//   RadixEventQueue q;
//   EventToken t = q.push(SimTime::zero() + Duration::seconds(1), [] { ... });
//   q.cancel(t);
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <vector>

#include "sim/event_slots.h"
#include "sim/time.h"

namespace kubesim {

class RadixEventQueue {
 public:
  // Schedules cb at time t, which must not precede the last popped time
  // (throws std::invalid_argument). Equal times pop in push order.
  template <class F>
  EventToken push(SimTime t, F&& cb) {
    const auto time = static_cast<uint64_t>(t.count_micros());
    if (t < SimTime::zero() || time < last_) reject_push(t);
    EventToken token;
    const uint32_t slot = slots_.store(std::forward<F>(cb), token);
    if (slot >= nodes_.size()) nodes_.resize(slot + 1);
    nodes_[slot].time = time;
    append(bucket_of(time), slot);
    ++live_;
    return token;
  }

  // True if the event was pending (and is now cancelled); false if it already
  // ran, was already cancelled, or the token is empty.
  bool cancel(EventToken token) {
    if (!slots_.is_pending(token)) return false;
    unlink(bucket_of(nodes_[token.slot].time), token.slot);
    slots_.release(token.slot);
    --live_;
    return true;
  }

  bool empty() const { return live_ == 0; }
  std::size_t size() const { return live_; }

  // Time of the earliest pending event; SimTime::max() when empty. Does not
  // change the queue: the caller may still push earlier times (>= last pop).
  SimTime next_time() const;

  // Removes the earliest pending event, moving its callback into `out` and
  // returning its time. Precondition: !empty().
  SimTime pop(Callback& out) {
    const uint32_t slot = pop_slot();
    slots_.take(slot, out);
    return as_time(nodes_[slot].time);
  }

  // Pops the earliest pending event and runs its callback in place, after
  // calling before_run(time). Precondition: !empty().
  template <class BeforeRun>
  void run_next(BeforeRun&& before_run) {
    const uint32_t slot = pop_slot();
    before_run(as_time(nodes_[slot].time));
    slots_.run(slot);
  }

  void reserve(std::size_t n) {
    nodes_.reserve(n);
    slots_.reserve(n);
  }

 private:
  static constexpr uint32_t kNil = 0xFFFFFFFF;
  static constexpr int kBuckets = 64;  // times are < 2^63, so bit_width(t ^ last) <= 63
  struct Node {
    uint64_t time;
    uint32_t next;
    uint32_t prev;
  };
  struct List {
    uint32_t head = kNil;
    uint32_t tail = kNil;
  };

  static SimTime as_time(uint64_t us) { return SimTime::from_micros(static_cast<int64_t>(us)); }
  // Valid for every pending event at all times: see radix_event_queue.cc.
  int bucket_of(uint64_t time) const { return std::bit_width(time ^ last_); }

  void append(int b, uint32_t slot) {
    Node& n = nodes_[slot];
    List& list = buckets_[b];
    n.next = kNil;
    n.prev = list.tail;
    if (list.tail == kNil) {
      list.head = slot;
      nonempty_ |= uint64_t{1} << b;
    } else {
      nodes_[list.tail].next = slot;
    }
    list.tail = slot;
  }

  void unlink(int b, uint32_t slot) {
    const Node& n = nodes_[slot];
    List& list = buckets_[b];
    (n.prev == kNil ? list.head : nodes_[n.prev].next) = n.next;
    (n.next == kNil ? list.tail : nodes_[n.next].prev) = n.prev;
    if (list.head == kNil) nonempty_ &= ~(uint64_t{1} << b);
  }

  uint32_t pop_slot();
  // Minimum time in bucket b (not empty).
  uint64_t min_time(int b) const;
  [[noreturn]] void reject_push(SimTime t) const;

  std::array<List, kBuckets> buckets_;
  uint64_t nonempty_ = 0;  // bit b set when buckets_[b] is not empty
  uint64_t last_ = 0;      // time of the last pop; every pending time is >= last_
  std::vector<Node> nodes_;  // by slot
  detail::EventSlots slots_;
  std::size_t live_ = 0;
};

}  // namespace kubesim
