#include "models/proxy/endpoint_history.h"

#include <algorithm>

namespace kubesim {

int64_t EndpointHistory::Version::find(PodId pod, uint64_t join) const {
  const auto it = std::lower_bound(joins.begin(), joins.end(), join);
  if (it == joins.end() || *it != join) return -1;
  const auto i = it - joins.begin();
  return pods[static_cast<size_t>(i)] == pod ? i : -1;
}

EndpointHistory::EndpointHistory() {
  versions_.push_back(Version{kBeginning, {}, {}});
}

EndpointHistory::Version& EndpointHistory::writable(SimTime now) {
  if (versions_.back().made == now) return versions_.back();
  Version next = versions_.back();
  next.made = now;
  versions_.push_back(std::move(next));
  return versions_.back();
}

uint64_t EndpointHistory::add(PodId pod, SimTime now) {
  const uint64_t join = next_join_++;
  Version& v = writable(now);
  v.pods.push_back(pod);
  v.joins.push_back(join);
  join_of_[pod.value] = join;
  return join;
}

bool EndpointHistory::remove(PodId pod, SimTime now) {
  const auto it = join_of_.find(pod.value);
  if (it == join_of_.end()) return false;
  const uint64_t join = it->second;
  join_of_.erase(it);
  Version& v = writable(now);
  const int64_t i = v.find(pod, join);
  if (i >= 0) {
    v.pods.erase(v.pods.begin() + i);
    v.joins.erase(v.joins.begin() + i);
  }
  return true;
}

const EndpointHistory::Version& EndpointHistory::at(SimTime t) const {
  // The first version made after t, minus one.
  const auto it = std::upper_bound(versions_.begin(), versions_.end(), t,
                                   [](SimTime x, const Version& v) { return x < v.made; });
  return it == versions_.begin() ? versions_.front() : *(it - 1);
}

void EndpointHistory::forget_before(SimTime t) {
  while (versions_.size() >= 2 && versions_[1].made <= t)
    versions_.pop_front();
}

}  // namespace kubesim
