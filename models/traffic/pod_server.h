// PodServer: one pod's workers and FIFO queue, as request traffic sees them
// (docs/traffic.md). It holds attempt indexes (requests.h); the engine
// decides what happens to them.
//
// Workers: the pod annotation kubesim.io/concurrency (default 1). Queue:
// kubesim.io/queue-capacity requests may wait (absent: any number). The
// attempts the pod holds (queued, or holding a worker) are in one list with
// O(1) removal, for requests_in() and for failing them all at a crash.
//
//   PodServer s(pod);
//   if (!s.worker_idle() && s.queue_full()) { /* rejected */ }
//   attempt.pos = s.enter(a);
//   s.take_worker();  ... s.free_worker();
//   uint32_t moved = s.leave(attempt.pos);   // moved->pos = the old pos
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "models/objects/pod.h"

namespace kubesim::traffic {

class PodServer {
 public:
  PodServer() = default;
  // Reads the pod's annotations. Values the scenario loader would reject
  // (it checks them with file:line:column) fall back to the defaults.
  explicit PodServer(const Pod& pod);

  bool configured() const { return configured_; }
  int32_t workers() const { return workers_; }
  int32_t busy() const { return busy_; }
  // -1: unbounded.
  int64_t queue_capacity() const { return capacity_; }

  bool worker_idle() const { return busy_ < workers_; }
  bool queue_empty() const { return queue_.empty(); }
  bool queue_full() const {
    return capacity_ >= 0 && static_cast<int64_t>(queue_.size()) >= capacity_;
  }
  std::size_t queued() const { return queue_.size(); }

  // The attempt enters the pod; returns its position in held().
  uint32_t enter(uint32_t attempt);
  // The attempt at `pos` leaves; returns the attempt that moved into `pos`
  // (its position changed), or kNone.
  uint32_t leave(uint32_t pos);
  const std::vector<uint32_t>& held() const { return held_; }

  void enqueue(uint32_t attempt) { queue_.push_back(attempt); }
  uint32_t dequeue();  // the FIFO head
  void take_worker() { ++busy_; }
  void free_worker() { --busy_; }

  // Everything the pod holds, and the pod empty (queue cleared, workers idle).
  std::vector<uint32_t> take_all();

  // CPU seconds of the work finished (or cut short) at this pod.
  double cpu_done = 0;

 private:
  bool configured_ = false;
  int32_t workers_ = 1;
  int32_t busy_ = 0;
  int64_t capacity_ = -1;
  std::deque<uint32_t> queue_;
  std::vector<uint32_t> held_;
};

}  // namespace kubesim::traffic
