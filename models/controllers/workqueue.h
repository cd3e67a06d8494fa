// Informer-side helpers shared by the workload controllers of
// kube-controller-manager (models/controllers/*_controller.h).
//
// WorkQueue: client-go's workqueue reduced to what a single-threaded,
// deterministic simulation needs. Watch handlers add object indexes; a dirty
// set deduplicates them (several watch events for one object cause one sync,
// as workqueue.Type does with keys) and one zero-delay simulation event syncs
// them in ascending index order. add_at() is the delaying queue's AddAfter:
// one pending timer per object, the earliest wins.
//
// PodsByOwner: the informer index "pods by controller reference", kept from
// pod watch events so that a sync never scans every pod in the store.
//
//   WorkQueue queue(api.context(), [this](uint32_t rs) { sync(rs); });
//   api.watch(Kind::kReplicaSet, [&](const WatchEvent& e) { queue.add(e.index); });
//   queue.add_at(rs, api.now() + Duration::seconds(10));   // re-sync later
//
//   PodsByOwner pods("ReplicaSet");
//   api.watch(Kind::kPod, [&](const WatchEvent& e) { pods.add(api.objects().pods[e.index]); });
//   for (PodId id : pods.of(rs)) { ... }
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/objects/cluster.h"
#include "models/records.h"
#include "sim/simulation.h"

namespace kubesim {

class WorkQueue {
 public:
  using Sync = std::function<void(uint32_t index)>;

  WorkQueue(Context ctx, Sync sync) : ctx_(ctx), sync_(std::move(sync)) {}
  // The pending events point at this object.
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  // Marks the object dirty; it is synced by the next processing event (at
  // the current time, after the events already queued for it).
  void add(uint32_t index) {
    if (!leading_) return;
    grow(index);
    if (!dirty_flag_[index]) {
      dirty_flag_[index] = 1;
      dirty_.push_back(index);
    }
    if (!scheduled_) {
      scheduled_ = true;
      process_event_ = ctx_.schedule(Duration::zero(), [this] { process(); });
    }
  }

  // Adds the object at time t (AddAfter). One timer per object: an earlier
  // request replaces a later one, a later request is dropped (the sync at the
  // earlier time asks again if it still needs to).
  void add_at(uint32_t index, SimTime t) {
    if (!leading_) return;
    if (t <= ctx_.now()) {
      add(index);
      return;
    }
    grow(index);
    Timer& timer = timers_[index];
    if (timer.token.valid()) {
      if (timer.at <= t) return;
      ctx_.cancel(timer.token);
    }
    timer.at = t;
    timer.token = ctx_.schedule_at(t, [this, index] {
      timers_[index].token = EventToken{};
      add(index);
    });
  }
  void add_after(uint32_t index, Duration d) { add_at(index, ctx_.now() + d); }

  // Leader election (models/controlplane): false drops every dirty object
  // and timer (the process that held them is gone) and ignores adds until
  // true, when the queue starts empty, as in a newly started controller.
  void set_leader(bool has_leader) {
    if (leading_ == has_leader) return;
    leading_ = has_leader;
    if (has_leader) return;
    if (scheduled_) ctx_.cancel(process_event_);
    scheduled_ = false;
    for (uint32_t i : dirty_)
      dirty_flag_[i] = 0;
    dirty_.clear();
    for (Timer& timer : timers_) {
      if (timer.token.valid()) ctx_.cancel(timer.token);
      timer.token = EventToken{};
    }
  }

  // Time of the object's pending timer, SimTime::max() if none.
  SimTime timer_at(uint32_t index) const {
    if (index >= timers_.size() || !timers_[index].token.valid()) return SimTime::max();
    return timers_[index].at;
  }

 private:
  struct Timer {
    EventToken token;
    SimTime at;
  };

  void grow(uint32_t index) {
    if (index >= dirty_flag_.size()) {
      dirty_flag_.resize(index + 1, 0);
      timers_.resize(index + 1);
    }
  }

  void process() {
    scheduled_ = false;
    batch_.swap(dirty_);
    dirty_.clear();
    std::sort(batch_.begin(), batch_.end());
    // Cleared before syncing: a sync that dirties its own object again (or
    // another one) gets a new processing event.
    for (uint32_t i : batch_)
      dirty_flag_[i] = 0;
    for (uint32_t i : batch_)
      sync_(i);
    batch_.clear();
  }

  Context ctx_;
  Sync sync_;
  std::vector<uint32_t> dirty_;
  std::vector<uint32_t> batch_;
  std::vector<uint8_t> dirty_flag_;  // by index
  std::vector<Timer> timers_;        // by index
  EventToken process_event_;
  bool scheduled_ = false;
  bool leading_ = true;
};

class PodsByOwner {
 public:
  explicit PodsByOwner(std::string owner_kind) : kind_(std::move(owner_kind)) {}

  const std::string& owner_kind() const { return kind_; }

  // Records the pod under its owner if the owner is of this kind and the pod
  // is not recorded yet (a pod the controller created itself is recorded at
  // creation, before its Added event arrives). Returns true if newly recorded.
  bool add(const Pod& p) {
    if (p.owner.kind != kind_ || p.owner.index == UINT32_MAX) return false;
    const uint32_t id = p.id.value;
    if (id >= seen_.size()) seen_.resize(id + 1, 0);
    if (seen_[id]) return false;
    seen_[id] = 1;
    of(p.owner.index).push_back(p.id);
    return true;
  }

  // The owner's pods in the order they were recorded (creation order for the
  // pods the controller created). Deleted pods stay until drop_deleted().
  std::vector<PodId>& of(uint32_t owner) {
    if (owner >= by_owner_.size()) by_owner_.resize(owner + 1);
    return by_owner_[owner];
  }

  // Forgets the owner's pods that are gone from the store (tombstones).
  void drop_deleted(uint32_t owner, const ClusterObjects& objects) {
    std::vector<PodId>& ids = of(owner);
    std::erase_if(ids, [&](PodId id) { return objects.pods[id.value].status.deleted; });
  }

 private:
  std::string kind_;
  std::vector<std::vector<PodId>> by_owner_;
  std::vector<uint8_t> seen_;  // by pod id
};

// Publishes a WorkloadRecord for the object (`kind` is "ReplicaSet", ...).
inline void publish_workload(Context ctx, WorkloadEvent e, std::string_view kind,
                             const ObjectMeta& meta, int64_t from = 0, int64_t to = 0,
                             std::string_view detail = {}) {
  ctx.bus().topic<WorkloadRecord>().publish({ctx.now(), e, kind, &meta, from, to, detail});
}

}  // namespace kubesim
