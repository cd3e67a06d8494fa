// DaryHeapEventQueue: a contiguous 4-ary heap of 16-byte keys (time; sequence
// number << 24 | slot), laid out so that the four children of a node share one
// 64-byte cache line. Same contract as RadixEventQueue, without needing
// monotone times; kept as the reference implementation and benchmark peer.
// Cancellation is lazy: the slot is freed at once and its key skipped when it
// surfaces; the heap is rebuilt when stale keys outnumber live ones.
#pragma once

#include <algorithm>
#include <cstdint>
#include <new>
#include <vector>

#include "sim/event_slots.h"
#include "sim/time.h"

namespace kubesim {

namespace detail {
// std::allocator with 64-byte alignment, so heap groups align to cache lines.
template <class T>
struct CacheAlignedAllocator {
  using value_type = T;
  CacheAlignedAllocator() = default;
  template <class U>
  CacheAlignedAllocator(const CacheAlignedAllocator<U>&) {}  // NOLINT
  T* allocate(std::size_t n) {
    return static_cast<T*>(::operator new (n * sizeof(T), std::align_val_t{64}));
  }
  void deallocate(T* p, std::size_t) { ::operator delete (p, std::align_val_t{64}); }
  bool operator==(const CacheAlignedAllocator&) const { return true; }
};
}  // namespace detail

class DaryHeapEventQueue {
 public:
  DaryHeapEventQueue() { heap_.resize(kRootIndex); }
  static DaryHeapEventQueue with_sequence_limit(uint64_t seq_limit) {
    DaryHeapEventQueue q;
    q.seq_limit_ = seq_limit;
    return q;
  }

  template <class F>
  EventToken push(SimTime t, F&& cb) {
    if (next_seq_ >= seq_limit_) renumber();
    EventToken token;
    const uint32_t slot = slots_.store(std::forward<F>(cb), token);
    if (slot >= key_of_slot_.size()) key_of_slot_.resize(slot + 1, kNoKey);
    const uint64_t seq_slot = (next_seq_++ << kSlotBits) | slot;
    key_of_slot_[slot] = seq_slot;
    heap_.push_back(Key{static_cast<uint64_t>(t.count_micros()), seq_slot});
    sift_up(heap_.size() - 1);
    ++live_;
    return token;
  }

  bool cancel(EventToken token) {
    if (!slots_.is_pending(token)) return false;
    key_of_slot_[token.slot] = kNoKey;
    slots_.release(token.slot);
    --live_;
    ++stale_;
    if (stale_ > live_ && stale_ > 1024) compact();
    return true;
  }

  bool empty() const { return live_ == 0; }
  std::size_t size() const { return live_; }

  SimTime next_time() {
    drop_stale_top();
    return heap_.size() == kRootIndex ? SimTime::max() : as_time(heap_[kRootIndex].time);
  }

  SimTime pop(Callback& out) {
    drop_stale_top();
    const Key top = heap_[kRootIndex];
    remove_top();
    key_of_slot_[slot_of(top)] = kNoKey;
    slots_.take(slot_of(top), out);
    --live_;
    return as_time(top.time);
  }

  // Pops the earliest pending event and runs its callback in place, after
  // calling before_run(time). Precondition: !empty().
  template <class BeforeRun>
  void run_next(BeforeRun&& before_run) {
    drop_stale_top();
    const Key top = heap_[kRootIndex];
    remove_top();
    --live_;
    key_of_slot_[slot_of(top)] = kNoKey;
    before_run(as_time(top.time));
    slots_.run(slot_of(top));
  }

  void reserve(std::size_t n) {
    heap_.reserve(n + kRootIndex);
    key_of_slot_.reserve(n);
    slots_.reserve(n);
  }

 private:
  struct alignas(16) Key {
    uint64_t time;      // microseconds
    uint64_t seq_slot;  // sequence number << 24 | slot: orders ties, names the slot
    bool operator<(const Key& o) const {
      return (time < o.time) | ((time == o.time) & (seq_slot < o.seq_slot));
    }
  };
  static constexpr int kSlotBits = 24;
  static constexpr uint64_t kSlotMask = (uint64_t{1} << kSlotBits) - 1;
  static constexpr uint64_t kSeqLimit = uint64_t{1} << (64 - kSlotBits);
  static constexpr uint64_t kNoKey = ~uint64_t{0};
  static constexpr std::size_t kArity = 4;
  // The root sits at index 3, so the children of node i start at a multiple
  // of 4: with 16-byte keys, one 64-byte cache line.
  static constexpr std::size_t kRootIndex = 3;

  static uint32_t slot_of(const Key& k) { return static_cast<uint32_t>(k.seq_slot & kSlotMask); }
  bool is_stale(const Key& k) const { return key_of_slot_[slot_of(k)] != k.seq_slot; }
  static SimTime as_time(uint64_t us) { return SimTime::from_micros(static_cast<int64_t>(us)); }
  static std::size_t first_child(std::size_t i) {
    return kArity * (i - kRootIndex) + kRootIndex + 1;
  }
  static std::size_t parent(std::size_t i) { return (i - kRootIndex - 1) / kArity + kRootIndex; }

  void drop_stale_top() {
    while (heap_.size() > kRootIndex && is_stale(heap_[kRootIndex])) {
      remove_top();
      --stale_;
    }
  }

  void remove_top() {
    const Key last = heap_.back();
    heap_.pop_back();
    if (heap_.size() > kRootIndex) sift_down(kRootIndex, last);
  }

  void sift_up(std::size_t i) {
    const Key k = heap_[i];
    while (i > kRootIndex) {
      const std::size_t p = parent(i);
      if (!(k < heap_[p])) break;
      heap_[i] = heap_[p];
      i = p;
    }
    heap_[i] = k;
  }

  // Places k, which replaces the element at hole i, by moving the hole down.
  void sift_down(std::size_t i, Key k) {
    const std::size_t n = heap_.size();
    const Key* h = heap_.data();
    for (;;) {
      const std::size_t c = first_child(i);
      std::size_t best;
      if (c + kArity <= n) {
        const std::size_t a = h[c + 1] < h[c] ? c + 1 : c;
        const std::size_t b = h[c + 3] < h[c + 2] ? c + 3 : c + 2;
        best = h[b] < h[a] ? b : a;
      } else {
        if (c >= n) break;
        best = c;
        for (std::size_t j = c + 1; j < n; ++j)
          best = h[j] < h[best] ? j : best;
      }
      if (!(h[best] < k)) break;
      heap_[i] = h[best];
      i = best;
    }
    heap_[i] = k;
  }

  // Drops every stale key and restores the heap property in O(n).
  void compact() {
    std::size_t out = kRootIndex;
    for (std::size_t i = kRootIndex; i < heap_.size(); ++i) {
      if (!is_stale(heap_[i])) heap_[out++] = heap_[i];
    }
    heap_.resize(out);
    stale_ = 0;
    if (heap_.size() <= kRootIndex + 1) return;
    for (std::size_t i = parent(heap_.size() - 1) + 1; i-- > kRootIndex;)
      sift_down(i, heap_[i]);
  }

  // Sequence numbers ran out: renumber pending keys in order (a sorted array
  // is a valid heap; stale keys go first, or one could match its slot's new number).
  void renumber() {
    compact();
    std::sort(heap_.begin() + kRootIndex, heap_.end());
    next_seq_ = 0;
    for (std::size_t i = kRootIndex; i < heap_.size(); ++i) {
      heap_[i].seq_slot = (next_seq_++ << kSlotBits) | slot_of(heap_[i]);
      key_of_slot_[slot_of(heap_[i])] = heap_[i].seq_slot;
    }
  }

  std::vector<Key, detail::CacheAlignedAllocator<Key>> heap_;
  std::vector<uint64_t> key_of_slot_;  // the pending key naming each slot, or kNoKey
  detail::EventSlots slots_;
  uint64_t next_seq_ = 0;
  uint64_t seq_limit_ = kSeqLimit;
  std::size_t live_ = 0;
  std::size_t stale_ = 0;
};

}  // namespace kubesim
