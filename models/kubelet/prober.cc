// pkg/kubelet/prober/worker.go doProbe and run, as arithmetic over ticks.
#include "models/kubelet/prober.h"

#include <algorithm>
#include <limits>

namespace kubesim {
namespace {

constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

// The stretches of a run in which the answer does not change, from `from`
// on: [from, min(ok_from, hang_at)) fails, [ok_from, hang_at) succeeds
// (unless never_ok), [hang_at, max) fails. Empty stretches have end <= begin.
struct Stretch {
  SimTime begin;
  SimTime end;  // SimTime::max(): open
  bool ok;
};

void stretches(const ProbeAnswers& a, SimTime from, Stretch out[3]) {
  out[0] = {from, std::min(a.ok_from, a.hang_at), false};
  out[1] = {std::max(from, a.ok_from), a.hang_at, !a.never_ok};
  out[2] = {std::max(from, a.hang_at), SimTime::max(), false};
}

}  // namespace

const char* to_string(ProbeKind k) {
  switch (k) {
    case ProbeKind::kStartup:
      return "Startup";
    case ProbeKind::kReadiness:
      return "Readiness";
    case ProbeKind::kLiveness:
      return "Liveness";
  }
  return "?";
}

ProbeWorker ProbeWorker::start(const Probe& spec, ProbeKind kind, SimTime now) {
  ProbeWorker w;
  w.spec_ = spec;
  w.kind_ = kind;
  w.next_tick_ = now;
  return w;
}

bool ProbeWorker::active(const ProbeView& v, SimTime t) const {
  if (!v.running || on_hold_) return false;
  // worker.go: int32(time.Since(startedAt).Seconds()) < InitialDelaySeconds
  // skips the probe; with whole seconds that is "elapsed < delay".
  if (t - v.started_at < Duration::seconds(spec_.initial_delay_seconds)) return false;
  // Startup probes until the container has started; the others after.
  return kind_ == ProbeKind::kStartup ? !v.started : v.started;
}

int64_t ProbeWorker::first_index_at(SimTime t) const {
  if (t == SimTime::max()) return kNever;
  if (t <= next_tick_) return 0;
  const int64_t p = period().count_micros();
  return ((t - next_tick_).count_micros() + p - 1) / p;
}

ProbeTick ProbeWorker::probe(const ProbeView& v, bool ok) {
  (void)v;
  if (ok == last_success_) {
    ++run_;
  } else {
    last_success_ = ok;
    run_ = 1;
  }
  ProbeTick r{true, ok, false, run_};
  // "Success or failure is below threshold - leave the probe state unchanged."
  if (run_ < (ok ? spec_.success_threshold : spec_.failure_threshold)) return r;
  r.set = true;
  // "The container fails a liveness/startup check, it will need to be
  // restarted. Stop probing until we see a new container ID." A startup
  // success holds too (the startup probe is done for this container).
  if ((kind_ == ProbeKind::kLiveness && !ok) || kind_ == ProbeKind::kStartup) {
    on_hold_ = true;
    run_ = 0;
  }
  return r;
}

bool ProbeWorker::effect(const ProbeView& v, const ProbeTick& r) const {
  if (!r.set) return false;
  switch (kind_) {
    case ProbeKind::kStartup:
      return true;  // started, or killed
    case ProbeKind::kLiveness:
      return !r.success;  // killed
    case ProbeKind::kReadiness:
      // Ready, not ready, or the failure threshold just reached (PodUnhealthy).
      return r.success ? !v.ready : (r.run == spec_.failure_threshold || v.ready);
  }
  return false;
}

void ProbeWorker::skip_quiet(const ProbeView& v, SimTime until) {
  if (until <= next_tick_) return;
  const int64_t n_total = first_index_at(until);
  const bool can_probe =
      v.running && !on_hold_ && (kind_ == ProbeKind::kStartup ? !v.started : v.started);
  if (can_probe) {
    const SimTime from = v.started_at + Duration::seconds(spec_.initial_delay_seconds);
    Stretch s[3];
    stretches(v.answers, from, s);
    for (const Stretch& st : s) {
      const SimTime end = std::min(st.end, until);
      if (end <= st.begin) continue;
      const int64_t n = first_index_at(end) - first_index_at(st.begin);
      if (n <= 0) continue;
      // No tick in here has an effect, so none sets onHold: counters only.
      if (st.ok == last_success_) {
        run_ += n;
      } else {
        last_success_ = st.ok;
        run_ = n;
      }
    }
  }
  next_tick_ += period() * n_total;
}

ProbeTick ProbeWorker::tick(const ProbeView& v, SimTime t) {
  ProbeTick r;
  if (active(v, t)) r = probe(v, v.answers.ok(t));
  next_tick_ = t + period();
  return r;
}

ProbeTick ProbeWorker::manual(const ProbeView& v, SimTime t) {
  skip_quiet(v, t);
  return tick(v, t);
}

SimTime ProbeWorker::next_effect(const ProbeView& v) const {
  const bool can_probe =
      v.running && !on_hold_ && (kind_ == ProbeKind::kStartup ? !v.started : v.started);
  if (!can_probe) return SimTime::max();
  const SimTime from = v.started_at + Duration::seconds(spec_.initial_delay_seconds);
  Stretch s[3];
  stretches(v.answers, from, s);
  bool last = last_success_;
  int64_t run = run_;
  const int64_t st_threshold = spec_.success_threshold;
  const int64_t ft = spec_.failure_threshold;
  for (const Stretch& st : s) {
    if (st.end <= st.begin) continue;
    const int64_t k0 = first_index_at(st.begin);
    const int64_t k_end = first_index_at(st.end);
    if (k_end != kNever && k_end <= k0) continue;
    const int64_t n = k_end == kNever ? kNever : k_end - k0;
    const int64_t base = st.ok == last ? run + 1 : 1;
    // j: the first tick of the stretch (0-based) with an effect, -1 if none.
    int64_t j = -1;
    if (st.ok) {
      if (kind_ == ProbeKind::kStartup || (kind_ == ProbeKind::kReadiness && !v.ready))
        j = std::max<int64_t>(0, st_threshold - base);
    } else if (kind_ != ProbeKind::kReadiness || v.ready) {
      j = std::max<int64_t>(0, ft - base);
    } else if (base <= ft) {
      j = ft - base;  // reaching the threshold publishes PodUnhealthy
    }
    if (j >= 0 && (n == kNever || j < n)) return next_tick_ + period() * (k0 + j);
    if (n == kNever) return SimTime::max();
    if (st.ok == last) {
      run += n;
    } else {
      last = st.ok;
      run = n;
    }
  }
  return SimTime::max();
}

}  // namespace kubesim
