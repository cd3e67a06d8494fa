// RadixEventQueue: the engine's event queue, a radix heap (Ahuja, Mehlhorn,
// Orlin & Tarjan 1990) over 64-bit times, with FIFO among equal times.
//
// A discrete-event simulation never schedules before the last event it ran,
// so its keys are monotone, which is what a radix heap needs. Bucket 0 holds
// the events at `last_` (the time of the last pop); the others are indexed by
// the highest hexadecimal digit p in which an event's time differs from
// last_, and the time's digit v there (16 x 16 buckets, in time order). Push
// is O(1); pop is amortised O(number of digits), a key moving down at most
// once per digit (radix 16 moves keys a quarter as often as radix 2; see
// docs/performance.md). Keys with equal times always share
// a bucket and keep their push order when moved, so equal times pop FIFO with
// no sequence numbers. Buckets are chains of fixed 512-byte chunks from one
// shared pool: keys are scanned sequentially, and the pool stops growing once
// the number of pending events does (no allocation in steady state).
// Cancellation is O(1) and lazy: the slot is freed at once; its key is
// skipped when reached, and all buckets are swept if stale keys pile up.
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
#include <memory>
#include <vector>

#include "sim/event_slots.h"
#include "sim/time.h"

namespace kubesim {

class RadixEventQueue {
 public:
  RadixEventQueue() { reserve(4096); }

  // Schedules cb at time t, which must not precede the last popped time
  // (throws std::invalid_argument). Equal times pop in push order.
  template <class F>
  EventToken push(SimTime t, F&& cb) {
    const auto time = static_cast<uint64_t>(t.count_micros());
    if (t < SimTime::zero() || time < last_) reject_push(t);
    EventToken token;
    const uint32_t slot = slots_.store(std::forward<F>(cb), token);
    append(bucket_of(time), Key{time, slot, token.generation});
    ++live_;
    return token;
  }

  // True if the event was pending (and is now cancelled); false if it already
  // ran, was already cancelled, or the token is empty.
  bool cancel(EventToken token) {
    if (!slots_.is_pending(token)) return false;
    slots_.release(token.slot);
    --live_;
    ++stale_;
    if (stale_ > live_ + 4096) sweep();
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
    const Key k = pop_key();
    slots_.take(k.slot, out);
    return as_time(k.time);
  }

  // Pops the earliest pending event and runs its callback in place, after
  // calling before_run(time). Precondition: !empty().
  template <class BeforeRun>
  void run_next(BeforeRun&& before_run) {
    const Key k = pop_key();
    before_run(as_time(k.time));
    slots_.run(k.slot);
  }

  // Pre-sizes for n pending events: no allocation until more are pending.
  void reserve(std::size_t n);

 private:
  static constexpr int kDigitBits = 4;
  static constexpr int kDigits = 16;  // 64-bit times
  static constexpr int kBuckets = 1 + kDigits * (1 << kDigitBits);
  static constexpr int kMaskWords = (kBuckets + 63) / 64;
  struct Key {
    uint64_t time;
    uint32_t slot;
    uint32_t generation;  // the slot's generation when pushed: stale if it moved on
  };
  static constexpr uint32_t kChunkKeys = 31;
  struct Chunk {
    Key keys[kChunkKeys];
    Chunk* next;
    uint32_t count;
  };
  struct Bucket {
    Chunk* head = nullptr;
    Chunk* tail = nullptr;
    uint32_t head_pos = 0;  // keys before it in head are consumed (bucket 0 only)
  };

  static SimTime as_time(uint64_t us) { return SimTime::from_micros(static_cast<int64_t>(us)); }
  // Valid for every pending key at all times: see radix_event_queue.cc.
  int bucket_of(uint64_t time) const { return bucket_of(time, last_); }
  static int bucket_of(uint64_t time, uint64_t last) {
    const uint64_t diff = time ^ last;
    if (diff == 0) return 0;
    const int digit = (std::bit_width(diff) - 1) / kDigitBits;
    const auto value = static_cast<int>((time >> (digit * kDigitBits)) & ((1 << kDigitBits) - 1));
    return 1 + digit * (1 << kDigitBits) + value;
  }
  void mark_nonempty(int b) { nonempty_[b >> 6] |= uint64_t{1} << (b & 63); }
  void mark_empty(int b) { nonempty_[b >> 6] &= ~(uint64_t{1} << (b & 63)); }
  // The lowest non-empty bucket after `after`, or -1.
  int next_nonempty(int after) const {
    for (int b = after + 1; b < kBuckets;) {
      const uint64_t word = nonempty_[b >> 6] >> (b & 63);
      if (word != 0) return b + std::countr_zero(word);
      b = (b | 63) + 1;
    }
    return -1;
  }
  bool is_live(const Key& k) const { return slots_.is_pending(EventToken{k.slot, k.generation}); }

  void append(int b, const Key& k) {
    Bucket& bucket = buckets_[b];
    if (bucket.tail == nullptr || bucket.tail->count == kChunkKeys) {
      Chunk* c = new_chunk();
      if (bucket.tail == nullptr) {
        bucket.head = c;
        mark_nonempty(b);
      } else {
        bucket.tail->next = c;
      }
      bucket.tail = c;
    }
    bucket.tail->keys[bucket.tail->count++] = k;
  }

  Chunk* new_chunk() {
    if (free_chunks_.empty()) grow_pool(free_chunks_.capacity() + 1);
    Chunk* c = free_chunks_.back();
    free_chunks_.pop_back();
    c->next = nullptr;
    c->count = 0;
    return c;
  }
  void grow_pool(std::size_t chunks);
  // Detaches bucket b, returning its chain.
  Chunk* take_bucket(int b) {
    Chunk* head = buckets_[b].head;
    buckets_[b] = Bucket{};
    mark_empty(b);
    return head;
  }

  Key pop_key();
  // Makes bucket 0 start with a live key, refilling it from the lowest live
  // bucket if needed. Precondition: live_ > 0.
  void settle();
  // The lowest live time in bucket b >= 1, or false if it holds only stale keys.
  bool min_live_time(int b, uint64_t& min_time) const;
  // Drops every stale key from every bucket.
  void sweep();
  [[noreturn]] void reject_push(SimTime t) const;

  std::array<Bucket, kBuckets> buckets_;
  uint64_t nonempty_[kMaskWords] = {};  // bit b set when buckets_[b] has keys (live or stale)
  uint64_t last_ = 0;                   // time of the last pop; every pending time is >= last_
  std::vector<std::unique_ptr<Chunk[]>> pool_;
  std::vector<Chunk*> free_chunks_;
  std::size_t pool_chunks_ = 0;
  detail::EventSlots slots_;
  std::size_t live_ = 0;
  std::size_t stale_ = 0;  // cancelled keys still in buckets
};

}  // namespace kubesim
