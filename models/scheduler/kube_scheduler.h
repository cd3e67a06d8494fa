// KubeScheduler: kube-scheduler in simulated time. Watches pods and nodes
// through the API server, keeps its cache (a Snapshot updated incrementally,
// with the pods it has assumed), queues pending pods (SchedulingQueue) and
// runs one scheduling cycle at a time, each taking the configured decision
// latency, then binds through the API server (pkg/scheduler/schedule_one.go).
//
//   KubeScheduler s(api, std::move(frameworks), {.decision_latency = Duration::millis(2)});
//   s.start();  // at t = 0: the informers' initial list
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "models/apiserver/api_server.h"
#include "models/scheduler/scheduler.h"
#include "models/scheduler/scheduling_queue.h"

namespace kubesim {

struct KubeSchedulerConfig {
  Duration decision_latency = Duration::millis(2);
  SchedulingQueueConfig queue;
};

class KubeScheduler {
 public:
  // `frameworks`: one per profile, keyed by schedulerName. Pods naming
  // another scheduler are not this scheduler's: they stay pending.
  KubeScheduler(ApiServer& api,
                std::map<std::string, std::unique_ptr<SchedulingFramework>> frameworks,
                KubeSchedulerConfig config = {});
  KubeScheduler(const KubeScheduler&) = delete;
  KubeScheduler& operator=(const KubeScheduler&) = delete;

  void start();
  // Leader election (models/controlplane): false stops all work (the cycle
  // in flight is abandoned, the queue emptied, watch events ignored); true
  // starts afresh as a newly elected kube-scheduler: the cache rebuilt from
  // the store and every pending pod queued, as start() does.
  void set_leader(bool has_leader);

  const Snapshot& snapshot() const { return snapshot_; }
  const SchedulingQueue& queue() const { return queue_; }
  uint64_t cycles() const { return cycles_; }

 private:
  void on_pod(const WatchEvent& e);
  void on_node(const WatchEvent& e);
  bool ours(const Pod& p) const { return frameworks_.count(p.spec.scheduler_name) != 0; }
  void cache_add(const Pod& p);
  void cache_remove(const Pod& p);
  bool cached(PodId id) const { return id.value < cached_.size() && cached_[id.value] != 0; }
  void maybe_start_cycle();
  void schedule_one(PodId id);
  void rebuild_snapshot();

  ApiServer* api_;
  std::map<std::string, std::unique_ptr<SchedulingFramework>> frameworks_;
  KubeSchedulerConfig config_;
  Snapshot snapshot_;
  SchedulingQueue queue_;
  std::vector<uint8_t> cached_;  // per pod: counted in the snapshot
  bool busy_ = false;
  EventToken cycle_event_;
  bool leading_ = true;
  // Snapshot indexes of nodes modified since the last cycle (their images
  // may have changed), each once.
  std::vector<int> images_dirty_;
  std::vector<uint8_t> image_dirty_flag_;  // by snapshot index
  uint64_t cycles_ = 0;
};

}  // namespace kubesim
