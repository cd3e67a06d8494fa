#include <catch2/catch.hpp>

#include <regex>

#include "models/controllers/replica_set_controller.h"
#include "tests/controllers/fake_cluster.h"

using namespace kubesim;
using kubesim::testing::Cluster;

namespace {

ReplicaSet make_rs(const std::string& name, int32_t replicas) {
  ReplicaSet rs;
  rs.metadata.name = name;
  rs.replicas = replicas;
  rs.template_ = kubesim::testing::make_template(name, "app:v1");
  rs.selector.match_labels = rs.template_.metadata.labels;
  return rs;
}

// The ReplicaSet's pods that count for it (FilterActivePods).
std::vector<const Pod*> active_pods(const ClusterObjects& objects, uint32_t rs) {
  std::vector<const Pod*> out;
  for (const Pod& p : objects.pods)
    if (p.owner.kind == "ReplicaSet" && p.owner.index == rs && pod_counts_for_owner(p))
      out.push_back(&p);
  return out;
}

void scale(ApiServer& api, uint32_t rs, int32_t replicas) {
  api.update<ReplicaSet>(rs, 0, [&](ReplicaSet& r) {
    r.replicas = replicas;
    ++r.metadata.generation;
  });
}

}  // namespace

TEST_CASE("replicaset: scales up to spec.replicas with pods named <rs>-xxxxx, then down") {
  Cluster c(3);
  ReplicaSetController rsc(*c.api);
  const uint32_t rs = c.api->create<ReplicaSet>(make_rs("web", 5));
  rsc.start();
  // Pods are created at t = 0 (start), bound at 5 ms (watch latency) and
  // ready at 2.005 s (FakeNodes start_delay); the status follows 5 ms later.
  c.run_until(Duration::seconds(5));
  const auto pods = active_pods(c.objects, rs);
  REQUIRE(pods.size() == 5);
  // names.SimpleNameGenerator: "web-" + 5 characters of the safe alphabet.
  const std::regex name("web-[bcdfghjklmnpqrstvwxz2456789]{5}");
  for (const Pod* p : pods) {
    CHECK(std::regex_match(p->name, name));
    CHECK(p->owner.name == "web");
    CHECK(p->labels.at("app") == "web");
    CHECK(p->spec.containers.at(0).image == "app:v1");
  }
  const ReplicaSet& r = c.objects.replica_sets[rs];
  CHECK(r.status.replicas == 5);
  CHECK(r.status.ready_replicas == 5);
  CHECK(r.status.available_replicas == 5);
  CHECK(r.status.observed_generation == r.metadata.generation);

  scale(*c.api, rs, 2);
  c.run_until(Duration::seconds(10));
  CHECK(active_pods(c.objects, rs).size() == 2);
  CHECK(c.objects.replica_sets[rs].status.replicas == 2);
  // The 3 deleted pods were removed by the kubelet (stop_delay 1 s).
  int removed = 0;
  for (const Pod& p : c.objects.pods)
    removed += p.status.deleted ? 1 : 0;
  CHECK(removed == 3);
}

TEST_CASE("replicaset: deletion order follows Kubernetes' ActivePods ranking") {
  // controller_utils.go ActivePods.Less, criterion by criterion.
  ClusterObjects objects;
  auto add = [&](bool bound, PodPhase phase, bool ready, int64_t ready_s, int32_t restarts,
                 int64_t created_s) {
    Pod p;
    if (bound) p.node = NodeId{0};
    p.phase = phase;
    p.status.ready = ready;
    p.status.ready_since = SimTime::zero() + Duration::seconds(ready_s);
    p.status.restarts = restarts;
    p.status.created = SimTime::zero() + Duration::seconds(created_s);
    return objects.add_pod(p);
  };
  const PodId e = add(true, PodPhase::kRunning, true, 50, 0, 1);   // longest ready, oldest
  const PodId g = add(true, PodPhase::kRunning, true, 50, 0, 2);   // as E but newer
  const PodId f = add(true, PodPhase::kRunning, true, 50, 2, 1);   // as E but 2 restarts
  const PodId d = add(true, PodPhase::kRunning, true, 100, 0, 1);  // ready more recently
  const PodId cc = add(true, PodPhase::kRunning, false, 0, 0, 1);  // running, not ready
  const PodId u = add(true, PodPhase::kUnknown, false, 0, 0, 1);   // phase Unknown
  const PodId b = add(true, PodPhase::kPending, false, 0, 0, 1);   // bound, pending
  const PodId a = add(false, PodPhase::kPending, false, 0, 0, 1);  // unassigned
  std::vector<PodId> ids = {e, g, f, d, cc, u, b, a};
  sort_for_deletion(ids, objects);
  // Unassigned < Pending < Unknown < Running; not ready < ready; ready more
  // recently first; more restarts first; newer first.
  const std::vector<PodId> want = {a, b, u, cc, d, f, g, e};
  CHECK(ids == want);
}

TEST_CASE("replicaset: scaling down deletes the pod that is not ready first") {
  Cluster c(2);
  // The third pod created never becomes ready.
  int started = 0;
  c.fake->becomes_ready = [&](const Pod&) { return ++started != 3; };
  ReplicaSetController rsc(*c.api);
  const uint32_t rs = c.api->create<ReplicaSet>(make_rs("web", 4));
  rsc.start();
  c.run_until(Duration::seconds(5));
  REQUIRE(c.objects.replica_sets[rs].status.ready_replicas == 3);
  scale(*c.api, rs, 3);
  c.run_until(Duration::seconds(10));
  const auto pods = active_pods(c.objects, rs);
  REQUIRE(pods.size() == 3);
  for (const Pod* p : pods)
    CHECK(p->status.ready);
}

TEST_CASE("replicaset: available waits minReadySeconds and is updated at that instant") {
  Cluster c(2);
  ReplicaSetController rsc(*c.api);
  ReplicaSet spec = make_rs("web", 3);
  spec.min_ready_seconds = 10;
  const uint32_t rs = c.api->create<ReplicaSet>(spec);
  rsc.start();
  // Created at 0, bound at 0.005 s, ready at 0.005 + 2 = 2.005 s, so
  // available at 2.005 + 10 = 12.005 s, when the ReplicaSet re-syncs.
  c.run_until(Duration::micros(12'004'999));
  CHECK(c.objects.replica_sets[rs].status.ready_replicas == 3);
  CHECK(c.objects.replica_sets[rs].status.available_replicas == 0);
  c.run_until(Duration::micros(12'005'000));
  CHECK(c.objects.replica_sets[rs].status.available_replicas == 3);
}

TEST_CASE("replicaset: creates at most burstReplicas (500) pods per sync") {
  Cluster c(8);  // 8 x 110 pods
  ReplicaSetController rsc(*c.api);
  const uint32_t rs = c.api->create<ReplicaSet>(make_rs("big", 600));
  rsc.start();
  c.run_until(Duration::zero());  // the first sync, at t = 0
  CHECK(active_pods(c.objects, rs).size() == 500);
  // The pods' Added events (5 ms) trigger the next sync: the other 100.
  c.run_until(Duration::millis(5));
  CHECK(active_pods(c.objects, rs).size() == 600);
}

TEST_CASE("replicaset: deleting the ReplicaSet deletes its pods (garbage collector)") {
  Cluster c(2);
  ReplicaSetController rsc(*c.api);
  const uint32_t rs = c.api->create<ReplicaSet>(make_rs("web", 3));
  rsc.start();
  c.run_until(Duration::seconds(5));
  REQUIRE(active_pods(c.objects, rs).size() == 3);
  c.api->remove<ReplicaSet>(rs);
  // Watch 5 ms, graceful deletion, kubelet removal 1 s later.
  c.run_until(Duration::seconds(7));
  for (const Pod& p : c.objects.pods)
    CHECK(p.status.deleted);
}
