// EndpointHistory: the versions of one Service's endpoint list, so that each
// node's kube-proxy can read the version it would have synced by now.
//
// The list keeps the order in which pods joined it; every entry carries a
// join number that grows along the list, so a pod's place in any version is a
// binary search (round-robin cursors and affinity use it). Changes at one
// instant share one version. Versions that no reader can still ask for are
// dropped (forget_before).
//
//   EndpointHistory h;
//   h.add(pod, now);                              // a new version made at now
//   const EndpointHistory::Version& v = h.at(now - lag);
//   h.forget_before(now - max_lag);
#pragma once

#include <cstdint>
#include <deque>
#include <limits>
#include <unordered_map>
#include <vector>

#include "models/objects/ids.h"
#include "sim/time.h"

namespace kubesim {

class EndpointHistory {
 public:
  struct Version {
    SimTime made;
    std::vector<PodId> pods;
    std::vector<uint64_t> joins;  // join number of pods[i]; increasing

    // The index of `pod` joined as `join`, or -1 if this version lacks it.
    int64_t find(PodId pod, uint64_t join) const;
  };
  // Made before any reader's time: the initial list every node holds.
  static constexpr SimTime kBeginning = SimTime::from_micros(std::numeric_limits<int64_t>::min());

  EndpointHistory();

  // Appends `pod` (not yet present) to the list at `now`; returns its join number.
  uint64_t add(PodId pod, SimTime now);
  // Removes `pod` at `now`; false if it is not in the list.
  bool remove(PodId pod, SimTime now);
  bool contains(PodId pod) const { return join_of_.count(pod.value) != 0; }

  const Version& current() const { return versions_.back(); }
  // The newest version made at or before t; the oldest kept if none is.
  const Version& at(SimTime t) const;
  // Drops every version superseded by one made at or before t: a reader
  // asking for a time >= t gets the same answer.
  void forget_before(SimTime t);
  size_t versions() const { return versions_.size(); }

 private:
  // The version to change at `now`: the newest if made at now, else a copy.
  Version& writable(SimTime now);

  std::deque<Version> versions_;                    // made increasing; never empty
  std::unordered_map<uint32_t, uint64_t> join_of_;  // members now -> join number (lookup only)
  uint64_t next_join_ = 0;
};

}  // namespace kubesim
