#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "models/controllers/job_controller.h"
#include "models/controllers/replica_set_controller.h"
#include "tests/controllers/fake_cluster.h"

using namespace kubesim;
using kubesim::testing::Cluster;
using kubesim::testing::Finish;

namespace {

struct JobCluster {
  explicit JobCluster(int nodes) : c(nodes), jc(*c.api) {
    c.sim.bus().topic<WorkloadRecord>().subscribe([this](const WorkloadRecord& r) {
      records.push_back(r);
      records.back().meta = nullptr;
    });
  }
  uint32_t create(Job j) {
    const uint32_t i = c.api->create<Job>(std::move(j));
    jc.start();
    return i;
  }
  std::vector<const Pod*> pods(uint32_t job) const {
    std::vector<const Pod*> out;
    for (const Pod& p : c.objects.pods)
      if (p.owner.kind == "Job" && p.owner.index == job) out.push_back(&p);
    return out;
  }
  int active(uint32_t job) const {
    int n = 0;
    for (const Pod* p : pods(job))
      n += pod_counts_for_owner(*p) ? 1 : 0;
    return n;
  }
  std::vector<WorkloadRecord> of(WorkloadEvent e) const {
    std::vector<WorkloadRecord> out;
    for (const WorkloadRecord& r : records)
      if (r.event == e) out.push_back(r);
    return out;
  }

  Cluster c;
  JobController jc;
  std::vector<WorkloadRecord> records;
};

Job make_job(const std::string& name, int32_t completions, int32_t parallelism) {
  Job j;
  j.metadata.name = name;
  j.completions = completions;
  j.parallelism = parallelism;
  j.template_ = kubesim::testing::make_template(name, "batch:v1");
  j.template_.spec.restart_policy = RestartPolicy::kNever;
  return j;
}

SimTime at_ms(int64_t ms) {
  return SimTime::zero() + Duration::millis(ms);
}

}  // namespace

TEST_CASE("job: 5 completions with parallelism 2 run at most 2 pods, exactly 5 in all") {
  JobCluster k(2);
  // Each pod succeeds 10 s after it starts.
  k.c.fake->finishes = [](const Pod&) {
    return std::optional<Finish>({PodPhase::kSucceeded, Duration::seconds(10)});
  };
  const uint32_t job = k.create(make_job("batch", 5, 2));
  int max_active = 0;
  k.c.run_checked(Duration::seconds(120),
                  [&] { max_active = std::max(max_active, k.active(job)); });
  CHECK(max_active == 2);
  const auto pods = k.pods(job);
  CHECK(pods.size() == 5);  // min(parallelism, completions - succeeded): no extra pod
  for (const Pod* p : pods) {
    CHECK(p->phase == PodPhase::kSucceeded);
    CHECK_FALSE(p->status.deleted);  // finished pods stay in the store...
    CHECK(p->name.rfind("batch-", 0) == 0);
    CHECK(p->labels.at("job-name") == "batch");
  }
  for (const Node& n : k.c.objects.nodes)
    CHECK(k.c.api->pods_on_node(n.id) == 0);  // ...but no longer count on their node
  const Job& j = k.c.objects.jobs[job];
  CHECK(j.status.succeeded == 5);
  CHECK(j.status.failed == 0);
  CHECK(j.status.active == 0);
  CHECK(j.status.complete);
  CHECK_FALSE(j.status.failed_condition);
  CHECK(j.status.start_time == SimTime::zero());
  // Waves: a pod created at c is bound at c + 5 ms, starts at c + 2.005 s,
  // succeeds at c + 12.005 s, seen at c + 12.010 s; pod events are batched
  // for 1 s (syncJobBatchPeriod), so the Job syncs at c + 13.010 s.
  //   wave 1 (2 pods) created at 0; counted at 13.010, wave 2 (2 pods) created;
  //   counted at 26.020, wave 3 (1 pod: 5 - 4) created; counted at 39.030:
  //   succeeded 5 = completions and none active -> Complete.
  CHECK(j.status.completion_time == at_ms(39'030));
  const auto complete = k.of(WorkloadEvent::kJobComplete);
  REQUIRE(complete.size() == 1);
  CHECK(complete[0].to == 5);
  CHECK(complete[0].t == at_ms(39'030));
}

TEST_CASE(
    "job: backoffLimit 2 fails the Job at the third failure; re-creation backs off 10 s, 20 s") {
  JobCluster k(2);
  // Each pod fails 1 s after it starts.
  k.c.fake->finishes = [](const Pod&) {
    return std::optional<Finish>({PodPhase::kFailed, Duration::seconds(1)});
  };
  Job spec = make_job("flaky", 1, 1);
  spec.backoff_limit = 2;
  const uint32_t job = k.create(spec);
  k.c.run_until(Duration::seconds(300));
  const auto pods = k.pods(job);
  REQUIRE(pods.size() == 3);
  // Pod 1: created 0, bound 0.005, Running at 2.005 (seen 2.010, which arms
  // the 1 s batch timer for 3.010), Failed at 3.005, seen 3.010 (the failure
  // time the back-off counts from). The batched sync at 3.010 runs after
  // that watch event, counts the failure (1 -> 10 s) and waits until
  // 3.010 + 10 = 13.010.
  CHECK(pods[0]->status.created == SimTime::zero());
  CHECK(pods[1]->status.created == at_ms(13'010));
  // Pod 2 fails at 13.010 + 3.005 = 16.015, seen and counted at 16.020;
  // 2 consecutive failures -> 20 s: pod 3 at 36.020.
  CHECK(pods[2]->status.created == at_ms(36'020));
  // Pod 3 fails at 39.025, seen and counted at 39.030: failed 3 > 2.
  const Job& j = k.c.objects.jobs[job];
  CHECK(j.status.failed == 3);
  CHECK(j.status.succeeded == 0);
  CHECK(j.status.active == 0);
  CHECK(j.status.failed_condition);
  CHECK_FALSE(j.status.complete);
  const auto failed = k.of(WorkloadEvent::kJobFailed);
  REQUIRE(failed.size() == 1);
  CHECK(failed[0].t == at_ms(39'030));
  CHECK(failed[0].to == 3);
  CHECK(k.of(WorkloadEvent::kJobComplete).empty());
}

TEST_CASE("job: a failed Job deletes its active pods and counts them failed") {
  JobCluster k(2);
  // The first pod fails after 1 s; the others would run for an hour.
  int started = 0;
  k.c.fake->finishes = [&](const Pod&) {
    if (++started == 1) return std::optional<Finish>({PodPhase::kFailed, Duration::seconds(1)});
    return std::optional<Finish>({PodPhase::kSucceeded, Duration::hours(1)});
  };
  Job spec = make_job("fragile", 3, 3);
  spec.backoff_limit = 0;
  const uint32_t job = k.create(spec);
  k.c.run_until(Duration::seconds(60));
  // One failure > backoffLimit 0: Failed; the two running pods are deleted
  // and, as job_controller.go says, "every non-terminated pod is considered
  // failed": 1 + 2 = 3.
  const Job& j = k.c.objects.jobs[job];
  CHECK(j.status.failed_condition);
  CHECK(j.status.failed == 3);
  CHECK(k.active(job) == 0);
  for (const Pod* p : k.pods(job))
    CHECK((p->status.deleted || p->phase == PodPhase::kFailed));
}

TEST_CASE("job: deleting the Job deletes its pods, finished ones included") {
  JobCluster k(2);
  k.c.fake->finishes = [](const Pod&) {
    return std::optional<Finish>({PodPhase::kSucceeded, Duration::seconds(1)});
  };
  const uint32_t job = k.create(make_job("batch", 2, 1));
  k.c.run_until(Duration::seconds(60));
  REQUIRE(k.c.objects.jobs[job].status.complete);
  REQUIRE(k.pods(job).size() == 2);
  k.c.api->remove<Job>(job);
  k.c.run_until(Duration::seconds(70));
  for (const Pod* p : k.pods(job))
    CHECK(p->status.deleted);
}
