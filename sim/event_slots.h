// EventSlots: the callbacks of pending events, in a pool of reusable slots
// shared by the event-queue implementations. A queue orders small keys that
// name slots; the callbacks stay put in fixed chunks, so an event runs where
// it lies (no copy) and may schedule others while it runs.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <stdexcept>
#include <vector>

#include "sim/callback.h"

namespace kubesim {

// Names one scheduled event; cancel() with it. Default-constructed = no event.
struct EventToken {
  uint32_t slot = std::numeric_limits<uint32_t>::max();
  uint32_t generation = 0;
  bool valid() const { return slot != std::numeric_limits<uint32_t>::max(); }
};

namespace detail {

class EventSlots {
 public:
  static constexpr uint32_t kMaxSlots = 1u << 24;

  // Stores cb in a free slot (growing the pool if none is free).
  template <class F>
  uint32_t store(F&& cb, EventToken& token) {
    uint32_t slot;
    if (!free_.empty()) {
      slot = free_.back();
      free_.pop_back();
    } else {
      if (size_ >= kMaxSlots) throw std::length_error("more than 2^24 pending events");
      slot = size_++;
      if ((slot & kChunkMask) == 0) chunks_.push_back(std::make_unique<Slot[]>(kChunkSize));
      generations_.push_back(0);
    }
    at(slot).cb.emplace(std::forward<F>(cb));
    token = EventToken{slot, ++generations_[slot]};  // odd: pending
    return slot;
  }

  // True if the token names an event that has neither run nor been cancelled.
  bool is_pending(EventToken token) const {
    return token.slot < size_ && generations_[token.slot] == token.generation;
  }

  // Frees the slot of a pending event without running it.
  void release(uint32_t slot) {
    at(slot).cb.reset();
    ++generations_[slot];
    free_.push_back(slot);
  }

  // Moves the callback into out and frees the slot.
  void take(uint32_t slot, Callback& out) {
    out = std::move(at(slot).cb);
    release(slot);
  }

  // Runs the callback where it lies, then frees the slot. The event stops
  // being pending before it runs, so a cancel() from inside it returns false.
  void run(uint32_t slot) {
    Slot& s = at(slot);
    ++generations_[slot];
    struct Finish {
      EventSlots* self;
      uint32_t slot;
      ~Finish() {
        self->at(slot).cb.reset();
        self->free_.push_back(slot);
      }
    } finish{this, slot};
    s.cb();
  }

  // Slots ever used: every slot index is below this.
  uint32_t size() const { return size_; }

  void reserve(std::size_t n) {
    chunks_.reserve(n / kChunkSize + 1);
    generations_.reserve(n);
    free_.reserve(n);
  }

 private:
  struct Slot {
    Callback cb;
  };
  static constexpr uint32_t kChunkBits = 10;
  static constexpr uint32_t kChunkSize = 1u << kChunkBits;
  static constexpr uint32_t kChunkMask = kChunkSize - 1;
  Slot& at(uint32_t slot) { return chunks_[slot >> kChunkBits][slot & kChunkMask]; }

  std::vector<std::unique_ptr<Slot[]>> chunks_;
  // Per slot, apart from the callbacks so that checks touch 4 bytes: odd while
  // an event is pending; bumped when it is stored, run or cancelled, so an
  // old token (or a queue's old key) never matches a reused slot.
  std::vector<uint32_t> generations_;
  std::vector<uint32_t> free_;
  uint32_t size_ = 0;
};

}  // namespace detail
}  // namespace kubesim
