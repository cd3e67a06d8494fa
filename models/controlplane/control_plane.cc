#include "models/controlplane/control_plane.h"

#include <cmath>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

#include "sim/random.h"

namespace kubesim {

std::string leader_election_config_error(const RuntimeConfig& c) {
  // client-go tools/leaderelection/leaderelection.go NewLeaderElector.
  if (c.control_plane_replicas < 1)
    return fmt::format("control-plane replicas must be at least 1, not {}",
                       c.control_plane_replicas);
  if (c.leader_retry_period <= Duration::zero()) return "retryPeriod must be greater than zero";
  if (c.leader_lease_duration <= c.leader_renew_deadline)
    return fmt::format("leaseDuration ({}) must be greater than renewDeadline ({})",
                       to_string(c.leader_lease_duration), to_string(c.leader_renew_deadline));
  const Duration jittered = Duration::micros(static_cast<int64_t>(
      ControlPlane::kJitterFactor * static_cast<double>(c.leader_retry_period.count_micros())));
  if (c.leader_renew_deadline <= jittered)
    return fmt::format("renewDeadline ({}) must be greater than retryPeriod*JitterFactor ({})",
                       to_string(c.leader_renew_deadline), to_string(jittered));
  // The Lease's spec.leaseDurationSeconds is whole seconds
  // (int(LeaseDuration / time.Second)): below 1 s it would be 0.
  if (c.leader_lease_duration < Duration::seconds(1))
    return fmt::format("leaseDuration ({}) must be at least 1s",
                       to_string(c.leader_lease_duration));
  return {};
}

ControlPlane::ControlPlane(Context ctx, const RuntimeConfig& config, double jitter_factor)
    : ctx_(ctx),
      lease_(Duration::seconds(config.leader_lease_duration / Duration::seconds(1))),
      retry_(config.leader_retry_period),
      jitter_factor_(jitter_factor),
      naive_(config.naive_timers),
      jitter_base_(ctx.rng("controlplane/election").next_u64()) {
  if (std::string error = leader_election_config_error(config); !error.empty())
    throw std::invalid_argument(error);
  state_.replicas.resize(static_cast<size_t>(config.control_plane_replicas));
}

void ControlPlane::add_component(std::function<void(bool has_leader)> set_leader) {
  components_.push_back(std::move(set_leader));
}

bool ControlPlane::api_available() const {
  for (const Replica& r : state_.replicas)
    if (r.up) return true;
  return false;
}

bool ControlPlane::replica_up(int32_t replica) const {
  return replica >= 0 && replica < replicas() && state_.replicas[static_cast<size_t>(replica)].up;
}

void ControlPlane::start_incarnation(int32_t replica, SimTime now) {
  Replica& r = state_.replicas[static_cast<size_t>(replica)];
  const uint32_t incarnation = r.incarnation + (started_ ? 1 : 0);
  r = Replica{};
  r.up = true;
  r.incarnation = incarnation;
  r.jitter_key =
      splitmix64(jitter_base_ ^ splitmix64((static_cast<uint64_t>(replica) << 32) | incarnation));
  r.next_try = now;  // wait.JitterUntil runs f at once
}

void ControlPlane::start() {
  const SimTime now = ctx_.now();
  for (int32_t i = 0; i < replicas(); ++i)
    start_incarnation(i, now);
  started_ = true;
  // Replica 0 held the lease before the run and renewed it now; the
  // standbys' first tries (now) observe that record.
  state_.leader = 0;
  state_.last_change = Point{now, 0};
  state_.next_renew = now + retry_;
  reschedule();
}

Duration ControlPlane::wait_after(const Replica& r, int64_t try_index) const {
  // apimachinery wait.Jitter(duration, maxFactor):
  // duration + rand.Float64() * maxFactor * duration.
  if (jitter_factor_ <= 0) return retry_;
  const uint64_t h =
      splitmix64(r.jitter_key ^ (static_cast<uint64_t>(try_index) * 0xD1B54A32D192ED03ULL));
  const double u = static_cast<double>(h >> 11) * 0x1.0p-53;
  const double extra = std::floor(u * jitter_factor_ * static_cast<double>(retry_.count_micros()));
  return retry_ + Duration::micros(static_cast<int64_t>(extra));
}

SimTime ControlPlane::next_tick(const Election& e) {
  SimTime t = SimTime::max();
  if (e.leader >= 0 && e.next_renew < t) t = e.next_renew;
  for (size_t i = 0; i < e.replicas.size(); ++i) {
    const Replica& r = e.replicas[i];
    if (r.up && static_cast<int32_t>(i) != e.leader && r.next_try < t) t = r.next_try;
  }
  return t;
}

int32_t ControlPlane::run_pass(Election& e, SimTime t) const {
  // The leader's renew loop (leaderelection.go renew: wait.Until every
  // RetryPeriod) rewrites renewTime: the record changes.
  if (e.leader >= 0 && e.next_renew == t) {
    e.last_change = Point{t, 0};
    e.next_renew = t + retry_;
  }
  int32_t acquired = -1;
  for (size_t i = 0; i < e.replicas.size(); ++i) {
    Replica& r = e.replicas[i];
    const auto id = static_cast<int32_t>(i);
    if (!r.up || id == e.leader || r.next_try != t) continue;
    // tryAcquireOrRenew: a record that differs from the one observed last
    // is observed now (setObservedRecord: observedTime = now) and is valid
    // for leaseDurationSeconds from now; an unchanged one is expired once
    // observedTime + leaseDurationSeconds is not after now (isLeaseValid).
    if (r.seen < e.last_change) {
      r.seen = e.last_change;
      r.observed_at = t;
    } else if (r.observed_at + lease_ <= t) {
      e.leader = id;
      e.last_change = Point{t, 1 + id};
      e.next_renew = t + retry_;  // renew() polls at once, then every RetryPeriod
      r.seen = e.last_change;
      r.observed_at = t;
      acquired = id;
      continue;
    }
    r.next_try = t + wait_after(r, r.tries);
    ++r.tries;
  }
  return acquired;
}

void ControlPlane::catch_up(SimTime t) {
  for (SimTime tick = next_tick(state_); tick < t; tick = next_tick(state_)) {
    // Nothing decisive happens here: acquisitions are passes of their own
    // (reschedule), which run before any later instant.
    if (const int32_t r = run_pass(state_, tick); r >= 0) {
      publish(ControlPlaneEvent::kLeaderElected, r);
      notify(true);
    }
  }
}

void ControlPlane::reschedule() {
  if (pending_.valid()) ctx_.cancel(pending_);
  pending_ = EventToken{};
  SimTime at = SimTime::max();
  if (naive_) {
    at = next_tick(state_);
  } else if (state_.leader < 0) {
    // The first acquisition, if nothing else happens: run the tries forward
    // on a copy (each standby acquires within leaseDuration + 2 waits).
    Election e = state_;
    for (SimTime t = next_tick(e); t != SimTime::max(); t = next_tick(e)) {
      if (run_pass(e, t) >= 0) {
        at = t;
        break;
      }
    }
  }
  if (at == SimTime::max()) return;
  // The pass runs two zero-delay hops after its instant's event, so that it
  // follows every event of that instant scheduled before it or by those
  // (a crash at the instant of a try precedes the try) in both modes.
  pending_ = ctx_.schedule_at(at, [this] {
    pending_ = ctx_.schedule(Duration::zero(), [this] {
      pending_ = ctx_.schedule(Duration::zero(), [this] { on_pass(); });
    });
  });
}

void ControlPlane::on_pass() {
  pending_ = EventToken{};
  const SimTime now = ctx_.now();
  catch_up(now);
  if (next_tick(state_) == now) {
    ++passes_;
    if (const int32_t r = run_pass(state_, now); r >= 0) {
      publish(ControlPlaneEvent::kLeaderElected, r);
      notify(true);
    }
  }
  reschedule();
}

void ControlPlane::crash(int32_t replica) {
  if (replica >= replicas()) return;
  catch_up(ctx_.now());
  bool changed = false;
  bool leader_lost = false;
  for (int32_t i = 0; i < replicas(); ++i) {
    if ((replica >= 0 && i != replica) || !state_.replicas[static_cast<size_t>(i)].up) continue;
    state_.replicas[static_cast<size_t>(i)].up = false;
    changed = true;
    publish(ControlPlaneEvent::kReplicaCrashed, i);
    if (i == state_.leader) {
      // The process is gone without releasing the lease: the record keeps
      // its last renewal, and the standbys wait it out.
      state_.leader = -1;
      leader_lost = true;
      publish(ControlPlaneEvent::kLeaderLost, i);
    }
  }
  if (!changed) return;
  if (leader_lost) notify(false);
  reschedule();
}

void ControlPlane::recover(int32_t replica) {
  if (replica >= replicas()) return;
  const SimTime now = ctx_.now();
  catch_up(now);
  bool changed = false;
  for (int32_t i = 0; i < replicas(); ++i) {
    if ((replica >= 0 && i != replica) || state_.replicas[static_cast<size_t>(i)].up) continue;
    start_incarnation(i, now);
    changed = true;
    publish(ControlPlaneEvent::kReplicaRecovered, i);
  }
  if (changed) reschedule();
}

void ControlPlane::notify(bool has_leader) {
  for (const auto& set_leader : components_)
    set_leader(has_leader);
}

void ControlPlane::publish(ControlPlaneEvent e, int32_t replica, std::string_view detail) {
  ctx_.bus().topic<ControlPlaneRecord>().publish({ctx_.now(), e, replica, detail});
}

}  // namespace kubesim
