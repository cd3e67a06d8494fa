#include "models/controllers/job_controller.h"

#include <algorithm>
#include <string>

#include "models/controllers/replica_set_controller.h"

namespace kubesim {
namespace {

constexpr std::string_view kKind = "Job";

// job_controller.go isPodFailed (podReplacementPolicy TerminatingOrFailed,
// the default): "Count deleted Pods as failures to account for orphan Pods
// that never have a chance to reach the Failed phase."
bool pod_failed(const Pod& p) {
  if (p.phase == PodPhase::kFailed) return true;
  return (p.status.terminating || p.status.deleted) && p.phase != PodPhase::kSucceeded;
}

bool pod_finished(const Pod& p) {
  return p.phase == PodPhase::kSucceeded || pod_failed(p);
}

bool same_status(const Job::Status& a, const Job::Status& b) {
  return a.active == b.active && a.succeeded == b.succeeded && a.failed == b.failed &&
         a.complete == b.complete && a.failed_condition == b.failed_condition &&
         a.start_time == b.start_time && a.completion_time == b.completion_time;
}

}  // namespace

JobController::JobController(ApiServer& api)
    : api_(api), queue_(api.context(), [this](uint32_t i) { sync(i); }) {
  api_.watch(Kind::kJob, [this](const WatchEvent& e) { on_job(e); });
  api_.watch(Kind::kPod, [this](const WatchEvent& e) { on_pod(e); });
}

void JobController::set_leader(bool has_leader) {
  if (leading_ == has_leader) return;
  leading_ = has_leader;
  queue_.set_leader(has_leader);
  if (!has_leader) return;
  // backoff_utils.go backoffRecordStore is in memory: a new leader starts
  // with none and counts the failures it has not counted yet.
  for (State& s : states_) {
    s.failures_after_last_success = 0;
    s.last_failure_time = SimTime::zero();
  }
  start();
}

void JobController::start() {
  const ClusterObjects& objects = api_.objects();
  for (const Pod& p : objects.pods)
    track(p);
  for (uint32_t i = 0; i < objects.jobs.size(); ++i) {
    state(i).generation_seen = objects.jobs[i].metadata.generation;
    queue_.add(i);
  }
}

JobController::State& JobController::state(uint32_t job) {
  if (job >= states_.size()) states_.resize(job + 1);
  return states_[job];
}

void JobController::track(const Pod& p) {
  if (pods_.add(p)) state(p.owner.index).uncounted.push_back(p.id);
}

void JobController::on_job(const WatchEvent& e) {
  if (!leading_) return;
  // updateJob: "Delay the Job sync when no generation change to batch Job
  // status updates"; creation, deletion and spec changes sync at once.
  State& s = state(e.index);
  const int64_t generation = api_.objects().jobs[e.index].metadata.generation;
  if (e.type == WatchType::kModified && generation == s.generation_seen) {
    queue_.add_after(e.index, kSyncJobBatchPeriod);
  } else {
    queue_.add(e.index);
  }
  s.generation_seen = generation;
}

void JobController::on_pod(const WatchEvent& e) {
  const Pod& p = api_.objects().pods[e.index];
  if (!leading_ || p.owner.kind != kKind || p.owner.index == UINT32_MAX) return;
  track(p);
  // The finish time the pod failure back-off counts from (backoff_utils.go
  // getFinishedTime uses the container's finishedAt; kubesim, which keeps no
  // such field, uses the time the informer first sees the pod finished).
  if (pod_finished(p)) finished_at_.emplace(p.id.value, api_.now());
  // addPod/updatePod/deletePod: enqueueSyncJobBatched.
  queue_.add_after(p.owner.index, kSyncJobBatchPeriod);
}

void JobController::sync(uint32_t index) {
  auto& store = api_.store<Job>();
  if (index >= store.size()) return;
  const ClusterObjects& objects = api_.objects();
  const Job& job = store[index];
  State& s = state(index);
  if (job.metadata.deleted) {
    // Garbage collector: every dependent pod, finished ones included.
    const std::vector<PodId> ids = pods_.of(index);
    for (PodId id : ids)
      api_.delete_pod(id);
    s.uncounted.clear();
    return;
  }
  // "if job was finished previously, we don't want to redo the termination"
  if (job.status.complete || job.status.failed_condition) return;
  const SimTime now = api_.now();

  // getNewFinishedPods: the pods not counted yet that have finished.
  std::vector<PodId> active_pods;
  int32_t new_succeeded = 0, new_failed = 0;
  SimTime last_success_time = SimTime::zero();
  std::vector<SimTime> failure_times;
  auto finished_time = [&](const Pod& p) {
    auto it = finished_at_.find(p.id.value);
    return it != finished_at_.end() ? it->second : now;
  };
  for (PodId id : s.uncounted) {
    const Pod& p = objects.pods[id.value];
    if (p.phase == PodPhase::kSucceeded) {
      ++new_succeeded;
      last_success_time = std::max(last_success_time, finished_time(p));
    } else if (pod_failed(p)) {
      ++new_failed;
      failure_times.push_back(finished_time(p));
    } else {
      active_pods.push_back(id);  // FilterActivePods
    }
  }
  for (PodId id : s.uncounted)
    if (!pod_counts_for_owner(objects.pods[id.value])) finished_at_.erase(id.value);
  s.uncounted = active_pods;
  int32_t succeeded = job.status.succeeded + new_succeeded;
  int32_t failed = job.status.failed + new_failed;

  // backoff_utils.go newBackoffRecord.
  std::sort(failure_times.begin(), failure_times.end());
  if (new_succeeded == 0) {
    if (new_failed > 0) {
      s.failures_after_last_success += new_failed;
      s.last_failure_time = failure_times.back();
    }
  } else {
    s.failures_after_last_success = 0;
    s.last_failure_time = SimTime::zero();
    bool have_last_failure = false;
    for (auto it = failure_times.rbegin(); it != failure_times.rend(); ++it) {
      if (!(*it > last_success_time)) break;
      if (!have_last_failure) {
        s.last_failure_time = *it;
        have_last_failure = true;
      }
      ++s.failures_after_last_success;
    }
  }

  Job::Status st = job.status;
  if (!s.started) {
    // "Job first start. Set StartTime only if the job is not in the
    // suspended state."
    s.started = true;
    st.start_time = now;
  }
  int32_t active = static_cast<int32_t>(active_pods.size());

  // pastBackoffLimitOnFailure: with restartPolicy OnFailure, container
  // restarts of running and pending pods count against backoffLimit.
  bool past_backoff_limit_on_failure = false;
  if (job.template_.spec.restart_policy == RestartPolicy::kOnFailure) {
    int64_t restarts = 0;
    for (PodId id : active_pods) {
      const Pod& p = objects.pods[id.value];
      if (p.phase == PodPhase::kRunning || p.phase == PodPhase::kPending)
        restarts += p.status.restarts;
    }
    past_backoff_limit_on_failure =
        job.backoff_limit == 0 ? restarts > 0 : restarts >= job.backoff_limit;
  }
  const bool exceeds_backoff_limit = failed > job.backoff_limit;

  bool finished_failed = false, finished_complete = false;
  if (exceeds_backoff_limit || past_backoff_limit_on_failure) {
    // Remove active pods if the Job failed; "When the job is considered
    // finished, every non-terminated pod is considered failed."
    for (PodId id : active_pods) {
      api_.delete_pod(id);
      ++failed;
    }
    s.uncounted.clear();
    active = 0;
    finished_failed = true;
  } else {
    // manageJob (NonIndexed): active pods should not exceed the remaining
    // completions.
    const int32_t want_active =
        std::clamp(job.completions - succeeded, 0, std::max(job.parallelism, 0));
    const int32_t rm_at_least = active - want_active;
    if (rm_at_least > 0) {
      // activePodsForRemoval: in ActivePods order. Deletion takes precedence
      // over creation in one sync.
      std::vector<PodId> ranked = active_pods;
      sort_for_deletion(ranked, objects);
      const int32_t n = std::min(rm_at_least, kMaxPodCreateDeletePerSync);
      for (int32_t i = 0; i < n; ++i)
        api_.delete_pod(ranked[static_cast<size_t>(i)]);
      active -= n;
    } else if (want_active > active) {
      // getRemainingTimeForFailuresCount: 10 s doubling per consecutive
      // failure, capped at 10 min, measured from the last failure.
      Duration remaining = Duration::zero();
      if (s.failures_after_last_success > 0) {
        Duration backoff = kDefaultPodFailureBackOff;
        for (int32_t i = 1; i < s.failures_after_last_success; ++i) {
          backoff = backoff * 2;
          if (backoff >= kMaxPodFailureBackOff) {
            backoff = kMaxPodFailureBackOff;
            break;
          }
        }
        const Duration elapsed = now - s.last_failure_time;
        if (!(backoff < elapsed)) remaining = backoff - elapsed;
      }
      if (remaining > Duration::zero()) {
        // enqueueSyncJobWithDelay: not sooner than the batch period.
        queue_.add_after(index, std::max(remaining, kSyncJobBatchPeriod));
      } else {
        const int32_t n = std::min(want_active - active, kMaxPodCreateDeletePerSync);
        Pod tmpl = pod_from_template(job.template_, job.metadata, kKind, index);
        // The labels the API server adds to a Job's pod template
        // (pkg/registry/batch/job/strategy.go).
        tmpl.labels["batch.kubernetes.io/job-name"] = job.metadata.name;
        tmpl.labels["job-name"] = job.metadata.name;
        const std::string generate_name = job.metadata.name + "-";
        for (int32_t i = 0; i < n; ++i) {
          const PodId id = api_.create_pod(tmpl, generate_name);
          track(objects.pods[id.value]);
        }
        active += n;
      }
    }
    if (succeeded >= job.completions && active == 0) {
      // Pods deleted above as surplus are counted failed with the finished Job.
      for (PodId id : s.uncounted)
        if (objects.pods[id.value].phase != PodPhase::kSucceeded) ++failed;
      s.uncounted.clear();
      finished_complete = true;
    }
  }

  st.active = active;
  st.succeeded = succeeded;
  st.failed = failed;
  if (finished_failed) st.failed_condition = true;
  if (finished_complete) {
    st.complete = true;
    st.completion_time = now;
  }
  if (!same_status(job.status, st)) {
    api_.update<Job>(index, 0, [&](Job& j) { j.status = st; });
  }
  if (finished_complete) {
    publish_workload(api_.context(), WorkloadEvent::kJobComplete, kKind, job.metadata, 0,
                     job.completions);
  }
  if (finished_failed) {
    publish_workload(api_.context(), WorkloadEvent::kJobFailed, kKind, job.metadata, 0, failed,
                     "BackoffLimitExceeded");
  }
}

}  // namespace kubesim
