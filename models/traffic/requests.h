// The state of the requests in flight and of their attempts at pods
// (TrafficEngine, docs/traffic.md), kept in slabs indexed by uint32_t: events
// capture `this` and an index, never a pointer into a growing vector.
//
// A request lives from its arrival to its end (completed, or failed for good
// after its retries); an attempt lives from its acceptance by a pod until
// both the client has let go of it (answer, timeout, failure) and the pod
// has (answered, discarded or aborted it). So an attempt whose client timed
// out stays in its pod, wasting a worker, while the request's next attempt
// runs elsewhere.
//
//   Slab<Attempt> attempts;
//   uint32_t a = attempts.add();      // a fresh Attempt (its gen kept)
//   attempts[a].pod = pod;
//   attempts.remove(a);               // bumps gen: stale links see it
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "models/objects/ids.h"
#include "models/records.h"
#include "sim/event_slots.h"
#include "sim/time.h"

namespace kubesim::traffic {

inline constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();

// Items with a `gen` member, reused through a free list. Removing an item
// bumps its generation, so a link (index, gen) taken earlier can tell that
// the item it named is gone.
template <class T>
class Slab {
 public:
  uint32_t add() {
    uint32_t i;
    if (!free_.empty()) {
      i = free_.back();
      free_.pop_back();
      const uint32_t gen = items_[i].gen;
      items_[i] = T{};
      items_[i].gen = gen;
    } else {
      i = static_cast<uint32_t>(items_.size());
      items_.emplace_back();
    }
    return i;
  }
  void remove(uint32_t i) {
    ++items_[i].gen;
    free_.push_back(i);
  }
  T& operator[](uint32_t i) { return items_[i]; }
  const T& operator[](uint32_t i) const { return items_[i]; }
  std::size_t live() const { return items_.size() - free_.size(); }

 private:
  std::vector<T> items_;
  std::vector<uint32_t> free_;
};

// One request: from outside, or a downstream call of an attempt.
struct Request {
  SimTime arrived;
  uint64_t client = 0;      // outside: the client number; a call: the calling pod's id
  uint32_t entry = 0;       // its traffic entry
  NodeId via;               // a call: the calling pod's node (outside: per attempt)
  uint32_t parent = kNone;  // a call: the attempt that made it, and its gen
  uint32_t parent_gen = 0;
  int32_t attempts = 0;
  bool external = true;
  uint32_t gen = 0;
};

// One attempt of a request at one pod.
struct Attempt {
  enum class Stage : uint8_t {
    kQueued,   // in the pod's FIFO queue
    kServing,  // a worker does its work
    kCalling,  // the worker waits for its downstream calls
    kHeld,     // the app hung: the worker holds it without answering
    kDone,     // the pod has let go of it
  };
  uint32_t request = kNone;  // while the client waits for it
  uint32_t entry = 0;
  PodId pod;
  NodeId via;
  SimTime accepted;
  SimTime service_start;
  Duration service;
  double cpu_seconds = 0;
  EventToken timeout;
  EventToken service_end;
  uint32_t pos = kNone;  // in its pod's list of held attempts
  uint32_t next_group = 0;
  uint32_t calls_pending = 0;
  Stage stage = Stage::kQueued;
  bool client_waiting = false;  // also: the connection is open
  bool call_failed = false;
  uint32_t gen = 0;
};

}  // namespace kubesim::traffic
