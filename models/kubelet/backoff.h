// ContainerBackOff: the kubelet's CrashLoopBackOff for one container, the
// exact rules of client-go's flowcontrol.Backoff as the kubelet uses it.
//
// The kubelet keeps one back-off entry per container
// (pkg/kubelet/kubelet.go: flowcontrol.NewBackOff(initialCrashLoopBackOff =
// 10 s, MaxCrashLoopBackOff = 300 s), no jitter). Before it restarts an
// exited container, kuberuntime_manager.go doBackOff() asks
// IsInBackOffSince(key, finishedAt): true while `now - finishedAt` is below
// the entry's back-off; once it is not, the container is restarted and
// Next(key, finishedAt) moves the entry on: a new (or expired) entry starts at
// 10 s, otherwise it doubles, capped at 300 s. An entry expires when the
// container finished more than 2 x 300 s = 10 minutes after the entry's last
// update (the previous restart): the container "ran long enough".
// (staging/src/k8s.io/client-go/util/flowcontrol/backoff.go)
//
// Hence: first restart immediate, then 10 s, 20 s, 40 s, ... 300 s after each
// exit, and immediate again (then 10 s, ...) after a run of more than 10 min.
//
//   ContainerBackOff b;
//   SimTime r = b.restart_at(exited_at);   // when the kubelet restarts it
//
// The real kubelet only notices the expiry at its next pod sync (PLEG
// relist, pod worker back-off of 10 s with jitter); kubesim restarts the
// container exactly when the back-off window ends.
#pragma once

#include "sim/time.h"

namespace kubesim {

class ContainerBackOff {
 public:
  static constexpr Duration kInitial = Duration::seconds(10);  // initialCrashLoopBackOff
  static constexpr Duration kMax = Duration::seconds(300);     // MaxCrashLoopBackOff

  // The container exited at `finished`: returns the earliest time at which
  // doBackOff() lets the kubelet restart it (>= finished), and records that
  // restart (Backoff.Next at that time).
  SimTime restart_at(SimTime finished);

  // The entry's current back-off (Backoff.Get): 0 before the first restart.
  Duration current() const { return has_entry_ ? backoff_ : Duration::zero(); }

 private:
  // backoff.go hasExpired: eventTime - lastUpdate > 2 * maxDuration.
  bool expired(SimTime event) const { return event - last_update_ > kMax * 2; }

  bool has_entry_ = false;
  Duration backoff_;
  SimTime last_update_;
};

}  // namespace kubesim
