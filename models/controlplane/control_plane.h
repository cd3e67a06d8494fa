// ControlPlane: the control-plane replicas and their leader election
// (client-go tools/leaderelection/leaderelection.go, one Lease).
//
// Each replica runs kube-apiserver, kube-scheduler and kube-controller-
// manager. The API server answers while any replica is up; the scheduler and
// the controllers act only in the replica that holds the lease (the others
// are hot standbys). The components are told with set_leader(bool): false
// when the leader's replica crashes (the process is gone: queues, caches and
// timers with it), true when a replica acquires the lease (a new process
// starts leading: it lists everything from the API server and reconciles).
//
//   ControlPlane cp(sim.context(), scenario.runtime);
//   cp.add_component([&](bool l) { scheduler.set_leader(l); });
//   cp.start();        // t = 0: replica 0 holds the lease (it did before the run)
//   cp.crash(0);       // LeaderLost now; a standby acquires the lease later
//   cp.recover(-1);    // every crashed replica starts again
//
// Timing, as client-go does it (docs/control-plane.md works it through):
// - the leader renews the lease every retryPeriod (wait.Until, no jitter);
// - a standby tries every retryPeriod + jitter (wait.JitterUntil, factor
//   1.2: each wait is retryPeriod * (1 + 1.2 u), u uniform in [0, 1));
// - a try that finds the lease record changed since its last try remembers
//   the time (observedTime) and gives up; one that finds it unchanged takes
//   the lease if observedTime + leaseDurationSeconds <= now. A replica that
//   has just started has seen no record, so its first try only observes.
// - kube-scheduler and kube-controller-manager elect separately in
//   Kubernetes; kubesim runs one election for both (the same replica leads
//   both, and they stop and start together).
//
// Jitter is deterministic: u of a standby's j-th wait is a hash of (a number
// drawn once from the rng stream "controlplane/election", the replica, its
// incarnation, j), so the waits do not depend on how many were computed.
//
// Lazy but exact (DESIGN.md): while the leader lives no standby can take the
// lease, so nothing is simulated. When the leader is gone, the first
// acquisition is computed by running the tries forward (a few per standby)
// and one event is scheduled then. With RuntimeConfig::naive_timers every
// renewal and try is an event. Both modes process the ticks of an instant in
// one pass (renewal first, then tries in replica order) that runs after the
// other events of that instant, so crash() and recover() at an instant
// precede its ticks: a leader crashing at a renewal instant does not renew.
// The records are identical in both modes.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "models/records.h"
#include "models/scenario/scenario.h"
#include "sim/simulation.h"

namespace kubesim {

// client-go NewLeaderElector's checks (leaseDuration > renewDeadline >
// JitterFactor * retryPeriod > 0), plus a lease of at least 1 s (the Lease
// records whole seconds) and at least one replica. Empty when valid.
std::string leader_election_config_error(const RuntimeConfig& config);

class ControlPlane {
 public:
  // leaderelection.go JitterFactor.
  static constexpr double kJitterFactor = 1.2;

  // The configuration must be valid (leader_election_config_error); throws
  // std::invalid_argument otherwise. `jitter_factor` 0 gives standbys
  // exactly retryPeriod between tries (tests derive instants by hand).
  ControlPlane(Context ctx, const RuntimeConfig& config, double jitter_factor = kJitterFactor);
  ControlPlane(const ControlPlane&) = delete;
  ControlPlane& operator=(const ControlPlane&) = delete;

  // A component that runs only in the leader (scheduler, controllers),
  // called in registration order. Components start as leaders: their own
  // start() at t = 0 is the first leader's initial list.
  void add_component(std::function<void(bool has_leader)> set_leader);

  // t = 0: every replica is up, replica 0 holds the lease (no record: it
  // did before the run) and renews it from now; the standbys first try now.
  void start();
  // The replica's machine crashes (-1: every replica that is up): a
  // ControlPlaneReplicaCrashed record each; if it held the lease, LeaderLost
  // and the components stop. Out of range or already down: nothing.
  void crash(int32_t replica);
  // The replica starts again (-1: every crashed replica), as a new process
  // (a new identity): ControlPlaneReplicaRecovered; its first try is now.
  void recover(int32_t replica);

  bool has_leader() const { return state_.leader >= 0; }
  int32_t leader() const { return state_.leader; }  // -1: none
  // The API server runs on every replica: false only when all are down.
  bool api_available() const;
  int32_t replicas() const { return static_cast<int32_t>(state_.replicas.size()); }
  bool replica_up(int32_t replica) const;
  // Election passes run as events so far (naive mode: every tick instant).
  uint64_t passes() const { return passes_; }

 private:
  // A point in the order of events of the election: an instant, and the
  // position in that instant's pass (0: the renewal, 1 + r: replica r's try).
  struct Point {
    SimTime t = SimTime::zero();
    int32_t order = -1;  // -1: none (nothing seen yet)
    bool operator<(const Point& o) const {
      if (order < 0 || o.order < 0) return order < 0 && o.order >= 0;
      return t != o.t ? t < o.t : order < o.order;
    }
  };
  struct Replica {
    bool up = false;
    uint32_t incarnation = 0;
    uint64_t jitter_key = 0;
    int64_t tries = 0;  // tries made by this incarnation
    SimTime next_try;
    Point seen;           // the last change of the lease record it observed
    SimTime observed_at;  // client-go observedTime
  };
  struct Election {
    std::vector<Replica> replicas;
    int32_t leader = -1;
    SimTime next_renew;
    Point last_change;  // of the lease record (acquisition or renewal)
  };

  // The instant of the next renewal or try; SimTime::max() if none.
  static SimTime next_tick(const Election& e);
  // Runs the ticks of instant t; returns the replica that acquired the
  // lease, or -1.
  int32_t run_pass(Election& e, SimTime t) const;
  Duration wait_after(const Replica& r, int64_t try_index) const;
  void start_incarnation(int32_t replica, SimTime now);
  // Runs the passes of every instant before t (they saw nothing decisive).
  void catch_up(SimTime t);
  // (Re)schedules the next pass: naive, the next tick; lazy, the next
  // acquisition (none while a leader lives).
  void reschedule();
  void on_pass();
  void notify(bool has_leader);
  void publish(ControlPlaneEvent e, int32_t replica, std::string_view detail = {});

  Context ctx_;
  Duration lease_;  // leaseDurationSeconds as the Lease records it
  Duration retry_;
  double jitter_factor_;
  bool naive_;
  uint64_t jitter_base_;
  Election state_;
  std::vector<std::function<void(bool)>> components_;
  EventToken pending_;
  uint64_t passes_ = 0;
  bool started_ = false;
};

}  // namespace kubesim
