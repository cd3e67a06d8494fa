#include "sim/radix_event_queue.h"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace kubesim {

// Why bucket_of() stays valid: a key in bucket (p, v) agrees with last_ on the
// digits above p and has digit v != last_'s at p. A refill of bucket (p0, v0),
// the lowest non-empty one, sets last_ to a time t' from it, which agrees
// with the old last_ above p0 and has digit v0 at p0. A key in a higher bucket
// (p > p0, or p = p0 and v > v0) therefore still differs from t' first at
// digit p, with the same v: its bucket is unchanged. The refilled keys
// themselves are re-bucketed against t' (into digits below p0, or bucket 0).

void RadixEventQueue::reserve(std::size_t n) {
  slots_.reserve(n);
  // Every bucket holds at most one partly filled chunk.
  const std::size_t chunks = n / kChunkKeys + 1 + kBuckets;
  if (chunks > pool_chunks_) grow_pool(chunks - pool_chunks_);
}

void RadixEventQueue::grow_pool(std::size_t chunks) {
  pool_.push_back(std::make_unique<Chunk[]>(chunks));
  pool_chunks_ += chunks;
  free_chunks_.reserve(pool_chunks_);
  for (std::size_t i = chunks; i-- > 0;)
    free_chunks_.push_back(&pool_.back()[i]);
}

bool RadixEventQueue::min_live_time(int b, uint64_t& min_time) const {
  uint64_t m = std::numeric_limits<uint64_t>::max();
  bool any = false;
  for (const Chunk* c = buckets_[b].head; c != nullptr; c = c->next) {
    if (stale_ == 0) {
      for (uint32_t i = 0; i < c->count; ++i)
        m = std::min(m, c->keys[i].time);
      any = true;
    } else {
      for (uint32_t i = 0; i < c->count; ++i) {
        if (!is_live(c->keys[i])) continue;
        m = std::min(m, c->keys[i].time);
        any = true;
      }
    }
  }
  min_time = m;
  return any;
}

void RadixEventQueue::settle() {
  for (;;) {
    Bucket& zero = buckets_[0];
    while (zero.head != nullptr) {
      if (zero.head_pos < zero.head->count) {
        if (stale_ == 0 || is_live(zero.head->keys[zero.head_pos])) return;
        ++zero.head_pos;
        --stale_;
        continue;
      }
      Chunk* done = zero.head;
      zero.head = done->next;
      zero.head_pos = 0;
      free_chunks_.push_back(done);
    }
    zero.tail = nullptr;
    mark_empty(0);

    // Refill: the lowest live bucket's minimum becomes last_, and its live
    // keys move, in order, to lower buckets (the minimum's to bucket 0).
    const int b = next_nonempty(0);
    uint64_t min_time = 0;
    if (min_live_time(b, min_time)) last_ = min_time;
    // Locals: the compiler cannot keep members in registers across the
    // stores into chunks.
    const uint64_t last = last_;
    const bool check_stale = stale_ > 0;
    std::size_t dropped = 0;
    for (Chunk* c = take_bucket(b); c != nullptr;) {
      const uint32_t count = c->count;
      for (uint32_t i = 0; i < count; ++i) {
        const Key k = c->keys[i];
        if (check_stale && !is_live(k)) {
          ++dropped;
          continue;
        }
        const int target = bucket_of(k.time, last);
        Chunk* tail = buckets_[target].tail;
        if (tail != nullptr && tail->count < kChunkKeys) {
          tail->keys[tail->count++] = k;
        } else {
          append(target, k);
        }
      }
      Chunk* next = c->next;
      free_chunks_.push_back(c);
      c = next;
    }
    stale_ -= dropped;
  }
}

RadixEventQueue::Key RadixEventQueue::pop_key() {
  settle();
  Bucket& zero = buckets_[0];
  const Key k = zero.head->keys[zero.head_pos++];
  --live_;
  return k;
}

SimTime RadixEventQueue::next_time() const {
  if (live_ == 0) return SimTime::max();
  const Bucket& zero = buckets_[0];
  uint32_t pos = zero.head_pos;
  for (const Chunk* c = zero.head; c != nullptr; c = c->next, pos = 0) {
    for (; pos < c->count; ++pos) {
      if (stale_ == 0 || is_live(c->keys[pos])) return as_time(last_);
    }
  }
  for (int b = next_nonempty(0); b >= 0; b = next_nonempty(b)) {
    uint64_t min_time = 0;
    if (min_live_time(b, min_time)) return as_time(min_time);
  }
  return SimTime::max();  // unreachable while live_ > 0
}

void RadixEventQueue::sweep() {
  for (int b = 0; b < kBuckets; ++b) {
    const uint32_t skip = buckets_[b].head_pos;
    Chunk* c = take_bucket(b);
    for (uint32_t pos = skip; c != nullptr; pos = 0) {
      for (; pos < c->count; ++pos) {
        if (is_live(c->keys[pos])) append(b, c->keys[pos]);
      }
      Chunk* next = c->next;
      free_chunks_.push_back(c);
      c = next;
    }
  }
  stale_ = 0;
}

void RadixEventQueue::reject_push(SimTime t) const {
  throw std::invalid_argument("event queue: push at " + to_string(t) + " before the last pop at " +
                              to_string(as_time(last_)));
}

}  // namespace kubesim
