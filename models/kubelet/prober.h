// ProbeWorker: one probe of one container (pkg/kubelet/prober/worker.go), as
// counters plus arithmetic over its ticks, so that the kubelet can either
// run every tick (naive timers) or jump to the first tick at which a probe
// would change something (lazy, DESIGN.md) with the same counters either way.
//
// worker.go in short: the worker starts when the kubelet adds the pod
// (kubelet.go SyncPod -> probeManager.AddPod) and probes at once, then on a
// ticker of periodSeconds (a manual run resets the ticker: prober_manager.go
// UpdatePodStatus triggers the readiness worker when a started container is
// not ready). A tick does nothing while the container is not running, while
// the worker is on hold, before initialDelaySeconds since the container
// started ("int32(time.Since(startedAt).Seconds()) < initialDelaySeconds":
// the truncation makes that "elapsed < delay" for whole-second delays), and
// for liveness/readiness before the container has started (startup probe
// succeeded; the startup worker stops probing then). Otherwise it probes:
// the same result as last time adds one to resultRun, another result starts
// a run of 1 (lastResult starts as Success, the zero value of
// results.Result); at failureThreshold failures or successThreshold
// successes in a row the result is set. A liveness failure or any startup
// result sets onHold and resets the run to 0; a new container clears onHold
// (lastResult and resultRun carry over, as in worker.go).
//
//   ProbeWorker w = ProbeWorker::start(spec, ProbeKind::kLiveness, now);
//   ProbeView v{...};                       // the container as the worker sees it
//   SimTime t = w.next_effect(v);           // first tick that changes something
//   w.skip_quiet(v, t);                     // ticks before t: counters only
//   ProbeTick r = w.tick(v, t);             // the tick at t
#pragma once

#include <cstdint>

#include "models/objects/pod.h"
#include "sim/time.h"

namespace kubesim {

// Also the order in which the kubelet processes ticks due at the same time.
enum class ProbeKind : uint8_t { kStartup = 0, kReadiness = 1, kLiveness = 2 };
inline constexpr int kProbeKinds = 3;
const char* to_string(ProbeKind k);  // "Startup", "Readiness", "Liveness"

// What the container answers, for one run: failure before ok_from, success
// in [ok_from, hang_at) (failure throughout if never_ok), failure from hang_at.
struct ProbeAnswers {
  SimTime ok_from;
  SimTime hang_at = SimTime::max();
  bool never_ok = false;
  bool ok(SimTime t) const { return !never_ok && t >= ok_from && t < hang_at; }
};

// The container as one worker sees it between two changes.
struct ProbeView {
  bool running = false;  // a container exists and runs
  SimTime started_at;    // of the current run
  bool started = false;  // startup probe succeeded (or none)
  bool ready = false;    // readiness result Success for this container (readiness only)
  ProbeAnswers answers;
};

// What one tick did.
struct ProbeTick {
  bool probed = false;   // the probe ran
  bool success = false;  // its result
  bool set = false;      // the threshold was reached: the result is set
  int64_t run = 0;       // resultRun after the tick
};

class ProbeWorker {
 public:
  ProbeWorker() = default;
  // A worker that probes first at `now`.
  static ProbeWorker start(const Probe& spec, ProbeKind kind, SimTime now);

  const Probe& spec() const { return spec_; }
  ProbeKind kind() const { return kind_; }
  bool on_hold() const { return on_hold_; }
  SimTime next_tick() const { return next_tick_; }
  Duration period() const { return Duration::seconds(spec_.period_seconds); }

  // Whether a tick at t would probe.
  bool active(const ProbeView& v, SimTime t) const;
  // Processes every tick in [next_tick, until) that has no effect (the
  // caller knows none has: see next_effect): counters only.
  void skip_quiet(const ProbeView& v, SimTime until);
  // The tick at t == next_tick: probes if active; the caller applies the
  // effect. Moves next_tick on by a period.
  ProbeTick tick(const ProbeView& v, SimTime t);
  // A manual run at t (prober_manager.go UpdatePodStatus): ticks before t
  // are skipped quietly, the probe runs now if active, and the ticker
  // restarts from t.
  ProbeTick manual(const ProbeView& v, SimTime t);
  // The first tick >= next_tick whose processing has an effect (a result
  // that the kubelet acts on or publishes), SimTime::max() if none while
  // nothing else changes.
  SimTime next_effect(const ProbeView& v) const;
  // Whether a tick with this outcome would have an effect.
  bool effect(const ProbeView& v, const ProbeTick& r) const;
  // A new container: onHold is cleared (worker.go: "We've got a new
  // container; resume probing").
  void new_container() { on_hold_ = false; }

 private:
  ProbeTick probe(const ProbeView& v, bool ok);
  // The first tick index k >= 0 (tick next_tick + k * period) at or after t.
  int64_t first_index_at(SimTime t) const;

  Probe spec_;
  ProbeKind kind_ = ProbeKind::kReadiness;
  SimTime next_tick_;
  bool on_hold_ = false;
  bool last_success_ = true;  // results.Result zero value: Success
  int64_t run_ = 0;
};

}  // namespace kubesim
