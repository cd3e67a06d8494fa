#include <catch2/catch.hpp>

#include <algorithm>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "models/controllers/deployment_controller.h"
#include "models/controllers/replica_set_controller.h"
#include "sim/random.h"
#include "tests/controllers/fake_cluster.h"

using namespace kubesim;
using kubesim::testing::Cluster;

namespace {

struct Record {
  SimTime t;
  WorkloadEvent event;
  std::string kind;
  std::string name;
  int64_t from;
  int64_t to;
};

// A cluster with the deployment and replica set controllers and a recorder
// of their WorkloadRecords.
struct DeploymentCluster {
  explicit DeploymentCluster(int nodes) : c(nodes), dc(*c.api), rsc(*c.api) {
    c.sim.bus().topic<WorkloadRecord>().subscribe([this](const WorkloadRecord& r) {
      records.push_back({r.t, r.event, std::string(r.kind), r.meta->name, r.from, r.to});
    });
  }
  uint32_t create(Deployment d) {
    const uint32_t i = c.api->create<Deployment>(std::move(d));
    dc.start();
    rsc.start();
    return i;
  }
  std::vector<Record> of(WorkloadEvent e) const {
    std::vector<Record> out;
    for (const Record& r : records)
      if (r.event == e) out.push_back(r);
    return out;
  }
  // The runtime's rollout: a new image, generation bumped.
  void set_image(uint32_t d, const std::string& image) {
    c.api->update<Deployment>(d, 0, [&](Deployment& x) {
      x.template_.spec.containers[0].image = image;
      ++x.metadata.generation;
    });
  }
  void scale(uint32_t d, int32_t replicas) {
    c.api->update<Deployment>(d, 0, [&](Deployment& x) {
      x.replicas = replicas;
      ++x.metadata.generation;
    });
  }
  const Deployment& deployment(uint32_t d) const { return c.objects.deployments[d]; }
  // The Deployment's ReplicaSets still in the store.
  std::vector<const ReplicaSet*> replica_sets(uint32_t d) const {
    std::vector<const ReplicaSet*> out;
    for (const ReplicaSet& r : c.objects.replica_sets)
      if (!r.metadata.deleted && r.metadata.owner.index == d) out.push_back(&r);
    return out;
  }
  const ReplicaSet* replica_set_for(uint32_t d, const std::string& image) const {
    for (const ReplicaSet* r : replica_sets(d))
      if (r->template_.spec.containers[0].image == image) return r;
    return nullptr;
  }
  // The Deployment's pods that have not begun terminating.
  int non_terminating(uint32_t d, const std::string& image = "") const {
    int n = 0;
    for (const Pod& p : c.objects.pods)
      if (owned(p, d) && !p.status.deleted && !p.status.terminating &&
          (image.empty() || p.spec.containers[0].image == image))
        ++n;
    return n;
  }
  int available(uint32_t d) const {
    const int32_t min_ready = deployment(d).min_ready_seconds;
    int n = 0;
    for (const Pod& p : c.objects.pods)
      if (owned(p, d) && pod_counts_for_owner(p) && pod_available(p, min_ready, c.sim.now())) ++n;
    return n;
  }
  bool owned(const Pod& p, uint32_t d) const {
    return p.owner.kind == "ReplicaSet" &&
           c.objects.replica_sets[p.owner.index].metadata.owner.index == d;
  }

  Cluster c;
  DeploymentController dc;
  ReplicaSetController rsc;
  std::vector<Record> records;
};

Deployment make_deployment(const std::string& name, int32_t replicas) {
  Deployment d;
  d.metadata.name = name;
  d.replicas = replicas;
  d.template_ = kubesim::testing::make_template(name, "app:v1");
  d.selector.match_labels = d.template_.metadata.labels;
  return d;
}

// Runs the rollout to `image` at `at`, checking after every simulation event
// and every pod record that the Deployment never has more than max_pods
// non-terminating pods nor, once it has first been fully available, fewer
// than min_available available pods. Returns {max pods seen, min available
// seen after first full availability}.
std::pair<int, int> checked_rollout(DeploymentCluster& k, uint32_t d, const std::string& image,
                                    Duration at, Duration until, int max_pods, int min_available) {
  struct Checker {
    const DeploymentCluster* k;
    uint32_t d;
    int max_pods, min_available;
    bool armed = true;
    bool fully_available = false;
    int seen_max = 0, seen_min = std::numeric_limits<int>::max();
    void operator()() {
      if (!armed) return;
      const int pods = k->non_terminating(d);
      const int avail = k->available(d);
      if (avail == k->deployment(d).replicas) fully_available = true;
      seen_max = std::max(seen_max, pods);
      REQUIRE(pods <= max_pods);
      if (fully_available) {
        seen_min = std::min(seen_min, avail);
        REQUIRE(avail >= min_available);
      }
    }
  };
  auto check = std::make_shared<Checker>(Checker{&k, d, max_pods, min_available});
  k.c.sim.bus().topic<PodRecord>().subscribe([check](const PodRecord&) { (*check)(); });
  k.c.sim.schedule_at(SimTime::zero() + at,
                      [&k, d, img = std::string(image)] { k.set_image(d, img); });
  k.c.run_checked(until, [check] { (*check)(); });
  check->armed = false;
  return {check->seen_max, check->seen_min};
}

}  // namespace

TEST_CASE("deployment: creates <name>-<pod-template-hash> at revision 1 and completes") {
  DeploymentCluster k(3);
  const uint32_t d = k.create(make_deployment("web", 4));
  k.c.run_until(Duration::seconds(10));
  const auto rss = k.replica_sets(d);
  REQUIRE(rss.size() == 1);
  const ReplicaSet& rs = *rss[0];
  const std::string hash = pod_template_hash(k.deployment(d).template_);
  CHECK(rs.metadata.name == "web-" + hash);
  CHECK(rs.template_.metadata.labels.at(kPodTemplateHashLabel) == hash);
  CHECK(rs.selector.match_labels.at(kPodTemplateHashLabel) == hash);
  CHECK(rs.metadata.annotations.at(kRevisionAnnotation) == "1");
  CHECK(rs.metadata.owner.kind == "Deployment");
  CHECK(rs.replicas == 4);
  int pods = 0;
  for (const Pod& p : k.c.objects.pods) {
    if (!k.owned(p, d)) continue;
    ++pods;
    CHECK(p.labels.at(kPodTemplateHashLabel) == hash);
    CHECK(p.name.rfind("web-" + hash + "-", 0) == 0);  // <rs-name>-xxxxx
  }
  CHECK(pods == 4);
  const Deployment::Status& st = k.deployment(d).status;
  CHECK(st.replicas == 4);
  CHECK(st.updated_replicas == 4);
  CHECK(st.ready_replicas == 4);
  CHECK(st.available_replicas == 4);
  CHECK(st.unavailable_replicas == 0);
  CHECK(st.revision == 1);
  CHECK(st.complete);
  CHECK(st.observed_generation == k.deployment(d).metadata.generation);
  CHECK(k.deployment(d).metadata.annotations.at(kRevisionAnnotation) == "1");

  const auto created = k.of(WorkloadEvent::kCreated);
  REQUIRE(created.size() == 1);
  CHECK(created[0].kind == "ReplicaSet");
  CHECK(created[0].to == 4);
  const auto started = k.of(WorkloadEvent::kRolloutStarted);
  REQUIRE(started.size() == 1);
  CHECK(started[0].from == 0);
  CHECK(started[0].to == 1);
  const auto complete = k.of(WorkloadEvent::kRolloutComplete);
  REQUIRE(complete.size() == 1);
  CHECK(complete[0].to == 1);
}

TEST_CASE("deployment: fenceposts as deployment_util.go ResolveFenceposts") {
  const IntOrPercent p0{0, true}, p25{25, true}, p39{39, true};
  // KUBERNETES.md: (10 replicas, 25%) -> surge 3 (2.5 up), unavailable 2 (2.5 down).
  CHECK(resolve_fenceposts(p25, p25, 10).max_surge == 3);
  CHECK(resolve_fenceposts(p25, p25, 10).max_unavailable == 2);
  // deployment_util_test.go TestResolveFenceposts: ("39%", "39%", 10) -> 4, 3
  // (3.9 up and down) and ("0%", "0%", 0) -> 0, 1.
  CHECK(resolve_fenceposts(p39, p39, 10).max_surge == 4);
  CHECK(resolve_fenceposts(p39, p39, 10).max_unavailable == 3);
  CHECK(resolve_fenceposts(p0, p0, 0).max_surge == 0);
  CHECK(resolve_fenceposts(p0, p0, 0).max_unavailable == 1);
  // Integers are taken as they are; 25% of 3 = 0.75 rounds down to 0, so
  // with maxSurge 0 the fencepost rule makes maxUnavailable 1.
  CHECK(resolve_fenceposts({2, false}, {0, false}, 10).max_surge == 2);
  CHECK(resolve_fenceposts({2, false}, {0, false}, 10).max_unavailable == 0);
  CHECK(resolve_fenceposts(p0, p25, 3).max_unavailable == 1);
  // MaxUnavailable is capped at replicas (deployment_util.go MaxUnavailable).
  Deployment d;
  d.replicas = 3;
  d.max_surge = {0, false};
  d.max_unavailable = {10, false};
  CHECK(max_unavailable(d) == 3);
  d.recreate = true;
  CHECK(max_surge(d) == 0);
  CHECK(max_unavailable(d) == 0);
}

TEST_CASE("deployment: pod-template-hash is FNV-1a 32 in decimal, safe-encoded") {
  // rand.SafeEncodeString maps byte b to alphabet[b % 27]: '0' (48) -> 48 %
  // 27 = 21 -> '4', ..., '5' (53) -> 26 -> '9', '6' (54) -> 0 -> 'b', '9' ->
  // 3 -> 'f'.
  CHECK(safe_encode_string("0123456789") == "456789bcdf");
  PodTemplate t = kubesim::testing::make_template("web", "app:v1");
  const std::string h = pod_template_hash(t);
  CHECK(h == pod_template_hash(t));  // deterministic
  CHECK(h.size() >= 1);
  CHECK(h.size() <= 10);  // a uint32 has at most 10 decimal digits
  PodTemplate labelled = t;
  labelled.metadata.labels[kPodTemplateHashLabel] = h;
  CHECK(pod_template_hash(labelled) == h);  // EqualIgnoreHash
  PodTemplate v2 = t;
  v2.spec.containers[0].image = "app:v2";
  CHECK(pod_template_hash(v2) != h);
  PodTemplate tolerant = t;
  tolerant.spec.tolerations.push_back(Toleration{"k", TolerationOp::kExists, "", {}, {}});
  CHECK(pod_template_key(tolerant) != pod_template_key(t));
}

TEST_CASE(
    "deployment: rolling update of 10 replicas at 25%/25% stays within surge 3, unavailable 2") {
  DeploymentCluster k(4);
  const uint32_t d = k.create(make_deployment("web", 10));
  // Fenceposts (10, 25%, 25%) -> surge 3, unavailable 2: at most 13 pods,
  // at least 8 available once the Deployment has been fully available.
  const auto [seen_max, seen_min] =
      checked_rollout(k, d, "app:v2", Duration::seconds(30), Duration::seconds(200), 13, 8);
  // rolling.go's own example: the new ReplicaSet starts at 3 while the old
  // one goes to 8, then the new one to 5 (13 pods), so both bounds are
  // reached exactly.
  CHECK(seen_max == 13);
  CHECK(seen_min == 8);
  CHECK(k.non_terminating(d, "app:v2") == 10);
  CHECK(k.non_terminating(d, "app:v1") == 0);
  const Deployment::Status& st = k.deployment(d).status;
  CHECK(st.revision == 2);
  CHECK(st.updated_replicas == 10);
  CHECK(st.available_replicas == 10);
  CHECK(st.complete);
  CHECK(k.replica_set_for(d, "app:v1")->replicas == 0);
  const auto started = k.of(WorkloadEvent::kRolloutStarted);
  REQUIRE(started.size() == 2);
  CHECK(started[1].from == 1);
  CHECK(started[1].to == 2);
  CHECK(started[1].t == SimTime::zero() + Duration::seconds(30) + Duration::millis(5));
  const auto complete = k.of(WorkloadEvent::kRolloutComplete);
  REQUIRE(complete.size() == 2);
  CHECK(complete[1].to == 2);
  // The first scaling: the new ReplicaSet created at 3, the old scaled 10 -> 8.
  const auto created = k.of(WorkloadEvent::kCreated);
  REQUIRE(created.size() == 2);
  CHECK(created[1].to == 3);
  const auto scaled = k.of(WorkloadEvent::kScaled);
  REQUIRE(!scaled.empty());
  CHECK(scaled[0].from == 10);
  CHECK(scaled[0].to == 8);
}

TEST_CASE("deployment: the surge and availability bounds hold with uneven pod start times") {
  // Pods take 1 ms to 3 s to start and 1 ms to 2 s to stop (a fixed random
  // stream per seed), so ReplicaSet statuses lag the Deployment's decisions
  // by different amounts. 20 replicas at 25%/25%: surge 5, unavailable 5.
  const uint64_t seed = GENERATE(range(1, 9));
  const int32_t min_ready = GENERATE(0, 3);
  CAPTURE(seed, min_ready);
  DeploymentCluster k(5);
  RandomStream rng(seed);
  k.c.fake->start_delay_for = [&rng](const Pod&) {
    return Duration::millis(1 + static_cast<int64_t>(rng.uniform_int(3000)));
  };
  k.c.fake->stop_delay_for = [&rng](const Pod&) {
    return Duration::millis(1 + static_cast<int64_t>(rng.uniform_int(2000)));
  };
  Deployment spec = make_deployment("web", 20);
  spec.min_ready_seconds = min_ready;
  const uint32_t d = k.create(spec);
  checked_rollout(k, d, "app:v2", Duration::seconds(30), Duration::seconds(300), 25, 15);
  CHECK(k.non_terminating(d, "app:v2") == 20);
  CHECK(k.deployment(d).status.complete);
}

TEST_CASE("deployment: maxSurge 0 and maxUnavailable 0 fenceposts hold during a rollout") {
  struct Case {
    int32_t replicas;
    IntOrPercent surge, unavailable;
    int max_pods, min_available;  // replicas + surge, replicas - unavailable
  };
  const Case cs = GENERATE(
      // both 0 -> maxUnavailable 1: never more than 3 pods, at least 2 available
      Case{3, {0, false}, {0, false}, 3, 2},
      // 0% and 25% of 3 = 0.75 -> 0: both 0 again -> unavailable 1
      Case{3, {0, true}, {25, true}, 3, 2},
      // surge 0, unavailable 1
      Case{4, {0, false}, {1, false}, 4, 3},
      // surge 1, unavailable 0: availability never drops
      Case{4, {1, false}, {0, false}, 5, 4});
  CAPTURE(cs.replicas, cs.max_pods, cs.min_available);
  DeploymentCluster k(3);
  Deployment spec = make_deployment("web", cs.replicas);
  spec.max_surge = cs.surge;
  spec.max_unavailable = cs.unavailable;
  const uint32_t d = k.create(spec);
  const auto [seen_max, seen_min] = checked_rollout(
      k, d, "app:v2", Duration::seconds(20), Duration::seconds(200), cs.max_pods, cs.min_available);
  CHECK(seen_max == cs.max_pods);
  CHECK(seen_min == cs.min_available);
  CHECK(k.non_terminating(d, "app:v2") == cs.replicas);
  CHECK(k.deployment(d).status.complete);
}

TEST_CASE("deployment: Recreate creates no new pod while an old one exists") {
  DeploymentCluster k(3);
  Deployment spec = make_deployment("web", 3);
  spec.recreate = true;
  const uint32_t d = k.create(spec);
  k.c.run_until(Duration::seconds(10));
  REQUIRE(k.non_terminating(d, "app:v1") == 3);
  int new_pods = 0;
  k.c.sim.bus().topic<PodRecord>().subscribe([&](const PodRecord& r) {
    if (r.event != PodEvent::kCreated || r.pod->spec.containers[0].image != "app:v2") return;
    ++new_pods;
    // recreate.go oldPodsRunning: every old pod is gone from the store.
    for (const Pod& p : k.c.objects.pods)
      if (k.owned(p, d) && p.spec.containers[0].image == "app:v1") CHECK(p.status.deleted);
  });
  k.set_image(d, "app:v2");
  k.c.run_until(Duration::seconds(30));
  CHECK(new_pods == 3);
  CHECK(k.non_terminating(d, "app:v2") == 3);
  CHECK(k.replica_set_for(d, "app:v1")->replicas == 0);
  // Recreate: the new ReplicaSet is created at full size (NewRSNewReplicas).
  const auto created = k.of(WorkloadEvent::kCreated);
  REQUIRE(created.size() == 2);
  CHECK(created[1].to == 3);
  CHECK(k.deployment(d).status.complete);
}

TEST_CASE("deployment: scaling mid-rollout scales the ReplicaSets proportionally") {
  DeploymentCluster k(4);
  // New pods never become ready, so the rollout stops where rolling.go's
  // example says: old 8, new 5 (13 = 10 + surge 3; 13 - 8 - 5 = 0 to scale
  // down).
  k.c.fake->becomes_ready = [](const Pod& p) { return p.spec.containers[0].image == "app:v1"; };
  const uint32_t d = k.create(make_deployment("web", 10));
  k.c.sim.schedule_at(SimTime::zero() + Duration::seconds(20), [&] { k.set_image(d, "app:v2"); });
  k.c.run_until(Duration::seconds(60));
  REQUIRE(k.replica_set_for(d, "app:v1")->replicas == 8);
  REQUIRE(k.replica_set_for(d, "app:v2")->replicas == 5);
  k.scale(d, 20);
  k.c.run_until(Duration::seconds(120));
  // sync.go scale: allowed = 20 + surge 5 (25% of 20) = 25, to add = 25 - 13
  // = 12. Sorted larger first: old (8): round(8 * 25 / 13 = 15.38) - 8 = +7;
  // new (5): round(5 * 25 / 13 = 9.62) - 5 = +5, min(5, 12 - 7) = 5. The
  // max-replicas annotation (13) is what both had before the scale.
  CHECK(k.replica_set_for(d, "app:v1")->replicas == 15);
  CHECK(k.replica_set_for(d, "app:v2")->replicas == 10);
  // Still stuck afterwards: 25 pods is the surge limit, and 25 - 15 - 10 = 0.
  CHECK(k.non_terminating(d) == 25);
  const auto& rs_old = *k.replica_set_for(d, "app:v1");
  CHECK(rs_old.metadata.annotations.at(kDesiredReplicasAnnotation) == "20");
  CHECK(rs_old.metadata.annotations.at(kMaxReplicasAnnotation) == "25");
}

TEST_CASE("deployment: revisionHistoryLimit removes the oldest empty ReplicaSets") {
  DeploymentCluster k(3);
  Deployment spec = make_deployment("web", 2);
  spec.revision_history_limit = 1;
  const uint32_t d = k.create(spec);
  for (int v = 2; v <= 4; ++v) {
    k.c.sim.schedule_at(SimTime::zero() + Duration::seconds(30 * (v - 1)),
                        [&k, d, v] { k.set_image(d, "app:v" + std::to_string(v)); });
  }
  k.c.run_until(Duration::seconds(150));
  // Four revisions; one old ReplicaSet is kept besides the new one, so
  // revisions 1 and 2 are deleted (sync.go cleanupDeployment, lowest first).
  const auto rss = k.replica_sets(d);
  REQUIRE(rss.size() == 2);
  std::vector<std::string> revisions;
  for (const ReplicaSet* r : rss)
    revisions.push_back(r->metadata.annotations.at(kRevisionAnnotation));
  std::sort(revisions.begin(), revisions.end());
  CHECK(revisions == std::vector<std::string>{"3", "4"});
  const auto deleted = k.of(WorkloadEvent::kDeleted);
  REQUIRE(deleted.size() == 2);
  CHECK(k.deployment(d).status.revision == 4);
  CHECK(k.non_terminating(d, "app:v4") == 2);
}

TEST_CASE("deployment: ProgressDeadlineExceeded when new pods never become ready") {
  DeploymentCluster k(3);
  k.c.fake->becomes_ready = [](const Pod& p) { return p.spec.containers[0].image == "app:v1"; };
  Deployment spec = make_deployment("web", 4);
  spec.progress_deadline_seconds = 30;
  const uint32_t d = k.create(spec);
  k.c.sim.schedule_at(SimTime::zero() + Duration::seconds(20), [&] { k.set_image(d, "app:v2"); });
  k.c.run_until(Duration::seconds(200));
  const auto exceeded = k.of(WorkloadEvent::kProgressDeadlineExceeded);
  REQUIRE(exceeded.size() == 1);  // published once
  const Deployment::Status& st = k.deployment(d).status;
  CHECK(st.progress_deadline_exceeded);
  CHECK_FALSE(st.complete);
  // progress.go: the last progress is the new ReplicaSet's second pod being
  // counted. The template changes at 20 s; the Deployment syncs at 20.005
  // (watch latency 5 ms), creating the new ReplicaSet at 1 and scaling the
  // old 4 -> 3; the ReplicaSet controller acts at 20.010; the Deployment sees
  // updated 1 at 20.015 (progress) and scales the new one to 2. At 20.020 the
  // ReplicaSet controller (woken first, by the binding of the first new pod)
  // creates the second pod before the Deployment syncs and sees updated 2
  // (progress, at 20.020). requeueStuckDeployment re-syncs at lastUpdateTime
  // + 30 s + 1 s = 51.020 s, when 20.020 + 30 < now: timed out.
  CHECK(exceeded[0].t == SimTime::zero() + Duration::millis(51'020));
  CHECK(st.last_progress == exceeded[0].t);  // the condition's lastUpdateTime
  // Availability was kept: 4 - maxUnavailable 1 = 3 old pods still serve.
  CHECK(k.available(d) == 3);
  CHECK(k.of(WorkloadEvent::kRolloutComplete).size() == 1);  // revision 1 only
}

TEST_CASE("deployment: deleting the Deployment deletes its ReplicaSets and pods") {
  DeploymentCluster k(3);
  const uint32_t d = k.create(make_deployment("web", 3));
  k.c.run_until(Duration::seconds(10));
  REQUIRE(k.non_terminating(d) == 3);
  k.c.api->remove<Deployment>(d);
  k.c.run_until(Duration::seconds(15));
  CHECK(k.replica_sets(d).empty());
  for (const Pod& p : k.c.objects.pods)
    CHECK(p.status.deleted);
}
