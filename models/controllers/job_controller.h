// JobController: kube-controller-manager's job controller
// (pkg/controller/job/job_controller.go), NonIndexed completion mode.
// Keeps min(parallelism, completions - succeeded) pods active; counts
// finished pods once (Succeeded -> succeeded; Failed, or deleted before
// succeeding -> failed); Complete when succeeded reaches completions; Failed
// (BackoffLimitExceeded) when failures exceed backoffLimit (or, with
// restartPolicy OnFailure, when container restarts reach it), deleting the
// active pods. Pods that failed are replaced after the pod failure back-off:
// 10 s doubling per consecutive failure up to 10 min
// (DefaultJobPodFailureBackOff, MaxJobPodFailureBackOff). Pod events are
// batched per Job for 1 s (syncJobBatchPeriod), as Kubernetes does.
// Finished pods stay in the store; deleting the Job deletes them.
//
// It publishes WorkloadRecords JobComplete (to = completions) and JobFailed
// (to = failed pods, detail "BackoffLimitExceeded").
//
//   JobController jc(api);   // registers the watches
//   jc.start();              // at t = 0
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "models/apiserver/api_server.h"
#include "models/controllers/workqueue.h"

namespace kubesim {

class JobController {
 public:
  explicit JobController(ApiServer& api);
  JobController(const JobController&) = delete;
  JobController& operator=(const JobController&) = delete;

  // Records the pods already in the store and enqueues every Job.
  void start();
  // Leader election (models/controlplane): false stops all work (queue and
  // timers dropped, watch events ignored); true starts afresh as a newly
  // elected kube-controller-manager and enqueues every Job, as start() does.
  // Which pods are counted carries over (in Kubernetes, the pods' tracking
  // finalizers and status.uncountedTerminatedPods are in the API server);
  // the pod failure back-off records do not (they are in memory).
  void set_leader(bool has_leader);

  // job_controller.go constants.
  static constexpr Duration kSyncJobBatchPeriod = Duration::seconds(1);
  static constexpr Duration kDefaultPodFailureBackOff = Duration::seconds(10);
  static constexpr Duration kMaxPodFailureBackOff = Duration::minutes(10);
  static constexpr int32_t kMaxPodCreateDeletePerSync = 500;

 private:
  struct State {
    std::vector<PodId> uncounted;  // pods not yet counted as succeeded/failed
    int64_t generation_seen = 0;
    bool started = false;  // status.startTime set
    // backoff_utils.go backoffRecord.
    int32_t failures_after_last_success = 0;
    SimTime last_failure_time;
  };

  void on_job(const WatchEvent& e);
  void on_pod(const WatchEvent& e);
  State& state(uint32_t job);
  void track(const Pod& p);
  void sync(uint32_t index);

  ApiServer& api_;
  WorkQueue queue_;
  PodsByOwner pods_{"Job"};
  std::vector<State> states_;                          // by Job index
  std::unordered_map<uint32_t, SimTime> finished_at_;  // pod id -> first seen finished
  bool leading_ = true;
};

}  // namespace kubesim
