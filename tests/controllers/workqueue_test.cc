#include <catch2/catch.hpp>

#include <vector>

#include "models/controllers/workqueue.h"

using namespace kubesim;

TEST_CASE("workqueue: several adds of one object in an instant cause one sync, in index order") {
  Simulation sim(1);
  std::vector<std::pair<int64_t, uint32_t>> synced;  // (time us, index)
  WorkQueue q(sim.context(), [&](uint32_t i) { synced.emplace_back(sim.now().count_micros(), i); });
  sim.schedule(Duration::seconds(1), [&] {
    q.add(3);
    q.add(1);
    q.add(3);
    q.add(2);
    q.add(1);
  });
  sim.run();
  // Five adds of {3, 1, 2} -> three syncs at t = 1 s, ascending.
  const std::vector<std::pair<int64_t, uint32_t>> want = {
      {1'000'000, 1}, {1'000'000, 2}, {1'000'000, 3}};
  CHECK(synced == want);
}

TEST_CASE("workqueue: an object added during its own sync is synced again in a new event") {
  Simulation sim(1);
  int syncs = 0;
  WorkQueue* qp = nullptr;
  WorkQueue q(sim.context(), [&](uint32_t i) {
    if (++syncs < 3) qp->add(i);
  });
  qp = &q;
  q.add(0);
  sim.run();
  CHECK(syncs == 3);
  CHECK(sim.now() == SimTime::zero());
}

TEST_CASE("workqueue: add_at keeps one timer per object, the earliest") {
  Simulation sim(1);
  std::vector<int64_t> at;  // sync times, seconds
  WorkQueue q(sim.context(), [&](uint32_t) { at.push_back(sim.now().count_micros() / 1'000'000); });
  q.add_at(2, SimTime::zero() + Duration::seconds(10));
  q.add_at(2, SimTime::zero() + Duration::seconds(5));   // earlier: replaces 10 s
  q.add_at(2, SimTime::zero() + Duration::seconds(20));  // later: dropped
  CHECK(q.timer_at(2) == SimTime::zero() + Duration::seconds(5));
  q.add_at(4, SimTime::zero() + Duration::seconds(7));  // another object: its own timer
  sim.run();
  CHECK(at == std::vector<int64_t>{5, 7});
}

TEST_CASE("workqueue: PodsByOwner records a pod once, under its owner of the right kind") {
  ClusterObjects objects;
  Pod a;
  a.owner = OwnerRef{"ReplicaSet", "web", 2};
  Pod b;
  b.owner = OwnerRef{"Job", "batch", 2};
  const PodId ia = objects.add_pod(a);
  objects.add_pod(b);
  PodsByOwner pods("ReplicaSet");
  CHECK(pods.add(objects.pods[0]));
  CHECK_FALSE(pods.add(objects.pods[0]));  // already recorded
  CHECK_FALSE(pods.add(objects.pods[1]));  // a Job's pod
  CHECK(pods.of(2) == std::vector<PodId>{ia});
  CHECK(pods.of(0).empty());
  objects.pods[0].status.deleted = true;
  pods.drop_deleted(2, objects);
  CHECK(pods.of(2).empty());
}
