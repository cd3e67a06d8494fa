#include "models/kubelet/backoff.h"

#include <algorithm>

namespace kubesim {

SimTime ContainerBackOff::restart_at(SimTime finished) {
  // IsInBackOffSince(key, finished): no entry or an expired one -> not in
  // back-off, restart now; else in back-off until finished + backoff.
  const bool fresh = !has_entry_ || expired(finished);
  const SimTime restart = fresh ? finished : finished + backoff_;
  // Next(key, finished) at `restart`.
  backoff_ = fresh ? kInitial : std::min(backoff_ * 2, kMax);
  has_entry_ = true;
  last_update_ = restart;
  return restart;
}

}  // namespace kubesim
