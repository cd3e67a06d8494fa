// ControlPlane: replicas and leader election in simulated time
// (client-go tools/leaderelection/leaderelection.go). Default timings:
// lease 15 s, renew deadline 10 s, retry 2 s. With jitter 0 a standby tries
// exactly every 2 s, so the instants below are derived by hand; with
// client-go's jitter 1.2 each wait is in [2 s, 4.4 s).
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "models/controlplane/control_plane.h"
#include "sim/random.h"
#include "sim/simulation.h"

namespace kubesim {
namespace {

struct Rec {
  int64_t us;
  ControlPlaneEvent event;
  int32_t replica;
  bool operator==(const Rec&) const = default;
};

// A control plane with a recorded component, in a simulation of its own.
struct Fixture {
  Simulation sim{11};
  std::unique_ptr<ControlPlane> cp;
  std::vector<Rec> records;
  std::vector<std::pair<int64_t, bool>> notified;  // (us, has_leader)

  explicit Fixture(int32_t replicas, double jitter = 0, bool naive = false,
                   RuntimeConfig config = {}) {
    config.control_plane_replicas = replicas;
    config.naive_timers = naive;
    cp = std::make_unique<ControlPlane>(sim.context(), config, jitter);
    cp->add_component([this](bool l) { notified.emplace_back(sim.now().count_micros(), l); });
    sim.bus().topic<ControlPlaneRecord>().subscribe([this](const ControlPlaneRecord& r) {
      records.push_back({r.t.count_micros(), r.event, r.replica});
    });
    cp->start();
  }
  void at(Duration d, std::function<void()> f) {
    sim.schedule_at(SimTime::zero() + d,
                    [f = std::make_shared<std::function<void()>>(std::move(f))] { (*f)(); });
  }
  void run_until(Duration d) { sim.run_until(SimTime::zero() + d); }
  // Time of the first record of `e`, in microseconds (-1 if none).
  int64_t first(ControlPlaneEvent e, int64_t after_us = -1) const {
    for (const Rec& r : records)
      if (r.event == e && r.us > after_us) return r.us;
    return -1;
  }
  int32_t elected_replica() const {
    for (const Rec& r : records)
      if (r.event == ControlPlaneEvent::kLeaderElected) return r.replica;
    return -1;
  }
};

constexpr int64_t kS = 1'000'000;

}  // namespace

TEST_CASE("controlplane: replica 0 leads from t = 0 without a record; the API is up") {
  Fixture f(3);
  f.run_until(Duration::minutes(10));
  CHECK(f.cp->has_leader());
  CHECK(f.cp->leader() == 0);
  CHECK(f.cp->api_available());
  CHECK(f.records.empty());
  CHECK(f.notified.empty());
  // Lazy: nothing to simulate while the leader lives.
  CHECK(f.cp->passes() == 0);
  CHECK(f.sim.events_processed() == 0);
}

TEST_CASE("controlplane: the leader's crash elects the first standby at the exact tick") {
  // Leader 0 renews at 0, 2, 4 s; the standbys try at 0, 2, 4, ... s and see
  // the record change at each try (renewal first within an instant), so
  // their observedTime is 4 s when the leader dies at 5 s. The record then
  // stays as it was: a try at t takes the lease once 4 + 15 <= t, i.e. at
  // the first try from 19 s on: 20 s. Replicas 1 and 2 both try at 20 s;
  // 1 goes first and acquires, 2 then sees the record changed.
  auto crash_at = GENERATE(Duration::seconds(5), Duration::seconds(6));
  // At 6 s (a renewal instant) the crash precedes the renewal: same result.
  Fixture f(3);
  f.at(crash_at, [&] { f.cp->crash(0); });
  f.run_until(Duration::seconds(19));
  CHECK_FALSE(f.cp->has_leader());
  CHECK(f.cp->api_available());  // replicas 1 and 2 still serve the API
  f.run_until(Duration::seconds(60));
  const int64_t c = crash_at.count_micros();
  CHECK(f.records == std::vector<Rec>{{c, ControlPlaneEvent::kReplicaCrashed, 0},
                                      {c, ControlPlaneEvent::kLeaderLost, 0},
                                      {20 * kS, ControlPlaneEvent::kLeaderElected, 1}});
  CHECK(f.notified == std::vector<std::pair<int64_t, bool>>{{c, false}, {20 * kS, true}});
  CHECK(f.cp->leader() == 1);
  // One pass, at 20 s (lazy).
  CHECK(f.cp->passes() == 1);
}

TEST_CASE("controlplane: a crash just before a renewal: the standbys saw the previous one") {
  // Crash at 3.999999 s: the last renewal was at 2 s (seen by the tries at
  // 2 s), so the lease is taken at the first try from 17 s on: 18 s.
  Fixture f(3);
  f.at(Duration::micros(3'999'999), [&] { f.cp->crash(0); });
  f.run_until(Duration::seconds(60));
  CHECK(f.first(ControlPlaneEvent::kLeaderElected) == 18 * kS);
}

TEST_CASE("controlplane: all replicas crash; the first to recover leads a lease later") {
  // Every replica crashes at 5 s: no API server, no leader. Replica 2
  // recovers at 30 s; as a new process it has seen no record, so its first
  // try (30 s) only observes it: observedTime 30 s. It takes the lease at its
  // first try from 30 + 15 = 45 s on: tries at 30, 32, ..., 44, 46 -> 46 s.
  Fixture f(3);
  f.at(Duration::seconds(5), [&] { f.cp->crash(-1); });
  f.at(Duration::seconds(30), [&] { f.cp->recover(2); });
  f.run_until(Duration::seconds(29));
  CHECK_FALSE(f.cp->api_available());
  CHECK_FALSE(f.cp->has_leader());
  f.run_until(Duration::seconds(45));
  CHECK(f.cp->api_available());
  CHECK_FALSE(f.cp->has_leader());
  f.run_until(Duration::seconds(120));
  const std::vector<Rec> want{{5 * kS, ControlPlaneEvent::kReplicaCrashed, 0},
                              {5 * kS, ControlPlaneEvent::kLeaderLost, 0},
                              {5 * kS, ControlPlaneEvent::kReplicaCrashed, 1},
                              {5 * kS, ControlPlaneEvent::kReplicaCrashed, 2},
                              {30 * kS, ControlPlaneEvent::kReplicaRecovered, 2},
                              {46 * kS, ControlPlaneEvent::kLeaderElected, 2}};
  CHECK(f.records == want);
  CHECK(f.cp->leader() == 2);
}

TEST_CASE("controlplane: a single replica restarted leads a lease after its restart") {
  // One replica (the default): crash at 10 s, recover at 12.5 s: tries at
  // 12.5, 14.5, ..., 26.5 (< 27.5), 28.5 s -> leader at 28.5 s.
  Fixture f(1);
  f.at(Duration::seconds(10), [&] { f.cp->crash(0); });
  f.at(Duration::millis(12'500), [&] { f.cp->recover(-1); });
  f.run_until(Duration::seconds(60));
  CHECK(f.first(ControlPlaneEvent::kLeaderElected) == 28'500'000);
  CHECK(f.notified == std::vector<std::pair<int64_t, bool>>{{10 * kS, false}, {28'500'000, true}});
}

TEST_CASE("controlplane: a standby's crash or a recovery while a leader lives changes nothing") {
  Fixture f(3);
  f.at(Duration::seconds(7), [&] { f.cp->crash(2); });
  f.at(Duration::seconds(40), [&] { f.cp->recover(2); });
  f.at(Duration::seconds(41), [&] { f.cp->recover(1); });  // up: nothing
  f.at(Duration::seconds(42), [&] { f.cp->crash(7); });    // no such replica
  f.run_until(Duration::minutes(5));
  CHECK(f.records == std::vector<Rec>{{7 * kS, ControlPlaneEvent::kReplicaCrashed, 2},
                                      {40 * kS, ControlPlaneEvent::kReplicaRecovered, 2}});
  CHECK(f.notified.empty());
  CHECK(f.cp->leader() == 0);
}

TEST_CASE("controlplane: a standby that crashed and recovered during the wait starts over") {
  // Leader 0 crashes at 5 s (last renewal 4 s). Replica 1 crashes at 9 s and
  // recovers at 10 s: it observes at 10 s and could lead from 25 s on (26 s).
  // Replica 2 saw the 4 s renewal and leads at 20 s.
  Fixture f(3);
  f.at(Duration::seconds(5), [&] { f.cp->crash(0); });
  f.at(Duration::seconds(9), [&] { f.cp->crash(1); });
  f.at(Duration::seconds(10), [&] { f.cp->recover(1); });
  f.run_until(Duration::seconds(60));
  CHECK(f.first(ControlPlaneEvent::kLeaderElected) == 20 * kS);
  CHECK(f.elected_replica() == 2);
  SECTION("and if the other one crashes too, the restarted one leads at 26 s") {
    Fixture g(3);
    g.at(Duration::seconds(5), [&] { g.cp->crash(0); });
    g.at(Duration::seconds(9), [&] { g.cp->crash(1); });
    g.at(Duration::seconds(10), [&] { g.cp->recover(1); });
    g.at(Duration::seconds(19), [&] { g.cp->crash(2); });
    g.run_until(Duration::seconds(60));
    CHECK(g.first(ControlPlaneEvent::kLeaderElected) == 26 * kS);
    CHECK(g.elected_replica() == 1);
  }
}

TEST_CASE("controlplane: a new leader that dies at once: the standbys wait from its acquisition") {
  // Replica 1 acquires at 20 s (as above) and crashes at 21 s, before its
  // first renewal (22 s). Replica 2 tried at 20 s after the acquisition and
  // observed it: it leads at the first try from 35 s on: 36 s.
  Fixture f(3);
  f.at(Duration::seconds(5), [&] { f.cp->crash(0); });
  f.at(Duration::seconds(21), [&] { f.cp->crash(1); });
  f.run_until(Duration::seconds(60));
  CHECK(f.records == std::vector<Rec>{{5 * kS, ControlPlaneEvent::kReplicaCrashed, 0},
                                      {5 * kS, ControlPlaneEvent::kLeaderLost, 0},
                                      {20 * kS, ControlPlaneEvent::kLeaderElected, 1},
                                      {21 * kS, ControlPlaneEvent::kReplicaCrashed, 1},
                                      {21 * kS, ControlPlaneEvent::kLeaderLost, 1},
                                      {36 * kS, ControlPlaneEvent::kLeaderElected, 2}});
}

TEST_CASE("controlplane: with client-go's jitter the standbys take over within the bounds") {
  // Leader crash at 5 s, last renewal 4 s. A standby's first try from 4 s
  // on is in [4, 8.4) s (waits in [2, 4.4) s): its observedTime. It then
  // acquires at its first try from observedTime + 15 s on, in
  // [19, 8.4 + 15 + 4.4) = [19, 27.8) s.
  for (uint64_t seed = 1; seed <= 50; ++seed) {
    Simulation sim(seed);
    RuntimeConfig config;
    config.control_plane_replicas = 3;
    ControlPlane cp(sim.context(), config);
    int64_t elected = -1;
    sim.bus().topic<ControlPlaneRecord>().subscribe([&](const ControlPlaneRecord& r) {
      if (r.event == ControlPlaneEvent::kLeaderElected) elected = r.t.count_micros();
    });
    cp.start();
    sim.schedule_at(SimTime::zero() + Duration::seconds(5), [&] { cp.crash(0); });
    sim.run_until(SimTime::zero() + Duration::seconds(60));
    INFO("seed " << seed);
    CHECK(elected >= 19 * kS);
    CHECK(elected < 27'800'000);
    CHECK(cp.leader() > 0);
  }
}

TEST_CASE("controlplane: naive timers simulate every tick with the same records") {
  // 3 replicas, no jitter: every tick falls on an even second, one pass
  // each: 0, 2, ..., 60 s -> 31 passes; lazy: none.
  Fixture lazy(3);
  Fixture naive(3, 0, /*naive=*/true);
  lazy.run_until(Duration::seconds(60));
  naive.run_until(Duration::seconds(60));
  CHECK(lazy.cp->passes() == 0);
  CHECK(naive.cp->passes() == 31);
}

TEST_CASE(
    "controlplane: lazy and naive give identical records over random crashes and recoveries") {
  // Random sequences of crash/recover of one replica or all, at whole
  // seconds (colliding with the ticks when there is no jitter) or anywhere,
  // with and without jitter, 1 to 5 replicas.
  RandomStream rng(2024);
  int elections = 0;
  for (int trial = 0; trial < 300; ++trial) {
    const auto replicas = static_cast<int32_t>(1 + rng.uniform_int(5));
    const double jitter = rng.bernoulli(0.5) ? ControlPlane::kJitterFactor : 0.0;
    const bool whole_seconds = rng.bernoulli(0.5);
    struct Action {
      int64_t us;
      bool crash;
      int32_t replica;
    };
    std::vector<Action> actions;
    const int n = 1 + static_cast<int>(rng.uniform_int(20));
    for (int i = 0; i < n; ++i) {
      const int64_t us = whole_seconds ? static_cast<int64_t>(rng.uniform_int(300)) * kS
                                       : static_cast<int64_t>(rng.uniform_int(300 * kS));
      const auto r = static_cast<int32_t>(rng.uniform_int(static_cast<uint64_t>(replicas) + 1)) - 1;
      actions.push_back({us, rng.bernoulli(0.5), r});
    }
    auto run = [&](bool naive) {
      auto f = std::make_unique<Fixture>(replicas, jitter, naive);
      for (const Action& a : actions) {
        ControlPlane* cp = f->cp.get();
        f->at(Duration::micros(a.us), [cp, a] {
          if (a.crash) {
            cp->crash(a.replica);
          } else {
            cp->recover(a.replica);
          }
        });
      }
      // Everything comes back at the end, so every run ends with a leader.
      ControlPlane* cp = f->cp.get();
      f->at(Duration::seconds(301), [cp] { cp->recover(-1); });
      f->run_until(Duration::seconds(400));
      return f;
    };
    const auto lazy = run(false);
    const auto naive = run(true);
    INFO("trial " << trial << ", replicas " << replicas << ", jitter " << jitter);
    REQUIRE(lazy->records == naive->records);
    REQUIRE(lazy->notified == naive->notified);
    CHECK(lazy->cp->has_leader());
    CHECK(lazy->cp->passes() <= naive->cp->passes());
    for (const Rec& r : lazy->records)
      if (r.event == ControlPlaneEvent::kLeaderElected) ++elections;
  }
  CHECK(elections > 300);
}

TEST_CASE("controlplane: client-go's configuration checks") {
  RuntimeConfig c;
  CHECK(leader_election_config_error(c).empty());
  c.leader_renew_deadline = Duration::seconds(15);
  CHECK(leader_election_config_error(c) ==
        "leaseDuration (15s) must be greater than renewDeadline (15s)");
  c.leader_renew_deadline = Duration::millis(2400);
  CHECK(leader_election_config_error(c) ==
        "renewDeadline (2.4s) must be greater than retryPeriod*JitterFactor (2.4s)");
  c = RuntimeConfig{};
  c.control_plane_replicas = 0;
  CHECK_FALSE(leader_election_config_error(c).empty());
  c = RuntimeConfig{};
  c.leader_retry_period = Duration::zero();
  CHECK_FALSE(leader_election_config_error(c).empty());
  Simulation sim(1);
  CHECK_THROWS_AS(ControlPlane(sim.context(), c), std::invalid_argument);
}

TEST_CASE("controlplane: the Lease records whole seconds of leaseDuration") {
  // leaseDuration 15.9 s is written as leaseDurationSeconds 15: one replica
  // recovered at 10 s leads at the first try from 25 s on: 26 s.
  RuntimeConfig config;
  config.leader_lease_duration = Duration::millis(15'900);
  Fixture f(1, 0, false, config);
  f.at(Duration::seconds(1), [&] { f.cp->crash(0); });
  f.at(Duration::seconds(10), [&] { f.cp->recover(0); });
  f.run_until(Duration::seconds(60));
  CHECK(f.first(ControlPlaneEvent::kLeaderElected) == 26 * kS);
}

}  // namespace kubesim
