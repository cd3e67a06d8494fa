#include "models/scheduler/scheduling_queue.h"

#include <algorithm>
#include <cassert>
#include <utility>

namespace kubesim {

SchedulingQueue::SchedulingQueue(Context ctx, const std::deque<Pod>& pods,
                                 SchedulingQueueConfig config, std::function<void()> on_active)
    : ctx_(ctx), pods_(&pods), config_(config), on_active_(std::move(on_active)) {}

SchedulingQueue::State& SchedulingQueue::state(PodId id) {
  if (state_.size() <= id.value) state_.resize(std::max<size_t>(id.value + 1, state_.size() * 2));
  return state_[id.value];
}

void SchedulingQueue::push_active(PodId id) {
  State& s = state(id);
  s.where = Where::kActive;
  s.active_seq = ++seq_;
  active_.push(ActiveEntry{(*pods_)[id.value].spec.priority, s.queued, s.active_seq, id.value});
  ++active_live_;
  on_active_();
}

Duration SchedulingQueue::backoff_duration(int32_t attempts) const {
  // scheduling_queue.go calculateBackoffDuration: initial, doubled for every
  // attempt after the first, capped at max.
  Duration d = config_.initial_backoff;
  for (int32_t i = 1; i < attempts; ++i) {
    d = d * 2;
    if (d > config_.max_backoff) return config_.max_backoff;
  }
  return d;
}

void SchedulingQueue::push_backoff(PodId id) {
  State& s = state(id);
  s.where = Where::kBackoff;
  ++backoff_count_;
  // flushBackoffQCompleted: the pod returns to activeQ when its back-off expires.
  s.backoff_event = ctx_.schedule_at(s.backoff_expiry, [this, id] {
    State& st = state(id);
    if (st.where != Where::kBackoff) return;
    --backoff_count_;
    push_active(id);
  });
}

void SchedulingQueue::add(PodId id) {
  State& s = state(id);
  if (s.where != Where::kNone) return;
  s.queued = ctx_.now();
  push_active(id);
}

void SchedulingQueue::remove(PodId id) {
  if (id.value >= state_.size()) return;
  State& s = state_[id.value];
  switch (s.where) {
    case Where::kActive:
      --active_live_;
      break;  // its heap entry goes stale
    case Where::kBackoff:
      --backoff_count_;
      ctx_.cancel(s.backoff_event);
      break;
    case Where::kUnschedulable:
      unschedulable_.erase(id.value);
      break;
    case Where::kInFlight:
    case Where::kNone:
      break;
  }
  s.where = Where::kNone;
}

PodId SchedulingQueue::pop() {
  while (!active_.empty()) {
    const ActiveEntry e = active_.top();
    active_.pop();
    State& s = state_[e.pod];
    if (s.where != Where::kActive || s.active_seq != e.seq) continue;  // stale
    --active_live_;
    s.where = Where::kInFlight;
    ++s.attempts;
    s.cycle = ++cycle_;
    return PodId{e.pod};
  }
  return PodId{};
}

void SchedulingQueue::add_unschedulable(PodId id) {
  State& s = state(id);
  if (s.where != Where::kInFlight) return;  // deleted meanwhile
  // AddUnschedulableIfNotPresent: the timestamp is the failure time; the
  // back-off counts from it.
  s.queued = ctx_.now();
  s.backoff_expiry = s.queued + backoff_duration(s.attempts);
  if (move_request_cycle_ >= s.cycle) {
    // A cluster event arrived during the cycle: it may have helped.
    push_backoff(id);
    return;
  }
  s.where = Where::kUnschedulable;
  unschedulable_.insert(id.value);
  schedule_leftover_flush(leftover_due(s.queued));
}

void SchedulingQueue::move_to_active_or_backoff(PodId id) {
  State& s = state(id);
  unschedulable_.erase(id.value);
  if (s.backoff_expiry > ctx_.now()) {
    push_backoff(id);
  } else {
    s.queued = ctx_.now();
    push_active(id);
  }
}

void SchedulingQueue::move_all_to_active_or_backoff() {
  move_request_cycle_ = cycle_;
  const std::vector<uint32_t> ids(unschedulable_.begin(), unschedulable_.end());
  for (uint32_t id : ids)
    move_to_active_or_backoff(PodId{id});
}

SimTime SchedulingQueue::leftover_due(SimTime since) const {
  // flushUnschedulablePodsLeftover runs every 30 s from the scheduler's start
  // (t = 0, or its election) and moves pods with now - timestamp > 5 min:
  // the first tick strictly after since + 5 min.
  const Duration p = config_.leftover_flush_period;
  const Duration after = (since + config_.max_in_unschedulable) - started_;
  return started_ + p * (after / p + 1);
}

void SchedulingQueue::set_leader(bool has_leader) {
  if (has_leader) {
    started_ = ctx_.now();
    return;
  }
  for (State& s : state_)
    if (s.where == Where::kBackoff) ctx_.cancel(s.backoff_event);
  if (leftover_flush_at_ != SimTime::max()) ctx_.cancel(leftover_event_);
  leftover_flush_at_ = SimTime::max();
  state_.clear();
  active_ = {};
  active_live_ = 0;
  backoff_count_ = 0;
  unschedulable_.clear();
  seq_ = 0;
  cycle_ = 0;
  move_request_cycle_ = 0;
}

void SchedulingQueue::schedule_leftover_flush(SimTime due) {
  if (due >= leftover_flush_at_) return;
  if (leftover_flush_at_ != SimTime::max()) ctx_.cancel(leftover_event_);
  leftover_flush_at_ = due;
  leftover_event_ = ctx_.schedule_at(due, [this] { flush_leftover(); });
}

void SchedulingQueue::flush_leftover() {
  leftover_flush_at_ = SimTime::max();
  const SimTime now = ctx_.now();
  SimTime next = SimTime::max();
  std::vector<uint32_t> due;
  for (uint32_t id : unschedulable_) {
    const SimTime at = leftover_due(state_[id].queued);
    if (at <= now) {
      due.push_back(id);
    } else {
      next = std::min(next, at);
    }
  }
  for (uint32_t id : due)
    move_to_active_or_backoff(PodId{id});
  if (next != SimTime::max()) schedule_leftover_flush(next);
}

}  // namespace kubesim
