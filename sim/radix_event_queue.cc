#include "sim/radix_event_queue.h"

#include <algorithm>
#include <stdexcept>

namespace kubesim {

// Why bucket_of() stays valid: an event in bucket j > 0 agrees with last_ on
// the bits above j-1 and differs at bit j-1. A refill of bucket i (the lowest
// non-empty one) sets last_ to a time t' from that bucket, which agrees with
// the old last_ on every bit >= i; so for j > i, bit_width(t ^ t') is still j.
// The refilled events themselves are re-bucketed against t'.

uint64_t RadixEventQueue::min_time(int b) const {
  uint64_t m = nodes_[buckets_[b].head].time;
  for (uint32_t s = nodes_[buckets_[b].head].next; s != kNil; s = nodes_[s].next) {
    m = std::min(m, nodes_[s].time);
  }
  return m;
}

SimTime RadixEventQueue::next_time() const {
  if (nonempty_ == 0) return SimTime::max();
  if (nonempty_ & 1) return as_time(last_);
  return as_time(min_time(std::countr_zero(nonempty_)));
}

uint32_t RadixEventQueue::pop_slot() {
  if ((nonempty_ & 1) == 0) {
    // Refill: the lowest non-empty bucket's minimum becomes last_, and its
    // events move, in list order, to lower buckets (the minimum's to bucket 0).
    const int b = std::countr_zero(nonempty_);
    last_ = min_time(b);
    uint32_t s = buckets_[b].head;
    buckets_[b] = List{};
    nonempty_ &= ~(uint64_t{1} << b);
    while (s != kNil) {
      const uint32_t next = nodes_[s].next;
      append(bucket_of(nodes_[s].time), s);
      s = next;
    }
  }
  const uint32_t slot = buckets_[0].head;
  unlink(0, slot);
  --live_;
  return slot;
}

void RadixEventQueue::reject_push(SimTime t) const {
  throw std::invalid_argument("event queue: push at " + to_string(t) + " before the last pop at " +
                              to_string(as_time(last_)));
}

}  // namespace kubesim
