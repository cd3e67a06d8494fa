// SchedulingQueue: kube-scheduler's PriorityQueue
// (pkg/scheduler/backend/queue/scheduling_queue.go) in simulated time.
//
// Three places a pending pod can be:
// - activeQ: ready to be scheduled; popped highest priority first, then
//   earliest queued (the PrioritySort plugin's order);
// - backoffQ: failed before and waiting out its back-off, initial * 2^(n-1)
//   for the n-th failed attempt, capped at max (1 s -> 10 s by default);
// - unschedulable: failed, waiting for a cluster event that may help (a node
//   added or changed, an assigned pod deleted or finished); such an event
//   moves it to backoffQ, or activeQ if its back-off is already over. A pod
//   left there for podMaxInUnschedulablePodsDuration (5 min) is moved anyway,
//   by the 30 s flushUnschedulablePodsLeftover loop.
//
// Kubernetes polls backoffQ every second and the leftover loop every 30 s;
// here each flush is one event at the exact time the poll would first see the
// pod due (DESIGN.md, "Lazy but exact"): the 1 s poll is ignored (a pod is
// moved when its back-off expires), the 30 s loop is kept to its ticks.
// QueueingHints are not modelled: every cluster event moves every
// unschedulable pod, as kube-scheduler does with the hints disabled.
#pragma once

#include <cstdint>
#include <functional>
#include <queue>
#include <set>
#include <vector>

#include "models/objects/pod.h"
#include "sim/simulation.h"

namespace kubesim {

struct SchedulingQueueConfig {
  Duration initial_backoff = Duration::seconds(1);  // podInitialBackoffSeconds
  Duration max_backoff = Duration::seconds(10);     // podMaxBackoffSeconds
  // pkg/scheduler/backend/queue/scheduling_queue.go DefaultPodMaxInUnschedulablePodsDuration.
  Duration max_in_unschedulable = Duration::minutes(5);
  Duration leftover_flush_period = Duration::seconds(30);
};

class SchedulingQueue {
 public:
  // `on_active` is called (synchronously) whenever a pod enters activeQ.
  SchedulingQueue(Context ctx, const std::deque<Pod>& pods, SchedulingQueueConfig config,
                  std::function<void()> on_active);

  // A new pending pod (informer Add).
  void add(PodId id);
  // Removes a pod wherever it is (deleted, or bound by someone else).
  void remove(PodId id);
  bool contains(PodId id) const { return where(id) != Where::kNone; }

  bool empty_active() const { return active_live_ == 0; }
  // Pops the head of activeQ and starts its scheduling cycle.
  PodId pop();
  // The pod popped last failed to schedule: back to unschedulable, or to
  // backoffQ if a cluster event happened during its cycle.
  void add_unschedulable(PodId id);
  // A cluster event that may make unschedulable pods schedulable.
  void move_all_to_active_or_backoff();

  // Leader election (models/controlplane): false empties the queue and
  // cancels its timers (the scheduler process is gone); true starts an empty
  // queue whose flushUnschedulablePodsLeftover loop ticks from now, as a
  // newly started kube-scheduler's does. Adds are the caller's to withhold.
  void set_leader(bool has_leader);

  size_t size() const { return active_live_ + backoff_count_ + unschedulable_.size(); }
  size_t unschedulable_count() const { return unschedulable_.size(); }
  // Attempts so far of a pod (status.scheduling_attempts is the API's copy).
  int32_t attempts(PodId id) const {
    return id.value < state_.size() ? state_[id.value].attempts : 0;
  }

 private:
  enum class Where : uint8_t { kNone, kActive, kBackoff, kUnschedulable, kInFlight };
  struct State {
    Where where = Where::kNone;
    int32_t attempts = 0;
    SimTime queued;           // timestamp for activeQ order and the leftover flush
    SimTime backoff_expiry;   // of the last failure
    uint64_t cycle = 0;       // scheduling cycle it was popped in
    uint64_t active_seq = 0;  // its live activeQ entry
    EventToken backoff_event;
  };
  struct ActiveEntry {
    int32_t priority;
    SimTime queued;
    uint64_t seq;
    uint32_t pod;
    bool operator<(const ActiveEntry& o) const {  // std::priority_queue is a max-heap
      if (priority != o.priority) return priority < o.priority;
      if (queued != o.queued) return queued > o.queued;
      return seq > o.seq;
    }
  };

  Where where(PodId id) const {
    return id.value < state_.size() ? state_[id.value].where : Where::kNone;
  }
  State& state(PodId id);
  void push_active(PodId id);
  void push_backoff(PodId id);
  void move_to_active_or_backoff(PodId id);
  SimTime leftover_due(SimTime unschedulable_since) const;
  void schedule_leftover_flush(SimTime due);
  void flush_leftover();
  Duration backoff_duration(int32_t attempts) const;

  Context ctx_;
  const std::deque<Pod>* pods_;
  SchedulingQueueConfig config_;
  std::function<void()> on_active_;
  std::vector<State> state_;
  std::priority_queue<ActiveEntry> active_;  // may hold stale entries (lazy removal)
  size_t active_live_ = 0;
  size_t backoff_count_ = 0;
  std::set<uint32_t> unschedulable_;  // pod ids, ascending for a deterministic move order
  uint64_t seq_ = 0;
  uint64_t cycle_ = 0;               // schedulingCycle
  uint64_t move_request_cycle_ = 0;  // moveRequestCycle
  SimTime leftover_flush_at_ = SimTime::max();
  EventToken leftover_event_;
  SimTime started_ = SimTime::zero();  // the leftover loop's phase
};

}  // namespace kubesim
